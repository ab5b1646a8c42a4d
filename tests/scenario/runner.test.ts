/**
 * The scenario runner: every command and expect form runs on the engine with the result the
 * kernel gives; failed expects are recorded and the script goes on; goto back and forward
 * reach the same state digest as a straight run; repeat is lazy.
 */
import { describe, expect, it } from 'vitest';
import { MachineBuildError, Runner, RunnerBugError, type RunnerOptions, type StepRecord } from '../../src/scenario/runner';
import { parseScript } from '../../src/scenario/parser';
import { stateDigest } from '../../src/engine/snapshot';
import { checkInvariants } from '../../src/engine/invariants';
import { BUILTINS } from '../../src/scenario/builtins/index';

function build(src: string, opts?: RunnerOptions): Runner {
  const r = Runner.fromSource(src, 't.msh', opts);
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.line}:${e.col}: ${e.message}`).join('\n'));
  return r.runner;
}

function runAll(src: string, opts?: RunnerOptions): Runner {
  const r = build(src, opts);
  r.runToEnd();
  return r;
}

/** Error lines as "LINE ERRNO|SIGNAL", for compact comparisons. */
const errs = (r: Runner) => r.errors.map((e) => `${e.line} ${e.errno ?? e.signal}`);
const fails = (r: Runner) => r.failures.map((f) => `${f.line}: ${f.text}: ${f.message}`);

// Every verb of SCENARIO.md with the 2024 flavour, each followed by an expect on its result.
const ALL_2024 = `machine ram=64M cpus=2 tlb=64 pcid=on levels=4 mshare=2024
## Setup
policy charge=faulter owner_exit=keep mprotect=global tlb_flush=all
file /data 64K
cgroup grp limit=32M
spawn a
expect last == 1
a: join grp
a: run cpu=1
expect last == 1
a: mmap 0x40000000 64K rw private,anon as heap
expect last == 0x40000000
expect last.addr == 0x40000000
a: write heap 42
expect last == 8
a: write heap+8 "hi"
expect last == 2
a: read heap
expect last == 42
a: read heap+8 2
expect last.value == 26984
a: touch heap 64K write
expect last == 16
## Changing mappings
a: mprotect heap 4K r
expect last == 0
a: madvise heap+4K 4K dontneed
expect last == 0
a: munmap heap+60K 4K
expect last == 0
a: mmap auto 64K rw shared file=/data off=0 as f
expect last.addr > 0x10000
a: open /data as D
a: mmap auto 4K r shared fd=D as g
expect last.addr >= 0x10000
a: close D
expect last == 0
a: gup heap+8K 4K write
expect last == 1
expect a.VmPin == 4K
a: unpin heap+8K 4K
expect a.VmPin == 0
## Threads and userfaultfd
a: mmap 0x50000000 8K rw private,anon as u
a: uffd register u 8K missing
a: thread as t
t: read u
expect t blocked
a: uffd copy u 7
expect last == 1
expect t running
t: read u
expect last == 7
a: fork as b
b: exit
expect b exited
a: fork
expect last > 0
a: thread
note a default-named child and thread
## msharefs
mount msharefs
a: open /sys/fs/mshare/r create as F
a: mmap 0x10000000000 512G rw shared fd=F as r
a: mmap 0x10000000000 2M rw shared,anon,fixed
a: touch r 2M write
a: mshare_info F
expect last.start == 0x10000000000
expect last.size == 512G
a: open /data as 7
expect last == 7
a: ftruncate 7 128K
expect last == 0
a: close 7
unlink /data
expect last == 0
repeat 3: a: fork as c{i}
repeat 3: c{i}: read r
expect c3 running
expect same-page a:r c3:r
c1: write heap+8K 1
expect different-page a:heap+8K c1:heap+8K
expect same-page a:heap+8K c2:heap+8K
## Every expect form and operator
expect meminfo.PageTables > 0
expect meminfo.MemTotal == 63M
expect meminfo.MemFree < 63M
expect meminfo.AnonPages >= 4K
expect meminfo.Shmem >= 2M
expect meminfo.HugePages_Total == 0
expect meminfo.Hugepagesize == 2M
expect cgroup.grp.current > 0
expect cgroup.grp.pagetables > 0
expect mshare./sys/fs/mshare/r.sharers == 4
expect mshare./sys/fs/mshare/r.rss == 2M
expect mshare./sys/fs/mshare/r.pte == 12K
expect a.VmSize > 512G
expect a.VmRSS <= 1M
expect a.RssAnon != 0
expect a.RssFile == 0
expect a.RssShmem >= 0
expect a.VmPTE > 0
expect a.HugetlbPages == 0
expect last != EINVAL
expect last != "x"
note done
`;

// The 2025 flavour's verbs (ftruncate on msharefs, the ioctls), hugetlb, and a second mount.
const ALL_2025 = `machine mshare=2025 levels=5
mount msharefs /mnt/ms
spawn o
o: open /mnt/ms/r create as F
o: ftruncate F 512G
expect last == 0
o: ioctl F create_mapping 0 4M rw
expect last == 0
file /dev/hugepages/h 4M
o: ioctl F create_mapping 1G 4M rw file=/dev/hugepages/h hugetlb
expect last == 0
o: ioctl F unmap 2M 2M
expect last == 0
o: mshare_info F
expect last.size == 512G
o: mmap auto 512G rw shared fd=F as r
o: touch r 2M write
o: read r+1G
expect last == 0
spawn p
p: open /mnt/ms/r as G
p: mmap auto 512G rw shared fd=G as r
p: read r+8K
expect same-page o:r+8K p:r+8K
expect same-page o:r+1G p:r+1G
p: read r+2M
expect last == SIGSEGV
expect p killed SIGSEGV
expect mshare./mnt/ms/r.sharers == 1
`;

describe('every command and expect form', () => {
  it('runs the 2024 script with the kernel\'s results and every expect holding', () => {
    const r = runAll(ALL_2024);
    expect(fails(r)).toEqual([]);
    expect(errs(r)).toEqual([]);
    expect(r.position).toBe(r.total);
    expect(r.kernel.task('a.1')?.state).toBe('running'); // fork's default child name
    expect(r.kernel.task('a.t1')?.state).toBe('running'); // thread's default name
    expect(checkInvariants(r.kernel.m)).toEqual([]);
  });

  it('runs the 2025 script (ftruncate, ioctls, hugetlb, 5-level, mount path)', () => {
    const r = runAll(ALL_2025);
    expect(fails(r)).toEqual([]);
    expect(errs(r)).toEqual(["26 SIGSEGV"]);
    expect(checkInvariants(r.kernel.m)).toEqual([]);
  });

  it('every built-in scenario passes in the runner too, invariants intact', () => {
    for (const b of BUILTINS) {
      if (b.source.includes('repeat 1500')) continue; // the CLI test runs those
      const r = runAll(b.source, { recordTrace: false });
      expect({ id: b.id, failures: fails(r) }).toEqual({ id: b.id, failures: [] });
      expect({ id: b.id, inv: checkInvariants(r.kernel.m) }).toEqual({ id: b.id, inv: [] });
    }
  });
});

describe('results and failures', () => {
  it('records a failed expect with its message and goes on', () => {
    const r = runAll(`spawn a
a: mmap 0x40000000 4K rw private,anon as x
a: write x 1
expect a.RssAnon == 8K
expect a exited
expect a.RssAnon == 4K
`);
    expect(fails(r)).toEqual([
      '4: expect a.RssAnon == 8K: a.RssAnon is 4 kB',
      '5: expect a exited: a is running',
    ]);
    expect(r.position).toBe(r.total);
    const rec = r.records[3];
    expect(rec.expect).toEqual({ ok: false, message: 'a.RssAnon is 4 kB' });
  });

  it('reports errno and signal results with their detail, and ESRCH for dead tasks', () => {
    const r = runAll(`spawn a
a: mprotect 0x1000 4K r
expect last == ENOMEM
a: read 0x2000
expect last == SIGSEGV
a: read 0x2000
expect last == ESRCH
nobody: exit
expect last == ESRCH
`);
    expect(fails(r)).toEqual([]);
    expect(r.errors.map((e) => [e.line, e.command, e.errno, e.signal])).toEqual([
      [2, 'a: mprotect 0x1000 4K r', 'ENOMEM', null],
      [4, 'a: read 0x2000', null, 'SIGSEGV'],
      [6, 'a: read 0x2000', 'ESRCH', null],
      [8, 'nobody: exit', 'ESRCH', null],
    ]);
    expect(r.errors[1].detail).toMatch(/segmentation fault/);
  });

  it('5-level addresses above 2^53 read and write the right bytes; a label+offset that a double cannot hold is EFAULT', () => {
    // Above 2^53 a double holds only every 2nd (4th, 8th) integer: byte addresses computed as
    // addr + i once landed on neighbours ("hello" read back as "eeloo").
    const r = runAll(`machine levels=5
spawn a
a: mmap 0x20000000000000 8K rw private,anon,fixed as hi
a: write hi "hello"
a: read hi 5
expect last == "hello"
a: write hi+4092 "abcdefgh"
a: read hi+4092 8
expect last == "abcdefgh"
a: mmap 0x80000000000000 8K rw private,anon,fixed as top
a: write top 5
a: read top
expect last == 5
a: write top+4088 "0123456789"
a: read top+4088 8
expect last == "01234567"
a: read top+4096 2
expect last == "89"
a: read top+1
expect last == EFAULT
`);
    expect(fails(r)).toEqual([]);
    expect(errs(r)).toEqual(['19 EFAULT']);
  });

  it('an 8-byte read past 2^53 is reported exactly, as a hex string; below that as a number', () => {
    // A double rounds integers past 2^53: "hellowor" read back as 0x726f776f6c6c6400.
    const r = build(`spawn a
a: mmap auto 4K rw private,anon as x
a: write x "hellowor"
a: read x 8
a: write x 0x1fffffffffffff
a: read x 8
`);
    const values: unknown[] = [];
    for (let rec = r.step(); rec; rec = r.step()) if (rec.text.includes('read')) values.push(rec.result?.value);
    expect(values).toEqual(['0x726f776f6c6c6568', 2 ** 53 - 1]);
  });

  it('fork names its children NAME.1, NAME.2, ... skipping names taken; threads NAME.t1, ...; never EEXIST', () => {
    // Threads and children named with `as` once shared fork's counter: after a thread the
    // first child was b.2, and a child named a.2 by hand made every later default fork EEXIST.
    const r = runAll(`spawn b
b: thread
b: fork
b: fork
b: thread
expect b.t1 running
expect b.1 running
expect b.2 running
expect b.t2 running
spawn a
a: fork as a.2
a: fork
a: fork
a: fork
expect a.1 running
expect a.3 running
expect a.4 running
a.1: exit
a: fork
expect a.1 exited
expect a.5 running
a.1.t1: exit
a.3: fork
expect a.3.1 running
`);
    expect(fails(r)).toEqual([]);
    expect(errs(r)).toEqual(['22 ESRCH']);
    expect([...r.kernel.m.s.tasks.values()].filter((t) => t.state === 'running').map((t) => t.name).sort()).toEqual(
      ['a', 'a.2', 'a.3', 'a.3.1', 'a.4', 'a.5', 'b', 'b.1', 'b.2', 'b.t1', 'b.t2'],
    );
  });

  it('an unknown label is EFAULT, an unknown descriptor name EBADF, both with a detail', () => {
    const r = runAll(`spawn a
a: read nolabel+4K
expect last == EFAULT
a: close G
expect last == EBADF
a: mmap auto 4K r shared fd=G
expect last == EBADF
`);
    expect(fails(r)).toEqual([]);
    expect(r.errors.map((e) => e.detail)).toEqual([
      "a has no VMA labelled 'nolabel'",
      "a has no descriptor named 'G'",
      "a has no descriptor named 'G'",
    ]);
  });

  it('expect messages for each form', () => {
    const r = runAll(`machine mshare=2024
spawn a
a: mmap 0x40000000 8K rw private,anon as x
a: fork as b
expect last == EINVAL
expect last.start == 1
expect b.VmPTE == 4K
expect meminfo.HugePages_Total == 1
expect meminfo.PageTables == 0
expect b killed SIGSEGV
expect same-page a:x b:x
expect cgroup.nope.current == 0
expect mshare./sys/fs/mshare/nope.sharers == 0
expect ghost.VmRSS == 0
a: exit
expect a.VmRSS == 0
`);
    expect(r.failures.map((f) => f.message)).toEqual([
      'last is success',
      "last.start: 'a: fork as b' gave no start",
      'b.VmPTE is 0 kB',
      'meminfo.HugePages_Total is 0',
      'meminfo.PageTables is 8 kB',
      'b is running',
      "a:x (0x40000000) is not present in a's page tables: no present PGD entry",
      'no cgroup named nope',
      'no mshare region at /sys/fs/mshare/nope',
      'no task named ghost',
      'a has exited: no /proc/PID/status',
    ]);
  });

  it('policy keys reach the kernel under their TypeScript names', () => {
    const r = runAll('policy charge=owner owner_exit=unmap mprotect=einval tlb_flush=sharers\n');
    expect(r.kernel.m.s.policies).toEqual({ charge: 'owner', ownerExit: 'unmap', mprotect: 'einval', tlbFlush: 'sharers' });
  });

  it('machine configures the Kernel; no machine gives the defaults', () => {
    expect(build('machine ram=32M cpus=4 tlb=16 pcid=off levels=5 mshare=2025\n').kernel.m.s.config)
      .toEqual({ ram: 32 << 20, cpus: 4, tlb: 16, pcid: false, levels: 5, mshare: 2025 });
    expect(build('spawn a\n').kernel.m.s.config)
      .toEqual({ ram: 256 << 20, cpus: 2, tlb: 64, pcid: true, levels: 4, mshare: 2024 });
    expect(build('machine pti=on\n').kernel.m.s.config).toMatchObject({ pcid: true, pti: true });
  });

  it('a machine the engine cannot build is a positioned error, not an exception', () => {
    // The parser and the engine agree on RAM sizes (multiples of 2M), so build a script the
    // parser would refuse to reach the engine's own check.
    expect(Runner.fromSource('## t\nmachine ram=18M\n', 'm.msh').ok).toBe(true);
    const parsed = parseScript('## t\nmachine ram=18M\n');
    if (!parsed.ok) throw new Error('parse');
    const machine = parsed.script.commands[1];
    if (machine.kind !== 'machine') throw new Error('machine');
    machine.options.ram = 17 << 20;
    expect(() => new Runner(parsed.script)).toThrow(MachineBuildError);
    try {
      new Runner(parsed.script);
    } catch (e) {
      expect(e).toMatchObject({ line: 2, col: 1, message: expect.stringMatching(/^machine: ram/) });
    }
  });

  it('an exception out of the engine names the step', () => {
    const r = build('spawn a\nspawn b\n');
    r.kernel.spawn = () => {
      throw new Error('boom');
    };
    expect(() => r.step()).toThrow(RunnerBugError);
    expect(() => r.step()).toThrow(/line 1 \(spawn a\): boom/);
  });

  it('step records carry line, text, kind, chapter, note and the trace window', () => {
    const r = runAll(`## One
spawn a
note hello there
repeat 2: a: fork as c{i}
`);
    const recs = r.records.map((x: StepRecord) => [x.index, x.line, x.kind, x.text, x.chapter, x.note ?? null, x.iteration ?? null]);
    expect(recs).toEqual([
      [0, 1, 'chapter', '## One', 'One', null, null],
      [1, 2, 'spawn', 'spawn a', 'One', null, null],
      [2, 3, 'note', 'note hello there', 'One', 'hello there', null],
      [3, 4, 'fork', 'a: fork as c1', 'One', null, 1],
      [4, 4, 'fork', 'a: fork as c2', 'One', null, 2],
    ]);
    for (const x of r.records) expect(x.traceSeq).toBeGreaterThanOrEqual(x.traceFrom);
    expect(r.records[1].traceSeq).toBeGreaterThan(r.records[1].traceFrom); // spawn allocates a PGD
  });
});

describe('runToEnd', () => {
  it('reports progress and stops when cancelled', () => {
    const r = build('spawn a\nrepeat 100: a: fork as c{i}\n');
    const seen: number[] = [];
    let polls = 0;
    const done = r.runToEnd({ chunk: 10, onProgress: (p) => seen.push(p), shouldCancel: () => ++polls === 3 });
    expect(done).toBe(false);
    expect(r.position).toBe(30);
    expect(seen).toEqual([10, 20, 30]);
    expect(r.runToEnd()).toBe(true);
    expect(r.position).toBe(101);
    expect(r.step()).toBeNull();
  });

  it('runToEndAsync yields and finishes', async () => {
    const r = build('spawn a\nrepeat 50: a: fork as c{i}\n');
    expect(await r.runToEndAsync({ chunk: 7 })).toBe(true);
    expect(r.done).toBe(true);
  });
});

// A script with COW, zero page, munmap, hugetlb, mshare links, OOM in a cgroup and fd names:
// everything a checkpoint must carry.
const TIME_TRAVEL = `machine ram=64M
mount msharefs
cgroup small limit=1M
spawn a
a: mmap 0x40000000 64K rw private,anon as heap
a: touch heap 64K write
a: fork as b
b: write heap 1
a: open /sys/fs/mshare/r create as F
a: mmap 0x10000000000 512G rw shared fd=F as r
a: mmap 0x10000000000 2M rw shared,anon,fixed
a: touch r 2M write
repeat 5: a: fork as c{i}
repeat 5: c{i}: read r
a: mmap 0x80000000 1G rw shared,anon,hugetlb,noreserve as h
a: touch h 4M write
b: fork as d
d: join small
d: mmap auto 2M rw private,anon as big
d: touch big 2M write
expect d killed SIGKILL
b: munmap heap 64K
c1: close F
c1: open /sys/fs/mshare/r as F
c1: mshare_info F
expect last.size == 512G
expect b.VmPTE == 0
`;

describe('goto: checkpoints and replay', () => {
  function straightDigests(src: string): string[] {
    const r = build(src, { checkpointEvery: 0 });
    const out = [stateDigest(r.kernel.m)];
    while (r.step()) out.push(stateDigest(r.kernel.m));
    return out;
  }

  it('going back and forward reaches the digest of a straight run, at every position', () => {
    const want = straightDigests(TIME_TRAVEL);
    const r = build(TIME_TRAVEL, { checkpointEvery: 4, checkpointOverhead: Infinity });
    expect(r.checkpointPositions()).toEqual([0]);
    r.goto(r.total);
    const every4 = Array.from({ length: Math.ceil(r.total / 4) }, (_, i) => i * 4);
    expect(r.checkpointPositions()).toEqual(every4);
    expect(want.length).toBe(r.total + 1);
    // Forward, back to each earlier position, forward again: every landing must match.
    const order = [r.total, 0, 17, 3, 30, 9, 10, 8, r.total, 1, 25, 24, 4, 5, r.total];
    for (const n of order) {
      expect(r.goto(n)).toBe(n);
      expect({ n, d: stateDigest(r.kernel.m) }).toEqual({ n, d: want[n] });
      expect(checkInvariants(r.kernel.m)).toEqual([]);
    }
  });

  it('restores the runner state too: last, fd names, failures, errors, records', () => {
    const straight = runAll(TIME_TRAVEL);
    expect(fails(straight)).toEqual([]);
    expect(errs(straight)).toEqual(['20 SIGKILL']); // the cgroup's OOM killer fired
    const r = build(TIME_TRAVEL, { checkpointEvery: 3, checkpointOverhead: Infinity });
    r.goto(r.total);
    r.goto(12);
    expect(r.records.length).toBe(12);
    expect(r.errors.length).toBeLessThanOrEqual(straight.errors.length);
    r.runToEnd();
    expect(r.records.map((x) => x.result)).toEqual(straight.records.map((x) => x.result));
    expect(r.records.map((x) => x.expect)).toEqual(straight.records.map((x) => x.expect));
    expect(r.errors).toEqual(straight.errors);
    expect(r.failures).toEqual(straight.failures);
    expect(r.kernel.m.trace.counts).toEqual(straight.kernel.m.trace.counts);
  });

  it('goto clamps and ignores junk', () => {
    const r = build('spawn a\nspawn b\n');
    expect(r.goto(99)).toBe(2);
    expect(r.goto(-5)).toBe(0);
    expect(r.goto(Number.NaN)).toBe(0);
    expect(r.goto(1.7)).toBe(1);
  });

  it('by default spaces checkpoints by their cost and keeps going back exact', () => {
    const want = straightDigests(TIME_TRAVEL);
    const r = build(TIME_TRAVEL, { checkpointEvery: 1 });
    r.goto(r.total);
    expect(r.checkpointPositions()[0]).toBe(0);
    for (const n of [5, 20, 2, r.total]) {
      r.goto(n);
      expect(stateDigest(r.kernel.m)).toBe(want[n]);
    }
  });

  it('thins checkpoints to stay within the budget', () => {
    const r = build('machine ram=64M\nspawn a\na: mmap auto 8M rw private,anon as x\na: touch x 8M write\nrepeat 60: a: fork as c{i}\n', {
      // 20 MiB: 31 checkpoints of this machine take ~37 MiB (frame descriptors, mostly: the
      // children's equal page tables are stored once).
      checkpointEvery: 2, checkpointBudget: 20 * 2 ** 20, checkpointOverhead: Infinity,
    });
    r.runToEnd();
    expect(r.checkpointBytes()).toBeLessThanOrEqual(20 * 2 ** 20);
    const pos = r.checkpointPositions();
    expect(pos[0]).toBe(0);
    expect(pos.length).toBeLessThan(31);
    const want = straightDigests('machine ram=64M\nspawn a\na: mmap auto 8M rw private,anon as x\na: touch x 8M write\nrepeat 60: a: fork as c{i}\n');
    for (const n of [40, 3, 63, 21]) {
      r.goto(n);
      expect(stateDigest(r.kernel.m)).toBe(want[n]);
    }
  });
});

describe('repeat is lazy', () => {
  it('counts steps without expanding, instantiates one iteration at a time', () => {
    const r = build('spawn a\nrepeat 100000: note step {i}\nrepeat 3: a: fork as c{i}\n', { checkpointEvery: 0 });
    expect(r.script.commands.length).toBe(3);
    expect(r.total).toBe(100004);
    expect(r.commandAt(100000)?.text).toBe('note step 100000');
    expect(r.commandAt(100003)?.text).toBe('a: fork as c3');
    expect(r.commandAt(100004)).toBeNull();
    expect(r.records.length).toBe(0);
    r.goto(100002);
    expect(r.kernel.task('c1')?.state).toBe('running');
    expect(r.kernel.task('c2')).toBeNull();
  });

  it('1,500 iterations take no state copy beyond the periodic checkpoints', () => {
    const r = build('spawn a\nrepeat 1500: a: fork as c{i}\n', { checkpointEvery: 0, recordTrace: false, keepRecords: false });
    r.runToEnd();
    expect(r.checkpointPositions()).toEqual([0]);
    expect(r.records.length).toBe(0);
    expect(r.kernel.task('c1500')?.state).toBe('running');
  });
});

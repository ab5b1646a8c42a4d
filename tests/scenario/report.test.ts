/**
 * The JSON report, field by field against SCENARIO.md ("JSON report"): names, types, units
 * (sizes in kB like /proc, addresses as 0x strings, an mshare region's size in bytes), and
 * the text report's sections.
 */
import { describe, expect, it } from 'vitest';
import { Runner } from '../../src/scenario/runner';
import { buildReport, textReport, type Report } from '../../src/scenario/report';
import { MACHINE_KEYS, MEMINFO_FIELDS, MEMINFO_UNITS, POLICY_KEYS } from '../../src/scenario/constants';

// Shaped like SCENARIO.md's example: db0 creates a 512 GiB region holding 64 MiB, in cgroup db.
const SRC = `machine ram=256M mshare=2024
mount msharefs
cgroup db
spawn db0
db0: join db
db0: open /sys/fs/mshare/sga create as F
db0: mmap 0x10000000000 512G rw shared fd=F as sga
db0: mmap 0x10000000000 64M rw shared,anon,fixed
db0: touch sga 64M write
spawn db1
db1: open /sys/fs/mshare/sga as F
db1: mmap 0x10000000000 512G rw shared fd=F as sga
db1: mprotect sga 4K r
db1: read sga
policy mprotect=einval
db1: mprotect sga 4K r
expect db1.VmPTE == 4K
spawn gone
gone: read 0x1000
expect mshare./sys/fs/mshare/sga.sharers == 2
`;

function report(src = SRC): Report {
  const r = Runner.fromSource(src, 'r.msh');
  if (!r.ok) throw new Error(r.errors[0].message);
  r.runner.runToEnd();
  // Through JSON, as the CLI prints it: no undefined, NaN or Infinity may survive.
  return JSON.parse(JSON.stringify(buildReport(r.runner))) as Report;
}

const HEX = /^0x[0-9a-f]+$/;

describe('JSON report (SCENARIO.md)', () => {
  const rep = report();

  it('top level: ok, steps and every listed section', () => {
    for (const k of ['ok', 'steps', 'meminfo', 'processes', 'mshare', 'cgroups', 'tlb', 'failures', 'errors']) {
      expect(rep).toHaveProperty(k);
    }
    expect(rep.ok).toBe(false); // one expect fails on purpose
    expect(rep.steps).toBe(20);
  });

  it('machine and policies use the language spellings (shmem_thp, owner_exit, tlb_flush)', () => {
    const built = Runner.fromSource('machine ram=64M shmem_thp=advise\npolicy owner_exit=unmap tlb_flush=sharers\nspawn a\n', 't.msh');
    if (!built.ok) throw new Error('does not parse');
    built.runner.runToEnd();
    const r = buildReport(built.runner) as unknown as { machine: Record<string, unknown>; policies: Record<string, unknown> };
    expect(Object.keys(r.policies).sort()).toEqual([...POLICY_KEYS].sort());
    expect(r.policies).toMatchObject({ owner_exit: 'unmap', tlb_flush: 'sharers' });
    for (const k of Object.keys(r.machine)) expect(MACHINE_KEYS).toContain(k);
    expect(r.machine).toMatchObject({ ram: 65536, shmem_thp: 'advise' });
  });

  it('meminfo prints every field expect meminfo.F accepts, and expect reads the same values', () => {
    // Once SecPageTables was printed but refused by expect, and HugePages_Free the reverse.
    const src = 'spawn a\na: mmap auto 4M rw shared,anon,hugetlb as h\na: touch h 4M write\na: mmap auto 1M rw private,anon as p\na: touch p 1M write\n';
    const run = (text: string) => {
      const built = Runner.fromSource(text, 't.msh');
      if (!built.ok) throw new Error(built.errors.map((e) => e.message).join('; '));
      built.runner.runToEnd();
      return buildReport(built.runner);
    };
    const mi = run(src).meminfo as Record<string, number>;
    expect(mi.HugePages_Total).toBe(2);
    expect(mi.Hugepagesize).toBe(2048);
    expect(mi.HugePages_Surp).toBe(2); // every pool page is a surplus page (nr_hugepages 0)
    const pages = new Set(Object.keys(MEMINFO_UNITS).filter((f) => MEMINFO_UNITS[f as keyof typeof MEMINFO_UNITS] === 'pages'));
    const expects = Object.entries(mi).map(([f, v]) => `expect meminfo.${f} == ${pages.has(f) ? v : `${v}K`}`);
    const checked = run(src + expects.join('\n') + '\n');
    expect(checked.failures).toEqual([]);
    expect(Object.keys(mi)).toEqual([...MEMINFO_FIELDS]);
  });

  it('meminfo in kB', () => {
    for (const k of ['MemTotal', 'MemFree', 'AnonPages', 'Shmem', 'PageTables']) expect(typeof rep.meminfo[k]).toBe('number');
    expect(rep.meminfo.MemTotal).toBe(262144 - 1024); // 256 MiB less the 1 MiB boot reservation
    expect(rep.meminfo.Shmem).toBe(65536);
    expect(rep.meminfo.AnonPages).toBe(0);
    // PGDs of db0, db1 and the host mm, and the host's 136 kB.
    expect(rep.meminfo.PageTables).toBe(148);
    expect(rep.meminfo.MemFree).toBeLessThan(rep.meminfo.MemTotal);
  });

  it('processes: pid, name, state, signal, mm, status in kB, maps', () => {
    const [db0, db1, gone] = rep.processes;
    expect(db0).toMatchObject({ pid: 1, name: 'db0', state: 'running', signal: null });
    expect(typeof db0.mm).toBe('number');
    expect(db0.status).toMatchObject({ VmSize: 536870912, VmRSS: 0, RssAnon: 0, RssFile: 0, RssShmem: 0, VmPTE: 0 });
    expect(Object.keys(db0.status).slice(0, 6)).toEqual(['VmSize', 'VmRSS', 'RssAnon', 'RssFile', 'RssShmem', 'VmPTE']);
    expect(db0.maps).toHaveLength(1);
    expect(db0.maps[0]).toMatchObject({
      start: '0x10000000000', end: '0x18000000000', perms: 'rw-s', label: 'sga', mshare: '/sys/fs/mshare/sga',
    });
    expect(db1).toMatchObject({ pid: 2, name: 'db1', state: 'running' });
    // A dead task: state, signal, no mm, nothing mapped.
    expect(gone).toMatchObject({ name: 'gone', state: 'killed', signal: 'SIGSEGV', mm: null, maps: [] });
    expect(gone.status.VmRSS).toBe(0);
  });

  it('maps of a plain process: mshare is null, addresses are hex', () => {
    const r = report('spawn a\na: mmap 0x40000000 8K rw private,anon as heap\na: mmap 0x50000000 4K r shared,anon\n');
    const maps = r.processes[0].maps;
    expect(maps.map((m) => [m.start, m.end, m.perms, m.label, m.mshare])).toEqual([
      ['0x40000000', '0x40002000', 'rw-p', 'heap', null],
      ['0x50000000', '0x50001000', 'r--s', null, null],
    ]);
  });

  it('mshare: path, start as hex, size in bytes, owner, sharers, host VmRSS/VmPTE in kB', () => {
    expect(rep.mshare).toHaveLength(1);
    const m = rep.mshare[0];
    expect(m).toMatchObject({
      path: '/sys/fs/mshare/sga', start: '0x10000000000', size: 549755813888, owner: 1, sharers: 2,
      host: { VmRSS: 65536, VmPTE: 136 },
    });
    expect(m.start).toMatch(HEX);
  });

  it('cgroups: name, current and pagetables in kB (the root cgroup is not listed)', () => {
    // 64 MiB of shmem, the host's 136 kB of tables and its PGD: 65676 kB, as in SCENARIO.md.
    expect(rep.cgroups).toEqual([expect.objectContaining({ name: 'db', current: 65676, pagetables: 140 })]);
  });

  it('tlb: hits, misses, flushes, shootdowns', () => {
    for (const k of ['hits', 'misses', 'flushes', 'shootdowns']) expect(Number.isInteger(rep.tlb[k])).toBe(true);
    expect(rep.tlb.misses).toBeGreaterThan(16384);
  });

  it('failures: line, text, message', () => {
    expect(rep.failures).toEqual([expect.objectContaining({ line: 17, text: 'expect db1.VmPTE == 4K', message: 'db1.VmPTE is 0 kB' })]);
  });

  it('errors: line, command, errno; signals and details as extra fields', () => {
    expect(rep.errors.map((e) => [e.line, e.command, e.errno, e.signal])).toEqual([
      [16, 'db1: mprotect sga 4K r', 'EINVAL', null],
      [19, 'gone: read 0x1000', null, 'SIGSEGV'],
    ]);
    expect(typeof rep.errors[0].detail).toBe('string');
  });

  it('extra fields: digest, oom_kills, lock_inversions, trace_counts', () => {
    expect(rep.digest).toMatch(/^[0-9a-f]{8}$/);
    expect(rep.oom_kills).toBe(0);
    expect(rep.lock_inversions).toEqual([]);
    expect((rep.trace_counts as Record<string, number>).fault).toBeGreaterThan(0);
  });

  it('ok is true when every expect held', () => {
    expect(report('spawn a\nexpect a running\n').ok).toBe(true);
  });
});

describe('text report', () => {
  it('has meminfo, one line per task, the regions, failed expects and errors', () => {
    const r = Runner.fromSource(SRC, 'r.msh');
    if (!r.ok) throw new Error('parse');
    r.runner.runToEnd();
    const text = textReport(buildReport(r.runner), 'r.msh');
    expect(text).toMatch(/^PageTables: +148 kB$/m);
    expect(text).toMatch(/^ +1 +db0 +running +0 kB +0 kB$/m);
    expect(text).toMatch(/^ +3 +gone +killed SIGSEGV/m);
    expect(text).toContain('/sys/fs/mshare/sga  start 0x10000000000 size 549755813888 owner 1 sharers 2  host VmRSS 65536 kB VmPTE 136 kB');
    expect(text).toContain('r.msh:17: expect db1.VmPTE == 4K: db1.VmPTE is 0 kB');
    expect(text).toContain('r.msh:16: db1: mprotect sga 4K r -> EINVAL');
    expect(text).toContain('r.msh:19: gone: read 0x1000 -> SIGSEGV');
  });
});

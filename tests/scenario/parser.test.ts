import { describe, expect, it } from 'vitest';
import { instantiate, type Command } from '../../src/scenario/ast';
import {
  MAX_EXPANDED_COMMANDS, MAX_LINE_LENGTH, MAX_LINES, MAX_SCRIPT_CHARS,
} from '../../src/scenario/constants';
import { formatError, parseScript, repeatBody } from '../../src/scenario/parser';
import { errors, one, strip } from './helpers';
import { printScript } from '../../src/scenario/printer';

const K = 1024;
const M = K * K;
const G = K * M;
const RW = { r: true, w: true, x: false };
const lbl = (label: string, offset = 0) => ({ kind: 'label', label, offset });
const num = (value: number) => ({ kind: 'num', value });

describe('every command form', () => {
  const cases: [string, unknown][] = [
    ['machine', { kind: 'machine', options: {} }],
    ['machine ram=256M cpus=2 tlb=64 pcid=on levels=4 mshare=2024', {
      kind: 'machine', options: { ram: 256 * M, cpus: 2, tlb: 64, pcid: true, levels: 4, mshare: '2024' },
    }],
    ['machine ram=4G cpus=64 tlb=4096 pcid=off levels=5 mshare=2025', {
      kind: 'machine', options: { ram: 4 * G, cpus: 64, tlb: 4096, pcid: false, levels: 5, mshare: '2025' },
    }],
    ['machine ram=16M cpus=1 tlb=8', { kind: 'machine', options: { ram: 16 * M, cpus: 1, tlb: 8 } }],
    ['machine pcid=on pti=on', { kind: 'machine', options: { pcid: true, pti: true } }],
    ['machine pti=off', { kind: 'machine', options: { pti: false } }],
    ['machine shmem_thp=always', { kind: 'machine', options: { shmem_thp: 'always' } }],
    ['machine shmem_thp=advise', { kind: 'machine', options: { shmem_thp: 'advise' } }],
    ['policy charge=faulter owner_exit=keep mprotect=global tlb_flush=all', {
      kind: 'policy', settings: { charge: 'faulter', owner_exit: 'keep', mprotect: 'global', tlb_flush: 'all' },
    }],
    ['policy charge=owner owner_exit=unmap mprotect=einval tlb_flush=sharers', {
      kind: 'policy', settings: { charge: 'owner', owner_exit: 'unmap', mprotect: 'einval', tlb_flush: 'sharers' },
    }],
    ['spawn db0', { kind: 'spawn', name: 'db0' }],
    ['spawn pg-worker.1', { kind: 'spawn', name: 'pg-worker.1' }],
    ['db0: fork', { kind: 'fork', task: 'db0' }],
    ['db0: fork as db1', { kind: 'fork', task: 'db0', child: 'db1' }],
    ['db0: thread', { kind: 'thread', task: 'db0' }],
    ['db0: thread as t1', { kind: 'thread', task: 'db0', child: 't1' }],
    ['db0: exit', { kind: 'exit', task: 'db0' }],
    ['db0: mmap auto 64M rw private,anon', {
      kind: 'mmap', task: 'db0', addr: { kind: 'auto' }, size: 64 * M, prot: RW, flags: ['private', 'anon'],
    }],
    ['db0: mmap 0x10000000000 512G rw shared fd=3 as sga', {
      kind: 'mmap', task: 'db0', addr: num(2 ** 40), size: 512 * G, prot: RW, flags: ['shared'],
      fd: num(3), label: 'sga',
    }],
    ['db0: mmap auto 2M r shared file=/dev/shm/a off=4K', {
      kind: 'mmap', task: 'db0', addr: { kind: 'auto' }, size: 2 * M, prot: { r: true, w: false, x: false },
      flags: ['shared'], file: '/dev/shm/a', off: 4 * K,
    }],
    ['db0: mmap heap+8K 4K none fixed,private,anon,populate,hugetlb,noreserve fd=f', {
      kind: 'mmap', task: 'db0', addr: lbl('heap', 8 * K), size: 4 * K, prot: { r: false, w: false, x: false },
      flags: ['fixed', 'private', 'anon', 'populate', 'hugetlb', 'noreserve'], fd: { kind: 'name', name: 'f' },
    }],
    ['db0: munmap sga 4K', { kind: 'munmap', task: 'db0', addr: lbl('sga'), size: 4 * K }],
    ['db0: mprotect sga 4K xr', { kind: 'mprotect', task: 'db0', addr: lbl('sga'), size: 4 * K, prot: { r: true, w: false, x: true } }],
    ['db0: madvise sga 1M dontneed', { kind: 'madvise', task: 'db0', addr: lbl('sga'), size: M, advice: 'dontneed' }],
    ['db0: madvise sga 2M hugepage', { kind: 'madvise', task: 'db0', addr: lbl('sga'), size: 2 * M, advice: 'hugepage' }],
    ['db0: madvise sga 2M nohugepage', { kind: 'madvise', task: 'db0', addr: lbl('sga'), size: 2 * M, advice: 'nohugepage' }],
    ['db0: read sga', { kind: 'read', task: 'db0', addr: lbl('sga') }],
    ['db0: read 0x1000 8', { kind: 'read', task: 'db0', addr: num(0x1000), size: 8 }],
    ['db0: write sga+0x10 0xdead_beef', { kind: 'write', task: 'db0', addr: lbl('sga', 16), value: num(0xdeadbeef) }],
    ['db0: write sga "a \\"b\\" \\\\ \\n # c"', {
      kind: 'write', task: 'db0', addr: lbl('sga'), value: { kind: 'str', value: 'a "b" \\ \n # c' },
    }],
    ['db0: touch sga 2M read', { kind: 'touch', task: 'db0', addr: lbl('sga'), size: 2 * M, access: 'read' }],
    ['db0: touch sga 2M write', { kind: 'touch', task: 'db0', addr: lbl('sga'), size: 2 * M, access: 'write' }],
    ['db0: run', { kind: 'run', task: 'db0' }],
    ['db0: run cpu=63', { kind: 'run', task: 'db0', cpu: 63 }],
    ['file /tmp/data 64M', { kind: 'file', path: '/tmp/data', size: 64 * M }],
    ['cgroup db', { kind: 'cgroup', name: 'db' }],
    ['cgroup db limit=1G', { kind: 'cgroup', name: 'db', limit: G }],
    ['db0: join db', { kind: 'join', task: 'db0', cgroup: 'db' }],
    ['mount msharefs', { kind: 'mount', fs: 'msharefs', path: '/sys/fs/mshare' }],
    ['mount msharefs /mnt/ms', { kind: 'mount', fs: 'msharefs', path: '/mnt/ms' }],
    ['db0: open /sys/fs/mshare/sga', { kind: 'open', task: 'db0', path: '/sys/fs/mshare/sga', create: false }],
    ['db0: open /sys/fs/mshare/sga create as sga', {
      kind: 'open', task: 'db0', path: '/sys/fs/mshare/sga', create: true, fd: { kind: 'name', name: 'sga' },
    }],
    ['db0: open /x as 7 create', { kind: 'open', task: 'db0', path: '/x', create: true, fd: num(7) }],
    ['db0: close 3', { kind: 'close', task: 'db0', fd: num(3) }],
    ['db0: ftruncate f 512G', { kind: 'ftruncate', task: 'db0', fd: { kind: 'name', name: 'f' }, size: 512 * G }],
    ['db0: ioctl f create_mapping 0 1G rw', {
      kind: 'ioctl_create_mapping', task: 'db0', fd: { kind: 'name', name: 'f' }, offset: 0, size: G, prot: RW, hugetlb: false,
    }],
    ['db0: ioctl 4 create_mapping 1G 2M rw hugetlb file=/tmp/data', {
      kind: 'ioctl_create_mapping', task: 'db0', fd: num(4), offset: G, size: 2 * M, prot: RW, hugetlb: true, file: '/tmp/data',
    }],
    ['db0: ioctl 4 unmap 0 1G', { kind: 'ioctl_unmap', task: 'db0', fd: num(4), offset: 0, size: G }],
    ['db0: mshare_info 3', { kind: 'mshare_info', task: 'db0', fd: num(3) }],
    ['unlink /sys/fs/mshare/sga', { kind: 'unlink', path: '/sys/fs/mshare/sga' }],
    ['db0: gup sga 4K', { kind: 'gup', task: 'db0', addr: lbl('sga'), size: 4 * K, write: false }],
    ['db0: gup sga 4K write', { kind: 'gup', task: 'db0', addr: lbl('sga'), size: 4 * K, write: true }],
    ['db0: unpin sga 4K', { kind: 'unpin', task: 'db0', addr: lbl('sga'), size: 4 * K }],
    ['db0: uffd register sga 2M', { kind: 'uffd_register', task: 'db0', addr: lbl('sga'), size: 2 * M, mode: 'missing' }],
    ['db0: uffd register sga 2M wp', { kind: 'uffd_register', task: 'db0', addr: lbl('sga'), size: 2 * M, mode: 'wp' }],
    ['db0: uffd copy sga 7', { kind: 'uffd_copy', task: 'db0', addr: lbl('sga'), value: num(7) }],
    ['db0: uffd copy sga "x"', { kind: 'uffd_copy', task: 'db0', addr: lbl('sga'), value: { kind: 'str', value: 'x' } }],
    ['repeat 1500: spawn db{i}', { kind: 'repeat', count: 1500, body: { kind: 'spawn', name: 'db{i}' } }],
    ['repeat 3 : db{i}: mmap auto 4K rw shared,anon as m{i}', {
      kind: 'repeat', count: 3, body: {
        kind: 'mmap', task: 'db{i}', addr: { kind: 'auto' }, size: 4 * K, prot: RW, flags: ['shared', 'anon'], label: 'm{i}',
      },
    }],
    ['repeat 2:db{i}:exit', { kind: 'repeat', count: 2, body: { kind: 'exit', task: 'db{i}' } }],
    ['repeat 2 :note step {i}', { kind: 'repeat', count: 2, body: { kind: 'note', caption: 'step {i}' } }],
    ['note The   SGA is\tmapped', { kind: 'note', caption: 'The   SGA is\tmapped' }],
    ['note "a # in a note"', { kind: 'note', caption: 'a # in a note' }],
    ['note says "hi" # comment', { kind: 'note', caption: 'says "hi"' }],
    ['## Setup: 100 sharers', { kind: 'chapter', title: 'Setup: 100 sharers' }],
    ['db0:exit', { kind: 'exit', task: 'db0' }],
  ];
  for (const [src, ast] of cases) {
    it(src, () => expect(one(src)).toEqual(ast));
  }

  it('reads 5-level and kernel addresses that a double holds exactly', () => {
    expect(one('a: read 0xff00000000000000')).toMatchObject({ addr: num(0xff00000000000000) });
    expect(one('a: read 0x00ff_ffff_ffff_f000')).toMatchObject({ addr: num(2 ** 56 - 4096) });
  });

  it('reads number forms', () => {
    expect(one('a: read 1_048_576')).toMatchObject({ addr: num(M) });
    expect(one('a: read 0X1F')).toMatchObject({ addr: num(31) });
    expect(one('a: read 1T 512G')).toMatchObject({ addr: num(2 ** 40), size: 2 ** 39 });
    expect(one('a: read 0x10K')).toMatchObject({ addr: num(16 * K) });
    expect(one('a: mmap auto 128T rw private')).toMatchObject({ size: 2 ** 47 });
  });
});

describe('every expect form', () => {
  const cases: [string, unknown][] = [
    ['expect db1.VmPTE == 136K', { kind: 'status', task: 'db1', field: 'VmPTE', op: '==', value: 136 * K }],
    ['expect db.1.RssShmem != 0', { kind: 'status', task: 'db.1', field: 'RssShmem', op: '!=', value: 0 }],
    ['expect a.VmSize < 1G', { kind: 'status', task: 'a', field: 'VmSize', op: '<', value: G }],
    ['expect a.VmRSS <= 1G', { kind: 'status', task: 'a', field: 'VmRSS', op: '<=', value: G }],
    ['expect a.RssAnon > 1G', { kind: 'status', task: 'a', field: 'RssAnon', op: '>', value: G }],
    ['expect a.RssFile >= 1G', { kind: 'status', task: 'a', field: 'RssFile', op: '>=', value: G }],
    ['expect a.VmPin == 4K', { kind: 'status', task: 'a', field: 'VmPin', op: '==', value: 4 * K }],
    ['expect a.HugetlbPages == 2M', { kind: 'status', task: 'a', field: 'HugetlbPages', op: '==', value: 2 * M }],
    ['expect meminfo.PageTables < 2M', { kind: 'meminfo', field: 'PageTables', op: '<', value: 2 * M }],
    ['expect meminfo.HugePages_Free == 3', { kind: 'meminfo', field: 'HugePages_Free', op: '==', value: 3 }],
    ['expect db1 killed SIGSEGV', { kind: 'state', task: 'db1', state: 'killed', signal: 'SIGSEGV' }],
    ['expect db1 killed', { kind: 'state', task: 'db1', state: 'killed' }],
    ['expect db1 running', { kind: 'state', task: 'db1', state: 'running' }],
    ['expect db1 exited', { kind: 'state', task: 'db1', state: 'exited' }],
    ['expect db1 blocked', { kind: 'state', task: 'db1', state: 'blocked' }],
    ['expect db.1 killed SIGBUS', { kind: 'state', task: 'db.1', state: 'killed', signal: 'SIGBUS' }],
    ['expect last == EINVAL', { kind: 'last', op: '==', value: { kind: 'errno', name: 'EINVAL' } }],
    ['expect last != ENOMEM', { kind: 'last', op: '!=', value: { kind: 'errno', name: 'ENOMEM' } }],
    ['expect last == SIGKILL', { kind: 'last', op: '==', value: { kind: 'signal', name: 'SIGKILL' } }],
    ['expect last >= 4K', { kind: 'last', op: '>=', value: num(4 * K) }],
    ['expect last.start == 0x10000000000', { kind: 'last', field: 'start', op: '==', value: num(2 ** 40) }],
    ['expect last.size == 512G', { kind: 'last', field: 'size', op: '==', value: num(512 * G) }],
    ['expect last.value == "hello"', { kind: 'last', field: 'value', op: '==', value: { kind: 'str', value: 'hello' } }],
    ['expect last.addr > 0', { kind: 'last', field: 'addr', op: '>', value: num(0) }],
    ['expect same-page a:heap b:heap+4K', {
      kind: 'page', same: true, a: { task: 'a', addr: lbl('heap') }, b: { task: 'b', addr: lbl('heap', 4 * K) },
    }],
    ['expect different-page a:0x1000 b.1:heap', {
      kind: 'page', same: false, a: { task: 'a', addr: num(0x1000) }, b: { task: 'b.1', addr: lbl('heap') },
    }],
    ['expect cgroup.db.pagetables == 8K', { kind: 'cgroup', name: 'db', field: 'pagetables', op: '==', value: 8 * K }],
    ['expect cgroup.a.b.current > 1M', { kind: 'cgroup', name: 'a.b', field: 'current', op: '>', value: M }],
    ['expect mshare./sys/fs/mshare/sga.sharers == 100', {
      kind: 'mshare', path: '/sys/fs/mshare/sga', field: 'sharers', op: '==', value: 100,
    }],
    ['expect mshare./sys/fs/mshare/sga.v2.rss == 64M', {
      kind: 'mshare', path: '/sys/fs/mshare/sga.v2', field: 'rss', op: '==', value: 64 * M,
    }],
    ['expect mshare./m/x.pte < 136K', { kind: 'mshare', path: '/m/x', field: 'pte', op: '<', value: 136 * K }],
    ['repeat 9: expect db{i}.VmPTE == 0', {
      kind: 'repeat', count: 9, body: { kind: 'expect', expr: { kind: 'status', task: 'db{i}', field: 'VmPTE', op: '==', value: 0 } },
    }],
  ];
  for (const [src, expr] of cases) {
    it(src, () => {
      const c = one(src) as { kind: string; expr?: unknown };
      expect(c.kind === 'repeat' ? c : c.expr).toEqual(expr);
    });
  }
});

describe('positions, text, chapters', () => {
  it('records 1-based line and col, and the trimmed source without its comment', () => {
    const r = parseScript('# header\n\n  spawn a   # first\n## Part 2\n\trepeat 2:  a: exit\n');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const [spawn, chapter, rep] = r.script.commands;
    expect(spawn).toMatchObject({ line: 3, col: 3, text: 'spawn a' });
    expect(chapter).toMatchObject({ kind: 'chapter', line: 4, col: 1, text: '## Part 2', title: 'Part 2' });
    expect(rep).toMatchObject({ line: 5, col: 2, text: 'repeat 2:  a: exit' });
    expect(rep.kind === 'repeat' && rep.body).toMatchObject({ line: 5, col: 13, text: 'a: exit' });
    expect(r.script.chapters).toEqual([{ title: 'Part 2', line: 4, index: 1 }]);
  });

  it('accepts CRLF line ends and an empty script', () => {
    const r = parseScript('spawn a\r\na: exit\r\n');
    expect(r.ok && r.script.commands.map(strip)).toEqual([
      { kind: 'spawn', name: 'a' }, { kind: 'exit', task: 'a' },
    ]);
    expect(parseScript('')).toEqual({ ok: true, script: { commands: [], chapters: [] } });
  });

  it('a carriage return inside a line (classic Mac line endings) is an error at its column, not one long line', () => {
    expect(errors('spawn a\rspawn b\r')).toEqual(['t.msh:1:8: a carriage return (\\r) inside a line: lines must end with \\n or \\r\\n (old Mac line endings?)']);
    expect(errors('spawn a \r  \nspawn b\r')).toEqual([]); // trailing \r and blanks are fine
  });

  it('treats `#`, `###`, `##x` and a bare `##` as comments and `#` inside a string as text', () => {
    expect(errors('#\n### x\n##x\n  # y\n##\n  ##  \t')).toEqual([]);
    expect(one('a: write x "#"')).toMatchObject({ value: { kind: 'str', value: '#' } });
  });

  it('strips a trailing comment from a chapter title, as from a note (README writes one)', () => {
    const r = parseScript('## mshare basics    # a chapter (a heading in the timeline)\nspawn a\n');
    expect(r.ok && r.script.chapters).toEqual([{ title: 'mshare basics', line: 1, index: 0 }]);
    expect(r.ok && r.script.commands[0]).toMatchObject({ text: '## mshare basics', title: 'mshare basics' });
    expect(one('## Step  2: the "fork"\t# why')).toEqual({ kind: 'chapter', title: 'Step  2: the "fork"' });
    // A title that needs a `#` is one quoted string, as a note's text.
    expect(one('## "Step #2"  # comment')).toEqual({ kind: 'chapter', title: 'Step #2' });
    // Only a comment after `## `: a comment line, as a bare `##` is.
    expect(errors('## # separator\n## ""\n')).toEqual([]);
    expect(parseScript('## # separator\n').ok && parseScript('## # separator\n')).toMatchObject({ script: { chapters: [] } });
    // Otherwise a title is prose, quotes and all, never an error.
    expect(one('## The 5" floppy # and a comment')).toEqual({ kind: 'chapter', title: 'The 5" floppy' });
    expect(one('## <img src=x onerror="a#b"> # c')).toEqual({ kind: 'chapter', title: '<img src=x onerror="a#b">' });
  });

  it('allows chapters and notes before machine', () => {
    expect(errors('## Intro\nnote hello\nmachine ram=64M\nspawn a')).toEqual([]);
  });

  it('keeps repeat 100000 as one node, and instantiate substitutes {i}', () => {
    const r = parseScript('repeat 100000: db{i}: open /sys/fs/mshare/s{i} as f{i}');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.script.commands).toHaveLength(1);
    const cmd = r.script.commands[0];
    const got = instantiate(cmd, 42);
    expect(got).toEqual({
      kind: 'open', line: 1, col: 16, text: 'db42: open /sys/fs/mshare/s42 as f42',
      task: 'db42', path: '/sys/fs/mshare/s42', create: false, fd: { kind: 'name', name: 'f42' },
    });
    expect(cmd.kind === 'repeat' && cmd.body.kind === 'open' && cmd.body.task).toBe('db{i}'); // untouched
  });

  it('instantiate reaches strings, notes and expect operands', () => {
    const body = (src: string, i: number): unknown => strip(instantiate(parseOne(src), i));
    expect(body('repeat 3: a: write x "v{i}"', 3)).toMatchObject({ value: { kind: 'str', value: 'v3' } });
    expect(body('repeat 3: note n{i}{i}', 2)).toEqual({ kind: 'note', caption: 'n22' });
    expect(body('repeat 3: expect same-page a{i}:h{i} b:h', 1)).toEqual({
      kind: 'expect', expr: { kind: 'page', same: true, a: { task: 'a1', addr: lbl('h1') }, b: { task: 'b', addr: lbl('h') } },
    });
    expect(body('repeat 3: expect mshare./m/r{i}.sharers == 1', 7)).toMatchObject({ expr: { path: '/m/r7' } });
    expect(body('spawn a', 5)).toEqual({ kind: 'spawn', name: 'a' });
  });

  it('{i} in a number: the body is parsed per iteration from its text (SCENARIO.md: {i} is replaced by 1..N)', () => {
    const cmd = parseOne('repeat 16: a: write p+{i}K {i} # one byte per KiB');
    expect(cmd.kind === 'repeat' && cmd.template !== undefined).toBe(true);
    expect(strip(repeatBody(cmd, 12))).toEqual({
      kind: 'write', task: 'a', addr: { kind: 'label', label: 'p', offset: 12 * K }, value: { kind: 'num', value: 12 },
    });
    expect(repeatBody(cmd, 12).text).toBe('a: write p+12K 12');
    expect(strip(repeatBody(parseOne('repeat 2: a: read 0x{i}000'), 2))).toMatchObject({ addr: { kind: 'num', value: 0x2000 } });
    // Names still substitute, numbers or not, and the printer gives the text back.
    expect(strip(repeatBody(parseOne('repeat 3: db{i}: mmap auto {i}M rw private as m{i}'), 3))).toMatchObject({ task: 'db3', size: 3 * M, label: 'm3' });
    const printed = parseScript('repeat 16: a: write p+{i}K {i}');
    expect(printed.ok && printScript(printed.script)).toBe('repeat 16: a: write p+{i}K {i}\n');
  });

  it('collects every error, one per line, in order', () => {
    expect(errors('mmapp\nspawn a\nspawn 1\nfoo bar')).toEqual([
      "t.msh:1:1: unknown verb 'mmapp' (did you mean 'mmap'?)",
      "t.msh:3:7: task name '1': expected an ASCII letter or '_' followed by letters, digits, '_', '.' or '-'",
      "t.msh:4:1: unknown verb 'foo'",
    ]);
  });

  it('formats errors as FILE:LINE:COL: message, with <script> as the default file', () => {
    expect(formatError({ file: 'a.msh', line: 2, col: 5, message: 'm' })).toBe('a.msh:2:5: m');
    const r = parseScript('bogus');
    expect(!r.ok && formatError(r.errors[0])).toBe("<script>:1:1: unknown verb 'bogus'");
  });
});

function parseOne(src: string): Command {
  const r = parseScript(src);
  if (!r.ok) throw new Error(r.errors.map(formatError).join('\n'));
  return r.script.commands[0];
}

describe('error messages: text and position', () => {
  // [source line, "COL: message"] — every line is line 1 of its own script.
  const cases: [string, string][] = [
    // lexical: strings
    ['a: write x ab"c"', `14: unexpected '"' inside a word`],
    ['a: write x "ab"c', `16: expected a space after the closing '"'`],
    ['a: write x "a\\tb"', `14: unknown escape '\\t' in string (use \\", \\\\ or \\n)`],
    ['a: write x "abc', '12: unterminated string'],
    ['a: write x "abc\\', '12: unterminated string'],
    // lexical: numbers
    ['a: mmap auto 64Q rw private', "14: size '64Q': expected K, M, G or T"],
    ['a: mmap auto 64KiB rw private', "14: size '64KiB': expected K, M, G or T"],
    ['a: mmap auto 64m rw private', "14: size '64m': expected K, M, G or T (suffixes are upper case)"],
    ['a: mmap auto 1.5M rw private', "14: size '1.5M': expected a whole number"],
    ['a: mmap auto 0x rw private', "14: size '0x': expected hex digits after '0x'"],
    ['a: mmap auto 1__0 rw private', "14: size '1__0': '_' must sit between two digits"],
    ['a: mmap auto 4K_ rw private', "14: size '4K_': expected K, M, G or T"],
    ['a: mmap auto 256T rw private', "14: size '256T' is too large (at most 128T)"],
    ['a: mmap auto big rw private', "14: size 'big': expected a number such as 4096, 0x1000 or 64M"],
    ['a: read 0x1_0000_0000_0000_0000', "9: address '0x1_0000_0000_0000_0000' is too large (at most 2^64 - 1)"],
    ['a: read 0x20000000000001', "9: address '0x20000000000001' cannot be held exactly (more than 53 significant bits)"],
    ['a: write x 0x20000000000000', "12: value '0x20000000000000' is too large (at most 9007199254740991)"],
    ['a: read 0x{i}000', "9: address '0x{i}000': '{i}' in a number is only allowed inside a repeat body"],
    ['repeat 3: a: write p+{i}Q 1', "22: with {i}=3: offset '3Q': expected K, M, G or T"],
    ['repeat 20: a: mmap auto {i}0000T rw private', "25: with {i}=20: size '200000T' is too large (at most 128T)"],
    ['a: close 2000000', "10: descriptor '2000000' is too large (at most 1048576)"],
    // lexical: names, paths, addresses, prot, flags
    ['spawn db{i}', "9: '{i}' is only allowed inside a repeat body"],
    ['repeat 2: spawn {i}db', "17: task name '{i}db' cannot start with '{i}' (put a letter first, as in db{i})"],
    ['spawn 1db', "7: task name '1db': expected an ASCII letter or '_' followed by letters, digits, '_', '.' or '-'"],
    ['spawn last', "7: task name 'last' is reserved (expect uses it)"],
    ['a: mmap auto 4K rw private as a.b', "31: label 'a.b': expected an ASCII letter or '_' followed by letters, digits or '_'"],
    ['a: mmap auto 4K rw private as auto', "31: label 'auto' is reserved (it means: let the kernel choose the address)"],
    ['file tmp/x 4K', "6: path 'tmp/x': expected an absolute path starting with '/'"],
    ['a: munmap auto 4K', "11: address 'auto' is only allowed in mmap"],
    ['a: munmap -4K 4K', "11: address '-4K': expected a number, a label or LABEL+OFFSET"],
    ['a: munmap sga+ 4K', "15: address 'sga+': expected an offset after '+'"],
    ['a: munmap sga+8Q 4K', "15: offset '8Q': expected K, M, G or T"],
    ['a: mprotect x 4K rwz', "18: prot 'rwz': expected a string of r, w, x or 'none'"],
    ['a: mprotect x 4K rwr', "18: prot 'rwr': 'r' given twice"],
    ['a: mmap auto 4K rw shared,,anon', "27: flags 'shared,,anon': empty flag between commas"],
    ['a: mmap auto 4K rw private,shard', "28: unknown flag 'shard' (did you mean 'shared'?)"],
    ['a: mmap auto 4K rw private,zzz', "28: unknown flag 'zzz'"],
    ['a: mmap auto 4K rw anon,anon', "25: flag 'anon' given twice"],
    // script limits
    ['x'.repeat(MAX_LINE_LENGTH + 1), `${MAX_LINE_LENGTH + 1}: line is too long: ${MAX_LINE_LENGTH + 1} characters (at most ${MAX_LINE_LENGTH})`],
    // line structure
    ['"spawn" a', '1: expected a command, not a string'],
    [': exit', "1: expected a task name before ':'"],
    ['a:', "3: expected a verb after 'a:'"],
    ['a: "exit"', '4: expected a verb, not a string'],
    ['a exit', "2: expected ':' after task name 'a'"],
    ['a: exti', "4: unknown verb 'exti' (did you mean 'exit'?)"],
    ['mmapp a', "1: unknown verb 'mmapp' (did you mean 'mmap'?)"],
    ['a: spawn b', "1: spawn is a global command: remove the 'a:' prefix"],
    ['  mmap auto 4K rw private', "3: mmap: expected a task prefix, as in 'NAME: mmap ...'"],
    // arguments
    ['a: mmap', '8: mmap: expected ADDR'],
    ['a: mmap auto', '13: mmap: expected SIZE after ADDR'],
    ['a: mmap auto 4K', '16: mmap: expected PROT after SIZE'],
    ['a: mmap auto 4K rw', '19: mmap: expected FLAGS after PROT'],
    ['a: mmap auto 4K rw fd=3', "20: mmap: expected FLAGS after PROT, got 'fd=3'"],
    ['a: munmap x "4K"', '13: munmap: expected SIZE, not a string'],
    ['a: munmap x 4K 5', "16: munmap: unexpected argument '5'"],
    ['a: exit now', "9: exit: unexpected argument 'now'"],
    ['a: madvise x 4K dontned', "17: madvise: unknown advice 'dontned' (did you mean 'dontneed'?)"],
    ['a: madvise x 4K free', "17: madvise: unknown advice 'free' (expected dontneed, hugepage or nohugepage)"],
    ['a: touch x 4K rw', "15: touch: unknown access 'rw' (expected read or write)"],
    ['a: touch x 4K', '14: touch: expected read or write after SIZE'],
    ['a: write x', '11: write: expected VALUE after ADDR'],
    ['a: write x abc', `12: write: expected VALUE (a number or "string"), got 'abc'`],
    ['a: uffd reg x 4K', "9: uffd: unknown uffd operation 'reg' (expected register or copy)"],
    ['a: uffd register x 4K missing wp', "31: uffd: 'wp' cannot be combined with 'missing'"],
    ['a: ioctl 3 unmp 0 4K', "12: ioctl: unknown request 'unmp' (did you mean 'unmap'?)"],
    ['a: ioctl 3 create_mapping 0 4K', '31: ioctl: expected PROT after SIZE'],
    ['a: ioctl 3 create_mapping 0 4K rw hugetlb hugetlb', "43: ioctl: 'hugetlb' given twice"],
    ['mount tmpfs', "7: mount: unknown file system 'tmpfs' (expected msharefs)"],
    ['mount msharefs /a /b', "19: mount: unexpected argument '/b'"],
    // options
    ['a: mmap auto 4K rw private off=4K off=8K', "35: mmap: 'off=' given twice"],
    ['a: mmap auto 4K rw private fd=3 file=/x', "33: mmap: 'file=' cannot be combined with 'fd='"],
    ['a: mmap auto 4K rw private fle=/x', "28: mmap: unknown option 'fle' (did you mean 'file'?)"],
    ['a: mmap auto 4K rw private zz=1', "28: mmap: unknown option 'zz' (expected fd, file or off)"],
    ['a: mmap auto 4K rw private a', "28: mmap: unexpected argument 'a' (did you mean 'as'?)"],
    ['a: mmap auto 4K rw private as', "30: mmap: expected LABEL after 'as'"],
    ['a: mmap auto 4K rw private "x"', '28: mmap: unexpected string argument'],
    ['a: open /x creat', "12: open: unexpected argument 'creat' (did you mean 'create'?)"],
    ['a: fork db1', "9: fork: unexpected argument 'db1'"],
    ['a: run cpu=64', "12: cpu '64': expected 0 to 63"],
    ['a: run cpu=x', "12: cpu 'x': expected a number such as 4096, 0x1000 or 64M"],
    ['cgroup db limit=1Q', "17: limit '1Q': expected K, M, G or T"],
    // machine and policy
    ['machine ram=8M', "13: ram '8M': expected 16M to 4G"],
    ['machine ram=8G', "13: ram '8G': expected 16M to 4G"],
    ['machine ram=17M', "13: ram '17M': expected a multiple of 2M"],
    ['machine cpus=0', "14: cpus '0': expected 1 to 64"],
    ['machine cpus=65', "14: cpus '65': expected 1 to 64"],
    ['machine tlb=48', "13: tlb '48': expected a power of two from 8 to 4096"],
    ['machine tlb=8192', "13: tlb '8192': expected a power of two from 8 to 4096"],
    ['machine pcid=yes', "14: pcid 'yes': expected on or off"],
    ['machine pti=1', "13: pti '1': expected on or off"],
    ['machine shmem_thp=madvise', "19: shmem_thp 'madvise': expected never, advise or always (did you mean 'advise'?)"],
    ['machine pti=on pcid=off', '13: pti=on needs pcid=on (without PCIDs every kernel entry flushes the TLB, which the explorer does not model)'],
    ['machine levels=3', "16: levels '3': expected 4 or 5"],
    ['machine mshare=2023', "16: mshare '2023': expected 2024 or 2025"],
    ['machine rma=1G', "9: machine: unknown option 'rma' (did you mean 'ram'?)"],
    ['machine 256M', "9: machine: unexpected argument '256M'"],
    ['machine ram=64M ram=64M', "17: machine: 'ram=' given twice"],
    ['policy', '7: policy: expected KEY=VALUE'],
    ['policy charge=faultr', "15: charge 'faultr': expected faulter or owner (did you mean 'faulter'?)"],
    ['policy owner_exit=keep tlb_flush=some', "34: tlb_flush 'some': expected all or sharers"],
    ['policy tlbflush=all', "8: policy: unknown option 'tlbflush' (did you mean 'tlb_flush'?)"],
    // repeat and note
    ['repeat 0: spawn x', "8: repeat count '0': expected 1 to 100000"],
    ['repeat 100001: spawn x', "8: repeat count '100001': expected 1 to 100000"],
    ['repeat', '7: repeat: expected COUNT'],
    ['repeat 5 spawn x', "10: repeat: expected ':' after the count"],
    ['repeat 5', "9: repeat: expected ':' after the count"],
    ['repeat 5:', "10: repeat: expected a COMMAND after ':'"],
    ['repeat 5:  # nothing', "10: repeat: expected a COMMAND after ':'"],
    ['repeat 5: repeat 2: spawn y', '11: nested repeat is not allowed'],
    ['repeat 5: machine', '11: machine cannot be repeated'],
    ['repeat 5: mmapp', "11: unknown verb 'mmapp' (did you mean 'mmap'?)"],
    ['note', '5: note: expected TEXT'],
    ['note # only a comment', '5: note: expected TEXT'],
    // expect
    ['expect', '7: expect: expected an assertion'],
    ['expect db1.VmPTE==136K', "8: expect: put spaces around the operator in 'db1.VmPTE==136K'"],
    ['expect mshare./m/a.sharers==1', "8: expect: put spaces around the operator in 'mshare./m/a.sharers==1'"],
    ['expect db1.VmPte == 1', "12: unknown status field 'VmPte' (did you mean 'VmPTE'?)"],
    ['expect db1.Foo == 1', "12: unknown status field 'Foo'"],
    ['expect meminfo.PageTable < 1', "16: unknown meminfo field 'PageTable' (did you mean 'PageTables'?)"],
    ['expect meminfo < 1', '8: expect: expected meminfo.FIELD, as in meminfo.PageTables'],
    ['expect cgroup.db == 1', '8: expect: expected cgroup.NAME.FIELD, as in cgroup.db.pagetables'],
    ['expect cgroup.db.pagetable == 1', "18: unknown cgroup field 'pagetable' (did you mean 'pagetables'?)"],
    ['expect cgroup.db.rss == 1', "18: unknown cgroup field 'rss' (expected pagetables or current)"],
    ['expect mshare./sys/fs/mshare/sga == 1', '8: expect: expected mshare.PATH.FIELD, as in mshare./sys/fs/mshare/sga.sharers'],
    ['expect mshare.sga.sharers == 1', "15: path 'sga': expected an absolute path starting with '/'"],
    ['expect mshare./m/sga.sharer == 1', "22: unknown mshare field 'sharer' (did you mean 'sharers'?)"],
    ['expect last.foo == 1', "13: unknown field 'last.foo' (expected start, size, value, addr or text)"],
    ['expect last.adr == 1', "13: unknown field 'last.adr' (did you mean 'addr'?)"],
    ['expect db1', "11: expect: expected a state (running, exited, killed or blocked) after 'db1'"],
    ['expect db1 == 3', "8: expect: expected TASK.FIELD before '==', as in db1.VmRSS"],
    ['expect db1 runing', "12: expect: unknown state 'runing' (did you mean 'running'?)"],
    ['expect db1 killed SIGSEG', "19: unknown signal 'SIGSEG' (did you mean 'SIGSEGV'?)"],
    ['expect db1 killed SIGTERM', "19: unknown signal 'SIGTERM' (expected SIGBUS, SIGKILL or SIGSEGV)"],
    ['expect db1 killed SIGSEGV now', "27: expect: unexpected argument 'now'"],
    ['expect same-page a:x', '21: expect same-page: expected TASK:ADDR'],
    ['expect same-page a b:x', "18: expect same-page: expected TASK:ADDR, got 'a'"],
    ['expect different-page a:x :y', "27: expect different-page: expected TASK:ADDR, got ':y'"],
    ['expect same-page a:auto b:x', "20: address 'auto' is only allowed in mmap"],
    ['expect db1.VmPTE', "17: expect: expected an operator (==, !=, <, <=, > or >=) after 'db1.VmPTE'"],
    ['expect db1.VmPTE = 1', "18: expect: unknown operator '=' (did you mean '=='?)"],
    ['expect db1.VmPTE ~ 1', "18: expect: unknown operator '~' (expected ==, !=, <, <=, > or >=)"],
    ['expect db1.VmPTE ==', "20: expect: expected a value after '=='"],
    ['expect db1.VmPTE == EINVAL', "21: expect: expected a number or size, got 'EINVAL'"],
    ['expect db1.VmPTE == "1"', `21: expect: expected a number or size, got '"1"'`],
    ['expect last < EINVAL', "15: expect: '<' cannot compare with EINVAL; use == or !="],
    ['expect last > "x"', `15: expect: '>' cannot compare with "x"; use == or !=`],
    ['expect last == EINVL', "16: unknown errno 'EINVL' (did you mean 'EINVAL'?)"],
    ['expect last == einval', "16: unknown errno 'einval' (did you mean 'EINVAL'?)"],
    ['expect last == SIGSEV', "16: unknown signal 'SIGSEV' (did you mean 'SIGSEGV'?)"],
    ['expect last == ok', "16: expect: expected a number, size, errno or signal, got 'ok'"],
  ];
  for (const [src, want] of cases) {
    it(`${src.length > 60 ? `${src.slice(0, 40)}...` : src}  ->  ${want}`, () => {
      expect(errors(src)).toEqual([`t.msh:1:${want}`]);
    });
  }

  it('machine must be the first command (chapters and notes may precede it)', () => {
    expect(errors('spawn a\nmachine ram=64M')).toEqual(['t.msh:2:1: machine must be the first command']);
    expect(errors('machine\nmachine')).toEqual(['t.msh:2:1: machine must be the first command']);
    expect(errors('bogus\n  machine')).toEqual([
      "t.msh:1:1: unknown verb 'bogus'",
      't.msh:2:3: machine must be the first command',
    ]);
  });

  it('refuses a script that would run more than MAX_EXPANDED_COMMANDS commands, once', () => {
    const lines = Array.from({ length: MAX_EXPANDED_COMMANDS / 100_000 + 2 }, () => 'repeat 100000: spawn a{i}');
    expect(errors(lines.join('\n'))).toEqual([
      `t.msh:${MAX_EXPANDED_COMMANDS / 100_000 + 1}:1: the script would run more than ${MAX_EXPANDED_COMMANDS} commands`,
    ]);
  });

  it('refuses a script over MAX_SCRIPT_CHARS or MAX_LINES', () => {
    const big = '#'.repeat(MAX_SCRIPT_CHARS + 1);
    expect(errors(big)).toEqual([
      `t.msh:1:1: script is too large: ${MAX_SCRIPT_CHARS + 1} characters (at most ${MAX_SCRIPT_CHARS})`,
    ]);
    // A final newline ends the last line: MAX_LINES newline-terminated lines are allowed.
    expect(errors('# c\n'.repeat(MAX_LINES))).toEqual([]);
    expect(errors('# c\n'.repeat(MAX_LINES - 1) + '# c')).toEqual([]);
    expect(errors('# c\n'.repeat(MAX_LINES) + '# c')).toEqual([
      `t.msh:${MAX_LINES + 1}:1: script is too long: more than ${MAX_LINES} lines`,
    ]);
    expect(errors('\n'.repeat(MAX_LINES + 1))).toEqual([
      `t.msh:${MAX_LINES + 1}:1: script is too long: more than ${MAX_LINES} lines`,
    ]);
  });

  it('parses a maximal script', () => {
    const line = 'db1: mmap 0x7f0000000000 64M rw private,anon as heap';
    const n = Math.min(MAX_LINES, Math.floor(MAX_SCRIPT_CHARS / (line.length + 1)));
    const r = parseScript(Array.from({ length: n }, () => line).join('\n'));
    expect(r.ok && r.script.commands.length).toBe(n);
  });
});

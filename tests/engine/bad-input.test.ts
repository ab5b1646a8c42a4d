/**
 * Bad input: every syscall of the facade with nonsense arguments (negative, NaN, infinite,
 * huge, misaligned, non-canonical, unknown task or fd) answers with an errno, or with the
 * signal Linux would deliver for an access, and never throws; the machine stays consistent.
 */
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../src/engine/kernel';
import type { SysResult } from '../../src/engine/sys/result';
import { G, G512, M, PAGE, anon, checkInvariants, kernel, okv, teardown } from './helpers';

const NONSENSE = [-1, -PAGE, NaN, Infinity, -Infinity, 2 ** 60, 2 ** 47, 2 ** 56, 0.5, PAGE + 1, Number.MAX_SAFE_INTEGER, 1e308];

/** A machine with something of everything, so bad calls have state to damage. */
function busy(flavour: 2024 | 2025 = 2025): { k: Kernel; va: number; fd: number; region: number } {
  const k = kernel({ mshare: flavour });
  okv(k.spawn('a'));
  const va = okv(k.mmap('a', anon(null, 16 * PAGE)));
  okv(k.touch('a', va, 16 * PAGE, 'write'));
  okv(k.file('/f', 16 * PAGE));
  okv(k.mount());
  const fd = okv(k.open('a', '/sys/fs/mshare/r', true));
  let region: number;
  if (flavour === 2025) {
    okv(k.ftruncate('a', fd, G512));
    okv(k.ioctlCreateMapping('a', fd, 0, M, 'rw'));
    region = okv(k.mmap('a', { addr: null, len: G512, prot: 'rw', flags: { shared: true }, fd }));
  } else {
    region = okv(k.mmap('a', { addr: 2 * G512, len: G512, prot: 'rw', flags: { shared: true }, fd }));
    okv(k.mmap('a', { addr: region, len: M, prot: 'rw', flags: { shared: true, anon: true, fixed: true } }));
  }
  okv(k.write('a', region, 1));
  return { k, va, fd, region };
}

/** The call returned an errno (the one given, if any) and did not throw; the machine is consistent. */
function refused(k: Kernel, call: () => SysResult, errno?: string | string[], what = ''): void {
  let r: SysResult;
  expect(() => { r = call(); }, what).not.toThrow();
  const want = typeof errno === 'string' ? [errno] : errno;
  expect(r!.errno, `${what}: ${JSON.stringify(r!)}`).not.toBeNull();
  if (want) expect(want, `${what}: got ${r!.errno}`).toContain(r!.errno);
  expect(checkInvariants(k.m), what).toEqual([]);
}

/** The call returned an errno or a signal, and did not throw. */
function answered(k: Kernel, call: () => SysResult, what = ''): SysResult {
  let r: SysResult;
  expect(() => { r = call(); }, what).not.toThrow();
  expect(r!.errno !== null || r!.signal !== null || r!.value !== undefined, what).toBe(true);
  expect(checkInvariants(k.m), what).toEqual([]);
  return r!;
}

describe('bad input: errnos, never a throw', () => {
  it('unknown or dead tasks: every task call is ESRCH', () => {
    const { k, va, fd } = busy();
    okv(k.spawn('dead'));
    okv(k.exit('dead'));
    for (const who of ['nobody', 'dead', '', '../a', 'a\n']) {
      const calls: [string, () => SysResult][] = [
        ['fork', () => k.fork(who)], ['thread', () => k.thread(who)], ['exit', () => k.exit(who)], ['run', () => k.run(who)],
        ['mmap', () => k.mmap(who, anon(null, PAGE))], ['munmap', () => k.munmap(who, va, PAGE)],
        ['mprotect', () => k.mprotect(who, va, PAGE, 'r')], ['madvise', () => k.madvise(who, va, PAGE, 'dontneed')],
        ['read', () => k.read(who, va)], ['write', () => k.write(who, va, 1)], ['touch', () => k.touch(who, va, PAGE, 'read')],
        ['join', () => k.join(who, '/')], ['open', () => k.open(who, '/f', false)], ['close', () => k.close(who, fd)],
        ['ftruncate', () => k.ftruncate(who, fd, 0)], ['ioctl', () => k.ioctlCreateMapping(who, fd, 0, PAGE, 'rw')],
        ['ioctl-unmap', () => k.ioctlUnmap(who, fd, 0, PAGE)], ['info', () => k.mshareInfo(who, fd)],
        ['gup', () => k.gup(who, va, PAGE, false)], ['unpin', () => k.unpin(who, va, PAGE)],
        ['uffd', () => k.uffdRegister(who, va, PAGE, 'missing')], ['uffd-copy', () => k.uffdCopy(who, va, 1)],
      ];
      for (const [what, call] of calls) refused(k, call, 'ESRCH', `${what}(${JSON.stringify(who)})`);
    }
    teardown(k);
  });

  it('spawn, fork, thread and run: name clashes are EEXIST, bad CPUs EINVAL', () => {
    const { k } = busy();
    refused(k, () => k.spawn('a'), 'EEXIST');
    refused(k, () => k.fork('a', 'a'), 'EEXIST');
    refused(k, () => k.thread('a', 'a'), 'EEXIST');
    for (const cpu of [-1, 2, 99, NaN, 0.5, Infinity]) refused(k, () => k.run('a', cpu), 'EINVAL', `run cpu ${cpu}`);
    teardown(k);
  });

  it('mmap: bad addresses, lengths, offsets, flags, prot, fds and files', () => {
    const { k } = busy();
    for (const addr of NONSENSE) {
      refused(k, () => k.mmap('a', anon(addr, PAGE)), ['EINVAL', 'ENOMEM'], `fixed addr ${addr}`);
      const r = answered(k, () => k.mmap('a', { ...anon(null, PAGE), addr }), `hint ${addr}`);
      if (!r.errno) okv(k.munmap('a', r.value as number, PAGE));
    }
    for (const len of [0, -1, -PAGE, NaN, Infinity, -Infinity, 2 ** 60, 2 ** 48]) {
      refused(k, () => k.mmap('a', anon(null, len)), ['EINVAL', 'ENOMEM'], `len ${len}`);
      refused(k, () => k.mmap('a', anon(0x10000000, len)), ['EINVAL', 'ENOMEM'], `fixed len ${len}`);
    }
    for (const off of [-PAGE, 1, NaN, Infinity]) refused(k, () => k.mmap('a', { addr: null, len: PAGE, prot: 'r', file: '/f', off, flags: { shared: true } }), 'EINVAL', `off ${off}`);
    refused(k, () => k.mmap('a', { addr: null, len: PAGE, prot: 'r', flags: { shared: true, private: true, anon: true } }), 'EINVAL', 'shared+private');
    refused(k, () => k.mmap('a', { addr: null, len: PAGE, prot: 'r', flags: { anon: true } }), 'EINVAL', 'neither');
    // With MAP_ANONYMOUS Linux looks at no fd (ksys_mmap_pgoff): anonymous memory, no errno.
    for (const named of [{ file: '/f' }, { fd: 77 }]) {
      const r = answered(k, () => k.mmap('a', { addr: null, len: PAGE, prot: 'r', ...named, flags: { shared: true, anon: true } }), 'anon + file');
      okv(k.munmap('a', okv(r), PAGE));
    }
    refused(k, () => k.mmap('a', { addr: null, len: 2 * M, prot: 'r', file: '/f', flags: { shared: true, hugetlb: true } }), 'EINVAL', 'hugetlb tmpfs');
    refused(k, () => k.mmap('a', { addr: null, len: PAGE, prot: 'r', fd: 77, flags: { shared: true } }), 'EBADF');
    refused(k, () => k.mmap('a', { addr: null, len: PAGE, prot: 'r', file: '/none', flags: { shared: true } }), 'ENOENT');
    refused(k, () => k.mmap('a', { addr: null, len: PAGE, prot: 'r', file: '/sys/fs/mshare', flags: { shared: true } }), 'ENODEV');
    refused(k, () => k.mmap('a', { addr: null, len: PAGE, prot: 'r', file: '/sys/fs/mshare/mshare_info', flags: { shared: true } }), 'EACCES');
    for (const prot of ['q', 'read', 'rwz', '7']) refused(k, () => k.mmap('a', anon(null, PAGE, prot)), 'EINVAL', `prot ${prot}`);
    teardown(k);
  });

  it('munmap, mprotect, madvise: misaligned, negative, NaN, huge or non-canonical ranges, unknown advice, bad prot', () => {
    const { k, va } = busy();
    for (const [addr, len] of [[va + 1, PAGE], [-PAGE, PAGE], [NaN, PAGE], [va, NaN], [va, 0], [va, -1], [va, Infinity], [2 ** 47, PAGE], [va, 2 ** 60], [Infinity, PAGE]]) {
      refused(k, () => k.munmap('a', addr, len), 'EINVAL', `munmap ${addr} ${len}`);
    }
    // mprotect and madvise check alignment, not TASK_SIZE (do_mprotect_pkey, is_valid_madvise);
    // len 0 returns 0 and an unmapped range (here non-canonical) ENOMEM.
    for (const [addr, len] of [[va + 1, PAGE], [-PAGE, PAGE], [NaN, PAGE], [va, NaN], [va, -1], [va, Infinity], [Infinity, PAGE]]) {
      refused(k, () => k.mprotect('a', addr, len, 'r'), 'EINVAL', `mprotect ${addr} ${len}`);
      refused(k, () => k.madvise('a', addr, len, 'dontneed'), 'EINVAL', `madvise ${addr} ${len}`);
    }
    expect(okv(k.mprotect('a', va, 0, 'r'))).toBe(0);
    expect(okv(k.madvise('a', va, 0, 'dontneed'))).toBe(0);
    refused(k, () => k.mprotect('a', 2 ** 47, PAGE, 'r'), 'ENOMEM', 'mprotect past TASK_SIZE');
    refused(k, () => k.madvise('a', 2 ** 47, PAGE, 'dontneed'), 'ENOMEM', 'madvise past TASK_SIZE');
    refused(k, () => k.mprotect('a', va, 2 ** 64, 'r'), 'ENOMEM', 'mprotect wrapping past 2^64'); // end <= start
    refused(k, () => k.madvise('a', va, 2 ** 64, 'dontneed'), 'EINVAL', 'madvise wrapping past 2^64'); // start + len < start
    refused(k, () => k.mprotect('a', 0x10000, PAGE, 'r'), 'ENOMEM', 'mprotect of a hole');
    refused(k, () => k.madvise('a', 0x10000, PAGE, 'dontneed'), 'ENOMEM', 'madvise of a hole');
    refused(k, () => k.madvise('a', va, PAGE, 'mergeable'), 'EINVAL');
    for (const prot of ['q', 'read', 'rwz']) refused(k, () => k.mprotect('a', va, PAGE, prot), 'EINVAL', `prot ${prot}`);
    okv(k.munmap('a', 0x10000, PAGE)); // unmapping nothing is fine
    expect(okv(k.read('a', va + 8, 1))).toBe(0); // the data is intact
    teardown(k);
  });

  it('read, write, touch: bad sizes and values are EINVAL; bad addresses are SIGSEGV (a signal, not a throw)', () => {
    const { k, va } = busy();
    for (const size of [0, 9, -1, NaN, 1.5]) refused(k, () => k.read('a', va, size), 'EINVAL', `read size ${size}`);
    for (const value of [-1, 1.5, NaN, Infinity, 2 ** 60]) refused(k, () => k.write('a', va, value), 'EINVAL', `write ${value}`);
    for (const len of [-1, NaN, -Infinity]) refused(k, () => k.touch('a', va, len, 'read'), 'EINVAL', `touch len ${len}`);
    for (const addr of [-1, NaN, -Infinity]) refused(k, () => k.touch('a', addr, PAGE, 'read'), 'EINVAL', `touch addr ${addr}`);
    for (const addr of [NaN, -1, 2 ** 47, 2 ** 64, 0.5, Infinity]) {
      okv(k.spawn('victim'));
      const r = answered(k, () => k.read('victim', addr), `read ${addr}`);
      expect(r.signal ?? r.errno, `read ${addr}`).toBeTruthy();
      if (k.task('victim')!.state === 'running') okv(k.exit('victim'));
    }
    for (const [addr, len] of [[2 ** 47 - PAGE, 2 * PAGE], [0, 2 ** 60], [va, Infinity]]) {
      okv(k.spawn('victim'));
      const r = answered(k, () => k.touch('victim', addr, len, 'write'), `touch ${addr} ${len}`);
      expect(r.signal ?? r.errno).toBeTruthy();
      if (k.task('victim')!.state === 'running') okv(k.exit('victim'));
    }
    teardown(k);
  });

  it('files, cgroups, mounts and descriptors: bad paths, sizes, limits and fds', () => {
    const { k } = busy();
    refused(k, () => k.file('relative', PAGE), 'EINVAL');
    refused(k, () => k.file('/f', PAGE), 'EEXIST');
    for (const size of [-1, NaN, Infinity, 2 ** 70]) refused(k, () => k.file(`/g${size}`, size), ['EINVAL', 'EFBIG'], `file size ${size}`);
    refused(k, () => k.file('/dev/hugepages/x', PAGE), 'EINVAL');
    refused(k, () => k.file('/sys/fs/mshare/x', PAGE), 'EPERM');
    refused(k, () => k.unlink('/nope'), 'ENOENT');
    refused(k, () => k.unlink('/sys/fs/mshare/mshare_info'), 'EPERM');
    refused(k, () => k.unlink('/sys/fs/mshare'), 'ENOTEMPTY');
    refused(k, () => k.mount('relative'), 'EINVAL');
    refused(k, () => k.mount(), 'EBUSY');
    refused(k, () => k.join('a', 'nocg'), 'ENOENT');
    for (const limit of [-1, NaN, -Infinity]) refused(k, () => k.cgroup(`c${limit}`, limit), 'EINVAL', `limit ${limit}`);
    refused(k, () => k.open('a', '/nope', false), 'ENOENT');
    refused(k, () => k.open('a', '/sys/fs/mshare/nodir/x', true), 'ENOENT');
    refused(k, () => k.open('a', '/f', false, 3), 'EBADF'); // fd 3 is taken
    for (const fd of [-1, NaN, 0.5, 1e9]) refused(k, () => k.close('a', fd), 'EBADF', `close ${fd}`);
    for (const fd of [-1, NaN, 99]) {
      refused(k, () => k.ftruncate('a', fd, 0), 'EBADF');
      refused(k, () => k.mshareInfo('a', fd), 'EBADF');
      refused(k, () => k.ioctlCreateMapping('a', fd, 0, PAGE, 'rw'), 'EBADF');
      refused(k, () => k.ioctlUnmap('a', fd, 0, PAGE), 'EBADF');
    }
    const ffd = okv(k.open('a', '/f', false));
    for (const size of [-1, NaN, Infinity]) refused(k, () => k.ftruncate('a', ffd, size), ['EINVAL', 'EFBIG'], `ftruncate ${size}`);
    refused(k, () => k.mshareInfo('a', ffd), 'EINVAL');
    refused(k, () => k.ioctlCreateMapping('a', ffd, 0, PAGE, 'rw'), 'ENOTTY');
    teardown(k);
  });

  it('msharefs: bad sizes, offsets, addresses and misuse in both flavours', () => {
    for (const flavour of [2024, 2025] as const) {
      const { k, fd, region } = busy(flavour);
      for (const size of [-1, NaN, Infinity, 0, G, G512 + 1]) refused(k, () => k.ftruncate('a', fd, size), 'EINVAL', `${flavour} ftruncate ${size}`);
      if (flavour === 2025) {
        for (const [off, size] of [[-PAGE, PAGE], [NaN, PAGE], [0, NaN], [0, -1], [0, 0], [1, PAGE], [G512, PAGE], [0, G512 + PAGE], [Infinity, PAGE]]) {
          refused(k, () => k.ioctlCreateMapping('a', fd, off, size, 'rw'), 'EINVAL', `ioctl map ${off} ${size}`);
          refused(k, () => k.ioctlUnmap('a', fd, off, size), 'EINVAL', `ioctl unmap ${off} ${size}`);
        }
        refused(k, () => k.ioctlCreateMapping('a', fd, 0, PAGE, 'bogus'), 'EINVAL', 'ioctl prot');
        for (const addr of [1, G, -G512, NaN, 2 ** 47]) {
          refused(k, () => k.mmap('a', { addr, len: G512, prot: 'rw', flags: { shared: true, fixed: true }, fd }), ['EINVAL', 'ENOMEM'], `attach at ${addr}`);
        }
      } else {
        refused(k, () => k.ioctlCreateMapping('a', fd, 0, PAGE, 'rw'), 'ENOTTY');
        refused(k, () => k.mmap('a', { addr: region + G512 - PAGE, len: 2 * PAGE, prot: 'rw', flags: { shared: true, anon: true, fixed: true } }), 'EINVAL', 'crossing the end');
      }
      for (const len of [0, -1, NaN, G512 - PAGE, 2 * G512]) {
        refused(k, () => k.mmap('a', { addr: null, len, prot: 'rw', flags: { shared: true }, fd }), ['EINVAL', 'ENOMEM'], `${flavour} attach len ${len}`);
      }
      // A munmap that splits the msharefs VMA (crossing its start) is EINVAL in both flavours;
      // one wholly inside is EINVAL only in v3 (the 2024 design unmaps the host's objects).
      refused(k, () => k.munmap('a', region - PAGE, 2 * PAGE), 'EINVAL', 'partial munmap');
      if (flavour === 2025) refused(k, () => k.munmap('a', region + PAGE, PAGE), 'EINVAL', 'munmap inside (v3)');
      refused(k, () => k.madvise('a', region, PAGE, 'dontneed'), 'EINVAL');
      refused(k, () => k.uffdRegister('a', region, PAGE, 'missing'), 'EINVAL');
      refused(k, () => k.gup('a', region + 100 * PAGE, PAGE, false), 'EFAULT');
      expect(okv(k.read('a', region, 1))).toBe(1);
      teardown(k);
    }
  });

  it('gup, unpin, userfaultfd: bad ranges, nothing to unpin, unregistered copies', () => {
    const { k, va } = busy();
    for (const [addr, len] of [[va + 1, PAGE], [NaN, PAGE], [va, NaN], [-PAGE, PAGE], [va, 2 ** 60]]) {
      refused(k, () => k.gup('a', addr, len, false), 'EINVAL', `gup ${addr} ${len}`);
      refused(k, () => k.uffdRegister('a', addr, len, 'missing'), 'EINVAL', `uffd ${addr} ${len}`);
    }
    // userfaultfd's validate_range refuses len 0; gup of no pages pins none (gup-touch-zero.test.ts).
    refused(k, () => k.uffdRegister('a', va, 0, 'missing'), 'EINVAL', 'uffd len 0');
    refused(k, () => k.gup('a', 0x10000, PAGE, false), 'EFAULT');
    refused(k, () => k.uffdRegister('a', 0x10000, PAGE, 'missing'), 'EINVAL');
    for (const [addr, len] of [[va, PAGE], [NaN, PAGE], [va, NaN], [-1, 1]]) refused(k, () => k.unpin('a', addr, len), 'EINVAL', `unpin ${addr} ${len}`);
    refused(k, () => k.uffdCopy('a', va, 1), 'EINVAL');
    refused(k, () => k.uffdCopy('a', NaN, 1), 'EINVAL');
    refused(k, () => k.uffdRegister('a', va, PAGE, 'sideways' as 'wp'), 'EINVAL');
    teardown(k);
  });

  it('policy: unknown switches or values are EINVAL and change nothing', () => {
    const k = kernel();
    const before = { ...k.m.s.policies };
    refused(k, () => k.policy({ charge: 'nobody' as 'owner' }), 'EINVAL');
    refused(k, () => k.policy({ tlbFlush: 'some' as 'all' }), 'EINVAL');
    refused(k, () => k.policy({ bogus: 1 } as object), 'EINVAL');
    expect(k.m.s.policies).toEqual(before);
    okv(k.policy({ charge: 'owner', ownerExit: 'unmap', mprotect: 'einval', tlbFlush: 'sharers' }));
  });

  it('machine config: absurd sizes are refused with a clear message at construction', () => {
    for (const cfg of [{ ram: 1 }, { ram: 2 ** 40 }, { ram: NaN }, { cpus: 0 }, { cpus: -1 }, { cpus: NaN }, { cpus: 1.5 }, { tlb: 0 }, { tlb: 3 }, { tlb: NaN }, { levels: 3 }, { mshare: 2023 }]) {
      expect(() => new Kernel(cfg as object), JSON.stringify(cfg)).toThrow(RangeError);
    }
    for (const cfg of [{ ram: 16 * M }, { cpus: 1 }, { cpus: 8 }, { tlb: 1 }, { tlb: 256 }, { levels: 5 as const }]) {
      expect(() => new Kernel(cfg), JSON.stringify(cfg)).not.toThrow();
    }
  });

  it('a kernel survives a storm of random nonsense on every entry point and ends consistent with nothing leaked', () => {
    const k = kernel({ mshare: 2025, ram: 32 * M });
    okv(k.mount());
    const vals = [0, 1, -1, NaN, Infinity, PAGE, 2 * M, G, G512, 2 ** 47, 2 ** 60, 0.5, -PAGE];
    const names = ['a', 'b', 'nobody'];
    let x = 12345;
    const rnd = (n: number) => { x = (Math.imul(x, 1103515245) + 12345) >>> 0; return x % n; };
    const v = () => vals[rnd(vals.length)];
    const n = () => names[rnd(names.length)];
    for (let i = 0; i < 3000; i++) {
      const who = n();
      const which = rnd(16);
      expect(() => {
        switch (which) {
          case 0: k.spawn(who); break;
          case 1: k.mmap(who, { addr: rnd(2) ? null : v(), len: v(), prot: ['rw', 'r', 'x', 'none', '?'][rnd(5)], flags: { shared: !!rnd(2), private: !!rnd(2), anon: !!rnd(2), fixed: !!rnd(2), populate: !!rnd(4) && false } }); break;
          case 2: k.munmap(who, v(), v()); break;
          case 3: k.mprotect(who, v(), v(), ['rw', 'r', 'none'][rnd(3)]); break;
          case 4: k.touch(who, v(), v() % (64 * PAGE), rnd(2) ? 'read' : 'write'); break;
          case 5: k.read(who, v(), 1 + rnd(8)); break;
          case 6: k.write(who, v(), v()); break;
          case 7: k.fork(who); break;
          case 8: k.exit(who); break;
          case 9: k.open(who, '/sys/fs/mshare/r', !!rnd(2)); break;
          case 10: k.ftruncate(who, 3 + rnd(2), v()); break;
          case 11: k.ioctlCreateMapping(who, 3 + rnd(2), v(), v(), 'rw'); break;
          case 12: k.ioctlUnmap(who, 3 + rnd(2), v(), v()); break;
          case 13: k.mmap(who, { addr: rnd(2) ? null : v(), len: v(), prot: 'rw', fd: 3 + rnd(2), flags: { shared: true, fixed: !!rnd(2) } }); break;
          case 14: k.gup(who, v(), v(), !!rnd(2)); break;
          default: k.madvise(who, v(), v(), 'dontneed'); break;
        }
      }, `step ${i}`).not.toThrow();
    }
    expect(checkInvariants(k.m)).toEqual([]);
    teardown(k);
  });
});

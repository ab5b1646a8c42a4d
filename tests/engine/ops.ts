/**
 * Random operation sequences for the property tests: an op language over small index spaces
 * (task, VMA, region, file slots), so that collisions, reuse and misuse happen often, and an
 * interpreter that applies an op to a Kernel and never throws on its own account.
 */
import fc from 'fast-check';
import type { Kernel } from '../../src/engine/kernel';
import { VM_MSHARE, VM_WRITE } from '../../src/engine/types';
import { G, G512, M, PAGE } from './helpers';

export const TASKS = ['t0', 't1', 't2', 't3', 't4', 't5', 't6', 't7'];
export const FILES = ['/f0', '/f1', '/dev/hugepages/h0'];
export const REGIONS = ['/sys/fs/mshare/r0', '/sys/fs/mshare/r1'];
/** Fixed addresses: shared 2 MiB/1 GiB/512 GiB boundaries so mappings collide and share tables. */
export const FIXED = [0x10000000, 0x10000000 + 2 * M - 4 * PAGE, 4 * G, 5 * G - 2 * M, 2 * G512, 3 * G512];
const PROTS = ['rw', 'rw', 'r', 'rwx', 'none', 'w'];
/** Offsets into an msharefs VMA: where the objects of the sequences live. */
const ROFFS = [0, PAGE, 2 * M - PAGE, 2 * M, 3 * M, G];

export type Op =
  | { op: 'spawn'; t: number }
  | { op: 'fork'; t: number; c: number }
  | { op: 'thread'; t: number; c: number }
  | { op: 'exit'; t: number }
  | { op: 'run'; t: number; cpu: number }
  | { op: 'mmap'; t: number; kind: number; fixed: number; pages: number; prot: number; populate: boolean }
  | { op: 'munmap'; t: number; v: number; off: number; pages: number }
  | { op: 'mprotect'; t: number; v: number; off: number; pages: number; prot: number }
  | { op: 'madvise'; t: number; v: number; off: number; pages: number; advice: number }
  | { op: 'touch'; t: number; v: number; off: number; pages: number; write: boolean }
  | { op: 'read'; t: number; v: number; off: number }
  | { op: 'write'; t: number; v: number; off: number; value: number }
  | { op: 'file'; f: number; pages: number }
  | { op: 'ftruncate-file'; t: number; f: number; pages: number }
  | { op: 'unlink'; f: number }
  | { op: 'gup'; t: number; v: number; off: number; pages: number; write: boolean }
  | { op: 'unpin'; t: number; v: number }
  | { op: 'uffd'; t: number; v: number; wp: boolean }
  | { op: 'uffd-copy'; t: number; value: number }
  | { op: 'cgroup'; t: number; limit: number }
  | { op: 'mount' }
  | { op: 'mopen'; t: number; r: number; create: boolean }
  | { op: 'mclose'; t: number; r: number }
  | { op: 'mtrunc'; t: number; r: number; slots: number }
  | { op: 'attach'; t: number; r: number; fixed: number }
  | { op: 'ioctl-map'; t: number; r: number; kind: number; off: number; pages: number; prot: number }
  | { op: 'ioctl-unmap'; t: number; r: number; off: number; pages: number }
  | { op: 'inside-mmap'; t: number; kind: number; off: number; pages: number }
  | { op: 'munlink'; r: number }
  | { op: 'policy'; charge: boolean; ownerExit: boolean; mprotect: boolean; tlbFlush: boolean };

const t = fc.nat(TASKS.length - 1);
const idx = fc.nat(7);
const small = fc.integer({ min: 1, max: 48 });
const off = fc.constantFrom(0, 1, 3, 15, 511, 512, 513);
const roff = fc.constantFrom(0, PAGE, 2 * M - PAGE, 2 * M, G, 64 * M - PAGE);

export const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('spawn' as const), t }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('fork' as const), t, c: t }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('thread' as const), t, c: t }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('exit' as const), t }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('run' as const), t, cpu: fc.nat(3) }) },
  { weight: 6, arbitrary: fc.record({ op: fc.constant('mmap' as const), t, kind: fc.nat(7), fixed: fc.integer({ min: -1, max: FIXED.length - 1 }), pages: small, prot: fc.nat(PROTS.length - 1), populate: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('munmap' as const), t, v: idx, off, pages: small }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('mprotect' as const), t, v: idx, off, pages: small, prot: fc.nat(PROTS.length - 1) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('madvise' as const), t, v: idx, off, pages: small, advice: fc.nat(2) }) },
  { weight: 8, arbitrary: fc.record({ op: fc.constant('touch' as const), t, v: idx, off, pages: small, write: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('read' as const), t, v: idx, off }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('write' as const), t, v: idx, off, value: fc.nat(1e9) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('file' as const), f: fc.nat(FILES.length - 1), pages: fc.integer({ min: 0, max: 1024 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('ftruncate-file' as const), t, f: fc.nat(FILES.length - 1), pages: fc.integer({ min: 0, max: 1024 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('unlink' as const), f: fc.nat(FILES.length - 1) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('gup' as const), t, v: idx, off, pages: fc.integer({ min: 1, max: 4 }), write: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('unpin' as const), t, v: idx }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('uffd' as const), t, v: idx, wp: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('uffd-copy' as const), t, value: fc.nat(255) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('cgroup' as const), t, limit: fc.constantFrom(128 * 1024, M, 4 * M, Infinity) }) },
  { weight: 1, arbitrary: fc.constant({ op: 'mount' as const }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('mopen' as const), t, r: fc.nat(1), create: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('mclose' as const), t, r: fc.nat(1) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('mtrunc' as const), t, r: fc.nat(1), slots: fc.integer({ min: 0, max: 2 }) }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('attach' as const), t, r: fc.nat(1), fixed: fc.integer({ min: -1, max: 3 }) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('ioctl-map' as const), t, r: fc.nat(1), kind: fc.nat(3), off: roff, pages: fc.integer({ min: 1, max: 1024 }), prot: fc.nat(PROTS.length - 1) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('ioctl-unmap' as const), t, r: fc.nat(1), off: roff, pages: fc.integer({ min: 1, max: 1024 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('inside-mmap' as const), t, kind: fc.nat(3), off: roff, pages: small }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('munlink' as const), r: fc.nat(1) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('policy' as const), charge: fc.boolean(), ownerExit: fc.boolean(), mprotect: fc.boolean(), tlbFlush: fc.boolean() }) },
);

/** A VMA of a live task's mm (by index, wrapping), or null. */
function vmaOf(k: Kernel, name: string, v: number) {
  const task = k.task(name);
  const mm = task?.mm;
  if (!mm || mm.dead || mm.vmas.length === 0) return null;
  return mm.vmas[v % mm.vmas.length];
}

function fdFor(k: Kernel, name: string, path: string): number | null {
  const task = k.task(name);
  if (!task) return null;
  for (const [fd, f] of task.fds) if (f.name === path) return fd;
  return null;
}

/**
 * The task an op acts on: index `t` into the live tasks (so most ops reach a live task), or,
 * for t = TASKS.length - 1, the name slot itself (dead or unknown tasks: ESRCH paths).
 */
function pick(k: Kernel, t: number): string {
  if (t === TASKS.length - 1) return TASKS[t];
  const alive: string[] = [];
  for (const x of k.m.s.tasks.values()) if (x.state === 'running' || x.state === 'blocked') alive.push(x.name);
  return alive.length ? alive[t % alive.length] : TASKS[t];
}

/** A name no live task has, starting at slot `c` (so forks and threads mostly succeed). */
function freeName(k: Kernel, c: number): string {
  for (let i = 0; i < TASKS.length; i++) {
    const n = TASKS[(c + i) % TASKS.length];
    const x = k.task(n);
    if (!x || !(x.state === 'running' || x.state === 'blocked')) return n;
  }
  return TASKS[c];
}

/** Apply one op. Errors and signals are outcomes, not failures; only a throw is. */
export function apply(k: Kernel, o: Op): void {
  // Keep the story going: with nobody alive, a task op first spawns one.
  if ('t' in o && o.op !== 'spawn' && pick(k, 0) === TASKS[0] && !k.task(TASKS[0])?.mm?.tasks.length) k.spawn(freeName(k, 0));
  const name = o.op === 'spawn' ? freeName(k, o.t) : 't' in o ? pick(k, o.t) : '';
  switch (o.op) {
    case 'spawn': k.spawn(name); return;
    case 'fork': k.fork(name, freeName(k, o.c)); return;
    case 'thread': k.thread(name, freeName(k, o.c)); return;
    case 'exit': k.exit(name); return;
    case 'run': k.run(name, o.cpu % k.m.s.config.cpus); return;
    case 'mmap': {
      const addr = o.fixed < 0 ? null : FIXED[o.fixed];
      const prot = PROTS[o.prot];
      const len = o.pages * PAGE;
      const fl = { fixed: addr !== null, populate: o.populate };
      switch (o.kind) {
        case 0: k.mmap(name, { addr, len, prot, flags: { private: true, anon: true, ...fl } }); return;
        case 1: k.mmap(name, { addr, len, prot, flags: { shared: true, anon: true, ...fl } }); return;
        case 2: k.mmap(name, { addr, len, prot, file: FILES[0], flags: { shared: true, ...fl } }); return;
        case 3: k.mmap(name, { addr, len, prot, file: FILES[1], flags: { private: true, ...fl } }); return;
        case 4: k.mmap(name, { addr, len: (o.pages % 3 + 1) * 2 * M, prot, file: FILES[2], flags: { shared: true, ...fl } }); return;
        case 5: k.mmap(name, { addr, len: 2 * M, prot, flags: { private: true, anon: true, hugetlb: true, ...fl } }); return;
        case 6: k.mmap(name, { addr: addr === null ? null : 4 * G, len: G, prot, file: FILES[2], flags: { shared: true, fixed: addr !== null } }); return;
        // shmem of 2-6 MiB: PMD-mapped folios under shmem_thp=advise|always
        default: k.mmap(name, { addr, len: (o.pages % 3 + 1) * 2 * M, prot, flags: { shared: true, anon: true, ...fl } }); return;
      }
    }
    case 'munmap': case 'mprotect': case 'madvise': case 'touch': case 'gup': {
      const v = vmaOf(k, name, o.v);
      const start = !v ? FIXED[o.v % FIXED.length] : v.flags & VM_MSHARE ? v.start + ROFFS[o.off % ROFFS.length] : v.start + ((o.off * PAGE) % (v.end - v.start));
      // Accesses mostly stay inside the VMA (a SIGSEGV kills the task and ends its story).
      const len = v && o.op !== 'munmap' && o.pages !== 48 ? Math.min(o.pages * PAGE, v.end - start) : o.pages * PAGE;
      // Wild accesses (no VMA, or a write to a read-only one) only with the marker length 48.
      if ((o.op === 'touch' || o.op === 'gup') && o.pages !== 48 && (!v || (o.write && !(v.flags & VM_WRITE)))) return;
      if (o.op === 'munmap') k.munmap(name, start, len);
      else if (o.op === 'mprotect') k.mprotect(name, start, len, PROTS[o.prot]);
      else if (o.op === 'madvise') k.madvise(name, start, len, (['dontneed', 'hugepage', 'nohugepage'] as const)[o.advice]);
      else if (o.op === 'touch') k.touch(name, start, len, o.write ? 'write' : 'read');
      else k.gup(name, start, len, o.write);
      return;
    }
    case 'read': case 'write': {
      const v = vmaOf(k, name, o.v);
      const a = !v ? FIXED[o.v % FIXED.length] : v.flags & VM_MSHARE ? v.start + ROFFS[o.off % ROFFS.length] + 3 : v.start + ((o.off * PAGE) % (v.end - v.start)) + 3;
      if (!v && o.off !== 513) return;
      if (o.op === 'write' && v && !(v.flags & VM_WRITE) && o.off !== 513) return;
      if (o.op === 'read') k.read(name, a, 8);
      else k.write(name, a, o.value);
      return;
    }
    case 'file': k.file(FILES[o.f], o.f === 2 ? Math.ceil(o.pages / 512) * 2 * M : o.pages * PAGE); return;
    case 'ftruncate-file': {
      let fd = fdFor(k, name, FILES[o.f]);
      if (fd === null) {
        const r = k.open(name, FILES[o.f], false);
        if (r.errno) return;
        fd = r.value as number;
      }
      k.ftruncate(name, fd, o.f === 2 ? Math.ceil(o.pages / 512) * 2 * M : o.pages * PAGE);
      return;
    }
    case 'unlink': k.unlink(FILES[o.f]); return;
    case 'unpin': {
      const v = vmaOf(k, name, o.v);
      if (v) k.unpin(name, v.start, v.end - v.start);
      return;
    }
    case 'uffd': {
      const v = vmaOf(k, name, o.v);
      if (v) k.uffdRegister(name, v.start, Math.min(v.end - v.start, 8 * PAGE), o.wp ? 'wp' : 'missing');
      return;
    }
    case 'uffd-copy': {
      // Resolve whatever some task of this mm is blocked on.
      const task = k.task(name);
      if (!task || !task.mm) return;
      for (const b of k.m.s.tasks.values()) {
        if (b.state === 'blocked' && b.mm === task.mm && b.blockedOn) {
          k.uffdCopy(name, b.blockedOn.addr, o.value);
          return;
        }
      }
      return;
    }
    case 'cgroup': {
      const cg = `cg${o.t % 2}`;
      k.cgroup(cg, o.limit === Infinity ? undefined : o.limit);
      k.join(name, cg);
      return;
    }
    case 'mount': k.mount(); return;
    case 'mopen': k.open(name, REGIONS[o.r], o.create); return;
    case 'mclose': {
      const fd = fdFor(k, name, REGIONS[o.r]);
      if (fd !== null) k.close(name, fd);
      return;
    }
    case 'mtrunc': {
      const fd = fdFor(k, name, REGIONS[o.r]);
      if (fd !== null) k.ftruncate(name, fd, o.slots * G512);
      return;
    }
    case 'attach': {
      const fd = fdFor(k, name, REGIONS[o.r]);
      if (fd === null) return;
      const info = k.mshareInfo(name, fd);
      const size = info.size ? info.size : G512;
      const fixedAt = o.fixed < 0 ? null : (2 + o.fixed) * G512;
      if (k.m.s.config.mshare === 2024) {
        const at = info.start ? info.start : fixedAt;
        k.mmap(name, { addr: at, len: size, prot: 'rw', flags: { shared: true }, fd });
      } else {
        k.mmap(name, { addr: fixedAt, len: size, prot: 'rw', flags: { shared: true, fixed: fixedAt !== null }, fd });
      }
      return;
    }
    case 'ioctl-map': {
      const fd = fdFor(k, name, REGIONS[o.r]);
      if (fd === null) return;
      const prot = PROTS[o.prot];
      if (o.kind === 0) k.ioctlCreateMapping(name, fd, o.off, o.pages * PAGE, prot);
      else if (o.kind === 1) k.ioctlCreateMapping(name, fd, o.off, o.pages * PAGE, prot, FILES[0]);
      else if (o.kind === 2) k.ioctlCreateMapping(name, fd, o.off - (o.off % (2 * M)), 2 * M, prot, FILES[2], true);
      else k.ioctlCreateMapping(name, fd, o.off - (o.off % (2 * M)), 2 * M, prot, undefined, true);
      return;
    }
    case 'ioctl-unmap': {
      const fd = fdFor(k, name, REGIONS[o.r]);
      if (fd !== null) k.ioctlUnmap(name, fd, o.off, o.pages * PAGE);
      return;
    }
    case 'inside-mmap': {
      const task = k.task(name);
      const v = task?.mm?.vmas.find((x) => x.flags & VM_MSHARE);
      if (!v) return;
      const addr = v.start + o.off;
      const len = o.pages * PAGE;
      if (o.kind === 0) k.mmap(name, { addr, len, prot: 'rw', flags: { shared: true, anon: true, fixed: true } });
      else if (o.kind === 1) k.mmap(name, { addr, len, prot: 'rw', flags: { private: true, anon: true, fixed: true } });
      else if (o.kind === 2) k.mmap(name, { addr, len, prot: 'rw', file: FILES[0], flags: { shared: true, fixed: true } });
      else k.mmap(name, { addr, len: 2 * M, prot: 'rw', file: FILES[2], flags: { shared: true, fixed: true } });
      return;
    }
    case 'munlink': k.unlink(REGIONS[o.r]); return;
    case 'policy':
      k.policy({
        charge: o.charge ? 'owner' : 'faulter',
        ownerExit: o.ownerExit ? 'unmap' : 'keep',
        mprotect: o.mprotect ? 'einval' : 'global',
        tlbFlush: o.tlbFlush ? 'sharers' : 'all',
      });
      return;
  }
}

export const configArb = fc.record({
  ram: fc.constantFrom(16 * M, 32 * M),
  cpus: fc.integer({ min: 1, max: 4 }),
  tlb: fc.constantFrom(8, 64),
  pcid: fc.boolean(),
  pti: fc.boolean(),
  shmemThp: fc.constantFrom('never' as const, 'advise' as const, 'always' as const),
  levels: fc.constantFrom(4 as const, 5 as const),
  mshare: fc.constantFrom(2024 as const, 2025 as const),
}).map((c) => ({ ...c, pti: c.pti && c.pcid })); // PTI needs PCID

/**
 * The start of every mshare-heavy sequence: msharefs mounted, a region r0 of one slot with a
 * 4 MiB shared object at offset 0 (by ioctl in 2025, by a fixed mmap inside in 2024; the
 * other flavour's op fails harmlessly), attached by its creator.
 */
export const MSHARE_PREFIX: Op[] = [
  { op: 'mount' },
  { op: 'spawn', t: 0 },
  { op: 'mopen', t: 0, r: 0, create: true },
  { op: 'mtrunc', t: 0, r: 0, slots: 1 },
  { op: 'ioctl-map', t: 0, r: 0, kind: 0, off: 0, pages: 1024, prot: 0 },
  { op: 'attach', t: 0, r: 0, fixed: -1 },
  { op: 'inside-mmap', t: 0, kind: 0, off: 0, pages: 1024 },
];

/**
 * The mshare engine (kernel-semantics.md §2, §3.8, M1-M23), in both flavours where they differ:
 *  - 2024 (LSFMM 2024 / 2022 v2): the creator's first MAP_SHARED mmap fixes start and size and
 *    moves its VMAs there into the host mm; others map the same range; a fixed mmap inside
 *    the region creates the VMA in the host.
 *  - 2025 (PATCH v3): ftruncate sets the size, ioctls place objects, any aligned address,
 *    the creator owns the region.
 *
 * Geometry of a linked process (4-level paging):
 *
 *   process PGD                 host mm
 *   [ ... | slot entry ] ─────> PUD page (share count = linked processes)
 *                host PGD ────^     └─> PMD ─> PTE ─> pages (host RSS, host pgtables_bytes)
 */
import { describe, expect, it } from 'vitest';
import { Runner } from '../../src/scenario/runner';
import { buildReport } from '../../src/scenario/report';
import { PTE_P } from '../../src/engine/hw/pte';
import { cpuCounters } from '../../src/engine/hw/tlb';
import { lockEdges } from '../../src/engine/sys/locks';
import { findPte } from '../../src/engine/mm/pgtable';
import { meminfo, smaps } from '../../src/engine/mm/proc';
import { stateDigest } from '../../src/engine/snapshot';
import { VM_DONTEXPAND, VM_MSHARE, VM_SHARED } from '../../src/engine/types';
import type { Kernel } from '../../src/engine/kernel';
import {
  G, G512, K, M, PAGE, USE, allocs, anon, consistent, desc, entryAt, faultKindsSince, fileMap, kernel, mmOf, okv,
  pageTables, pfnOf, pte, region, shanon, shootdowns, st, status, teardown,
} from './helpers';

const P = '/sys/fs/mshare/sga';
/** The 2024 region's fixed address (2 × 512 GiB = 1 TiB). */
const S = 2 * G512;
type Flavour = 2024 | 2025;

/**
 * Create the region as `owner` with one `objSize` shared-anonymous object at offset 0, and
 * attach the owner. Returns the owner's start address of the region.
 */
function make(k: Kernel, owner = 'a', objSize = 64 * M, prot = 'rw'): number {
  if (!k.m.s.mounts.size) okv(k.mount());
  if (!k.task(owner)) okv(k.spawn(owner));
  const fd = okv(k.open(owner, P, true));
  if (k.m.s.config.mshare === 2024) {
    const s = okv(k.mmap(owner, { addr: S, len: G512, prot: 'rw', flags: { shared: true }, fd }));
    if (objSize) okv(k.mmap(owner, shanon(s, objSize, prot)));
    return s;
  }
  okv(k.ftruncate(owner, fd, G512));
  if (objSize) okv(k.ioctlCreateMapping(owner, fd, 0, objSize, prot));
  return okv(k.mmap(owner, { addr: null, len: G512, prot: 'rw', flags: { shared: true }, fd }));
}

/** Attach `name` (spawned if needed): 2024 at mshare_info's start, 2025 at `at` or anywhere. */
function attach(k: Kernel, name: string, at: number | null = null, prot = 'rw'): number {
  if (!k.task(name)) okv(k.spawn(name));
  const fd = okv(k.open(name, P, false));
  if (k.m.s.config.mshare === 2024) {
    const info = k.mshareInfo(name, fd);
    return okv(k.mmap(name, { addr: info.start!, len: info.size!, prot, flags: { shared: true }, fd }));
  }
  return okv(k.mmap(name, { addr: at, len: G512, prot, flags: { shared: true, fixed: at !== null }, fd }));
}

function fdOf(k: Kernel, name: string): number {
  for (const [fd, f] of k.task(name)!.fds) if (f.name === P) return fd;
  throw new Error('no fd');
}

/** The process's slot entry (PGD entry, 4-level) for `va`. */
function slot(k: Kernel, name: string, va: number) {
  return entryAt(k, mmOf(k, name).pgd, va, k.m.geo.pudDepth - 1);
}

function hostPud(k: Kernel): number {
  const r = region(k, P);
  const e = entryAt(k, r.host.pgd, r.hostBase, k.m.geo.pudDepth - 1)!;
  return (e.lo >>> 12) + (e.hi & 0xfffff) * 0x100000;
}

const both: Flavour[] = [2024, 2025];

describe('msharefs regions (M1-M4)', () => {
  it.each(both)('M1 (%i): creating a file allocates a host mm (its own PGD) that belongs to no task; the creator is recorded as owner', (flavour) => {
    const k = kernel({ mshare: flavour });
    okv(k.mount());
    okv(k.spawn('a'));
    const pt = pageTables(k);
    const mms = k.m.s.mms.size;
    const seq = k.m.trace.seq;
    okv(k.open('a', P, true));
    const r = region(k, P);
    expect(k.m.s.mms.size).toBe(mms + 1);
    expect(r.host).toMatchObject({ users: 0, tasks: [], hostOf: r, dead: false });
    expect(desc(k, r.host.pgd).use).toBe(USE.pgd);
    expect(pageTables(k)).toBe(pt + PAGE);
    expect(r.owner).toBe(k.task('a')!.pid);
    expect(k.m.trace.since(seq)).toContainEqual(expect.objectContaining({ type: 'mshare', action: 'create', region: P }));
    // O_CREAT on an existing file opens the same region; a second host is not made.
    okv(k.spawn('b'));
    okv(k.open('b', P, true));
    expect(k.m.s.mms.size).toBe(mms + 2); // + b's own mm only
    consistent(k);
    teardown(k);
  });

  it('M2 (2025): ftruncate sets the size once, a multiple of 512 GiB; mmap before it is EINVAL; fstat gives the size', () => {
    const k = kernel({ mshare: 2025 });
    okv(k.mount());
    okv(k.spawn('a'));
    const fd = okv(k.open('a', P, true));
    expect(k.mmap('a', { addr: null, len: G512, prot: 'rw', flags: { shared: true }, fd }).errno).toBe('EINVAL');
    for (const bad of [0, -G512, G, G512 + PAGE, NaN, Infinity]) expect(k.ftruncate('a', fd, bad).errno, String(bad)).toBe('EINVAL');
    okv(k.ftruncate('a', fd, 2 * G512));
    expect(k.ftruncate('a', fd, G512).errno).toBe('EINVAL'); // MSHARE_INITIALIZED
    expect(k.mshareInfo('a', fd)).toMatchObject({ size: 2 * G512 });
    // The length of an attach must equal the size.
    expect(k.mmap('a', { addr: null, len: G512, prot: 'rw', flags: { shared: true }, fd }).errno).toBe('EINVAL');
    const s = okv(k.mmap('a', { addr: null, len: 2 * G512, prot: 'rw', flags: { shared: true }, fd }));
    expect(s % G512).toBe(0);
    consistent(k);
    teardown(k);
  });

  it('M2 (2024): ftruncate is EINVAL; the first mmap MAP_SHARED over a 512 GiB-aligned range fixes start and size (mshare_info reads them)', () => {
    const k = kernel({ mshare: 2024 });
    okv(k.mount());
    okv(k.spawn('a'));
    const fd = okv(k.open('a', P, true));
    expect(k.ftruncate('a', fd, G512).errno).toBe('EINVAL');
    expect(k.mshareInfo('a', fd)).toMatchObject({ start: 0, size: 0 });
    expect(k.mmap('a', { addr: S + G, len: G512, prot: 'rw', flags: { shared: true }, fd }).errno).toBe('EINVAL'); // misaligned
    expect(k.mmap('a', { addr: S, len: G, prot: 'rw', flags: { shared: true }, fd }).errno).toBe('EINVAL'); // not a multiple
    expect(k.mmap('a', { addr: S, len: G512, prot: 'rw', flags: { private: true }, fd }).errno).toBe('EINVAL');
    expect(okv(k.mmap('a', { addr: S, len: G512, prot: 'rw', flags: { shared: true }, fd }))).toBe(S);
    expect(k.mshareInfo('a', fd)).toMatchObject({ start: S, size: G512 });
    // Others must map the same range: another address or another size is EINVAL.
    okv(k.spawn('b'));
    const fb = okv(k.open('b', P, false));
    expect(k.mmap('b', { addr: S + G512, len: G512, prot: 'rw', flags: { shared: true }, fd: fb }).errno).toBe('EINVAL');
    expect(k.mmap('b', { addr: S, len: 2 * G512, prot: 'rw', flags: { shared: true }, fd: fb }).errno).toBe('EINVAL');
    expect(okv(k.mmap('b', { addr: S, len: G512, prot: 'rw', flags: { shared: true }, fd: fb }))).toBe(S);
    consistent(k);
    teardown(k);
  });

  it.each([4, 5] as const)('M2/M3 (2024, %i-level): the creator\'s VMAs and pages inside the range move into the host mm, tables and counters with them', (levels) => {
    //  creator before:   [ anon 1 MiB, written ] in slot S     creator after: [ msharefs VMA S..S+512G ]
    //                                                           host:          [ anon 1 MiB ] + its tables
    const k = kernel({ mshare: 2024, levels });
    okv(k.mount());
    okv(k.spawn('a'));
    okv(k.mmap('a', anon(S, M)));
    okv(k.write('a', S, 42));
    okv(k.write('a', S + 8 * PAGE, 43));
    const fd = okv(k.open('a', P, true));
    expect(okv(k.mmap('a', { addr: S, len: G512, prot: 'rw', flags: { shared: true }, fd }))).toBe(S);
    const host = region(k, P).host;
    expect(mmOf(k, 'a').vmas.map((v) => [v.start, v.end, !!(v.flags & VM_MSHARE)])).toEqual([[S, S + G512, true]]);
    expect(host.vmas.map((v) => [v.start, v.end])).toEqual([[S, S + M]]);
    expect(st(k, 'a')).toMatchObject({ VmPTE: 0, RssAnon: 0 });
    expect(status(host)).toMatchObject({ VmPTE: 12 * K, RssAnon: 2 * PAGE });
    expect(desc(k, hostPud(k))).toMatchObject({ use: USE.pud, owner: host.id, share: 1 });
    consistent(k);
    expect(okv(k.read('a', S, 1))).toBe(42);
    attach(k, 'b');
    expect(okv(k.read('b', S + 8 * PAGE, 1))).toBe(43);
    expect(pfnOf(k, 'b', S)).toBe(pfnOf(k, 'a', S));
    consistent(k);
    teardown(k);
  });

  it('M3 (2025): MSHAREFS_CREATE_MAPPING creates VMAs in the host mm only (at mshare_base + offset); no process table changes', () => {
    const k = kernel({ mshare: 2025 });
    const s = make(k, 'a', 0);
    attach(k, 'b');
    const pt = pageTables(k);
    const fd = fdOf(k, 'a');
    okv(k.ioctlCreateMapping('a', fd, 2 * M, 4 * M, 'rw'));
    const r = region(k, P);
    expect(r.hostBase).toBe(G512);
    expect(r.host.vmas.map((v) => [v.start - G512, v.end - G512, !!(v.flags & VM_SHARED)])).toEqual([[2 * M, 6 * M, true]]);
    expect(mmOf(k, 'a').vmas.length).toBe(1);
    expect(pageTables(k)).toBe(pt);
    expect(st(k, 'a').VmPTE + st(k, 'b').VmPTE).toBe(0);
    expect(okv(k.read('a', s + 2 * M))).toBe(0);
    // Errors: outside the region, misaligned, msharefs inside msharefs, MAP_HUGETLB on tmpfs, not msharefs.
    okv(k.file('/t', M));
    expect(k.ioctlCreateMapping('a', fd, G512 - PAGE, 2 * PAGE, 'rw').errno).toBe('EINVAL');
    expect(k.ioctlCreateMapping('a', fd, 100, PAGE, 'rw').errno).toBe('EINVAL');
    expect(k.ioctlCreateMapping('a', fd, 0, PAGE, 'rw', P).errno).toBe('EINVAL');
    expect(k.ioctlCreateMapping('a', fd, 0, 2 * M, 'rw', '/t', true).errno).toBe('EINVAL');
    expect(k.ioctlCreateMapping('a', fd, 0, PAGE, 'rw', '/nope').errno).toBe('ENOENT');
    expect(k.ioctlCreateMapping('a', 99, 0, PAGE, 'rw').errno).toBe('EBADF');
    const tfd = okv(k.open('a', '/t', false));
    expect(k.ioctlCreateMapping('a', tfd, 0, PAGE, 'rw').errno).toBe('ENOTTY');
    consistent(k);
    teardown(k);
  });

  it('M3 (2024): a fixed mmap inside an attached region creates the VMA in the host mm, visible to every sharer; ioctls are ENOTTY', () => {
    const k = kernel({ mshare: 2024 });
    make(k, 'a', 0);
    attach(k, 'b');
    okv(k.mmap('b', shanon(S + G, 2 * M)));
    const host = region(k, P).host;
    expect(host.vmas.map((v) => [v.start, v.end])).toEqual([[S + G, S + G + 2 * M]]);
    expect(mmOf(k, 'b').vmas.length).toBe(1);
    okv(k.write('b', S + G, 0x99));
    expect(okv(k.read('a', S + G, 1))).toBe(0x99);
    expect(k.mmap('b', shanon(S + G512 - PAGE, 2 * PAGE)).errno).toBe('EINVAL'); // crosses the end
    expect(k.ioctlCreateMapping('a', fdOf(k, 'a'), 0, PAGE, 'rw').errno).toBe('ENOTTY');
    expect(k.ioctlUnmap('a', fdOf(k, 'a'), 0, PAGE).errno).toBe('ENOTTY');
    consistent(k);
    teardown(k);
  });

  it.each(both)('M4 (%i): attaching creates one VM_MSHARE|VM_DONTEXPAND VMA the size of the region and installs no page-table entry', (flavour) => {
    const k = kernel({ mshare: flavour });
    make(k);
    okv(k.spawn('b'));
    const pt = pageTables(k);
    const a0 = allocs(k);
    const s = attach(k, 'b');
    const vmas = mmOf(k, 'b').vmas;
    expect(vmas.length).toBe(1);
    expect(vmas[0].end - vmas[0].start).toBe(G512);
    expect(vmas[0].flags & (VM_MSHARE | VM_DONTEXPAND)).toBe(VM_MSHARE | VM_DONTEXPAND);
    expect(pageTables(k)).toBe(pt);
    expect(allocs(k)).toBe(a0);
    expect(slot(k, 'b', s)!.lo & PTE_P).toBe(0);
    expect(st(k, 'b').VmPTE).toBe(0);
    consistent(k);
    teardown(k);
  });

  it('M4 (2025): MAP_PRIVATE and a misaligned fixed address are EINVAL; any aligned address works; a hint is rounded up to 512 GiB', () => {
    const k = kernel({ mshare: 2025 });
    make(k);
    okv(k.spawn('b'));
    const fd = okv(k.open('b', P, false));
    const req = (addr: number | null, flags: object) => ({ addr, len: G512, prot: 'rw', flags, fd });
    expect(k.mmap('b', req(null, { private: true })).errno).toBe('EINVAL');
    expect(k.mmap('b', req(4 * G512 + G, { shared: true, fixed: true })).errno).toBe('EINVAL');
    expect(k.mmap('b', { ...req(null, { shared: true }), len: G512 - PAGE }).errno).toBe('EINVAL');
    expect(okv(k.mmap('b', req(4 * G512 + G, { shared: true })))).toBe(5 * G512);
    expect(okv(k.mmap('b', req(7 * G512, { shared: true, fixed: true })))).toBe(7 * G512);
    consistent(k);
    teardown(k);
  });
});

describe('the mshare fault path (M5-M10)', () => {
  it('M5: a region fault takes the process mmap_lock, then the host mmap_lock nested; no inversion is recorded', () => {
    const k = kernel({ mshare: 2025 });
    const s = make(k);
    const seq = k.m.trace.seq;
    okv(k.write('a', s, 1));
    const locks = k.m.trace.since(seq).flatMap((e) => (e.type === 'lock' ? [e] : []));
    const host = region(k, P).host.id;
    const own = mmOf(k, 'a').id;
    const first = locks.findIndex((e) => e.action === 'acquire' && e.mm === own);
    const nested = locks.findIndex((e) => e.action === 'acquire' && e.mm === host);
    expect(first).toBeGreaterThanOrEqual(0);
    expect(nested).toBeGreaterThan(first);
    expect(locks[nested]).toMatchObject({ mode: 'read', nested: true });
    expect(lockEdges(k.m)).toContain('mm->host');
    expect(lockEdges(k.m)).not.toContain('host->mm');
    expect(k.m.s.lockInversions).toEqual([]);
    teardown(k);
  });

  it('M6 (2025): host_addr = fault_addr - vma.start + mshare_base: two processes at different addresses reach the same host page', () => {
    const k = kernel({ mshare: 2025 });
    const a = make(k);
    const b = attach(k, 'b', 9 * G512);
    expect(a).not.toBe(b);
    okv(k.write('a', a + 5 * PAGE + 8, 0x77));
    expect(okv(k.read('b', b + 5 * PAGE + 8, 1))).toBe(0x77);
    const host = region(k, P).host;
    const hp = findPte(k.m, host, G512 + 5 * PAGE);
    const hostPfn = (k.m.pm.u32[hp] >>> 12) + (k.m.pm.u32[hp + 1] & 0xfffff) * 0x100000;
    expect(pfnOf(k, 'a', a + 5 * PAGE)).toBe(hostPfn);
    expect(pfnOf(k, 'b', b + 5 * PAGE)).toBe(hostPfn);
    teardown(k);
  });

  it.each(both)('M7 (%i): the first fault in a slot copies the host slot entry, bumps the PUD share count and allocates nothing (kind mshare-link)', (flavour) => {
    const k = kernel({ mshare: flavour });
    const s = make(k);
    okv(k.write('a', s, 5));
    const pud = hostPud(k);
    const share = desc(k, pud).share;
    const b = attach(k, 'b');
    const a0 = allocs(k);
    const seq = k.m.trace.seq;
    expect(okv(k.read('b', b, 1))).toBe(5);
    expect(faultKindsSince(k, seq)).toEqual(['mshare-link']);
    expect(allocs(k)).toBe(a0);
    expect(desc(k, pud).share).toBe(share + 1);
    const r = region(k, P);
    const he = entryAt(k, r.host.pgd, r.hostBase, 0)!;
    expect(slot(k, 'b', b)).toMatchObject({ lo: he.lo, hi: he.hi });
    expect(k.m.trace.since(seq)).toContainEqual(expect.objectContaining({ type: 'mshare', action: 'link' }));
    consistent(k);
    teardown(k);
  });

  it.each(both)('M8 (%i): a hole in the region is SIGSEGV; access_error is checked against the host VMA\'s flags', (flavour) => {
    const k = kernel({ mshare: flavour });
    const s = make(k, 'a', 64 * M, 'r'); // the object is read-only in the host
    const b = attach(k, 'b');
    expect(okv(k.read('b', b))).toBe(0);
    let seq = k.m.trace.seq;
    expect(k.write('b', b, 1).signal).toBe('SIGSEGV');
    expect(faultKindsSince(k, seq)).toEqual(['sigsegv']);
    seq = k.m.trace.seq;
    expect(k.read('a', s + G).signal).toBe('SIGSEGV'); // no host VMA there
    expect(faultKindsSince(k, seq).at(-1)).toBe('sigsegv');
    consistent(k);
    teardown(k);
  });

  it.each(both)('M9 (%i): fault counts: new region 2 (populate host, then link); linked 1; unlinked over host tables 2 (link, populate) or 1 if the PTE exists', (flavour) => {
    const k = kernel({ mshare: flavour });
    const s = make(k);
    let seq = k.m.trace.seq;
    okv(k.write('a', s, 1)); // brand-new: no host tables yet
    expect(faultKindsSince(k, seq)).toEqual(['mshare-host', 'mshare-link']);
    seq = k.m.trace.seq;
    okv(k.write('a', s + PAGE, 1)); // linked, page missing
    expect(faultKindsSince(k, seq)).toEqual(['mshare-host']);
    const b = attach(k, 'b');
    seq = k.m.trace.seq;
    okv(k.read('b', b + 2 * PAGE)); // not linked, host has tables, page missing
    expect(faultKindsSince(k, seq)).toEqual(['mshare-link', 'mshare-host']);
    const c = attach(k, 'c');
    seq = k.m.trace.seq;
    okv(k.read('c', c)); // not linked, PTE exists
    expect(faultKindsSince(k, seq)).toEqual(['mshare-link']);
    seq = k.m.trace.seq;
    okv(k.touch('c', c, 3 * PAGE, 'read')); // linked and present: no fault at all
    expect(faultKindsSince(k, seq)).toEqual([]);
    consistent(k);
    teardown(k);
  });

  it.each(both)('M10 (%i): the process VMA\'s protections are not consulted: the host VMA/PTE decide, the same in every process', (flavour) => {
    const k = kernel({ mshare: flavour });
    make(k);
    const b = attach(k, 'b', null, 'r'); // b maps the region read-only...
    okv(k.write('b', b, 0x31)); // ...and still writes: the host VMA is rw
    expect(okv(k.read('a', region(k, P).start === 0 ? b : mmOf(k, 'a').vmas[0].start, 1))).toBe(0x31);
    consistent(k);
    teardown(k);
  });

  it('M10 (2024, mprotect=global): one process\'s mprotect changes the host VMA: every sharer loses write, stale TLB entries included', () => {
    const k = kernel({ mshare: 2024, cpus: 2 });
    make(k);
    attach(k, 'b');
    okv(k.run('a', 0));
    okv(k.run('b', 1));
    okv(k.write('a', S, 1));
    okv(k.write('b', S, 2)); // CPU 1 caches a writable translation
    expect(k.m.s.policies.mprotect).toBe('global');
    okv(k.mprotect('a', S, 64 * M, 'r'));
    expect(region(k, P).host.vmas[0].flags & 2).toBe(0);
    expect(pte(k, 'b', S)!.rw).toBe(false);
    consistent(k);
    expect(okv(k.read('b', S, 1))).toBe(2);
    expect(k.write('b', S, 3).signal).toBe('SIGSEGV');
    teardown(k);
  });

  it('M10/mprotect=einval (2025 default): mprotect of an msharefs VMA is EINVAL; partial munmap is EINVAL; madvise is EINVAL', () => {
    const k = kernel({ mshare: 2025 });
    const s = make(k);
    okv(k.write('a', s, 1));
    expect(k.m.s.policies.mprotect).toBe('einval');
    expect(k.mprotect('a', s, PAGE, 'r').errno).toBe('EINVAL');
    expect(k.mprotect('a', s, G512, 'r').errno).toBe('EINVAL');
    expect(k.munmap('a', s, PAGE).errno).toBe('EINVAL');
    expect(k.munmap('a', s + G, G).errno).toBe('EINVAL');
    expect(k.madvise('a', s, PAGE, 'dontneed').errno).toBe('EINVAL');
    expect(okv(k.read('a', s, 1))).toBe(1);
    consistent(k);
    teardown(k);
  });
});

describe('TLB, charging and teardown of regions (M11-M19)', () => {
  /** a on CPU 0 and b on CPU 1 linked to the region, c (unrelated) on CPU 2, CPU 3 idle. */
  function fourCpus(policy: 'all' | 'sharers') {
    const k = kernel({ mshare: 2025, cpus: 4 });
    k.policy({ tlbFlush: policy });
    const s = make(k);
    const b = attach(k, 'b');
    okv(k.spawn('c'));
    okv(k.run('a', 0));
    okv(k.run('b', 1));
    okv(k.run('c', 2));
    okv(k.touch('a', s, 16 * PAGE, 'write'));
    okv(k.touch('b', b, 16 * PAGE, 'read'));
    okv(k.touch('c', okv(k.mmap('c', anon(null, PAGE))), PAGE, 'write'));
    return k;
  }

  it('M11: tlb_flush=all: a host PTE change flushes every CPU (an IPI to each remote CPU, sharer or not)', () => {
    const k = fourCpus('all');
    const before = [0, 1, 2, 3].map((c) => shootdowns(k, c));
    okv(k.ioctlUnmap('a', fdOf(k, 'a'), 0, 16 * PAGE));
    const d = [0, 1, 2, 3].map((c) => shootdowns(k, c) - before[c]);
    expect(d[0]).toBe(0); // the local CPU flushes without an IPI
    expect(d.slice(1).every((x) => x >= 1)).toBe(true);
    expect(d[2]).toBe(d[1]); // c pays as much as the sharer b
    consistent(k);
    expect(k.read('b', mmOf(k, 'b').vmas[0].start).signal).toBe('SIGSEGV');
    teardown(k);
  });

  it('M11: tlb_flush=sharers: only CPUs running a sharer get IPIs, and the stale entries are still gone', () => {
    const k = fourCpus('sharers');
    const before = [0, 1, 2, 3].map((c) => shootdowns(k, c));
    okv(k.ioctlUnmap('a', fdOf(k, 'a'), 0, 16 * PAGE));
    const d = [0, 1, 2, 3].map((c) => shootdowns(k, c) - before[c]);
    expect(d[0]).toBe(0);
    expect(d[1]).toBeGreaterThanOrEqual(1);
    expect(d[2]).toBe(0);
    expect(d[3]).toBe(0);
    consistent(k);
    expect(k.read('b', mmOf(k, 'b').vmas[0].start).signal).toBe('SIGSEGV');
    teardown(k);
  });

  it.each(['owner', 'faulter'] as const)('M12 (charge=%s): region pages and host page tables are charged to the owner\'s or the faulting task\'s memcg', (charge) => {
    const k = kernel({ mshare: 2025 });
    okv(k.cgroup('own'));
    okv(k.cgroup('fb'));
    okv(k.spawn('a'));
    okv(k.join('a', 'own'));
    okv(k.spawn('b'));
    okv(k.join('b', 'fb'));
    k.policy({ charge });
    make(k, 'a', 64 * M);
    const b = attach(k, 'b');
    const own = k.m.s.cgroups.get('own')!;
    const fb = k.m.s.cgroups.get('fb')!;
    const o0 = { cur: own.current, pt: own.pagetables };
    const f0 = { cur: fb.current, pt: fb.pagetables };
    okv(k.touch('b', b, 64 * M, 'write'));
    const payer = charge === 'owner' ? own : fb;
    const other = charge === 'owner' ? fb : own;
    const p0 = charge === 'owner' ? o0 : f0;
    const q0 = charge === 'owner' ? f0 : o0;
    expect(payer.current - p0.cur).toBe(64 * M + 136 * K);
    expect(payer.pagetables - p0.pt).toBe(136 * K); // host PUD + PMD + 32 PTE
    expect(other.current).toBe(q0.cur);
    expect(other.pagetables).toBe(q0.pt);
    consistent(k);
    teardown(k);
  });

  it('M12/M1: the host mm\'s own PGD is charged to the creating task\'s memcg', () => {
    const k = kernel({ mshare: 2025 });
    okv(k.cgroup('own'));
    okv(k.cgroup('other'));
    okv(k.mount());
    okv(k.spawn('a'));
    okv(k.join('a', 'own'));
    okv(k.spawn('z'));
    okv(k.join('z', 'other'));
    okv(k.write('z', okv(k.mmap('z', anon(null, PAGE))), 1)); // the last operation ran as z
    const pt = k.m.s.cgroups.get('own')!.pagetables;
    okv(k.open('a', P, true));
    expect(k.m.s.cgroups.get('own')!.pagetables - pt).toBe(PAGE);
    expect(desc(k, region(k, P).host.pgd).memcg).toBe(k.m.s.cgroups.get('own')!.id);
    teardown(k);
  });

  it('M12 (5-level paging): the host\'s P4D page, allocated by find_shared_vma before set_active_memcg, is the first faulter\'s charge', () => {
    const built = Runner.fromSource([
      'machine mshare=2025 levels=5',
      'mount msharefs',
      'cgroup g',
      'cgroup h',
      'spawn a',
      'a: join g',
      'a: open /sys/fs/mshare/r create as F',
      'a: ftruncate F 512G',
      'a: ioctl F create_mapping 0 4K rw',
      'spawn b',
      'b: join h',
      'b: open /sys/fs/mshare/r as G',
      'b: mmap auto 512G rw shared fd=G as r',
      'b: read r',
      // g: the host PGD + PUD + PMD + PTE pages; h: b's own P4D page + the host's P4D page.
      'expect cgroup.g.pagetables == 16K',
      'expect cgroup.h.pagetables == 8K',
    ].join('\n'), 'p4d.msh');
    if (!built.ok) throw new Error(built.errors.map((e) => e.message).join('\n'));
    built.runner.runToEnd();
    expect(buildReport(built.runner).failures).toEqual([]);
  });

  it.each(both)('M13 (%i): unmapping the msharefs VMA unlinks the slot (share count -1, entry cleared, slot flushed) and leaves the region\'s pages alone', (flavour) => {
    const k = kernel({ mshare: flavour });
    const s = make(k);
    okv(k.touch('a', s, 16 * PAGE, 'write'));
    const b = attach(k, 'b');
    okv(k.read('b', b));
    const pud = hostPud(k);
    const host = region(k, P).host;
    expect(desc(k, pud).share).toBe(2);
    const rss = status(host).VmRSS;
    const flushesOf = () => {
      const fl = cpuCounters(k.m.s.tlb, k.task('b')!.cpu);
      return fl.flushPage + fl.flushMm + fl.flushAll;
    };
    const flushes = flushesOf();
    const seq = k.m.trace.seq;
    okv(k.munmap('b', b, G512));
    expect(desc(k, pud).share).toBe(1);
    expect(slot(k, 'b', b)!.lo & PTE_P).toBe(0);
    expect(flushesOf()).toBeGreaterThan(flushes);
    expect(k.m.trace.since(seq)).toContainEqual(expect.objectContaining({ type: 'mshare', action: 'unlink' }));
    expect(status(host).VmRSS).toBe(rss);
    expect(okv(k.read('a', s, 1))).toBe(0);
    // exit unlinks the same way.
    attach(k, 'c');
    okv(k.read('c', mmOf(k, 'c').vmas[0].start));
    expect(desc(k, pud).share).toBe(2);
    okv(k.exit('c'));
    expect(desc(k, pud).share).toBe(1);
    expect(status(host).VmRSS).toBe(rss);
    consistent(k);
    teardown(k);
  });

  it('M14/M19 (2025): MSHAREFS_UNMAP frees the pages and the PMD/PTE pages; the PUD page survives while its share count is above zero', () => {
    const k = kernel({ mshare: 2025 });
    const s = make(k);
    okv(k.touch('a', s, 64 * M, 'write'));
    const b = attach(k, 'b');
    okv(k.read('b', b));
    const host = region(k, P).host;
    const pud = hostPud(k);
    const page = pfnOf(k, 'a', s);
    expect(status(host)).toMatchObject({ VmRSS: 64 * M, VmPTE: 136 * K });
    okv(k.ioctlUnmap('a', fdOf(k, 'a'), 0, 64 * M));
    expect(status(host)).toMatchObject({ VmRSS: 0, VmPTE: PAGE }); // only the PUD page
    expect(desc(k, page).use).toBe(USE.free);
    expect(desc(k, pud)).toMatchObject({ use: USE.pud, share: 2 });
    expect(slot(k, 'b', b)!.lo & PTE_P).toBe(PTE_P); // still linked to the empty PUD
    consistent(k);
    expect(k.read('b', b).signal).toBe('SIGSEGV'); // a hole now (M8)
    okv(k.munmap('a', s, G512));
    expect(desc(k, pud)).toMatchObject({ use: USE.pud, share: 0 });
    consistent(k);
    teardown(k);
  });

  it('M15 (2025, owner_exit=unmap): the owner\'s exit empties the region, refuses new attaches, and others then get SIGSEGV while staying linked', () => {
    const k = kernel({ mshare: 2025 });
    const s = make(k);
    okv(k.touch('a', s, 16 * PAGE, 'write'));
    const b = attach(k, 'b');
    okv(k.read('b', b));
    const pud = hostPud(k);
    const page = pfnOf(k, 'a', s);
    const host = region(k, P).host;
    expect(k.m.s.policies.ownerExit).toBe('unmap');
    okv(k.exit('a'));
    expect(region(k, P)).toMatchObject({ owner: 0, orphaned: true });
    expect(status(host).VmRSS).toBe(0);
    expect(desc(k, page).use).toBe(USE.free);
    expect(desc(k, pud)).toMatchObject({ use: USE.pud, share: 1 });
    consistent(k);
    okv(k.spawn('late'));
    const fd = okv(k.open('late', P, false));
    expect(k.mmap('late', { addr: null, len: G512, prot: 'rw', flags: { shared: true }, fd }).errno).toBe('EINVAL');
    expect(k.read('b', b).signal).toBe('SIGSEGV');
    expect(k.task('b')!.signal).toBe('SIGSEGV');
    teardown(k);
  });

  it('M12/M15 (OOM): under charge=owner a sharer\'s fault that fills the owner\'s cgroup OOM-kills the owner, which empties the region', () => {
    // v3's argument for an owner: the OOM killer then has a task to kill that frees the region.
    const k = kernel({ mshare: 2025 });
    okv(k.cgroup('own', 8 * M));
    okv(k.spawn('a'));
    okv(k.join('a', 'own'));
    const s = make(k, 'a', 64 * M);
    okv(k.touch('a', s, 4 * M, 'write'));
    const b = attach(k, 'b');
    expect(k.m.s.policies.charge).toBe('owner');
    const r = k.touch('b', b, 64 * M, 'write'); // 64 MiB into an 8 MiB cgroup
    const kill = k.m.trace.ring.find((e) => e.type === 'oom-kill');
    expect(kill).toMatchObject({ name: 'a', cgroup: 'own' });
    expect(kill && kill.type === 'oom-kill' && kill.regionSharers).toEqual(expect.arrayContaining([`${P}: a`, `${P}: b`]));
    expect(k.task('a')).toMatchObject({ state: 'killed', signal: 'SIGKILL' });
    expect(status(region(k, P).host).VmRSS).toBe(0);
    // Left in the owner's cgroup: the host's PGD and the PUD page b still links (M19).
    expect(k.m.s.cgroups.get('own')!).toMatchObject({ current: 2 * PAGE, pagetables: 2 * PAGE });
    expect(r.signal).toBe('SIGSEGV'); // b's retried access finds the region empty (M8)
    consistent(k);
    teardown(k);
  });

  it('M15 (owner_exit=keep): the owner\'s exit leaves the region\'s memory in place for the other sharers', () => {
    const k = kernel({ mshare: 2025 });
    k.policy({ ownerExit: 'keep' });
    const s = make(k);
    okv(k.write('a', s, 0x42));
    const b = attach(k, 'b');
    okv(k.exit('a'));
    expect(region(k, P).owner).toBe(0);
    expect(okv(k.read('b', b, 1))).toBe(0x42);
    consistent(k);
    teardown(k);
  });

  it.each(both)('M16 (%i): unlink, then the last mapping and fd gone, evicts the inode and releases the host mm with every table and page', (flavour) => {
    const k = kernel({ mshare: flavour });
    const free0 = k.m.s.buddy.freeFrames;
    k.policy({ ownerExit: 'keep' });
    const s = make(k);
    okv(k.touch('a', s, 64 * PAGE, 'write'));
    const b = attach(k, 'b');
    okv(k.read('b', b));
    const host = region(k, P).host;
    okv(k.unlink(P));
    expect(k.m.s.regions.size).toBe(1); // still mapped
    expect(okv(k.read('b', b))).toBe(0);
    okv(k.exit('a'));
    expect(k.m.s.mms.has(host.id)).toBe(true);
    okv(k.exit('b'));
    expect(k.m.s.mms.has(host.id)).toBe(false);
    expect(k.m.s.regions.size).toBe(0);
    expect(k.m.s.buddy.freeFrames).toBe(free0);
    consistent(k);
    teardown(k);
  });

  it.each(both)('M17 (%i): fork gives the child the msharefs VMA and no tables; it links on its first fault; ownership does not pass', (flavour) => {
    const k = kernel({ mshare: flavour });
    k.policy({ ownerExit: 'unmap' });
    const s = make(k);
    okv(k.write('a', s, 0x17));
    const pud = hostPud(k);
    okv(k.fork('a', 'child'));
    expect(mmOf(k, 'child').vmas.map((v) => [v.start, !!(v.flags & VM_MSHARE)])).toEqual([[s, true]]);
    expect(st(k, 'child').VmPTE).toBe(0);
    expect(slot(k, 'child', s)!.lo & PTE_P).toBe(0);
    expect(desc(k, pud).share).toBe(1);
    const seq = k.m.trace.seq;
    expect(okv(k.read('child', s, 1))).toBe(0x17);
    expect(faultKindsSince(k, seq)).toEqual(['mshare-link']);
    expect(desc(k, pud).share).toBe(2);
    expect(region(k, P).owner).toBe(k.task('a')!.pid);
    // The child's exit is not an owner exit; the owner's is.
    okv(k.fork('a', 'child2'));
    okv(k.exit('child2'));
    expect(okv(k.read('child', s, 1))).toBe(0x17);
    okv(k.exit('a'));
    expect(k.read('child', s).signal).toBe('SIGSEGV');
    consistent(k);
    teardown(k);
  });

  it.each(both)('M18 (%i): sharers\' VmPTE and VmRSS stay 0; the host holds 64 MiB RSS and 136 kB VmPTE; PageTables counts the host tables once', (flavour) => {
    const k = kernel({ mshare: flavour });
    const s = make(k);
    okv(k.touch('a', s, 64 * M, 'write'));
    const n = 20;
    for (let i = 0; i < n; i++) {
      const name = `db${i}`;
      const b = attach(k, name);
      okv(k.touch(name, b, 64 * M, 'read'));
    }
    const host = region(k, P).host;
    expect(status(host)).toMatchObject({ VmRSS: 64 * M, RssShmem: 64 * M, VmPTE: 136 * K });
    for (const name of ['a', 'db0', `db${n - 1}`]) expect(st(k, name)).toMatchObject({ VmRSS: 0, VmPTE: 0 });
    // PGDs of n+1 processes and of the host, plus 34 host tables, each once.
    expect(pageTables(k)).toBe((n + 2) * PAGE + 136 * K);
    expect(desc(k, hostPud(k)).share).toBe(n + 1);
    consistent(k);
    teardown(k);
  });

  it('M18 (2025, without sharing for comparison): the same 64 MiB mapped MAP_SHARED by the same processes costs 136 kB each', () => {
    const k = kernel({ mshare: 2025 });
    okv(k.file('/sga', 64 * M));
    for (let i = 0; i < 4; i++) {
      okv(k.spawn(`p${i}`));
      const a = okv(k.mmap(`p${i}`, fileMap('/sga', 4 * G, 64 * M, 'rw', true)));
      okv(k.touch(`p${i}`, a, 64 * M, 'read'));
      expect(st(k, `p${i}`).VmPTE).toBe(136 * K);
    }
    expect(pageTables(k)).toBe(4 * (PAGE + 136 * K));
    teardown(k);
  });
});

describe('objects, walkers, gup and userfaultfd (M20-M23)', () => {
  it('M20 (2025): anonymous shared, tmpfs, hugetlbfs and anonymous hugetlb objects can live in a region; all are MAP_SHARED in the host', () => {
    const k = kernel({ mshare: 2025 });
    okv(k.file('/t', M));
    okv(k.file('/dev/hugepages/h', 4 * M));
    const s = make(k, 'a', 0);
    const fd = fdOf(k, 'a');
    okv(k.ioctlCreateMapping('a', fd, 0, M, 'rw'));
    okv(k.ioctlCreateMapping('a', fd, 2 * M, M, 'rw', '/t'));
    okv(k.ioctlCreateMapping('a', fd, 4 * M, 4 * M, 'rw', '/dev/hugepages/h'));
    okv(k.ioctlCreateMapping('a', fd, 8 * M, 2 * M, 'rw', undefined, true));
    const host = region(k, P).host;
    expect(host.vmas.every((v) => v.flags & VM_SHARED)).toBe(true);
    const b = attach(k, 'b');
    for (const off of [0, 2 * M, 4 * M, 8 * M]) okv(k.write('b', b + off, off / M + 1));
    expect(desc(k, pfnOf(k, 'b', b)).use).toBe(USE.shmem);
    // The tmpfs object is the file: a plain mapping of /t sees the region's write.
    okv(k.spawn('reader'));
    const t = okv(k.mmap('reader', fileMap('/t', null, M, 'r', true)));
    expect(okv(k.read('reader', t, 1))).toBe(3);
    expect(pfnOf(k, 'reader', t)).toBe(pfnOf(k, 'b', b + 2 * M));
    // hugetlb objects are 2 MiB leaves in the host's PMD.
    const hp = entryAt(k, host.pgd, G512 + 4 * M, 2)!;
    expect(hp.lo & 0x80).toBe(0x80);
    expect(okv(k.read('a', s + 8 * M, 1))).toBe(9);
    expect(status(host).HugetlbPages).toBe(4 * M);
    consistent(k);
    teardown(k);
  });

  it('M20 (2024): a MAP_PRIVATE object inside the region is not COWed between sharers: one private write is seen by all', () => {
    const k = kernel({ mshare: 2024 });
    make(k, 'a', 0);
    okv(k.mmap('a', anon(S + G, M)));
    attach(k, 'b');
    okv(k.write('a', S + G, 0x2a));
    expect(okv(k.read('b', S + G, 1))).toBe(0x2a);
    expect(pfnOf(k, 'b', S + G)).toBe(pfnOf(k, 'a', S + G));
    consistent(k);
    teardown(k);
  });

  it('M3 (2024): a munmap inside an attached region unmaps the host object for every sharer; the process VMA stays whole; v3 refuses it', () => {
    const k = kernel({ mshare: 2024 });
    make(k, 'a', 0);
    attach(k, 'b');
    okv(k.mmap('b', shanon(S + G, 2 * M)));
    okv(k.write('a', S + G, 0x99));
    expect(okv(k.read('b', S + G, 1))).toBe(0x99);
    const host = region(k, P).host;
    const page = pfnOf(k, 'a', S + G);
    // The second MiB goes; the first stays for both.
    okv(k.munmap('b', S + G + M, M));
    expect(host.vmas.map((v) => [v.start, v.end])).toEqual([[S + G, S + G + M]]);
    expect(mmOf(k, 'a').vmas.length).toBe(1);
    expect(mmOf(k, 'b').vmas.length).toBe(1);
    expect(okv(k.read('a', S + G, 1))).toBe(0x99);
    expect(k.read('a', S + G + M).signal).toBe('SIGSEGV'); // a hole in the region now (M8)
    okv(k.munmap('b', S + G, M)); // the rest: the page is freed
    expect(host.vmas).toEqual([]);
    expect(desc(k, page).use).toBe(USE.free);
    expect(k.read('b', S + G).signal).toBe('SIGSEGV');
    consistent(k);
    teardown(k);
  });

  it('M3 (2025): a munmap inside the region is EINVAL (may_split): objects are removed with ioctl unmap', () => {
    const k = kernel({ mshare: 2025 });
    const s = make(k);
    okv(k.touch('a', s, M, 'write'));
    expect(k.munmap('a', s, M).errno).toBe('EINVAL');
    expect(okv(k.read('a', s, 1))).toBe(0);
    consistent(k);
    teardown(k);
  });

  it.each(both)('M3 (%i): a MAP_FIXED mmap over part of an msharefs VMA is EINVAL (may_split) and changes nothing', (flavour) => {
    // __split_vma asks vm_ops->may_split on the implicit munmap of MAP_FIXED as on munmap(2).
    // Split anyway, the piece left over faulted through a shifted vm_start (wrong data,
    // SIGBUS) and unmapping a 4 KiB piece unlinked the whole slot.
    const k = kernel({ mshare: flavour });
    const s = make(k);
    okv(k.write('a', s + 2 * PAGE, 'shared'));
    const b = attach(k, 'b', flavour === 2025 ? S : null);
    const before = stateDigest(k.m);
    // Straddling the region's start (a private mapping from one page below it).
    const r = k.mmap('b', { addr: b - PAGE, len: 2 * PAGE, prot: 'rw', flags: { private: true, anon: true, fixed: true } });
    expect(r.errno).toBe('EINVAL');
    expect(r.detail).toMatch(/msharefs VMA/);
    expect(stateDigest(k.m)).toBe(before);
    expect(k.read('b', b + 2 * PAGE, 6).text).toBe('shared');
    // Covering the whole VMA is a plain unmap of it, as munmap of the whole region is.
    okv(k.mmap('b', { addr: b - PAGE, len: G512 + 2 * PAGE, prot: 'rw', flags: { private: true, anon: true, fixed: true } }));
    expect(okv(k.read('b', b + 2 * PAGE, 1))).toBe(0);
    expect(mmOf(k, 'b').vmas.some((v) => v.flags & VM_MSHARE)).toBe(false);
    expect(k.read('a', s + 2 * PAGE, 6).text).toBe('shared');
    consistent(k);
    teardown(k);
  });

  it('M3 (2025): a fixed attach over part of another attached region is EINVAL (may_split)', () => {
    const k = kernel({ mshare: 2025 });
    okv(k.mount());
    okv(k.spawn('a'));
    const big = okv(k.open('a', '/sys/fs/mshare/big', true));
    okv(k.ftruncate('a', big, 2 * G512));
    okv(k.ioctlCreateMapping('a', big, G512, 4 * M, 'rw'));
    const at = okv(k.mmap('a', { addr: 2 * G512, len: 2 * G512, prot: 'rw', flags: { shared: true, fixed: true }, fd: big }));
    okv(k.write('a', at + G512, 'second'));
    const small = okv(k.open('a', P, true));
    okv(k.ftruncate('a', small, G512));
    okv(k.ioctlCreateMapping('a', small, 0, 4 * M, 'rw'));
    const r = k.mmap('a', { addr: at, len: G512, prot: 'rw', flags: { shared: true, fixed: true }, fd: small });
    expect(r.errno).toBe('EINVAL');
    expect(k.read('a', at + G512, 6).text).toBe('second');
    consistent(k);
    teardown(k);
  });

  it.each(both)('M21 (%i): THP in a region only with shmem_thp=always; MADV_HUGEPAGE on the msharefs VMA has no effect (an ioctl would be needed)', (flavour) => {
    const hugePmd = (k: Kernel, va: number) => {
      const host = region(k, P).host;
      const e = entryAt(k, host.pgd, va - (mmOf(k, 'a').vmas.find((v) => v.flags & VM_MSHARE)!.start) + region(k, P).hostBase, k.m.geo.pmdDepth);
      return !!e && (e.lo & 1) === 1 && (e.lo & 0x80) !== 0;
    };
    // always: the sharers' faults fill the host's tables with 2 MiB PMDs; no PTE page at all.
    const k = kernel({ mshare: flavour, shmemThp: 'always' });
    const s = make(k);
    const b = attach(k, 'b');
    okv(k.touch('b', b, 8 * M, 'read'));
    okv(k.touch('a', s, 8 * M, 'write'));
    expect(hugePmd(k, s)).toBe(true);
    expect(meminfo(k.m).ShmemPmdMapped).toBe(8 * M);
    const host = region(k, P).host;
    expect(host.rssShmem).toBe((8 * M) / PAGE);
    expect(st(k, 'b').VmPTE).toBe(0);
    consistent(k);
    teardown(k);
    // advise: MADV_HUGEPAGE on the msharefs VMA succeeds and changes nothing: the fault is
    // handled against the host VMA, which never got VM_HUGEPAGE. Outside a region it works.
    const k2 = kernel({ mshare: flavour, shmemThp: 'advise' });
    const s2 = make(k2);
    const r = k2.madvise('a', s2, 8 * M, 'hugepage');
    expect(r.errno).toBeNull();
    expect(r.detail).toMatch(/no effect on an msharefs VMA/);
    okv(k2.touch('a', s2, 8 * M, 'write'));
    expect(hugePmd(k2, s2)).toBe(false);
    expect(meminfo(k2.m).ShmemPmdMapped).toBe(0);
    const plain = okv(k2.mmap('a', shanon(null, 4 * M)));
    okv(k2.madvise('a', plain, 4 * M, 'hugepage'));
    okv(k2.touch('a', plain, 4 * M, 'write'));
    expect(meminfo(k2.m).ShmemPmdMapped).toBe(4 * M);
    consistent(k2);
    teardown(k2);
  });

  it.each(both)('M22 (%i): smaps from the process VMA sees none of the region; the host VMA holds it; the OOM report lists every sharer (msharefs rmap)', (flavour) => {
    const k = kernel({ mshare: flavour });
    const s = make(k);
    okv(k.touch('a', s, 16 * PAGE, 'write'));
    const b = attach(k, 'b');
    okv(k.touch('b', b, 16 * PAGE, 'read'));
    expect(smaps(k.m, mmOf(k, 'b').vmas[0]).Rss).toBe(0);
    expect(smaps(k.m, region(k, P).host.vmas[0]).Rss).toBe(16 * PAGE);
    // The frames' reverse-map data points into the host.
    const host = region(k, P).host;
    const v = host.vmas[0];
    expect(k.m.pm.d.mapping[pfnOf(k, 'b', b)]).toBe(v.file!.id);
    // OOM: b runs its cgroup out of memory; the kill report names the region's sharers.
    okv(k.cgroup('small', 64 * K));
    okv(k.join('b', 'small'));
    k.policy({ charge: 'faulter' });
    const x = okv(k.mmap('b', anon(null, M)));
    expect(k.touch('b', x, M, 'write').signal).toBe('SIGKILL');
    const kill = k.m.trace.ring.find((e) => e.type === 'oom-kill');
    expect(kill).toMatchObject({ name: 'b' });
    expect(kill && kill.type === 'oom-kill' && kill.regionSharers).toEqual(expect.arrayContaining([`${P}: a`, `${P}: b`]));
    consistent(k);
    teardown(k);
  });

  it.each(both)('M23 (%i): get_user_pages cannot fault in a missing region page (EFAULT); userfaultfd registration on a region is EINVAL', (flavour) => {
    const k = kernel({ mshare: flavour });
    const s = make(k);
    okv(k.write('a', s, 1));
    const b = attach(k, 'b');
    expect(k.gup('b', b + PAGE, PAGE, false).errno).toBe('EFAULT'); // not linked, not populated
    expect(k.gup('a', s + PAGE, PAGE, false).errno).toBe('EFAULT'); // linked, page missing
    expect(k.uffdRegister('b', b, PAGE, 'missing').errno).toBe('EINVAL');
    expect(k.uffdRegister('a', s, G512, 'wp').errno).toBe('EINVAL');
    consistent(k);
    teardown(k);
  });

  it('M23 (2024): MAP_POPULATE of a fixed mmap inside a region populates nothing (GUP cannot fault there) and says so', () => {
    const k = kernel({ mshare: 2024 });
    const s = make(k, 'a', 0);
    const r = k.mmap('a', { ...shanon(s, 4 * M, 'rw'), flags: { shared: true, anon: true, fixed: true, populate: true } });
    expect(r.value).toBe(s);
    expect(r.detail).toMatch(/MAP_POPULATE has no effect/);
    expect(status(region(k, P).host).VmRSS).toBe(0);
    expect(okv(k.read('a', s + M, 1))).toBe(0); // the mapping is there; a fault populates it
    consistent(k);
    teardown(k);
  });

  it('M23 (2025): a pinned region page survives MSHAREFS_UNMAP until it is unpinned', () => {
    const k = kernel({ mshare: 2025 });
    const s = make(k);
    okv(k.write('a', s, 0x66));
    expect(okv(k.gup('a', s, PAGE, true))).toBe(1);
    const page = pfnOf(k, 'a', s);
    expect(desc(k, page)).toMatchObject({ pincount: 1, use: USE.shmem });
    okv(k.ioctlUnmap('a', fdOf(k, 'a'), 0, 64 * M));
    expect(status(region(k, P).host).VmRSS).toBe(0);
    expect(desc(k, page)).toMatchObject({ use: USE.shmem, pincount: 1, mapcount: 0 });
    expect(k.m.pm.u8[page * PAGE]).toBe(0x66); // DMA can still reach the data
    consistent(k);
    okv(k.unpin('a', s, PAGE));
    expect(desc(k, page).use).toBe(USE.free);
    consistent(k);
    teardown(k);
  });
  it('M11 (regression): tlb_flush=sharers flushes every attachment, also a process that mapped the region twice', () => {
    // The notifier deduplicated by mm and flushed only the first VMA's range: the second
    // address kept a writable translation after a global mprotect.
    const k = kernel({ mshare: 2025 });
    k.policy({ tlbFlush: 'sharers', mprotect: 'global' });
    const a1 = make(k);
    const fd = fdOf(k, 'a');
    const a2 = okv(k.mmap('a', { addr: 5 * G512, len: G512, prot: 'rw', flags: { shared: true, fixed: true }, fd }));
    okv(k.write('a', a1, 1));
    okv(k.write('a', a2, 2)); // both addresses cached writable
    okv(k.mprotect('a', a1, PAGE, 'r'));
    consistent(k);
    expect(okv(k.read('a', a2, 1))).toBe(2);
    expect(k.write('a', a2, 3).signal).toBe('SIGSEGV');
    teardown(k);
  });

  it('M15/M19 (regression, 5-level): the host keeps its P4D page above a PUD page that sharers still link; nothing leaks', () => {
    // free_pgtables kept the linked PUD but freed the host's P4D above it, orphaning the PUD.
    const k = kernel({ mshare: 2025, levels: 5 });
    const s = make(k);
    okv(k.write('a', s, 1));
    const b = attach(k, 'b');
    okv(k.read('b', b));
    const pud = hostPud(k);
    okv(k.exit('a')); // owner_exit=unmap: the host range is unmapped while b is linked
    expect(desc(k, pud)).toMatchObject({ use: USE.pud, share: 1 });
    const host = region(k, P).host;
    const p4d = entryAt(k, host.pgd, G512, 0)!;
    expect(p4d.lo & PTE_P).toBe(PTE_P);
    expect(desc(k, (p4d.lo >>> 12) + (p4d.hi & 0xfffff) * 0x100000).use).toBe(USE.p4d);
    consistent(k);
    teardown(k); // b exits, the file goes: every frame comes back
  });
  it('M14/M20 (regression): MSHAREFS_UNMAP and a global mprotect that would split a host hugetlb object inside a 2 MiB page are EINVAL', () => {
    // Both went straight to do_munmap/mprotect on the host, splitting the hugetlb VMA at 4 KiB
    // (a 4 KiB unmap zapped the whole 2 MiB leaf and left the VMA pieces around it).
    const k = kernel({ mshare: 2025 });
    k.policy({ mprotect: 'global' });
    const s = make(k, 'a', 0);
    const fd = fdOf(k, 'a');
    okv(k.ioctlCreateMapping('a', fd, 0, 4 * M, 'rw', undefined, true));
    okv(k.write('a', s, 7));
    expect(k.ioctlUnmap('a', fd, PAGE, PAGE).errno).toBe('EINVAL');
    expect(k.mprotect('a', s + PAGE, PAGE, 'r').errno).toBe('EINVAL');
    const host = region(k, P).host;
    expect(host.vmas.map((v) => [v.start - G512, v.end - G512])).toEqual([[0, 4 * M]]);
    expect(okv(k.read('a', s, 1))).toBe(7);
    // On 2 MiB boundaries both work.
    okv(k.mprotect('a', s + 2 * M, 2 * M, 'r'));
    okv(k.ioctlUnmap('a', fd, 2 * M, 2 * M));
    expect(host.vmas.map((v) => [v.start - G512, v.end - G512])).toEqual([[0, 2 * M]]);
    consistent(k);
    teardown(k);
  });
});

/**
 * The hugetlb pool and its reservations (src/engine/mm/hugetlb-pool.ts, mm/hugetlb.c): the
 * machine has no persistent huge pages and unlimited overcommit, so every huge page is a
 * surplus page; mmap reserves (and allocates) them, faults consume them, and running out is
 * ENOMEM at mmap or SIGBUS at a fault, never the OOM killer.
 *
 *   mmap 8M private:  pool [R R R R]          Total 4  Free 4  Rsvd 4
 *   touch 4M:         pool [U U R R]          Total 4  Free 2  Rsvd 2
 *   munmap:           pool []                 Total 0  Free 0  Rsvd 0   (surplus pages go back)
 */
import { describe, expect, it } from 'vitest';
import { meminfo } from '../../src/engine/mm/proc';
import type { Kernel } from '../../src/engine/kernel';
import { G, M, consistent, desc, entryAt, fileMap, kernel, mmOf, okv, st, teardown } from './helpers';

const X = 0x40000000;

function huge(k: Kernel) {
  const mi = meminfo(k.m);
  // Every pool page is a surplus page: nr_hugepages is 0 and only overcommit fills the pool.
  expect(mi.HugePages_Surp).toBe(mi.HugePages_Total);
  return { total: mi.HugePages_Total, free: mi.HugePages_Free, rsvd: mi.HugePages_Rsvd };
}

function hugeAnon(addr: number, len: number, shared: boolean, extra: Record<string, boolean> = {}) {
  return { addr, len, prot: 'rw', flags: { shared, private: !shared, anon: true, hugetlb: true, fixed: true, ...extra } };
}

describe('hugetlb reservations (hugetlb_reserve_pages, alloc_hugetlb_folio)', () => {
  it('a private mapping reserves and allocates its huge pages at mmap; faults consume them; munmap returns the rest to the buddy allocator', () => {
    const k = kernel();
    okv(k.spawn('a'));
    const free0 = meminfo(k.m).MemFree;
    okv(k.mmap('a', hugeAnon(X, 8 * M, false)));
    expect(huge(k)).toEqual({ total: 4, free: 4, rsvd: 4 });
    expect(free0 - meminfo(k.m).MemFree).toBe(8 * M);
    okv(k.touch('a', X, 4 * M, 'write'));
    expect(huge(k)).toEqual({ total: 4, free: 2, rsvd: 2 });
    expect(st(k, 'a').HugetlbPages).toBe(4 * M);
    consistent(k);
    okv(k.munmap('a', X, 8 * M));
    expect(huge(k)).toEqual({ total: 0, free: 0, rsvd: 0 });
    expect(meminfo(k.m).MemFree).toBe(free0);
    consistent(k);
    teardown(k);
  });

  it('a reservation RAM cannot hold fails mmap with ENOMEM and allocates nothing; MAP_NORESERVE maps it', () => {
    const k = kernel({ ram: 64 * M });
    okv(k.spawn('a'));
    const free0 = meminfo(k.m).MemFree;
    const r = k.mmap('a', hugeAnon(X, G, true));
    expect(r.errno).toBe('ENOMEM');
    expect(r.detail).toMatch(/reserve 512 huge pages/);
    expect(huge(k)).toEqual({ total: 0, free: 0, rsvd: 0 });
    expect(meminfo(k.m).MemFree).toBe(free0);
    expect(k.task('a')!.mm!.vmas).toEqual([]);
    // MAP_NORESERVE maps it: nothing is reserved, pages come as they are touched.
    okv(k.mmap('a', hugeAnon(X, G, true, { noreserve: true })));
    expect(huge(k)).toEqual({ total: 0, free: 0, rsvd: 0 });
    okv(k.touch('a', X, 4 * M, 'write'));
    expect(huge(k)).toEqual({ total: 2, free: 0, rsvd: 0 });
    consistent(k);
    teardown(k);
  });

  it('a fault with no reservation and no memory is SIGBUS for the faulting task; the OOM killer spares the others', () => {
    const k = kernel();
    okv(k.spawn('bystander'));
    okv(k.mmap('bystander', { addr: null, len: 100 * M, prot: 'rw', flags: { private: true, anon: true } }));
    okv(k.touch('bystander', k.task('bystander')!.mm!.vmas[0].start, 100 * M, 'write'));
    okv(k.spawn('h'));
    okv(k.mmap('h', hugeAnon(X, G, true, { noreserve: true })));
    const r = k.touch('h', X, 200 * M, 'write');
    expect(r.signal).toBe('SIGBUS');
    expect(k.task('h')!.state).toBe('killed');
    expect(k.task('bystander')!.state).toBe('running');
    expect(k.m.s.oomKills).toBe(0);
    consistent(k);
    teardown(k);
  });

  it('huge pages are not charged to a memory cgroup: memory.current leaves them out and the cgroup OOM killer stays away', () => {
    const k = kernel();
    okv(k.cgroup('g', 32 * M));
    okv(k.spawn('a'));
    okv(k.join('a', 'g'));
    okv(k.mmap('a', { addr: null, len: 8 * M, prot: 'rw', flags: { private: true, anon: true } }));
    okv(k.touch('a', k.task('a')!.mm!.vmas[0].start, 8 * M, 'write'));
    okv(k.spawn('b'));
    okv(k.join('b', 'g'));
    okv(k.mmap('b', hugeAnon(X, G, true, { noreserve: true })));
    const before = k.m.s.cgroups.get('g')!.current;
    okv(k.touch('b', X, 64 * M, 'write'));
    const g = k.m.s.cgroups.get('g')!;
    // Only b's page tables were charged: a PUD and a PMD page (no PTE level with 2 MiB leaves).
    expect(g.current - before).toBe(8 * 1024);
    expect(st(k, 'b').HugetlbPages).toBe(64 * M);
    expect(k.task('a')!.state).toBe('running');
    expect(g.oomKills).toBe(0);
    consistent(k);
    teardown(k);
  });

  it('a shared file is reserved once for all its mappings; truncation returns what no fault used; eviction returns the pages', () => {
    const k = kernel();
    const F = '/dev/hugepages/f';
    okv(k.file(F, 16 * M));
    okv(k.spawn('a'));
    okv(k.spawn('b'));
    okv(k.mmap('a', fileMap(F, X, 16 * M, 'rw', true)));
    okv(k.mmap('b', fileMap(F, 2 * X, 16 * M, 'rw', true)));
    expect(huge(k)).toEqual({ total: 8, free: 8, rsvd: 8 });
    okv(k.touch('a', X, 4 * M, 'write'));
    expect(okv(k.read('b', 2 * X, 1))).toBe(0);
    expect(huge(k)).toEqual({ total: 8, free: 6, rsvd: 6 });
    // Shrink the file to 8M: the 4 reserved pages beyond it go back; its 2 cached pages stay.
    const fd = okv(k.open('a', F, false));
    okv(k.munmap('a', X, 16 * M));
    okv(k.munmap('b', 2 * X, 16 * M));
    okv(k.ftruncate('a', fd, 8 * M));
    expect(huge(k)).toEqual({ total: 4, free: 2, rsvd: 2 });
    consistent(k);
    okv(k.close('a', fd));
    okv(k.unlink(F));
    expect(huge(k)).toEqual({ total: 0, free: 0, rsvd: 0 });
    consistent(k);
    teardown(k);
  });

  it('a private mapping of a hugetlbfs file gets anonymous pages for what the file has not cached; the file stays empty', () => {
    const k = kernel();
    const F = '/dev/hugepages/p';
    okv(k.file(F, 4 * M));
    okv(k.spawn('a'));
    okv(k.mmap('a', fileMap(F, X, 4 * M, 'rw', false)));
    okv(k.write('a', X, 7));
    expect(k.m.s.paths.get(F)!.pages.filter((p) => p !== undefined)).toEqual([]);
    expect(huge(k)).toEqual({ total: 2, free: 1, rsvd: 1 });
    consistent(k);
    teardown(k);
  });

  it('a fork\'s child owns no reservation; munmap of half a private mapping returns that half\'s unused reservation (the pieces share one map)', () => {
    const k = kernel();
    okv(k.spawn('a'));
    okv(k.mmap('a', hugeAnon(X, 8 * M, false)));
    okv(k.write('a', X, 1));
    expect(huge(k)).toEqual({ total: 4, free: 3, rsvd: 3 });
    okv(k.fork('a', 'c'));
    // The child's write copies the shared page with no reservation: a fresh surplus page.
    okv(k.write('c', X, 2));
    expect(huge(k)).toEqual({ total: 5, free: 3, rsvd: 3 });
    expect(okv(k.read('a', X, 1))).toBe(1);
    okv(k.exit('c'));
    expect(huge(k)).toEqual({ total: 4, free: 3, rsvd: 3 });
    // Unmap the upper half (2 reserved, unused pages): they go back; the lower half keeps 1.
    okv(k.munmap('a', X + 4 * M, 4 * M));
    expect(huge(k)).toEqual({ total: 2, free: 1, rsvd: 1 });
    consistent(k);
    teardown(k);
    expect(huge(k)).toEqual({ total: 0, free: 0, rsvd: 0 });
  });
});

describe('private mappings of a hugetlbfs file (hugetlb_no_page)', () => {
  it('a write through a private mapping never reaches the file: an uncached page is anonymous, a cached one is copied', () => {
    const k = kernel();
    const F = '/dev/hugepages/q';
    okv(k.file(F, 4 * M));
    okv(k.spawn('a'));
    okv(k.spawn('b'));
    okv(k.mmap('a', fileMap(F, X, 4 * M, 'rw', false)));
    okv(k.mmap('b', fileMap(F, 2 * X, 4 * M, 'rw', true)));
    okv(k.write('a', X, 7)); // not cached: a's own anonymous page
    expect(okv(k.read('b', 2 * X, 1))).toBe(0);
    okv(k.write('b', 2 * X + 2 * M, 5)); // b puts the second page in the cache
    expect(okv(k.read('a', X + 2 * M, 1))).toBe(5); // a private read sees the file
    okv(k.write('a', X + 2 * M, 9)); // ... and a private write copies it
    expect(okv(k.read('b', 2 * X + 2 * M, 1))).toBe(5);
    expect(okv(k.read('a', X + 2 * M, 1))).toBe(9);
    consistent(k);
    teardown(k);
  });
});

/** The frame the 2 MiB leaf (a PMD entry) for `va` maps. */
function leafPfn(k: Kernel, name: string, va: number): number {
  const e = entryAt(k, mmOf(k, name).pgd, va, 2)!;
  expect(e.lo & 0x81).toBe(0x81); // present, PS
  return (e.lo >>> 12) + (e.hi & 0xfffff) * 0x100000;
}

describe('GUP on hugetlb (gup_must_unshare)', () => {
  it('a read pin of a huge page still shared after fork unshares it: the parent\'s later write keeps its own pinned page', () => {
    const k = kernel();
    okv(k.spawn('a'));
    okv(k.mmap('a', hugeAnon(X, 2 * M, false)));
    okv(k.write('a', X, 1));
    okv(k.fork('a', 'c'));
    const shared = leafPfn(k, 'a', X);
    expect(leafPfn(k, 'c', X)).toBe(shared);
    okv(k.gup('a', X, 4096, false));
    // The parent now maps its own copy, read-only and clean; the pin is on it.
    const own = leafPfn(k, 'a', X);
    expect(own).not.toBe(shared);
    expect(desc(k, own).pincount).toBe(1);
    expect(entryAt(k, mmOf(k, 'a').pgd, X, 2)!.lo & 0x42).toBe(0); // the PMD leaf: neither RW nor D
    okv(k.write('a', X, 2)); // reuses the pinned page: mapped once, anonymous
    expect(leafPfn(k, 'a', X)).toBe(own);
    expect(okv(k.read('c', X, 1))).toBe(1);
    consistent(k);
    okv(k.unpin('a', X, 4096));
    teardown(k);
  });
});

describe('hugetlb mmap and madvise edges (review of the pool, compared with Linux 6.18)', () => {
  it('MAP_FIXED over a private hugetlb mapping closes it first (its reservation goes back); a failed reservation leaves a hole', () => {
    const k = kernel({ ram: 16 * M }); // room for 7 huge pages
    okv(k.spawn('a'));
    okv(k.mmap('a', hugeAnon(X, 12 * M, false)));
    okv(k.touch('a', X, 4 * M, 'write'));
    okv(k.mmap('a', hugeAnon(X, 12 * M, false))); // needed 6 + 6 before; 6 now
    expect(huge(k)).toEqual({ total: 6, free: 6, rsvd: 6 });
    okv(k.write('a', X, 42));
    const r = k.mmap('a', hugeAnon(X, 16 * M, false)); // 8 pages: more than RAM holds
    expect(r.errno).toBe('ENOMEM');
    expect(huge(k)).toEqual({ total: 0, free: 0, rsvd: 0 });
    expect(k.task('a')!.mm!.vmas).toEqual([]); // vms_clean_up_area ran: a hole, not the old mapping
    consistent(k);
    teardown(k);
  });

  it('a writable mapping of a hugetlbfs file past its end makes the file that long (hugetlbfs_file_mmap)', () => {
    const k = kernel();
    okv(k.spawn('a'));
    const fd = okv(k.open('a', '/dev/hugepages/z', true));
    okv(k.mmap('a', { addr: X, len: 8 * M, prot: 'rw', fd, flags: { shared: true, private: false, fixed: true } }));
    expect(k.m.s.paths.get('/dev/hugepages/z')!.size).toBe(8 * M);
    okv(k.write('a', X + 6 * M, 1));
    consistent(k);
    teardown(k);
  });

  it('MAP_POPULATE that runs out of huge pages still returns the mapping (mm_populate ignores errors)', () => {
    const k = kernel({ ram: 16 * M });
    okv(k.spawn('a'));
    const r = k.mmap('a', hugeAnon(X, 32 * M, false, { noreserve: true, populate: true }));
    expect(r.errno).toBeNull();
    expect(r.value).toBe(X);
    expect(r.detail).toMatch(/MAP_POPULATE stopped at 0x[0-9a-f]+: no huge page left/);
    expect(k.task('a')!.state).toBe('running');
    expect(huge(k).total).toBeGreaterThan(0);
    consistent(k);
    teardown(k);
  });

  it('MADV_DONTNEED in a hugetlb VMA rounds its end down to a huge page; a start inside one is EINVAL', () => {
    const k = kernel();
    okv(k.spawn('a'));
    okv(k.mmap('a', hugeAnon(X, 8 * M, false)));
    okv(k.touch('a', X, 8 * M, 'write'));
    okv(k.madvise('a', X, 3 * M, 'dontneed')); // zaps 0-2M only
    expect(st(k, 'a').HugetlbPages).toBe(6 * M);
    okv(k.madvise('a', X + 4 * M, M, 'dontneed')); // rounds down to nothing
    expect(st(k, 'a').HugetlbPages).toBe(6 * M);
    expect(k.madvise('a', X + M, 2 * M, 'dontneed').errno).toBe('EINVAL');
    consistent(k);
    teardown(k);
  });
});

describe('unmap_ref_private', () => {
  it('the owner of a private mapping whose copy finds no huge page takes the page from its child, which gets SIGBUS at its next touch there', () => {
    const k = kernel({ ram: 16 * M });
    okv(k.spawn('a'));
    okv(k.mmap('a', hugeAnon(X, 6 * M, false)));
    okv(k.touch('a', X, 6 * M, 'write'));
    okv(k.fork('a', 'c'));
    // A hog reserves every huge page the buddy allocator still has.
    okv(k.spawn('hog'));
    let n = 8;
    while (n > 0 && k.mmap('hog', hugeAnon(2 * X, n * 2 * M, false)).errno) n--;
    expect(k.mmap('hog', hugeAnon(4 * X, 2 * M, false)).errno).toBe('ENOMEM');
    const before = leafPfn(k, 'a', X);
    okv(k.write('a', X, 5)); // no page for the copy: c loses its mapping, a reuses the page
    expect(leafPfn(k, 'a', X)).toBe(before);
    expect(st(k, 'c').HugetlbPages).toBe(4 * M);
    expect(okv(k.read('c', X + 2 * M, 1))).toBe(0); // still mapped, still shared
    expect(k.read('c', X, 1).signal).toBe('SIGBUS');
    expect(k.task('c')!.state).toBe('killed');
    consistent(k);
    teardown(k);
  });
});

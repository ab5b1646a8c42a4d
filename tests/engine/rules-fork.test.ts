/**
 * fork (kernel-semantics.md §3.3, R15-R19): which tables are copied, the write-protection of
 * COW pages on both sides, refcounts and mapcounts, pinned pages, and copy vs reuse.
 */
import { describe, expect, it } from 'vitest';
import { PG_ANON_EXCLUSIVE } from '../../src/engine/hw/physmem';
import {
  K, PAGE, USE, allocs, anon, checkInvariants, consistent, desc, faultKindsSince, fileMap, kernel, mmOf, okv, pageTables, pfnOf, pte,
  shanon, st, teardown,
} from './helpers';

describe('fork (R15-R19)', () => {
  it('R15: fork copies no tables for shared file/shmem mappings or never-written private mappings; the child faults them in lazily', () => {
    //  parent                                  child after fork
    //  [ shared anon, touched   ]  tables       [ same VMA ]  no tables
    //  [ tmpfs MAP_SHARED, touched] tables      [ same VMA ]  no tables
    //  [ private anon, read only ]  zero page   [ same VMA ]  no tables (no anon_vma)
    const k = kernel();
    okv(k.file('/f', 16 * K));
    okv(k.spawn('p'));
    const sh = okv(k.mmap('p', shanon(null, 16 * K)));
    const f = okv(k.mmap('p', fileMap('/f', null, 16 * K, 'rw', true)));
    const ro = okv(k.mmap('p', anon(null, 16 * K)));
    okv(k.touch('p', sh, 16 * K, 'write'));
    okv(k.touch('p', f, 16 * K, 'write'));
    okv(k.touch('p', ro, 16 * K, 'read'));
    expect(st(k, 'p').VmPTE).toBeGreaterThan(0);
    okv(k.fork('p', 'c'));
    expect(st(k, 'c').VmPTE).toBe(0);
    expect(st(k, 'c').VmRSS).toBe(0);
    expect(pte(k, 'c', sh)).toBeNull();
    expect(k.task('c')!.mm!.vmas.length).toBe(k.task('p')!.mm!.vmas.length);
    // Lazily: the child's first access faults and finds the same page-cache page.
    const seq = k.m.trace.seq;
    okv(k.read('c', sh));
    expect(faultKindsSince(k, seq)).toEqual(['shmem']);
    expect(pfnOf(k, 'c', sh)).toBe(pfnOf(k, 'p', sh));
    // A written private mapping has an anon_vma: its tables are copied.
    okv(k.write('p', ro, 1));
    okv(k.fork('p', 'c2'));
    expect(pte(k, 'c2', ro)).toMatchObject({ present: true, pfn: pfnOf(k, 'p', ro) });
    consistent(k);
    teardown(k);
  });

  it('R16: a copied writable COW PTE is write-protected in the parent and the child; the child PTE is old (A clear), dirty kept (private)', () => {
    const k = kernel();
    okv(k.spawn('p'));
    const va = okv(k.mmap('p', anon(null, PAGE)));
    okv(k.write('p', va, 1));
    expect(pte(k, 'p', va)).toMatchObject({ rw: true, accessed: true, dirty: true });
    okv(k.fork('p', 'c'));
    expect(pte(k, 'p', va)).toMatchObject({ rw: false, accessed: true, dirty: true });
    expect(pte(k, 'c', va)).toMatchObject({ rw: false, accessed: false, dirty: true });
    consistent(k);
    teardown(k);
  });

  it('R17: copying takes a reference and a mapcount, the child RSS grows, PageAnonExclusive is cleared; a pinned page is copied at once', () => {
    const k = kernel();
    okv(k.spawn('p'));
    const va = okv(k.mmap('p', anon(null, 2 * PAGE)));
    okv(k.write('p', va, 11));
    okv(k.write('p', va + PAGE, 22));
    const shared = pfnOf(k, 'p', va);
    expect(desc(k, shared).flags & PG_ANON_EXCLUSIVE).toBe(PG_ANON_EXCLUSIVE);
    okv(k.gup('p', va + PAGE, PAGE, true)); // the second page is DMA-pinned
    const pinned = pfnOf(k, 'p', va + PAGE);
    okv(k.fork('p', 'c'));
    expect(desc(k, shared)).toMatchObject({ refcount: 2, mapcount: 2 });
    expect(desc(k, shared).flags & PG_ANON_EXCLUSIVE).toBe(0);
    expect(pfnOf(k, 'c', va)).toBe(shared);
    expect(st(k, 'c').RssAnon).toBe(2 * PAGE);
    // copy_present_page: the child has its own copy, the parent keeps its writable PTE.
    const copy = pfnOf(k, 'c', va + PAGE);
    expect(copy).not.toBe(pinned);
    expect(desc(k, copy)).toMatchObject({ use: USE.anon, refcount: 1, mapcount: 1 });
    expect(desc(k, pinned)).toMatchObject({ refcount: 2, mapcount: 1, pincount: 1 });
    expect(pte(k, 'p', va + PAGE)!.rw).toBe(true);
    expect(okv(k.read('c', va + PAGE, 1))).toBe(22);
    // The parent can keep writing into the pinned page without a fault; the child does not see it.
    okv(k.write('p', va + PAGE, 33));
    expect(pfnOf(k, 'p', va + PAGE)).toBe(pinned);
    expect(okv(k.read('c', va + PAGE, 1))).toBe(22);
    okv(k.unpin('p', va + PAGE, PAGE));
    consistent(k);
    teardown(k);
  });

  it('R18: the child gets a new PGD plus PUD/PMD/PTE pages for every copied range, so its VmPTE grows', () => {
    const k = kernel();
    okv(k.spawn('p'));
    const va = okv(k.mmap('p', anon(null, 3 * PAGE)));
    okv(k.touch('p', va, 3 * PAGE, 'write'));
    const pt = pageTables(k);
    expect(st(k, 'p').VmPTE).toBe(12 * K);
    okv(k.fork('p', 'c'));
    expect(st(k, 'c').VmPTE).toBe(12 * K); // PUD + PMD + PTE
    expect(pageTables(k) - pt).toBe(4 * PAGE); // + the PGD, not in VmPTE
    consistent(k);
    teardown(k);
  });

  it('R19: after fork the first writer copies (new frame); the other side then holds the only reference and reuses in place', () => {
    const k = kernel();
    okv(k.spawn('p'));
    const va = okv(k.mmap('p', anon(null, PAGE)));
    okv(k.write('p', va, 5));
    const old = pfnOf(k, 'p', va);
    okv(k.fork('p', 'c'));
    let seq = k.m.trace.seq;
    let a0 = allocs(k);
    okv(k.write('c', va, 6));
    expect(faultKindsSince(k, seq)).toEqual(['cow-copy']);
    expect(allocs(k) - a0).toBe(1);
    const copy = pfnOf(k, 'c', va);
    expect(copy).not.toBe(old);
    expect(desc(k, old)).toMatchObject({ refcount: 1, mapcount: 1 });
    expect(okv(k.read('p', va, 1))).toBe(5);
    seq = k.m.trace.seq;
    a0 = allocs(k);
    okv(k.write('p', va, 7));
    expect(faultKindsSince(k, seq)).toEqual(['cow-reuse']);
    expect(allocs(k)).toBe(a0);
    expect(pfnOf(k, 'p', va)).toBe(old);
    expect(pte(k, 'p', va)!.rw).toBe(true);
    expect(desc(k, old).flags & PG_ANON_EXCLUSIVE).toBe(PG_ANON_EXCLUSIVE);
    expect(okv(k.read('c', va, 1))).toBe(6);
    // Reuse also when the other side exited instead of writing.
    okv(k.fork('p', 'c2'));
    okv(k.exit('c2'));
    seq = k.m.trace.seq;
    okv(k.write('p', va, 8));
    expect(faultKindsSince(k, seq)).toEqual(['cow-reuse']);
    expect(pfnOf(k, 'p', va)).toBe(old);
    consistent(k);
    teardown(k);
  });
  it('R19 with a read pin: pinning a page still COW-shared after fork unshares it first (FAULT_FLAG_UNSHARE), so the pin and the pinner\'s later writes stay on one page', () => {
    //  p: write h; fork c        p ──┐
    //                                 ├── frame X (COW, not exclusive)
    //                            c ──┘
    //  p: gup h (read)           p ── copy Y (exclusive, PTE still RO), pinned
    //                            c ── frame X (now the only mapper)
    const k = kernel();
    okv(k.spawn('p'));
    const va = okv(k.mmap('p', anon(null, 2 * PAGE)));
    okv(k.write('p', va, 1));
    okv(k.fork('p', 'c'));
    const shared = pfnOf(k, 'p', va);
    expect(pfnOf(k, 'c', va)).toBe(shared);
    okv(k.gup('p', va, PAGE, false));
    const pinned = pfnOf(k, 'p', va);
    expect(pinned).not.toBe(shared);
    expect(pfnOf(k, 'c', va)).toBe(shared);
    expect(desc(k, pinned)).toMatchObject({ use: USE.anon, refcount: 2, mapcount: 1, pincount: 1 });
    expect(desc(k, pinned).flags & PG_ANON_EXCLUSIVE).toBe(PG_ANON_EXCLUSIVE);
    expect(desc(k, shared)).toMatchObject({ refcount: 1, mapcount: 1, pincount: 0 });
    // wp_page_copy for an unshare leaves the PTE read-only and clean.
    expect(pte(k, 'p', va)).toMatchObject({ rw: false, dirty: false });
    expect(okv(k.read('p', va, 1))).toBe(1);
    // The pinner's write reuses the pinned page: no copy away from its own pin.
    const seq = k.m.trace.seq;
    okv(k.write('p', va, 2));
    expect(faultKindsSince(k, seq)).toEqual(['cow-reuse']);
    expect(pfnOf(k, 'p', va)).toBe(pinned);
    expect(okv(k.read('c', va, 1))).toBe(1);
    // A read pin of a page already exclusive changes nothing.
    okv(k.write('p', va + PAGE, 3));
    const own = pfnOf(k, 'p', va + PAGE);
    okv(k.gup('p', va + PAGE, PAGE, false));
    expect(pfnOf(k, 'p', va + PAGE)).toBe(own);
    expect(pte(k, 'p', va + PAGE)!.rw).toBe(true);
    okv(k.unpin('p', va, 2 * PAGE));
    consistent(k);
    teardown(k);
  });

  it('anon_vma_fork: each child VMA gets its own anon_vma chained to the parent\'s, so the child\'s VMAs stop merging (LTP mm/vma01)', () => {
    // LTP vma01 (commit 965f55dea0e3 "mmap: avoid merging cloned VMAs"): in the child, the
    // inherited 3 pages and a new 3-page neighbour stay two VMAs; the parent still merges.
    //   child:  [ 0x10000000 inherited, anon_vma chain 2 ][ 0x10003000 new ]
    const k = kernel();
    const base = 0x10000000;
    okv(k.spawn('p'));
    okv(k.mmap('p', anon(base, 3 * PAGE, 'w')));
    okv(k.write('p', base, 1));
    okv(k.fork('p', 'c'));
    okv(k.write('c', base, 2));
    okv(k.mmap('c', anon(base + 3 * PAGE, 3 * PAGE, 'w')));
    okv(k.write('c', base + 3 * PAGE, 2));
    const maps = (name: string) => mmOf(k, name).vmas.map((v) => [v.start, v.end]);
    expect(maps('c')).toEqual([[base, base + 3 * PAGE], [base + 3 * PAGE, base + 6 * PAGE]]);
    okv(k.mmap('p', anon(base + 3 * PAGE, 3 * PAGE, 'w')));
    expect(maps('p')).toEqual([[base, base + 6 * PAGE]]);
    // Pieces split before the fork each get a different anon_vma in the child: an mprotect
    // back to one protection merges them in the parent only.
    const b2 = 0x20000000;
    okv(k.mmap('p', anon(b2, 1024 * K)));
    okv(k.touch('p', b2, 1024 * K, 'write'));
    okv(k.mprotect('p', b2 + 256 * K, 256 * K, 'r'));
    okv(k.fork('p', 'c2'));
    okv(k.mprotect('c2', b2 + 256 * K, 256 * K, 'rw'));
    okv(k.mprotect('p', b2 + 256 * K, 256 * K, 'rw'));
    const at = (name: string) => mmOf(k, name).vmas.filter((v) => v.start >= b2).map((v) => [v.start, v.end]);
    expect(at('c2')).toEqual([[b2, b2 + 256 * K], [b2 + 256 * K, b2 + 512 * K], [b2 + 512 * K, b2 + 1024 * K]]);
    expect(at('p')).toEqual([[b2, b2 + 1024 * K]]);
    consistent(k);
    teardown(k);
  });

  it('anon_vma_fork and the reverse map: a shared page is found through the parent\'s anon_vma in both, a COW copy only in the copier; reuse moves the page to the reuser\'s (folio_move_anon_rmap)', () => {
    const k = kernel();
    okv(k.spawn('p'));
    const va = okv(k.mmap('p', anon(null, 2 * PAGE)));
    okv(k.touch('p', va, 2 * PAGE, 'write'));
    okv(k.fork('p', 'c'));
    const pv = mmOf(k, 'p').vmas[0];
    const cv = mmOf(k, 'c').vmas[0];
    expect(cv.anonVma).not.toBe(pv.anonVma);
    expect(cv.anonVma!.parent).toBe(pv.anonVma);
    const mapping = (pfn: number) => k.m.pm.d.mapping[pfn];
    const rmapVmas = (pfn: number) => [...k.m.s.anonVmas.get(mapping(pfn))!.vmas];
    const shared = pfnOf(k, 'p', va);
    expect(mapping(shared)).toBe(pv.anonVma!.id);
    expect(rmapVmas(shared)).toEqual(expect.arrayContaining([pv, cv])); // anon_vma_clone put c's VMA in p's anon_vma
    // The invariant checker holds the reverse map to this: drop the child's VMA from the
    // parent's anon_vma and the pages both still map is unreachable from the child.
    pv.anonVma!.vmas.delete(cv);
    expect(checkInvariants(k.m).join('\n')).toMatch(/not found by the reverse map/);
    pv.anonVma!.vmas.add(cv);
    consistent(k);
    // The child copies the first page: the copy is the child's alone.
    okv(k.write('c', va, 9));
    const copy = pfnOf(k, 'c', va);
    expect(mapping(copy)).toBe(cv.anonVma!.id);
    expect(rmapVmas(copy)).toEqual([cv]);
    // The parent copies the second page; the child then reuses the old one, which moves to
    // the child's anon_vma (wp_can_reuse_anon_folio -> folio_move_anon_rmap).
    okv(k.write('p', va + PAGE, 9));
    const old = pfnOf(k, 'c', va + PAGE);
    expect(mapping(old)).toBe(pv.anonVma!.id);
    const seq = k.m.trace.seq;
    okv(k.write('c', va + PAGE, 8));
    expect(faultKindsSince(k, seq)).toEqual(['cow-reuse']);
    expect(pfnOf(k, 'c', va + PAGE)).toBe(old);
    expect(mapping(old)).toBe(cv.anonVma!.id);
    consistent(k);
    okv(k.exit('c'));
    expect(pv.anonVma!.vmas.has(cv)).toBe(false); // unlink_anon_vmas
    consistent(k);
    teardown(k);
  });

  it('put_anon_vma: an anon_vma no VMA chains any more is freed, so fork and exit in a loop leave none behind', () => {
    const k = kernel();
    okv(k.spawn('p'));
    for (let i = 0; i < 4; i++) okv(k.write('p', okv(k.mmap('p', anon(null, 2 * PAGE, i % 2 ? 'rwx' : 'rw'))), 1)); // 4 VMAs, written
    const base = k.m.s.anonVmas.size;
    for (let i = 0; i < 50; i++) {
      okv(k.fork('p', `c${i}`));
      okv(k.write(`c${i}`, mmOf(k, 'p').vmas[0].start, i));
      okv(k.exit(`c${i}`));
    }
    expect(k.m.s.anonVmas.size).toBe(base);
    consistent(k);
    // A grandchild keeps its parent's anon_vmas (its VMAs chain them) after the parent exits.
    okv(k.fork('p', 'a'));
    okv(k.fork('a', 'b'));
    okv(k.exit('a'));
    expect(k.m.s.anonVmas.size).toBe(base + 2 * mmOf(k, 'b').vmas.filter((v) => v.anonVma).length);
    consistent(k);
    okv(k.exit('b'));
    expect(k.m.s.anonVmas.size).toBe(base);
    consistent(k);
    teardown(k);
  });

  it('R15 (regression): the child of fork is not registered with the parent\'s userfaultfd (no UFFD_FEATURE_EVENT_FORK)', () => {
    // dup_userfaultfd clears the child's VM_UFFD_* flags; the child used to sleep forever in
    // a missing fault nobody would answer.
    const k = kernel();
    okv(k.spawn('p'));
    const va = okv(k.mmap('p', anon(null, 2 * PAGE)));
    okv(k.uffdRegister('p', va, 2 * PAGE, 'missing'));
    okv(k.fork('p', 'c'));
    expect(okv(k.read('c', va, 1))).toBe(0);
    expect(k.task('c')!.state).toBe('running');
    // The parent still is registered: it sleeps until UFFDIO_COPY fills the page.
    const r = k.read('p', va, 1);
    expect(r.blocked).toBe(true);
    expect(k.task('p')!.state).toBe('blocked');
    expect(k.read('p', va).errno).toBe('EAGAIN');
    expect(okv(k.uffdCopy('p', va, 0x44))).toBe(1);
    expect(k.task('p')!.state).toBe('running');
    expect(okv(k.read('p', va, 1))).toBe(0x44);
    consistent(k);
    teardown(k);
  });
});

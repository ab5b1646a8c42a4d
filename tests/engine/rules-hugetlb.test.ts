/**
 * hugetlb PMD sharing, the page-table sharing mainline ships (kernel-semantics.md §3.7, H1-H8).
 *
 *   a: PGD ─> PUD(a) ─┐
 *                     ├─> PMD (one page, share count 1) ─> 2 MiB leaves (PS)
 *   b: PGD ─> PUD(b) ─┘
 */
import { describe, expect, it } from 'vitest';
import { PG_ANON_EXCLUSIVE } from '../../src/engine/hw/physmem';
import { PTE_PS, PTE_RW } from '../../src/engine/hw/pte';
import { tlbTotals } from '../../src/engine/hw/tlb';
import {
  G, K, M, PAGE, USE, anon, consistent, desc, entryAt, faultKindsSince, fileMap, kernel, meminfo, mmOf, okv, pageTables, st,
  teardown,
} from './helpers';
import type { Kernel } from '../../src/engine/kernel';

const HP = '/dev/hugepages/db';

/**
 * A hugetlb file mapping with MAP_NORESERVE: these rules map whole 1 GiB units on a 256 MiB
 * machine, whose reservation (hugetlb_reserve_pages) would fail; pages come as they are touched.
 */
function hugeMap(...a: Parameters<typeof fileMap>) {
  return fileMap(a[0], a[1], a[2], a[3], a[4], { noreserve: true, ...a[5] });
}

/** The PMD table page `name` reaches for `va` (its PUD entry's target), or -1. */
function pmdOf(k: Kernel, name: string, va: number): number {
  const e = entryAt(k, mmOf(k, name).pgd, va, 1);
  if (!e || !(e.lo & 1)) return -1;
  return (e.lo >>> 12) + (e.hi & 0xfffff) * 0x100000;
}

/** The 2 MiB leaf `name` has for `va`: the page's first frame and whether it is writable. */
function hugeLeaf(k: Kernel, name: string, va: number): { pfn: number; rw: boolean } {
  const e = entryAt(k, mmOf(k, name).pgd, va, 2);
  expect(e && e.lo & 1 && e.lo & PTE_PS, `no 2 MiB leaf for 0x${va.toString(16)} in ${name}`).toBeTruthy();
  return { pfn: (e!.lo >>> 12) + (e!.hi & 0xfffff) * 0x100000, rw: (e!.lo & PTE_RW) !== 0 };
}

const hugePages = (k: Kernel) => meminfo(k.m).HugePages_Total;

/** Two processes mapping `file` MAP_SHARED over one aligned 1 GiB unit each (a at 4G, b at 8G). */
function twoSharers(k: Kernel, file = HP, bprot = 'rw', blen = G, boff = 0) {
  okv(k.spawn('a'));
  okv(k.spawn('b'));
  okv(k.mmap('a', hugeMap(file, 4 * G, G, 'rw', true)));
  okv(k.mmap('b', { ...hugeMap(file, 8 * G, blen, bprot, true), off: boff }));
  okv(k.write('a', 4 * G, 0xbeef));
}

describe('hugetlb PMD sharing (H1-H8)', () => {
  it('H1: two processes mapping the same hugetlbfs file share the PMD page with no application change (fault kinds hugetlb, hugetlb-share)', () => {
    const k = kernel();
    okv(k.file(HP, G));
    okv(k.spawn('a'));
    okv(k.spawn('b'));
    okv(k.mmap('a', hugeMap(HP, 4 * G, G, 'rw', true)));
    okv(k.mmap('b', hugeMap(HP, 8 * G, G, 'rw', true)));
    let seq = k.m.trace.seq;
    okv(k.write('a', 4 * G, 0xbeef));
    expect(faultKindsSince(k, seq)).toEqual(['hugetlb']);
    seq = k.m.trace.seq;
    expect(okv(k.read('b', 8 * G, 2))).toBe(0xbeef);
    expect(faultKindsSince(k, seq)).toEqual(['hugetlb-share']);
    const pmd = pmdOf(k, 'a', 4 * G);
    expect(pmdOf(k, 'b', 8 * G)).toBe(pmd);
    expect(desc(k, pmd)).toMatchObject({ use: USE.pmd, share: 1, owner: mmOf(k, 'a').id });
    // The leaf is a 2 MiB PMD entry (PS), the same page for both.
    const leaf = entryAt(k, mmOf(k, 'b').pgd, 8 * G, 2)!;
    expect(leaf.lo & PTE_PS).toBe(PTE_PS);
    expect(desc(k, (leaf.lo >>> 12) + (leaf.hi & 0xfffff) * 0x100000).use).toBe(USE.hugetlb);
    consistent(k);
    teardown(k);
  });

  it('H2: only hugetlb mappings share (a tmpfs file does not); MAP_HUGETLB shared anonymous memory shares across fork', () => {
    const k = kernel();
    okv(k.file('/big', G));
    twoSharers(k, '/big');
    okv(k.read('b', 8 * G));
    expect(pmdOf(k, 'b', 8 * G)).not.toBe(pmdOf(k, 'a', 4 * G));
    expect(desc(k, pmdOf(k, 'a', 4 * G)).share).toBe(0);
    teardown(k);

    const k2 = kernel();
    okv(k2.spawn('p'));
    okv(k2.mmap('p', { addr: 4 * G, len: G, prot: 'rw', flags: { shared: true, anon: true, hugetlb: true, noreserve: true, fixed: true } }));
    okv(k2.write('p', 4 * G, 1));
    okv(k2.fork('p', 'c'));
    const seq = k2.m.trace.seq;
    expect(okv(k2.read('c', 4 * G, 1))).toBe(1);
    expect(faultKindsSince(k2, seq)).toEqual(['hugetlb-share']);
    expect(pmdOf(k2, 'c', 4 * G)).toBe(pmdOf(k2, 'p', 4 * G));
    consistent(k2);
    teardown(k2);
  });

  it('H3: want_pmd_share needs VM_MAYSHARE, a VMA covering the whole 1 GiB unit, and no uffd-wp', () => {
    const cases: [string, (k: Kernel) => void][] = [
      ['MAP_PRIVATE', (k) => {
        okv(k.spawn('a'));
        okv(k.spawn('b'));
        okv(k.mmap('a', hugeMap(HP, 4 * G, G, 'rw', true)));
        okv(k.mmap('b', hugeMap(HP, 8 * G, G, 'rw', false)));
        okv(k.write('a', 4 * G, 1));
      }],
      ['1 GiB - 2 MiB', (k) => twoSharers(k, HP, 'rw', G - 2 * M)],
      ['uffd-wp', (k) => {
        okv(k.spawn('a'));
        okv(k.spawn('b'));
        okv(k.mmap('a', hugeMap(HP, 4 * G, G, 'rw', true)));
        okv(k.mmap('b', hugeMap(HP, 8 * G, G, 'rw', true)));
        okv(k.uffdRegister('b', 8 * G, G, 'wp'));
        okv(k.write('a', 4 * G, 1));
      }],
    ];
    for (const [what, setup] of cases) {
      const k = kernel();
      okv(k.file(HP, G));
      setup(k);
      const seq = k.m.trace.seq;
      okv(k.read('b', 8 * G));
      expect(faultKindsSince(k, seq), what).toEqual(['hugetlb']);
      expect(pmdOf(k, 'b', 8 * G), what).not.toBe(pmdOf(k, 'a', 4 * G));
      consistent(k);
      teardown(k);
    }
  });

  it('H4: a sharer must map the same file offset at the same offset in its 1 GiB unit, with identical vm_flags; the VA may differ', () => {
    const same = kernel();
    okv(same.file(HP, 2 * G));
    twoSharers(same);
    okv(same.read('b', 8 * G));
    expect(pmdOf(same, 'b', 8 * G)).toBe(pmdOf(same, 'a', 4 * G));
    teardown(same);
    for (const [what, prot, off] of [['other file offset', 'rw', G], ['other vm_flags', 'r', 0]] as const) {
      const k = kernel();
      okv(k.file(HP, 2 * G));
      twoSharers(k, HP, prot, G, off);
      okv(k.read('b', 8 * G));
      expect(pmdOf(k, 'b', 8 * G), what).not.toBe(pmdOf(k, 'a', 4 * G));
      expect(desc(k, pmdOf(k, 'a', 4 * G)).share, what).toBe(0);
      consistent(k);
      teardown(k);
    }
  });

  it('H5: pt_share_count counts the extra sharers; unshare clears the PUD entry and decrements; the page is freed once nobody maps it', () => {
    const k = kernel();
    okv(k.file(HP, G));
    twoSharers(k);
    okv(k.spawn('c'));
    okv(k.mmap('c', hugeMap(HP, 12 * G, G, 'rw', true)));
    okv(k.read('b', 8 * G));
    okv(k.read('c', 12 * G));
    const pmd = pmdOf(k, 'a', 4 * G);
    expect(desc(k, pmd).share).toBe(2);
    okv(k.munmap('b', 8 * G, G));
    expect(desc(k, pmd).share).toBe(1);
    expect(st(k, 'b').VmPTE).toBe(0);
    consistent(k);
    // The allocator exits first: the page stays for c.
    okv(k.exit('a'));
    expect(desc(k, pmd)).toMatchObject({ use: USE.pmd, share: 0 });
    expect(okv(k.read('c', 12 * G, 2))).toBe(0xbeef);
    consistent(k);
    okv(k.exit('c'));
    expect(desc(k, pmd).use).toBe(USE.free);
    teardown(k);
  });

  it('H6: fork copies nothing for a shared hugetlb range; the child shares the PMD page through huge_pte_alloc on its first fault', () => {
    const k = kernel();
    okv(k.file(HP, G));
    okv(k.spawn('p'));
    okv(k.mmap('p', hugeMap(HP, 4 * G, G, 'rw', true)));
    okv(k.write('p', 4 * G, 3));
    okv(k.fork('p', 'c'));
    expect(st(k, 'c').VmPTE).toBe(0);
    expect(okv(k.read('c', 4 * G, 1))).toBe(3);
    expect(pmdOf(k, 'c', 4 * G)).toBe(pmdOf(k, 'p', 4 * G));
    expect(desc(k, pmdOf(k, 'p', 4 * G)).share).toBe(1);
    expect(st(k, 'c').VmPTE).toBe(8 * K); // its own PUD + the shared PMD (H8)
    consistent(k);
    teardown(k);
  });

  it('H7: mprotect, munmap or a split (madvise, userfaultfd) of part of a shared 1 GiB unit first unshares the whole unit for that mm', () => {
    for (const op of ['mprotect', 'munmap', 'madvise', 'uffd'] as const) {
      const k = kernel();
      okv(k.file(HP, G));
      twoSharers(k);
      okv(k.read('b', 8 * G));
      const pmd = pmdOf(k, 'a', 4 * G);
      expect(pmdOf(k, 'b', 8 * G)).toBe(pmd);
      if (op === 'mprotect') okv(k.mprotect('b', 8 * G + 2 * M, 2 * M, 'r'));
      else if (op === 'munmap') okv(k.munmap('b', 8 * G + 2 * M, 2 * M));
      else if (op === 'madvise') okv(k.madvise('b', 8 * G + 2 * M, 2 * M, 'nohugepage'));
      else okv(k.uffdRegister('b', 8 * G + 2 * M, 2 * M, 'missing'));
      expect(desc(k, pmd).share, op).toBe(0);
      expect(st(k, 'b').VmPTE, op).toBe(4 * K); // its PUD only, until it faults again
      expect(pmdOf(k, 'b', 8 * G), op).not.toBe(pmd);
      // b faults its own PMD now (its VMAs no longer cover the unit), a is untouched.
      expect(okv(k.read('b', 8 * G, 2)), op).toBe(0xbeef);
      expect(pmdOf(k, 'b', 8 * G), op).not.toBe(pmd);
      expect(okv(k.read('a', 4 * G, 2)), op).toBe(0xbeef);
      consistent(k);
      teardown(k);
    }
  });

  it('H7: mprotect or madvise to the flags a VMA has already changes nothing: no split, the PMD page stays shared, no flush', () => {
    // mprotect_fixup() and madvise_update_vma() return at once when the new flags equal the old
    // (review 21, against Linux 6.18: VmPTE stayed 8 kB, one VMA, no flush).
    for (const op of ['mprotect part', 'mprotect all', 'madvise'] as const) {
      const k = kernel();
      okv(k.file(HP, G));
      twoSharers(k);
      okv(k.read('b', 8 * G));
      const pmd = pmdOf(k, 'a', 4 * G);
      okv(k.madvise('b', 8 * G, G, 'nohugepage')); // the whole VMA: no split, still shared
      expect(pmdOf(k, 'b', 8 * G), op).toBe(pmd);
      const flushes = tlbTotals(k.m.s.tlb);
      if (op === 'mprotect part') okv(k.mprotect('b', 8 * G + 2 * M, 2 * M, 'rw'));
      else if (op === 'mprotect all') okv(k.mprotect('b', 8 * G, G, 'rw'));
      else okv(k.madvise('b', 8 * G + 2 * M, 2 * M, 'nohugepage'));
      expect(mmOf(k, 'b').vmas.length, op).toBe(1);
      expect(desc(k, pmd).share, op).toBe(1);
      expect(pmdOf(k, 'b', 8 * G), op).toBe(pmd);
      expect(st(k, 'b').VmPTE, op).toBe(8 * K);
      const after = tlbTotals(k.m.s.tlb);
      expect([after.flushPage, after.flushMm, after.flushAll], op).toEqual([flushes.flushPage, flushes.flushMm, flushes.flushAll]);
      consistent(k);
      teardown(k);
    }
  });

  it('H7: inside a 2 MiB page, mprotect or madvise that changes nothing succeeds; one that changes the flags would split there and is EINVAL', () => {
    // Linux 6.18 here (review 22): the early return in mprotect_fixup / madvise_update_vma
    // comes before __split_vma, whose hugetlb may_split refuses the cut.
    const k = kernel();
    okv(k.spawn('a'));
    const X = 0x40000000;
    okv(k.mmap('a', { addr: X, len: 4 * M, prot: 'rw', flags: { private: true, anon: true, hugetlb: true, noreserve: true, fixed: true } }));
    okv(k.mprotect('a', X + 4 * K, 4 * K, 'rw'));
    expect(k.mprotect('a', X + 4 * K, 4 * K, 'r').errno).toBe('EINVAL');
    expect(k.madvise('a', X + 4 * K, 4 * K, 'hugepage').errno).toBe('EINVAL');
    okv(k.madvise('a', X, 2 * M, 'hugepage'));
    okv(k.madvise('a', X + 4 * K, 4 * K, 'hugepage'));
    expect(k.madvise('a', X + 4 * K, 4 * K, 'nohugepage').errno).toBe('EINVAL');
    expect(mmOf(k, 'a').vmas.map((v) => v.end - v.start)).toEqual([2 * M, 2 * M]);
    consistent(k);
    teardown(k);
  });

  it('H3: registering userfaultfd-wp unshares the VMA\'s PMD pages (hugetlb_unshare_all_pmds) and later faults do not share', () => {
    const k = kernel();
    okv(k.file(HP, G));
    twoSharers(k);
    okv(k.read('b', 8 * G));
    const pmd = pmdOf(k, 'a', 4 * G);
    expect(pmdOf(k, 'b', 8 * G)).toBe(pmd);
    okv(k.uffdRegister('b', 8 * G, G, 'wp')); // the whole VMA: no split
    expect(desc(k, pmd).share).toBe(0);
    expect(st(k, 'b').VmPTE).toBe(4 * K);
    expect(pageTables(k)).toBe(5 * PAGE); // 2 PGD + 2 PUD + a's PMD, as before: it was counted once
    expect(okv(k.read('b', 8 * G, 2))).toBe(0xbeef);
    expect(pmdOf(k, 'b', 8 * G)).not.toBe(pmd); // its own PMD page now
    expect(pageTables(k)).toBe(6 * PAGE);
    // A missing-mode registration keeps sharing (only wp and minor disable it).
    okv(k.spawn('c'));
    okv(k.mmap('c', hugeMap(HP, 12 * G, G, 'rw', true)));
    okv(k.read('c', 12 * G));
    expect(pmdOf(k, 'c', 12 * G)).toBe(pmd);
    okv(k.uffdRegister('c', 12 * G, G, 'missing'));
    expect(pmdOf(k, 'c', 12 * G)).toBe(pmd);
    consistent(k);
    teardown(k);
  });

  it('H8: every sharer\'s VmPTE includes the shared PMD page, while meminfo PageTables counts it once', () => {
    const k = kernel();
    okv(k.file(HP, G));
    twoSharers(k);
    okv(k.read('b', 8 * G));
    expect(st(k, 'a').VmPTE).toBe(8 * K); // PUD + PMD
    expect(st(k, 'b').VmPTE).toBe(8 * K); // PUD + the shared PMD
    expect(pageTables(k)).toBe(5 * PAGE); // 2 PGD + 2 PUD + 1 PMD
    // hugetlb_usage moves only in the mm that installed the leaf: b found a's entry present.
    expect(st(k, 'a').HugetlbPages).toBe(2 * M);
    consistent(k);
    teardown(k);
  });
  it('H4: two mappings of one file unit in the same process share the PMD page too (huge_pmd_share skips only the VMA itself); unshare and exit stay balanced', () => {
    const k = kernel();
    okv(k.file(HP, G));
    okv(k.spawn('c'));
    okv(k.mmap('c', hugeMap(HP, 4 * G, G, 'rw', true)));
    okv(k.mmap('c', hugeMap(HP, 8 * G, G, 'rw', true)));
    okv(k.write('c', 4 * G, 0xbeef));
    const seq = k.m.trace.seq;
    expect(okv(k.read('c', 8 * G, 2))).toBe(0xbeef);
    expect(faultKindsSince(k, seq)).toEqual(['hugetlb-share']);
    const pmd = pmdOf(k, 'c', 4 * G);
    expect(pmdOf(k, 'c', 8 * G)).toBe(pmd);
    expect(desc(k, pmd)).toMatchObject({ use: USE.pmd, share: 1 });
    // mm_inc_nr_pmds for each PUD entry on it: VmPTE counts the PMD page twice, meminfo once.
    expect(st(k, 'c')).toMatchObject({ VmPTE: 12 * K, HugetlbPages: 2 * M });
    expect(pageTables(k)).toBe(3 * PAGE); // PGD + PUD + the one PMD
    consistent(k);
    // Unmapping either mapping unshares its entry; the other keeps the page and its leaves.
    okv(k.munmap('c', 8 * G, G));
    expect(desc(k, pmd).share).toBe(0);
    expect(st(k, 'c').VmPTE).toBe(8 * K);
    expect(okv(k.read('c', 4 * G, 2))).toBe(0xbeef);
    consistent(k);
    okv(k.mmap('c', hugeMap(HP, 8 * G, G, 'rw', true)));
    expect(okv(k.read('c', 8 * G, 2))).toBe(0xbeef);
    expect(pmdOf(k, 'c', 8 * G)).toBe(pmd);
    okv(k.munmap('c', 4 * G, G)); // the mapping that allocated the page goes first
    expect(desc(k, pmd)).toMatchObject({ use: USE.pmd, share: 0 });
    expect(st(k, 'c')).toMatchObject({ VmPTE: 8 * K, HugetlbPages: 2 * M });
    expect(okv(k.read('c', 8 * G, 2))).toBe(0xbeef);
    consistent(k);
    // Exit with both mappings sharing again: one unshares, the other frees the page.
    okv(k.mmap('c', hugeMap(HP, 4 * G, G, 'rw', true)));
    expect(okv(k.read('c', 4 * G, 2))).toBe(0xbeef);
    expect(desc(k, pmd).share).toBe(1);
    okv(k.exit('c'));
    expect(desc(k, pmd).use).toBe(USE.free);
    teardown(k);
  });

  it('H7 (regression): munmap, MAP_FIXED, madvise and userfaultfd ranges that cut a hugetlb VMA inside a 2 MiB page are EINVAL', () => {
    // hugetlb_vm_op_split refuses: split at 4 KiB, two VMAs mapped one huge leaf, and fork
    // copied that leaf twice (mapcount 3 for 2 mappings).
    const k = kernel();
    okv(k.spawn('a'));
    const X = 0x10000000;
    okv(k.mmap('a', { addr: X, len: 4 * M, prot: 'rw', flags: { private: true, anon: true, hugetlb: true, fixed: true } }));
    okv(k.write('a', X, 1));
    expect(k.munmap('a', X + PAGE, PAGE).errno).toBe('EINVAL');
    expect(k.munmap('a', X, PAGE).errno).toBe('EINVAL');
    // DONTNEED needs only the start on a huge page; its end is rounded down (here to nothing).
    expect(k.madvise('a', X + PAGE, PAGE, 'dontneed').errno).toBe('EINVAL');
    okv(k.madvise('a', X, PAGE, 'dontneed'));
    expect(k.uffdRegister('a', X, PAGE, 'missing').errno).toBe('EINVAL');
    expect(k.mmap('a', { addr: X + PAGE, len: PAGE, prot: 'rw', flags: { private: true, anon: true, fixed: true } }).errno).toBe('EINVAL');
    expect(k.mprotect('a', X, PAGE, 'r').errno).toBe('EINVAL');
    expect(mmOf(k, 'a').vmas.length).toBe(1);
    okv(k.fork('a', 'c'));
    consistent(k);
    // On a 2 MiB boundary the split is fine.
    okv(k.munmap('a', X + 2 * M, 2 * M));
    expect(okv(k.read('a', X, 1))).toBe(1);
    consistent(k);
    teardown(k);
  });

  it('mprotect asks may_split only where the range cuts a hugetlb VMA: covered whole with 4 KiB VMAs beside it is fine; a refused cut keeps the VMAs before it changed', () => {
    //   0x3ff000 small 4K | 0x400000 huge 2M | 0x600000 after 8K
    const k = kernel();
    okv(k.spawn('a'));
    const perms = () => mmOf(k, 'a').vmas.map((v) => `${v.start.toString(16)}:${v.flags & 7}`);
    okv(k.mmap('a', anon(0x3ff000, PAGE, 'rw', { fixed: true })));
    okv(k.mmap('a', { addr: 0x400000, len: 2 * M, prot: 'rw', flags: { shared: true, anon: true, hugetlb: true, fixed: true } }));
    okv(k.mmap('a', anon(0x600000, 2 * PAGE, 'rw', { fixed: true })));
    okv(k.write('a', 0x400000, 1));
    okv(k.mprotect('a', 0x3ff000, 2 * M + PAGE, 'r')); // ends exactly at the hugetlb VMA's end
    okv(k.mprotect('a', 0x400000, 2 * M + PAGE, 'rw')); // starts at it, cuts only the 4 KiB VMA after it
    expect(perms()).toEqual(['3ff000:1', '400000:3', '600000:3']); // 'after' kept rw: no split (newflags == oldflags)
    // The cut at 0x500000 is refused, after the small VMA before it changed (mprotect_fixup order).
    expect(k.mprotect('a', 0x3ff000, PAGE + M, 'rwx').errno).toBe('EINVAL');
    expect(perms()).toEqual(['3ff000:7', '400000:3', '600000:3']);
    // To the hugetlb VMA's own protection there is no cut to refuse (newflags == oldflags).
    okv(k.mprotect('a', 0x3ff000, PAGE + M, 'rw'));
    expect(perms()).toEqual(['3ff000:3', '400000:3', '600000:3']);
    consistent(k);
    teardown(k);
  });
});

describe('private anonymous hugetlb pages and DMA pins (R17, hugetlb_wp)', () => {
  const X = 0x40000000;
  const privHuge = (len: number) => ({ addr: X, len, prot: 'rw', flags: { private: true, anon: true, hugetlb: true, fixed: true } });

  it('fork copies a pinned page for the child at once (hugetlb_try_dup_anon_rmap refuses it); the parent keeps the pinned page writable, an unpinned one is shared', () => {
    const k = kernel();
    okv(k.spawn('a'));
    okv(k.mmap('a', privHuge(4 * M)));
    okv(k.write('a', X, 1));
    okv(k.write('a', X + 2 * M, 5));
    const pinned = hugeLeaf(k, 'a', X).pfn;
    const other = hugeLeaf(k, 'a', X + 2 * M).pfn;
    expect(desc(k, pinned).flags & PG_ANON_EXCLUSIVE).toBe(PG_ANON_EXCLUSIVE); // hugetlb_add_new_anon_rmap
    okv(k.gup('a', X, PAGE, true));
    okv(k.fork('a', 'c'));
    // The pinned page: a copy for the child, allocated now; the parent's entry is untouched.
    expect(hugePages(k)).toBe(3);
    expect(hugeLeaf(k, 'a', X)).toEqual({ pfn: pinned, rw: true });
    const copy = hugeLeaf(k, 'c', X);
    expect(copy.pfn).not.toBe(pinned);
    expect(copy.rw).toBe(true); // make_huge_pte(vma, folio, true) on a writable VMA
    expect(desc(k, copy.pfn)).toMatchObject({ use: USE.hugetlb, refcount: 1, mapcount: 1, owner: mmOf(k, 'c').id });
    expect(desc(k, copy.pfn).flags & PG_ANON_EXCLUSIVE).toBe(PG_ANON_EXCLUSIVE);
    expect(desc(k, pinned)).toMatchObject({ refcount: 2, mapcount: 1, pincount: 1 });
    // The unpinned page is shared, write-protected in both, no longer exclusive.
    expect(hugeLeaf(k, 'c', X + 2 * M)).toEqual({ pfn: other, rw: false });
    expect(hugeLeaf(k, 'a', X + 2 * M)).toEqual({ pfn: other, rw: false });
    expect(desc(k, other)).toMatchObject({ refcount: 2, mapcount: 2 });
    expect(desc(k, other).flags & PG_ANON_EXCLUSIVE).toBe(0);
    expect(st(k, 'c').HugetlbPages).toBe(4 * M);
    expect(st(k, 'a').HugetlbPages).toBe(4 * M);
    consistent(k);
    // The parent writes into its pinned page without a copy; the child kept the old contents.
    okv(k.write('a', X, 2));
    expect(hugeLeaf(k, 'a', X).pfn).toBe(pinned);
    expect(hugePages(k)).toBe(3);
    expect(okv(k.read('c', X, 1))).toBe(1);
    expect(okv(k.read('a', X, 1))).toBe(2);
    okv(k.write('c', X, 3));
    expect(hugeLeaf(k, 'c', X).pfn).toBe(copy.pfn);
    expect(okv(k.read('a', X, 1))).toBe(2);
    consistent(k);
    // Everything is freed at exit, the pin with its task.
    okv(k.exit('c'));
    expect(hugePages(k)).toBe(2);
    consistent(k);
    teardown(k);
  });

  it('fork fails, leaving nothing behind, when no huge page is free for the pinned page\'s copy', () => {
    const k = kernel({ ram: 16 * M });
    okv(k.spawn('a'));
    okv(k.mmap('a', privHuge(14 * M)));
    okv(k.touch('a', X, 14 * M, 'write')); // 7 huge pages: no order-9 block is left
    okv(k.gup('a', X, PAGE, true));
    const r = k.fork('a', 'c');
    // No child. (The engine's allocator may also run the OOM killer, whose only victim is a.)
    expect(r.value).toBeNull();
    expect(k.task('c')).toBeNull();
    expect(hugePages(k)).toBeLessThanOrEqual(7);
    consistent(k);
    teardown(k);
  });

  it('hugetlb_wp reuses an anonymous page mapped once even while it is pinned (no refcount test); a private file page is still copied', () => {
    const k = kernel();
    okv(k.spawn('a'));
    okv(k.mmap('a', privHuge(2 * M)));
    okv(k.write('a', X, 1));
    const pinned = hugeLeaf(k, 'a', X).pfn;
    okv(k.gup('a', X, PAGE, true));
    okv(k.mprotect('a', X, 2 * M, 'r'));
    okv(k.mprotect('a', X, 2 * M, 'rw'));
    expect(hugeLeaf(k, 'a', X).rw).toBe(false);
    okv(k.write('a', X, 2));
    expect(hugeLeaf(k, 'a', X)).toEqual({ pfn: pinned, rw: true });
    expect(hugePages(k)).toBe(1);
    expect(desc(k, pinned)).toMatchObject({ refcount: 2, mapcount: 1, pincount: 1 });
    // After fork and the child's exit the page is mapped once again but no longer exclusive:
    // mapcount 1 is what hugetlb_wp asks, and it makes the page exclusive again.
    okv(k.unpin('a', X, PAGE));
    okv(k.fork('a', 'c'));
    okv(k.exit('c'));
    expect(desc(k, pinned).flags & PG_ANON_EXCLUSIVE).toBe(0);
    okv(k.write('a', X, 3));
    expect(hugeLeaf(k, 'a', X).pfn).toBe(pinned);
    expect(desc(k, pinned).flags & PG_ANON_EXCLUSIVE).toBe(PG_ANON_EXCLUSIVE);
    expect(hugePages(k)).toBe(1);
    consistent(k);
    teardown(k);

    // A MAP_PRIVATE hugetlbfs mapping reads a page the file has cached (put there by a shared
    // mapping, now gone) through the file's page (mapcount 1 too): not anonymous, so copied.
    const f = kernel();
    okv(f.file(HP, 2 * M));
    okv(f.spawn('a'));
    okv(f.spawn('b'));
    okv(f.mmap('b', fileMap(HP, 2 * X, 2 * M, 'rw', true)));
    expect(okv(f.read('b', 2 * X, 1))).toBe(0);
    okv(f.munmap('b', 2 * X, 2 * M));
    okv(f.mmap('a', fileMap(HP, X, 2 * M, 'rw', false)));
    expect(okv(f.read('a', X, 1))).toBe(0);
    const cached = hugeLeaf(f, 'a', X).pfn;
    expect(desc(f, cached).mapcount).toBe(1);
    okv(f.write('a', X, 9));
    expect(hugeLeaf(f, 'a', X).pfn).not.toBe(cached);
    expect(hugePages(f)).toBe(2);
    consistent(f);
    teardown(f);
  });
});

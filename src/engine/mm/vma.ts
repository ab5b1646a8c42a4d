/**
 * VMA bookkeeping for one mm (like mm/vma.c): lookup, insert, split, merge, free-area search.
 *
 * mm.vmas is an array sorted by start with no overlaps; lookups are binary searches. Every
 * VMA backed by an inode is also in inode.mmaps (i_mmap) and every VMA with anonymous pages
 * in the set of each anon_vma of its chain (its own and, after fork, its ancestors'), so the
 * reverse map can find it.
 *
 *   mm.vmas:  [ 0x10000-0x20000 anon rw- ][ 0x7f00..-0x7f00.. shmem rw-s ] ...
 */
import { VM_EXEC, VM_HUGETLB, VM_MSHARE, VM_READ, VM_SHARED, VM_WRITE, type AnonVma, type Mm, type Vma } from '../types';

export const PAGE = 4096;

/** Index of the first VMA with end > addr (may not contain addr). */
export function vmaLowerBound(mm: Mm, addr: number): number {
  const v = mm.vmas;
  let lo = 0;
  let hi = v.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (v[mid].end <= addr) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** find_vma: the VMA containing addr, or null. */
export function findVma(mm: Mm, addr: number): Vma | null {
  const i = vmaLowerBound(mm, addr);
  const v = mm.vmas[i];
  return v && v.start <= addr ? v : null;
}

/** VMAs intersecting [start, end). */
export function vmasIn(mm: Mm, start: number, end: number): Vma[] {
  const out: Vma[] = [];
  for (let i = vmaLowerBound(mm, start); i < mm.vmas.length && mm.vmas[i].start < end; i++) out.push(mm.vmas[i]);
  return out;
}

export function rangeOverlapsVma(mm: Mm, start: number, end: number): boolean {
  const i = vmaLowerBound(mm, start);
  return i < mm.vmas.length && mm.vmas[i].start < end;
}

/** anon_vma_chain_link for each anon_vma of `vma`'s chain: its own, then its ancestors. */
export function chainAnonVma(vma: Vma): void {
  for (let av: AnonVma | null = vma.anonVma; av; av = av.parent) av.vmas.add(vma);
}

/**
 * unlink_anon_vmas: `vma` leaves every anon_vma of its chain, and one no VMA chains any more
 * goes from `registry` (put_anon_vma): nothing can reach it then, since a VMA chaining a
 * descendant chains it too, and the pages that carried its id were unmapped with the VMAs.
 * Without this, every fork's anon_vmas (one per anonymous VMA) stayed for good, and every
 * checkpoint copied them.
 */
function unchainAnonVma(vma: Vma, registry: Map<number, AnonVma> | null): void {
  for (let av: AnonVma | null = vma.anonVma; av; av = av.parent) {
    av.vmas.delete(vma);
    if (registry && av.vmas.size === 0) registry.delete(av.id);
  }
}

export function linkVma(mm: Mm, vma: Vma): void {
  const i = vmaLowerBound(mm, vma.start);
  mm.vmas.splice(i, 0, vma);
  if (vma.file) vma.file.mmaps.add(vma);
  chainAnonVma(vma);
}

/**
 * `mmap ... as LABEL` (a scenario-language name, nothing Linux has): the mapping that now
 * covers `addr` takes `label` from every other VMA of `mm`, so a label names what the script
 * last called by it, not an older mapping that happens to lie lower. A label set this way
 * still follows its VMA through later splits (splitVma copies it): then the lowest piece is
 * what the name resolves to (Kernel.labelAddr).
 */
export function takeLabel(mm: Mm, label: string, addr: number): void {
  for (const v of mm.vmas) if (v.label === label && !(v.start <= addr && addr < v.end)) v.label = null;
}

/**
 * Takes `vma` out of `mm`. `registry` (the machine's anon_vmas) when the VMA goes for good
 * (munmap, exit): anon_vmas left without a VMA are freed. A merge, or a VMA moved to an
 * mshare host, passes none: the anon_vma stays with the VMA that goes on.
 */
export function unlinkVma(mm: Mm, vma: Vma, registry: Map<number, AnonVma> | null = null): void {
  const i = mm.vmas.indexOf(vma);
  if (i >= 0) mm.vmas.splice(i, 1);
  if (vma.file) vma.file.mmaps.delete(vma);
  unchainAnonVma(vma, registry);
  if (vma.region) vma.region.attached.delete(vma);
}

/** Split `vma` at `addr` (page aligned, strictly inside); returns the new upper VMA. */
export function splitVma(mm: Mm, vma: Vma, addr: number): Vma {
  const upper: Vma = { ...vma, start: addr, pgoff: vma.pgoff + (addr - vma.start) / PAGE };
  vma.end = addr;
  linkVma(mm, upper);
  if (upper.region) upper.region.attached.add(upper);
  return upper;
}

/**
 * hugetlb_vm_op_split: a hugetlb VMA splits only on a huge-page (2 MiB) boundary, so munmap,
 * MAP_FIXED, madvise and userfaultfd ranges that would cut one inside a huge page are EINVAL.
 * (Split anyway, two VMAs would map one huge leaf: fork copied it twice, munmap of one 4 KiB
 * zapped the whole 2 MiB.) True when cutting [start, end) out of `mm` splits no hugetlb VMA
 * off a huge-page boundary.
 */
export function hugetlbSplitOk(mm: Mm, start: number, end: number): boolean {
  for (const v of vmasIn(mm, start, end)) {
    if (!(v.flags & VM_HUGETLB)) continue;
    if ((start > v.start && start % 0x200000 !== 0) || (end < v.end && end % 0x200000 !== 0)) return false;
  }
  return true;
}

/**
 * Why cutting [start, end) out of `mm` (munmap, and the implicit munmap of a MAP_FIXED mmap
 * or a fixed msharefs attach) would split a VMA whose vm_ops->may_split refuses, or null.
 * __split_vma asks may_split on every path, so the caller fails with EINVAL before anything
 * is unmapped: a hugetlb VMA splits only on a 2 MiB boundary, an msharefs VMA never (its
 * faults translate through vm_start, and unmapping a piece would unlink the whole slot).
 */
export function splitRefusal(mm: Mm, start: number, end: number): string | null {
  if (!hugetlbSplitOk(mm, start, end)) return 'the range would split a 2 MiB hugetlb page';
  for (const v of vmasIn(mm, start, end)) {
    if (v.flags & VM_MSHARE && (v.start < start || v.end > end)) return 'the range would split an msharefs VMA (may_split); unmap the whole region';
  }
  return null;
}

/** Two neighbours can merge when nothing observable distinguishes them (vma_merge). */
function canMerge(a: Vma, b: Vma): boolean {
  return (
    a.end === b.start &&
    // hugetlbfs sets VM_DONTEXPAND, one of VM_SPECIAL: hugetlb VMAs never merge (and each
    // keeps its own reservation, hugetlb-pool.ts).
    !(a.flags & VM_HUGETLB) &&
    a.flags === b.flags &&
    a.file === b.file &&
    a.label === b.label &&
    a.region === null &&
    b.region === null &&
    (a.file === null || a.pgoff + (a.end - a.start) / PAGE === b.pgoff) &&
    anonVmaMergeable(a, b)
  );
}

/**
 * is_mergeable_anon_vma (mm/vma.c): two VMAs with anon_vmas merge only when it is the same
 * one. When one side has none it would take the other's chain (dup_anon_vma), which is
 * refused for a fork child's VMA, whose chain holds more than its own anon_vma
 * (vma_is_fork_child, formerly vma_had_uncowed_parents: `!list_is_singular(&vma->
 * anon_vma_chain)`, commit 965f55dea0e3 "mmap: avoid merging cloned VMAs", which LTP mm/vma01
 * tests); either side may be the one with the anon_vma (879bca0a2c4f).
 */
function anonVmaMergeable(a: Vma, b: Vma): boolean {
  if (a.anonVma && b.anonVma) return a.anonVma === b.anonVma;
  const av = a.anonVma ?? b.anonVma;
  return av === null || av.parent === null;
}

/** Merge `vma` with its neighbours where possible; returns the surviving VMA. */
export function mergeVma(mm: Mm, vma: Vma): Vma {
  let i = mm.vmas.indexOf(vma);
  let cur = vma;
  const next = mm.vmas[i + 1];
  if (next && canMerge(cur, next)) {
    cur.end = next.end;
    cur.anonVma = cur.anonVma ?? next.anonVma;
    chainAnonVma(cur);
    unlinkVma(mm, next);
  }
  i = mm.vmas.indexOf(cur);
  const prev = mm.vmas[i - 1];
  if (prev && canMerge(prev, cur)) {
    prev.end = cur.end;
    prev.anonVma = prev.anonVma ?? cur.anonVma;
    chainAnonVma(prev);
    unlinkVma(mm, cur);
    cur = prev;
  }
  return cur;
}

/**
 * Top-down search for a free range of `len` bytes aligned to `align` below `top`
 * (arch_get_unmapped_area_topdown). Returns -1 when the address space is full.
 */
export function unmappedArea(mm: Mm, len: number, align: number, top: number, bottom: number): number {
  let ceiling = top;
  for (let i = mm.vmas.length - 1; i >= -1; i--) {
    const floor = i >= 0 ? mm.vmas[i].end : bottom;
    if (i >= 0 && mm.vmas[i].start >= ceiling) continue;
    const cand = Math.floor((ceiling - len) / align) * align;
    if (cand >= floor && cand >= bottom) return cand;
    if (i >= 0) ceiling = Math.min(ceiling, mm.vmas[i].start);
  }
  return -1;
}

export function protString(vma: Vma): string {
  return (
    (vma.flags & VM_READ ? 'r' : '-') +
    (vma.flags & VM_WRITE ? 'w' : '-') +
    (vma.flags & VM_EXEC ? 'x' : '-') +
    (vma.flags & (VM_SHARED | VM_MSHARE) ? 's' : 'p')
  );
}

/**
 * Split the VMAs that straddle `start` or `end` there and return the VMAs of [start, end),
 * each now wholly inside it (what mprotect, madvise, munmap and friends operate on).
 */
export function isolateVmas(mm: Mm, start: number, end: number): Vma[] {
  const vmas = vmasIn(mm, start, end);
  if (vmas.length === 0) return vmas;
  if (vmas[0].start < start) splitVma(mm, vmas[0], start);
  const last = vmasIn(mm, start, end).at(-1)!;
  if (last.end > end) splitVma(mm, last, end);
  return vmasIn(mm, start, end);
}

/** `flags` with `set` set and `clear` cleared (mprotect: clear PROT_MASK, set the new prot). */
export function flagsWith(flags: number, set: number, clear: number): number {
  return (flags & ~clear) | set;
}

/**
 * The VMAs in [start, end) whose flags `next` changes, each split at the range's ends; a VMA
 * whose flags stay is left whole. mprotect_fixup() and madvise_update_vma() return at once when
 * the new flags equal the old (`newflags == vma->vm_flags`): no split, no page-table change, no
 * flush. A same-protection mprotect over part of a hugetlb VMA split it here and unshared its
 * PMD page, where Linux 6.18 keeps one VMA and the sharing (review 21).
 */
export function isolateChanging(mm: Mm, start: number, end: number, next: (flags: number) => number): Vma[] {
  const ranges = vmasIn(mm, start, end)
    .filter((v) => next(v.flags) !== v.flags)
    .map((v) => [Math.max(start, v.start), Math.min(end, v.end)] as const);
  return ranges.flatMap(([s, e]) => isolateVmas(mm, s, e));
}

/**
 * madvise_update_vma(): set and clear `set`/`clear` in the flags of every VMA in [start, end)
 * they change, splitting at the range's ends and merging what ends up alike.
 */
export function updateVmaFlags(mm: Mm, start: number, end: number, set: number, clear: number): void {
  const next = (f: number) => flagsWith(f, set, clear);
  const vmas = isolateChanging(mm, start, end, next);
  for (const v of vmas) v.flags = next(v.flags);
  for (const v of vmas) if (mm.vmas.includes(v)) mergeVma(mm, v);
}

/**
 * mprotect (mm/mprotect.c): split, change vm_flags, rewrite the PTEs, flush (R5, R28, H7).
 *
 * Removing write clears RW; PROT_NONE turns present entries into PROT_NONE entries (P=0,
 * bit 8 set, the frame kept: R5). Adding write makes shared mappings writable at once, and in a
 * private mapping the entries of exclusive anonymous pages (can_change_pte_writable, 6.0+); the
 * other private entries stay read-only and the next write fault decides copy or reuse.
 */
import { FrameUse, PG_ANON_EXCLUSIVE } from '../hw/physmem';
import { PTE_D, PTE_G, PTE_HI_NX, PTE_P, PTE_PCD, PTE_PROTNONE, PTE_PS, PTE_PWT, PTE_RW, PTE_SPECIAL, PTE_US, entryPfn } from '../hw/pte';
import { PAGE_SHIFT, PMD_SHIFT } from '../hw/cpu';
import type { Machine } from '../machine';
import { VM_EXEC, VM_HUGETLB, VM_READ, VM_SHARED, VM_UFFD_WP, VM_WRITE, type Mm, type Vma } from '../types';
import { unshareHugePmds } from './hugetlb';
import { walkRange } from './pagewalk';
import { entryIndex, pgIndex } from './pgtable';
import { flagsWith, isolateChanging, mergeVma } from './vma';
import { levelName, tracePteSet } from './pte-trace';
import { hugeSpan, isThpPmd, zapThpPmd } from './thp';
import { releasePages } from './unmap';
import { flushGather, gatherRange, newGather } from './tlb-gather';

export const PROT_MASK = VM_READ | VM_WRITE | VM_EXEC;

/**
 * pte_needs_flush (x86): only a change a stale TLB entry could get wrong needs a flush. A
 * non-present entry was never cached; RW, US, NX, PS, G, PWT or PCD changing either way needs
 * one (RW set as well: the TLB may hold the read-only entry), P or D cleared needs one, A does
 * not.
 */
function pteNeedsFlush(oldLo: number, oldHi: number, lo: number, hi: number): boolean {
  if (!(oldLo & PTE_P)) return false;
  if (entryPfn(oldLo, oldHi) !== entryPfn(lo, hi)) return true;
  const diff = oldLo ^ lo;
  if (diff & (PTE_RW | PTE_US | PTE_PS | PTE_G | PTE_PWT | PTE_PCD)) return true;
  if ((oldHi ^ hi) & PTE_HI_NX) return true;
  return (diff & oldLo & (PTE_P | PTE_D)) !== 0;
}

/**
 * Rewrite the leaf entries of [start, end) in `mm` for the VMA flags `flags`, then flush what
 * needs it (change_protection with an mmu_gather: the flushed range spans the entries whose
 * change needs a flush, none when nothing does; hugetlb flushes the whole range).
 */
export function changeProtection(m: Machine, mm: Mm, start: number, end: number, flags: number): void {
  const u32 = m.pm.u32;
  const d = m.pm.d;
  m.ptEpoch++; // RW or P may go away (Machine.ptEpoch)
  const none = (flags & PROT_MASK) === 0;
  const shared = (flags & VM_SHARED) !== 0;
  // Shared (shmem) mappings have no write notification: every entry gets RW from vm_page_prot.
  const write = (flags & VM_WRITE) !== 0 && shared;
  // MM_CP_TRY_CHANGE_WRITABLE for a writable private mapping: can_change_pte_writable() makes
  // an entry writable at once when it maps an exclusive anonymous page (its write fault would
  // only reuse it); anything else still COW-faults. Not under uffd-wp, which needs the faults.
  const tryWritable = (flags & VM_WRITE) !== 0 && !shared && (flags & VM_UFFD_WP) === 0;
  const nx = (flags & VM_EXEC) === 0;
  const split: number[] = [];
  const tlb = newGather();
  // hugetlb_change_protection ends with flush_hugetlb_tlb_range over its whole range, with
  // huge_page_shift as the stride, whether or not it changed an entry.
  if (flags & VM_HUGETLB) gatherRange(tlb, start, end, PMD_SHIFT);
  /** Rewrites the entry at `ei`; true when the change needs a TLB flush. */
  const fix = (ei: number, pteLevel: boolean): boolean => {
    const oldLo = u32[ei];
    const oldHi = u32[ei + 1];
    let lo = oldLo;
    const special = (lo & PTE_SPECIAL) !== 0;
    if (none) lo = (lo & ~PTE_P) | PTE_PROTNONE;
    else if (lo & PTE_PROTNONE && !(lo & PTE_P)) lo = (lo & ~PTE_PROTNONE) | PTE_P;
    if (!(flags & VM_WRITE)) lo &= ~PTE_RW;
    else if (write && !special) lo |= PTE_RW;
    else if (tryWritable && pteLevel && !special && lo & PTE_P && !(lo & PTE_RW)) {
      const pfn = entryPfn(lo, oldHi);
      if ((d.use[pfn] as FrameUse) === FrameUse.Anon && d.flags[pfn] & PG_ANON_EXCLUSIVE) lo |= PTE_RW;
    }
    const hi = nx ? (oldHi | PTE_HI_NX) >>> 0 : (oldHi & ~PTE_HI_NX) >>> 0;
    u32[ei] = lo >>> 0;
    u32[ei + 1] = hi;
    return pteNeedsFlush(oldLo, oldHi, lo, hi);
  };
  walkRange(m, mm.pgd, start, end, {
    pteTable: (table, from, to) => {
      let n = 0;
      let first = 0;
      let firstEi = 0;
      for (let va = from; va < to; va += 4096) {
        const ei = entryIndex(table, pgIndex(va, 12));
        if (!(u32[ei] & (PTE_P | PTE_PROTNONE))) continue;
        if (fix(ei, true)) gatherRange(tlb, va, va + 4096, PAGE_SHIFT);
        if (n++ === 0) {
          first = va;
          firstEi = ei;
        }
      }
      if (n) tracePteSet(m, mm, first, 'pte', entryPfn(u32[firstEi], u32[firstEi + 1]), n);
    },
    huge: (depth, ei, va) => {
      const pfn = entryPfn(u32[ei], u32[ei + 1]);
      // The walk passes the range's start within the entry, not the entry's own start.
      const [hs, he] = hugeSpan(va, va + 1);
      const shift = m.geo.shifts[depth]; // tlb_flush_pmd_range: cleared_pmds, a 2 MiB stride
      const thp = isThpPmd(m, pfn);
      if (thp && (hs < start || he > end)) {
        // change_pmd_range on part of a shmem PMD: __split_huge_pmd, which for a file PMD
        // clears it; the pages refault as PTEs with the new protections.
        zapThpPmd(m, mm, ei, hs, depth, pfn, split);
        gatherRange(tlb, hs, he, shift);
        return;
      }
      const needsFlush = fix(ei, false);
      // hugetlb's whole range is gathered above; change_huge_pmd flushes what needs it.
      if (thp && needsFlush) gatherRange(tlb, hs, he, shift);
      tracePteSet(m, mm, va, levelName(m, depth), pfn);
    },
  });
  flushGather(m, mm, tlb);
  releasePages(m, split); // after the flush (R28)
}

/** mprotect on page-aligned [start, end) already checked to be fully mapped. */
export function doMprotect(m: Machine, mm: Mm, start: number, end: number, prot: number): void {
  const next = (f: number) => flagsWith(f, prot, PROT_MASK);
  const vmas = isolateChanging(mm, start, end, next);
  for (const v of vmas) {
    if (v.flags & VM_HUGETLB) unshareHugePmds(m, mm, v.start, v.end); // H7
    v.flags = next(v.flags);
    changeProtection(m, mm, v.start, v.end, v.flags);
  }
  for (const v of vmas) if (mm.vmas.includes(v)) mergeVma(mm, v as Vma);
}

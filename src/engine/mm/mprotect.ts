/**
 * mprotect (mm/mprotect.c): split, change vm_flags, rewrite the PTEs, flush (R5, R28, H7).
 *
 * Removing write clears RW; PROT_NONE turns present entries into PROT_NONE entries (P=0,
 * bit 8 set, the frame kept: R5). Adding write makes shared mappings writable at once; a
 * private (COW) mapping stays read-only and the next write fault decides copy or reuse.
 */
import { PTE_HI_NX, PTE_P, PTE_PROTNONE, PTE_RW, PTE_SPECIAL, entryPfn } from '../hw/pte';
import { flushTlbRange } from '../hw/cpu';
import type { Machine } from '../machine';
import { VM_EXEC, VM_HUGETLB, VM_READ, VM_SHARED, VM_WRITE, type Mm, type Vma } from '../types';
import { unshareHugePmds } from './hugetlb';
import { walkRange } from './pagewalk';
import { entryIndex, pgIndex } from './pgtable';
import { isolateVmas, mergeVma } from './vma';
import { levelName, tracePteSet } from './pte-trace';
import { hugeSpan, isThpPmd, zapThpPmd } from './thp';
import { releasePages } from './unmap';

export const PROT_MASK = VM_READ | VM_WRITE | VM_EXEC;

/** Rewrite the leaf entries of [start, end) in `mm` for the VMA flags `flags`. */
export function changeProtection(m: Machine, mm: Mm, start: number, end: number, flags: number): void {
  const u32 = m.pm.u32;
  m.ptEpoch++; // RW or P may go away (Machine.ptEpoch)
  const none = (flags & PROT_MASK) === 0;
  const write = (flags & VM_WRITE) !== 0 && (flags & VM_SHARED) !== 0;
  const nx = (flags & VM_EXEC) === 0;
  const split: number[] = [];
  let flushFrom = start;
  let flushTo = end;
  const fix = (ei: number) => {
    let lo = u32[ei];
    const special = (lo & PTE_SPECIAL) !== 0;
    if (none) lo = (lo & ~PTE_P) | PTE_PROTNONE;
    else if (lo & PTE_PROTNONE && !(lo & PTE_P)) lo = (lo & ~PTE_PROTNONE) | PTE_P;
    if (!(flags & VM_WRITE)) lo &= ~PTE_RW;
    else if (write && !special) lo |= PTE_RW;
    u32[ei] = lo >>> 0;
    u32[ei + 1] = nx ? (u32[ei + 1] | PTE_HI_NX) >>> 0 : (u32[ei + 1] & ~PTE_HI_NX) >>> 0;
  };
  walkRange(m, mm.pgd, start, end, {
    pteTable: (table, from, to) => {
      let n = 0;
      let first = 0;
      let firstEi = 0;
      for (let va = from; va < to; va += 4096) {
        const ei = entryIndex(table, pgIndex(va, 12));
        if (!(u32[ei] & (PTE_P | PTE_PROTNONE))) continue;
        fix(ei);
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
      if (isThpPmd(m, pfn) && (hs < start || he > end)) {
        // change_pmd_range on part of a shmem PMD: __split_huge_pmd, which for a file PMD
        // clears it; the pages refault as PTEs with the new protections.
        zapThpPmd(m, mm, ei, hs, depth, pfn, split);
        flushFrom = Math.min(flushFrom, hs);
        flushTo = Math.max(flushTo, he);
        return;
      }
      fix(ei);
      tracePteSet(m, mm, va, levelName(m, depth), pfn);
    },
  });
  flushTlbRange(m, mm, flushFrom, flushTo);
  releasePages(m, split); // after the flush (R28)
}

/** mprotect on page-aligned [start, end) already checked to be fully mapped. */
export function doMprotect(m: Machine, mm: Mm, start: number, end: number, prot: number): void {
  const vmas = isolateVmas(mm, start, end);
  for (const v of vmas) {
    if (v.flags & VM_HUGETLB) unshareHugePmds(m, mm, v.start, v.end); // H7
    v.flags = (v.flags & ~PROT_MASK) | prot;
    changeProtection(m, mm, v.start, v.end, v.flags);
  }
  for (const v of vmas) if (mm.vmas.includes(v)) mergeVma(mm, v as Vma);
}

/**
 * Teardown: zap_page_range, free_pgtables, munmap and exit_mmap (R20, R21, H5, H7, M13, M19).
 *
 * Order matters (R20): entries are cleared and pages collected first (mmu_gather), the TLB is
 * flushed, and only then are the pages released, so no CPU can reach a freed frame. Table
 * pages are freed only when no VMA covers any part of their span.
 */
import { FrameUse, PG_DIRTY } from '../hw/physmem';
import { PTE_D, PTE_P, PTE_PS, PTE_SPECIAL, entryPfn } from '../hw/pte';
import { PAGE_SHIFT, PMD_SHIFT } from '../hw/cpu';
import type { Machine } from '../machine';
import { VM_HUGETLB, VM_MSHARE, type Mm, type Vma } from '../types';
import { HPAGE, unshareHugePmds } from './hugetlb';
import { hugetlbVmaClose } from './hugetlb-pool';
import { maybeEvict } from './pagecache';
import { walkRange } from './pagewalk';
import { entryIndex, findTable, freeTable, pgIndex } from './pgtable';
import { isolateVmas, rangeOverlapsVma, unlinkVma, vmasIn } from './vma';
import { vmOps } from './vmops';
import { levelName, tracePteClear } from './pte-trace';
import { folioFrame, hugeSpan, isThpPmd, zapThpPmd } from './thp';
import { flushGather, flushGatherFullMm, gatherFreedTable, gatherRange, newGather, type TlbGather } from './tlb-gather';

/** True for an entry in `mm` that points at a table page `mm` only borrows (an mshare PUD). */
function isBorrowedPud(m: Machine, mm: Mm, child: number): boolean {
  const d = m.pm.d;
  return d.use[child] === FrameUse.Pud && d.owner[child] !== mm.id;
}

/**
 * Clear the leaf entries of [start, end) in `mm`, drop RSS and mapcounts, and append the
 * frames to release to `pages`. `tlb` records the span of the entries actually cleared
 * (zap_present_ptes: tlb_remove_tlb_entries for each present entry, none for an empty one):
 * the caller flushes that before it calls `releasePages`. A shmem PMD cleared over part of
 * its folio records its whole 2 MiB, since all of it is gone.
 */
export function zapRange(m: Machine, mm: Mm, start: number, end: number, pages: number[], tlb: TlbGather): void {
  m.ptEpoch++; // entries go away (Machine.ptEpoch)
  const u32 = m.pm.u32;
  const d = m.pm.d;
  walkRange(m, mm.pgd, start, end, {
    table: (_depth, _ei, _va, child) => !isBorrowedPud(m, mm, child),
    pteTable: (table, from, to) => {
      let cleared = 0;
      let first = 0;
      let last = 0;
      for (let va = from; va < to; va += 4096) {
        const ei = entryIndex(table, pgIndex(va, 12));
        const lo = u32[ei];
        if (lo === 0 && u32[ei + 1] === 0) continue;
        if (cleared++ === 0) first = va;
        last = va;
        const pfn = entryPfn(lo, u32[ei + 1]);
        u32[ei] = 0;
        u32[ei + 1] = 0;
        if (lo & PTE_SPECIAL) continue; // the zero page is never counted (R8)
        d.mapcount[pfn]--;
        if (d.use[pfn] === FrameUse.Anon) mm.rssAnon--;
        else {
          mm.rssShmem--;
          if (lo & PTE_D) d.flags[folioFrame(m, pfn)] |= PG_DIRTY; // zap_present_ptes: the PTE's dirty bit goes to the folio
        }
        pages.push(pfn);
      }
      if (cleared === 0) return;
      tracePteClear(m, mm, first, 'pte', cleared);
      gatherRange(tlb, first, last + 4096, PAGE_SHIFT);
    },
    huge: (depth, ei, va) => {
      const pfn = entryPfn(u32[ei], u32[ei + 1]);
      const [hs, he] = hugeSpan(va, va + 1); // the entry's 2 MiB (va is the range's start in it)
      gatherRange(tlb, hs, he, m.geo.shifts[depth]); // zap_huge_pmd, __unmap_hugepage_range: cleared_pmds
      if (isThpPmd(m, pfn)) {
        // A shmem PMD, whole or split (a file PMD's split just clears it).
        zapThpPmd(m, mm, ei, hs, depth, pfn, pages);
        return;
      }
      u32[ei] = 0;
      u32[ei + 1] = 0;
      tracePteClear(m, mm, va, levelName(m, depth));
      d.mapcount[pfn]--;
      mm.hugetlbPages -= 512;
      pages.push(pfn);
    },
  });
}

export function releasePages(m: Machine, gather: number[]): void {
  for (const pfn of gather) m.putPage(pfn);
  gather.length = 0;
}

/** Before a zap of [start, end): hugetlb VMAs in it unshare their shared PMD pages (H5). */
function unshareForZap(m: Machine, mm: Mm, start: number, end: number): void {
  for (const v of vmasIn(mm, start, end)) {
    if (v.flags & VM_HUGETLB) unshareHugePmds(m, mm, Math.max(start, v.start), Math.min(end, v.end));
  }
}

/**
 * zap_page_range + TLB flush + release: what unmapping and truncation do to the leaves. The
 * flush covers only what was cleared (tlb_end_vma), none when nothing was.
 */
export function zapAndFlush(m: Machine, mm: Mm, start: number, end: number): void {
  zapFlushRelease(m, mm, start, end, false);
}

/**
 * MADV_DONTNEED (zap_page_range_single): the zap, then PT_RECLAIM's freeing of the PTE tables
 * it emptied, in one mmu_gather: one flush over both, which reaches lazy CPUs when a table
 * was freed; then the pages are released.
 */
export function zapDontneed(m: Machine, mm: Mm, start: number, end: number): void {
  zapFlushRelease(m, mm, start, end, true);
}

function zapFlushRelease(m: Machine, mm: Mm, start: number, end: number, reclaimTables: boolean): void {
  const pages: number[] = [];
  const tlb = newGather();
  unshareForZap(m, mm, start, end);
  zapRange(m, mm, start, end, pages, tlb);
  if (reclaimTables) reclaimPteTables(m, mm, start, end, tlb);
  flushGather(m, mm, tlb);
  releasePages(m, pages);
}

/**
 * CONFIG_PT_RECLAIM (Linux 6.14+, on by default on x86-64), for MADV_DONTNEED after its zap:
 * a PTE table whose whole 2 MiB the zap covered inside one VMA (zap_pte_range's reclaim_pt:
 * the range handed to it spans PMD_SIZE) holds nothing now, so its PMD entry is cleared and
 * the table freed (free_pte: pte_free_tlb into the zap's gather `tlb`).
 */
function reclaimPteTables(m: Machine, mm: Mm, start: number, end: number, tlb: TlbGather): void {
  const u32 = m.pm.u32;
  const depth = m.geo.pmdDepth;
  for (const v of vmasIn(mm, start, end)) {
    if (v.flags & (VM_HUGETLB | VM_MSHARE)) continue;
    const to = Math.min(end, v.end);
    for (let a = Math.ceil(Math.max(start, v.start) / HPAGE) * HPAGE; a + HPAGE <= to; a += HPAGE) {
      const pmd = findTable(m, mm.pgd, a, depth);
      if (pmd < 0) continue;
      const ei = entryIndex(pmd, pgIndex(a, 21));
      if (!(u32[ei] & PTE_P) || u32[ei] & PTE_PS) continue; // no table, or a 2 MiB leaf
      const pte = entryPfn(u32[ei], u32[ei + 1]);
      if (!tableEmpty(u32, pte)) continue; // any_skipped: the zap left an entry
      u32[ei] = 0;
      u32[ei + 1] = 0;
      tracePteClear(m, mm, a, levelName(m, depth));
      freeTable(m, mm, pte);
      gatherFreedTable(tlb, a, PMD_SHIFT);
    }
  }
}

function tableEmpty(u32: Uint32Array, table: number): boolean {
  for (let i = table * 1024; i < table * 1024 + 1024; i++) if (u32[i] !== 0) return false;
  return true;
}

/**
 * free_pgtables(): free every table under [start, end) whose whole span no VMA touches.
 * Shared hugetlb PMD pages are unshared rather than freed (H5); the host's mshare PUD page
 * is kept while processes are linked to it (M19); borrowed mshare PUDs are never freed.
 * Every entry cleared goes into `tlb` (p?d_free_tlb), for the flush that must follow.
 */
export function freePgtables(m: Machine, mm: Mm, start: number, end: number, tlb: TlbGather): void {
  freeLevel(m, mm, mm.pgd, 0, start, end, tlb);
}

/**
 * Returns true when a table entry in the range was kept (a linked mshare PUD, a borrowed
 * one): the table holding it is not empty and must not be freed either. With 5-level paging
 * the host's P4D page sits above the kept PUD; freeing it orphaned the PUD page for good.
 */
function freeLevel(m: Machine, mm: Mm, table: number, depth: number, start: number, end: number, tlb: TlbGather): boolean {
  const u32 = m.pm.u32;
  const d = m.pm.d;
  const shift = m.geo.shifts[depth];
  const size = 2 ** shift;
  let kept = false;
  for (let va = Math.floor(start / size) * size; va < end; va += size) {
    const ei = entryIndex(table, pgIndex(va, shift));
    const lo = u32[ei];
    if (!(lo & PTE_P) || lo & PTE_PS) continue;
    const child = entryPfn(lo, u32[ei + 1]);
    if (isBorrowedPud(m, mm, child)) {
      kept = true;
      continue;
    }
    if (depth + 1 < m.geo.pteDepth && freeLevel(m, mm, child, depth + 1, Math.max(start, va), Math.min(end, va + size), tlb)) {
      kept = true;
      continue;
    }
    if (rangeOverlapsVma(mm, va, va + size)) continue;
    if (d.share[child] > 0) {
      if (d.use[child] === FrameUse.Pud) {
        kept = true;
        continue; // M19: linked processes still use it
      }
      u32[ei] = 0;
      u32[ei + 1] = 0;
      tracePteClear(m, mm, va, levelName(m, depth));
      d.share[child]--;
      mm.pgtablesBytes -= 4096;
      gatherFreedTable(tlb, Math.max(va, start), shift);
      continue;
    }
    u32[ei] = 0;
    u32[ei + 1] = 0;
    tracePteClear(m, mm, va, levelName(m, depth));
    freeTable(m, mm, child);
    gatherFreedTable(tlb, Math.max(va, start), shift);
  }
  return kept;
}

/**
 * do_munmap on page-aligned [start, end): split, zap, flush, free pages and tables. As on x86
 * (no MMU_GATHER_MERGE_VMAS), the zap's flush comes first (tlb_end_vma); the freed tables are
 * flushed by tlb_finish_mmu, a second flush that only happens when tables were freed and that
 * reaches lazy CPUs too.
 */
export function doMunmap(m: Machine, mm: Mm, start: number, end: number): void {
  const vmas = isolateVmas(mm, start, end);
  if (vmas.length === 0) return;
  // mshare VMAs unlink their slots (M13) before anything walks those slots.
  for (const v of vmas) if (v.flags & VM_MSHARE) vmOps.mshare?.unmap(m, mm, v);
  zapAndFlush(m, mm, start, end);
  removeVmas(m, mm, vmas);
  const tlb = newGather();
  freePgtables(m, mm, start, end, tlb);
  flushGather(m, mm, tlb);
  for (const v of vmas) if (v.file) maybeEvict(m, v.file);
}

/** remove_vma for VMAs that go for good: hugetlb gives back their reservations, anon_vmas go. */
function removeVmas(m: Machine, mm: Mm, vmas: readonly Vma[]): void {
  for (const v of vmas) {
    hugetlbVmaClose(m, v);
    unlinkVma(mm, v, m.s.anonVmas);
  }
}

/**
 * exit_mmap (R21): unmap everything, free every table and the PGD. A fullmm gather: no flush
 * per VMA; tlb_finish_mmu flushes the whole mm once, if anything was cleared or freed, and
 * only then are the pages released. The flush reaches the CPUs that still hold the mm (lazy
 * ones: every task of it has gone), not CPUs that merely cache an ASID of it.
 */
export function exitMmap(m: Machine, mm: Mm): void {
  const top = m.geo.userTop;
  const vmas = [...mm.vmas];
  for (const v of vmas) if (v.flags & VM_MSHARE) vmOps.mshare?.unmap(m, mm, v);
  const pages: number[] = [];
  const tlb = newGather();
  unshareForZap(m, mm, 0, top);
  zapRange(m, mm, 0, top, pages, tlb);
  const files = vmas.map((v) => v.file).filter((f) => f !== null);
  removeVmas(m, mm, vmas);
  freePgtables(m, mm, 0, top, tlb);
  flushGatherFullMm(m, mm, tlb);
  releasePages(m, pages);
  m.freeFrames(mm.pgd, 0);
  mm.pgd = -1;
  mm.dead = true;
  for (const f of files) maybeEvict(m, f!);
}

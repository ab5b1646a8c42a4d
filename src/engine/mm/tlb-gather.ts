/**
 * The part of an mmu_gather (include/asm-generic/tlb.h) that decides the TLB flush: the span
 * of the entries a zap actually cleared and of the page tables it freed (__tlb_adjust_range,
 * from tlb_remove_tlb_entries in zap_present_ptes and from p?d_free_tlb), and freed_tables.
 * tlb_flush_mmu_tlbonly() flushes nothing when nothing was recorded: a zap of a range with no
 * present entry sends no IPI. The flush's stride is the smallest page size among the entries
 * cleared (tlb_get_unmap_shift: cleared_ptes, then cleared_pmds, then cleared_puds), so a zap
 * of 2 MiB leaves only flushes one INVLPG per 2 MiB.
 */
import { PAGE_SHIFT, flushTlbRange } from '../hw/cpu';
import type { Machine } from '../machine';
import type { Mm } from '../types';

export interface TlbGather {
  start: number;
  end: number;
  /** log2 of the smallest page size cleared (the flush's stride_shift); Infinity when empty. */
  shift: number;
  /** A page-table page was freed: the flush reaches lazy CPUs too (native_flush_tlb_multi). */
  freedTables: boolean;
}

export function newGather(): TlbGather {
  return { start: Infinity, end: -Infinity, shift: Infinity, freedTables: false };
}

/** Entries mapping [start, end) with pages of 2^shift bytes were cleared or changed. */
export function gatherRange(g: TlbGather, start: number, end: number, shift: number): void {
  if (start < g.start) g.start = start;
  if (end > g.end) g.end = end;
  if (shift < g.shift) g.shift = shift;
}

/**
 * The table page an entry at `va` pointed to was freed or unlinked, the entry being one of a
 * table whose entries span 2^shift bytes: pte_free_tlb (shift PMD_SHIFT, cleared_pmds) and
 * its siblings widen the range by one page at `va` and set freed_tables.
 */
export function gatherFreedTable(g: TlbGather, va: number, shift: number): void {
  gatherRange(g, va, va + 4096, shift);
  g.freedTables = true;
}

export function gatherEmpty(g: TlbGather): boolean {
  return g.end <= g.start;
}

/** tlb_flush_mmu_tlbonly(): flush what was recorded, nothing when nothing was, then start over. */
export function flushGather(m: Machine, mm: Mm, g: TlbGather): void {
  if (!gatherEmpty(g)) flushTlbRange(m, mm, g.start, g.end, g.shift, g.freedTables);
  resetGather(g);
}

/**
 * The flush of a fullmm gather (exit_mmap): tlb_flush() flushes the whole mm, whatever the
 * range, once anything was cleared or freed.
 */
export function flushGatherFullMm(m: Machine, mm: Mm, g: TlbGather): void {
  if (!gatherEmpty(g)) flushTlbRange(m, mm, 0, m.geo.userTop, PAGE_SHIFT, g.freedTables);
  resetGather(g);
}

function resetGather(g: TlbGather): void {
  g.start = Infinity;
  g.end = -Infinity;
  g.shift = Infinity;
  g.freedTables = false;
}

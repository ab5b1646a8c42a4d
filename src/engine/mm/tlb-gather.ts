/**
 * The part of an mmu_gather (include/asm-generic/tlb.h) that decides the TLB flush: the span
 * of the entries a zap actually cleared and of the page tables it freed (__tlb_adjust_range,
 * from tlb_remove_tlb_entries in zap_present_ptes and from p?d_free_tlb), and freed_tables.
 * tlb_flush_mmu_tlbonly() flushes nothing when nothing was recorded: a zap of a range with no
 * present entry sends no IPI.
 */
import { flushTlbRange } from '../hw/cpu';
import type { Machine } from '../machine';
import type { Mm } from '../types';

export interface TlbGather {
  start: number;
  end: number;
  /** A page-table page was freed: the flush reaches lazy CPUs too (native_flush_tlb_multi). */
  freedTables: boolean;
}

export function newGather(): TlbGather {
  return { start: Infinity, end: -Infinity, freedTables: false };
}

/** Entries mapping [start, end) were cleared. */
export function gatherRange(g: TlbGather, start: number, end: number): void {
  if (start < g.start) g.start = start;
  if (end > g.end) g.end = end;
}

/**
 * The table page an entry at `va` pointed to was freed or unlinked: pte_free_tlb and its
 * siblings widen the range by one page at `va` and set freed_tables.
 */
export function gatherFreedTable(g: TlbGather, va: number): void {
  gatherRange(g, va, va + 4096);
  g.freedTables = true;
}

export function gatherEmpty(g: TlbGather): boolean {
  return g.end <= g.start;
}

/** tlb_flush_mmu_tlbonly(): flush what was recorded, nothing when nothing was, then start over. */
export function flushGather(m: Machine, mm: Mm, g: TlbGather): void {
  if (!gatherEmpty(g)) flushTlbRange(m, mm, g.start, g.end, g.freedTables);
  resetGather(g);
}

/**
 * The flush of a fullmm gather (exit_mmap): tlb_flush() flushes the whole mm, whatever the
 * range, once anything was cleared or freed.
 */
export function flushGatherFullMm(m: Machine, mm: Mm, g: TlbGather): void {
  if (!gatherEmpty(g)) flushTlbRange(m, mm, 0, m.geo.userTop, g.freedTables);
  resetGather(g);
}

function resetGather(g: TlbGather): void {
  g.start = Infinity;
  g.end = -Infinity;
  g.freedTables = false;
}

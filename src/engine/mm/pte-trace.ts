/**
 * pte-set / pte-clear trace events: every page-table entry the kernel writes or clears, at
 * any level. Entries changed together (fault-around, a fork copying one PTE table, a zap of
 * one table, an mprotect) are one event whose `pages` counts them, with `addr` the first; so
 * tracing stays cheap when 1,500 processes fault 16,384 pages each. Hardware A/D updates by
 * the MMU's walk are not kernel writes and are not traced.
 */
import type { Machine } from '../machine';
import type { Mm } from '../types';
import { TI } from '../trace';

export type PteLevel = 'pgd' | 'p4d' | 'pud' | 'pmd' | 'pte';

const LEVELS4: readonly PteLevel[] = ['pgd', 'pud', 'pmd', 'pte'];
const LEVELS5: readonly PteLevel[] = ['pgd', 'p4d', 'pud', 'pmd', 'pte'];

/** The name of the table level at `depth` (0 = PGD) on this machine. */
export function levelName(m: Machine, depth: number): PteLevel {
  return (m.geo.shifts.length === 5 ? LEVELS5 : LEVELS4)[depth] ?? 'pte';
}

/** `pages` entries from `addr` at `level` now point at `pfn` (the first one's frame). */
export function tracePteSet(m: Machine, mm: Mm, addr: number, level: PteLevel, pfn: number, pages = 1): void {
  if (pages <= 0) return;
  if (m.trace.recording) m.trace.emitAt(TI['pte-set'], { type: 'pte-set', mm: mm.id, addr, level, pfn, pages });
  else m.trace.countAt(TI['pte-set']);
}

/** `pages` entries from `addr` at `level` were cleared. */
export function tracePteClear(m: Machine, mm: Mm, addr: number, level: PteLevel, pages = 1): void {
  if (pages <= 0) return;
  if (m.trace.recording) m.trace.emitAt(TI['pte-clear'], { type: 'pte-clear', mm: mm.id, addr, level, pages });
  else m.trace.countAt(TI['pte-clear']);
}

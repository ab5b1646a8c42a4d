/**
 * The generic page-table walker (like mm/pagewalk.c's walk_page_range with mm_walk_ops).
 *
 * Fork's copy, munmap's zap, free_pgtables, the /proc views, the invariant checker and the
 * UI's tree are all walks. Callbacks get the u32 index of the entry (`ei`: lo at u32[ei],
 * hi at u32[ei+1]) so they can read and rewrite entries in place.
 *
 * Recursion depth is bounded by the paging levels (4 or 5), so recursion is safe here.
 */
import { PTE_P, PTE_PROTNONE, PTE_PS, entryPfn } from '../hw/pte';
import type { Machine } from '../machine';
import { entryIndex, pgIndex } from './pgtable';

export interface WalkOps {
  /**
   * A present non-leaf entry at `depth` pointing at table `child`. Return false to skip
   * descending (e.g. an mshare slot the caller handles itself).
   */
  table?(depth: number, ei: number, va: number, child: number): boolean | void;
  /** A whole PTE table's slice [from, to) of `va`s; when given, `pte` is not called. */
  pteTable?(tablePfn: number, from: number, to: number): void;
  /** A present (or PROT_NONE) 4 KiB leaf. */
  pte?(ei: number, va: number): void;
  /** A present huge leaf (PS) at `depth` (PMD = 2 MiB, PUD = 1 GiB). */
  huge?(depth: number, ei: number, va: number): void;
  /** A range with no table or no entry at `depth`. */
  hole?(start: number, end: number, depth: number): void;
}

export function walkRange(m: Machine, pgd: number, start: number, end: number, ops: WalkOps): void {
  walkTable(m, pgd, 0, start, end, ops);
}

function walkTable(m: Machine, table: number, depth: number, start: number, end: number, ops: WalkOps): void {
  const u32 = m.pm.u32;
  const shift = m.geo.shifts[depth];
  const size = 2 ** shift;
  const leafDepth = m.geo.pteDepth;
  if (depth === leafDepth && ops.pteTable) {
    ops.pteTable(table, start, end);
    return;
  }
  let va = start;
  while (va < end) {
    const next = Math.min(end, (Math.floor(va / size) + 1) * size);
    const ei = entryIndex(table, pgIndex(va, shift));
    const lo = u32[ei];
    if (depth === leafDepth) {
      if (lo & (PTE_P | PTE_PROTNONE)) ops.pte?.(ei, va);
      else ops.hole?.(va, next, depth);
    } else if (!(lo & PTE_P) && !((lo & PTE_PROTNONE) && (lo & PTE_PS))) {
      ops.hole?.(va, next, depth);
    } else if (lo & PTE_PS) {
      ops.huge?.(depth, ei, va);
    } else {
      const child = entryPfn(lo, u32[ei + 1]);
      if (ops.table?.(depth, ei, va, child) !== false) walkTable(m, child, depth + 1, va, next, ops);
    }
    va = next;
  }
}

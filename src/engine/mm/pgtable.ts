/**
 * Page-table pages and entries (pgd_alloc/pud_alloc/pmd_alloc/pte_alloc, set_pte, pte_clear).
 *
 * Tables live in RAM frames; entry i of the table in frame `pfn` is the u32 pair at
 * `pfn*1024 + i*2` (lo) and `+1` (hi). Intermediate entries are _PAGE_TABLE (R6).
 * pgtables_bytes counts PUD, PMD and PTE pages (R23): not the PGD, not a 5-level P4D.
 *
 * Ownership: an mm owns the tables it allocated (desc.owner = mm id). A table page reached
 * through another mm's entry (mshare PUD, hugetlb shared PMD) carries a share count in
 * desc.share and is never freed by a non-owner (H5, M19).
 */
import { FrameUse, U32_PER_PAGE } from '../hw/physmem';
import { PAGE_TABLE, PTE_P, PTE_PROTNONE, PTE_PS, entryPfn, makeHi, makeLo } from '../hw/pte';
import type { Machine } from '../machine';
import type { Mm } from '../types';
import { levelName, tracePteSet } from './pte-trace';

export function pgIndex(va: number, shift: number): number {
  if (shift >= 32) return (Math.floor(va / 4294967296) >>> (shift - 32)) & 511;
  if (shift > 23) {
    const hi = Math.floor(va / 4294967296);
    return ((hi << (32 - shift)) | ((va >>> 0) >>> shift)) & 511;
  }
  return ((va >>> 0) >>> shift) & 511;
}

export function entryIndex(tablePfn: number, idx: number): number {
  return tablePfn * U32_PER_PAGE + idx * 2;
}

export function isCountedTable(use: FrameUse): boolean {
  return use === FrameUse.Pud || use === FrameUse.Pmd || use === FrameUse.Pte;
}

/** Allocate a zeroed table page for `mm` at `depth`; -1 when out of memory. */
export function allocTable(m: Machine, mm: Mm, depth: number): number {
  const use = m.geo.uses[depth];
  const pfn = m.allocFrames(0, use, mm.id);
  if (pfn < 0) return -1;
  if (isCountedTable(use)) mm.pgtablesBytes += 4096;
  return pfn;
}

/** Free a table page `mm` owns. The caller has already cleared the entry pointing at it. */
export function freeTable(m: Machine, mm: Mm, pfn: number): void {
  const use = m.pm.d.use[pfn] as FrameUse;
  if (isCountedTable(use)) mm.pgtablesBytes -= 4096;
  m.freeFrames(pfn, 0);
}

/**
 * Walk from the PGD down to the table at `depth` covering `va`, allocating missing tables.
 * Returns the table's pfn, -1 when an allocation failed, or -2 when a huge leaf (PS) sits on
 * the path. Entries are installed with _PAGE_TABLE.
 */
export function ensureTable(m: Machine, mm: Mm, va: number, depth: number): number {
  const u32 = m.pm.u32;
  const shifts = m.geo.shifts;
  let table = mm.pgd;
  for (let d = 0; d < depth; d++) {
    const ei = entryIndex(table, pgIndex(va, shifts[d]));
    const lo = u32[ei];
    // A huge leaf, present or PROT_NONE (P clear, bit 8 set): never overwrite it with a table.
    if (lo & PTE_PS && lo & (PTE_P | PTE_PROTNONE)) return -2;
    if (lo & PTE_P) {
      table = entryPfn(lo, u32[ei + 1]);
      continue;
    }
    const child = allocTable(m, mm, d + 1);
    if (child < 0) return -1;
    u32[ei] = makeLo(child, PAGE_TABLE);
    u32[ei + 1] = makeHi(child, false);
    tracePteSet(m, mm, va, levelName(m, d), child);
    table = child;
  }
  return table;
}

/** Look up the table at `depth` covering `va` without allocating; -1 if absent, -2 if a huge leaf blocks. */
export function findTable(m: Machine, pgd: number, va: number, depth: number): number {
  const u32 = m.pm.u32;
  const shifts = m.geo.shifts;
  let table = pgd;
  for (let d = 0; d < depth; d++) {
    const ei = entryIndex(table, pgIndex(va, shifts[d]));
    const lo = u32[ei];
    if (!(lo & PTE_P)) return -1;
    if (lo & PTE_PS) return -2;
    table = entryPfn(lo, u32[ei + 1]);
  }
  return table;
}

/**
 * u32 index of the present leaf entry that maps `va` in `mm` — a 4 KiB PTE or a 2 MiB PMD
 * leaf (hugetlb) — or -1 when none is present. (findPte stops at a huge leaf.)
 */
export function findLeaf(m: Machine, mm: Mm, va: number): number {
  const pmdDepth = m.geo.pteDepth - 1;
  const pmd = findTable(m, mm.pgd, va, pmdDepth);
  if (pmd < 0) return -1;
  const u32 = m.pm.u32;
  const ei = entryIndex(pmd, pgIndex(va, m.geo.shifts[pmdDepth]));
  const lo = u32[ei];
  if (!(lo & PTE_P)) return -1;
  if (lo & PTE_PS) return ei;
  const pte = entryIndex(entryPfn(lo, u32[ei + 1]), pgIndex(va, 12));
  return u32[pte] & PTE_P ? pte : -1;
}

/** u32 index of the leaf PTE for `va`, or -1 when no PTE table exists. */
export function findPte(m: Machine, mm: Mm, va: number): number {
  const t = findTable(m, mm.pgd, va, m.geo.pteDepth);
  return t < 0 ? -1 : entryIndex(t, pgIndex(va, 12));
}

export function tableSpan(m: Machine, depth: number): number {
  // A table at `depth` is indexed by shifts[depth]; it covers 512 entries of that size.
  return 2 ** (m.geo.shifts[depth] + 9);
}

/**
 * Which processes a hugetlb shared PMD page belongs to. Its pt_share_count (the frame's
 * `share`) counts the PUD entries that point at it beyond the first, and those entries can sit
 * in one process: two mappings of the same hugetlbfs file unit in one mm share the PMD page
 * too (huge_pmd_share() walks the file's i_mmap, whatever mm a VMA belongs to). So the count
 * alone cannot say "shared by N processes"; this reads every mm's PUD entries over its
 * hugetlb VMAs and counts the distinct mms that reach each shared PMD page.
 *
 * Pure: no DOM, reads the page tables from the shared RAM buffer like pt-model.ts.
 */
import { entryPfn, PTE_P, PTE_PS } from '../../engine/abi';

const GIB = 2 ** 30;

export interface SharerMm {
  id: number;
  pgd: number;
  vmas: readonly { kind: string; startNum: number; endNum: number }[];
}

/** Shared PMD page pfn → the number of distinct mms whose PUD entries point at it. */
export function hugetlbPmdSharerMms(
  u32: Uint32Array,
  share: ArrayLike<number>,
  mms: readonly SharerMm[],
  levels: number,
): Map<number, number> {
  const shifts = levels === 5 ? [48, 39, 30] : [39, 30];
  const seen = new Map<number, Set<number>>();
  for (const mm of mms) {
    for (const v of mm.vmas) {
      if (v.kind !== 'hugetlb') continue;
      for (let va = Math.floor(v.startNum / GIB) * GIB; va < v.endNum; va += GIB) {
        const pmd = pmdPageAt(u32, mm.pgd, va, shifts);
        if (pmd < 0 || pmd >= share.length || !(share[pmd] > 0)) continue;
        let s = seen.get(pmd);
        if (!s) seen.set(pmd, (s = new Set()));
        s.add(mm.id);
      }
    }
  }
  const out = new Map<number, number>();
  for (const [pfn, s] of seen) out.set(pfn, s.size);
  return out;
}

/** The PMD page the PUD entry for `va` points at, or -1 (a hole or a 1 GiB leaf). */
function pmdPageAt(u32: Uint32Array, pgd: number, va: number, shifts: readonly number[]): number {
  let table = pgd;
  for (const s of shifts) {
    const ei = table * 1024 + (Math.floor(va / 2 ** s) % 512) * 2;
    if (ei + 1 >= u32.length) return -1;
    const lo = u32[ei];
    if (!(lo & PTE_P) || lo & PTE_PS) return -1;
    table = entryPfn(lo, u32[ei + 1]);
  }
  return table;
}

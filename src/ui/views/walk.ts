/**
 * A software page walk over the shared RAM buffer, as the MMU does it (R1-R7): from the PGD,
 * one entry per level, stopping at a non-present entry or a leaf (PS at PUD/PMD level, or the
 * PTE level). Pure: the page-walk view and the address-space page strip use it.
 */
import { decodeEntry, entryPfn, flagString, levelNames, levelShifts, PTE_P, PTE_PS, PTE_RW, PTE_US, PTE_HI_NX, tableIndex, type DecodedEntry } from '../../engine/abi';

export interface WalkLevel {
  level: string;
  shift: number;
  /** pfn of the table read at this level. */
  table: number;
  index: number;
  lo: number;
  hi: number;
  flags: string;
  decoded: DecodedEntry;
  /** This entry maps the page (a PTE, or a PS entry). */
  leaf: boolean;
}

export interface WalkResult {
  va: number;
  levels: WalkLevel[];
  /** Translation, when every level was present. */
  pfn: number | null;
  phys: number | null;
  /** Bytes the leaf maps (4K, 2M, 1G). */
  pageBytes: number;
  writable: boolean;
  user: boolean;
  nx: boolean;
  /** The level whose entry was not present, when the walk faults. */
  faultAt: string | null;
}

export function walkVa(u32: Uint32Array, pgd: number, va: number, nlevels: number): WalkResult {
  const shifts = levelShifts(nlevels);
  const names = levelNames(nlevels);
  const out: WalkResult = { va, levels: [], pfn: null, phys: null, pageBytes: 4096, writable: true, user: true, nx: false, faultAt: null };
  let table = pgd;
  for (let d = 0; d < shifts.length; d++) {
    const index = tableIndex(va, shifts[d]);
    const w = table * 1024 + index * 2;
    const lo = u32[w] ?? 0;
    const hi = u32[w + 1] ?? 0;
    const last = d === shifts.length - 1;
    const leaf = last || (d > 0 && (lo & PTE_PS) !== 0 && (lo & PTE_P) !== 0);
    out.levels.push({ level: names[d], shift: shifts[d], table, index, lo, hi, flags: flagString(lo, hi), decoded: decodeEntry(lo, hi, last), leaf });
    if (!(lo & PTE_P)) {
      out.faultAt = names[d];
      return out;
    }
    out.writable &&= (lo & PTE_RW) !== 0;
    out.user &&= (lo & PTE_US) !== 0;
    out.nx ||= (hi & PTE_HI_NX) !== 0;
    const next = entryPfn(lo, hi);
    if (leaf) {
      out.pageBytes = 2 ** shifts[d];
      const within = va % out.pageBytes;
      out.pfn = next + Math.floor(within / 4096);
      out.phys = out.pfn * 4096 + (va % 4096);
      return out;
    }
    table = next;
  }
  return out;
}

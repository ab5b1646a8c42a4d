/**
 * A software page walk over the shared RAM buffer, as the MMU does it (R1-R7): from the PGD,
 * one entry per level, stopping at a non-present entry or a leaf (PS at PUD/PMD level, or the
 * PTE level). Pure: the page-walk view and the address-space page strip use it; the strip
 * counts a VMA's present pages with countPresent.
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

/**
 * How many 4 KiB pages of [start, end) the tables under `pgd` map (present entries, as the
 * walk above reads them): a descent that skips absent entries, so a 512 GiB VMA with 64 MiB
 * mapped reads a few thousand entries, not 134 million. A 2 MiB or 1 GiB leaf counts the
 * 4 KiB pages of it inside the range.
 */
export function countPresent(u32: Uint32Array, pgd: number, start: number, end: number, nlevels: number): number {
  const shifts = levelShifts(nlevels);
  const visit = (table: number, d: number, base: number): number => {
    const span = 2 ** shifts[d];
    const first = Math.max(0, Math.floor((start - base) / span));
    const last = Math.min(511, Math.floor((end - 1 - base) / span));
    let n = 0;
    for (let i = first; i <= last; i++) {
      const w = table * 1024 + i * 2;
      const lo = u32[w] ?? 0;
      if (!(lo & PTE_P)) continue;
      const from = base + i * span;
      if (d === shifts.length - 1 || (d > 0 && (lo & PTE_PS) !== 0)) n += (Math.min(end, from + span) - Math.max(start, from)) / 4096;
      else n += visit(entryPfn(lo, u32[w + 1] ?? 0), d + 1, from);
    }
    return n;
  };
  return end > start ? visit(pgd, 0, 0) : 0;
}

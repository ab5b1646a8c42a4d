/**
 * x86-64 page-table entry format (R4), entries stored as two 32-bit halves.
 *
 * An entry is 8 bytes: `lo` holds bits 0..31 (flags 0..11 and PFN bits 12..31),
 * `hi` holds bits 32..63 (PFN bits 32..51 in hi[0..19], NX in hi[31]).
 * We never build a BigInt on the walk path: BigInt and Atomics cost 5-8x (measured).
 */

export const PTE_P = 1 << 0; // present
export const PTE_RW = 1 << 1; // writable
export const PTE_US = 1 << 2; // user
export const PTE_PWT = 1 << 3;
export const PTE_PCD = 1 << 4;
export const PTE_A = 1 << 5; // accessed
export const PTE_D = 1 << 6; // dirty
export const PTE_PS = 1 << 7; // page size (PMD/PUD leaf); PAT on a 4K PTE
export const PTE_G = 1 << 8; // global
/** _PAGE_PROTNONE reuses bit 8 when P=0 (R5). */
export const PTE_PROTNONE = 1 << 8;
export const PTE_SPECIAL = 1 << 9; // SOFTW1: _PAGE_SPECIAL (zero page)
export const PTE_UFFD_WP = 1 << 10; // SOFTW2
export const PTE_SOFT_DIRTY = 1 << 11; // SOFTW3
/** In `hi`: bit 63 of the entry. */
export const PTE_HI_NX = 0x80000000 | 0;
export const PTE_HI_PFN_MASK = 0x000fffff;

/** Linux fills non-leaf entries with _PAGE_TABLE = P|RW|US|A|D so the leaf decides (R6). */
export const PAGE_TABLE = PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D;

export const FLAG_MASK = 0xfff;

export function entryPfn(lo: number, hi: number): number {
  return (lo >>> 12) + (hi & PTE_HI_PFN_MASK) * 0x100000;
}

export function makeLo(pfn: number, flags: number): number {
  return (((pfn & 0xfffff) << 12) | (flags & FLAG_MASK)) >>> 0;
}

export function makeHi(pfn: number, nx: boolean): number {
  // pfn < 2^40, so pfn / 2^20 < 2^31 and `| 0` is the floor: one truncation instead of
  // Math.floor and the integer check after it, on every PTE write.
  return ((((pfn / 0x100000) | 0) & PTE_HI_PFN_MASK) | (nx ? PTE_HI_NX : 0)) >>> 0;
}

/** Decoded view of an entry for the /proc views, the UI and tests (not the hot path). */
export interface DecodedEntry {
  present: boolean;
  pfn: number;
  rw: boolean;
  user: boolean;
  accessed: boolean;
  dirty: boolean;
  huge: boolean;
  global: boolean;
  special: boolean;
  protnone: boolean;
  uffdWp: boolean;
  softDirty: boolean;
  nx: boolean;
  raw: string;
}

export function decodeEntry(lo: number, hi: number, leafLevel = true): DecodedEntry {
  const present = (lo & PTE_P) !== 0;
  return {
    present,
    pfn: entryPfn(lo, hi),
    rw: (lo & PTE_RW) !== 0,
    user: (lo & PTE_US) !== 0,
    accessed: (lo & PTE_A) !== 0,
    dirty: (lo & PTE_D) !== 0,
    huge: !leafLevel && (lo & PTE_PS) !== 0,
    global: present && (lo & PTE_G) !== 0,
    special: (lo & PTE_SPECIAL) !== 0,
    protnone: !present && (lo & PTE_PROTNONE) !== 0,
    uffdWp: (lo & PTE_UFFD_WP) !== 0,
    softDirty: (lo & PTE_SOFT_DIRTY) !== 0,
    nx: (hi & PTE_HI_NX) !== 0,
    raw: '0x' + (hi >>> 0).toString(16).padStart(8, '0') + (lo >>> 0).toString(16).padStart(8, '0'),
  };
}

/** Short flag string like the kernel's ptdump: "P RW US A D NX". */
export function flagString(lo: number, hi: number): string {
  const parts: string[] = [];
  if (lo & PTE_P) parts.push('P');
  else if (lo & PTE_PROTNONE) parts.push('PROTNONE');
  if (lo & PTE_RW) parts.push('RW');
  if (lo & PTE_US) parts.push('US');
  if (lo & PTE_A) parts.push('A');
  if (lo & PTE_D) parts.push('D');
  if (lo & PTE_PS) parts.push('PS');
  if (lo & PTE_SPECIAL) parts.push('SPECIAL');
  if (lo & PTE_UFFD_WP) parts.push('UFFD_WP');
  if (hi & PTE_HI_NX) parts.push('NX');
  return parts.join(' ');
}

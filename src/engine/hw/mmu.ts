/**
 * The MMU: TLB lookup, then the hardware page walk from CR3 (R1, R2, R6, R7).
 *
 * `translate` returns the frame number on success, or a negative number encoding a page-fault
 * error code: `-1 - errorCode`. RW and US are ANDed across levels, NX is ORed (R6); the walk
 * sets A in every entry it uses and D in the leaf on a write (R7). A read fill of the TLB
 * never grants write, so the first write re-walks (and sets D or faults for COW).
 */
import type { Machine } from '../machine';
import { PTE_A, PTE_D, PTE_HI_NX, PTE_HI_PFN_MASK, PTE_P, PTE_PS, PTE_RW, PTE_US } from './pte';
import { C_HITS, C_MISSES, C_MISSES_WRITE, C_WALKS, NCTR, TLB_NX, TLB_U, TLB_W, tlbPcid, tlbSet, tlbSlot } from './tlb';

export const PF_PROT = 1;
export const PF_WRITE = 2;
export const PF_USER = 4;
export const PF_INSTR = 16;

export function faultCode(r: number): number {
  return -1 - r;
}

export function translate(m: Machine, cpu: number, va: number, write: boolean, exec = false): number {
  // The hit path is kept small so the JIT inlines it into callers; misses go out of line.
  // Two typed arrays (see TlbState), each loaded once: i32 (PCIDs, entries), f64 (counters, tags).
  const t = m.s.tlb;
  const i32 = t.i32;
  const vpn = Math.floor(va / 4096);
  const pcid = i32[cpu]; // tlbPcid
  const slot = t.first + cpu * t.size + ((vpn ^ (pcid * 0x9e37)) & (t.size - 1)); // tlbSlot
  const tag = i32[slot * 2 + 1]; // pcid << 4 | perm
  const f64 = t.f64;
  if (f64[slot] === vpn && tag >> 4 === pcid) {
    if ((!write || tag & TLB_W) && (!exec || !(tag & TLB_NX))) {
      f64[cpu * NCTR + C_HITS]++;
      return i32[slot * 2];
    }
    if (write) f64[cpu * NCTR + C_MISSES_WRITE]++;
  }
  // Only the address goes out, as two int32 halves (see walk): passing the hit path's vpn,
  // slot and PCID kept them alive across the loop, spilled to the stack on every hit.
  return translateMiss(m, cpu, Math.floor(va / 4294967296), va | 0, write, exec);
}

/** A TLB miss: count it, walk, fill the slot. `loVa` is the low 32 bits as an int32. */
function translateMiss(m: Machine, cpu: number, hiVa: number, loVa: number, write: boolean, exec: boolean): number {
  const t = m.s.tlb;
  const vpn = hiVa * 0x100000 + (loVa >>> 12);
  const pcid = tlbPcid(t, cpu);
  const slot = tlbSlot(t, cpu, vpn, pcid);
  t.f64[cpu * NCTR + C_MISSES]++;
  t.f64[cpu * NCTR + C_WALKS]++;
  t.clean[cpu] = 0;
  const pgd = t.cr3[cpu];
  const r = m.geo.levels === 4 ? walk4(m, pgd, hiVa, loVa, write, exec) : walkLevels(m, pgd, hiVa * 4294967296 + (loVa >>> 0), write, exec);
  if (r < 0) return r;
  tlbSet(t, slot, vpn, pcid, r, (write ? TLB_W : 0) | TLB_U | (lastWalkNx ? TLB_NX : 0));
  if (m.trace.recording) m.trace.emit({ type: 'tlb-fill', cpu, addr: vpn * 4096, pcid, pages: 1 });
  return r;
}

/** NX of the last successful walk (read by the TLB fill; avoids allocating a result object). */
let lastWalkNx = false;
export function walkNx(): boolean {
  return lastWalkNx;
}

/** The hardware walk; also used by the page-walk view and the reference-walker tests. */
export function walk(m: Machine, pgd: number, va: number, write: boolean, exec: boolean): number {
  // walk4 takes the address as two int32 halves: a user address is above 2^31, and V8 boxed
  // it into a new heap number for every call that was not inlined (seen in the optimized
  // code of a TLB-miss loop).
  if (m.geo.levels === 4) return walk4(m, pgd, Math.floor(va / 4294967296), va | 0, write, exec);
  return walkLevels(m, pgd, va, write, exec);
}

/**
 * `walkLevels` unrolled for 4-level paging (shifts 39, 30, 21, 12), for the common case only:
 * every upper entry present, accessed and not a huge leaf. Those three are one masked compare
 * per level; RW and US are both ANDed over the levels, so one AND of the entries accumulates
 * both. Anything else (a hole, an A bit to set, a 2 MiB / 1 GiB leaf, a PS bit in a PGD entry)
 * goes to the generic walk, which starts over: up to then this walk has only read, so the
 * generic walk sees the same tables and gives the same result and the same A/D updates
 * (tests/engine/walk4.test.ts compares the two). Measured: the masked compares and the one
 * accumulator took the walk alone from 0.33x to 0.37x a bare 4-level walk.
 */
const UPPER_MASK = PTE_P | PTE_A | PTE_PS;
const UPPER_OK = PTE_P | PTE_A;

function walk4(m: Machine, pgd: number, hiVa: number, loVa: number, write: boolean, exec: boolean): number {
  // loVa: the low 32 bits as an int32; `>>>` reads them unsigned.
  const u32 = m.pm.u32;
  // PGD (bits 39..47)
  let ei = pgd * 1024 + ((hiVa >>> 7) & 511) * 2;
  let lo = u32[ei];
  if ((lo & UPPER_MASK) !== UPPER_OK) return walk4Slow(m, pgd, hiVa, loVa, write, exec);
  let hi = u32[ei + 1];
  let acc = lo; // RW and US ANDed over the levels
  let nx = hi; // NX ORed over the levels
  // PUD (bits 30..38)
  ei = ((lo >>> 12) + (hi & PTE_HI_PFN_MASK) * 0x100000) * 1024 + (((hiVa << 2) | (loVa >>> 30)) & 511) * 2;
  lo = u32[ei];
  if ((lo & UPPER_MASK) !== UPPER_OK) return walk4Slow(m, pgd, hiVa, loVa, write, exec);
  hi = u32[ei + 1];
  acc &= lo;
  nx |= hi;
  // PMD (bits 21..29)
  ei = ((lo >>> 12) + (hi & PTE_HI_PFN_MASK) * 0x100000) * 1024 + ((loVa >>> 21) & 511) * 2;
  lo = u32[ei];
  if ((lo & UPPER_MASK) !== UPPER_OK) return walk4Slow(m, pgd, hiVa, loVa, write, exec);
  hi = u32[ei + 1];
  acc &= lo;
  nx |= hi;
  // PTE (bits 12..20)
  ei = ((lo >>> 12) + (hi & PTE_HI_PFN_MASK) * 0x100000) * 1024 + ((loVa >>> 12) & 511) * 2;
  lo = u32[ei];
  if (!(lo & PTE_P)) return -1 - (PF_USER | (write ? PF_WRITE : 0) | (exec ? PF_INSTR : 0));
  hi = u32[ei + 1];
  acc &= lo;
  nx |= hi;
  const isNx = (nx & PTE_HI_NX) !== 0;
  if (!(acc & PTE_US) || (write && !(acc & PTE_RW)) || (exec && isNx)) return -1 - (PF_USER | PF_PROT | (write ? PF_WRITE : 0) | (exec ? PF_INSTR : 0));
  const want = write ? PTE_A | PTE_D : PTE_A;
  if ((lo & want) !== want) u32[ei] = lo | want;
  lastWalkNx = isNx;
  return (lo >>> 12) + (hi & PTE_HI_PFN_MASK) * 0x100000;
}

/** walk4's way out to the generic walk, with the address put back together. */
function walk4Slow(m: Machine, pgd: number, hiVa: number, loVa: number, write: boolean, exec: boolean): number {
  return walkLevels(m, pgd, hiVa * 4294967296 + (loVa >>> 0), write, exec);
}

/** The walk for any number of levels, one loop iteration per level (exported for the walk4 test). */
export function walkLevels(m: Machine, pgd: number, va: number, write: boolean, exec: boolean): number {
  const u32 = m.pm.u32;
  const shifts = m.geo.shifts;
  const levels = shifts.length;
  const hiVa = Math.floor(va / 4294967296);
  const loVa = va >>> 0;
  const base = PF_USER | (write ? PF_WRITE : 0) | (exec ? PF_INSTR : 0);
  let table = pgd;
  let rw = PTE_RW;
  let us = PTE_US;
  let nx = 0;
  for (let d = 0; d < levels; d++) {
    const s = shifts[d];
    const idx = s >= 32 ? (hiVa >>> (s - 32)) & 511 : s > 23 ? ((hiVa << (32 - s)) | (loVa >>> s)) & 511 : (loVa >>> s) & 511;
    const ei = table * 1024 + idx * 2;
    const lo = u32[ei];
    if (!(lo & PTE_P)) return -1 - base;
    const hi = u32[ei + 1];
    rw &= lo;
    us &= lo;
    nx |= hi & PTE_HI_NX;
    const pfn = (lo >>> 12) + (hi & PTE_HI_PFN_MASK) * 0x100000;
    const leaf = d === levels - 1 || (lo & PTE_PS) !== 0;
    if (!leaf) {
      if (!(lo & PTE_A)) u32[ei] = lo | PTE_A;
      table = pfn;
      continue;
    }
    if (!us || (write && !rw) || (exec && nx)) return -1 - (base | 1);
    const want = write ? PTE_A | PTE_D : PTE_A;
    if ((lo & want) !== want) u32[ei] = lo | want;
    lastWalkNx = nx !== 0;
    if (d === levels - 1) return pfn;
    // Huge leaf: the frame inside the 2 MiB / 1 GiB page.
    const sub = s > 23 ? Math.floor(va / 4096) % 2 ** (s - 12) : (loVa >>> 12) & ((1 << (s - 12)) - 1);
    return pfn + sub;
  }
  return -1 - base;
}

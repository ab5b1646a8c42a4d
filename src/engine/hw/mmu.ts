/**
 * The MMU: TLB lookup, then the hardware page walk from CR3 (R1, R2, R6, R7).
 *
 * `translate` returns the frame number on success, or a negative number encoding a page-fault
 * error code: `-1 - errorCode`. RW and US are ANDed across levels, NX is ORed (R6); the walk
 * sets A in every entry it uses and D in the leaf on a write (R7). A read fill of the TLB
 * never grants write, so the first write re-walks (and sets D or faults for COW).
 */
import type { Machine } from '../machine';
import { TI } from '../trace';
import { PTE_A, PTE_D, PTE_HI_NX, PTE_HI_PFN_MASK, PTE_P, PTE_PS, PTE_RW, PTE_US } from './pte';
import { C_HITS, C_MISSES, C_MISSES_WRITE, C_WALKS, NCTR, TLB_NX, TLB_U, TLB_W, tlbPcid, tlbSet, tlbSlot } from './tlb';

export const PF_PROT = 1;
export const PF_WRITE = 2;
export const PF_USER = 4;
export const PF_INSTR = 16;

export function faultCode(r: number): number {
  return -1 - r;
}

export function translate(m: Machine, cpu: number, va: number, write: boolean): number {
  // The hit path is kept small so the JIT inlines it into callers; misses go out of line.
  // Two typed arrays (see TlbState), each loaded once: i32 (PCIDs, entries), f64 (counters, tags).
  const t = m.s.tlb;
  const i32 = t.i32;
  const vpn = Math.floor(va / 4096);
  const pcid = tlbPcid(t, cpu);
  const slot = tlbSlot(t, cpu, vpn, pcid);
  const tag = i32[slot * 2 + 1]; // pcid << 4 | perm
  const f64 = t.f64;
  if (f64[slot] === vpn && tag >> 4 === pcid) {
    if (!write || tag & TLB_W) {
      f64[cpu * NCTR + C_HITS]++;
      return i32[slot * 2];
    }
    f64[cpu * NCTR + C_MISSES_WRITE]++;
  }
  // The address goes out as two int32 halves (see walk), with the slot: passing the vpn
  // and the PCID as well kept them alive across the loop, spilled to the stack on every hit.
  return translateMiss(m, cpu, slot, Math.floor(va / 4294967296), va | 0, write);
}

/**
 * A TLB miss: count it, walk, fill the slot. `loVa` is the low 32 bits as an int32.
 *
 * The hardware walk is written out here, not called, and makes this function too big for V8
 * to inline (460 bytes of bytecode at most). Both on purpose, from measurements of the
 * optimized code with bench/figures/translate.ts:
 * - A walk in its own function was a second call on every miss; this way a miss is one call
 *   (misses 0.34-0.40x -> 0.40-0.41x the bare walk).
 * - V8 inlines a function only if its bytecode plus what its own optimized code inlined fits
 *   a budget of 920 bytes. When the miss path was small enough to inline into translate,
 *   translate itself grew past that and stopped being inlined into its callers: TLB hits fell
 *   from 0.51x to 0.16x a bare lookup. Kept out of line, translate stays inlinable (0.57x).
 *
 * The walk is 4-level paging unrolled (shifts 39, 30, 21, 12) for the common case only: every
 * upper entry present, accessed and not a huge leaf (one masked compare per level), the access
 * allowed (RW and US ANDed over the levels in one accumulator), and every frame number below
 * 2^20: RAM is at most 4 GiB, so a table never holds a larger one, and the walk takes the frame
 * from the low half alone, checking the high halves once at the end. Anything else (a hole, an
 * A bit to set above the leaf, a 2 MiB / 1 GiB leaf, a fault, 5-level paging) takes the generic
 * walk, which starts over: nothing has been written then, so it sees the same tables and gives
 * the same result, A/D updates and error code (tests/engine/tlb-miss-walk.test.ts compares the two).
 */
function translateMiss(m: Machine, cpu: number, slot: number, hiVa: number, loVa: number, write: boolean): number {
  // A parameter of unknown type is tested for truth through every kind of falsy value; a
  // comparison with true is one compare (seen in the optimized code).
  const wr = write === true;
  const t = m.s.tlb;
  const f64 = t.f64;
  const c = cpu * NCTR;
  f64[c + C_MISSES]++;
  f64[c + C_WALKS]++;
  t.clean[cpu] = 0;
  const pgd = t.cr3[cpu];
  let r = -1;
  fast: if (m.geo.levels === 4) {
    // `lo >>> 12 << 10`: the u32 index of the frame an entry points to.
    const u32 = m.pm.u32;
    let ei = pgd * 1024 + (((hiVa >>> 7) & 511) << 1); // PGD (bits 39..47)
    let lo = u32[ei];
    if ((lo & (PTE_P | PTE_A | PTE_PS)) !== (PTE_P | PTE_A)) break fast;
    let acc = lo; // RW and US ANDed over the levels
    let hi = u32[ei + 1]; // NX and the high frame bits ORed over the levels
    ei = (lo >>> 12 << 10) + ((((hiVa << 2) | (loVa >>> 30)) & 511) << 1); // PUD
    lo = u32[ei];
    if ((lo & (PTE_P | PTE_A | PTE_PS)) !== (PTE_P | PTE_A)) break fast;
    acc &= lo;
    hi |= u32[ei + 1];
    ei = (lo >>> 12 << 10) + (((loVa >>> 21) & 511) << 1); // PMD
    lo = u32[ei];
    if ((lo & (PTE_P | PTE_A | PTE_PS)) !== (PTE_P | PTE_A)) break fast;
    acc &= lo;
    hi |= u32[ei + 1];
    ei = (lo >>> 12 << 10) + (((loVa >>> 12) & 511) << 1); // PTE
    lo = u32[ei];
    acc &= lo;
    hi |= u32[ei + 1];
    // Present, user, writable for a write; frames below 2^20.
    const need = wr ? PTE_P | PTE_US | PTE_RW : PTE_P | PTE_US;
    if ((acc & need) !== need || hi & PTE_HI_PFN_MASK) break fast;
    const want = wr ? PTE_A | PTE_D : PTE_A;
    if ((lo & want) !== want) u32[ei] = lo | want;
    lastWalkPerm = (wr ? TLB_W | TLB_U : TLB_U) | ((hi >>> 29) & TLB_NX); // PTE_HI_NX (bit 31) as TLB_NX (bit 2)
    r = lo >>> 12;
  }
  if (r < 0) {
    r = walk(m, pgd, hiVa * 4294967296 + (loVa >>> 0), wr, false);
    if (r < 0) return r;
  }
  const vpn = hiVa * 0x100000 + (loVa >>> 12);
  tlbSet(t, slot, vpn, tlbPcid(t, cpu), r, lastWalkPerm);
  if (m.trace.recording === true) traceFill(m, cpu, vpn);
  else m.trace.countAt(TI['tlb-fill']);
  return r;
}

function traceFill(m: Machine, cpu: number, vpn: number): void {
  m.trace.emitAt(TI['tlb-fill'], { type: 'tlb-fill', cpu, addr: vpn * 4096, pcid: tlbPcid(m.s.tlb, cpu), pages: 1 });
}

/**
 * The TLB permission bits (W, U, NX) the last successful walk grants for its access: what the
 * TLB fill caches (a module variable, so the walk allocates no result object).
 */
let lastWalkPerm = 0;
export function walkNx(): boolean {
  return (lastWalkPerm & TLB_NX) !== 0;
}

/**
 * The hardware walk for any number of levels, one loop iteration per level: the TLB miss's
 * fallback, and the walk the batched touch, the page-walk view and the tests use.
 */
export function walk(m: Machine, pgd: number, va: number, write: boolean, exec: boolean): number {
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
    lastWalkPerm = (write ? TLB_W | TLB_U : TLB_U) | (nx !== 0 ? TLB_NX : 0);
    if (d === levels - 1) return pfn;
    // Huge leaf: the frame inside the 2 MiB / 1 GiB page.
    const sub = s > 23 ? Math.floor(va / 4096) % 2 ** (s - 12) : (loVa >>> 12) & ((1 << (s - 12)) - 1);
    return pfn + sub;
  }
  return -1 - base;
}

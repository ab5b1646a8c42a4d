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
import { C_HITS, C_MISSES, C_MISSES_WRITE, NCTR, TLB_NX, TLB_U, TLB_W, tlbFill, tlbPcid } from './tlb';

export const PF_PROT = 1;
export const PF_WRITE = 2;
export const PF_USER = 4;
export const PF_INSTR = 16;

export function faultCode(r: number): number {
  return -1 - r;
}

export function translate(m: Machine, cpu: number, va: number, write: boolean): number {
  // The hit path is kept small so the JIT inlines it into callers (see translateMiss for the
  // budget). Two typed arrays (see TlbState), each loaded once: i32 (PCIDs, entries), f64
  // (counters, tags). tlbPcid and tlbSlot are written out: called, they added 65 bytes of
  // inlined bytecode to translate, which then no longer fitted into its callers with the miss
  // path inlined.
  const t = m.s.tlb;
  const i32 = t.i32;
  const vpn = Math.floor(va / 4096);
  const pcid = i32[cpu]; // tlbPcid
  const size = t.size;
  const slot = t.first + cpu * size + ((vpn ^ (pcid * 0x9e37)) & (size - 1)); // tlbSlot (and tlbSlotHash)
  const tag = i32[slot * 2 + 1]; // pcid << 4 | perm
  const f64 = t.f64;
  if (f64[slot] === vpn && tag >> 4 === pcid) {
    if (!write || tag & TLB_W) {
      f64[cpu * NCTR + C_HITS]++;
      return i32[slot * 2];
    }
    f64[cpu * NCTR + C_MISSES_WRITE]++;
  }
  // The page number goes out as two 18-bit halves (va bits 30.. and 12..29), Smis both:
  // passing the vpn and the PCID as well kept them alive across the loop, spilled to the
  // stack on every hit, and a vpn above 2^31 is a heap number where the call is not inlined.
  const vLo = (va << 2) >>> 14;
  return translateMiss(m, cpu, slot, (vpn - vLo) / 0x40000, vLo, write);
}

/**
 * A TLB miss: count it, walk, fill the slot. `vHi` and `vLo` are the page number's halves
 * (va bits 30 and up, va bits 12..29): `vHi` holds the PGD and PUD indexes, `vLo` the PMD
 * and PTE indexes, 9 bits each.
 *
 * Written to be inlined, from measurements of the optimized code with
 * bench/figures/translate.ts: inlined into the caller, the miss sees the caller's constants
 * (the machine, its typed arrays) and costs no call; out of line it was 0.33-0.37x a bare
 * walk, inlined 0.47-0.57x (medians of alternating runs on a loaded machine). V8 (Node 20)
 * inlines a function of at most 460 bytes of bytecode, and only while the caller's total,
 * each candidate counted with what its own optimized code inlined (x1.2), stays within 920
 * bytes. So (tests/engine/tlb-inline-budget.test.ts reads the sizes from V8):
 * - this function must stay at most 460 bytes of bytecode (442 now), and
 * - translate (242) plus this function plus what it inlines (countAt, 28) at most 716, what
 *   the figure's hit loop leaves after its two now() calls, or translate stops being inlined
 *   into its callers and TLB hits fall from ~0.5x to ~0.15x a bare lookup (measured at 746).
 * Hence the walk is a loop, not unrolled, literals stay below 128 where they can (wider ones
 * take wide operands), the slow path is its own function, and the walks counter is the misses
 * counter (every miss walks: cpuCounters).
 *
 * The loop is 4-level paging for the common case only: every upper entry present, accessed
 * and not a huge leaf (one masked compare per level), the access allowed (RW and US ANDed over
 * the levels in one accumulator), and every frame number below 2^20: RAM is at most 4 GiB, so
 * a table never holds a larger one, and the walk takes the frame from the low half alone,
 * checking the high halves once at the end. Anything else (a hole, an A bit to set above the
 * leaf, a 2 MiB / 1 GiB leaf, a fault, 5-level paging) takes the generic walk, which starts
 * over: nothing has been written then, so it sees the same tables and gives the same result,
 * A/D updates and error code (tests/engine/tlb-miss-walk.test.ts compares the two).
 */
function translateMiss(m: Machine, cpu: number, slot: number, vHi: number, vLo: number, write: boolean): number {
  // A parameter of unknown type is tested for truth through every kind of falsy value; a
  // comparison with true is one compare (seen in the optimized code). As 0 or 1, it builds
  // the masks below: PTE_RW (bit 1) and PTE_D (bit 6) to require, TLB_W (bit 0) to grant.
  const w = +(write === true);
  const t = m.s.tlb;
  const f64 = t.f64;
  f64[cpu * NCTR + C_MISSES]++; // and a walk (cpuCounters)
  t.clean[cpu] = 0;
  const vpn = vHi * VPN_HI + vLo; // a constant, not the literal: 5 bytes less bytecode
  fast: if (m.geo.levels === 4) {
    const u32 = m.pm.u32;
    let lo = (t.cr3[cpu] << 12) | 0x21; // CR3 as an entry that passes the test below
    let acc = -1; // RW and US ANDed over the levels
    let hi = 0; // NX and the high frame bits ORed over the levels
    let ei = 0;
    for (let d = 0; d < 4; d++) {
      // PTE_P | PTE_A | PTE_PS (0xa1) must read P and A (0x21): present, accessed, a table.
      if ((lo ^ 0x21) & 0xa1) break fast;
      // The level's 9 index bits shifted to the top and back down: the high half of vHi or
      // vLo at even levels, the low half at odd ones.
      ei = (lo >>> 12 << 10) + ((((d < 2 ? vHi : vLo) << (14 + 9 * (d & 1))) >>> 23) << 1);
      lo = u32[ei];
      acc &= lo;
      hi |= u32[ei + 1];
    }
    const need = PTE_P | PTE_US | (w << 1);
    // (x & need) ^ need: nonzero while x lacks a bit of need (shorter bytecode than !==);
    // hi << 12: hi & PTE_HI_PFN_MASK.
    if ((acc & need) ^ need || hi << 12) break fast;
    const want = PTE_A | (w << 6);
    if ((lo & want) ^ want) u32[ei] = lo | want;
    // tlbSet, written out (see above).
    f64[slot] = vpn;
    const i32 = t.i32;
    ei = slot * 2;
    i32[ei] = lo >>> 12;
    i32[ei + 1] = (i32[cpu] << 4) | TLB_U | w | ((hi >>> 29) & TLB_NX); // PTE_HI_NX (bit 31) as TLB_NX (bit 2)
    const tr = m.trace;
    if (tr.recording === true) traceFill(m, cpu, vpn); // a truth test was a chain of type checks
    else tr.countAt(TI_TLB_FILL);
    return lo >>> 12;
  }
  return translateSlow(m, cpu, vpn, write);
}

const TI_TLB_FILL = TI['tlb-fill'];
/** The weight of translateMiss's vHi in the page number: 2^18. */
const VPN_HI = 0x40000;

/** The miss's generic walk and fill, out of line (translateMiss's size budget). */
function translateSlow(m: Machine, cpu: number, vpn: number, write: boolean): number {
  const t = m.s.tlb;
  const r = walk(m, t.cr3[cpu], vpn * 4096, write === true, false);
  if (r < 0) return r;
  tlbFill(t, cpu, vpn, tlbPcid(t, cpu), r, lastWalkPerm);
  if (m.trace.recording === true) traceFill(m, cpu, vpn);
  else m.trace.countAt(TI_TLB_FILL);
  return r;
}

function traceFill(m: Machine, cpu: number, vpn: number): void {
  m.trace.emitAt(TI_TLB_FILL, { type: 'tlb-fill', cpu, addr: vpn * 4096, pcid: tlbPcid(m.s.tlb, cpu), pages: 1 });
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

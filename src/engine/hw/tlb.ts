/**
 * Per-CPU TLBs in typed arrays, tagged with a PCID (R26).
 *
 * Each CPU has `size` entries, direct-mapped by (vpn ^ pcid) — a stand-in for the set
 * associativity of real TLBs that keeps the lookup to one compare. An entry caches one 4 KiB
 * translation (2 MiB and 1 GiB leaves are splintered into 4 KiB entries, which x86 permits).
 * A fill on a read never grants write: the first write walks again so the walk can set D and
 * the kernel can see the COW / zero-page fault (R7, R19). Real x86 may cache write permission
 * on a read when the PTE is writable and already dirty (SDM vol. 3A 4.10.2.2), so a write
 * after a read of such a page hits there and walks here: the difference shows only in the
 * `walks` and `missesWrite` counters, never in a fault or a bit. Kept because the engine's
 * issue asks for read fills that are not writable.
 *
 * Counters are named like v86's: hits, misses, walks, and flushes by kind.
 */

export const TLB_W = 1;
export const TLB_U = 2;
export const TLB_NX = 4;
export const TLB_G = 8;

export interface TlbCounters {
  hits: number;
  misses: number;
  /** misses because the cached entry was read-only and the access a write */
  missesWrite: number;
  /**
   * Page walks: every miss walks here (no paging-structure cache short of the batched touch's,
   * which counts its pages as walks too), so this is `misses`, not a counter of its own: one
   * increment less on the miss path, which must fit V8's inlining budget (mmu.ts translateMiss).
   */
  walks: number;
  flushPage: number;
  flushMm: number;
  flushAll: number;
  /** IPIs received for remote flushes (shootdowns). */
  shootdowns: number;
}

export interface TlbState {
  size: number;
  cpus: number;
  /**
   * The index of CPU 0's first slot (cpus * NCTR). Slot `i` of CPU `c` is `first + c * size + i`,
   * so the slot index addresses both arrays below past their per-CPU headers.
   */
  first: number;
  /**
   * Float64: each CPU's counters at [cpu * NCTR + C_*] (cpuCounters() reads them as an
   * object), then the virtual page number each slot caches at [slot].
   *
   * The TLB is two typed arrays, not one per field: every typed array a TLB hit touches costs
   * its own field, base, length and bounds loads. Measured with bench/figures/translate.ts:
   * four arrays (vpn, entries, current PCID, counters) down to these two took TLB hits from
   * 0.29x to 0.32x a bare lookup, and to 0.48x once the JIT could treat the arrays as
   * constants (Machine's `declare`d fields). An object-field counter instead of a typed-array
   * one was measured as well: no faster (0.34x against 0.46x in a side-by-side copy).
   */
  f64: Float64Array;
  /**
   * Int32: the PCID each CPU runs with now at [cpu] (asid + 1, 0 without PCID or without an
   * mm; a copy of the CPU state that cpu.ts keeps in step and the invariant checker compares,
   * because recomputing it was a third of a hit), then two int32 per slot: the frame at
   * [2 * slot], the tag `pcid << 4 | perm` at [2 * slot + 1] (TLB_INVALID when empty).
   */
  i32: Int32Array;
  /** Each CPU's CR3: the PGD frame of the mm it runs (-1 without one); cpu.ts keeps it in step. */
  cr3: Int32Array;
  /**
   * 1 while the CPU's TLB is known to hold nothing under its current PCID (just flushed),
   * 0 when it may: flushes set it, every path that fills clears it first. A batched touch
   * on a clean TLB has no hit to find and goes straight to the sweep (mmu-range.ts).
   */
  clean: Uint8Array;
}

export const C_HITS = 0;
export const C_MISSES = 1;
export const C_MISSES_WRITE = 2;
// Slot 3 is free (walks are the misses: TlbCounters.walks); the stride stays a power of two.
export const C_FLUSH_PAGE = 4;
export const C_FLUSH_MM = 5;
export const C_FLUSH_ALL = 6;
export const C_SHOOTDOWNS = 7;
export const NCTR = 8;

/** One CPU's counters as an object (a copy). */
export function cpuCounters(t: TlbState, cpu: number): TlbCounters {
  const c = t.f64;
  const b = cpu * NCTR;
  return {
    hits: c[b + C_HITS],
    misses: c[b + C_MISSES],
    missesWrite: c[b + C_MISSES_WRITE],
    walks: c[b + C_MISSES], // every miss walks
    flushPage: c[b + C_FLUSH_PAGE],
    flushMm: c[b + C_FLUSH_MM],
    flushAll: c[b + C_FLUSH_ALL],
    shootdowns: c[b + C_SHOOTDOWNS],
  };
}

/** The tag of an empty slot: PCID -1, which no CPU runs with. */
export const TLB_INVALID = -1 << 4;

export function newTlbState(cpus: number, size: number): TlbState {
  const first = cpus * NCTR; // >= cpus: the PCIDs fit in i32 below the first slot
  const end = first + cpus * size;
  const i32 = new Int32Array(end * 2);
  for (let i = first * 2 + 1; i < i32.length; i += 2) i32[i] = TLB_INVALID;
  return {
    size,
    cpus,
    first,
    f64: new Float64Array(end),
    i32,
    cr3: new Int32Array(cpus).fill(-1),
    clean: new Uint8Array(cpus),
  };
}

/** The slot index of `cpu`'s first slot. */
export function cpuFirstSlot(t: TlbState, cpu: number): number {
  return t.first + cpu * t.size;
}

/** The PCID `cpu` runs with now (see TlbState.i32). mmu.ts translate reads it written out. */
export function tlbPcid(t: TlbState, cpu: number): number {
  return t.i32[cpu];
}

/** Record the PCID `cpu` now runs with (cpu.ts, on a CR3 load or when the mm goes). */
export function setTlbPcid(t: TlbState, cpu: number, pcid: number): void {
  t.i32[cpu] = pcid;
}

/** mmu.ts translate computes this too, written out (its inlining budget): change both. */
export function tlbSlot(t: TlbState, cpu: number, vpn: number, pcid: number): number {
  // Indexed by the low bits of the page number, as hardware TLBs are: ToInt32 keeps the low
  // 32 bits of a vpn above 2^32 (VAs above 16 TiB), so no fold of the high part is needed.
  return t.first + cpu * t.size + ((vpn ^ tlbSlotHash(pcid)) & (t.size - 1));
}

/** What tlbSlot XORs into the page number, so that PCIDs spread over the slots (mmu.ts translate has a copy). */
export function tlbSlotHash(pcid: number): number {
  return pcid * 0x9e37;
}

/** Fill slot `i` (as tlbSlot gives it). */
export function tlbSet(t: TlbState, i: number, vpn: number, pcid: number, pfn: number, perm: number): void {
  t.f64[i] = vpn;
  t.i32[i * 2] = pfn;
  t.i32[i * 2 + 1] = (pcid << 4) | perm;
}

/** The PCID slot `i` is tagged with (-1 when empty). */
export function tlbEntryPcid(t: TlbState, i: number): number {
  return t.i32[i * 2 + 1] >> 4;
}

/** The TLB_* permission bits of slot `i`. */
export function tlbEntryPerm(t: TlbState, i: number): number {
  return t.i32[i * 2 + 1] & 15;
}

/** The virtual page number slot `i` caches. */
export function tlbEntryVpn(t: TlbState, i: number): number {
  return t.f64[i];
}

/** The frame slot `i` maps to. */
export function tlbEntryPfn(t: TlbState, i: number): number {
  return t.i32[i * 2];
}

export function tlbFill(t: TlbState, cpu: number, vpn: number, pcid: number, pfn: number, perm: number): void {
  t.clean[cpu] = 0;
  tlbSet(t, tlbSlot(t, cpu, vpn, pcid), vpn, pcid, pfn, perm);
}

/**
 * PCIDs are flushed in pairs: the kernel PCID and, with PTI, its user twin (bit 11 set), as
 * Linux's flushes do (flush_tlb_one_user and a new ASID invalidate the user PCID too, through
 * invalidate_user_asid). Without PTI the twin is never used and the pair is one PCID.
 */
const PCID_PAIR_MASK = 2047;

/** INVLPG-like: drop one page for one PCID (and its PTI twin) on one CPU. */
export function tlbFlushPage(t: TlbState, cpu: number, vpn: number, pcid: number): void {
  const k = pcid & PCID_PAIR_MASK;
  dropEntry(t, cpu, vpn, k);
  dropEntry(t, cpu, vpn, k | 2048);
  t.f64[cpu * NCTR + C_FLUSH_PAGE]++;
}

/**
 * INVLPG of an address a 2 MiB or 1 GiB leaf maps: the whole huge translation goes, so every
 * 4 KiB entry it was splintered into, [vpn0, vpn0 + n), for one PCID (and its PTI twin). One
 * INVLPG counted. Not on the translation path: flushes only.
 */
export function tlbFlushHugePage(t: TlbState, cpu: number, vpn0: number, n: number, pcid: number): void {
  const k = pcid & PCID_PAIR_MASK;
  if (2 * n < t.size) {
    for (let vpn = vpn0; vpn < vpn0 + n; vpn++) {
      dropEntry(t, cpu, vpn, k);
      dropEntry(t, cpu, vpn, k | 2048);
    }
  } else {
    // Fewer slots than splinters to look up: scan the CPU's slots instead.
    const base = cpuFirstSlot(t, cpu);
    for (let i = base; i < base + t.size; i++) {
      const e = tlbEntryPcid(t, i);
      if (e >= 0 && (e & PCID_PAIR_MASK) === k && t.f64[i] >= vpn0 && t.f64[i] < vpn0 + n) t.i32[i * 2 + 1] = TLB_INVALID;
    }
  }
  t.f64[cpu * NCTR + C_FLUSH_PAGE]++;
}

function dropEntry(t: TlbState, cpu: number, vpn: number, pcid: number): void {
  const i = tlbSlot(t, cpu, vpn, pcid);
  if (tlbEntryPcid(t, i) === pcid && t.f64[i] === vpn) t.i32[i * 2 + 1] = TLB_INVALID;
}

/** Drop every non-global entry of one PCID (and its PTI twin) on one CPU. */
export function tlbFlushPcid(t: TlbState, cpu: number, pcid: number): void {
  const base = cpuFirstSlot(t, cpu);
  const k = pcid & PCID_PAIR_MASK;
  for (let i = base; i < base + t.size; i++) {
    const e = tlbEntryPcid(t, i);
    if (e >= 0 && (e & PCID_PAIR_MASK) === k && (tlbEntryPerm(t, i) & TLB_G) === 0) t.i32[i * 2 + 1] = TLB_INVALID;
  }
  if ((tlbPcid(t, cpu) & PCID_PAIR_MASK) === k) t.clean[cpu] = 1;
  t.f64[cpu * NCTR + C_FLUSH_MM]++;
}

/** Drop everything on one CPU (a CR3 write without PCID also lands here, minus globals). */
export function tlbFlushCpu(t: TlbState, cpu: number, keepGlobal: boolean): void {
  const base = cpuFirstSlot(t, cpu);
  for (let i = base; i < base + t.size; i++) {
    if (!keepGlobal || (tlbEntryPerm(t, i) & TLB_G) === 0) t.i32[i * 2 + 1] = TLB_INVALID;
  }
  t.clean[cpu] = 1; // fills never make global entries
  t.f64[cpu * NCTR + C_FLUSH_ALL]++;
}

export function tlbTotals(t: TlbState): TlbCounters {
  const sum: TlbCounters = { hits: 0, misses: 0, missesWrite: 0, walks: 0, flushPage: 0, flushMm: 0, flushAll: 0, shootdowns: 0 };
  for (let cpu = 0; cpu < t.cpus; cpu++) {
    const c = cpuCounters(t, cpu);
    for (const k of Object.keys(sum) as (keyof TlbCounters)[]) sum[k] += c[k];
  }
  return sum;
}

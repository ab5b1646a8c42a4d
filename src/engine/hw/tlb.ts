/**
 * Per-CPU TLBs in typed arrays, tagged with a PCID (R26).
 *
 * Each CPU has `size` entries, direct-mapped by (vpn ^ pcid) — a stand-in for the set
 * associativity of real TLBs that keeps the lookup to one compare. An entry caches one 4 KiB
 * translation (2 MiB and 1 GiB leaves are splintered into 4 KiB entries, which x86 permits).
 * A fill on a read never grants write: the first write walks again so the walk can set D and
 * the kernel can see the COW / zero-page fault (R7, R19).
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
  vpn: Float64Array;
  pcid: Int16Array; // -1 = invalid
  pfn: Int32Array;
  perm: Uint8Array;
  /**
   * The PCID each CPU runs with now (asid + 1, 0 without PCID or without an mm): a copy of
   * what the CPU state says, kept here because recomputing it was a third of a TLB hit
   * (measured). cpu.ts keeps it in step; the invariant checker compares the two.
   */
  cur: Int32Array;
  /**
   * The counters, NCTR per CPU in the order of C_*: a typed array because incrementing an
   * object field was 40% of a TLB hit (measured). cpuCounters() reads them as an object.
   */
  ctr: Float64Array;
}

export const C_HITS = 0;
export const C_MISSES = 1;
export const C_MISSES_WRITE = 2;
export const C_WALKS = 3;
export const C_FLUSH_PAGE = 4;
export const C_FLUSH_MM = 5;
export const C_FLUSH_ALL = 6;
export const C_SHOOTDOWNS = 7;
export const NCTR = 8;

/** One CPU's counters as an object (a copy). */
export function cpuCounters(t: TlbState, cpu: number): TlbCounters {
  const c = t.ctr;
  const b = cpu * NCTR;
  return {
    hits: c[b + C_HITS],
    misses: c[b + C_MISSES],
    missesWrite: c[b + C_MISSES_WRITE],
    walks: c[b + C_WALKS],
    flushPage: c[b + C_FLUSH_PAGE],
    flushMm: c[b + C_FLUSH_MM],
    flushAll: c[b + C_FLUSH_ALL],
    shootdowns: c[b + C_SHOOTDOWNS],
  };
}

export function newTlbState(cpus: number, size: number): TlbState {
  const n = cpus * size;
  const pcid = new Int16Array(n).fill(-1);
  return {
    size,
    cpus,
    vpn: new Float64Array(n),
    pcid,
    pfn: new Int32Array(n),
    perm: new Uint8Array(n),
    cur: new Int32Array(cpus),
    ctr: new Float64Array(cpus * NCTR),
  };
}

export function tlbSlot(t: TlbState, cpu: number, vpn: number, pcid: number): number {
  // vpn can exceed 2^32 (user VAs above 16 TiB): fold the high part in before masking. The
  // division only runs then (it was a measurable share of a TLB hit).
  const h = (vpn ^ (vpn < 4294967296 ? 0 : vpn / 4294967296) ^ (pcid * 0x9e37)) & (t.size - 1);
  return cpu * t.size + h;
}

export function tlbFill(t: TlbState, cpu: number, vpn: number, pcid: number, pfn: number, perm: number): void {
  const i = tlbSlot(t, cpu, vpn, pcid);
  t.vpn[i] = vpn;
  t.pcid[i] = pcid;
  t.pfn[i] = pfn;
  t.perm[i] = perm;
}

/** INVLPG-like: drop one page for one PCID on one CPU. */
export function tlbFlushPage(t: TlbState, cpu: number, vpn: number, pcid: number): void {
  const i = tlbSlot(t, cpu, vpn, pcid);
  if (t.pcid[i] === pcid && t.vpn[i] === vpn) t.pcid[i] = -1;
  t.ctr[cpu * NCTR + C_FLUSH_PAGE]++;
}

/** Drop every non-global entry of one PCID on one CPU. */
export function tlbFlushPcid(t: TlbState, cpu: number, pcid: number): void {
  const base = cpu * t.size;
  for (let i = base; i < base + t.size; i++) {
    if (t.pcid[i] === pcid && (t.perm[i] & TLB_G) === 0) t.pcid[i] = -1;
  }
  t.ctr[cpu * NCTR + C_FLUSH_MM]++;
}

/** Drop everything on one CPU (a CR3 write without PCID also lands here, minus globals). */
export function tlbFlushCpu(t: TlbState, cpu: number, keepGlobal: boolean): void {
  const base = cpu * t.size;
  for (let i = base; i < base + t.size; i++) {
    if (!keepGlobal || (t.perm[i] & TLB_G) === 0) t.pcid[i] = -1;
  }
  t.ctr[cpu * NCTR + C_FLUSH_ALL]++;
}

export function tlbTotals(t: TlbState): TlbCounters {
  const sum: TlbCounters = { hits: 0, misses: 0, missesWrite: 0, walks: 0, flushPage: 0, flushMm: 0, flushAll: 0, shootdowns: 0 };
  for (let cpu = 0; cpu < t.cpus; cpu++) {
    const c = cpuCounters(t, cpu);
    for (const k of Object.keys(sum) as (keyof TlbCounters)[]) sum[k] += c[k];
  }
  return sum;
}

/**
 * A run of user accesses, one per page, as `touch` issues them: the same TLB lookups, fills,
 * counters and A/D updates as calling `translate` page by page, without the per-call cost.
 *
 * Like real x86 cores it keeps a paging-structure cache for the walk: the last PTE table
 * reached, with the RW/US/NX accumulated above it, so walks for later pages of the same
 * 2 MiB region start at the PTE level. The cache lives only for one call and is dropped at
 * the first fault (the handler may rewrite tables), so it can never serve a stale entry.
 *
 * After the first `tlb.size` pages of a batch the outcome of every lookup is known: each page's
 * direct-mapped slot holds the page `size` pages before it, filled by this same call, so it
 * misses. `sweep` then skips the lookups, counts the misses in bulk and fills only the last
 * `size` pages — the TLB a page-by-page loop leaves behind (tests/mmu-range.test.ts checks
 * counters and digests are identical).
 */
import type { Machine } from '../machine';
import { TI } from '../trace';
import { pcidOf } from './cpu';
import { walk, walkNx } from './mmu';
import { PTE_A, PTE_D, PTE_HI_NX, PTE_HI_PFN_MASK, PTE_P, PTE_PS, PTE_RW, PTE_US } from './pte';
import { C_HITS, C_MISSES, C_MISSES_WRITE, NCTR, TLB_NX, TLB_U, TLB_W, cpuFirstSlot, tlbSet, tlbSlot, tlbSlotHash, type TlbState } from './tlb';

/** Error code of the fault that stopped the last `touchRange` (valid when it returned < end). */
export let rangeFaultCode = 0;

/**
 * Access every page from `va` (page aligned) up to `end` on `cpu`. Returns the address of
 * the first page that faulted, or `end` when every access completed.
 *
 * `warm`: the caller's run already accessed the `size` pages just below `va`, in order, and
 * nothing else filled this CPU's TLB since (touch() resuming after a fault: fault handlers
 * only flush). Then every page from `va` misses as well (its slot holds a page of that run,
 * or was flushed empty), and the sweep starts at once: with a fault every 16 pages
 * (fault-around), the page-by-page loop was most of a 1,500-process read.
 */
export function touchRange(m: Machine, cpu: number, va: number, end: number, write: boolean, warm = false): number {
  const size = m.s.tlb.size;
  const p1 = Math.min(end, va + size * 4096);
  // Slots are indexed by the low vpn bits: a range crossing a 2^32-page boundary may revisit
  // slots, so it goes page by page.
  const oneSpan = Math.floor(va / 4096 / 4294967296) === Math.floor((end - 4096) / 4096 / 4294967296);
  // Nothing cached under the current PCID (a switch or a flush just emptied it): every page
  // of the range misses, so the sweep can start at once.
  if (oneSpan && (warm || m.s.tlb.clean[cpu])) return sweep(m, cpu, va, end, write);
  const r = touchExact(m, cpu, va, p1, write);
  if (r < p1 || p1 === end) return r;
  // Past the first `size` pages every lookup of a page-by-page loop would miss: the page's
  // direct-mapped slot holds the page `size` pages before it, filled by this same call.
  if (!oneSpan) return touchExact(m, cpu, p1, end, write);
  return sweep(m, cpu, p1, end, write);
}

/** Machine.scanMask bits: every entry has P|US|A (read), or P|US|RW|A|D (write). */
const MEMO_READ = 1;
const MEMO_WRITE = 2;

/**
 * Past the first `size` pages: every page is a TLB miss and a walk. The walk's outcome for a
 * page depends only on the tables, so the loop works a PTE table at a time: the upper levels
 * once per 2 MiB, then one tight pass over the table's entries that checks P/US/RW and sets
 * A/D where missing (the only state a walk changes). The TLB entries a page-by-page loop
 * leaves behind (the last `size` pages) are filled afterwards by walking those pages again:
 * nothing between changed what they translate to.
 */
function sweep(m: Machine, cpu: number, from: number, end: number, write: boolean): number {
  const t = m.s.tlb;
  const size = t.size;
  const u32 = m.pm.u32;
  const shifts = m.geo.shifts;
  const levels = shifts.length;
  const pgd = m.s.cpus[cpu].mm!.pgd;
  const user = 4 | (write ? 2 : 0);
  const want = write ? PTE_A | PTE_D : PTE_A;
  const need = PTE_P | PTE_US | (write ? PTE_RW : 0);
  const memoBit = write ? MEMO_WRITE : MEMO_READ;
  let va = from;
  let stop = end;
  let exactFrom = -1; // a 1 GiB leaf: the rest goes through the exact path
  // The last PTE table reached, for refill (which fills pages of at most two regions).
  let lastRegion = -1;
  let lastTable = -1;
  let lastNx = 0;
  while (va < end) {
    const region = Math.floor(va / 0x200000);
    const regionEnd = Math.min(end, (region + 1) * 0x200000);
    let table = pgd;
    let rw = PTE_RW;
    let us = PTE_US;
    let nx = 0;
    let d = 0;
    const hiVa = Math.floor(va / 4294967296);
    const loVa = va >>> 0;
    let leafLo = 0;
    let leafEi = -1;
    for (; d < levels - 1; d++) {
      const s = shifts[d];
      const idx = s >= 32 ? (hiVa >>> (s - 32)) & 511 : s > 23 ? ((hiVa << (32 - s)) | (loVa >>> s)) & 511 : (loVa >>> s) & 511;
      const ei = table * 1024 + idx * 2;
      const lo = u32[ei];
      if (!(lo & PTE_P)) break;
      const hi = u32[ei + 1];
      rw &= lo;
      us &= lo;
      nx |= hi & PTE_HI_NX;
      table = (lo >>> 12) + (hi & PTE_HI_PFN_MASK) * 0x100000;
      if (lo & PTE_PS) {
        leafLo = lo;
        leafEi = ei;
        break;
      }
      if (!(lo & PTE_A)) u32[ei] = lo | PTE_A;
    }
    if (d < levels - 1) {
      if (leafEi >= 0 && d !== levels - 2) {
        // A 1 GiB leaf (the engine never makes one, but the walker allows it): finish the
        // batch here and go on page by page through touchExact, which walks it exactly.
        stop = va;
        exactFrom = va;
        break;
      }
      if (leafEi < 0) {
        // A hole: stop here; the caller's fault path handles it.
        stop = va;
        rangeFaultCode = user;
        break;
      }
      if (!us || (write && !rw)) {
        stop = va;
        rangeFaultCode = user | 1;
        break;
      }
      // A 2 MiB leaf: one entry serves the whole region.
      if ((leafLo & want) !== want) u32[leafEi] = leafLo | want;
      va = regionEnd;
      continue;
    }
    lastRegion = region;
    lastTable = table;
    lastNx = nx;
    // Entry indices fit in 31 bits (RAM is at most 4 GiB = 2^30 entries): int32 indexing.
    const first = (table * 1024 + ((va >>> 12) & 511) * 2) | 0;
    const last = (first + ((regionEnd - va) / 4096) * 2) | 0;
    if (!us || (write && !rw)) {
      // Every present entry below faults on protection; the first decides the code.
      stop = va;
      rangeFaultCode = u32[first] & PTE_P ? user | 1 : user;
      break;
    }
    // A table found complete since the last change that could take bits away needs no scan
    // (Machine.ptEpoch): the sharers of one mshare region or hugetlb-free shmem read the same
    // tables over and over.
    const known = m.scanEpoch[table] === m.ptEpoch && (m.scanMask[table] & memoBit) !== 0;
    const bad = known ? -1 : scanPtes(u32, first, last, need, want);
    if (bad < 0 && !known && last - first === 1024) {
      if (m.scanEpoch[table] !== m.ptEpoch) m.scanMask[table] = 0;
      m.scanEpoch[table] = m.ptEpoch;
      m.scanMask[table] |= memoBit | MEMO_READ; // a table fit for writes is fit for reads
    }
    if (bad >= 0) {
      stop = va + ((bad - first) / 2) * 4096;
      rangeFaultCode = u32[bad] & PTE_P ? user | 1 : user;
      break;
    }
    va = regionEnd;
  }
  // Counters and the TLB as a page-by-page loop leaves them: every page a miss and a walk
  // (a page that faulted was looked up and walked too), the last `size` pages filled.
  const n = (stop - from) / 4096 + (stop < end && exactFrom < 0 ? 1 : 0);
  t.f64[cpu * NCTR + C_MISSES] += n; // and as many walks (cpuCounters)
  const pcid = pcidOf(m, cpu);
  const filled = (stop - from) / 4096;
  if (filled > 0) reportFills(m, cpu, pcid, from, filled);
  refill(m, cpu, pgd, pcid, Math.max(from, stop - size * 4096), stop, write, lastRegion, lastTable, lastNx);
  return exactFrom >= 0 ? touchExact(m, cpu, exactFrom, end, write) : stop;
}

/**
 * Fill the TLB for [from, to), pages the sweep has just checked (present, allowed, A/D set):
 * what their walks would fill. The upper levels are read once per 2 MiB (measured: a full
 * walk per page was most of a short sweep), or not at all for the region whose PTE table the
 * sweep passes (`knownRegion`: 2 MiB index, its table and the NX above it); a huge leaf or
 * anything unusual takes the walk.
 *
 * The per-page loop (fillFromTable) runs on int32s. Counted per page with the address as a
 * double, it cost ~150 instructions a page, a fifth of a 1,500-client database read
 * (callgrind; see the commit).
 */
function refill(
  m: Machine, cpu: number, pgd: number, pcid: number, from: number, to: number, write: boolean,
  knownRegion: number, knownTable: number, knownNx: number,
): void {
  const t = m.s.tlb;
  const u32 = m.pm.u32;
  const perm = (write ? TLB_W : 0) | TLB_U;
  t.clean[cpu] = 0;
  for (let a = from; a < to; ) {
    const region = Math.floor(a / 0x200000);
    const regionEnd = Math.min(to, (region + 1) * 0x200000);
    const n = ((regionEnd - a) / 4096) | 0;
    // The sweep's table for its last region (typically the only one here): no walk again.
    const known = region === knownRegion;
    const table = known ? knownTable : pteTableOf(m, pgd, a);
    const upperNx = known ? knownNx : upperWalkNx;
    const vpn0 = a / 4096;
    if (table < 0) {
      for (let i = 0; i < n; i++) {
        const pfn = walk(m, pgd, a + i * 4096, write, false);
        tlbSet(t, tlbSlot(t, cpu, vpn0 + i, pcid), vpn0 + i, pcid, pfn, perm | (walkNx() ? TLB_NX : 0));
      }
    } else {
      fillFromTable(t, cpu, pcid, vpn0, n, u32, (table * 1024 + ((a >>> 12) & 511) * 2) | 0, perm | (upperNx ? TLB_NX : 0));
    }
    a = regionEnd;
  }
}

/**
 * tlbSet for `n` consecutive pages from `vpn0`, whose PTEs are the consecutive entries from
 * u32 index `ei`, with `perm` plus each PTE's NX. tlbSlot and tlbSet written out over int32s:
 * the page number's low 32 bits for the slot (tlbSlot only uses low bits), the frame below
 * 2^31 (an Int32Array holds it). tests/mmu-range.test.ts compares the TLB this leaves with a
 * page-by-page loop's.
 */
function fillFromTable(t: TlbState, cpu: number, pcid: number, vpn0: number, n: number, u32: Uint32Array, ei: number, perm: number): void {
  const f64 = t.f64;
  const i32 = t.i32;
  const base = cpuFirstSlot(t, cpu) | 0;
  const mask = (t.size - 1) | 0;
  const hash = tlbSlotHash(pcid) | 0;
  const vlo = vpn0 | 0; // ToInt32: the low 32 bits
  const tag = (pcid << 4) | perm;
  for (let i = 0; i < n; i++, ei += 2) {
    const hi = u32[ei + 1];
    const slot = base + (((vlo + i) ^ hash) & mask);
    f64[slot] = vpn0 + i;
    i32[slot * 2] = (u32[ei] >>> 12) | ((hi & PTE_HI_PFN_MASK) << 20);
    i32[slot * 2 + 1] = tag | ((hi >>> 29) & TLB_NX); // PTE_HI_NX (bit 31) as TLB_NX (bit 2)
  }
}

/** NX ORed over the upper levels by the last pteTableOf (0 or PTE_HI_NX). */
let upperWalkNx = 0;

/** The PTE table mapping `va` under `pgd`, or -1 at a hole or a huge leaf. Reads only. */
function pteTableOf(m: Machine, pgd: number, va: number): number {
  const u32 = m.pm.u32;
  const shifts = m.geo.shifts;
  const hiVa = Math.floor(va / 4294967296);
  const loVa = va >>> 0;
  let table = pgd;
  let nx = 0;
  for (let d = 0; d < shifts.length - 1; d++) {
    const s = shifts[d];
    const idx = s >= 32 ? (hiVa >>> (s - 32)) & 511 : s > 23 ? ((hiVa << (32 - s)) | (loVa >>> s)) & 511 : (loVa >>> s) & 511;
    const ei = table * 1024 + idx * 2;
    const lo = u32[ei];
    if (!(lo & PTE_P) || lo & PTE_PS) return -1;
    const hi = u32[ei + 1];
    nx |= hi & PTE_HI_NX;
    table = (lo >>> 12) + (hi & PTE_HI_PFN_MASK) * 0x100000;
  }
  upperWalkNx = nx;
  return table;
}

/**
 * One pass over PTEs [first, last) (u32 indices, step 2): sets the `want` bits where missing;
 * returns the index of the first entry without all `need` bits, or -1. Eight entries at a
 * time while all of them already have every bit (the common case of a re-read: nothing to
 * write), one at a time otherwise. Its own small function so the JIT keeps it a tight int32
 * loop (measured: 2-4x faster than the one-entry loop inlined in sweep).
 */
function scanPtes(u32: Uint32Array, first: number, last: number, need: number, want: number): number {
  const both = need | want;
  for (let ei = first; ei < last; ) {
    if (ei + 16 <= last && (u32[ei] & u32[ei + 2] & u32[ei + 4] & u32[ei + 6] & u32[ei + 8] & u32[ei + 10] & u32[ei + 12] & u32[ei + 14] & both) === both) {
      ei += 16;
      continue;
    }
    const lo = u32[ei];
    if ((lo & need) !== need) return ei;
    if ((lo & want) !== want) u32[ei] = lo | want;
    ei += 2;
  }
  return -1;
}

function touchExact(m: Machine, cpu: number, start: number, end: number, write: boolean): number {
  return start + touchExactPages(m, cpu, start, end, write) * 4096;
}

/**
 * touchExact's loop; returns how many pages completed (the index of the page that faulted,
 * or all of them). It returns a page count, not an address, and its loop is counted in pages:
 * V8 kept a loop-carried or returned address as a heap number and allocated one on every
 * page (seen in the optimized code; measured with callgrind, see the commit).
 */
function touchExactPages(m: Machine, cpu: number, start: number, end: number, write: boolean): number {
  const t = m.s.tlb;
  t.clean[cpu] = 0; // it may fill
  const f64 = t.f64; // the counters, then the tags
  const cb = cpu * NCTR;
  const pcid = pcidOf(m, cpu);
  const u32 = m.pm.u32;
  const shifts = m.geo.shifts;
  const levels = shifts.length;
  const pgd = m.s.cpus[cpu].mm!.pgd;
  const user = 4 | (write ? 2 : 0);
  let cacheBase = -1; // 2 MiB region whose PTE table is cached
  let cacheTable = 0;
  let cacheRw = 0;
  let cacheUs = 0;
  let cacheNx = 0;
  let cacheHuge = -1; // pfn of a cached 2 MiB leaf for cacheBase, or -1
  const tEnt = t.i32;
  // The run of consecutive fills not yet reported as a tlb-fill event (only when recording).
  let runFrom = 0; // page index
  let runPages = 0;
  const pages = (end - start) / 4096;
  const vpn0 = start / 4096;
  for (let i = 0; i < pages; i++) {
    const va = start + i * 4096;
    const vpn = vpn0 + i;
    const slot = tlbSlot(t, cpu, vpn, pcid);
    const tag = tEnt[slot * 2 + 1]; // pcid << 4 | perm
    const cached = f64[slot] === vpn && tag >> 4 === pcid;
    if (cached && (!write || tag & TLB_W)) {
      f64[cb + C_HITS]++;
      if (runPages) runPages = reportFills(m, cpu, pcid, start + runFrom * 4096, runPages);
      continue;
    }
    if (runPages === 0) runFrom = i;
    if (write && cached) f64[cb + C_MISSES_WRITE]++;
    f64[cb + C_MISSES]++; // and a walk
    const region = Math.floor(va / 0x200000);
    if (region !== cacheBase) {
      // Walk the upper levels; stop at a huge leaf or a hole and let the full walk decide.
      let table = pgd;
      let rw = PTE_RW;
      let us = PTE_US;
      let nx = 0;
      let d = 0;
      const hiVa = Math.floor(va / 4294967296);
      const loVa = va >>> 0;
      for (; d < levels - 1; d++) {
        const s = shifts[d];
        const idx = s >= 32 ? (hiVa >>> (s - 32)) & 511 : s > 23 ? ((hiVa << (32 - s)) | (loVa >>> s)) & 511 : (loVa >>> s) & 511;
        const ei = table * 1024 + idx * 2;
        const lo = u32[ei];
        if (!(lo & PTE_P) || lo & PTE_PS) break;
        if (!(lo & PTE_A)) u32[ei] = lo | PTE_A;
        const hi = u32[ei + 1];
        rw &= lo;
        us &= lo;
        nx |= hi & PTE_HI_NX;
        table = (lo >>> 12) + (hi & PTE_HI_PFN_MASK) * 0x100000;
      }
      if (d === levels - 2) {
        // A 2 MiB leaf (hugetlb): cache it like the PDE cache does.
        const s = shifts[d];
        const idx = s > 23 ? ((hiVa << (32 - s)) | (loVa >>> s)) & 511 : (loVa >>> s) & 511;
        const ei = table * 1024 + idx * 2;
        const lo = u32[ei];
        if (lo & PTE_P && lo & PTE_PS) {
          const hi = u32[ei + 1];
          if (!(us & lo & PTE_US) || (write && !(rw & lo & PTE_RW))) {
            rangeFaultCode = user | 1;
            reportFills(m, cpu, pcid, start + runFrom * 4096, runPages);
            return i;
          }
          const want = write ? PTE_A | PTE_D : PTE_A;
          if ((lo & want) !== want) u32[ei] = lo | want;
          cacheBase = region;
          cacheHuge = (lo >>> 12) + (hi & PTE_HI_PFN_MASK) * 0x100000;
          cacheNx = nx | (hi & PTE_HI_NX);
        }
      }
      if (cacheBase === region && cacheHuge >= 0) {
        // Served from the cached huge leaf below.
      } else if (d < levels - 1) {
        // Not a plain 4-level path: use the architectural walk for this page.
        cacheBase = -1;
        const r = walk(m, pgd, va, write, false);
        if (r < 0) {
          rangeFaultCode = -1 - r;
          reportFills(m, cpu, pcid, start + runFrom * 4096, runPages);
          return i;
        }
        tlbSet(t, slot, vpn, pcid, r, (write ? TLB_W : 0) | TLB_U | (walkNx() ? TLB_NX : 0));
        runPages++;
        continue;
      } else {
        cacheBase = region;
        cacheHuge = -1;
        cacheTable = table;
        cacheRw = rw;
        cacheUs = us;
        cacheNx = nx;
      }
    }
    if (cacheHuge >= 0) {
      tlbSet(t, slot, vpn, pcid, cacheHuge + ((va >>> 12) & 511), (write ? TLB_W : 0) | TLB_U | (cacheNx ? TLB_NX : 0));
      runPages++;
      continue;
    }
    const ei = cacheTable * 1024 + ((va >>> 12) & 511) * 2;
    const lo = u32[ei];
    if (!(lo & PTE_P)) {
      rangeFaultCode = user;
      reportFills(m, cpu, pcid, start + runFrom * 4096, runPages);
      return i;
    }
    const hi = u32[ei + 1];
    const nx = cacheNx | (hi & PTE_HI_NX);
    if (!(cacheUs & lo & PTE_US) || (write && !(cacheRw & lo & PTE_RW))) {
      rangeFaultCode = user | 1;
      reportFills(m, cpu, pcid, start + runFrom * 4096, runPages);
      return i;
    }
    const want = write ? PTE_A | PTE_D : PTE_A;
    if ((lo & want) !== want) u32[ei] = lo | want;
    tlbSet(t, slot, vpn, pcid, (lo >>> 12) + (hi & PTE_HI_PFN_MASK) * 0x100000, (write ? TLB_W : 0) | TLB_U | (nx ? TLB_NX : 0));
    runPages++;
  }
  reportFills(m, cpu, pcid, start + runFrom * 4096, runPages);
  return pages;
}

/** One tlb-fill event for `pages` fills from `start` (recorded when the trace records, counted always); returns 0. */
function reportFills(m: Machine, cpu: number, pcid: number, start: number, pages: number): number {
  if (pages === 0) return 0;
  if (m.trace.recording) m.trace.emitAt(TI['tlb-fill'], { type: 'tlb-fill', cpu, addr: start, pcid, pages });
  else m.trace.countAt(TI['tlb-fill']);
  return 0;
}

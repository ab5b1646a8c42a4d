/**
 * Figure 1: address translation.
 *
 * - TLB hit: `translate()` (src/engine/hw/mmu.ts) on 64 pages that sit in 64 distinct TLB
 *   slots, read accesses, every one a hit (checked on the TLB counters), against a bare
 *   direct-mapped typed-array lookup (Float64Array tags, Int32Array frames) of the same
 *   64 addresses.
 * - TLB miss: `translate()` cycling over the 16,384 pages of a 64 MiB region, so every
 *   access misses the 64-entry TLB and walks the 4-level table (checked on the counters),
 *   against a bare 4-level walk over the same SharedArrayBuffer for the same addresses:
 *   entries read as two 32-bit halves (present bit, frame from both halves), nothing else.
 * - The same two through the batched path `touch()` uses (touchRange, with its
 *   paging-structure cache), for information.
 *
 * Simulator and bare loops are timed in alternating blocks in one process, after warm-up
 * blocks, so both see the same JIT tier and the same machine load; the result is the
 * median block of each.
 */
import { Kernel } from '../../src/engine/kernel';
import { translate } from '../../src/engine/hw/mmu';
import { touchRange } from '../../src/engine/hw/mmu-range';
import { switchMm } from '../../src/engine/hw/cpu';
import { cpuCounters, tlbSlot } from '../../src/engine/hw/tlb';
import { figureMain, log, median, now, sink } from './common';

export interface TranslateOptions {
  /** Translations per timed block (hits). */
  hitOps?: number;
  /** Walks per timed block (misses). */
  missOps?: number;
  /** Timed blocks of each kind (after `warmup` untimed ones). */
  blocks?: number;
  warmup?: number;
  /** Size of the region the miss loop cycles over. */
  regionMib?: number;
}

export interface TranslateResult {
  figure: 'translate';
  /** Operations per second, median over blocks. */
  hitSim: number;
  hitBare: number;
  missSim: number;
  missBare: number;
  hitTouch: number;
  missTouch: number;
  /**
   * Per-block ratios, each simulator block over the bare block timed right after it (median
   * over blocks): robust to load that comes and goes between blocks.
   */
  hitRatio: number;
  missRatio: number;
  hitTouchRatio: number;
  missTouchRatio: number;
  hitOps: number;
  missOps: number;
  blocks: number;
}

const TLB_ENTRIES = 64;

/** A bare direct-mapped TLB: tags and frames in typed arrays. */
function bareLookup(tags: Float64Array, frames: Int32Array, va: number): number {
  const vpn = Math.floor(va / 4096);
  const s = vpn & (TLB_ENTRIES - 1);
  return tags[s] === vpn ? frames[s] : -1;
}

/** A bare 4-level x86-64 walk: entries as two 32-bit halves in the same SharedArrayBuffer. */
function bareWalk(u32: Uint32Array, pgd: number, va: number): number {
  const hiVa = Math.floor(va / 4294967296);
  const loVa = va >>> 0;
  let e = pgd * 1024 + ((hiVa >>> 7) & 511) * 2;
  let lo = u32[e];
  if (!(lo & 1)) return -1;
  let t = (lo >>> 12) + (u32[e + 1] & 0xfffff) * 0x100000;
  e = t * 1024 + (((hiVa << 2) | (loVa >>> 30)) & 511) * 2;
  lo = u32[e];
  if (!(lo & 1)) return -1;
  t = (lo >>> 12) + (u32[e + 1] & 0xfffff) * 0x100000;
  e = t * 1024 + ((loVa >>> 21) & 511) * 2;
  lo = u32[e];
  if (!(lo & 1)) return -1;
  t = (lo >>> 12) + (u32[e + 1] & 0xfffff) * 0x100000;
  e = t * 1024 + ((loVa >>> 12) & 511) * 2;
  lo = u32[e];
  if (!(lo & 1)) return -1;
  return (lo >>> 12) + (u32[e + 1] & 0xfffff) * 0x100000;
}

export function run(opts: TranslateOptions = {}): TranslateResult {
  const hitOps = opts.hitOps ?? 4_000_000;
  const missOps = opts.missOps ?? 1_000_000;
  const blocks = opts.blocks ?? 9;
  const warmup = opts.warmup ?? 3;
  const regionMib = opts.regionMib ?? 64;

  const k = new Kernel({ ram: Math.max(64, regionMib * 2) << 20, cpus: 2, tlb: TLB_ENTRIES, pcid: true, levels: 4 });
  const m = k.m;
  m.trace.recording = false;
  k.spawn('p');
  const region = regionMib << 20;
  const base = k.mmap('p', { addr: null, len: region, prot: 'rw', flags: { private: true, anon: true } }).value as number;
  const w = k.touch('p', base, region, 'write');
  if (w.errno || w.signal) throw new Error(`touch failed: ${JSON.stringify(w)}`);
  const task = k.task('p')!;
  const mm = task.mm!;
  const cpu = 0;
  k.run('p', cpu);
  // The CPU's counters, read live (cpuCounters copies).
  const ctr = { get hits() { return cpuCounters(m.s.tlb, cpu).hits; }, get walks() { return cpuCounters(m.s.tlb, cpu).walks; } };
  const u32 = m.pm.u32;

  // ---- hit set: 64 pages in 64 distinct slots
  const hitAddrs = new Float64Array(TLB_ENTRIES);
  const tags = new Float64Array(TLB_ENTRIES).fill(-1);
  const frames = new Int32Array(TLB_ENTRIES);
  const slots = new Set<number>();
  const pcid = m.s.config.pcid ? m.s.cpus[cpu].asid + 1 : 0;
  for (let i = 0; i < TLB_ENTRIES; i++) {
    const va = base + i * 4096;
    hitAddrs[i] = va;
    slots.add(tlbSlot(m.s.tlb, cpu, va / 4096, pcid));
    const pfn = translate(m, cpu, va, false);
    if (pfn < 0) throw new Error('hit set not mapped');
    const vpn = va / 4096;
    tags[vpn & (TLB_ENTRIES - 1)] = vpn;
    frames[vpn & (TLB_ENTRIES - 1)] = pfn;
  }
  if (slots.size !== TLB_ENTRIES) throw new Error(`hit set covers ${slots.size} TLB slots, not ${TLB_ENTRIES}`);

  // ---- miss set: every page of the region, cycled
  const pages = region / 4096;
  const missAddrs = new Float64Array(pages);
  for (let i = 0; i < pages; i++) missAddrs[i] = base + i * 4096;
  const pgd = mm.pgd;
  for (let i = 0; i < pages; i++) {
    if (bareWalk(u32, pgd, missAddrs[i]) !== translate(m, cpu, missAddrs[i], false)) {
      throw new Error(`bare walk and translate disagree at 0x${missAddrs[i].toString(16)}`);
    }
  }

  const hitRounds = Math.max(1, Math.round(hitOps / TLB_ENTRIES));
  const hitN = hitRounds * TLB_ENTRIES;

  // Refill: the miss loops evicted the hit set. Its own function, so the timed loop below is
  // compiled from hit-only feedback, as a loop over a working set that fits the TLB would be.
  function refillHitSet(): void {
    for (let i = 0; i < TLB_ENTRIES; i++) translate(m, cpu, hitAddrs[i], false);
  }

  function simHits(): number {
    refillHitSet();
    const h0 = ctr.hits;
    let s = 0;
    const t0 = now();
    for (let r = 0; r < hitRounds; r++) {
      for (let i = 0; i < TLB_ENTRIES; i++) s ^= translate(m, cpu, hitAddrs[i], false);
    }
    const dt = now() - t0;
    if (ctr.hits - h0 !== hitN) throw new Error(`expected ${hitN} TLB hits, counted ${ctr.hits - h0}`);
    sink.value += s;
    return hitN / (dt / 1000);
  }

  function bareHits(): number {
    let s = 0;
    const t0 = now();
    for (let r = 0; r < hitRounds; r++) {
      for (let i = 0; i < TLB_ENTRIES; i++) s ^= bareLookup(tags, frames, hitAddrs[i]);
    }
    const dt = now() - t0;
    sink.value += s;
    return hitN / (dt / 1000);
  }

  function simMisses(): number {
    const w0 = ctr.walks;
    let s = 0;
    let i = TLB_ENTRIES; // the hit set (pages 0..63) may still be cached
    const t0 = now();
    for (let n = 0; n < missOps; n++) {
      s ^= translate(m, cpu, missAddrs[i], false);
      if (++i === pages) i = 0;
    }
    const dt = now() - t0;
    if (ctr.walks - w0 !== missOps) throw new Error(`expected ${missOps} walks, counted ${ctr.walks - w0}`);
    sink.value += s;
    return missOps / (dt / 1000);
  }

  function bareMisses(): number {
    let s = 0;
    let i = TLB_ENTRIES;
    const t0 = now();
    for (let n = 0; n < missOps; n++) {
      s ^= bareWalk(u32, pgd, missAddrs[i]);
      if (++i === pages) i = 0;
    }
    const dt = now() - t0;
    sink.value += s;
    return missOps / (dt / 1000);
  }

  // Batched path (touchRange): a read pass over the hit set (all hits) or the region (all misses).
  function touchHits(): number {
    touchRange(m, cpu, base, base + TLB_ENTRIES * 4096, false);
    const h0 = ctr.hits;
    const t0 = now();
    for (let r = 0; r < hitRounds; r++) touchRange(m, cpu, base, base + TLB_ENTRIES * 4096, false);
    const dt = now() - t0;
    if (ctr.hits - h0 !== hitN) throw new Error(`touch: expected ${hitN} hits, counted ${ctr.hits - h0}`);
    return hitN / (dt / 1000);
  }

  function touchMisses(): number {
    // From page 64: the hit set (pages 0..63) may still be cached.
    const per = pages - TLB_ENTRIES;
    const passes = Math.max(1, Math.round(missOps / per));
    const from = base + TLB_ENTRIES * 4096;
    const w0 = ctr.walks;
    const t0 = now();
    for (let r = 0; r < passes; r++) touchRange(m, cpu, from, base + region, false);
    const dt = now() - t0;
    if (ctr.walks - w0 !== passes * per) throw new Error(`touch: expected ${passes * per} walks, counted ${ctr.walks - w0}`);
    return (passes * per) / (dt / 1000);
  }

  switchMm(m, cpu, mm, task.pid);
  const res = { hitSim: [] as number[], hitBare: [] as number[], missSim: [] as number[], missBare: [] as number[], hitTouch: [] as number[], missTouch: [] as number[] };
  for (let b = 0; b < warmup + blocks; b++) {
    const keep = b >= warmup;
    const r = [simHits(), bareHits(), simMisses(), bareMisses(), touchHits(), touchMisses()];
    if (process.env.TR_DEBUG) log(`block ${b}: ${r.map((x) => (x / 1e6).toFixed(1)).join(" ")}`);
    if (keep) {
      res.hitSim.push(r[0]);
      res.hitBare.push(r[1]);
      res.missSim.push(r[2]);
      res.missBare.push(r[3]);
      res.hitTouch.push(r[4]);
      res.missTouch.push(r[5]);
    }
  }
  const paired = (a: number[], b: number[]) => median(a.map((x, i) => x / b[i]));
  log(`translate: hit ${(median(res.hitSim) / 1e6).toFixed(1)}M/s vs bare ${(median(res.hitBare) / 1e6).toFixed(1)}M/s; ` +
    `miss ${(median(res.missSim) / 1e6).toFixed(1)}M/s vs bare ${(median(res.missBare) / 1e6).toFixed(1)}M/s`);
  return {
    figure: 'translate',
    hitSim: median(res.hitSim),
    hitBare: median(res.hitBare),
    missSim: median(res.missSim),
    missBare: median(res.missBare),
    hitTouch: median(res.hitTouch),
    missTouch: median(res.missTouch),
    hitRatio: paired(res.hitSim, res.hitBare),
    missRatio: paired(res.missSim, res.missBare),
    hitTouchRatio: paired(res.hitTouch, res.hitBare),
    missTouchRatio: paired(res.missTouch, res.missBare),
    hitOps: hitN,
    missOps,
    blocks,
  };
}

figureMain('translate', import.meta.url, run);

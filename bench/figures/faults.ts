/**
 * Figure 2: page-fault throughput, the same work bench/native/faults.c does on Linux.
 *
 * - anon: a fresh MAP_PRIVATE|MAP_ANONYMOUS mapping of `anonMib` is written one access per
 *   page with `touch` (every page one fault that allocates a zeroed frame), then unmapped.
 *   RAM is sized so the timed passes reuse the frames an untimed warm-up pass dirtied:
 *   the engine zeroes those, as Linux zeroes every page it hands out.
 * - shmem: a MAP_SHARED|MAP_ANONYMOUS region of `shmemMib` is populated once (untimed);
 *   then, per repetition, a freshly forked child (no PTEs for the shared mapping: fork does
 *   not copy them) reads every page; each fault maps a fault-around window of 16 pages.
 *
 * Faults are counted on the engine's trace counters (`counts.fault`), not assumed.
 */
import { Kernel } from '../../src/engine/kernel';
import { figureMain, log, median, now, spread, type Spread } from './common';

export interface FaultsOptions {
  anonMib?: number;
  anonReps?: number;
  shmemMib?: number;
  shmemReps?: number;
}

export interface FaultsResult {
  figure: 'faults';
  anonMib: number;
  anonFaultsPerSec: Spread;
  anonFaultsPerPass: number;
  /** Share of the timed passes' frames that had to be zeroed (used since boot). */
  anonRecycledFraction: number;
  shmemMib: number;
  shmemFaultsPerSec: Spread;
  shmemPagesPerSec: Spread;
  shmemFaultsPerPass: number;
  shmemPagesPerFault: number;
}

function faultCount(k: Kernel): number {
  return k.m.trace.counts.fault ?? 0;
}

export function run(opts: FaultsOptions = {}): FaultsResult {
  const anonMib = opts.anonMib ?? 256;
  const anonReps = opts.anonReps ?? 5;
  const shmemMib = opts.shmemMib ?? 256;
  const shmemReps = opts.shmemReps ?? 5;

  // ---- anonymous write faults
  const anonLen = anonMib << 20;
  // Room for the region, its page tables and a little more: timed passes recycle frames.
  const ka = new Kernel({ ram: anonLen + (16 << 20) });
  ka.m.trace.recording = false;
  ka.spawn('p');
  const anonRates: number[] = [];
  let anonFaults = 0;
  let recycled = 0;
  let allocated = 0;
  for (let rep = -1; rep < anonReps; rep++) {
    const a = ka.mmap('p', { addr: null, len: anonLen, prot: 'rw', flags: { private: true, anon: true } });
    if (a.errno) throw new Error(`anon mmap: ${JSON.stringify(a)}`);
    const addr = a.value as number;
    // Frames that will need zeroing: all free frames dirtied by earlier use.
    const unclean = rep >= 0 ? countUnclean(ka) : 0;
    const f0 = faultCount(ka);
    const t0 = now();
    const r = ka.touch('p', addr, anonLen, 'write');
    const dt = now() - t0;
    if (r.errno || r.signal) throw new Error(`anon touch: ${JSON.stringify(r)}`);
    const faults = faultCount(ka) - f0;
    if (rep >= 0) {
      anonRates.push(faults / (dt / 1000));
      anonFaults = faults;
      recycled += Math.min(unclean, faults);
      allocated += faults;
    }
    ka.munmap('p', addr, anonLen);
  }

  // ---- shmem read faults with fault-around
  const shLen = shmemMib << 20;
  const ks = new Kernel({ ram: shLen * 2 + (16 << 20) });
  ks.m.trace.recording = false;
  ks.spawn('owner');
  const s = ks.mmap('owner', { addr: null, len: shLen, prot: 'rw', flags: { shared: true, anon: true } });
  if (s.errno) throw new Error(`shmem mmap: ${JSON.stringify(s)}`);
  const saddr = s.value as number;
  const pop = ks.touch('owner', saddr, shLen, 'write');
  if (pop.errno || pop.signal) throw new Error(`shmem populate: ${JSON.stringify(pop)}`);
  const shFaultRates: number[] = [];
  const shPageRates: number[] = [];
  let shFaults = 0;
  const pages = shLen / 4096;
  for (let rep = -1; rep < shmemReps; rep++) {
    const child = `reader${rep + 1}`;
    const f = ks.fork('owner', child);
    if (f.errno) throw new Error(`fork: ${JSON.stringify(f)}`);
    const f0 = faultCount(ks);
    const t0 = now();
    const r = ks.touch(child, saddr, shLen, 'read');
    const dt = now() - t0;
    if (r.errno || r.signal) throw new Error(`shmem touch: ${JSON.stringify(r)}`);
    const faults = faultCount(ks) - f0;
    if (rep >= 0) {
      shFaultRates.push(faults / (dt / 1000));
      shPageRates.push(pages / (dt / 1000));
      shFaults = faults;
    }
    ks.exit(child);
  }
  log(`faults: anon ${(median(anonRates) / 1e6).toFixed(2)}M/s, shmem ${(median(shFaultRates) / 1e3).toFixed(0)}k faults/s`);
  return {
    figure: 'faults',
    anonMib,
    anonFaultsPerSec: spread(anonRates),
    anonFaultsPerPass: anonFaults,
    anonRecycledFraction: allocated ? recycled / allocated : 0,
    shmemMib,
    shmemFaultsPerSec: spread(shFaultRates),
    shmemPagesPerSec: spread(shPageRates),
    shmemFaultsPerPass: shFaults,
    shmemPagesPerFault: shFaults ? pages / shFaults : 0,
  };
}

/** Free frames whose contents are dirty (PG_UNCLEAN: allocation must zero them). */
function countUnclean(k: Kernel): number {
  const d = k.m.pm.d;
  let n = 0;
  for (let p = 0; p < k.m.pm.nframes; p++) if (d.use[p] === 0 && d.flags[p] & (1 << 5)) n++;
  return n;
}

figureMain('faults', import.meta.url, run);

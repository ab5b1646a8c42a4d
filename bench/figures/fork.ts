/**
 * Figure 3: fork() time per GiB of touched anonymous memory, the work bench/native/fork.c
 * times on Linux: a process writes every page of a private anonymous mapping, then forks;
 * the timed part is the fork call alone (dup_mmap + copy_page_range, write-protecting every
 * PTE in parent and child). The child exits (untimed) before the next repetition.
 */
import { Kernel } from '../../src/engine/kernel';
import { meminfo } from '../../src/engine/mm/proc';
import { figureMain, log, now, spread, type Spread } from './common';

export interface ForkOptions {
  mib?: number;
  reps?: number;
}

export interface ForkResult {
  figure: 'fork';
  mib: number;
  gib: number;
  forkMs: Spread;
  msPerGib: Spread;
  /** Page tables the child got (meminfo PageTables delta), bytes. */
  childPageTables: number;
}

export function run(opts: ForkOptions = {}): ForkResult {
  const mib = opts.mib ?? 1024;
  const reps = opts.reps ?? 5;
  const len = mib * 2 ** 20;
  const k = new Kernel({ ram: len + Math.max(64 << 20, len / 4) });
  k.m.trace.recording = false;
  k.spawn('p');
  const a = k.mmap('p', { addr: null, len, prot: 'rw', flags: { private: true, anon: true } });
  if (a.errno) throw new Error(`mmap: ${JSON.stringify(a)}`);
  const w = k.touch('p', a.value as number, len, 'write');
  if (w.errno || w.signal) throw new Error(`touch: ${JSON.stringify(w)}`);
  const times: number[] = [];
  let childPt = 0;
  for (let rep = -1; rep < reps; rep++) {
    const pt0 = meminfo(k.m).PageTables;
    const t0 = now();
    const f = k.fork('p', 'child');
    const dt = now() - t0;
    if (f.errno || f.signal) throw new Error(`fork: ${JSON.stringify(f)}`);
    childPt = meminfo(k.m).PageTables - pt0;
    if (rep >= 0) times.push(dt);
    k.exit('child');
  }
  const gib = mib / 1024;
  const s = spread(times);
  log(`fork: ${s.median.toFixed(1)} ms for ${mib} MiB`);
  return {
    figure: 'fork',
    mib,
    gib,
    forkMs: s,
    msPerGib: { median: s.median / gib, min: s.min / gib, max: s.max / gib },
    childPageTables: childPt,
  };
}

figureMain('fork', import.meta.url, run);

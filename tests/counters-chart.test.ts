// The counters chart: power-of-two axis ticks, the per-step samples the worker takes and how
// the page merges them by step, the step-function points and the chapter-number layout.
import { describe, expect, it } from 'vitest';
import { binaryTicks, size } from '../src/ui/format';
import { mergeSeries } from '../src/ui/store';
import { changePoints, valueAt } from '../src/ui/views/chart';
import { placeRowLabels } from '../src/ui/talk/big-chart';
import { counterSample, createRunner } from '../src/worker/runner-port';
import { meminfo } from '../src/engine/mm/proc';
import { BUILTINS } from '../src/scenario/builtins/index';
import type { SeriesPoint } from '../src/worker/api';

const K = 1024;
const M = 1024 * K;
const pt = (step: number, pageTables = 0, tag = 0): SeriesPoint => ({ step, pageTables, shmem: tag, memFree: 0, anon: 0 });

describe('binaryTicks', () => {
  it('ticks at power-of-two sizes, at most `count` above zero', () => {
    expect(binaryTicks(32 * K, 4)).toEqual({ top: 32 * K, step: 8 * K, ticks: [0, 8 * K, 16 * K, 24 * K, 32 * K] });
    expect(binaryTicks(30 * K, 4).ticks.map(size)).toEqual(['0', '8K', '16K', '24K', '32K']);
    // The database's 205 MiB of page tables: 64M steps, not 47.7M.
    expect(binaryTicks(210140 * K, 4).ticks.map(size)).toEqual(['0', '64M', '128M', '192M', '256M']);
    expect(binaryTicks(191 * M, 4).ticks.map(size)).toEqual(['0', '64M', '128M', '192M']);
    expect(binaryTicks(4096, 4).ticks.map(size)).toEqual(['0', '1K', '2K', '3K', '4K']);
    expect(binaryTicks(3 * 2 ** 30, 4).ticks.map(size)).toEqual(['0', '1G', '2G', '3G']);
  });

  it('always a power of two, the finest that fits, covering max', () => {
    for (const max of [1, 3, 1000, 4096, 5000, 12345, 65536, 1e6, 9.99e6, 123456789, 2 ** 40 + 1]) {
      for (const count of [2, 3, 4, 5, 6]) {
        const { top, step, ticks } = binaryTicks(max, count);
        expect(Math.log2(step) % 1, `${max}/${count}`).toBe(0);
        expect(top).toBeGreaterThanOrEqual(max);
        expect(top - step).toBeLessThan(max);
        expect(ticks.length - 1).toBeLessThanOrEqual(count);
        // Half the step would need more ticks.
        if (step > 1) expect(Math.ceil(max / (step / 2))).toBeGreaterThan(count);
        expect(ticks).toEqual(ticks.map((_, i) => i * step));
      }
    }
  });

  it('survives an empty or odd domain', () => {
    expect(binaryTicks(0).ticks).toEqual([0, 1]);
    expect(binaryTicks(Number.NaN).top).toBe(1);
  });
});

describe('mergeSeries (the page side of per-step samples)', () => {
  it('appends a run of new steps', () => {
    const a = [pt(0), pt(1), pt(2)];
    const out = mergeSeries(a, [pt(3), pt(4)]);
    expect(out.map((p) => p.step)).toEqual([0, 1, 2, 3, 4]);
    expect(a).toHaveLength(3); // not mutated
    expect(mergeSeries(a, [])).toBe(a);
  });

  it('replaces the points of replayed steps and keeps the others', () => {
    const a = [pt(0, 0, 0), pt(1, 0, 0), pt(2, 0, 0), pt(3, 0, 0), pt(4, 0, 0)];
    const out = mergeSeries(a, [pt(2, 8, 1), pt(3, 16, 1)]);
    expect(out.map((p) => [p.step, p.shmem])).toEqual([[0, 0], [1, 0], [2, 1], [3, 1], [4, 0]]);
    expect(out[0]).toBe(a[0]);
    expect(out[4]).toBe(a[4]);
  });

  it('fills gaps and extends past the end in one merge', () => {
    const out = mergeSeries([pt(0), pt(5), pt(9)], [pt(3), pt(5, 1), pt(6), pt(12)]);
    expect(out.map((p) => [p.step, p.pageTables])).toEqual([[0, 0], [3, 0], [5, 1], [6, 0], [9, 0], [12, 0]]);
  });

  it('sorts samples out of order, the last of a step winning', () => {
    const out = mergeSeries([pt(0)], [pt(3, 1), pt(2), pt(3, 2)]);
    expect(out.map((p) => [p.step, p.pageTables])).toEqual([[0, 0], [2, 0], [3, 2]]);
  });

  it('a whole run merged update by update gives one point per step', () => {
    let series: SeriesPoint[] = [];
    const steps = Array.from({ length: 33 }, (_, i) => pt(i, i * 4096));
    for (const batch of [steps.slice(0, 1), steps.slice(1, 7), steps.slice(7, 8), steps.slice(8)]) series = mergeSeries(series, batch);
    expect(series.map((p) => p.step)).toEqual(steps.map((p) => p.step));
    // Back to step 5 and a different future: steps 5.. replaced, none duplicated.
    series = mergeSeries(series, [pt(5, 1), pt(6, 1)]);
    expect(series).toHaveLength(33);
    expect(series[6].pageTables).toBe(1);
    expect(series[7].pageTables).toBe(7 * 4096);
  });
});

describe('step-function points', () => {
  it('keeps the first point, each change and the last', () => {
    const s = [pt(0, 0), pt(1, 0), pt(2, 4096), pt(3, 4096), pt(4, 4096), pt(5, 0), pt(6, 0)];
    expect(changePoints(s, 'pageTables').map((p) => p.step)).toEqual([0, 2, 5, 6]);
    expect(changePoints([pt(0)], 'pageTables')).toHaveLength(1);
    expect(changePoints([], 'pageTables')).toEqual([]);
  });

  it('thins changes closer than a pixel, keeping what each pixel column draws', () => {
    // 3,000 steps on 300 pixels: PageTables up at every step, then down, with noise.
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const full = Array.from({ length: 3001 }, (_, i) => pt(i, Math.round((i < 1500 ? i : 3000 - i) * 4096 + (rnd() < 0.3 ? rnd() * 1e5 : 0))));
    const px = (step: number) => 10 + step / 10;
    const exact = changePoints(full, 'pageTables');
    const thin = changePoints(full, 'pageTables', px);
    expect(thin.length).toBeLessThanOrEqual(4 * 301);
    expect(thin.length).toBeLessThan(exact.length / 2);
    expect(thin[0]).toBe(full[0]);
    expect(thin[thin.length - 1]).toBe(full[full.length - 1]);
    // Per pixel column: the same lowest and highest value, the same value leaving it.
    const columns = (list: SeriesPoint[]) => {
      const m = new Map<number, { lo: number; hi: number; last: number }>();
      for (const p of list) {
        const c = Math.floor(px(p.step));
        const e = m.get(c);
        if (!e) m.set(c, { lo: p.pageTables, hi: p.pageTables, last: p.pageTables });
        else m.set(c, { lo: Math.min(e.lo, p.pageTables), hi: Math.max(e.hi, p.pageTables), last: p.pageTables });
      }
      return m;
    };
    expect(columns(thin)).toEqual(columns(exact));
    for (let i = 1; i < thin.length; i++) expect(thin[i].step).toBeGreaterThan(thin[i - 1].step);
  });

  it('valueAt is the last point at or before the step', () => {
    const s = [pt(0, 1), pt(2, 2), pt(5, 3)];
    expect(valueAt(s, 0)?.pageTables).toBe(1);
    expect(valueAt(s, 1)?.pageTables).toBe(1);
    expect(valueAt(s, 4)?.pageTables).toBe(2);
    expect(valueAt(s, 99)?.pageTables).toBe(3);
    expect(valueAt(s, -1)).toBeUndefined();
  });
});

describe('counterSample (the worker side)', () => {
  it('equals /proc/meminfo after every step of the built-ins', () => {
    for (const id of ['fork-cow', 'mshare-basics-2025', 'mshare-thp', 'database-oom']) {
      const b = BUILTINS.find((x) => x.id === id);
      if (!b) continue;
      const r = createRunner(b.source, `${id}.msh`);
      if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('; '));
      const runner = r.runner;
      let n = 0;
      while (runner.step() && n++ < 400) {
        const mi = meminfo(runner.kernel.m);
        expect(counterSample(runner.kernel, runner.position), `${id} step ${runner.position}`).toEqual({
          step: runner.position, pageTables: mi.PageTables, shmem: mi.Shmem, memFree: mi.MemFree, anon: mi.AnonPages,
        });
      }
    }
  });

  it('fork-cow: PageTables jumps at the fork step, not before', () => {
    const b = BUILTINS.find((x) => x.id === 'fork-cow')!;
    const r = createRunner(b.source, 'fork-cow.msh');
    if (!r.ok) throw new Error('parse');
    const samples = [counterSample(r.runner.kernel, 0)];
    const kinds: string[] = [];
    for (let rec = r.runner.step(); rec; rec = r.runner.step()) {
      samples.push(counterSample(r.runner.kernel, r.runner.position));
      kinds.push(rec.text);
    }
    const fork = kinds.findIndex((t) => /fork as child/.test(t)) + 1; // the position after it
    expect(samples[fork].pageTables - samples[fork - 1].pageTables).toBeGreaterThanOrEqual(12 * K);
    expect(samples[fork - 1].pageTables).toBe(samples[fork - 2].pageTables);
  });
});

describe('placeRowLabels (chapter numbers of the presenter chart)', () => {
  const opts = { pad: 5, gap: 4, maxShift: 20, minX: 0, maxX: 500 };
  it('leaves labels that fit where they are', () => {
    const out = placeRowLabels([{ x: 10, width: 10 }, { x: 100, width: 10 }], opts);
    expect(out).toEqual([{ x0: 15, x1: 25, side: 'right' }, { x0: 105, x1: 115, side: 'right' }]);
  });

  it('moves a label past its neighbour a little, skips it when too far', () => {
    const out = placeRowLabels([{ x: 10, width: 10 }, { x: 12, width: 10 }, { x: 13, width: 10 }, { x: 14, width: 10 }], opts);
    expect(out[0]).toEqual({ x0: 15, x1: 25, side: 'right' });
    expect(out[1]).toEqual({ x0: 29, x1: 39, side: 'right' });
    expect(out[2]).toBeNull(); // would need 30 px of shift
    expect(out[3]).toBeNull();
    const placed = out.filter((p) => p !== null);
    for (let i = 1; i < placed.length; i++) expect(placed[i].x0).toBeGreaterThanOrEqual(placed[i - 1].x1 + opts.gap);
  });

  it('never crosses maxX (the series legend): left of its line, else skipped', () => {
    const out = placeRowLabels([{ x: 490, width: 10 }], opts);
    expect(out).toEqual([{ x0: 475, x1: 485, side: 'left' }]);
    const two = placeRowLabels([{ x: 480, width: 10 }, { x: 492, width: 10 }], opts);
    expect(two[0]).toEqual({ x0: 485, x1: 495, side: 'right' });
    expect(two[1]).toBeNull();
  });

  it('steps around obstacles (a peak label on the row)', () => {
    const out = placeRowLabels([{ x: 100, width: 10 }], { ...opts, obstacles: [{ x0: 100, x1: 110 }] });
    expect(out).toEqual([{ x0: 114, x1: 124, side: 'right' }]);
    const far = placeRowLabels([{ x: 100, width: 10 }], { ...opts, obstacles: [{ x0: 100, x1: 160 }] });
    expect(far).toEqual([{ x0: 85, x1: 95, side: 'left' }]);
  });
});

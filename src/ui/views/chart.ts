/**
 * Counters over the timeline (SVG): PageTables, Shmem, AnonPages (left axis) and MemFree
 * (right axis) after every step the worker ran (one sample per step, src/worker/api.ts
 * Update.samples), drawn as step functions (a value holds from its step to the next change),
 * with the current step marked. Byte axes tick at power-of-two sizes (format.ts binaryTicks).
 */
import { axisBottom, axisLeft, axisRight } from 'd3-axis';
import { scaleLinear } from 'd3-scale';
import { select } from 'd3-selection';
import { curveStepAfter, line } from 'd3-shape';
import type { SeriesPoint } from '../../worker/api';
import { binaryTicks, count, size } from '../format';
import { OKABE } from '../palette';
import { store } from '../store';

const H = 150;
const M = { l: 46, r: 46, t: 10, b: 22 };
/**
 * While a run is in progress the lines are rebuilt at most this often (the rule and the axes
 * every frame, the lines at once when a scale changes). A 3,000-step run's lines hold a few
 * thousand points: rebuilding them on each of its ~7 updates a second cost the page as much
 * as the rest of this view, on the cores the worker runs on. The last update of a run (not
 * running) always redraws them.
 */
const RUNNING_LINES_MS = 400;

export type SeriesKey = 'pageTables' | 'shmem' | 'anon' | 'memFree';

export const SERIES: { key: SeriesKey; name: string; colour: string; right?: boolean }[] = [
  { key: 'pageTables', name: 'PageTables', colour: OKABE.vermillion },
  { key: 'shmem', name: 'Shmem', colour: OKABE.green },
  { key: 'anon', name: 'AnonPages', colour: OKABE.sky },
  { key: 'memFree', name: 'MemFree (right)', colour: OKABE.grey, right: true },
];

/**
 * The points a step function of `key` needs: the first, each one whose value differs from
 * the previous point's, and the last (where the line ends). Drawn with curveStepAfter the
 * path is the same as through every point; a 3,000-step run of which one series changes
 * at a few steps draws a few points.
 *
 * With `px` (the x position of a step), changes closer than a pixel are thinned: of each
 * pixel column it keeps the first point, the lowest, the highest and the last, which draw
 * the same vertical stroke there (1,500 forks on a 300-pixel axis are 5 changes a pixel).
 */
export function changePoints(pts: readonly SeriesPoint[], key: SeriesKey, px?: (step: number) => number): SeriesPoint[] {
  const out: SeriesPoint[] = [];
  for (let i = 0; i < pts.length; i++) {
    if (i === 0 || i === pts.length - 1 || pts[i][key] !== pts[i - 1][key]) out.push(pts[i]);
  }
  if (!px || out.length < 8) return out;
  const thin: SeriesPoint[] = [];
  let i = 0;
  while (i < out.length) {
    const col = Math.floor(px(out[i].step));
    let j = i;
    let lo = i;
    let hi = i;
    while (j + 1 < out.length && Math.floor(px(out[j + 1].step)) === col) {
      j++;
      if (out[j][key] < out[lo][key]) lo = j;
      if (out[j][key] > out[hi][key]) hi = j;
    }
    // In step order, each once: first, lowest and highest (either order), last.
    for (const k of [...new Set([i, lo, hi, j])].sort((a, b) => a - b)) thin.push(out[k]);
    i = j + 1;
  }
  return thin;
}

/**
 * Path data per line, remade only when its points or scales changed: while a long run plays,
 * only the lines that moved are rebuilt (PageTables of 1,500 forks changes every step, Shmem
 * once). `scale` says what else the path depends on (domains, size).
 */
export class PathCache {
  private readonly last = new Map<string, { pts: SeriesPoint[]; scale: string; d: string }>();

  /** Sets `el`'s `d` from `pts` with `make`, unless it already shows them at this scale. */
  apply(el: SVGPathElement, id: string, pts: SeriesPoint[], scale: string, make: (pts: SeriesPoint[]) => string): void {
    const prev = this.last.get(id);
    if (prev && prev.scale === scale && prev.pts.length === pts.length && prev.pts.every((p, i) => p === pts[i]) && el.getAttribute('d') !== null) return;
    const d = make(pts);
    this.last.set(id, { pts, scale, d });
    el.setAttribute('d', d);
  }
}

/** The series' point at `step`: the last at or before it (the value a step function has there). */
export function valueAt(pts: readonly SeriesPoint[], step: number): SeriesPoint | undefined {
  let lo = 0;
  let hi = pts.length - 1;
  let found: SeriesPoint | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (pts[mid].step <= step) {
      found = pts[mid];
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

export interface ChartView {
  draw(): boolean;
  resize(w: number, h: number): void;
  destroy(): void;
}

export function createChart(container: HTMLElement): ChartView {
  const svg = select(container).append('svg').attr('class', 'chart-svg').attr('role', 'img');
  const gx = svg.append('g').attr('class', 'axis');
  const gy = svg.append('g').attr('class', 'axis');
  const gy2 = svg.append('g').attr('class', 'axis');
  const paths = svg.append('g');
  const now = svg.append('line').attr('class', 'chart-now');
  let boxW = 0;
  /** What the lines were last drawn from: stepping through a long run redraws only the rule. */
  let drawnKey: unknown[] = [];
  let linesAt = -Infinity;
  const cache = new PathCache();
  return {
    resize(w) {
      boxW = w;
    },
    draw() {
      const s = store.getState();
      const pts = s.series;
      const W = Math.max(220, boxW);
      svg.attr('width', W).attr('height', H);
      const cur = valueAt(pts, s.position) ?? pts[pts.length - 1];
      svg.attr('aria-label', cur ? `Chart of PageTables (${size(cur.pageTables)} at step ${count(s.position)}), Shmem and MemFree over ${count(s.total)} steps` : 'Chart: no steps yet');
      const x = scaleLinear().domain([0, Math.max(1, s.total)]).range([M.l, W - M.r]);
      let maxL = 4096;
      let maxR = 4096;
      for (const p of pts) {
        maxL = Math.max(maxL, p.pageTables, p.shmem, p.anon);
        maxR = Math.max(maxR, p.memFree);
      }
      const tl = binaryTicks(maxL, 4);
      const tr = binaryTicks(maxR, 4);
      const y = scaleLinear().domain([0, tl.top]).range([H - M.b, M.t]);
      const y2 = scaleLinear().domain([0, tr.top]).range([H - M.b, M.t]);
      gx.attr('transform', `translate(0,${H - M.b})`).call(axisBottom(x).ticks(6).tickSizeOuter(0));
      gy.attr('transform', `translate(${M.l},0)`).call(axisLeft(y).tickValues(tl.ticks).tickFormat((v) => size(Number(v))));
      gy2.attr('transform', `translate(${W - M.r},0)`).call(axisRight(y2).tickValues(tr.ticks).tickFormat((v) => size(Number(v))));
      const key = [pts, s.total, W, tl.top, tr.top];
      const rescaled = key.some((k, i) => i > 0 && k !== drawnKey[i]);
      const due = !s.running || performance.now() - linesAt >= RUNNING_LINES_MS;
      if (rescaled || (key[0] !== drawnKey[0] && due)) {
        drawnKey = key;
        linesAt = performance.now();
        const scale = `${s.total} ${W} ${tl.top} ${tr.top}`;
        paths.selectAll<SVGPathElement, (typeof SERIES)[number]>('path').data(SERIES).join('path')
          .attr('class', 'chart-line')
          .attr('data-series', (d) => d.key)
          .style('stroke', (d) => d.colour)
          .each(function (d) {
            const yd = d.right ? y2 : y;
            cache.apply(this, d.key, changePoints(pts, d.key, x), scale, (list) => line<SeriesPoint>().curve(curveStepAfter).x((p) => x(p.step)).y((p) => yd(p[d.key]))(list) ?? '');
          });
      }
      now.attr('x1', x(s.position)).attr('x2', x(s.position)).attr('y1', M.t).attr('y2', H - M.b);
      return true;
    },
    destroy() {
      svg.remove();
    },
  };
}

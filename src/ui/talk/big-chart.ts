/**
 * The PageTables chart for presenter and embed mode (SVG): the counters over the timeline in
 * type and lines sized for a projector, each series labelled at its right end with its value
 * at the current step, chapter starts as numbered dashed lines, the current step as a
 * vertical rule. The lines are step functions drawn in colour up to the current step; the
 * rest of the timeline (steps the page has seen, ahead of the position after a step back)
 * is a faint grey continuation, so the labels and the coloured line ends always agree.
 * Sizes follow the container (no fixed height), fonts scale with it.
 */
import { axisBottom, axisLeft } from 'd3-axis';
import { scaleLinear } from 'd3-scale';
import { select } from 'd3-selection';
import { curveStepAfter, line } from 'd3-shape';
import type { SeriesPoint } from '../../worker/api';
import { binaryTicks, count, size } from '../format';
import { OKABE } from '../palette';
import { store } from '../store';
import { changePoints, PathCache, valueAt } from '../views/chart';

/** A label to place on one row: its anchor line's x and its width. */
export interface RowLabel {
  x: number;
  width: number;
}

/** A placed label: its left edge and whether it sits right (start) or left (end) of its line. */
export interface Placed {
  x0: number;
  x1: number;
  side: 'right' | 'left';
}

/**
 * Places labels on one row, left to right (sorted by x), so no two overlap and none crosses
 * `maxX` (where the series legend starts) or an obstacle: each goes `pad` right of its line,
 * pushed right past the previous label (by at most `maxShift`), else `pad` left of its line,
 * else it is skipped (null). Chapter numbers of a long talk, where chapters lie a few steps
 * apart on a 3,000-step axis, would otherwise print on top of each other.
 */
export function placeRowLabels(
  labels: readonly RowLabel[],
  opts: { pad: number; gap: number; maxShift: number; minX: number; maxX: number; obstacles?: readonly { x0: number; x1: number }[] },
): (Placed | null)[] {
  const out: (Placed | null)[] = [];
  let end = opts.minX - opts.gap;
  const clear = (x0: number, x1: number) => x0 >= end + opts.gap && x1 <= opts.maxX && !(opts.obstacles ?? []).some((o) => x0 < o.x1 + opts.gap && x1 > o.x0 - opts.gap);
  for (const l of labels) {
    let placed: Placed | null = null;
    // Right of the line, pushed past the previous label and any obstacle in the way.
    let x0 = Math.max(l.x + opts.pad, end + opts.gap);
    for (const o of [...(opts.obstacles ?? [])].sort((a, b) => a.x0 - b.x0)) {
      if (x0 < o.x1 + opts.gap && x0 + l.width > o.x0 - opts.gap) x0 = o.x1 + opts.gap;
    }
    if (x0 - (l.x + opts.pad) <= opts.maxShift && clear(x0, x0 + l.width)) placed = { x0, x1: x0 + l.width, side: 'right' };
    else {
      const x1 = l.x - opts.pad;
      if (clear(x1 - l.width, x1)) placed = { x0: x1 - l.width, x1, side: 'left' };
    }
    if (placed) end = placed.x1;
    out.push(placed);
  }
  return out;
}

/**
 * Where a label centred at `cx` goes so no vertical line crosses it: where it is, else the
 * nearest spot just left or right of a line in its way (clear of every line, inside
 * [minX, maxX]); where it is when there is no such spot. A PageTables peak sits where the next
 * chapter starts, and its chapter line ran through the "205M" over it.
 */
export function clearOfLines(cx: number, width: number, lines: readonly number[], opts: { gap: number; minX: number; maxX: number }): number {
  const half = width / 2;
  const clear = (c: number) => c - half >= opts.minX && c + half <= opts.maxX && lines.every((l) => l <= c - half - opts.gap || l >= c + half + opts.gap);
  if (lines.every((l) => l <= cx - half - opts.gap || l >= cx + half + opts.gap)) return cx;
  let best = cx;
  let bestDist = Infinity;
  for (const l of lines) {
    for (const c of [l - opts.gap - half, l + opts.gap + half]) {
      if (clear(c) && Math.abs(c - cx) < bestDist) {
        best = c;
        bestDist = Math.abs(c - cx);
      }
    }
  }
  return best;
}

const SERIES: { key: 'pageTables' | 'shmem' | 'anon'; name: string; colour: string; width: number }[] = [
  { key: 'shmem', name: 'Shmem', colour: OKABE.green, width: 0.55 },
  { key: 'anon', name: 'AnonPages', colour: OKABE.sky, width: 0.55 },
  { key: 'pageTables', name: 'PageTables', colour: OKABE.vermillion, width: 1 },
];

/** The width of `text` in the chart's bold sans-serif at `font` px (digits and units ~0.62 em). */
function textWidth(text: string, font: number): number {
  return text.length * font * 0.62;
}

/**
 * The least height (CSS px) the chart is laid out at: its type is then 12.5 px and no text
 * smaller than 10 px. Below it the drawing is scaled down whole (the host's viewBox). The
 * layout gives the chart's pane at least this much (TalkScreen.tsx rowTemplate).
 */
export const CHART_MIN_HEIGHT = 150;
/** The chart's type (px); the smallest text, the chapter numbers, is 0.8 of it. */
const MIN_FONT = 12.5;

export interface BigChartView {
  draw(): boolean;
  resize(w: number, h: number): void;
  destroy(): void;
}

export function createBigChart(container: HTMLElement): BigChartView {
  const svg = select(container).append('svg').attr('class', 'talk-chart').attr('role', 'img');
  const chaptersG = svg.append('g').attr('class', 'tc-chapters');
  const gx = svg.append('g').attr('class', 'tc-axis');
  const gy = svg.append('g').attr('class', 'tc-axis');
  const aheadG = svg.append('g');
  const paths = svg.append('g');
  const labels = svg.append('g');
  const peakG = svg.append('g');
  const now = svg.append('line').attr('class', 'tc-now');
  const yTitle = svg.append('text').attr('class', 'tc-title');
  let box = { w: 0, h: 0 };
  const cache = new PathCache();
  return {
    resize(w, h) {
      box = { w, h };
    },
    draw() {
      const s = store.getState();
      const W = Math.max(320, box.w);
      const H = Math.max(CHART_MIN_HEIGHT, box.h);
      // Type scales with the chart: about 24px on a 1888x360 pane (stacked on a 1080p projector).
      const f = Math.max(MIN_FONT, Math.min(30, W / 44, H / 13));
      const M = { l: f * 4.4, r: f * 8.4, t: f * 2.6, b: f * 2.4 };
      svg.attr('width', W).attr('height', H).attr('viewBox', `0 0 ${W} ${H}`);
      const pts = s.series;
      // Up to the current step in colour, from it on in grey (both hold the position's point).
      const split = pts.findIndex((p) => p.step > s.position);
      const past = split < 0 ? pts : pts.slice(0, split);
      const ahead = split < 0 ? [] : pts.slice(Math.max(0, split - 1));
      const shown = SERIES.filter((d) => d.key === 'pageTables' || pts.some((p) => p[d.key] > 0));
      // The values at the current step: the labels say what the coloured lines end at.
      const last = valueAt(pts, s.position);
      svg.attr('aria-label', last ? `PageTables ${size(last.pageTables)} at step ${count(s.position)} of ${count(s.total)}` : 'PageTables chart: no steps yet');
      const x = scaleLinear().domain([0, Math.max(1, s.total)]).range([M.l, W - M.r]);
      // The scale covers the whole timeline seen (ahead too): stepping does not rescale it.
      let maxY = 4096;
      for (const p of pts) for (const d of shown) maxY = Math.max(maxY, p[d.key]);
      // Binary-friendly ticks (0, 64M, 128M, 192M rather than 47.7M, 95.4M).
      const { top, ticks: yTicks } = binaryTicks(maxY, 4);
      const y = scaleLinear().domain([0, top]).range([H - M.b, M.t]);
      gx.attr('transform', `translate(0,${H - M.b})`).call(axisBottom(x).ticks(Math.max(2, Math.floor(W / (f * 9)))).tickSizeOuter(0).tickFormat((v) => Number(v).toLocaleString('en-US')));
      gy.attr('transform', `translate(${M.l},0)`).call(axisLeft(y).tickValues(yTicks).tickFormat((v) => size(Number(v))));
      svg.selectAll('.tc-axis text').attr('font-size', f * 0.85);
      const title = `bytes · steps 0–${s.total.toLocaleString('en-US')}`;
      const titleBase = f * 1.1;
      yTitle.attr('x', M.l).attr('y', titleBase).attr('font-size', f).text(title);
      const lineW = Math.max(3, f / 4);
      // Each line's path is rebuilt only when its points or the scales changed (PathCache).
      const scale = `${W} ${H} ${s.total} ${top} ${f}`;
      const stepLine = (el: SVGPathElement, id: string, d: (typeof shown)[number], list: SeriesPoint[]) =>
        cache.apply(el, id, changePoints(list, d.key, x), scale, (l) => line<SeriesPoint>().curve(curveStepAfter).x((p) => x(p.step)).y((p) => y(p[d.key]))(l) ?? '');
      // The rest of the timeline, faint and grey, under the coloured lines.
      aheadG.selectAll<SVGPathElement, (typeof shown)[number]>('path').data(ahead.length > 1 ? shown : [], (d) => d.key).join('path')
        .attr('class', (d) => `tc-ahead tc-ahead-${d.key}`)
        .attr('fill', 'none')
        .attr('stroke', OKABE.grey)
        .attr('stroke-opacity', 0.45)
        .attr('stroke-width', (d) => Math.max(1.5, lineW * d.width * 0.5))
        .attr('stroke-dasharray', `${f * 0.3} ${f * 0.3}`)
        .each(function (d) {
          stepLine(this, `ahead-${d.key}`, d, ahead);
        });
      paths.selectAll<SVGPathElement, (typeof shown)[number]>('path').data(shown, (d) => d.key).join('path')
        .attr('class', (d) => `tc-line tc-${d.key}`)
        .attr('fill', 'none')
        .attr('stroke', (d) => d.colour)
        .attr('stroke-width', (d) => lineW * d.width)
        .attr('stroke-linejoin', 'round')
        .each(function (d) {
          stepLine(this, d.key, d, past);
        });
      // Labels at the right: name and the value at the current step; spread so they never overlap.
      const ys = shown.map((d) => ({ d, v: last ? last[d.key] : 0, y: last ? y(last[d.key]) : H - M.b }));
      // From the bottom up: the lowest label stays above the x axis, each next one above it.
      ys.sort((a, b) => b.y - a.y);
      for (let i = 0; i < ys.length; i++) ys[i].y = Math.min(ys[i].y, i === 0 ? H - M.b - f * 1.3 : ys[i - 1].y - f * 2.3);
      const lab = labels.selectAll<SVGGElement, (typeof ys)[number]>('g').data(ys, (d) => d.d.key).join((e) => {
        const g = e.append('g');
        g.append('text').attr('class', 'tc-name');
        g.append('text').attr('class', 'tc-value');
        return g;
      });
      lab.attr('transform', (d) => `translate(${W - M.r + f * 0.6},${d.y})`);
      lab.select('.tc-name').attr('y', -f * 0.15).attr('font-size', f * 0.85).attr('fill', (d) => d.d.colour).text((d) => d.d.name);
      lab.select('.tc-value').attr('y', f * 1.0).attr('font-size', f * 1.15).text((d) => size(d.v));
      // The peak of each hump of PageTables (a stretch between returns to near zero) up to the
      // current step, labelled: the three acts of the database talk read 205M, 12M, 6M side by side.
      const peaks: SeriesPoint[] = [];
      let best: SeriesPoint | null = null;
      const floor = maxY * 0.01;
      for (const p of past) {
        if (p.pageTables <= floor) {
          if (best) peaks.push(best);
          best = null;
        } else if (!best || p.pageTables > best.pageTables) best = p;
      }
      if (best) peaks.push(best);
      // Centred over the peak, kept inside the plot (clear of the labels at the right) and
      // beside, not under, a chapter line or the current-step line through it (stopped at a
      // peak, the step line ran through "11.7M").
      const peakW = (p: SeriesPoint) => textWidth(size(p.pageTables), f);
      const lineXs = [...s.chapters.map((c) => x(c.index)), x(s.position)];
      const peakX = (p: SeriesPoint) => {
        const w = peakW(p);
        const cx = Math.max(M.l + w / 2, Math.min(W - M.r - w / 2, x(p.step)));
        return clearOfLines(cx, w, lineXs, { gap: f * 0.3, minX: M.l, maxX: W - M.r });
      };
      const shownPeaks = peaks.length > 1 ? peaks : [];
      peakG.selectAll<SVGTextElement, SeriesPoint>('text').data(shownPeaks, (p) => String(p.step)).join('text')
        .attr('class', 'tc-peak')
        .attr('x', peakX)
        .attr('y', (p) => y(p.pageTables) - f * 0.5)
        .attr('text-anchor', 'middle')
        .attr('font-size', f)
        .attr('fill', OKABE.vermillion)
        .text((p) => size(p.pageTables));
      // Chapter starts: dashed lines, numbered on the row above the plot. Numbers that would
      // overlap one another, a peak label on that row or the series labels at the right are
      // moved aside or left out (the line stays).
      const rowBase = M.t - f * 0.45;
      const rowFont = f * 0.8;
      const onRow = (baseline: number, font: number) => baseline - font * 0.8 < rowBase + rowFont * 0.25 && baseline + font * 0.25 > rowBase - rowFont * 0.8;
      const obstacles = shownPeaks.filter((p) => onRow(y(p.pageTables) - f * 0.5, f)).map((p) => ({ x0: peakX(p) - peakW(p) / 2, x1: peakX(p) + peakW(p) / 2 }));
      if (onRow(titleBase, f)) obstacles.push({ x0: M.l, x1: M.l + textWidth(title, f) });
      const numbers = s.chapters.map((c, i) => ({ c, label: String(i + 1) }));
      const places = placeRowLabels(numbers.map((n) => ({ x: x(n.c.index), width: textWidth(n.label, rowFont) })), {
        pad: f * 0.3, gap: f * 0.35, maxShift: f * 1.6, minX: 0, maxX: W - M.r + f * 0.3, obstacles,
      });
      const ch = chaptersG.selectAll<SVGGElement, (typeof numbers)[number]>('g').data(numbers, (n) => String(n.c.index)).join((e) => {
        const g = e.append('g');
        g.append('line');
        g.append('text');
        return g;
      });
      ch.attr('transform', (n) => `translate(${x(n.c.index)},0)`);
      ch.select('line').attr('y1', M.t - f * 0.4).attr('y2', H - M.b).attr('stroke-width', Math.max(1.5, f / 10));
      ch.select<SVGTextElement>('text')
        .attr('x', (n, i) => (places[i] ? places[i].x0 - x(n.c.index) : 0))
        .attr('y', rowBase)
        .attr('font-size', rowFont)
        .attr('display', (_n, i) => (places[i] ? null : 'none'))
        .text((n) => n.label);
      now.attr('x1', x(s.position)).attr('x2', x(s.position)).attr('y1', M.t).attr('y2', H - M.b).attr('stroke-width', Math.max(2, f / 8));
      return true;
    },
    destroy() {
      svg.remove();
    },
  };
}

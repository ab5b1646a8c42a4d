/**
 * The PageTables chart for presenter and embed mode (SVG): the counters over the timeline in
 * type and lines sized for a projector, each series labelled at its right end with its value
 * now, chapter starts as numbered dashed lines, the current step as a vertical rule.
 * Sizes follow the container (no fixed height), fonts scale with it.
 */
import { axisBottom, axisLeft } from 'd3-axis';
import { scaleLinear } from 'd3-scale';
import { select } from 'd3-selection';
import { line } from 'd3-shape';
import type { SeriesPoint } from '../../worker/api';
import { size } from '../format';
import { OKABE } from '../palette';
import { store } from '../store';

const SERIES: { key: 'pageTables' | 'shmem' | 'anon'; name: string; colour: string; width: number }[] = [
  { key: 'shmem', name: 'Shmem', colour: OKABE.green, width: 0.55 },
  { key: 'anon', name: 'AnonPages', colour: OKABE.sky, width: 0.55 },
  { key: 'pageTables', name: 'PageTables', colour: OKABE.vermillion, width: 1 },
];

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
  const paths = svg.append('g');
  const labels = svg.append('g');
  const peakG = svg.append('g');
  const now = svg.append('line').attr('class', 'tc-now');
  const yTitle = svg.append('text').attr('class', 'tc-title');
  let box = { w: 0, h: 0 };
  return {
    resize(w, h) {
      box = { w, h };
    },
    draw() {
      const s = store.getState();
      const W = Math.max(320, box.w);
      const H = Math.max(240, box.h);
      // Type scales with the chart: about 24px on a 1888x360 pane (stacked on a 1080p projector).
      const f = Math.max(12, Math.min(30, W / 44, H / 13));
      const M = { l: f * 4.4, r: f * 8.4, t: f * 2.6, b: f * 2.4 };
      svg.attr('width', W).attr('height', H).attr('viewBox', `0 0 ${W} ${H}`);
      const pts = s.series;
      const shown = SERIES.filter((d) => d.key === 'pageTables' || pts.some((p) => p[d.key] > 0));
      const last = [...pts].reverse().find((p) => p.step <= s.position) ?? pts[pts.length - 1];
      svg.attr('aria-label', last ? `PageTables ${size(last.pageTables)} at step ${s.position} of ${s.total}` : 'PageTables chart: no steps yet');
      const x = scaleLinear().domain([0, Math.max(1, s.total)]).range([M.l, W - M.r]);
      const maxY = Math.max(4096, ...pts.map((p) => Math.max(...shown.map((d) => p[d.key]))));
      // Binary-friendly ticks (0, 64M, 128M, 192M rather than 47.7M, 95.4M).
      const step = 2 ** Math.ceil(Math.log2(maxY / 4));
      const top = Math.ceil(maxY / step) * step;
      const y = scaleLinear().domain([0, top]).range([H - M.b, M.t]);
      const yTicks = Array.from({ length: Math.round(top / step) + 1 }, (_, i) => i * step);
      gx.attr('transform', `translate(0,${H - M.b})`).call(axisBottom(x).ticks(Math.max(2, Math.floor(W / (f * 9)))).tickSizeOuter(0).tickFormat((v) => Number(v).toLocaleString('en-US')));
      gy.attr('transform', `translate(${M.l},0)`).call(axisLeft(y).tickValues(yTicks).tickFormat((v) => size(Number(v))));
      svg.selectAll('.tc-axis text').attr('font-size', f * 0.85);
      yTitle.attr('x', M.l).attr('y', f * 1.3).attr('font-size', f).text(`bytes · steps 0–${s.total.toLocaleString('en-US')}`);
      // Chapter starts.
      const ch = chaptersG.selectAll<SVGGElement, (typeof s.chapters)[number]>('g').data(s.chapters, (c) => String(c.index)).join((e) => {
        const g = e.append('g');
        g.append('line');
        g.append('text');
        return g;
      });
      ch.attr('transform', (c) => `translate(${x(c.index)},0)`);
      ch.select('line').attr('y1', M.t - f * 0.4).attr('y2', H - M.b).attr('stroke-width', Math.max(1.5, f / 10));
      ch.select('text').attr('x', f * 0.3).attr('y', M.t - f * 0.6).attr('font-size', f * 0.8).text((_c, i) => String(i + 1));
      const lineW = Math.max(3, f / 4);
      paths.selectAll<SVGPathElement, (typeof shown)[number]>('path').data(shown, (d) => d.key).join('path')
        .attr('class', (d) => `tc-line tc-${d.key}`)
        .attr('fill', 'none')
        .attr('stroke', (d) => d.colour)
        .attr('stroke-width', (d) => lineW * d.width)
        .attr('stroke-linejoin', 'round')
        .attr('d', (d) => line<SeriesPoint>().x((p) => x(p.step)).y((p) => y(p[d.key]))(pts) ?? '');
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
      // The peak of each hump of PageTables (a stretch between returns to near zero), labelled:
      // the three acts of the database talk read 205M, 12M, 6M side by side.
      const peaks: SeriesPoint[] = [];
      let best: SeriesPoint | null = null;
      const floor = maxY * 0.01;
      for (const p of pts) {
        if (p.pageTables <= floor) {
          if (best) peaks.push(best);
          best = null;
        } else if (!best || p.pageTables > best.pageTables) best = p;
      }
      if (best) peaks.push(best);
      peakG.selectAll<SVGTextElement, SeriesPoint>('text').data(peaks.length > 1 ? peaks : [], (p) => String(p.step)).join('text')
        .attr('class', 'tc-peak')
        .attr('x', (p) => x(p.step))
        .attr('y', (p) => y(p.pageTables) - f * 0.5)
        .attr('text-anchor', 'middle')
        .attr('font-size', f)
        .attr('fill', OKABE.vermillion)
        .text((p) => size(p.pageTables));
      now.attr('x1', x(s.position)).attr('x2', x(s.position)).attr('y1', M.t).attr('y2', H - M.b).attr('stroke-width', Math.max(2, f / 8));
      return true;
    },
    destroy() {
      svg.remove();
    },
  };
}

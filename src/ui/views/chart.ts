/**
 * Counters over the timeline (SVG): PageTables, Shmem, AnonPages (left axis) and MemFree
 * (right axis) at each step the worker published, with the current step marked.
 */
import { axisBottom, axisLeft, axisRight } from 'd3-axis';
import { scaleLinear } from 'd3-scale';
import { select } from 'd3-selection';
import { line } from 'd3-shape';
import type { SeriesPoint } from '../../worker/api';
import { size } from '../format';
import { OKABE } from '../palette';
import { store } from '../store';

const H = 150;
const M = { l: 46, r: 46, t: 10, b: 22 };

export const SERIES: { key: keyof SeriesPoint; name: string; colour: string; right?: boolean }[] = [
  { key: 'pageTables', name: 'PageTables', colour: OKABE.vermillion },
  { key: 'shmem', name: 'Shmem', colour: OKABE.green },
  { key: 'anon', name: 'AnonPages', colour: OKABE.sky },
  { key: 'memFree', name: 'MemFree (right)', colour: OKABE.grey, right: true },
];

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
  return {
    resize(w) {
      boxW = w;
    },
    draw() {
      const s = store.getState();
      const pts = s.series;
      const W = Math.max(220, boxW);
      svg.attr('width', W).attr('height', H);
      const last = pts[pts.length - 1];
      svg.attr('aria-label', last ? `Chart of PageTables (${size(last.pageTables)} now), Shmem and MemFree over ${s.total} steps` : 'Chart: no steps yet');
      const x = scaleLinear().domain([0, Math.max(1, s.total)]).range([M.l, W - M.r]);
      const maxL = Math.max(4096, ...pts.map((p) => Math.max(p.pageTables, p.shmem, p.anon)));
      const y = scaleLinear().domain([0, maxL]).nice().range([H - M.b, M.t]);
      const y2 = scaleLinear().domain([0, Math.max(4096, ...pts.map((p) => p.memFree))]).nice().range([H - M.b, M.t]);
      gx.attr('transform', `translate(0,${H - M.b})`).call(axisBottom(x).ticks(6).tickSizeOuter(0));
      gy.attr('transform', `translate(${M.l},0)`).call(axisLeft(y).ticks(4).tickFormat((v) => size(Number(v))));
      gy2.attr('transform', `translate(${W - M.r},0)`).call(axisRight(y2).ticks(4).tickFormat((v) => size(Number(v))));
      paths.selectAll('path').data(SERIES).join('path')
        .attr('class', 'chart-line')
        .style('stroke', (d) => d.colour)
        .attr('d', (d) => line<SeriesPoint>().x((p) => x(p.step)).y((p) => (d.right ? y2 : y)(p[d.key] as number))(pts) ?? '');
      now.attr('x1', x(s.position)).attr('x2', x(s.position)).attr('y1', M.t).attr('y2', H - M.b);
      return true;
    },
    destroy() {
      svg.remove();
    },
  };
}

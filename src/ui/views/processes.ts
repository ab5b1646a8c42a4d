/**
 * Processes and mm_structs (SVG): the graph of proc-model.ts with pan/zoom; clicking a
 * process selects it (and its mm) everywhere.
 */
import { select } from 'd3-selection';
import { store, select as selectUi } from '../store';
import { buildProcGraph, edgePath, estimateText, PAD_X, type Measure, type ProcEdge, type ProcNode } from './proc-model';
import { panZoom } from './zoom';
import { FIT_PAD, fitFloor } from './fit';
import { pressesButton } from './press-key';

const SVG_NS = 'http://www.w3.org/2000/svg';
/**
 * Small graphs are drawn up to 1.2x (at 1.5x two processes came out twice the size of a
 * crowded graph's, and larger than the tree beside them); large ones never below readable
 * (fit.ts) in the desk layout, whole in presenter and embed mode (fit.ts WHOLE_MIN_SCALE).
 */
const FIT = { maxScale: 1.2, minScale: 0.5 };
/**
 * Presenter and embed mode's largest scale (in the pane's zoomed pixels): box titles (12 px)
 * come out no larger than the pane headings (26 px at 1080p, zoom 2), so two boxes are not
 * drawn gigantic.
 */
export const PRESENTER_MAX_SCALE = 1.1;

/**
 * Text widths in the fonts the boxes are drawn in (main.css: .proc-node .title, .lines text),
 * from a canvas: no layout is read. Falls back to the model's estimate without a canvas.
 */
function canvasMeasure(): Measure {
  const ctx = document.createElement('canvas').getContext('2d');
  if (!ctx) return estimateText;
  const root = getComputedStyle(document.documentElement);
  const sans = root.fontFamily || 'sans-serif';
  const mono = root.getPropertyValue('--mono').trim() || 'monospace';
  const fonts = { title: `600 12px ${sans}`, line: `10.5px ${mono}` };
  const cache = new Map<string, number>();
  return (text, kind) => {
    const key = kind + '\u0000' + text;
    let w = cache.get(key);
    if (w === undefined) {
      ctx.font = fonts[kind];
      // Never less than the estimate's mono width: a fallback font may be wider than the canvas guessed.
      w = Math.max(ctx.measureText(text).width, kind === 'line' ? estimateText(text, kind) * 0.95 : 0);
      if (cache.size > 5000) cache.clear();
      cache.set(key, w);
    }
    return w;
  };
}

/**
 * A box's accessible name: what it is, its title and every line drawn in it ("process db0 pid 1,
 * mm 1, PTE 0, RSS 0, 1 mshare VMA"), so a screen reader hears what a sighted user reads.
 */
export function nodeLabel(n: Pick<ProcNode, 'kind' | 'title' | 'lines'>): string {
  const text = [n.title, ...n.lines].map((t) => t.replace(/\s+·\s+/g, ', ').replace(/\s+/g, ' ').trim()).filter(Boolean);
  return `${n.kind === 'host' ? 'mshare host' : 'process'} ${text.join(', ')}`;
}

export interface ProcessesView {
  draw(): boolean;
  resize(w: number, h: number): void;
  fit(): void;
  destroy(): void;
}

/**
 * `whole`: fit the whole graph however small, up to PRESENTER_MAX_SCALE (presenter and embed
 * mode: nobody scrolls a slide). `onContent`: told the drawing's size whenever it changes
 * (presenter mode sizes the pane to it).
 */
export function createProcesses(container: HTMLElement, opts: { whole?: boolean; onContent?: (w: number, h: number) => void } = {}): ProcessesView {
  const fit = { ...FIT, whole: !!opts.whole, ...(opts.whole ? { maxScale: PRESENTER_MAX_SCALE } : {}) };
  let content = '';
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('class', 'proc-svg');
  svg.setAttribute('role', 'img');
  const viewport = document.createElementNS(SVG_NS, 'g');
  svg.append(viewport);
  container.append(svg);
  const defs = select(svg).insert('defs', ':first-child');
  for (const kind of ['fork', 'mshare']) {
    defs.append('marker').attr('id', `arrow-${kind}`).attr('viewBox', '0 0 8 8').attr('refX', 7).attr('refY', 4)
      .attr('markerWidth', 7).attr('markerHeight', 7).attr('orient', 'auto')
      .append('path').attr('d', 'M0,0 L8,4 L0,8 z').attr('class', `arrow-${kind}`);
  }
  const root = select(viewport);
  const edgesG = root.append('g');
  const labelsG = root.append('g');
  const nodesG = root.append('g');
  const pz = panZoom(svg, viewport, [0.02, 3]);
  let lastCount = -1;
  let sized = false;
  /** Set when the next draw should fit the graph: first size, new boxes, a resize nobody zoomed through. */
  let refit = true;
  let measure: Measure | null = null;
  /** The panel's size, for the width the graph wraps at. */
  let size: { w: number; h: number } | null = null;

  const activate = (d: ProcNode) => {
    if (d.kind === 'host') selectUi({ mm: d.mms[0] });
    else selectUi({ pid: d.pids[0], mm: d.mms[0], vma: null, addr: null });
  };

  const view: ProcessesView = {
    draw() {
      const s = store.getState();
      const snap = s.snapshot;
      if (!snap) return true;
      measure ??= canvasMeasure();
      // Trees without mshare wrap below the hosts rather than run past what fits readably.
      const g = buildProcGraph(snap, measure, fit.whole || !size ? Infinity : (size.w - 2 * FIT_PAD) / fitFloor(fit));
      const byId = new Map(g.nodes.map((n) => [n.id, n]));
      svg.setAttribute('aria-label', `Processes and mm_structs: ${snap.tasks.filter((t) => t.state === 'running').length} running tasks, ${snap.mms.length} mm_structs, ${snap.regions.length} mshare regions`);
      const path = (e: ProcEdge) => (byId.get(e.from) && byId.get(e.to) ? edgePath(e) : '');
      edgesG.selectAll<SVGPathElement, ProcEdge>('path').data(g.edges, (e) => e.id).join('path')
        .attr('class', (e) => `proc-edge ${e.kind}`)
        .attr('data-edge', (e) => e.id)
        .attr('marker-end', (e) => `url(#arrow-${e.kind})`)
        .attr('d', path);
      labelsG.selectAll<SVGTextElement, ProcEdge>('text').data(g.edges.filter((e) => e.label), (e) => e.id).join('text')
        .attr('class', 'proc-edge-label')
        .attr('data-edge', (e) => e.id)
        .attr('x', (e) => e.lx ?? e.x1)
        .attr('y', (e) => e.ly ?? e.y1)
        .attr('dominant-baseline', 'central')
        .attr('text-anchor', (e) => e.la ?? 'start')
        .text((e) => e.label!);
      const sel = s.selection;
      const ng = nodesG.selectAll<SVGGElement, ProcNode>('g.proc-node').data(g.nodes, (n) => n.id)
        .join((enter) => {
          const e = enter.append('g').attr('tabindex', 0).attr('role', 'button');
          e.append('rect').attr('class', 'box').attr('rx', 5);
          e.append('text').attr('class', 'title').attr('x', PAD_X).attr('y', 15);
          e.append('g').attr('class', 'lines');
          return e;
        });
      const selected = (n: ProcNode) => (sel.mm !== null && n.mms.includes(sel.mm)) || (sel.pid !== null && n.pids.includes(sel.pid));
      ng.attr('class', (n) => `proc-node ${n.kind}${selected(n) ? ' selected' : ''}${s.compare !== null && n.pids.includes(s.compare) ? ' compared' : ''}`)
        .attr('transform', (n) => `translate(${n.x},${n.y})`)
        .attr('aria-label', nodeLabel)
        .attr('aria-pressed', (n) => String(selected(n)))
        .attr('data-testid', (n) => `proc-${n.kind}`)
        .on('click', (ev: MouseEvent, n) => {
          if (ev.shiftKey && n.kind !== 'host') store.setState({ compare: n.pids[0] });
          else activate(n);
        })
        .on('keydown', (ev: KeyboardEvent, n) => {
          // A role=button: Enter and Space press it (Space would otherwise scroll the page).
          if (pressesButton(ev)) {
            ev.preventDefault();
            activate(n);
          }
        });
      ng.select('rect.box').attr('width', (n) => n.w).attr('height', (n) => n.h);
      ng.select('text.title').text((n) => n.title);
      ng.select('g.lines').selectAll('text').data((n) => n.lines).join('text')
        .attr('x', PAD_X).attr('y', (_l, i) => 29 + i * 13).text((l) => l);
      pz.setContent(g.width, g.height);
      if (opts.onContent && content !== `${g.width}x${g.height}`) {
        content = `${g.width}x${g.height}`;
        opts.onContent(g.width, g.height);
      }
      if (sized && (g.nodes.length !== lastCount || refit)) {
        lastCount = g.nodes.length;
        refit = false;
        pz.fit(fit);
      }
      return true;
    },
    fit() {
      pz.fit(fit);
    },
    resize(w: number, h: number) {
      sized = w > 0 && h > 0;
      const rewrap = sized && size?.w !== w;
      size = sized ? { w, h } : null;
      // A new size refits the graph unless the user zoomed or panned it (then it is theirs).
      if (pz.setSize(w, h) && sized && !pz.userMoved()) refit = true;
      // Another width may wrap the trees differently: lay them out again.
      if (rewrap) view.draw();
    },
    destroy() {
      pz.destroy();
      svg.remove();
    },
  };
  return view;
}

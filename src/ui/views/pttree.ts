/**
 * The page-table tree view (SVG): the DAG of pt-model.ts laid out by pt-layout.ts, with
 * pan/zoom, collapse/expand per table, and selection of tables and entries.
 */
import { select, type Selection } from 'd3-selection';
import type { ModelSnapshot } from '../../engine/abi';
import { readConsistent } from '../engine-client';
import { hex } from '../format';
import { FRAME_USE_COLOURS } from '../palette';
import { FRAME_USE_NAMES } from '../../engine/abi';
import { select as selectUi, store } from '../store';
import { hugetlbPmdSharerMms } from './pmd-sharers';
import { buildPtModel, type PtRoot, type PtRow } from './pt-model';
import { BADGE_ABOVE, BADGE_H, FRAME_H, FRAME_W, HEADER_H, layoutPt, layoutPtStacked, ROW_H, stackable, type PlacedFrames, type PlacedNode, type PtLayout } from './pt-layout';
import { fitFloor, preferSecond, type Size } from './fit';
import { BADGE_RIGHT, badgeText, badgeTitle, badgeWidth, leafTitle, ROW_LEFT_X, ROW_RIGHT_PAD, rowText, subText, TITLE_X, titleText } from './pt-text';
import { panZoom } from './zoom';
import { pressesButton } from './press-key';

const SVG_NS = 'http://www.w3.org/2000/svg';
/** At most 1:1; never below readable (fit.ts) in the desk layout; in presenter and embed mode the whole tree (fit.ts WHOLE_MIN_SCALE). */
const FIT = { maxScale: 1, minScale: 0.55 };

export interface PtTreeView {
  draw(): boolean;
  resize(w: number, h: number): void;
  fit(): void;
  zoomBy(k: number): void;
  destroy(): void;
}

export function treeRoots(snap: ModelSnapshot, pids: (number | null)[]): PtRoot[] {
  const roots: PtRoot[] = [];
  for (const pid of pids) {
    const t = snap.tasks.find((x) => x.pid === pid);
    const mm = t && snap.mms.find((m) => m.id === t.mm);
    if (!mm || roots.some((r) => r.mm === mm.id)) continue;
    const names = mm.tasks.map((p) => snap.tasks.find((x) => x.pid === p)?.name ?? String(p));
    roots.push({ label: names.length > 3 ? `${names.slice(0, 3).join(', ')} +${names.length - 3}` : names.join(', '), mm: mm.id, pgd: mm.pgd });
  }
  return roots;
}

/** Why the tree is empty: no process runs at this step, or none of the running ones is chosen. */
export type PtEmptyReason = 'none-running' | 'none-selected';

/** At most this scale (FIT.maxScale): presenter mode sizes the tree's pane by it. */
export const TREE_MAX_SCALE = FIT.maxScale;

/**
 * `whole`: fit the whole tree however small (presenter and embed mode: nobody scrolls a slide).
 * `onContent`: told the drawing's size when it changes (presenter mode sizes the pane to it).
 */
export function createPtTree(container: HTMLElement, onEmpty: (msg: string | null, reason?: PtEmptyReason) => void, opts: { whole?: boolean; onContent?: (w: number, h: number) => void } = {}): PtTreeView {
  const fit = { ...FIT, whole: !!opts.whole };
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('class', 'pt-svg');
  svg.setAttribute('role', 'img');
  const viewport = document.createElementNS(SVG_NS, 'g');
  svg.append(viewport);
  container.append(svg);
  const root = select(viewport);
  const edgesG = root.append('g').attr('class', 'pt-edges');
  const nodesG = root.append('g').attr('class', 'pt-nodes');
  const framesG = root.append('g').attr('class', 'pt-frames');
  const pz = panZoom(svg, viewport);
  const collapsed = new Set<number>();
  let lastKey = '';
  let sized = false;
  let viewSize: Size = { w: 0, h: 0 };
  /** Set when the next draw should fit the tree: first size, a resize nobody zoomed through. */
  let refit = true;
  let layout: PtLayout | null = null;
  /** The drawing's size at the last fit: in `whole` mode a tree that grew or shrank is fitted again. */
  let fitted = '';

  function toggle(pfn: number): void {
    if (collapsed.has(pfn)) collapsed.delete(pfn);
    else collapsed.add(pfn);
    view.draw();
  }

  function drawNodes(l: PtLayout, sel: ReturnType<typeof store.getState>['selection'], fresh: Set<number>): void {
    const g = nodesG
      .selectAll<SVGGElement, PlacedNode>('g.pt-node')
      .data(l.nodes, (d) => String(d.node.pfn))
      .join((enter) => {
        const e = enter.append('g').attr('data-testid', 'pt-node');
        e.append('rect').attr('class', 'pt-box');
        e.append('rect').attr('class', 'pt-head');
        e.append('text').attr('class', 'pt-title').attr('x', TITLE_X).attr('y', 14);
        e.append('text').attr('class', 'pt-sub').attr('x', TITLE_X).attr('y', 27);
        const badge = e.append('g').attr('class', 'pt-badge');
        badge.append('rect').attr('height', 15).attr('rx', 3);
        badge.append('text').attr('y', 11);
        badge.append('title');
        // A control, not part of the drawing: exports leave it out (export/svg-inline.ts).
        e.append('text').attr('class', 'pt-toggle ui-only').attr('data-export', 'omit').attr('y', 15).attr('text-anchor', 'middle')
          .attr('role', 'button').attr('tabindex', 0);
        e.append('g').attr('class', 'pt-rows');
        return e;
      });
    g.attr('transform', (d) => `translate(${d.x},${d.y})`)
      .attr('class', (d) => `pt-node lvl${d.node.depth}${d.node.shared ? ' shared' : ''}${d.node.foreign ? ' foreign' : ''}${sel.table === d.node.pfn ? ' selected' : ''}${d.node.group.some((p) => fresh.has(p)) ? ' fresh' : ''}`)
      .attr('data-shared', (d) => String(d.node.shared))
      .attr('data-parents', (d) => String(d.node.sharing.drawn))
      .attr('data-sharers', (d) => String(d.node.sharing.processes))
      .attr('data-level', (d) => d.node.levelName)
      .attr('data-pfn', (d) => String(d.node.pfn));
    // Widths follow the layout's: a column with longer texts has wider boxes (pt-text.ts).
    g.select('rect.pt-box').attr('width', (d) => d.w).attr('height', (d) => d.h).attr('rx', 4);
    g.select('rect.pt-head').attr('width', (d) => d.w).attr('height', HEADER_H).attr('rx', 4);
    g.select<SVGTextElement>('text.pt-title').text((d) => titleText(d.node))
      .on('click', (_e, d) => selectUi({ table: d.node.pfn, pte: null }));
    g.select<SVGTextElement>('text.pt-sub').text((d) => subText(d.node));
    // The sharing badge (pt-text.ts): orange on a page two processes or more use; outlined
    // ("solo") on an mshare PUD page only one process has linked so far.
    const text = (d: PlacedNode) => badgeText(d.node) ?? '';
    const badge = g.select<SVGGElement>('g.pt-badge')
      .attr('display', (d) => (badgeText(d.node) ? null : 'none'))
      .attr('class', (d) => `pt-badge${d.node.shared ? '' : ' solo'}`)
      .attr('data-testid', 'pt-badge');
    badge.attr('transform', (d) => `translate(${d.w - BADGE_RIGHT - badgeWidth(text(d))},${-BADGE_ABOVE})`);
    badge.select('rect').attr('width', (d) => badgeWidth(text(d))).attr('height', BADGE_H);
    badge.select('text').attr('x', 4).text(text);
    badge.select('title').text((d) => (badgeText(d.node) ? badgeTitle(d.node) : ''));
    g.select<SVGTextElement>('text.pt-toggle')
      .attr('x', (d) => d.w - 10)
      .text((d) => (d.node.collapsed ? '+' : '−'))
      .attr('aria-label', (d) => `${d.node.collapsed ? 'Expand' : 'Collapse'} ${d.node.levelName} ${hex(d.node.pfn)}`)
      .on('click', (e: MouseEvent, d) => {
        e.stopPropagation();
        toggle(d.node.pfn);
      })
      .on('keydown', (e: KeyboardEvent, d) => {
        if (pressesButton(e)) {
          e.preventDefault();
          toggle(d.node.pfn);
        }
      });
    g.select<SVGGElement>('g.pt-rows').each(function (d) {
      const W = d.w;
      const rows = d.node.collapsed ? [] : d.node.rows.map((r, i) => ({ r, i, d }));
      const extra = !d.node.collapsed && d.node.truncated ? [{ i: rows.length, more: d.node.truncated }] : [];
      const rg = select(this)
        .selectAll<SVGGElement, { r: PtRow; i: number; d: PlacedNode }>('g.pt-row')
        .data(rows, (x) => String(x.r.first))
        .join((enter) => {
          const e = enter.append('g').attr('class', 'pt-row');
          e.append('rect').attr('class', 'hit').attr('x', 2).attr('height', ROW_H - 1);
          e.append('text').attr('class', 'l').attr('x', ROW_LEFT_X);
          e.append('text').attr('class', 'r').attr('text-anchor', 'end');
          e.append('rect').attr('class', 'use').attr('y', 2).attr('width', 5).attr('height', ROW_H - 5).attr('rx', 1);
          e.append('title');
          return e;
        });
      rg.attr('transform', (x) => `translate(0,${HEADER_H + x.i * ROW_H})`)
        .classed('selected', (x) => sel.pte?.table === d.node.pfn && sel.pte.index === x.r.first);
      rg.select('rect.hit').attr('width', W - 4);
      rg.select('text.l').attr('y', ROW_H - 4).text((x) => rowText(x.r)[0]);
      rg.select('text.r').attr('x', W - ROW_RIGHT_PAD).attr('y', ROW_H - 4).text((x) => rowText(x.r)[1]);
      rg.select('rect.use')
        .attr('x', W - 8)
        .attr('display', (x) => (x.r.leaf ? null : 'none'))
        .style('fill', (x) => (x.r.leaf ? FRAME_USE_COLOURS[FRAME_USE_NAMES.indexOf(Object.keys(x.r.leaf.uses)[0] as never)] || '#999' : null));
      rg.select('title').text((x) => {
        const r = x.r;
        if (r.child === undefined) return leafTitle(r, d.node.group.length);
        const range = r.first === r.last ? `entry ${r.first}` : `entries ${r.first}-${r.last}`;
        return `${range} at ${hex(r.va)}: ${r.flags} → ${r.tables ? `${r.tables} identical tables from ` : 'table '}${hex(r.child)}`;
      });
      rg.on('click', (_e, x) => {
        const frame = x.r.leaf ? x.r.leaf.firstPfn : null;
        selectUi({ table: d.node.pfn, pte: { table: d.node.pfn, index: x.r.first }, frame });
      });
      select(this)
        .selectAll('text.pt-more')
        .data(extra)
        .join('text')
        .attr('class', 'pt-more')
        .attr('x', 8)
        .attr('y', (x) => HEADER_H + x.i * ROW_H + ROW_H - 4)
        .text((x) => `… ${x.more} more entries`);
    });
  }

  function drawFrames(l: PtLayout): void {
    const f = framesG
      .selectAll<SVGGElement, PlacedFrames>('g.pt-frame')
      .data(l.frames, (d) => d.id)
      .join((enter) => {
        const e = enter.append('g').attr('class', 'pt-frame');
        e.append('rect').attr('width', FRAME_W).attr('height', FRAME_H).attr('rx', 3);
        e.append('rect').attr('class', 'swatch').attr('width', 6).attr('height', FRAME_H).attr('rx', 2);
        e.append('text').attr('class', 'l').attr('x', 12).attr('y', 13);
        e.append('text').attr('class', 's').attr('x', 12).attr('y', 25);
        return e;
      });
    f.attr('transform', (d) => `translate(${d.x},${d.y})`);
    f.select('rect.swatch').style('fill', (d) => FRAME_USE_COLOURS[FRAME_USE_NAMES.indexOf(d.use as never)] || '#999');
    f.select('text.l').text((d) => d.label);
    f.select('text.s').text((d) => `${d.sub} · ${hex(d.row.leaf!.firstPfn)}…`);
    f.on('click', (_e, d) => selectUi({ frame: d.row.leaf!.firstPfn, pte: { table: d.table, index: d.row.first }, table: d.table }));
  }

  function drawEdges(l: PtLayout): void {
    edgesG
      .selectAll<SVGPathElement, PtLayout['edges'][number]>('path')
      .data(l.edges, (d) => d.id)
      .join('path')
      .attr('class', (d) => `pt-edge${d.shared ? ' shared' : ''}${d.foreign ? ' foreign' : ''}`)
      .attr('d', (d) => {
        if (d.bend !== undefined) return `M${d.from.x},${d.from.y} C${d.bend},${d.from.y} ${d.bend},${d.to.y} ${d.to.x},${d.to.y}`;
        const mx = (d.from.x + d.to.x) / 2;
        return `M${d.from.x},${d.from.y} C${mx},${d.from.y} ${mx},${d.to.y} ${d.to.x},${d.to.y}`;
      });
  }

  /**
   * Columns, or stacked when the columns do not fit the panel at a readable scale and the
   * stacked tree fits, or needs less shrinking (fit.ts preferSecond, pt-layout.ts). The desk
   * layout only: presenter and embed mode size their pane by the drawing and fit it whole.
   */
  function chooseLayout(model: ReturnType<typeof buildPtModel>, same: boolean): PtLayout {
    if (fit.whole || !sized || !stackable(model)) return layoutPt(model);
    // The user zoomed or panned this tree: a resize or a step does not switch it to the other
    // drawing, which would refit it and drop their transform.
    if (same && layout && pz.userMoved()) return layout.kind === 'stacked' ? layoutPtStacked(model) : layoutPt(model);
    const columns = layoutPt(model);
    const stacked = layoutPtStacked(model);
    const size = (l: PtLayout) => ({ w: l.width, h: l.height });
    return preferSecond(viewSize, size(columns), size(stacked), fitFloor(fit)) ? stacked : columns;
  }

  const view: PtTreeView = {
    draw() {
      const s = store.getState();
      const snap = s.snapshot;
      if (!snap) return true;
      const roots = treeRoots(snap, [s.selection.pid, s.compare]);
      if (roots.length === 0) {
        const running = snap.tasks.some((t) => t.state === 'running');
        const msg = running ? 'Select a running process (in the processes view) to see its page tables.' : 'No process is running at this step.';
        onEmpty(msg, running ? 'none-selected' : 'none-running');
        // Not the last tree's label ("…: 8 table pages") over an empty drawing.
        svg.setAttribute('aria-label', `Page-table tree: ${running ? 'no process selected' : 'no process running'}`);
        (edgesG as Selection<SVGGElement, unknown, null, undefined>).selectAll('*').remove();
        nodesG.selectAll('*').remove();
        framesG.selectAll('*').remove();
        return true;
      }
      const hosts = new Map(snap.regions.map((r) => [r.hostMm, { sharers: r.sharers }]));
      const model = readConsistent(snap.generation, (b) => buildPtModel(b.u32, b.desc, roots, snap.levels, collapsed, hosts,
        hugetlbPmdSharerMms(b.u32, b.desc.share, snap.mms, snap.levels)));
      if (!model) return false;
      onEmpty(null);
      const rootsKey = roots.map((r) => r.mm).join(',') + ':' + snap.config.ram;
      layout = chooseLayout(model, lastKey.startsWith(rootsKey + ':'));
      svg.setAttribute('aria-label', `Page-table tree of ${roots.map((r) => r.label).join(' and ')}: ${model.nodes.size} table pages`);
      drawEdges(layout);
      // Table pages allocated in the latest update flash once.
      const fresh = new Set<number>();
      for (const e of s.lastEvents) if (e.type === 'frame-alloc' && /pgd|p4d|pud|pmd|pte/.test(e.use)) fresh.add(e.pfn);
      drawNodes(layout, s.selection, fresh);
      drawFrames(layout);
      pz.setContent(layout.width, layout.height);
      opts.onContent?.(layout.width, layout.height);
      const key = rootsKey + ':' + layout.kind;
      // A slide is never scrolled, so there a step that adds (or frees) tables refits the tree
      // (unless the presenter zoomed it); the desk layout keeps its scale and scrolls instead.
      // A stacked tree is drawn because it fits whole at a readable scale: it is refitted too
      // (centred when it was small, the table a step added ran past the panel's right edge).
      const grown = (fit.whole || layout.kind === 'stacked') && `${layout.width}x${layout.height}` !== fitted && !pz.userMoved();
      if (sized && (key !== lastKey || refit || grown)) {
        lastKey = key;
        refit = false;
        fitted = `${layout.width}x${layout.height}`;
        pz.fit(fit);
      }
      return true;
    },
    fit() {
      if (!layout) return;
      fitted = `${layout.width}x${layout.height}`;
      pz.fit(fit);
    },
    zoomBy(k) {
      pz.zoomBy(k);
    },
    resize(w: number, h: number) {
      sized = w > 0 && h > 0;
      viewSize = { w, h };
      // A new size refits the tree unless the user zoomed or panned it (then it is theirs).
      if (pz.setSize(w, h) && sized && !pz.userMoved()) refit = true;
    },
    destroy() {
      pz.destroy();
      svg.remove();
    },
  };
  return view;
}

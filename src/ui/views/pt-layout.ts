/**
 * Layout of the page-table DAG: one column per level (PGD left, frames right), nodes in
 * first-visit order, each child level with the entry that points at it when there is room.
 * Or, for a panel too narrow for the columns at a readable scale (a 4-level tree is about
 * 1,000 px wide; the desk layout's middle column at 1280x800 has 600), stacked: each table
 * under the one that points at it, indented by level (layoutPtStacked).
 * Deterministic: the same model gives the same coordinates (screenshots can be compared).
 */
import { size } from '../format';
import type { PtModel, PtNode, PtRow } from './pt-model';
import { badgeText, columnWidths } from './pt-text';

export const FRAME_W = 150;
export const GAP_X = 26;
export const HEADER_H = 34;
export const ROW_H = 15;
export const GAP_Y = 12;
export const FRAME_H = 30;
/** The sharing badge: its height, and how far above the box's top it starts. */
export const BADGE_H = 15;
export const BADGE_ABOVE = 17;

export interface PlacedNode {
  node: PtNode;
  x: number;
  y: number;
  /** The box's width: its column's (pt-text.ts columnWidths). */
  w: number;
  h: number;
}

export interface PlacedFrames {
  id: string;
  table: number;
  row: PtRow;
  x: number;
  y: number;
  label: string;
  sub: string;
  /** Use with the most frames in the run. */
  use: string;
}

export interface PlacedEdge {
  id: string;
  from: { x: number; y: number };
  to: { x: number; y: number };
  /** The edge points into a shared table page. */
  shared: boolean;
  /** The edge leads into another mm's tables (an mshare host). */
  foreign: boolean;
  /**
   * Stacked layout: the edge leaves its row to the right and comes back into the right side
   * of the table under it, as far right as this x (pttree.ts draws the curve).
   */
  bend?: number;
}

export interface PtLayout {
  /** Columns side by side, or stacked (layoutPtStacked). */
  kind: 'columns' | 'stacked';
  /** The widest column's box width (pt-text.ts); each box has its column's width, `w`. */
  nodeW: number;
  colW: number[];
  nodes: PlacedNode[];
  frames: PlacedFrames[];
  edges: PlacedEdge[];
  width: number;
  height: number;
}

/** Frames as a column of their own (off: leaf rows name the frames and colour them). */
const FRAMES_COLUMN = false;

export function nodeHeight(n: PtNode): number {
  const rows = Math.max(1, n.rows.length + (n.truncated ? 1 : 0));
  return HEADER_H + (n.collapsed ? 0 : rows * ROW_H) + 6;
}

export function rowY(p: PlacedNode, i: number): number {
  return p.y + HEADER_H + i * ROW_H + ROW_H / 2;
}

function majority(uses: Record<string, number>): string {
  let best = '';
  let n = -1;
  for (const [k, v] of Object.entries(uses)) if (v > n) [best, n] = [k, v];
  return best;
}

export function layoutPt(model: PtModel): PtLayout {
  const cursor = new Array<number>(model.levels + 1).fill(16);
  const placed = new Map<number, PlacedNode>();
  const nodes: PlacedNode[] = [];
  const frames: PlacedFrames[] = [];
  const edges: PlacedEdge[] = [];
  const colW = columnWidths(model);
  const nodeW = Math.max(...colW);
  const colX = (d: number) => {
    let x = 0;
    for (let i = 0; i < d; i++) x += (colW[i] ?? nodeW) + GAP_X;
    return x;
  };
  // The y each child would like: the row of the first parent that points at it.
  const want = new Map<number, number>();

  for (const pfn of model.order) {
    const n = model.nodes.get(pfn)!;
    const h = nodeHeight(n);
    // A box with a sharing badge keeps the badge (drawn above it) clear of the box above.
    const top = cursor[n.depth] + (badgeText(n) ? BADGE_ABOVE + 3 - GAP_Y : 0);
    const y = Math.max(top, (want.get(pfn) ?? 0) - HEADER_H / 2);
    const p: PlacedNode = { node: n, x: colX(n.depth), y, w: colW[n.depth], h };
    placed.set(pfn, p);
    nodes.push(p);
    cursor[n.depth] = y + h + GAP_Y;
    if (n.collapsed) continue;
    n.rows.forEach((r, i) => {
      const ry = rowY(p, i);
      if (r.child !== undefined && !want.has(r.child)) want.set(r.child, ry);
      if (r.leaf && FRAMES_COLUMN) {
        const col = model.levels;
        const fy = Math.max(cursor[col], ry - FRAME_H / 2);
        cursor[col] = fy + FRAME_H + 6;
        const l = r.leaf;
        const times = n.group.length;
        const use = majority(l.uses);
        const kinds = Object.entries(l.uses).map(([k, v]) => (Object.keys(l.uses).length > 1 ? `${k} ${v}` : k)).join(', ');
        frames.push({
          id: `f${pfn}:${r.first}`, table: pfn, row: r, x: colX(col), y: fy, use,
          label: `${l.count * times === 1 ? '1 frame' : `${(l.count * times).toLocaleString('en-US')} frames`} × ${size(l.pageBytes)}`,
          sub: kinds,
        });
        edges.push({ id: `e${pfn}:${r.first}:f`, from: { x: p.x + p.w, y: ry }, to: { x: colX(col), y: fy + FRAME_H / 2 }, shared: false, foreign: false });
      }
    });
  }
  // Table-to-table edges, once every node has a place (a shared node has several parents).
  forEachTableEdge(nodes, placed, (p, i, c, id) => {
    edges.push({ id, from: { x: p.x + p.w, y: rowY(p, i) }, to: { x: c.x, y: c.y + HEADER_H / 2 }, shared: c.node.shared, foreign: c.node.foreign && !p.node.foreign });
  });
  const width = FRAMES_COLUMN ? colX(model.levels) + FRAME_W : colX(model.levels) - GAP_X;
  const height = Math.max(...cursor, 100);
  return { kind: 'columns', nodeW, colW, nodes, frames, edges, width, height };
}

/** Calls `edge` for each entry of an expanded table that points at a placed table (row index, the table, the edge's id). */
function forEachTableEdge(nodes: PlacedNode[], placed: Map<number, PlacedNode>, edge: (p: PlacedNode, row: number, child: PlacedNode, id: string) => void): void {
  for (const p of nodes) {
    if (p.node.collapsed) continue;
    p.node.rows.forEach((r, i) => {
      if (r.child === undefined) return;
      const c = placed.get(r.child);
      if (c) edge(p, i, c, `e${p.node.pfn}:${r.first}`);
    });
  }
}

/** How far right each level's boxes start in the stacked layout, and the least bend of an edge past the boxes it joins. */
export const STACK_INDENT = 28;
const BEND = 16;

/**
 * Whether the stacked layout draws the tree without crossing edges: every table leads to at
 * most one table (a chain per process, chains that meet at a shared page). A table with two
 * children stacks the first one's subtree between the second one and the entry that points at
 * it, so the two edges would cross.
 */
export function stackable(model: PtModel): boolean {
  for (const n of model.nodes.values()) {
    if (!n.collapsed && n.rows.filter((r) => r.child !== undefined).length > 1) return false;
  }
  return true;
}

/**
 * The stacked layout: tables in first-visit order, one under the other, each indented by its
 * level (the outline of a walk, PGD first), every box as wide as its level's column. An edge
 * leaves its entry's row to the right and turns back into the right side of the table it points
 * at, clear of the sharing badge above that table's right end. A table reached again (a shared
 * PMD page in compare mode) gets an edge back up; it spans the later tables, so it bends further.
 */
export function layoutPtStacked(model: PtModel): PtLayout {
  const colW = columnWidths(model);
  if (model.roots.length > 1 && disjointRoots(model)) return stacksSideBySide(model, colW);
  return stackOf(model, model.order, colW, 0);
}

/**
 * Whether no table is reached from two roots (fork-cow's parent and child: every table copied).
 * Then each root's chain is a stack of its own and the stacks stand side by side: one stack of
 * both chains was twice as tall as a 1366x768 panel, and the columns drawn instead hid the PTE
 * level the scenario is about (review 20).
 */
export function disjointRoots(model: PtModel): boolean {
  for (const n of model.nodes.values()) if (n.roots.length > 1) return false;
  return true;
}

/** The gap between two stacks side by side. */
const STACKS_GAP = GAP_X;

function stacksSideBySide(model: PtModel, colW: number[]): PtLayout {
  const stacks: number[][] = model.roots.map(() => []);
  for (const pfn of model.order) {
    const i = model.roots.findIndex((r) => r.label === model.nodes.get(pfn)!.roots[0]);
    stacks[Math.max(0, i)].push(pfn);
  }
  const parts: PtLayout[] = [];
  let x = 0;
  for (const order of stacks) {
    if (order.length === 0) continue;
    const part = stackOf(model, order, colW, x);
    parts.push(part);
    x = part.width + STACKS_GAP;
  }
  return {
    kind: 'stacked',
    nodeW: Math.max(...colW),
    colW,
    nodes: parts.flatMap((p) => p.nodes),
    frames: [],
    edges: parts.flatMap((p) => p.edges),
    width: Math.max(...parts.map((p) => p.width)),
    height: Math.max(...parts.map((p) => p.height)),
  };
}

/** One stack of the tables in `order` (first-visit order), its left edge at `left`. */
function stackOf(model: PtModel, order: number[], colW: number[], left: number): PtLayout {
  const nodeW = Math.max(...colW);
  const placed = new Map<number, PlacedNode>();
  const nodes: PlacedNode[] = [];
  // From the top (the columns leave 16 px there), but for the room a badge needs above its box.
  let cursor = 0;
  for (const pfn of order) {
    const n = model.nodes.get(pfn)!;
    const y = cursor + (badgeText(n) ? BADGE_ABOVE + 3 - (nodes.length ? GAP_Y : 0) : 0);
    const p: PlacedNode = { node: n, x: left + n.depth * STACK_INDENT, y, w: colW[n.depth], h: nodeHeight(n) };
    placed.set(pfn, p);
    nodes.push(p);
    cursor = y + p.h + GAP_Y;
  }
  const edges: PlacedEdge[] = [];
  forEachTableEdge(nodes, placed, (p, i, c, id) => {
    const from = { x: p.x + p.w, y: rowY(p, i) };
    const to = { x: c.x + c.w, y: c.y + HEADER_H / 2 };
    // Past every box between its ends (deeper levels sit further right than either end: an
    // edge back up to a shared table ran through them), and a longer edge further out still,
    // so that edges spanning others go round them.
    const y0 = Math.min(from.y, to.y);
    const y1 = Math.max(from.y, to.y);
    let right = Math.max(from.x, to.x);
    for (const q of nodes) if (q.y < y1 && q.y + q.h > y0) right = Math.max(right, q.x + q.w);
    const bend = right + BEND + Math.min(40, (y1 - y0) * 0.08);
    edges.push({ id, from, to, shared: c.node.shared, foreign: c.node.foreign && !p.node.foreign, bend });
  });
  const width = Math.max(...nodes.map((p) => p.x + p.w), ...edges.map((e) => (e.bend ?? 0) + 2));
  return { kind: 'stacked', nodeW, colW, nodes, frames: [], edges, width, height: Math.max(cursor, 100) };
}

/**
 * The processes-and-mm_structs graph as data: one node per mm_struct in use (its tasks
 * inside: threads share one), fork edges from the parent's mm, one node per mshare host mm,
 * and an edge from every attached VMA to its host. Identical siblings (same parent, same
 * mappings and counters) are grouped: "db1..db1500 ×1500". Layout: top-down, one row per
 * fork depth, mshare hosts in a row of their own below. Given a `maxWidth`, a process tree
 * that maps no mshare region and would run past it goes below the hosts instead, wrapping
 * into bands (a spawned process beside two database clients ran off a narrow panel while its
 * lower half stood empty; trees with mshare VMAs stay above their hosts, so no edge crosses
 * a band). Every box is as wide as its longest line of text (at least NODE_W), measured by
 * the caller's `measure` (the view measures with a canvas in the page's fonts; the default is
 * a generous estimate). Pure and deterministic.
 */
import type { MmModel, ModelSnapshot, TaskModel } from '../../engine/abi';
import { size } from '../format';

export interface ProcNode {
  id: string;
  kind: 'mm' | 'group' | 'host';
  /** mm ids this node stands for (a group: several). */
  mms: number[];
  /** Leader pids, one per mm. */
  pids: number[];
  title: string;
  lines: string[];
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface ProcEdge {
  id: string;
  kind: 'fork' | 'mshare';
  from: string;
  to: string;
  label?: string;
  /** Geometry (set by buildProcGraph): from the bottom of `from` to the top of `to`. */
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  /**
   * Where the label is (vertically centred): beside the edge's tail, clear of its arrowhead,
   * on the side the edge does not turn to (`la`: the text's anchor, start = right of lx).
   */
  lx?: number;
  ly?: number;
  la?: 'start' | 'end';
  /**
   * The edge's route, from (x1, y1) to (x2, y2): consecutive points with the same x are a
   * straight drop, others an S-curve, always within a gap between rows (no box is there). An
   * edge across rows drops through a free lane of each row between (edgePath, edgePoints).
   */
  route: [number, number][];
}

export interface ProcGraph {
  nodes: ProcNode[];
  edges: ProcEdge[];
  width: number;
  height: number;
  ended: TaskModel[];
}

export const NODE_W = 164;
/** Left and right padding inside a box (the text starts at x = PAD_X). */
export const PAD_X = 8;
const ROW_GAP = 30;
const COL_GAP = 12;
const LINE_H = 13;
const GROUP_MIN = 4;

/** What a text line of a box is drawn as: the title (600 12px sans) or a line (10.5px mono). */
export type TextKind = 'title' | 'line';
export type Measure = (text: string, kind: TextKind) => number;

/**
 * Width of `text` in CSS pixels without a page to measure in: on the wide side of the usual
 * fonts (DejaVu Sans Mono is 0.602 em a character; bold sans digits about 0.7 em).
 */
export const estimateText: Measure = (text, kind) => [...text].length * (kind === 'title' ? 12 * 0.72 : 10.5 * 0.62);

/** The width a box needs for its title and lines. */
export function boxWidth(title: string, lines: string[], measure: Measure, min = NODE_W): number {
  const text = Math.max(measure(title, 'title'), ...lines.map((l) => measure(l, 'line')));
  return Math.max(min, Math.ceil(text + 2 * PAD_X + 2));
}

function signature(mm: MmModel, taskBy: Map<number, TaskModel>): string {
  const v = mm.vmas.map((x) => `${x.kind}:${x.label ?? ''}:${x.startNum}:${x.endNum}:${x.hostMm ?? ''}`).join('|');
  const st = mm.status;
  return `${v}#${st.VmPTE}#${st.VmRSS}#${mm.tasks.length}#${taskBy.get(mm.tasks[0])?.cgroup}`;
}

/** "db1..db1500" for names sharing a prefix with numeric suffixes, else "a, b, …". */
export function nameRange(names: string[]): string {
  const m = names.map((n) => /^(.*?)(\d+)$/.exec(n));
  if (m.every((x) => x && x[1] === m[0]![1])) {
    // Runs of consecutive numbers: "p1..p20" only when no number between is missing (the four
    // survivors p1, p2, p9 and p20 read "p1..p20 ×4" as if all twenty were there).
    const pre = m[0]![1];
    const nums = [...new Set(m.map((x) => Number(x![2])))].sort((a, b) => a - b);
    const runs: string[] = [];
    for (let i = 0; i < nums.length; ) {
      let j = i;
      while (j + 1 < nums.length && nums[j + 1] === nums[j] + 1) j++;
      if (j - i >= 2) runs.push(`${pre}${nums[i]}..${pre}${nums[j]}`);
      else for (let k = i; k <= j; k++) runs.push(`${pre}${nums[k]}`);
      i = j + 1;
    }
    const all = runs.join(', ');
    return all.length <= NAME_RANGE_CHARS || runs.length <= 2 ? all : `${runs[0]}, …, ${runs[runs.length - 1]}`;
  }
  return names.length > 2 ? `${names[0]}, ${names[1]}, …` : names.join(', ');
}

/** Longest group title (before " ×N") spelled out in full; longer ones keep the first and last run. */
const NAME_RANGE_CHARS = 22;

export function buildProcGraph(snap: ModelSnapshot, measure: Measure = estimateText, maxWidth = Infinity): ProcGraph {
  const taskBy = new Map(snap.tasks.map((t) => [t.pid, t]));
  const procMms = snap.mms.filter((m) => m.host === null && m.tasks.some((p) => taskBy.get(p)?.state === 'running' || taskBy.get(p)?.state === 'blocked'));
  const mmOfTask = (pid: number) => taskBy.get(pid)?.mm ?? 0;
  const parentMm = new Map<number, number>();
  const procIds = new Set(procMms.map((m) => m.id));
  for (const mm of procMms) {
    const leader = taskBy.get(mm.tasks[0]);
    const p = leader ? mmOfTask(leader.parent) : 0;
    parentMm.set(mm.id, p && p !== mm.id && procIds.has(p) ? p : 0);
  }
  // Children lists in pid order, for a preorder walk from the roots.
  const children = new Map<number, MmModel[]>();
  for (const mm of procMms) {
    const p = parentMm.get(mm.id)!;
    if (!children.has(p)) children.set(p, []);
    children.get(p)!.push(mm);
  }
  const nodes: ProcNode[] = [];
  const edges: ProcEdge[] = [];
  const nodeOfMm = new Map<number, string>();
  const cursor: number[] = [];

  // `y` holds the row until every node is placed (a row is as tall as its tallest node).
  const place = (n: ProcNode, depth: number, wantX: number) => {
    cursor[depth] = cursor[depth] ?? 0;
    n.x = Math.max(cursor[depth], wantX);
    n.y = depth;
    cursor[depth] = n.x + n.w + COL_GAP;
    nodes.push(n);
  };

  const mmLines = (mm: MmModel): string[] => {
    const st = mm.status;
    const lines = [`mm ${mm.id} · PTE ${size(st.VmPTE)} · RSS ${size(st.VmRSS)}`];
    if (mm.tasks.length > 1) {
      const names = mm.tasks.slice(1).map((p) => taskBy.get(p)?.name ?? String(p));
      lines.push(`+${names.length} thread${names.length > 1 ? 's' : ''}: ${names.slice(0, 3).join(', ')}${names.length > 3 ? ', …' : ''}`);
    }
    const attached = mm.vmas.filter((v) => v.kind === 'mshare').length;
    if (attached) lines.push(`${attached} mshare VMA${attached > 1 ? 's' : ''}`);
    return lines;
  };

  const stack: { mm: MmModel; depth: number; wantY: number; node?: ProcNode }[] = [];
  const pushKids = (parent: number, depth: number, wantY: number) => {
    const kids = children.get(parent) ?? [];
    // Group identical siblings.
    const bySig = new Map<string, MmModel[]>();
    const sigOf = new Map<number, string>();
    for (const k of kids) {
      const sig = (children.get(k.id)?.length ?? 0) > 0 ? `solo:${k.id}` : signature(k, taskBy);
      sigOf.set(k.id, sig);
      if (!bySig.has(sig)) bySig.set(sig, []);
      bySig.get(sig)!.push(k);
    }
    const items: { mm: MmModel; group?: MmModel[] }[] = [];
    for (const k of kids) {
      const g = bySig.get(sigOf.get(k.id)!)!;
      if (g.length >= GROUP_MIN) {
        if (g[0] === k) items.push({ mm: k, group: g });
      } else items.push({ mm: k });
    }
    for (let i = items.length - 1; i >= 0; i--) {
      const it = items[i];
      if (it.group) {
        const g = it.group;
        const names = g.map((m) => taskBy.get(m.tasks[0])?.name ?? '?');
        const n: ProcNode = {
          id: `g${g[0].id}`, kind: 'group', mms: g.map((m) => m.id), pids: g.map((m) => m.tasks[0]),
          title: `${nameRange(names)} ×${g.length}`,
          lines: [`${g.length} identical processes`, ...mmLines(g[0]).slice(0, 1).map((l) => l.replace(/^mm \d+ · /, 'each: '))],
          x: 0, y: 0, w: NODE_W, h: 0,
        };
        stack.push({ mm: g[0], depth, wantY, node: n });
      } else stack.push({ mm: it.mm, depth, wantY });
    }
  };

  // Which roots' trees map an mshare region (those stay above the hosts).
  const procBy = new Map(procMms.map((x) => [x.id, x]));
  const mshareMemo = new Map<number, boolean>();
  const hasMshare = (id: number): boolean => {
    let v = mshareMemo.get(id);
    if (v === undefined) {
      v = !!procBy.get(id)?.vmas.some((x) => x.hostMm !== null) || (children.get(id) ?? []).some((k) => hasMshare(k.id));
      mshareMemo.set(id, v);
    }
    return v;
  };
  /** Trees moved below the hosts: their nodes, placed with rows and x from 0. */
  const moved: ProcNode[][] = [];
  let seg: { start: number; cursor: number[]; plain: boolean } | null = null;
  const endSegment = () => {
    if (!seg) return;
    const mine = nodes.slice(seg.start);
    const right = Math.max(...mine.map((n) => n.x + n.w));
    const left = Math.min(...mine.map((n) => n.x));
    if (seg.plain && left > 0 && right > maxWidth) {
      // Out of band 0: give back its room there and keep it for below the hosts.
      nodes.length = seg.start;
      cursor.length = 0;
      cursor.push(...seg.cursor);
      for (const n of mine) n.x -= left;
      moved.push(mine);
    }
    seg = null;
  };

  pushKids(0, 0, 0);
  while (stack.length) {
    const item = stack.pop()!;
    const { mm, depth, wantY } = item;
    if (depth === 0) {
      endSegment();
      seg = { start: nodes.length, cursor: [...cursor], plain: !item.node?.mms.some(hasMshare) && !hasMshare(mm.id) };
    }
    let n = item.node;
    if (!n) {
      const leader = taskBy.get(mm.tasks[0]);
      n = { id: `m${mm.id}`, kind: 'mm', mms: [mm.id], pids: [mm.tasks[0]], title: `${leader?.name ?? '?'}  pid ${leader?.pid ?? '?'}`, lines: mmLines(mm), x: 0, y: 0, w: NODE_W, h: 0 };
    }
    n.h = 20 + n.lines.length * LINE_H + 4;
    n.w = boxWidth(n.title, n.lines, measure);
    place(n, depth, wantY);
    for (const id of n.mms) nodeOfMm.set(id, n.id);
    const p = parentMm.get(mm.id)!;
    if (p) edges.push({ id: `f${n.id}`, kind: 'fork', from: nodeOfMm.get(p)!, to: n.id, x1: 0, y1: 0, x2: 0, y2: 0, route: [] });
    if (n.kind === 'mm') pushKids(mm.id, depth + 1, n.x);
  }

  endSegment();
  // mshare hosts in a row of their own, below every process left in the top band.
  const hostCol = Math.max(0, ...nodes.map((n) => n.y)) + 1;
  const mmBy = new Map(snap.mms.map((m) => [m.id, m]));
  for (const r of snap.regions) {
    const host = mmBy.get(r.hostMm);
    const owner = taskBy.get(r.owner);
    const n: ProcNode = {
      id: `h${r.hostMm}`, kind: 'host', mms: [r.hostMm], pids: [],
      title: `host mm ${r.hostMm}`,
      lines: [r.path.replace(/^\/sys\/fs\/mshare\//, 'mshare:'), `${r.sharers} sharer${r.sharers === 1 ? '' : 's'} · owner ${owner?.name ?? '—'}${r.orphaned ? ' · orphaned' : ''}`, `PTE ${size(host?.status.VmPTE ?? 0)} · RSS ${size(host?.status.VmRSS ?? 0)}`],
      x: 0, y: 0, w: NODE_W + 10, h: 0,
    };
    n.h = 20 + n.lines.length * LINE_H + 4;
    n.w = boxWidth(n.title, n.lines, measure, NODE_W + 10);
    place(n, hostCol, 0);
    nodeOfMm.set(r.hostMm, n.id);
  }
  // One edge per attached VMA; a group's VMAs are summed into one labelled edge.
  const counts = new Map<string, number>();
  for (const mm of procMms) {
    for (const v of mm.vmas) {
      if (v.hostMm === null) continue;
      const from = nodeOfMm.get(mm.id);
      const to = nodeOfMm.get(v.hostMm);
      if (!from || !to) continue;
      const key = `${from}>${to}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  for (const [key, c] of counts) {
    const [from, to] = key.split('>');
    edges.push({ id: `s${key}`, kind: 'mshare', from, to, x1: 0, y1: 0, x2: 0, y2: 0, route: [], ...(c > 1 ? { label: `×${c}` } : {}) });
  }
  // The moved trees, in bands below the hosts (or below the processes when there is no host).
  let base = snap.regions.length ? hostCol + 1 : hostCol;
  let bandX = 0;
  let bandDepth = 0;
  for (const tree of moved) {
    const w = Math.max(...tree.map((n) => n.x + n.w));
    const depth = Math.max(...tree.map((n) => n.y));
    if (bandX > 0 && bandX + w > maxWidth) {
      base += bandDepth + 1;
      bandX = 0;
      bandDepth = 0;
    }
    for (const n of tree) {
      n.x += bandX;
      n.y += base;
      nodes.push(n);
    }
    bandX += w + COL_GAP;
    bandDepth = Math.max(bandDepth, depth);
  }
  // Rows are as tall as their tallest node, counted now that every node has its row.
  const rowH: number[] = [];
  for (const n of nodes) rowH[n.y] = Math.max(rowH[n.y] ?? 0, n.h);
  const rowY: number[] = [];
  for (let d = 0, y = 0; d < rowH.length; d++) {
    rowY[d] = y;
    y += (rowH[d] ?? 0) + ROW_GAP;
  }
  const rowOf = new Map(nodes.map((n) => [n.id, n.y]));
  for (const n of nodes) n.y = rowY[n.y];
  placeEdges(nodes, edges, rowOf, rowY.map((y, d) => ({ top: y, bottom: y + (rowH[d] ?? 0) })));
  const ended = snap.tasks.filter((t) => t.state === 'exited' || t.state === 'killed');
  const width = Math.max(NODE_W, ...nodes.map((n) => n.x + n.w), ...edges.flatMap((e) => e.route.map(([x]) => x + EDGE_EDGE)));
  const height = Math.max(40, ...nodes.map((n) => n.y + n.h));
  return { nodes, edges, width, height, ended };
}

/** Gap between an edge and its label (more than half the widest arrowhead, 7 x 2.4 px / 2). */
export const LABEL_GAP = 12;

/** The least room between a lane and a box beside it, and between two lanes in one row. */
export const LANE_MARGIN = 14;
/** The least distance between two arrowheads into one host (an arrowhead is 7 x 2.4 = 17 px wide). */
const HEAD_SPACING = 26;
/** Room a route needs past its x at the graph's edge (half a stroke and a little). */
const EDGE_EDGE = 4;

interface Band {
  top: number;
  bottom: number;
}

/**
 * The x nearest `want` where an edge can drop through a row: clear of its boxes and of the
 * lanes other edges took there by LANE_MARGIN. Past the last box there is always room.
 */
function pickLane(boxes: ProcNode[], used: number[], want: number): number {
  const free: [number, number][] = [];
  let left = LANE_MARGIN / 2;
  for (const b of boxes) {
    free.push([left, b.x - LANE_MARGIN]);
    left = Math.max(left, b.x + b.w + LANE_MARGIN);
  }
  free.push([left, Infinity]);
  const open = free.filter(([a, b]) => a <= b);
  const inside = (x: number) => open.some(([a, b]) => x >= a && x <= b);
  const cands = open.map(([a, b]) => Math.min(b, Math.max(a, want)));
  for (const u of used) cands.push(u + LANE_MARGIN, u - LANE_MARGIN);
  const ok = cands.filter((c) => inside(c) && used.every((u) => Math.abs(u - c) >= LANE_MARGIN - 1e-6));
  ok.sort((p, q) => Math.abs(p - want) - Math.abs(q - want) || p - q);
  return ok[0] ?? Math.max(left, ...used.map((u) => u + LANE_MARGIN));
}

/**
 * Edge routes. Fork edges run from the middle of the parent's bottom; mshare edges from
 * further right (so a process's fork and mshare edges do not coincide). An edge that spans
 * rows drops through a lane of each row between, beside the boxes there, never behind one.
 * Hosts are then placed under the edges that come to them (centred under the span of their
 * approaches), and the edges into one host end spread along its top in the order they come
 * from, so none cross there and each arrowhead is apart from the next.
 */
function placeEdges(nodes: ProcNode[], edges: ProcEdge[], rowOf: Map<string, number>, bands: Band[]): void {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const rowBoxes = bands.map(() => [] as ProcNode[]);
  for (const n of nodes) rowBoxes[rowOf.get(n.id)!]?.push(n);
  for (const r of rowBoxes) r.sort((p, q) => p.x - q.x);
  const used = bands.map(() => [] as number[]);
  const lanes = new Map<ProcEdge, number[]>();
  const live = edges.filter((e) => byId.has(e.from) && byId.has(e.to));
  // A box's mshare edges (one per region it maps) leave from tails apart around 0.7 of its
  // width, so that two do not start as one line with their labels on each other.
  const mshareOut = new Map<string, ProcEdge[]>();
  for (const e of live) {
    if (e.kind !== 'mshare') continue;
    const l = mshareOut.get(e.from);
    if (l) l.push(e);
    else mshareOut.set(e.from, [e]);
  }
  for (const e of live) {
    const a = byId.get(e.from)!;
    if (e.kind === 'fork') e.x1 = a.x + a.w / 2;
    else {
      const sib = mshareOut.get(e.from)!;
      const step = Math.min(MSHARE_TAIL_STEP, (a.w * 0.5) / sib.length);
      e.x1 = a.x + a.w * 0.7 + (sib.indexOf(e) - (sib.length - 1) / 2) * step;
    }
    e.y1 = a.y + a.h;
  }
  // Lanes, the edges from the left first (each takes the free x nearest its course).
  for (const e of [...live].sort((p, q) => p.x1 - q.x1)) {
    const from = rowOf.get(e.from)!;
    const to = rowOf.get(e.to)!;
    const xs: number[] = [];
    let x = e.x1;
    for (let r = from + 1; r < to; r++) {
      x = pickLane(rowBoxes[r], used[r], x);
      used[r].push(x);
      xs.push(x);
    }
    lanes.set(e, xs);
  }
  const approach = (e: ProcEdge) => {
    const xs = lanes.get(e)!;
    return xs.length ? xs[xs.length - 1] : e.x1;
  };
  // Hosts under their edges, left to right, apart by COL_GAP.
  const into = new Map<string, ProcEdge[]>();
  for (const e of live) {
    if (e.kind !== 'mshare') continue;
    if (!into.has(e.to)) into.set(e.to, []);
    into.get(e.to)!.push(e);
  }
  const hosts = nodes.filter((n) => n.kind === 'host');
  const want = new Map(hosts.map((h) => {
    const xs = (into.get(h.id) ?? []).map(approach);
    // A host nobody attaches to goes after the others, in region order.
    return [h, xs.length ? (Math.min(...xs) + Math.max(...xs)) / 2 : Infinity] as const;
  }));
  const rank = (w: number) => (Number.isFinite(w) ? w : Number.MAX_VALUE);
  const order = hosts.map((h, i) => ({ h, i })).sort((p, q) => rank(want.get(p.h)!) - rank(want.get(q.h)!) || p.i - q.i);
  let cursor = 0;
  for (const { h } of order) {
    const w = want.get(h)!;
    h.x = Math.max(cursor, Number.isFinite(w) ? Math.round(w - h.w / 2) : cursor);
    cursor = h.x + h.w + COL_GAP;
  }
  // No wider than the rows above (and their lanes) when they leave room: back left, in order.
  const hostRow = hosts.length ? rowOf.get(hosts[0].id)! : -1;
  let limit = Math.max(0, ...nodes.filter((n) => rowOf.get(n.id)! < hostRow).map((n) => n.x + n.w), ...used.flat().map((x) => x + EDGE_EDGE));
  for (let i = order.length - 1; i >= 0; i--) {
    const h = order[i].h;
    h.x = Math.max(0, Math.min(h.x, limit - h.w));
    limit = h.x - COL_GAP;
  }
  for (let i = 1; i < order.length; i++) order[i].h.x = Math.max(order[i].h.x, order[i - 1].h.x + order[i - 1].h.w + COL_GAP);
  for (const e of live) {
    const b = byId.get(e.to)!;
    e.x2 = b.x + b.w / 2;
    e.y2 = b.y - 2;
  }
  for (const [to, list] of into) {
    const b = byId.get(to)!;
    list.sort((p, q) => approach(p) - approach(q) || p.x1 - q.x1);
    // Spread along the top, as evenly as fits; a lone edge comes straight down when it can.
    const step = Math.max(Math.min(HEAD_SPACING, b.w / list.length), b.w / (list.length + 1));
    const span = step * (list.length - 1);
    const mid = list.length === 1 ? Math.min(b.x + b.w - 16, Math.max(b.x + 16, approach(list[0]))) : b.x + b.w / 2;
    list.forEach((e, i) => {
      e.x2 = mid - span / 2 + i * step;
    });
  }
  for (const e of live) {
    const from = rowOf.get(e.from)!;
    const route: [number, number][] = [[e.x1, e.y1]];
    const bottom = bands[from]?.bottom ?? e.y1;
    if (bottom > e.y1 + 0.5) route.push([e.x1, bottom]);
    lanes.get(e)!.forEach((x, i) => {
      const band = bands[from + 1 + i];
      route.push([x, band.top], [x, band.bottom]);
    });
    route.push([e.x2, e.y2]);
    e.route = route;
  }
  placeLabels(nodes, live);
}

/** Half the label's height (10 px type, centred on its y) and the arrowhead's size (main.css, processes.ts). */
const LABEL_HALF_H = 6;
const HEAD_LEN = 11;
const HEAD_HALF_W = 6.5;

interface Rect {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

const rectDist = (r: Rect, [x, y]: [number, number]): number =>
  Math.hypot(x < r.x0 ? r.x0 - x : x > r.x1 ? x - r.x1 : 0, y < r.y0 ? r.y0 - y : y > r.y1 ? y - r.y1 : 0);

const overlaps = (a: Rect, b: Rect): boolean => a.x0 <= b.x1 && a.x1 >= b.x0 && a.y0 <= b.y1 && a.y1 >= b.y0;

/** The box an edge is drawn in: its route's points bound its S-curves, plus the arrowhead. */
function edgeBounds(e: ProcEdge): Rect {
  let x0 = e.x2 - HEAD_HALF_W;
  let x1 = e.x2 + HEAD_HALF_W;
  let y0 = e.y2 - HEAD_LEN;
  let y1 = e.y2;
  for (const [x, y] of e.route) {
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  return { x0, x1, y0, y1 };
}

/**
 * The part of an edge as drawn that lies in `win`, sampled every few pixels (straight drops
 * too), with its arrowhead's outline. Only the window: a fork edge can run 260,000 px across a
 * graph of 1,500 ungrouped processes, and sampling all of every edge for every label made
 * placement quadratic (4 s at 800 processes, out of memory at 1,500).
 */
function edgeOutline(e: ProcEdge, win: Rect): [number, number][] {
  const pts = edgePoints(e, 16);
  const out: [number, number][] = [];
  const keep = (x: number, y: number) => {
    if (x >= win.x0 && x <= win.x1 && y >= win.y0 && y <= win.y1) out.push([x, y]);
  };
  for (let i = 0; i < pts.length; i++) {
    const [x, y] = pts[i];
    if (i > 0) {
      const [px, py] = pts[i - 1];
      const seg = { x0: Math.min(px, x), x1: Math.max(px, x), y0: Math.min(py, y), y1: Math.max(py, y) };
      if (overlaps(seg, win)) {
        const n = Math.ceil(Math.hypot(x - px, y - py) / 3);
        for (let k = 1; k < n; k++) keep(px + ((x - px) * k) / n, py + ((y - py) * k) / n);
      }
    }
    keep(x, y);
  }
  // Routes end going straight down into the host (edgePath's S-curves are vertical at both ends).
  for (let k = 0; k <= 4; k++) {
    const t = k / 4;
    keep(e.x2 - HEAD_HALF_W * t, e.y2 - HEAD_LEN * t);
    keep(e.x2 + HEAD_HALF_W * t, e.y2 - HEAD_LEN * t);
  }
  return out;
}

/** The distance from `r` to the nearest of `pts` (Infinity for none). */
function nearest(r: Rect, pts: [number, number][]): number {
  let d = Infinity;
  for (const p of pts) d = Math.min(d, rectDist(r, p));
  return d;
}

/** How far apart the tails of one box's mshare edges are (at most: narrow boxes squeeze them). */
const MSHARE_TAIL_STEP = 28;

/** Label heights below the tail and distances out from it that placeLabels tries. */
const LABEL_DYS = [11, 8, 14];
const LABEL_OUTS = [0, 6, 12, 18, 24, 30];
/**
 * How far around its candidates a label looks at lines: further than the 24 px at which another
 * edge no longer matters, and than its own tail is from any candidate (the nearest point of its
 * own line is never further than that).
 */
const LABEL_REACH = 64;

/**
 * Puts each ×N label beside its edge's tail, where it reads as that edge's: nearer to its own
 * line than to any other edge, on no box and on no line. The arrowhead is at the other end.
 * Candidates: right or left of the tail (right first), a little lower or further out when the
 * edge itself bends under the label. A review found "×20" on the side its own edge does not
 * bend to but beside another process's edge and arrowhead, read as that edge's count: the old
 * check looked only at points within 8 px of the label's line, sideways.
 */
function placeLabels(nodes: ProcNode[], live: ProcEdge[]): void {
  const labelled = live.filter((e) => e.label);
  if (labelled.length === 0) return;
  const bounds = new Map(live.map((e) => [e, edgeBounds(e)]));
  const boxes: Rect[] = nodes.map((n) => ({ x0: n.x - 2, x1: n.x + n.w + 2, y0: n.y - 2, y1: n.y + n.h + 2 }));
  // Labels placed so far count as boxes: two labels never overlap.
  const overlapsBox = (r: Rect) => boxes.some((b) => r.x0 < b.x1 && r.x1 > b.x0 && r.y0 < b.y1 && r.y1 > b.y0);
  for (const e of labelled) {
    const tw = estimateText(e.label!, 'line');
    const half = (e.y2 - e.y1) / 2;
    const far = LABEL_GAP + LABEL_OUTS[LABEL_OUTS.length - 1] + tw;
    const win: Rect = {
      x0: e.x1 - far - LABEL_REACH, x1: e.x1 + far + LABEL_REACH,
      y0: e.y1 - LABEL_HALF_H - LABEL_REACH, y1: e.y1 + Math.max(...LABEL_DYS) + LABEL_HALF_H + LABEL_REACH,
    };
    const own = edgeOutline(e, win);
    const others: [number, number][] = [];
    for (const o of live) {
      if (o === e || !overlaps(bounds.get(o)!, win)) continue;
      for (const p of edgeOutline(o, win)) others.push(p);
    }
    let best: { score: number; la: 'start' | 'end'; lx: number; ly: number } | null = null;
    for (const dy of LABEL_DYS) {
      const ly = e.y1 + Math.min(dy, half);
      for (const out of LABEL_OUTS) {
        for (const la of ['start', 'end'] as const) {
          const lx = la === 'start' ? e.x1 + LABEL_GAP + out : e.x1 - LABEL_GAP - out;
          const r: Rect = la === 'start' ? { x0: lx, x1: lx + tw, y0: ly - LABEL_HALF_H, y1: ly + LABEL_HALF_H } : { x0: lx - tw, x1: lx, y0: ly - LABEL_HALF_H, y1: ly + LABEL_HALF_H };
          if (r.x0 < 0 || overlapsBox(r)) continue;
          const dOwn = nearest(r, own);
          if (dOwn < 3) continue;
          const dOther = nearest(r, others);
          // Nearer its own line than any other, by as much as helps (24 px is clear; closer to
          // its own line than LABEL_GAP gains nothing: the side the edge does not bend to comes
          // first); then close to the tail, on the right, at the first height.
          const score = Math.min(dOther, 24) - Math.max(dOwn, LABEL_GAP) - out * 0.05 - (la === 'end' ? 0.5 : 0) - (dy === 11 ? 0 : 0.25);
          if (!best || score > best.score) best = { score, la, lx, ly };
        }
      }
    }
    // Nowhere clear (a cramped graph): beside the tail on the right, as before.
    const b = best ?? { la: 'start' as const, lx: e.x1 + LABEL_GAP, ly: e.y1 + Math.min(11, half) };
    e.la = b.la;
    e.lx = b.lx;
    e.ly = b.ly;
    boxes.push(b.la === 'start' ? { x0: b.lx - 2, x1: b.lx + tw + 2, y0: b.ly - LABEL_HALF_H, y1: b.ly + LABEL_HALF_H } : { x0: b.lx - tw - 2, x1: b.lx + 2, y0: b.ly - LABEL_HALF_H, y1: b.ly + LABEL_HALF_H });
  }
}

/** The SVG path of an edge's route: drops as lines, moves across as S-curves (vertical at both ends). */
export function edgePath(e: ProcEdge): string {
  const r = e.route;
  if (r.length < 2) return '';
  let d = `M${r[0][0]},${r[0][1]}`;
  for (let i = 1; i < r.length; i++) {
    const [ax, ay] = r[i - 1];
    const [bx, by] = r[i];
    if (Math.abs(ax - bx) < 0.01) d += ` L${bx},${by}`;
    else {
      const my = (ay + by) / 2;
      d += ` C${ax},${my} ${bx},${my} ${bx},${by}`;
    }
  }
  return d;
}

/** Points along an edge as drawn (edgePath), `n` per curve: a polyline for tests and hit checks. */
export function edgePoints(e: ProcEdge, n = 24): [number, number][] {
  const r = e.route;
  const out: [number, number][] = r.length ? [r[0]] : [];
  for (let i = 1; i < r.length; i++) {
    const [ax, ay] = r[i - 1];
    const [bx, by] = r[i];
    if (Math.abs(ax - bx) < 0.01) {
      out.push([bx, by]);
      continue;
    }
    const my = (ay + by) / 2;
    for (let k = 1; k <= n; k++) {
      const t = k / n;
      const u = 1 - t;
      const x = u * u * u * ax + 3 * u * u * t * ax + 3 * u * t * t * bx + t * t * t * bx;
      const y = u * u * u * ay + 3 * u * u * t * my + 3 * u * t * t * my + t * t * t * by;
      out.push([x, y]);
    }
  }
  return out;
}

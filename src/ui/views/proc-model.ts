/**
 * The processes-and-mm_structs graph as data: one node per mm_struct in use (its tasks
 * inside: threads share one), fork edges from the parent's mm, one node per mshare host mm,
 * and an edge from every attached VMA to its host. Identical siblings (same parent, same
 * mappings and counters) are grouped: "db1..db1500 ×1500". Layout: top-down, one row per
 * fork depth, mshare hosts in a row of their own below. Given a `maxWidth`, a process tree
 * that maps no mshare region and would run past it goes below the hosts instead, wrapping
 * into bands (a spawned process beside two database clients ran off a narrow panel while its
 * lower half stood empty; trees with mshare VMAs stay above their hosts, so no edge crosses
 * a band). Every box is as wide as its longest
 * line of text (at least NODE_W), measured by the caller's `measure` (the view measures with
 * a canvas in the page's fonts; the default is a generous estimate). Pure and deterministic.
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
  /** Where the label starts (text-anchor start, vertically centred): beside the edge's tail, clear of its arrowhead. */
  lx?: number;
  ly?: number;
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
    const nums = m.map((x) => Number(x![2])).sort((a, b) => a - b);
    return `${m[0]![1]}${nums[0]}..${m[0]![1]}${nums[nums.length - 1]}`;
  }
  return names.length > 2 ? `${names[0]}, ${names[1]}, …` : names.join(', ');
}

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
    if (p) edges.push({ id: `f${n.id}`, kind: 'fork', from: nodeOfMm.get(p)!, to: n.id, x1: 0, y1: 0, x2: 0, y2: 0 });
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
    edges.push({ id: `s${key}`, kind: 'mshare', from, to, x1: 0, y1: 0, x2: 0, y2: 0, ...(c > 1 ? { label: `×${c}` } : {}) });
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
  for (const n of nodes) n.y = rowY[n.y];
  placeEdges(nodes, edges);
  const ended = snap.tasks.filter((t) => t.state === 'exited' || t.state === 'killed');
  const width = Math.max(NODE_W, ...nodes.map((n) => n.x + n.w));
  const height = Math.max(40, ...nodes.map((n) => n.y + n.h));
  return { nodes, edges, width, height, ended };
}

/** Gap between an edge and its label (more than half the widest arrowhead, 7 x 2.4 px / 2). */
export const LABEL_GAP = 12;

/**
 * Edge end points. Fork edges run from the middle of the parent's bottom; mshare edges from
 * further right (so a process's fork and mshare edges do not coincide), and the mshare edges
 * into one host end spread along its top, in the order of their tails.
 */
function placeEdges(nodes: ProcNode[], edges: ProcEdge[]): void {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const into = new Map<string, ProcEdge[]>();
  for (const e of edges) {
    const a = byId.get(e.from);
    const b = byId.get(e.to);
    if (!a || !b) continue;
    e.x1 = e.kind === 'fork' ? a.x + a.w / 2 : a.x + a.w * 0.7;
    e.y1 = a.y + a.h;
    e.x2 = b.x + b.w / 2;
    e.y2 = b.y - 2;
    if (e.kind === 'mshare') {
      if (!into.has(e.to)) into.set(e.to, []);
      into.get(e.to)!.push(e);
    }
  }
  for (const [to, list] of into) {
    const b = byId.get(to)!;
    list.sort((p, q) => p.x1 - q.x1);
    list.forEach((e, i) => {
      e.x2 = b.x + (b.w * (i + 1)) / (list.length + 1);
    });
  }
  for (const e of edges) {
    if (!e.label) continue;
    // Beside the tail, where the edge leaves its box going straight down; the arrowhead is at the other end.
    e.lx = e.x1 + LABEL_GAP;
    e.ly = e.y1 + Math.min(11, (e.y2 - e.y1) / 2);
  }
}

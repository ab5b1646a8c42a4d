/**
 * What a table box of the page-table tree says, and how wide the box must be to say it
 * (pure: no DOM, unit-tested in tests/ui/pt-text.test.ts).
 *
 * A row is two texts, the entry range and address on the left, where it leads on the right
 * ("480-511 0x7efffc000000" and "→ 32 tables"). With a fixed 222 px box the two ran into
 * each other at 1280x720 (a review's "0x7efffc000000→ 32 tables"): every box of a tree is now
 * as wide as its widest row, title or subtitle needs, estimated on the wide side of the
 * fonts they are drawn in, so nothing is cut or overlaps whichever font the browser picks.
 */
import { count, hex, plural, size } from '../format';
import type { LeafRun, PtModel, PtNode, PtRow } from './pt-model';

/** The narrowest box (the width every box had before): small trees keep their look. */
export const NODE_MIN_W = 222;
/** Where a row's left text starts. */
export const ROW_LEFT_X = 4;
/** From a row's right text to the box's right edge: the frame-use swatch sits there. */
export const ROW_RIGHT_PAD = 12;
/** Where the title and subtitle start, and room for the collapse toggle after the title. */
export const TITLE_X = 8;
export const TOGGLE_ROOM = 24;

/**
 * Width estimates in CSS pixels. Rows and titles are monospace (DejaVu Sans Mono and
 * Liberation Mono are 0.6 em a character; 0.62 leaves slack); the title is 13 px in presenter
 * mode (talk.css), 12 px at the desk, so it is measured at 13. The subtitle is sans, whose
 * characters are narrower than 0.62 em on average.
 */
const MONO_EM = 0.62;
const ROW_PX = 10.5;
const TITLE_PX = 13;
const SUB_PX = 10.5;
/** At least this much space between a row's two texts. */
export const ROW_GAP = ROW_PX * MONO_EM * 1.5;

export const rowTextWidth = (text: string): number => [...text].length * ROW_PX * MONO_EM;
export const titleTextWidth = (text: string): number => [...text].length * TITLE_PX * MONO_EM;
export const subTextWidth = (text: string): number => [...text].length * SUB_PX * MONO_EM;

/** A row's left (range and address) and right (child table, or the pages it maps) texts. */
export function rowText(r: PtRow): [string, string] {
  const range = r.first === r.last ? `${r.first}` : `${r.first}-${r.last}`;
  const left = `${range} ${hex(r.va)}`;
  if (r.child !== undefined) return [left, r.tables ? `→ ${r.tables} tables` : `→ ${hex(r.child)}`];
  const l = r.leaf!;
  const use = Object.keys(l.uses).length === 1 ? Object.keys(l.uses)[0] : 'mixed';
  const page = l.pageBytes === 4096 ? '' : ` ${size(l.pageBytes)}`;
  return [left, `${l.count === 1 ? `${use}${page}` : `${l.count}×${page} ${use}`} ${leafTarget(l)}`];
}

/**
 * Where a leaf run points, and how, in the tree's arrow notation ("→ 0x104" on a table row):
 * "→ 0x1a3 RO" for one entry, "→ 0x1a3-0x1a4 RO" for a run of consecutive frames, "→ 0x1a3,… RW"
 * when they are not consecutive (the tooltip names the last), "all → 0x100 RO" when every
 * entry maps the one frame (read faults on untouched anonymous memory all map the zero page:
 * "0x100,…" read as 253 different frames). After fork both processes' rows read the same
 * frames, RO; after the copy-on-write fault the writer's row names a new frame, RW. A run
 * never mixes RO and RW.
 */
export function leafTarget(l: LeafRun): string {
  const rw = l.writable > 0 ? 'RW' : 'RO';
  if (l.count === 1) return `→ ${hex(l.firstPfn)} ${rw}`;
  if (l.oneFrame) return `all → ${hex(l.firstPfn)} ${rw}`;
  return `→ ${hex(l.firstPfn)}${l.contiguous ? `-${hex(l.lastPfn)}` : ',…'} ${rw}`;
}

/** The frames of a leaf run, for its tooltip. */
function leafFrames(l: LeafRun): string {
  if (l.count === 1) return `pfn ${hex(l.firstPfn)}`;
  if (l.oneFrame) return `all pfn ${hex(l.firstPfn)}`;
  return `pfn ${hex(l.firstPfn)} to ${hex(l.lastPfn)}${l.contiguous ? '' : ' (not consecutive)'}`;
}

/**
 * A leaf row's tooltip. In a node that stands for `tables` identical PTE tables (pt-model.ts
 * groups tables with the same entries, RW count and single use) the pages and their
 * breakdown by use are both totals over the tables (a review found "16384 × 4K (shmem 512)":
 * the total scaled, the breakdown not); the frames are the first table's.
 */
export function leafTitle(r: PtRow, tables: number): string {
  const l = r.leaf!;
  const range = r.first === r.last ? `entry ${r.first}` : `entries ${r.first}-${r.last}`;
  const uses = Object.entries(l.uses).map(([k, v]) => `${k} ${count(v * tables)}`).join(', ');
  const pages = `${count(l.count * tables)} × ${size(l.pageBytes)} (${uses})`;
  const each = tables > 1 ? `: ${count(l.count)} in each of ${count(tables)} tables` : '';
  const where = tables > 1 ? ' in the first table' : '';
  return `${range} at ${hex(r.va)}: ${r.flags} → ${pages}${each}, ${leafFrames(l)}${where}, ${l.writable ? 'read-write' : 'read-only'}`;
}

/**
 * The badge above a table page used by more than one page table (Sharing in pt-model.ts), or
 * null. One meaning for hugetlb and mshare: the processes whose tables point at the page.
 * mshare adds "+ host mm" (the host's PGD points at the PUD page too, though it runs no task),
 * and "1 of 2 sharers" while some processes have the region mapped but have not faulted (linked)
 * yet. "· N drawn" only when the tree shows fewer parents than there are.
 */
export function badgeText(n: PtNode): string | null {
  const s = n.sharing;
  if (s.kind === 'none' && s.processes < 2) return null;
  const drawn = s.drawn < s.processes ? ` · ${count(s.drawn)} drawn` : '';
  if (s.kind === 'hugetlb' && s.entries !== undefined && s.entries > s.processes) {
    return `shared by ${count(s.entries)} PUD entries of ${plural(s.processes, 'process', 'processes')}${drawn}`;
  }
  if (s.kind === 'mshare') {
    const who = s.attached !== undefined && s.attached > s.processes
      ? `${count(s.processes)} of ${plural(s.attached, 'sharer')}`
      : plural(s.processes, 'process', 'processes');
    return `linked by ${who} + host mm${drawn}`;
  }
  return `shared by ${plural(s.processes, 'process', 'processes')}${drawn}`;
}

/** The badge's tooltip: the kernel's count and what it counts. */
export function badgeTitle(n: PtNode): string {
  const s = n.sharing;
  const drawn = `${plural(s.drawn, 'parent table')} of them drawn here.`;
  if (s.kind === 'mshare') {
    const waiting = s.attached !== undefined && s.attached > s.processes
      ? ` ${plural(s.attached, 'process', 'processes')} have the region mapped; the other ${count(s.attached - s.processes)} will link on first fault.`
      : '';
    return `mshare PUD page of host mm ${s.hostMm}: pt_share_count ${s.count} = processes whose PGD entry points here (linked).`
      + ` The host mm's PGD points here too; it runs no task.${waiting} ${drawn}`;
  }
  if (s.kind === 'hugetlb') {
    const entries = s.entries ?? s.count + 1;
    const who = entries > s.processes
      ? `${count(entries)} PUD entries point here, in ${plural(s.processes, 'process', 'processes')} (one process mapping the same file unit twice shares it too)`
      : `the PUD entries of ${plural(s.processes, 'process', 'processes')} point here`;
    return `hugetlb shared PMD page: pt_share_count ${s.count} counts the sharers beyond the first, so ${who}. ${drawn}`;
  }
  return `${plural(s.processes, 'parent table')} point here. ${drawn}`;
}

export function titleText(n: PtNode): string {
  return n.group.length > 1 ? `${n.levelName} ×${n.group.length}  ${hex(n.pfn)}…` : `${n.levelName}  pfn ${hex(n.pfn)}`;
}

export function subText(n: PtNode): string {
  if (n.depth === 0) return `${n.roots.join(' · ')} · mm ${n.owner}`;
  const parts = [n.group.length > 1 ? `${n.present} present in each` : `${n.present} present`, `mm ${n.owner}${n.foreign ? ' (host)' : ''}`];
  return parts.join(' · ');
}

/** The badge's width: bold sans at 10.5 px (presenter), about 0.62 em a character, and 4 px padding each side. */
export const badgeWidth = (text: string): number => [...text].length * 10.5 * MONO_EM + 8;
/** The badge sits this far in from the box's right edge, above the box. */
export const BADGE_RIGHT = 8;

/** The width one box needs for its title (and toggle), subtitle, badge and rows. */
export function nodeNeeds(n: PtNode): number {
  let w = Math.max(TITLE_X + titleTextWidth(titleText(n)) + TOGGLE_ROOM, TITLE_X + subTextWidth(subText(n)) + TITLE_X);
  const badge = badgeText(n);
  if (badge) w = Math.max(w, badgeWidth(badge) + BADGE_RIGHT + TITLE_X);
  if (!n.collapsed) {
    for (const r of n.rows) {
      const [l, rt] = rowText(r);
      w = Math.max(w, ROW_LEFT_X + rowTextWidth(l) + ROW_GAP + rowTextWidth(rt) + ROW_RIGHT_PAD);
    }
  }
  return w;
}

/** The widest box of the tree: the widest need, at least NODE_MIN_W. */
export function nodeWidth(model: PtModel): number {
  return Math.max(...columnWidths(model));
}

/**
 * One width per level (the boxes of a column stay aligned): the widest need of that level, at
 * least NODE_MIN_W. Per column, so the long leaf rows ("512× shmem → 0x106-0x305 RW") widen
 * only the PTE column, not the PGD, PUD and PMD columns with it.
 */
export function columnWidths(model: PtModel): number[] {
  const w = new Array<number>(model.levels).fill(NODE_MIN_W);
  for (const n of model.nodes.values()) {
    while (w.length <= n.depth) w.push(NODE_MIN_W);
    w[n.depth] = Math.max(w[n.depth], nodeNeeds(n));
  }
  return w.map((x) => Math.ceil(x));
}

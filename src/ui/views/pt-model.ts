/**
 * The page-table DAG, read from the real table frames in the shared RAM buffer: every table
 * page reachable from the given PGDs, once each, with every parent that links to it. Only
 * present entries; consecutive leaf entries are grouped into runs. No DOM: the tree view
 * lays this out and draws it.
 *
 * Traversal uses an explicit stack (deep or wide trees cannot overflow the call stack).
 */
import { entryPfn, FRAME_USE_NAMES, levelNames, PTE_P, PTE_PS, PTE_RW, PTE_US, PTE_HI_NX, flagString, type FrameDescViews } from '../../engine/abi';

export interface PtRoot {
  /** Label shown above the PGD: the process (or processes) using this mm. */
  label: string;
  mm: number;
  pgd: number;
}

export interface LeafRun {
  /** Number of entries in the run. */
  count: number;
  /** Bytes each entry maps (4K, or 2M/1G for PS entries). */
  pageBytes: number;
  firstPfn: number;
  /** Frames by use name. */
  uses: Record<string, number>;
  writable: number;
  /** Target frame of the run's last entry, and whether each entry maps the frame after the one before. */
  lastPfn: number;
  contiguous: boolean;
  /** Every entry of the run maps the same frame (the zero page after read faults: R8). */
  oneFrame: boolean;
}

export interface PtRow {
  first: number;
  last: number;
  /** Virtual address of entry `first` (along the path the node was first reached by). */
  va: number;
  flags: string;
  /** Child table node id, for a non-leaf entry. */
  child?: number;
  /** For a run of entries pointing at identical PTE tables (drawn as one node): how many. */
  tables?: number;
  leaf?: LeafRun;
}

/**
 * Who shares a table page, one meaning for hugetlb and mshare: the processes (mms that run
 * tasks, not an mshare host mm) whose page tables have an entry pointing at this page.
 *  - hugetlb PMD sharing: pt_share_count counts the sharers beyond the first, so
 *    processes = count + 1 (each has a PUD entry pointing here).
 *  - mshare: the host's PUD page's count is the number of linked processes (a sharer links on
 *    its first fault), so processes = count; the host mm's PGD points here too (`host`).
 *  - hugetlb within one process: two VMAs of one mm mapping the same file unit share the PMD
 *    page as well, so `entries` (count + 1) can exceed `processes` (pmd-sharers.ts counts mms).
 * A page is drawn as shared when two processes, or two PUD entries of one, use it.
 */
export interface Sharing {
  kind: 'none' | 'hugetlb' | 'mshare';
  /** The page's pt_share_count (frame descriptor `share`). */
  count: number;
  /** Processes whose tables point at the page. */
  processes: number;
  /**
   * hugetlb: the PUD entries that point at the page (pt_share_count + 1). More than
   * `processes` when one process maps the same file unit twice.
   */
  entries?: number;
  /** mshare: the host mm's PGD points at the page as well. */
  host: boolean;
  /** mshare: the host mm's id, and how many processes have the region mapped (linked or not yet). */
  hostMm?: number;
  attached?: number;
  /** Parent tables drawn in this tree (processes compared side by side). */
  drawn: number;
}

/** The mshare host mms the snapshot knows (RegionModel.hostMm → its attached sharers). */
export type HostMms = ReadonlyMap<number, { sharers: number }>;

/** Shared hugetlb PMD page → distinct mms pointing at it (pmd-sharers.ts). */
export type PmdSharerMms = ReadonlyMap<number, number>;

export function sharingOf(n: Pick<PtNode, 'pfn' | 'share' | 'parents' | 'owner'>, use: string, hosts: HostMms, pmdMms: PmdSharerMms = new Map()): Sharing {
  const drawn = n.parents.filter((p) => p >= 0).length;
  const host = hosts.get(n.owner);
  if (n.share > 0 && use === 'pud' && host) {
    return { kind: 'mshare', count: n.share, processes: Math.max(n.share, drawn), host: true, hostMm: n.owner, attached: host.sharers, drawn };
  }
  if (n.share > 0) {
    const entries = n.share + 1;
    // Without the per-mm count (a caller that did not compute it), every entry is a process.
    const processes = pmdMms.get(n.pfn) ?? Math.max(entries, drawn);
    return { kind: 'hugetlb', count: n.share, processes, entries, host: false, drawn };
  }
  return { kind: 'none', count: 0, processes: Math.max(1, drawn), host: false, drawn };
}

/** Drawn with the shared styling: used by two processes, or by two PUD entries of one. */
export function isShared(s: Sharing): boolean {
  return s.processes > 1 || (s.entries ?? 0) > 1;
}

export interface PtNode {
  pfn: number;
  depth: number;
  levelName: string;
  /** frame descriptor fields */
  owner: number;
  share: number;
  /** Parent table pfns (and the root marker -1 for a PGD). */
  parents: number[];
  rows: PtRow[];
  /** Present entries in total (rows may be truncated). */
  present: number;
  truncated: number;
  /** Used by two processes or two PUD entries (see Sharing, isShared): drawn as shared. */
  shared: boolean;
  sharing: Sharing;
  /** Owned by an mm other than the root that first reached it (an mshare host's tables). */
  foreign: boolean;
  /** Collapsed by the user: children not followed. */
  collapsed: boolean;
  /** The root labels that reach this node. */
  roots: string[];
  /** pfns of the identical tables this node stands for (one, unless a run was grouped). */
  group: number[];
}

export interface PtModel {
  roots: PtRoot[];
  nodes: Map<number, PtNode>;
  /** Nodes in first-visit (preorder) order. */
  order: number[];
  levels: number;
}

export const MAX_ROWS = 40;

export function buildPtModel(
  u32: Uint32Array,
  desc: FrameDescViews,
  roots: PtRoot[],
  levels: number,
  collapsed: ReadonlySet<number>,
  hosts: HostMms = new Map(),
  pmdMms: PmdSharerMms = new Map(),
): PtModel {
  const names = levelNames(levels);
  const shifts = levels === 5 ? [48, 39, 30, 21, 12] : [39, 30, 21, 12];
  const nodes = new Map<number, PtNode>();
  const order: number[] = [];
  const nframes = desc.use.length;

  /** Summary of a leaf-level table, to group runs of identical ones: "" = do not group. */
  const tableSig = (pfn: number): string => {
    if (nodes.has(pfn) || desc.share[pfn] > 0 || collapsed.has(pfn)) return '';
    let present = 0, rw = 0, first = -1, last = -1;
    let use = -1;
    for (let i = 0; i < 512; i++) {
      const lo = u32[pfn * 1024 + i * 2];
      if (!(lo & PTE_P)) continue;
      present++;
      if (first < 0) first = i;
      last = i;
      if (lo & PTE_RW) rw++;
      const t = entryPfn(lo, u32[pfn * 1024 + i * 2 + 1]);
      const u = t < nframes ? desc.use[t] : 255;
      if (use < 0) use = u;
      else if (use !== u) return '';
    }
    return `${present}:${rw}:${use}:${first}:${last}:${desc.owner[pfn]}`;
  };

  for (const root of roots) {
    // Explicit stack; children pushed in reverse so entry order is kept.
    const stack: { pfn: number; depth: number; parent: number; base: number; group: number[] }[] = [{ pfn: root.pgd, depth: 0, parent: -1, base: 0, group: [root.pgd] }];
    while (stack.length) {
      const { pfn, depth, parent, base, group } = stack.pop()!;
      if (pfn <= 0 || pfn >= nframes) continue;
      const seen = nodes.get(pfn);
      if (seen) {
        if (!seen.parents.includes(parent)) seen.parents.push(parent);
        if (!seen.roots.includes(root.label)) seen.roots.push(root.label);
        continue;
      }
      const node: PtNode = {
        pfn, depth, levelName: names[depth] ?? `L${depth}`,
        owner: desc.owner[pfn], share: desc.share[pfn], parents: [parent], rows: [], present: 0, truncated: 0,
        shared: false, sharing: { kind: 'none', count: 0, processes: 1, host: false, drawn: 0 },
        foreign: depth > 0 && desc.owner[pfn] !== 0 && desc.owner[pfn] !== root.mm,
        collapsed: collapsed.has(pfn), roots: [root.label], group,
      };
      nodes.set(pfn, node);
      order.push(pfn);
      const shift = shifts[depth];
      const leafLevel = depth === levels - 1;
      const groupChildren = depth === levels - 2;
      const children: typeof stack = [];
      let run: PtRow | null = null;
      let tableRun: { row: PtRow; sig: string; group: number[] } | null = null;
      for (let i = 0; i < 512; i++) {
        const w = pfn * 1024 + i * 2;
        const lo = u32[w];
        if (!(lo & PTE_P)) {
          run = null;
          tableRun = null;
          continue;
        }
        const hi = u32[w + 1];
        node.present++;
        const target = entryPfn(lo, hi);
        const va = base + i * 2 ** shift;
        const isLeaf = leafLevel || (lo & PTE_PS) !== 0;
        if (!isLeaf) {
          run = null;
          const sig = groupChildren ? tableSig(target) : '';
          if (tableRun && sig && sig === tableRun.sig && tableRun.row.last === i - 1) {
            tableRun.row.last = i;
            tableRun.row.tables = (tableRun.row.tables ?? 1) + 1;
            tableRun.group.push(target);
            continue;
          }
          const row: PtRow = { first: i, last: i, va, flags: flagString(lo, hi), child: target };
          if (node.rows.length < MAX_ROWS) node.rows.push(row);
          else node.truncated++;
          const g = [target];
          tableRun = sig ? { row, sig, group: g } : null;
          if (!node.collapsed) children.push({ pfn: target, depth: depth + 1, parent: pfn, base: va, group: g });
          continue;
        }
        tableRun = null;
        const use = target < nframes ? FRAME_USE_NAMES[desc.use[target]] ?? 'unknown' : 'unknown';
        const sameKind = run && run.last === i - 1 && run.leaf && ((lo & PTE_RW) !== 0) === run.leaf.writable > 0;
        if (run && sameKind && run.leaf) {
          run.last = i;
          run.leaf.count++;
          run.leaf.contiguous &&= target === run.leaf.lastPfn + 2 ** shift / 4096;
          run.leaf.oneFrame &&= target === run.leaf.firstPfn;
          run.leaf.lastPfn = target;
          run.leaf.uses[use] = (run.leaf.uses[use] ?? 0) + 1;
          if (lo & PTE_RW) run.leaf.writable++;
        } else {
          run = {
            first: i, last: i, va, flags: flagString(lo, hi),
            leaf: { count: 1, pageBytes: 2 ** shift, firstPfn: target, lastPfn: target, contiguous: true, oneFrame: true, uses: { [use]: 1 }, writable: lo & PTE_RW ? 1 : 0 },
          };
          if (node.rows.length < MAX_ROWS) node.rows.push(run);
          else node.truncated++;
        }
      }
      for (let c = children.length - 1; c >= 0; c--) stack.push(children[c]);
    }
  }
  for (const n of nodes.values()) {
    n.sharing = sharingOf(n, FRAME_USE_NAMES[desc.use[n.pfn]] ?? 'unknown', hosts, pmdMms);
    n.shared = isShared(n.sharing);
  }
  return { roots, nodes, order, levels };
}

/** Bits of an entry in words, for the inspector: [lo, hi] of entry `index` of table `pfn`. */
export function readEntry(u32: Uint32Array, pfn: number, index: number): [number, number] {
  const w = pfn * 1024 + index * 2;
  return [u32[w], u32[w + 1]];
}

export { PTE_RW, PTE_US, PTE_HI_NX };

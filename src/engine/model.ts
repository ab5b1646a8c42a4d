/**
 * The model snapshot: a small, structured-cloneable summary of the kernel objects that the
 * UI draws (tasks, mms, VMAs, regions, cgroups, counters). Page tables and frames are NOT in
 * it: the UI reads those zero-copy from the shared buffers (see abi.ts), starting from each
 * mm's `pgd` frame. `generation` increases with every change, so the UI never mixes a
 * snapshot with buffers from another step.
 */
import type { Kernel } from './kernel';
import { maps, meminfo, shownPath, status, tlbReport, type MapsEntry, type Meminfo, type Status } from './mm/proc';
import { sharerMms } from './mshare/region';
import type { Inode, KernelState, MachineConfig, Mm, MshareRegion, Policies, Task, Vma } from './types';

export interface TaskModel {
  pid: number;
  tgid: number;
  name: string;
  state: string;
  signal: string | null;
  killReason: string | null;
  parent: number;
  mm: number;
  cpu: number;
  cgroup: string;
  status: Status;
}

export interface VmaModel extends MapsEntry {
  startNum: number;
  endNum: number;
  /** For msharefs VMAs: the host mm id. */
  hostMm: number | null;
}

export interface MmModel {
  id: number;
  pgd: number;
  tasks: number[];
  users: number;
  host: string | null; // region path for an mshare host mm
  vmas: VmaModel[];
  status: Status;
  /**
   * mm_cpumask: the CPUs that have this mm loaded (running it or lazily holding it), in
   * ascending order. A list, since with up to 64 CPUs the mask does not fit a JS number.
   */
  cpumask: number[];
}

export interface RegionModel {
  id: number;
  /** As /proc names it: " (deleted)" appended once unlinked (shownPath). */
  path: string;
  /** Unlinked: it lives on only through its mappings, and its name may be another region's. */
  deleted: boolean;
  start: number;
  size: number;
  hostBase: number;
  owner: number;
  hostMm: number;
  flavour: number;
  orphaned: boolean;
  sharers: number;
  attachedMms: number[];
}

export interface ModelSnapshot {
  generation: number;
  config: MachineConfig;
  policies: Policies;
  nframes: number;
  reservedFrames: number;
  zeroPfn: number;
  levels: number;
  tasks: TaskModel[];
  mms: MmModel[];
  regions: RegionModel[];
  cgroups: { name: string; current: number; pagetables: number; anon: number; shmem: number; limit: number | null; oomKills: number }[];
  meminfo: Meminfo;
  tlb: ReturnType<typeof tlbReport>;
  cpus: { id: number; mm: number; task: number; asid: number; asidMm: number[] }[];
  oomKills: number;
  lockInversions: string[];
  /** Where msharefs is mounted (the toolbar's region form needs to know). */
  mounts: string[];
}

/**
 * The models of the previous build of a machine, by pid and mm id, with what each was made
 * from. A new build compares a task's or mm's current inputs (counters, a few VMA fields;
 * no allocation) with those and, when nothing changed, returns the cached model itself. So
 * an unchanged task or mm is the same object from one snapshot to the next: building costs
 * little at 1,500 processes, and the worker sends only the changed ones (see
 * src/worker/snapshot-patch.ts). Validation, not a dirty flag the engine could forget to
 * set; keyed by the Machine, so a rebuilt machine starts afresh.
 */
interface VmaKey {
  start: number;
  end: number;
  flags: number;
  pgoff: number;
  label: string | null;
  file: Inode | null;
  fileKind: string | null;
  filePath: string | null;
  region: MshareRegion | null;
  regionPath: string | null;
  hostMm: number | null;
}

interface MmEntry {
  model: MmModel;
  rssAnon: number;
  rssFile: number;
  rssShmem: number;
  pgtablesBytes: number;
  hugetlbPages: number;
  vmas: VmaKey[];
}

interface TaskEntry {
  model: TaskModel;
  /** The mm model the status came from (null: a task without a live mm). */
  src: MmModel | null;
}

interface ModelCache {
  tasks: Map<number, TaskEntry>;
  mms: Map<number, MmEntry>;
}

const caches = new WeakMap<object, ModelCache>();

function vmaKey(v: Vma): VmaKey {
  return {
    start: v.start, end: v.end, flags: v.flags, pgoff: v.pgoff, label: v.label,
    // Shown paths: an unlink changes them (" (deleted)") and nothing else about the VMA.
    file: v.file, fileKind: v.file ? v.file.kind : null, filePath: v.file ? shownPath(v.file) : null,
    region: v.region, regionPath: v.region ? shownPath(v.region.inode) : null, hostMm: v.region ? v.region.host.id : null,
  };
}

function sameVma(k: VmaKey, v: Vma): boolean {
  return k.start === v.start && k.end === v.end && k.flags === v.flags && k.pgoff === v.pgoff && k.label === v.label &&
    k.file === v.file && (v.file === null || (k.fileKind === v.file.kind && k.filePath === shownPath(v.file))) &&
    k.region === v.region && (v.region === null || (k.regionPath === shownPath(v.region.inode) && k.hostMm === v.region.host.id));
}

/** Did nothing the mm's model is made of change? */
function sameMm(e: MmEntry, mm: Mm, cpumask: number[]): boolean {
  const m = e.model;
  if (m.pgd !== mm.pgd || m.users !== mm.users || !sameList(m.cpumask, cpumask) || m.host !== (mm.hostOf ? shownPath(mm.hostOf.inode) : null)) return false;
  if (e.rssAnon !== mm.rssAnon || e.rssFile !== mm.rssFile || e.rssShmem !== mm.rssShmem || e.pgtablesBytes !== mm.pgtablesBytes || e.hugetlbPages !== mm.hugetlbPages) return false;
  if (m.tasks.length !== mm.tasks.length || e.vmas.length !== mm.vmas.length) return false;
  for (let i = 0; i < mm.tasks.length; i++) if (m.tasks[i] !== mm.tasks[i]) return false;
  for (let i = 0; i < mm.vmas.length; i++) if (!sameVma(e.vmas[i], mm.vmas[i])) return false;
  return true;
}

function sameList(a: number[], b: number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Each mm's mm_cpumask as a list: the CPUs whose CR3 holds it (cpu.ts keeps no copy). */
function cpumasks(s: KernelState): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const c of s.cpus) {
    if (!c.mm) continue;
    const l = out.get(c.mm.id);
    if (l) l.push(c.id);
    else out.set(c.mm.id, [c.id]);
  }
  return out;
}

const NO_CPUS: number[] = [];

function mmModel(mm: Mm, cpumask: number[]): MmModel {
  const ms = maps(mm);
  return {
    id: mm.id,
    pgd: mm.pgd,
    tasks: [...mm.tasks],
    users: mm.users,
    host: mm.hostOf ? shownPath(mm.hostOf.inode) : null,
    vmas: mm.vmas.map((v, i) => ({ ...ms[i], startNum: v.start, endNum: v.end, hostMm: v.region ? v.region.host.id : null })),
    status: status(mm),
    cpumask,
  };
}

function taskModel(t: Task, statusMm: Mm | null, threads: number): TaskModel {
  return {
    pid: t.pid,
    tgid: t.tgid,
    name: t.name,
    state: t.state,
    signal: t.signal,
    killReason: t.killReason,
    parent: t.parent,
    mm: t.mm?.id ?? 0,
    cpu: t.cpu,
    cgroup: t.cgroup.name,
    status: status(statusMm, threads),
  };
}

/** Did nothing the task's model is made of change? (`src`: the mm model its status comes from.) */
function sameTask(e: TaskEntry, t: Task, src: MmModel | null, threads: number): boolean {
  const m = e.model;
  return e.src === src && m.status.Threads === (src ? threads : 0) && m.tgid === t.tgid && m.name === t.name && m.state === t.state &&
    m.signal === t.signal && m.killReason === t.killReason && m.parent === t.parent && m.mm === (t.mm?.id ?? 0) &&
    m.cpu === t.cpu && m.cgroup === t.cgroup.name;
}

/**
 * The snapshot of `k` now. `cache` (default true) returns the previous build's model objects
 * for the tasks and mms that did not change; false builds everything afresh (the tests
 * compare the two).
 */
export function buildModel(k: Kernel, generation: number, cache = true): ModelSnapshot {
  const m = k.m;
  const s = m.s;
  const prev = cache ? caches.get(m) : undefined;
  const next: ModelCache = { tasks: new Map(), mms: new Map() };
  const mms: MmModel[] = [];
  const masks = cpumasks(s);
  for (const mm of s.mms.values()) {
    if (mm.dead) continue;
    const cpumask = masks.get(mm.id) ?? NO_CPUS;
    let e = prev?.mms.get(mm.id);
    if (!e || !sameMm(e, mm, cpumask)) {
      e = {
        model: mmModel(mm, cpumask),
        rssAnon: mm.rssAnon, rssFile: mm.rssFile, rssShmem: mm.rssShmem, pgtablesBytes: mm.pgtablesBytes, hugetlbPages: mm.hugetlbPages,
        vmas: mm.vmas.map(vmaKey),
      };
    }
    next.mms.set(mm.id, e);
    mms.push(e.model);
  }
  // Threads of each thread group, counted once (taskThreads per task is O(tasks)).
  const threads = new Map<number, number>();
  for (const t of s.tasks.values()) {
    if (t.state === 'running' || t.state === 'blocked') threads.set(t.tgid, (threads.get(t.tgid) ?? 0) + 1);
  }
  const tasks: TaskModel[] = [];
  for (const t of s.tasks.values()) {
    const live = t.state === 'running' || t.state === 'blocked';
    const statusMm = live && t.mm && !t.mm.dead ? t.mm : null;
    // The status of a live task is its mm's (whose model is reused only when unchanged).
    const src = statusMm ? next.mms.get(statusMm.id)?.model ?? null : null;
    const n = threads.get(t.tgid) ?? 0;
    let e = prev?.tasks.get(t.pid);
    if (!e || (statusMm && !src) || !sameTask(e, t, src, n)) e = { model: taskModel(t, statusMm, n), src };
    next.tasks.set(t.pid, e);
    tasks.push(e.model);
  }
  if (cache) caches.set(m, next);
  const regions: RegionModel[] = [...s.regions.values()].map((r) => {
    const sm = sharerMms(r);
    return {
      id: r.id,
      path: shownPath(r.inode),
      deleted: r.inode.nlink === 0,
      start: r.start,
      size: r.size,
      hostBase: r.hostBase,
      owner: r.owner,
      hostMm: r.host.id,
      flavour: r.flavour,
      orphaned: r.orphaned,
      sharers: sm.length,
      attachedMms: sm.map((x) => x.id),
    };
  });
  return {
    generation,
    config: { ...s.config },
    policies: { ...s.policies },
    nframes: m.pm.nframes,
    reservedFrames: s.reservedFrames,
    zeroPfn: s.zeroPfn,
    levels: m.geo.levels,
    tasks,
    mms,
    regions,
    cgroups: [...s.cgroups.values()].map((c) => ({
      name: c.name, current: c.current, pagetables: c.pagetables, anon: c.anon, shmem: c.shmem,
      limit: Number.isFinite(c.limit) ? c.limit : null, oomKills: c.oomKills,
    })),
    meminfo: meminfo(m),
    tlb: tlbReport(m),
    cpus: s.cpus.map((c) => ({ id: c.id, mm: c.mm?.id ?? 0, task: c.task, asid: c.asid, asidMm: [...c.asidMm] })),
    oomKills: s.oomKills,
    lockInversions: [...s.lockInversions],
    mounts: [...s.mounts].sort(),
  };
}

/**
 * The model snapshot: a small, structured-cloneable summary of the kernel objects that the
 * UI draws (tasks, mms, VMAs, regions, cgroups, counters). Page tables and frames are NOT in
 * it: the UI reads those zero-copy from the shared buffers (see abi.ts), starting from each
 * mm's `pgd` frame. `generation` increases with every change, so the UI never mixes a
 * snapshot with buffers from another step.
 */
import type { Kernel } from './kernel';
import { maps, meminfo, status, taskThreads, tlbReport, type MapsEntry, type Meminfo, type Status } from './mm/proc';
import { sharerMms } from './mshare/region';
import type { MachineConfig, Policies } from './types';

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
  cpumask: number;
}

export interface RegionModel {
  id: number;
  path: string;
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
}

export function buildModel(k: Kernel, generation: number): ModelSnapshot {
  const m = k.m;
  const s = m.s;
  const tasks: TaskModel[] = [...s.tasks.values()].map((t) => ({
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
    status: status(t.state === 'running' || t.state === 'blocked' ? t.mm : null, taskThreads(m, t)),
  }));
  const mms: MmModel[] = [...s.mms.values()]
    .filter((mm) => !mm.dead)
    .map((mm) => {
      const ms = maps(mm);
      return {
        id: mm.id,
        pgd: mm.pgd,
        tasks: [...mm.tasks],
        users: mm.users,
        host: mm.hostOf ? mm.hostOf.path : null,
        vmas: mm.vmas.map((v, i) => ({ ...ms[i], startNum: v.start, endNum: v.end, hostMm: v.region ? v.region.host.id : null })),
        status: status(mm),
        cpumask: mm.cpumask,
      };
    });
  const regions: RegionModel[] = [...s.regions.values()].map((r) => {
    const sm = sharerMms(r);
    return {
      id: r.id,
      path: r.path,
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
  };
}

/**
 * The machine: physical memory, the kernel state graph, the trace, and the page allocator
 * entry points every mm/ module uses (alloc_pages/free_pages with memcg charging).
 *
 * Contract: one Machine is driven by one thread. `chargeTo` is the memory cgroup that pays
 * for allocations made by the operation in progress (set by the syscall layer from the
 * current task, switched by the mshare fault path under charge=owner).
 */
import { FrameUse, HUGE_ORDER, PAGE_SIZE, PhysMem, FRAME_USE_NAMES, PG_HEAD, PG_TAIL, PG_UNCLEAN } from './hw/physmem';
import { buddyAlloc, buddyFree, buddyInit, newBuddyState } from './mm/buddy';
import { newTlbState } from './hw/tlb';
import { TI, Trace } from './trace';
import { freeHugeFolio } from './mm/hugetlb-pool';
import type { Cgroup, KernelState, MachineConfig, Policies } from './types';

export const RESERVED_BYTES = 1 << 20; // low 1 MiB: the "kernel image" boot reservation

export interface Geometry {
  levels: 4 | 5;
  /** Shift of the address bits each depth indexes (depth 0 = PGD). */
  shifts: number[];
  /** FrameUse of the table at each depth. */
  uses: FrameUse[];
  /** Depth of the PUD table (its parent entry is the 512 GiB "slot" mshare links). */
  pudDepth: number;
  pmdDepth: number;
  pteDepth: number;
  /** First non-canonical user address (TASK_SIZE rounded up). */
  userTop: number;
  /**
   * TASK_SIZE_MAX: one page below userTop. x86-64 keeps the last canonical user page unmapped
   * (SYSRET to a non-canonical RIP would fault in the kernel), so no mapping may end above it.
   */
  taskSize: number;
}

export function geometry(levels: 4 | 5): Geometry {
  const shifts = levels === 5 ? [48, 39, 30, 21, 12] : [39, 30, 21, 12];
  const userTop = levels === 5 ? 2 ** 56 : 2 ** 47;
  const uses = levels === 5
    ? [FrameUse.Pgd, FrameUse.P4d, FrameUse.Pud, FrameUse.Pmd, FrameUse.Pte]
    : [FrameUse.Pgd, FrameUse.Pud, FrameUse.Pmd, FrameUse.Pte];
  return {
    levels,
    shifts,
    uses,
    pudDepth: levels - 3,
    pmdDepth: levels - 2,
    pteDepth: levels - 1,
    userTop,
    taskSize: userTop - 4096,
  };
}

export const PTI_NEEDS_PCID = 'pti=on needs pcid=on: without PCIDs every kernel entry and exit flushes the TLB, which the explorer does not model';

export const DEFAULT_CONFIG: MachineConfig = { ram: 256 << 20, cpus: 2, tlb: 64, pcid: true, levels: 4, mshare: 2024 };

export function defaultPolicies(flavour: 2024 | 2025): Policies {
  return flavour === 2024
    ? { charge: 'faulter', ownerExit: 'keep', mprotect: 'global', tlbFlush: 'all' }
    : { charge: 'owner', ownerExit: 'unmap', mprotect: 'einval', tlbFlush: 'all' };
}

/**
 * Refuse a machine that cannot work, with a clear message (as PhysMem does for `ram`):
 * 0 or NaN CPUs gave tasks a NaN CPU, and the TLB is indexed by masking with size - 1, so its
 * size must be a power of two (0 or 3 entries silently corrupted the TLB state). The CPU
 * limit is the scenario language's (MAX_CPUS).
 */
function checkConfig(c: MachineConfig): void {
  if (!Number.isInteger(c.cpus) || c.cpus < 1 || c.cpus > 64) throw new RangeError(`cpus must be 1..64 (got ${c.cpus})`);
  if (!Number.isInteger(c.tlb) || c.tlb < 1 || c.tlb > 65536 || (c.tlb & (c.tlb - 1)) !== 0) throw new RangeError(`tlb must be a power of two, 1..65536 entries (got ${c.tlb})`);
  if (c.levels !== 4 && c.levels !== 5) throw new RangeError(`levels must be 4 or 5 (got ${c.levels})`);
  if (c.mshare !== 2024 && c.mshare !== 2025) throw new RangeError(`mshare must be 2024 or 2025 (got ${c.mshare})`);
  if (c.pti && !c.pcid) throw new RangeError(PTI_NEEDS_PCID);
  if (c.shmemThp !== undefined && !['never', 'advise', 'always'].includes(c.shmemThp)) throw new RangeError(`shmem_thp must be never, advise or always (got ${String(c.shmemThp)})`);
}

export interface OomRequest {
  /** The cgroup whose limit was hit, or null for a global (machine) shortage. */
  cgroup: Cgroup | null;
  order: number;
}

export class Machine {
  // Fields the constructor sets are `declare`d: an ES2022 class field without an initializer is
  // first defined as undefined, and V8 then treats the constructor's store as a second write:
  // the field loses its constant-ness and its type, and every hot `m.s.tlb` / `m.pm.u32`
  // load pays a map check (seen in the optimized code of translate; see the commit).
  declare readonly pm: PhysMem;
  declare readonly geo: Geometry;
  declare s: KernelState;
  readonly trace = new Trace();
  /** Cgroup id charged for allocations of the operation in progress. */
  chargeTo = 0;
  /** Set by a failed allocation; the syscall layer runs the OOM killer and retries. */
  oom: OomRequest | null = null;
  /** The CPU the current operation runs on (the "local" CPU for TLB flushes). */
  localCpu = 0;
  /**
   * The batched touch's memo of PTE tables it found complete (hw/mmu-range.ts): a table whose
   * 512 entries all had the bits a read (or a write) needs, at `ptEpoch`. Every change that
   * can take bits away from a present PTE (zap, mprotect, fork's write-protect, freeing a
   * table, a restore) moves the epoch on; installing entries and setting A/D cannot make a
   * complete table incomplete. Not machine state: never checkpointed, never in the digest.
   */
  ptEpoch = 1;
  declare readonly scanEpoch: Int32Array;
  declare readonly scanMask: Uint8Array;

  constructor(config: MachineConfig) {
    checkConfig(config);
    this.pm = new PhysMem(config.ram);
    this.geo = geometry(config.levels);
    this.scanEpoch = new Int32Array(this.pm.nframes);
    this.scanMask = new Uint8Array(this.pm.nframes);
    const root: Cgroup = { id: 0, name: '/', limit: Infinity, current: 0, pagetables: 0, anon: 0, shmem: 0, oomKills: 0 };
    this.s = {
      config: { ...config },
      policies: defaultPolicies(config.mshare),
      buddy: newBuddyState(),
      tlb: newTlbState(config.cpus, config.tlb),
      cpus: Array.from({ length: config.cpus }, (_, id) => ({
        id, mm: null, task: 0, asid: -1, asidMm: [0, 0, 0, 0, 0, 0], asidStale: [false, false, false, false, false, false], lazyStale: false,
        // initialize_tlbstate_and_flush(): ASID 0 holds init_mm at boot, so the first user mm
        // gets ASID 1 (PCID 2) and the round robin goes 1..5, then 0.
        nextAsid: 1, contextSwitches: 0, shootdownsReceived: 0, flushes: 0,
      })),
      tasks: new Map(),
      names: new Map(),
      mms: new Map(),
      inodes: new Map(),
      paths: new Map(),
      anonVmas: new Map(),
      cgroups: new Map([['/', root]]),
      cgroupById: new Map([[0, root]]),
      regions: new Map(),
      mounts: new Set(),
      nextPid: 1,
      nextMmId: 1,
      nextInodeId: 1,
      nextAnonVmaId: 1,
      nextCgroupId: 1,
      nextRegionId: 1,
      zeroPfn: 0,
      reservedFrames: 0,
      oomKills: 0,
      cgroupSeq: 0,
      lockInversions: [],
      lockEdges: [],
      frameUse: new Array<number>(FRAME_USE_NAMES.length).fill(0),
      shmemFrames: new Set(),
      thpPmdMapped: new Set(),
      hstate: { nr: 0, free: 0, resv: 0, freeList: [] },
    };
    const reserved = RESERVED_BYTES / PAGE_SIZE;
    const d = this.pm.d;
    for (let p = 0; p < reserved; p++) {
      d.use[p] = FrameUse.Kernel;
      d.refcount[p] = 1;
    }
    buddyInit(this.pm, this.s.buddy, reserved);
    this.s.reservedFrames = reserved;
    // The shared zero page (R8): allocated once, never freed, never counted in RSS.
    const z = buddyAlloc(this.pm, this.s.buddy, 0);
    this.pm.zeroFrame(z);
    d.use[z] = FrameUse.Zero;
    d.refcount[z] = 1;
    this.s.zeroPfn = z;
    const fu = this.s.frameUse;
    fu[FrameUse.Kernel] = reserved;
    fu[FrameUse.Zero] = 1;
    fu[FrameUse.Free] = this.pm.nframes - reserved - 1;
  }

  cgroup(id: number): Cgroup {
    return this.s.cgroupById.get(id) ?? this.s.cgroupById.get(0)!;
  }

  /**
   * alloc_pages(order) charged to `chargeTo`. Returns the first pfn, or -1 with `oom` set
   * when the machine or the cgroup is out of memory. Frames come back zeroed.
   */
  allocFrames(order: number, use: FrameUse, owner: number): number {
    const bytes = PAGE_SIZE << order;
    // Huge pages are not charged to a memory cgroup (cgroup v2 without the
    // memory_hugetlb_accounting mount option), and their allocation may fail without
    // waking the OOM killer (__GFP_RETRY_MAYFAIL): hugetlb-pool.ts turns -1 into ENOMEM or SIGBUS.
    const huge = use === FrameUse.Hugetlb;
    const cg = this.cgroup(huge ? 0 : this.chargeTo);
    // Charge first, like mem_cgroup_charge(): a cgroup over its limit fails before the buddy.
    if (cg.id !== 0 && cg.current + bytes > cg.limit) {
      this.oom = { cgroup: cg, order };
      return -1;
    }
    const pfn = buddyAlloc(this.pm, this.s.buddy, order);
    if (pfn < 0) {
      if (!huge) this.oom = { cgroup: null, order };
      return -1;
    }
    const d = this.pm.d;
    const n = 1 << order;
    const u32 = this.pm.u32;
    for (let i = 0; i < n; i++) {
      const p = pfn + i;
      // Frames never used since boot are still zero (a fresh SharedArrayBuffer): zeroing
      // only the unclean ones halves the cost of a fault (measured).
      if (d.flags[p] & PG_UNCLEAN) u32.subarray(p * 1024, p * 1024 + 1024).fill(0);
      d.use[p] = use;
      d.flags[p] = 0;
      d.refcount[p] = i === 0 ? 1 : 0;
      d.mapcount[p] = 0;
      d.entire[p] = 0;
      d.owner[p] = owner;
      d.share[p] = 0;
      d.mapping[p] = 0;
      d.pincount[p] = 0;
      d.memcg[p] = cg.id;
      d.index[p] = 0;
    }
    // meminfo's counters (KernelState.frameUse): every frame of the block gets `use`.
    const fu = this.s.frameUse;
    fu[use] += n;
    fu[FrameUse.Free] -= n;
    if (use === FrameUse.Shmem) for (let i = 0; i < n; i++) this.s.shmemFrames.add(pfn + i);
    if (order === HUGE_ORDER && use === FrameUse.Hugetlb) {
      d.flags[pfn] |= PG_HEAD;
      for (let i = 1; i < n; i++) d.flags[pfn + i] |= PG_TAIL;
    }
    if (!huge) cg.current += bytes;
    if (use === FrameUse.Pud || use === FrameUse.Pmd || use === FrameUse.Pte || use === FrameUse.Pgd || use === FrameUse.P4d) cg.pagetables += bytes;
    else if (use === FrameUse.Anon) cg.anon += bytes;
    else if (use === FrameUse.Shmem) cg.shmem += bytes;
    if (this.trace.recording) this.trace.emitAt(TI['frame-alloc'], { type: 'frame-alloc', pfn, order, use: FRAME_USE_NAMES[use] });
    else this.trace.countAt(TI['frame-alloc']);
    return pfn;
  }

  /** free_pages(): uncharge and give the block back to the buddy allocator. */
  freeFrames(pfn: number, order: number): void {
    const d = this.pm.d;
    if (d.use[pfn] === FrameUse.Pte) this.ptEpoch++; // its memo must not outlive it
    const use = d.use[pfn] as FrameUse;
    const bytes = PAGE_SIZE << order;
    const cg = this.cgroup(d.memcg[pfn]);
    if (use !== FrameUse.Hugetlb) cg.current -= bytes;
    if (use === FrameUse.Pud || use === FrameUse.Pmd || use === FrameUse.Pte || use === FrameUse.Pgd || use === FrameUse.P4d) cg.pagetables -= bytes;
    else if (use === FrameUse.Anon) cg.anon -= bytes;
    else if (use === FrameUse.Shmem) cg.shmem -= bytes;
    const n = 1 << order;
    const fu = this.s.frameUse;
    for (let i = 0; i < n; i++) {
      const p = pfn + i;
      const u = d.use[p];
      fu[u]--;
      if (u === FrameUse.Shmem) this.s.shmemFrames.delete(p);
      d.use[p] = FrameUse.Free;
      d.flags[p] = PG_UNCLEAN;
      d.refcount[p] = 0;
      d.mapcount[p] = 0;
      d.entire[p] = 0;
      d.owner[p] = 0;
      d.share[p] = 0;
      d.mapping[p] = 0;
      d.pincount[p] = 0;
      d.memcg[p] = 0;
      d.index[p] = 0;
    }
    fu[FrameUse.Free] += n;
    buddyFree(this.pm, this.s.buddy, pfn, order);
    if (this.trace.recording) this.trace.emitAt(TI['frame-free'], { type: 'frame-free', pfn, order });
    else this.trace.countAt(TI['frame-free']);
  }

  /** Drop one reference on a data page (put_page); frees it at zero. */
  putPage(pfn: number): void {
    const d = this.pm.d;
    if (--d.refcount[pfn] === 0) {
      if (d.use[pfn] === FrameUse.Hugetlb) freeHugeFolio(this, pfn);
      else this.freeFrames(pfn, 0);
    }
  }
}

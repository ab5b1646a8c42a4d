/**
 * Kernel objects of the simulated machine (like include/linux/mm_types.h).
 *
 * Everything here is plain data: no methods, no class instances. The whole kernel state is
 * one `KernelState` graph, so a checkpoint is `structuredClone(state)` plus a copy of the two
 * physical buffers (object identity and cycles survive structuredClone). Logic lives in the
 * modules that operate on these records (fault.ts, vma.ts, fork.ts, ...).
 */
import type { BuddyState } from './mm/buddy';
import type { TlbState } from './hw/tlb';

// VMA flags (a subset of vm_flags, same meaning).
export const VM_READ = 0x1;
export const VM_WRITE = 0x2;
export const VM_EXEC = 0x4;
export const VM_SHARED = 0x8;
export const VM_MAYWRITE = 0x20;
export const VM_MAYSHARE = 0x80;
export const VM_LOCKED = 0x2000;
export const VM_NORESERVE = 0x200000;
export const VM_HUGETLB = 0x400000;
export const VM_DONTEXPAND = 0x40000;
/** VM_MSHARE: the VMA is an msharefs mapping; its contents live in the region's host mm. */
export const VM_MSHARE = 0x40000000;
/** MADV_HUGEPAGE / MADV_NOHUGEPAGE. Linux's VM_NOHUGEPAGE is 0x40000000, taken by VM_MSHARE here. */
export const VM_HUGEPAGE = 0x20000000;
export const VM_NOHUGEPAGE = 0x01000000;
export const VM_UFFD_MISSING = 0x200;
export const VM_UFFD_WP = 0x1000;

export type Errno =
  | 'EPERM' | 'ENOENT' | 'ESRCH' | 'EINTR' | 'EIO' | 'EBADF' | 'EAGAIN' | 'ENOMEM' | 'EACCES'
  | 'EFAULT' | 'EBUSY' | 'EEXIST' | 'ENOTDIR' | 'EISDIR' | 'EINVAL' | 'ENOSPC' | 'ENOSYS'
  | 'EOPNOTSUPP' | 'EOVERFLOW' | 'ENOTEMPTY' | 'ENODEV' | 'ETXTBSY' | 'EFBIG' | 'E2BIG' | 'ENOTTY';

export type Signal = 'SIGSEGV' | 'SIGBUS' | 'SIGKILL';

export interface Vma {
  start: number;
  end: number;
  flags: number;
  /** Backing inode for shmem/tmpfs/hugetlb/msharefs mappings; null for private anonymous. */
  file: Inode | null;
  /** Page offset into `file` of `start`. */
  pgoff: number;
  anonVma: AnonVma | null;
  label: string | null;
  /** For an msharefs VMA: the region whose host mm holds the real VMAs. */
  region: MshareRegion | null;
  /** The mm this VMA belongs to (vm_mm). */
  mm: Mm;
  /**
   * A private hugetlb mapping's reservation (its resv_map with HPAGE_RESV_OWNER): the huge
   * pages of the VMA's range were reserved at mmap, and `consumed` holds the huge-page
   * indices (file offset / 2 MiB) that a fault has used since. Shared by the pieces of a
   * split VMA, as Linux shares the resv_map; none in a fork's child (it owns no reservation).
   */
  resv?: HugetlbResv | null;
  /**
   * HPAGE_RESV_UNMAPPED: the owner of this private hugetlb mapping took a page from this
   * (child's) VMA when no huge page was left for its copy; a fault on a missing page here is
   * then SIGBUS.
   */
  resvUnmapped?: boolean;
}

export interface HugetlbResv {
  consumed: Set<number>;
}

/**
 * An anon_vma: the mapping of the anonymous pages faulted in a VMA that uses it. fork gives
 * each child VMA a new one whose `parent` is the parent VMA's (anon_vma_fork), so a VMA's
 * anon_vma_chain is its anon_vma and that one's ancestors (the engine does not model
 * anon_vma_clone's reuse of an ancestor no VMA uses any more).
 */
export interface AnonVma {
  id: number;
  /** anon_vma->parent: the anon_vma of the VMA this one's VMA was forked from; null for a root. */
  parent: AnonVma | null;
  /**
   * Every VMA whose chain holds this anon_vma (its AVCs, anon_vma->rb_root): the VMAs the
   * reverse map of a page with this mapping visits. A parent's page, shared by fork, is
   * found in the children's VMAs too; a child's COW copy only in the child's (and its own
   * descendants').
   */
  vmas: Set<Vma>;
}

export interface Mm {
  id: number;
  /** pfn of the top-level table (PGD; PML5 with 5-level paging). */
  pgd: number;
  vmas: Vma[]; // sorted by start, non-overlapping
  rssFile: number;
  rssAnon: number;
  rssShmem: number;
  hugetlbPages: number; // in 4K units, for HugetlbPages in status
  pgtablesBytes: number;
  users: number;
  /** Task ids using this mm (threads share). */
  tasks: number[];
  /** mshare host mm: the region it serves; null for a process mm. */
  hostOf: MshareRegion | null;
  /** Default cgroup to charge (the owner task's cgroup for host mms). */
  dead: boolean;
  lockedVm: number;
}

export type TaskState = 'running' | 'exited' | 'killed' | 'blocked';

export interface OpenFile {
  fd: number;
  inode: Inode;
  name: string;
}

export interface Task {
  pid: number;
  tgid: number;
  name: string;
  mm: Mm | null;
  state: TaskState;
  signal: Signal | null;
  /** /proc/PID/status PPid: the parent process's tgid (0 for a spawned task). */
  parent: number;
  cpu: number;
  cgroup: Cgroup;
  /**
   * When the task entered its cgroup (KernelState.cgroupSeq, at fork or `join`): a cgroup's
   * tasks are listed in that order (css_set->tasks, appended at the tail), which is the order
   * a memory cgroup's OOM killer visits them in.
   */
  cgroupSince: number;
  fds: Map<number, OpenFile>;
  /** A blocked userfaultfd fault: the page and access waiting for `uffd copy`. */
  blockedOn: BlockedAccess | null;
  killReason: string | null;
  /** Pages pinned by get_user_pages (FOLL_PIN), released by `unpin` or exit. */
  pins: { addr: number; pfn: number }[];
}

/**
 * A task asleep in a userfaultfd missing fault. Woken by UFFDIO_COPY it returns to user space
 * and the faulting instruction runs again: a store stores all its bytes (x86 faults before
 * any byte of a page-crossing store is written), a touch goes on over the rest of its range.
 */
export interface BlockedAccess {
  /** The page of the fault. */
  addr: number;
  write: boolean;
  retry: { kind: 'load' } | { kind: 'store'; addr: number; bytes: number[] } | { kind: 'touch'; end: number };
}

export type InodeKind = 'tmpfs' | 'shmem-anon' | 'hugetlb' | 'msharefs' | 'dir' | 'info';

export interface Inode {
  id: number;
  path: string;
  kind: InodeKind;
  size: number;
  /**
   * Page cache: file page index -> pfn, a sparse array (holes = not cached). An array, not a
   * Map: fault-around looks up 16 indices per fault and Map lookups dominated (measured).
   * Hugetlb: indexed by the 2 MiB page's first 4K index.
   */
  pages: number[];
  /** Every VMA mapping this inode (i_mmap). */
  mmaps: Set<Vma>;
  nlink: number;
  opens: number;
  region: MshareRegion | null;
  /** The cgroup charged for page-cache pages created without a faulting task. */
  memcg: number;
  /**
   * A hugetlb inode's reservation map (inode->i_mapping's resv_map): the huge-page indices
   * that shared mappings reserved, or that faults committed, and that truncation or
   * eviction gives back (hugetlb_unreserve_pages).
   */
  resv?: Set<number>;
}

export interface MshareRegion {
  id: number;
  path: string;
  inode: Inode;
  host: Mm;
  /** Start of the region in the processes' address space (2024: same VA everywhere). */
  start: number;
  size: number;
  /** Host VA that corresponds to `start` (2024: start; 2025: mshare_base = 512 GiB). */
  hostBase: number;
  owner: number; // pid, 0 when none
  flavour: 2024 | 2025;
  initialized: boolean;
  /** Set when the owner exited under owner_exit=unmap: no new attaches, faults SIGSEGV. */
  orphaned: boolean;
  /** Process VMAs attached to this region. */
  attached: Set<Vma>;
}

export interface Cgroup {
  id: number;
  name: string;
  limit: number; // bytes, Infinity = max
  current: number; // bytes
  pagetables: number; // bytes
  anon: number;
  shmem: number;
  oomKills: number;
}

export interface CpuState {
  id: number;
  /** The mm loaded in CR3, or null. */
  mm: Mm | null;
  /** Task currently running on this CPU (pid), 0 when idle. */
  task: number;
  /** ASID slot in use (0..5), -1 without PCID. */
  asid: number;
  /** Per ASID slot: mm id cached in that slot (0 = none) and whether it must be flushed on reuse. */
  asidMm: number[];
  asidStale: boolean[];
  /**
   * Without PCID: the CPU is lazy (its mm loaded, no task) and skipped a flush of that mm, so
   * it must flush before a task of the mm runs here again (with PCID, asidStale says it).
   */
  lazyStale: boolean;
  nextAsid: number;
  contextSwitches: number;
  shootdownsReceived: number;
  flushes: number;
}

export interface Policies {
  charge: 'faulter' | 'owner';
  ownerExit: 'keep' | 'unmap';
  mprotect: 'global' | 'einval';
  tlbFlush: 'all' | 'sharers';
}

export interface MachineConfig {
  ram: number;
  cpus: number;
  tlb: number;
  pcid: boolean;
  /**
   * Page-table isolation (R26): user accesses run under the user PCID, the kernel PCID with
   * bit 11 set. Needs PCID (without it every kernel entry flushes the TLB, not modelled).
   * Absent = off.
   */
  pti?: boolean;
  /**
   * /sys/kernel/mm/transparent_hugepage/shmem_enabled (mm/thp.ts): never (absent), advise
   * (MADV_HUGEPAGE VMAs only) or always.
   */
  shmemThp?: 'never' | 'advise' | 'always';
  levels: 4 | 5;
  mshare: 2024 | 2025;
}

export interface KernelState {
  config: MachineConfig;
  policies: Policies;
  buddy: BuddyState;
  tlb: TlbState;
  cpus: CpuState[];
  tasks: Map<number, Task>;
  names: Map<string, number>;
  mms: Map<number, Mm>;
  inodes: Map<number, Inode>;
  /** Path -> inode for every live name (tmpfs files, msharefs entries, directories). */
  paths: Map<string, Inode>;
  anonVmas: Map<number, AnonVma>;
  cgroups: Map<string, Cgroup>;
  cgroupById: Map<number, Cgroup>;
  regions: Map<number, MshareRegion>;
  mounts: Set<string>;
  nextPid: number;
  nextMmId: number;
  nextInodeId: number;
  nextAnonVmaId: number;
  nextCgroupId: number;
  nextRegionId: number;
  zeroPfn: number;
  reservedFrames: number;
  oomKills: number;
  /** The next Task.cgroupSince. */
  cgroupSeq: number;
  /** Lock-order violations observed (mmap_lock nesting), as messages. */
  lockInversions: string[];
  /** Lock-class edges seen ("mm->host"), per machine so checkpoints and machines stay apart. */
  lockEdges: string[];
  /**
   * Frames by use (index = FrameUse), kept by Machine.allocFrames/freeFrames so /proc/meminfo
   * needs no scan of every frame. Here, not on the Machine, so checkpoints restore them.
   */
  frameUse: number[];
  /** The pfns of Shmem frames (meminfo's Mapped reads their mapcount), kept likewise. */
  shmemFrames: Set<number>;
  /**
   * The first frames of the shmem THP folios some PMD maps (entire mapcount above 0), so
   * meminfo's ShmemPmdMapped and Mapped need no scan of every frame.
   */
  thpPmdMapped: Set<number>;
  /** The 2 MiB hstate's pool (mm/hugetlb-pool.ts). */
  hstate: HState;
}

/**
 * struct hstate's counters for 2 MiB pages, in huge pages. Every page is a surplus page
 * (nr_hugepages 0, overcommit unlimited): `nr` counts the pool (in use and free), `free` the
 * free pages in `freeList` (each a reserved page no fault has taken yet), `resv` the
 * reservations not yet consumed.
 */
export interface HState {
  nr: number;
  free: number;
  resv: number;
  freeList: number[];
}

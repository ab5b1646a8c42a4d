/**
 * The vocabulary and the limits of the scenario language (SCENARIO.md).
 *
 * Everything the parser accepts by name is listed here, so the runner, the console's
 * completion and the docs can read the same lists instead of copying them.
 * Pure data: no imports, no DOM.
 */

// ---- Limits -------------------------------------------------------------------------
// The parser refuses scripts beyond these with a positioned error, so a pasted permalink
// or a typo like `repeat 1000000000:` cannot hang the worker before anything runs.

/** Largest accepted script, in UTF-16 code units (String.length), i.e. about 1 MiB of ASCII. */
export const MAX_SCRIPT_CHARS = 1 << 20;
/** Largest number of lines in a script. */
export const MAX_LINES = 100_000;
/** Longest accepted line, in characters, comments included. */
export const MAX_LINE_LENGTH = 4096;
/** `repeat N:` accepts N in MIN_REPEAT..MAX_REPEAT. */
export const MIN_REPEAT = 1;
export const MAX_REPEAT = 100_000;
/**
 * Upper bound on the commands a script runs once every repeat is counted (a repeat line
 * counts N, any other line 1): keeps 100 lines of `repeat 100000:` from hanging a tab.
 */
export const MAX_EXPANDED_COMMANDS = 10_000_000;
/** Largest SIZE or OFFSET: 2^47 bytes = 128 TiB, the whole 4-level user address space. */
export const MAX_SIZE = 2 ** 47;
/**
 * Largest range one `touch`, `gup` or `mmap ... populate` may cover: 1 GiB = 262,144 pages.
 * These fault in every page of their range, one at a time, and a read of never-written
 * anonymous memory maps the zero page at the cost of page tables only (4 KiB per 2 MiB), so
 * without a bound one `touch x 64T read` ran for minutes before the OOM killer ended it.
 * 1 GiB keeps any single step to a few seconds; larger areas take several commands.
 */
export const MAX_ACCESS_SIZE = 2 ** 30;
/**
 * Addresses (and expect values, which may be compared with addresses) must be below 2^64
 * and exactly representable as a double: fine for every page-aligned address, including
 * 5-level ones up to 2^57, which exceed 2^53.
 */
export const ADDR_LIMIT = 2n ** 64n;
/** A VALUE written by `write` / `uffd copy`: a safe integer (the AST holds JS numbers). */
export const MAX_VALUE = Number.MAX_SAFE_INTEGER;
/** File descriptor numbers (`close 3`, `open ... as 7`): 0..MAX_FD (Linux's default nr_open). */
export const MAX_FD = 1 << 20;
/** `run cpu=N`: 0..MAX_CPUS-1 (the machine may have fewer; the runner checks that). */
export const MAX_CPUS = 64;

// ---- Numbers --------------------------------------------------------------------------

/** Binary size suffixes: `64M` = 64 MiB. Upper case only, as in SCENARIO.md. */
export const SIZE_SUFFIXES = { K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 } as const;
export type SizeSuffix = keyof typeof SIZE_SUFFIXES;

// ---- Verbs ----------------------------------------------------------------------------

/** Verbs that run as a task: `NAME: verb ...`. */
export const TASK_VERBS = [
  'fork', 'thread', 'exit', 'mmap', 'munmap', 'mprotect', 'madvise', 'read', 'write', 'touch',
  'run', 'join', 'open', 'close', 'ftruncate', 'ioctl', 'mshare_info', 'gup', 'unpin', 'uffd',
] as const;
/** Verbs without a task prefix. */
export const GLOBAL_VERBS = [
  'machine', 'policy', 'spawn', 'file', 'cgroup', 'mount', 'unlink', 'repeat', 'expect', 'note',
] as const;
export type TaskVerb = (typeof TASK_VERBS)[number];
export type GlobalVerb = (typeof GLOBAL_VERBS)[number];
export const VERBS: readonly string[] = [...GLOBAL_VERBS, ...TASK_VERBS];

// ---- Arguments ------------------------------------------------------------------------

export const MAP_FLAGS = ['private', 'shared', 'anon', 'fixed', 'populate', 'hugetlb', 'noreserve'] as const;
export type MapFlag = (typeof MAP_FLAGS)[number];

/** madvise advice words; only MADV_DONTNEED so far. */
export const MADVISE_ADVICE = ['dontneed', 'hugepage', 'nohugepage'] as const;
export type Advice = (typeof MADVISE_ADVICE)[number];

export const TOUCH_ACCESS = ['read', 'write'] as const;
export type Access = (typeof TOUCH_ACCESS)[number];

export const UFFD_MODES = ['missing', 'wp'] as const;
export type UffdMode = (typeof UFFD_MODES)[number];

/** File systems `mount` knows. */
export const FILESYSTEMS = ['msharefs'] as const;
export type FsType = (typeof FILESYSTEMS)[number];
export const DEFAULT_MSHARE_PATH = '/sys/fs/mshare';

/**
 * Task names the parser refuses because `expect` gives them another meaning
 * (`expect last == EINVAL`, `expect meminfo.X`, `expect same-page ...`).
 */
export const RESERVED_TASK_NAMES = ['last', 'meminfo', 'cgroup', 'mshare', 'same-page', 'different-page'] as const;
/** Label names the parser refuses: `auto` is the kernel-chooses address. */
export const RESERVED_LABELS = ['auto'] as const;

// ---- machine and policy ---------------------------------------------------------------

export const MACHINE_KEYS = ['ram', 'cpus', 'tlb', 'pcid', 'pti', 'levels', 'mshare', 'shmem_thp'] as const;
/** /sys/kernel/mm/transparent_hugepage/shmem_enabled values the machine models. */
export const SHMEM_THP_MODES = ['never', 'advise', 'always'] as const;
export type ShmemThpMode = (typeof SHMEM_THP_MODES)[number];
export type MachineKey = (typeof MACHINE_KEYS)[number];
/** ram: MIN_RAM..MAX_RAM, a multiple of RAM_ALIGN (so a 2 MiB huge page always fits whole). */
export const MIN_RAM = 16 * 2 ** 20;
export const MAX_RAM = 4 * 2 ** 30;
export const RAM_ALIGN = 2 * 2 ** 20;
export const MIN_CPUS = 1;
/** tlb: entries per CPU, a power of two MIN_TLB..MAX_TLB. */
export const MIN_TLB = 8;
export const MAX_TLB = 4096;
export const MSHARE_FLAVOURS = ['2024', '2025'] as const;
export type MshareFlavour = (typeof MSHARE_FLAVOURS)[number];

/** `policy KEY=VALUE ...`: every key and its allowed values (SCENARIO.md, DESIGN.md). */
export const POLICY_VALUES = {
  charge: ['faulter', 'owner'],
  owner_exit: ['keep', 'unmap'],
  mprotect: ['global', 'einval'],
  tlb_flush: ['all', 'sharers'],
} as const;
export type PolicyKey = keyof typeof POLICY_VALUES;
export const POLICY_KEYS = Object.keys(POLICY_VALUES) as PolicyKey[];

// ---- expect ---------------------------------------------------------------------------

export const OPERATORS = ['==', '!=', '<', '<=', '>', '>='] as const;
export type Op = (typeof OPERATORS)[number];

/**
 * /proc/PID/status fields `expect TASK.FIELD` accepts, all in bytes. The six of
 * SCENARIO.md plus VmPin (pages pinned by `gup`) and HugetlbPages (hugetlb mappings),
 * both real status lines that the language's verbs change.
 */
export const STATUS_FIELDS = [
  'VmSize', 'VmRSS', 'RssAnon', 'RssFile', 'RssShmem', 'VmPTE', 'VmPin', 'HugetlbPages',
] as const;
export type StatusField = (typeof STATUS_FIELDS)[number];

/**
 * /proc/meminfo fields `expect meminfo.FIELD` accepts and the report prints, in this order,
 * and their unit, as in /proc: HugePages_* are counts of huge pages, everything else is bytes
 * (the report prints bytes in kB).
 */
export const MEMINFO_UNITS = {
  MemTotal: 'bytes',
  MemFree: 'bytes',
  AnonPages: 'bytes',
  Shmem: 'bytes',
  PageTables: 'bytes',
  Cached: 'bytes',
  Mapped: 'bytes',
  SecPageTables: 'bytes',
  HugePages_Total: 'pages',
  HugePages_Free: 'pages',
  HugePages_Rsvd: 'pages',
  HugePages_Surp: 'pages',
  Hugepagesize: 'bytes',
  Hugetlb: 'bytes',
  ShmemHugePages: 'bytes',
  ShmemPmdMapped: 'bytes',
} as const;
export type MeminfoField = keyof typeof MEMINFO_UNITS;
export const MEMINFO_FIELDS = Object.keys(MEMINFO_UNITS) as MeminfoField[];

/** cgroup memory.stat / memory.current, in bytes. */
export const CGROUP_FIELDS = ['pagetables', 'current'] as const;
export type CgroupField = (typeof CGROUP_FIELDS)[number];

/** mshare region fields: sharers is a count; rss and pte (the host mm's VmRSS/VmPTE) bytes. */
export const MSHARE_FIELDS = ['sharers', 'rss', 'pte'] as const;
export type MshareField = (typeof MSHARE_FIELDS)[number];

/** `last.FIELD`; plain `last` is the whole result. */
export const LAST_FIELDS = ['start', 'size', 'value', 'addr', 'text'] as const;
export type LastField = (typeof LAST_FIELDS)[number];

/**
 * `expect TASK STATE`. `blocked` (a task waiting in a userfaultfd fault until `uffd copy`)
 * is an addition to SCENARIO.md's running / exited / killed.
 */
export const TASK_STATES = ['running', 'exited', 'killed', 'blocked'] as const;
export type TaskState = (typeof TASK_STATES)[number];

/** errno names a result may be, with their x86-64 Linux numbers. */
export const ERRNO = {
  EPERM: 1, ENOENT: 2, ESRCH: 3, EINTR: 4, EIO: 5, ENXIO: 6, E2BIG: 7, ENOEXEC: 8,
  EBADF: 9, ECHILD: 10, EAGAIN: 11, ENOMEM: 12, EACCES: 13, EFAULT: 14, EBUSY: 16,
  EEXIST: 17, EXDEV: 18, ENODEV: 19, ENOTDIR: 20, EISDIR: 21, EINVAL: 22, ENFILE: 23,
  EMFILE: 24, ENOTTY: 25, EFBIG: 27, ENOSPC: 28, ESPIPE: 29, EROFS: 30, ERANGE: 34,
  EDEADLK: 35, ENAMETOOLONG: 36, ENOSYS: 38, ENOTEMPTY: 39, EOVERFLOW: 75,
  EOPNOTSUPP: 95, EHWPOISON: 133,
} as const;
export type ErrnoName = keyof typeof ERRNO;
export const ERRNO_NAMES = Object.keys(ERRNO) as ErrnoName[];

/** Signals that can end a task in the simulation, with their Linux numbers. */
export const SIGNALS = { SIGBUS: 7, SIGKILL: 9, SIGSEGV: 11 } as const;
export type SignalName = keyof typeof SIGNALS;
export const SIGNAL_NAMES = Object.keys(SIGNALS) as SignalName[];

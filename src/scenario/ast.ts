/**
 * The typed AST of a scenario script (SCENARIO.md).
 *
 * One node kind per verb, so the runner's `switch (cmd.kind)` is checked for exhaustiveness
 * by the compiler. The parser produces these; the printer turns them back into canonical text;
 * nothing here knows about the engine.
 *
 * Conventions:
 * - `line` and `col` are 1-based and point at the first character of the command (the task
 *   prefix if there is one). `text` is the command's source, trimmed, without its comment.
 * - Sizes, offsets and values are plain numbers (checked by the parser to be exact).
 * - Defaults that do not depend on run-time state are filled in (mount path, uffd mode,
 *   boolean words like `create`); defaults that do (fork's child name, open's descriptor
 *   number, read's size, run's cpu) are left `undefined` for the runner.
 * - Inside a repeat body, names, labels, paths, strings and note text may hold `{i}`;
 *   `instantiate` replaces it. Numbers cannot be templated (`0x{i}000` is a parse error).
 */
import type {
  Access, Advice, CgroupField, ErrnoName, FsType, LastField, MapFlag, MeminfoField,
  MshareField, MshareFlavour, Op, SignalName, StatusField, TaskState, UffdMode,
} from './constants';

/** A user address: a number, a VMA label of the task (+ offset), or `auto` (mmap only). */
export type Addr =
  | { kind: 'num'; value: number }
  | { kind: 'label'; label: string; offset: number }
  | { kind: 'auto' };

/** PROT_READ / PROT_WRITE / PROT_EXEC; all false is `none`. */
export interface Prot { r: boolean; w: boolean; x: boolean }

/** A file descriptor: a number (`close 3`) or the name given by `open ... as F`. */
export type FdRef = { kind: 'num'; value: number } | { kind: 'name'; name: string };

/** What `write` and `uffd copy` store. */
export type Value = { kind: 'num'; value: number } | { kind: 'str'; value: string };

interface Pos { line: number; col: number; text: string }
interface TaskPos extends Pos { task: string }

export interface MachineOptions {
  ram?: number;
  cpus?: number;
  tlb?: number;
  pcid?: boolean;
  pti?: boolean;
  shmem_thp?: 'never' | 'advise' | 'always';
  levels?: 4 | 5;
  mshare?: MshareFlavour;
}

/** Keys spelled as in the script, so the table in SCENARIO.md is the documentation. */
export interface PolicySettings {
  charge?: 'faulter' | 'owner';
  owner_exit?: 'keep' | 'unmap';
  mprotect?: 'global' | 'einval';
  tlb_flush?: 'all' | 'sharers';
}

export interface MachineCmd extends Pos { kind: 'machine'; options: MachineOptions }
export interface PolicyCmd extends Pos { kind: 'policy'; settings: PolicySettings }
export interface SpawnCmd extends Pos { kind: 'spawn'; name: string }
export interface ForkCmd extends TaskPos { kind: 'fork'; child?: string }
export interface ThreadCmd extends TaskPos { kind: 'thread'; child?: string }
export interface ExitCmd extends TaskPos { kind: 'exit' }
export interface MmapCmd extends TaskPos {
  kind: 'mmap';
  addr: Addr;
  size: number;
  prot: Prot;
  flags: MapFlag[];
  fd?: FdRef;
  file?: string;
  off?: number;
  label?: string;
}
export interface MunmapCmd extends TaskPos { kind: 'munmap'; addr: Addr; size: number }
export interface MprotectCmd extends TaskPos { kind: 'mprotect'; addr: Addr; size: number; prot: Prot }
export interface MadviseCmd extends TaskPos { kind: 'madvise'; addr: Addr; size: number; advice: Advice }
export interface ReadCmd extends TaskPos { kind: 'read'; addr: Addr; size?: number }
export interface WriteCmd extends TaskPos { kind: 'write'; addr: Addr; value: Value }
export interface TouchCmd extends TaskPos { kind: 'touch'; addr: Addr; size: number; access: Access }
export interface RunCmd extends TaskPos { kind: 'run'; cpu?: number }
export interface FileCmd extends Pos { kind: 'file'; path: string; size: number }
export interface CgroupCmd extends Pos { kind: 'cgroup'; name: string; limit?: number }
export interface JoinCmd extends TaskPos { kind: 'join'; cgroup: string }
export interface MountCmd extends Pos { kind: 'mount'; fs: FsType; path: string }
export interface OpenCmd extends TaskPos { kind: 'open'; path: string; create: boolean; fd?: FdRef }
export interface CloseCmd extends TaskPos { kind: 'close'; fd: FdRef }
export interface FtruncateCmd extends TaskPos { kind: 'ftruncate'; fd: FdRef; size: number }
export interface IoctlCreateMappingCmd extends TaskPos {
  kind: 'ioctl_create_mapping';
  fd: FdRef;
  offset: number;
  size: number;
  prot: Prot;
  file?: string;
  hugetlb: boolean;
}
export interface IoctlUnmapCmd extends TaskPos { kind: 'ioctl_unmap'; fd: FdRef; offset: number; size: number }
export interface MshareInfoCmd extends TaskPos { kind: 'mshare_info'; fd: FdRef }
export interface UnlinkCmd extends Pos { kind: 'unlink'; path: string }
export interface GupCmd extends TaskPos { kind: 'gup'; addr: Addr; size: number; write: boolean }
export interface UnpinCmd extends TaskPos { kind: 'unpin'; addr: Addr; size: number }
export interface UffdRegisterCmd extends TaskPos { kind: 'uffd_register'; addr: Addr; size: number; mode: UffdMode }
export interface UffdCopyCmd extends TaskPos { kind: 'uffd_copy'; addr: Addr; value: Value }
/**
 * `repeat N: BODY`. Never expanded by the parser: use `repeatBody(cmd, i)` (parser.ts) for
 * i = 1..count. `template`, when set, is the body's source text: `{i}` stands in a number
 * (`write p+{i}K {i}`), so each iteration is parsed from the text with `{i}` replaced, and
 * `body` is iteration 1 (for views that show the command).
 */
export interface RepeatCmd extends Pos { kind: 'repeat'; count: number; body: RepeatBody; template?: RepeatTemplate }
/** A repeat body kept as text: the line's text up to the body padded with blanks (columns stay true). */
export interface RepeatTemplate { text: string }
export interface ExpectCmd extends Pos { kind: 'expect'; expr: ExpectExpr }
export interface NoteCmd extends Pos { kind: 'note'; caption: string }
/** `## Title`: a heading for the timeline and presenter mode. */
export interface ChapterCmd extends Pos { kind: 'chapter'; title: string }

/** What `expect last` compares with. */
export type ExpectValue =
  | { kind: 'num'; value: number }
  | { kind: 'errno'; name: ErrnoName }
  | { kind: 'signal'; name: SignalName }
  | { kind: 'str'; value: string };

/** `TASK:ADDR`, an operand of same-page / different-page. */
export interface TaskAddr { task: string; addr: Addr }

export type ExpectExpr =
  | { kind: 'status'; task: string; field: StatusField; op: Op; value: number }
  | { kind: 'meminfo'; field: MeminfoField; op: Op; value: number }
  | { kind: 'state'; task: string; state: TaskState; signal?: SignalName }
  /** `field` absent: the previous command's whole result. */
  | { kind: 'last'; field?: LastField; op: Op; value: ExpectValue }
  | { kind: 'page'; same: boolean; a: TaskAddr; b: TaskAddr }
  | { kind: 'cgroup'; name: string; field: CgroupField; op: Op; value: number }
  | { kind: 'mshare'; path: string; field: MshareField; op: Op; value: number };

export type Command =
  | MachineCmd | PolicyCmd | SpawnCmd | ForkCmd | ThreadCmd | ExitCmd | MmapCmd | MunmapCmd
  | MprotectCmd | MadviseCmd | ReadCmd | WriteCmd | TouchCmd | RunCmd | FileCmd | CgroupCmd
  | JoinCmd | MountCmd | OpenCmd | CloseCmd | FtruncateCmd | IoctlCreateMappingCmd
  | IoctlUnmapCmd | MshareInfoCmd | UnlinkCmd | GupCmd | UnpinCmd | UffdRegisterCmd
  | UffdCopyCmd | RepeatCmd | ExpectCmd | NoteCmd | ChapterCmd;

/** What a repeat may run: anything but machine, a chapter or another repeat. */
export type RepeatBody = Exclude<Command, RepeatCmd | MachineCmd | ChapterCmd>;

export type CommandKind = Command['kind'];

/** A chapter of the script: its title and where it starts. */
export interface Chapter {
  title: string;
  line: number;
  /** Index in `Script.commands` of the chapter's own `chapter` command. */
  index: number;
}

export interface Script {
  commands: Command[];
  /** The `## Title` lines in order, an index for the timeline (they are also commands). */
  chapters: Chapter[];
}

/**
 * One iteration of a repeat: the body with every `{i}` replaced by `i` (in task, label,
 * cgroup and descriptor names, paths, strings, note text and `text`). Given a command that
 * is not a repeat, substitutes in that command. Returns a fresh object; `cmd` is untouched.
 *
 * For a repeat with a `template` ({i} in a number) use parser.ts's repeatBody, which parses
 * the iteration's text.
 */
export function instantiate(cmd: Command, i: number): Command {
  const src: Command = cmd.kind === 'repeat' ? cmd.body : cmd;
  return substitute(src, String(i));
}

function substitute<T>(v: T, i: string): T {
  if (typeof v === 'string') return (v.includes('{i}') ? v.split('{i}').join(i) : v) as T;
  if (Array.isArray(v)) return v.map((x) => substitute(x, i)) as T;
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = substitute(x, i);
    return out as T;
  }
  return v;
}

/**
 * Executing one scenario command on the Kernel: the glue between the AST and the syscall
 * surface. Resolves what the language names and the kernel does not know about (VMA labels,
 * `as F` descriptor names, `auto`, PROT words, FLAGS lists) and returns the SysResult.
 *
 * Contract: never throws for any command; a name that does not resolve becomes an errno
 * result with a `detail`, exactly like a failing syscall, so the script goes on (SCENARIO.md:
 * "a syscall that fails returns an errno ... the script goes on").
 *
 * The per-run state the language adds on top of the kernel lives in `RunState` and is
 * copied with every checkpoint (`cloneRunState`), so going back in time restores it too.
 */
import type { Addr, Command, FdRef, PolicySettings, Prot, Value } from './ast';
import type { Kernel, SysResult } from '../engine/kernel';
import type { Policies } from '../engine/types';
import { isAlive } from '../engine/sys/task';

export interface RunState {
  /**
   * `open ... as F` names, per thread group (keyed by tgid: threads share the fd table,
   * CLONE_FILES; fork copies it, so the child gets a copy of the parent's names).
   */
  fdNames: Map<number, Map<string, number>>;
  /** The previous command's result (`expect last`); expects, notes and chapters keep it. */
  last: SysResult | null;
  /** Its source text, for failure messages. */
  lastText: string;
}

export function newRunState(): RunState {
  return { fdNames: new Map(), last: null, lastText: '' };
}

export function cloneRunState(s: RunState): RunState {
  const fdNames = new Map<number, Map<string, number>>();
  for (const [tgid, names] of s.fdNames) fdNames.set(tgid, new Map(names));
  return { fdNames, last: s.last ? { ...s.last } : null, lastText: s.lastText };
}

/** A result the runner makes itself (an unresolved name), shaped like a kernel errno. */
function fail(errno: 'EFAULT' | 'EBADF' | 'ESRCH', detail: string): SysResult {
  return { value: null, errno, signal: null, detail };
}

/** The live task named `name`, or null. */
function liveTask(k: Kernel, name: string) {
  const t = k.task(name);
  return t && isAlive(t) ? t : null;
}

/**
 * ADDR -> number. A label resolves in the task's own address space; for a task that is not
 * running the kernel call itself answers ESRCH, so we hand it 0 and let it.
 */
export function resolveAddr(k: Kernel, task: string, a: Addr): number | SysResult {
  if (a.kind === 'num') return a.value;
  if (a.kind === 'auto') return 0; // only mmap accepts auto, and handles it before this
  if (!liveTask(k, task)) return 0;
  const base = k.labelAddr(task, a.label);
  if (base === null) return fail('EFAULT', `${task} has no VMA labelled '${a.label}'`);
  const addr = base + a.offset;
  // Above 2^53 (5-level addresses) a double holds only every 2nd, 4th or 8th integer: refuse
  // a sum that was rounded rather than act on a neighbouring byte. (The parser refuses such
  // literals; a label's address is only known here.) The errno stays EFAULT, as for any
  // address that cannot be used; the detail says why and what works (README, Limits).
  const exact = BigInt(base) + BigInt(a.offset);
  if (addr > Number.MAX_SAFE_INTEGER && exact !== BigInt(addr)) {
    return fail('EFAULT', `${a.label}+${a.offset} = 0x${exact.toString(16)} cannot be held exactly: above 2^53 the simulator's addresses are doubles, and there they must be multiples of ${doubleStep(exact)}`);
  }
  return addr;
}

/** The spacing of the doubles around `n` (>= 2^53): 2 up to 2^54, 4 up to 2^55, 8 up to 2^56. */
function doubleStep(n: bigint): number {
  return 2 ** (n.toString(2).length - 53);
}

/** F -> descriptor number: a number as is, a name through the task's `as F` names. */
export function resolveFd(k: Kernel, st: RunState, task: string, f: FdRef): number | SysResult {
  if (f.kind === 'num') return f.value;
  const t = liveTask(k, task);
  if (!t) return -1; // the syscall answers ESRCH
  const fd = st.fdNames.get(t.tgid)?.get(f.name);
  if (fd === undefined) return fail('EBADF', `${task} has no descriptor named '${f.name}'`);
  return fd;
}

export function protString(p: Prot): string {
  const s = (p.r ? 'r' : '') + (p.w ? 'w' : '') + (p.x ? 'x' : '');
  return s === '' ? 'none' : s;
}

function valueOf(v: Value): number | string {
  return v.value;
}

/** SCENARIO.md spells policy keys as in the script; the kernel as in TypeScript. */
export function policyArgs(s: PolicySettings): Partial<Policies> {
  const p: Partial<Policies> = {};
  if (s.charge) p.charge = s.charge;
  if (s.owner_exit) p.ownerExit = s.owner_exit;
  if (s.mprotect) p.mprotect = s.mprotect;
  if (s.tlb_flush) p.tlbFlush = s.tlb_flush;
  return p;
}

const isResult = (x: unknown): x is SysResult => typeof x === 'object' && x !== null;

/**
 * Run one syscall-like command. Returns null for commands that are not syscalls (expect,
 * note, chapter, repeat: the runner handles those). `machine` was applied when the Kernel
 * was built, so here it only reports success.
 */
export function execCommand(k: Kernel, st: RunState, cmd: Command): SysResult | null {
  switch (cmd.kind) {
    case 'machine': return { value: 0, errno: null, signal: null };
    case 'policy': return k.policy(policyArgs(cmd.settings));
    case 'spawn': return k.spawn(cmd.name);
    case 'fork': {
      const r = k.fork(cmd.task, cmd.child);
      // The child's fd table is a copy of the parent's: so are the names of its entries.
      const parent = k.task(cmd.task);
      if (r.errno === null && r.signal === null && typeof r.value === 'number' && parent) {
        const names = st.fdNames.get(parent.tgid);
        if (names) st.fdNames.set(r.value, new Map(names));
      }
      return r;
    }
    case 'thread': return k.thread(cmd.task, cmd.child);
    case 'exit': return k.exit(cmd.task);
    case 'run': return k.run(cmd.task, cmd.cpu);
    case 'mmap': {
      let addr: number | null = null;
      if (cmd.addr.kind !== 'auto') {
        const a = resolveAddr(k, cmd.task, cmd.addr);
        if (isResult(a)) return a;
        addr = a;
      }
      let fd: number | undefined;
      // With `anon` Linux's mmap never looks at the fd (ksys_mmap_pgoff): nor is its name.
      if (cmd.fd && !cmd.flags.includes('anon')) {
        const f = resolveFd(k, st, cmd.task, cmd.fd);
        if (isResult(f)) return f;
        fd = f;
      }
      const flags: Record<string, boolean> = {};
      for (const f of cmd.flags) flags[f] = true;
      return k.mmap(cmd.task, {
        addr, len: cmd.size, prot: protString(cmd.prot), flags, fd, file: cmd.file, off: cmd.off, label: cmd.label ?? null,
      });
    }
    case 'munmap': return withAddr(k, cmd.task, cmd.addr, (a) => k.munmap(cmd.task, a, cmd.size));
    case 'mprotect': return withAddr(k, cmd.task, cmd.addr, (a) => k.mprotect(cmd.task, a, cmd.size, protString(cmd.prot)));
    case 'madvise': return withAddr(k, cmd.task, cmd.addr, (a) => k.madvise(cmd.task, a, cmd.size, cmd.advice));
    case 'read': return withAddr(k, cmd.task, cmd.addr, (a) => k.read(cmd.task, a, cmd.size));
    case 'write': return withAddr(k, cmd.task, cmd.addr, (a) => k.write(cmd.task, a, valueOf(cmd.value)));
    case 'touch': return withAddr(k, cmd.task, cmd.addr, (a) => k.touch(cmd.task, a, cmd.size, cmd.access));
    case 'gup': return withAddr(k, cmd.task, cmd.addr, (a) => k.gup(cmd.task, a, cmd.size, cmd.write));
    case 'unpin': return withAddr(k, cmd.task, cmd.addr, (a) => k.unpin(cmd.task, a, cmd.size));
    case 'uffd_register': return withAddr(k, cmd.task, cmd.addr, (a) => k.uffdRegister(cmd.task, a, cmd.size, cmd.mode));
    case 'uffd_copy': return withAddr(k, cmd.task, cmd.addr, (a) => k.uffdCopy(cmd.task, a, valueOf(cmd.value)));
    case 'file': return k.file(cmd.path, cmd.size);
    case 'cgroup': return k.cgroup(cmd.name, cmd.limit);
    case 'join': return k.join(cmd.task, cmd.cgroup);
    case 'mount': return k.mount(cmd.path);
    case 'unlink': return k.unlink(cmd.path);
    case 'open': {
      const num = cmd.fd?.kind === 'num' ? cmd.fd.value : undefined;
      const r = k.open(cmd.task, cmd.path, cmd.create, num);
      const t = k.task(cmd.task);
      if (cmd.fd?.kind === 'name' && r.errno === null && typeof r.value === 'number' && t) {
        let names = st.fdNames.get(t.tgid);
        if (!names) st.fdNames.set(t.tgid, (names = new Map()));
        names.set(cmd.fd.name, r.value);
      }
      return r;
    }
    case 'close': return withFd(k, st, cmd.task, cmd.fd, (fd) => {
      const r = k.close(cmd.task, fd);
      if (r.errno === null && cmd.fd.kind === 'name') {
        const t = k.task(cmd.task);
        if (t) st.fdNames.get(t.tgid)?.delete(cmd.fd.name);
      }
      return r;
    });
    case 'ftruncate': return withFd(k, st, cmd.task, cmd.fd, (fd) => k.ftruncate(cmd.task, fd, cmd.size));
    case 'ioctl_create_mapping': return withFd(k, st, cmd.task, cmd.fd, (fd) =>
      k.ioctlCreateMapping(cmd.task, fd, cmd.offset, cmd.size, protString(cmd.prot), cmd.file, cmd.hugetlb));
    case 'ioctl_unmap': return withFd(k, st, cmd.task, cmd.fd, (fd) => k.ioctlUnmap(cmd.task, fd, cmd.offset, cmd.size));
    case 'mshare_info': return withFd(k, st, cmd.task, cmd.fd, (fd) => k.mshareInfo(cmd.task, fd));
    case 'repeat':
    case 'expect':
    case 'note':
    case 'chapter':
      return null;
  }
}

function withAddr(k: Kernel, task: string, a: Addr, fn: (addr: number) => SysResult): SysResult {
  const r = resolveAddr(k, task, a);
  return isResult(r) ? r : fn(r);
}

function withFd(k: Kernel, st: RunState, task: string, f: FdRef, fn: (fd: number) => SysResult): SysResult {
  const r = resolveFd(k, st, task, f);
  return isResult(r) ? r : fn(r);
}

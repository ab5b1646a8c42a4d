/**
 * The kernel's syscall surface: the one entry everything else (scenario runner, worker,
 * CLI, benchmarks, tests) calls. Tasks are named, as in scenarios.
 *
 * Contract: no method throws on any input. Bad arguments give the errno Linux gives; a task
 * that is dead or unknown gives ESRCH; accesses the kernel answers with a signal kill the
 * task and report the signal. Allocation failures run the OOM killer and retry, as the page
 * allocator does, until the request succeeds or nothing is left to kill.
 */
import { PAGE_SIZE } from './hw/physmem';
import { PTE_PS, PTE_RW, entryPfn } from './hw/pte';
import { leaveCpu, switchMm } from './hw/cpu';
import { Machine, DEFAULT_CONFIG, type OomRequest } from './machine';
import { FAULT_OK, FAULT_OOM, FAULT_SIGBUS, FAULT_SIGSEGV, handleMmFault, mfillPage, unshareAnonPte } from './mm/fault';
import { PROT_MASK, doMprotect } from './mm/mprotect';
import { cacheIndex, dropCachePage, forEachCachePage, maybeEvict, newInode } from './mm/pagecache';
import { findLeaf, findPte } from './mm/pgtable';
import { doMunmap, zapAndFlush, zapDontneed } from './mm/unmap';
import { splitFolioAt } from './mm/thp';
import { unshareAllHugePmds, unshareAtSplits, unshareHugetlbPage } from './mm/hugetlb';
import { hugetlbUnreserve } from './mm/hugetlb-pool';
import { findVma, flagsWith, hugetlbSplitOk, isolateVmas, takeLabel, updateVmaFlags, vmasIn } from './mm/vma';
import * as msh from './mshare/msharefs';
import { ACCESS_BLOCKED, ACCESS_BUS, ACCESS_OOM, ACCESS_SEGV, FAULT_BLOCK, MAX_FAULT_ROUNDS, accessError, accessPage, userFault } from './sys/access';
import { rangeFaultCode, touchRange } from './hw/mmu-range';
import { doMmap, isProt, protFlags, type MmapFlags } from './sys/mmap';
import { err, ok, refusal, refuse, sig, type SysResult } from './sys/result';
import { cloneThread, exitTask, forkTask, isAlive, killGroup, oomKill, spawn } from './sys/task';
import { resetLocks } from './sys/locks';
import {
  VM_HUGEPAGE, VM_HUGETLB, VM_MSHARE, VM_NOHUGEPAGE, VM_SHARED, VM_UFFD_MISSING, VM_UFFD_WP, VM_WRITE,
  type BlockedAccess, type Cgroup, type Errno, type Inode, type MachineConfig, type Mm, type Policies, type Task, type Vma,
} from './types';

export type { SysResult };

const MAX_OOM_ROUNDS = 64;

/** The values each mshare policy switch takes (SCENARIO.md `policy`). */
const POLICY_VALUES: { [K in keyof Policies]: readonly Policies[K][] } = {
  charge: ['faulter', 'owner'],
  ownerExit: ['keep', 'unmap'],
  mprotect: ['global', 'einval'],
  tlbFlush: ['all', 'sharers'],
};

export interface MmapArgs {
  addr: number | null;
  len: number;
  prot: string;
  flags: Partial<MmapFlags>;
  fd?: number;
  file?: string;
  off?: number;
  label?: string | null;
}

/** Decodes what `read` loaded as text. */
const UTF8 = new TextDecoder();

/** What a load that sleeps in a userfaultfd fault runs again when woken: the load. */
const LOAD: BlockedAccess['retry'] = { kind: 'load' };

/**
 * /sys is sysfs, where nothing can be created (open(O_CREAT) fails with EACCES): a path under
 * /sys outside a msharefs mount is usually a forgotten `mount msharefs`, and used to become an
 * ordinary tmpfs file whose mapping silently shared nothing.
 */
const SYSFS_CREATE = '/sys is sysfs: files cannot be created there (is msharefs mounted? mount msharefs)';
function inSysfs(path: string): boolean {
  return path === '/sys' || path.startsWith('/sys/');
}

export class Kernel {
  // `declare`d: set once by the constructor, so V8 keeps it constant and typed (see Machine).
  declare readonly m: Machine;

  constructor(config: Partial<MachineConfig> = {}) {
    this.m = new Machine({ ...DEFAULT_CONFIG, ...config });
    msh.registerMshare();
  }

  // ---------------------------------------------------------------- lookups

  task(name: string): Task | null {
    const pid = this.m.s.names.get(name);
    return pid === undefined ? null : (this.m.s.tasks.get(pid) ?? null);
  }

  private live(name: string): Task | SysResult {
    const t = this.task(name);
    if (!t || !isAlive(t)) return err('ESRCH', `no running task named ${name}`);
    if (t.state === 'blocked') return err('EAGAIN', `${name} is blocked in a userfaultfd fault`);
    return t;
  }

  /**
   * Address of the lowest VMA labelled `label` in `name`'s mm, or else of the labelled
   * mapping inside an mshare region the task has mapped; null if neither. Only one mapping
   * holds a label (mmap's takeLabel), but a split leaves it on every piece: the name means
   * the lowest, where the labelled mapping now starts.
   */
  labelAddr(name: string, label: string): number | null {
    const t = this.task(name);
    const mm = t?.mm;
    if (!mm || mm.dead) return null;
    for (const v of mm.vmas) if (v.label === label) return v.start;
    // A mapping made inside an mshare region lives in the host mm and keeps its label there
    // (mmap's 2024 path): the name means it as seen through this task's view of the region.
    for (const v of mm.vmas) {
      const r = v.region;
      if (!r) continue;
      for (const h of r.host.vmas) {
        if (h.label !== label) continue;
        const at = h.start - r.hostBase + v.start;
        if (at >= v.start && at < v.end) return at;
      }
    }
    return null;
  }

  /** Run `fn` as `t` (charging its cgroup, on its CPU), with OOM-kill-and-retry around it. */
  private withOom<T>(t: Task | null, fn: () => T | null, isFail: (r: T | null) => boolean = (r) => r === null): T | null {
    const m = this.m;
    for (let round = 0; round < MAX_OOM_ROUNDS; round++) {
      m.oom = null;
      m.chargeTo = t ? t.cgroup.id : 0;
      if (t) m.localCpu = t.cpu;
      resetLocks();
      const r = fn();
      const req = m.oom as OomRequest | null;
      if (!isFail(r) || !req) return r;
      const victim = oomKill(m, req.cgroup, t ? `${t.name} needed ${PAGE_SIZE << req.order} bytes` : 'allocation');
      if (!victim) return r;
      if (t && !isAlive(t)) return r;
    }
    return null;
  }

  // ---------------------------------------------------------------- machine-wide

  policy(p: Partial<Policies>): SysResult {
    // Check everything before changing anything: an unknown switch or value is EINVAL.
    for (const [key, v] of Object.entries(p)) {
      const allowed = POLICY_VALUES[key as keyof Policies];
      if (!allowed || !(allowed as readonly unknown[]).includes(v)) return err('EINVAL', `bad policy ${key}=${String(v)}`);
    }
    Object.assign(this.m.s.policies, p);
    return ok(0);
  }

  spawn(name: string): SysResult {
    if (this.liveName(name)) return err('EEXIST', `a task named ${name} is already running`);
    const t = this.withOom(null, () => spawn(this.m, name));
    return t ? ok(t.pid) : err('ENOMEM', 'no memory for a new mm (its PGD page), and nothing the OOM killer could free');
  }

  private liveName(name: string): boolean {
    const t = this.task(name);
    return !!t && isAlive(t);
  }

  fork(name: string, child?: string): SysResult {
    const p = this.live(name);
    if (!('pid' in p)) return p;
    const cname = child ?? this.freshName(`${name}.`);
    if (this.liveName(cname)) return err('EEXIST', `a task named ${cname} is already running`);
    const c = this.withOom(p, () => forkTask(this.m, p, cname));
    if (!c) return isAlive(p) ? err('ENOMEM', 'out of memory while copying the page tables, and nothing the OOM killer could free') : sig('SIGKILL', 'killed by the OOM killer during fork');
    return ok(c.pid);
  }

  thread(name: string, tname?: string): SysResult {
    const p = this.live(name);
    if (!('pid' in p)) return p;
    const n = tname ?? this.freshName(`${name}.t`);
    if (this.liveName(n)) return err('EEXIST', `a task named ${n} is already running`);
    return ok(cloneThread(this.m, p, n).pid);
  }

  /**
   * A default child name: `prefix` and the smallest number from 1 that no task, running or
   * exited, has had (`a.1`, `a.2`, ... for forks; `a.t1`, ... for threads). Default names never
   * collide with a name given with `as`, and never name two tasks, so `expect a.1 exited`
   * keeps meaning the first child. Fork never fails with EEXIST for a name it chose.
   */
  private freshName(prefix: string): string {
    let k = 1;
    while (this.m.s.names.has(`${prefix}${k}`)) k++;
    return `${prefix}${k}`;
  }

  exit(name: string): SysResult {
    const t = this.task(name);
    if (!t || !isAlive(t)) return err('ESRCH', `no running task named ${name}`);
    this.m.chargeTo = t.cgroup.id;
    this.m.localCpu = t.cpu;
    resetLocks();
    // exit() from a thread ends that thread; from the group leader it is exit_group().
    if (t.tgid === t.pid) {
      for (const o of [...this.m.s.tasks.values()]) if (o.tgid === t.tgid && o !== t && isAlive(o)) exitTask(this.m, o, null, null);
    }
    exitTask(this.m, t, null, null);
    return ok(0);
  }

  run(name: string, cpu?: number): SysResult {
    const t = this.live(name);
    if (!('pid' in t)) return t;
    if (cpu !== undefined && (cpu < 0 || cpu >= this.m.s.config.cpus || !Number.isInteger(cpu))) return err('EINVAL', `cpu must be 0..${this.m.s.config.cpus - 1}`);
    if (cpu !== undefined && cpu !== t.cpu) {
      leaveCpu(this.m, t.cpu, t.pid); // a task runs on one CPU: the one it left idles
      t.cpu = cpu;
    }
    this.m.localCpu = t.cpu;
    switchMm(this.m, t.cpu, t.mm!, t.pid);
    return ok(t.cpu);
  }

  // ---------------------------------------------------------------- memory syscalls

  mmap(name: string, a: MmapArgs): SysResult {
    const t = this.live(name);
    if (!('pid' in t)) return t;
    const flags: MmapFlags = {
      shared: !!a.flags.shared, private: !!a.flags.private, anon: !!a.flags.anon, fixed: !!a.flags.fixed,
      populate: !!a.flags.populate, hugetlb: !!a.flags.hugetlb, noreserve: !!a.flags.noreserve,
    };
    let inode: Inode | null = null;
    // ksys_mmap_pgoff() looks the fd up only without MAP_ANONYMOUS: an anonymous mapping
    // ignores it, a bad one included. `file=PATH` stands for such a descriptor.
    if (!flags.anon && a.fd !== undefined) {
      const f = t.fds.get(a.fd);
      if (!f) return err('EBADF', `${name} has no fd ${a.fd}`);
      inode = f.inode;
    } else if (!flags.anon && a.file !== undefined) {
      inode = this.m.s.paths.get(a.file) ?? null;
      if (!inode) return err('ENOENT', `no file ${a.file}`);
    }
    if (inode && (inode.kind === 'dir')) return err('ENODEV', 'a directory cannot be mapped');
    if (inode && inode.kind === 'info') return err('EACCES', 'this file cannot be mapped');
    if (a.addr !== null && (a.addr < 0 || !Number.isFinite(a.addr))) return err('EINVAL', 'bad address');
    // An unknown PROT string is EINVAL (like unknown PROT_* bits), not silently PROT_NONE.
    if (!isProt(a.prot)) return err('EINVAL', `bad protection ${a.prot}`);
    const req = { addr: a.addr, len: a.len, prot: protFlags(a.prot), flags, inode, off: a.off ?? 0, label: a.label ?? null };
    const m = this.m;
    m.chargeTo = t.cgroup.id;
    m.localCpu = t.cpu;
    resetLocks();
    if (inode?.kind === 'msharefs') {
      const r = msh.mmapRegion(m, t, inode, req);
      if (typeof r === 'string') return err(r, refusal());
      if (req.label !== null) takeLabel(t.mm!, req.label, r.start);
      return ok(r.start, { addr: r.start });
    }
    // 2024 flavour: a fixed mapping inside an attached region goes into the host mm.
    if (flags.fixed && a.addr !== null) {
      const v = findVma(t.mm!, a.addr);
      if (v && v.flags & VM_MSHARE) {
        const r = msh.mmapInsideRegion(m, t, v, req);
        if (typeof r === 'string') return err(r, refusal());
        // The label went to the object in the host mm (which took it from the host's older
        // VMAs); here the task's older VMAs give it up, so the name no longer means them.
        if (req.label !== null) takeLabel(t.mm!, req.label, r);
        // mm_populate() faults the range in through get_user_pages on the process's VMA, the
        // msharefs one, where handle_mm_fault cannot fault (M23); do_mmap ignores the failure.
        if (flags.populate) return ok(r, { addr: r, detail: 'MAP_POPULATE has no effect inside an mshare region: get_user_pages cannot fault region pages in (M23)' });
        return ok(r, { addr: r });
      }
    }
    const addr = doMmap(m, t.mm!, req);
    if (typeof addr === 'string') return err(addr, refusal());
    if (req.label !== null) takeLabel(t.mm!, req.label, addr);
    if (flags.populate) {
      const vma = findVma(t.mm!, addr)!;
      const write = (vma.flags & VM_WRITE) !== 0 && !flags.shared;
      const r = this.populate(t, addr, Math.ceil(a.len / PAGE_SIZE) * PAGE_SIZE, write);
      if (r) return r;
    }
    return ok(addr, { addr });
  }

  /**
   * mm_populate (MAP_POPULATE): fault every page in. It ignores failures (do_mmap has already
   * succeeded): a page it could not fault in stays for a later fault, and the result's detail
   * says where it stopped. Only an OOM kill of the task itself ends the call that way.
   */
  private populate(t: Task, addr: number, len: number, write: boolean): SysResult | null {
    const m = this.m;
    const mm = t.mm!;
    const step = findVma(mm, addr)!.flags & VM_HUGETLB ? 0x200000 : PAGE_SIZE;
    for (let va = addr; va < addr + len; va += step) {
      const vma = findVma(mm, va);
      if (!vma) break;
      const r = this.withOom(t, () => (handleMmFault(m, mm, vma, va, write) === FAULT_OK ? 1 : null));
      if (r !== null) continue;
      if (!isAlive(t)) return sig('SIGKILL', 'killed by the OOM killer');
      const why = vma.flags & VM_HUGETLB ? 'no huge page left' : 'out of memory, and nothing the OOM killer could free';
      return ok(addr, { addr, detail: `MAP_POPULATE stopped at 0x${va.toString(16)}: ${why}; mm_populate ignores that, the rest faults in when touched` });
    }
    return null;
  }

  munmap(name: string, addr: number, len: number): SysResult {
    const t = this.live(name);
    if (!('pid' in t)) return t;
    const r = checkRange(this.m, addr, len);
    if (typeof r === 'string') return err(r, refusal());
    const [start, end] = r;
    if (!hugetlbSplitOk(t.mm!, start, end)) return err('EINVAL', 'hugetlb mappings are unmapped in whole 2 MiB pages');
    const m = this.m;
    m.localCpu = t.cpu;
    m.chargeTo = t.cgroup.id;
    resetLocks();
    for (const v of vmasIn(t.mm!, start, end)) {
      if (v.flags & VM_MSHARE && (v.start < start || v.end > end)) {
        // Wholly inside one region (2024): the host's objects go, the process VMA stays.
        if (v.start <= start && end <= v.end) {
          const e = msh.munmapInsideRegion(m, t, v, start, end);
          return e ? err(e, refusal()) : ok(0);
        }
        return err('EINVAL', 'msharefs VMAs cannot be split (may_split)');
      }
    }
    doMunmap(m, t.mm!, start, end);
    return ok(0);
  }

  mprotect(name: string, addr: number, len: number, prot: string): SysResult {
    const t = this.live(name);
    if (!('pid' in t)) return t;
    const r = protAdviceRange(addr, len, 'ENOMEM');
    if (r === null) return ok(0);
    if (typeof r === 'string') return err(r, refusal());
    const [start, end] = r;
    const mm = t.mm!;
    if (!isProt(prot)) return err('EINVAL', `bad protection ${prot}`);
    // do_mprotect_pkey: the first page must be mapped (ENOMEM, nothing changes); the change then
    // applies VMA by VMA up to the first hole, and the call reports ENOMEM for the rest.
    const vmas: Vma[] = [];
    let upto = start;
    for (const v of vmasIn(mm, start, end)) {
      if (v.start > upto) break;
      vmas.push(v);
      upto = Math.min(end, v.end);
    }
    if (vmas.length === 0) return err('ENOMEM', `nothing is mapped at 0x${start.toString(16)}`);
    const m = this.m;
    m.localCpu = t.cpu;
    resetLocks();
    const pf = protFlags(prot);
    if (vmas.some((v) => v.flags & VM_MSHARE)) {
      if (vmas.length !== 1 || upto < end) return err('EINVAL', 'the range covers an msharefs VMA and other mappings: change the region on its own');
      const e = msh.mprotectRegion(m, t, vmas[0], start, end, pf);
      return e ? err(e, refusal()) : ok(0);
    }
    // mprotect_fixup goes VMA by VMA and stops where __split_vma's may_split refuses (a
    // hugetlb VMA cut off a 2 MiB boundary): the VMAs before it keep their new protection.
    // A hugetlb VMA the range covers whole needs no split, whatever the range's ends.
    // A VMA whose flags stay is not split at all (mprotect_fixup returns first), so it cannot refuse.
    const refused = vmas.find((v) => flagsWith(v.flags, pf, PROT_MASK) !== v.flags && !hugetlbSplitOk(mm, Math.max(start, v.start), Math.min(upto, v.end)));
    if (refused) {
      if (refused.start > start) doMprotect(m, mm, start, refused.start, pf);
      return err('EINVAL', `the range would cut the hugetlb mapping at 0x${refused.start.toString(16)} off a 2 MiB boundary${refused.start > start ? ': the protection changed up to it' : ''}`);
    }
    doMprotect(m, mm, start, upto, pf);
    return upto < end ? err('ENOMEM', `nothing is mapped at 0x${upto.toString(16)}: the protection changed up to there`) : ok(0);
  }

  madvise(name: string, addr: number, len: number, advice: string): SysResult {
    const t = this.live(name);
    if (!('pid' in t)) return t;
    if (advice !== 'dontneed' && advice !== 'hugepage' && advice !== 'nohugepage') return err('EINVAL', `unknown advice ${advice}: dontneed, hugepage or nohugepage`);
    const r = protAdviceRange(addr, len, 'EINVAL');
    if (r === null) return ok(0);
    if (typeof r === 'string') return err(r, refusal());
    const [start, end] = r;
    const vmas = vmasIn(t.mm!, start, end);
    if (vmas.length === 0) return err('ENOMEM', 'nothing is mapped in the range');
    // Read before the advice splits any VMA (the split objects' bounds change).
    const holes = this.adviceHoles(vmas, start, end);
    this.m.localCpu = t.cpu;
    if (advice !== 'dontneed') {
      const res = this.hugepageAdvice(t.mm!, start, end, vmas, advice === 'hugepage');
      return res.errno ? res : (holes ?? res);
    }
    // The v3 plan rejects madvise on msharefs VMAs: DONTNEED would zap the shared tables.
    if (vmas.some((v) => v.flags & VM_MSHARE)) return err('EINVAL', 'madvise is not supported on msharefs VMAs');
    // madvise_dontneed_free_valid_vma(): in a hugetlb VMA the range must start on a huge page,
    // and its end is rounded down ("callers ... may be unaware that this VMA uses huge pages").
    // madvise_walk_vmas visits VMAs only: nothing past the last one is walked (the range may
    // run past TASK_SIZE, which madvise does not check).
    const last = vmas[vmas.length - 1];
    let to = Math.min(end, last.end);
    if (last.flags & VM_HUGETLB && to < last.end && to % 0x200000) to = Math.max(start, Math.floor(to / 0x200000) * 0x200000);
    if (!hugetlbSplitOk(t.mm!, start, to)) return err('EINVAL', 'a hugetlb range must start on a 2 MiB page');
    this.m.localCpu = t.cpu;
    zapDontneed(this.m, t.mm!, start, to);
    return holes ?? ok(0);
  }

  /**
   * madvise_walk_vmas: the advice applies to every mapped part of the range, and a hole anywhere
   * in it makes the call return ENOMEM afterwards (unmapped_error).
   */
  private adviceHoles(vmas: Vma[], start: number, end: number): SysResult | null {
    let cursor = start;
    for (const v of vmas) {
      if (v.start > cursor) break;
      cursor = v.end;
    }
    if (cursor >= end) return null;
    return err('ENOMEM', `nothing is mapped at 0x${cursor.toString(16)}: the advice applied to the mapped parts of the range`);
  }

  /**
   * MADV_HUGEPAGE / MADV_NOHUGEPAGE: VM_HUGEPAGE for shmem_thp=advise. On an msharefs VMA it
   * has no effect (M21): the flag would land on the process's VMA, which maps no pages, while
   * faults in the region are handled against the host VMA. Existing PMDs stay (as in Linux).
   */
  private hugepageAdvice(mm: Mm, start: number, end: number, vmas: Vma[], on: boolean): SysResult {
    const set = on ? VM_HUGEPAGE : VM_NOHUGEPAGE;
    const clear = on ? VM_NOHUGEPAGE : VM_HUGEPAGE;
    const plain = vmas.filter((v) => !(v.flags & VM_MSHARE));
    // Only a VMA whose flags change is split, so only one can refuse the split.
    const changes = (v: Vma) => flagsWith(v.flags, set, clear) !== v.flags;
    if (plain.some((v) => changes(v) && !hugetlbSplitOk(mm, Math.max(start, v.start), Math.min(end, v.end)))) {
      return err('EINVAL', 'hugetlb ranges are whole 2 MiB pages');
    }
    for (const v of plain) {
      // madvise_update_vma() returns at once for a VMA whose flags stay: no split, no unshare.
      if (!changes(v)) continue;
      const [s, e] = [Math.max(start, v.start), Math.min(end, v.end)];
      unshareAtSplits(this.m, mm, s, e); // H7: a split hugetlb VMA stops sharing there
      updateVmaFlags(mm, s, e, set, clear);
    }
    if (plain.length < vmas.length) {
      return ok(0, { detail: `MADV_${on ? '' : 'NO'}HUGEPAGE has no effect on an msharefs VMA: faults in the region use the host VMA (an ioctl would be needed)` });
    }
    return ok(0);
  }

  // ---------------------------------------------------------------- user accesses

  /**
   * One access through the MMU with OOM handling; returns the pfn or a finished result.
   * `retry` is what the task runs again if it sleeps in a userfaultfd fault here.
   */
  private access(t: Task, va: number, write: boolean, retry: BlockedAccess['retry'] = LOAD): number | SysResult {
    const m = this.m;
    if (va < 0 || va >= m.geo.userTop || !Number.isInteger(va)) {
      killGroup(m, t, 'SIGSEGV', va, 'non-canonical or kernel address');
      return sig('SIGSEGV', `address 0x${va.toString(16)} is not a user address`);
    }
    for (let round = 0; round < MAX_OOM_ROUNDS; round++) {
      m.oom = null;
      m.chargeTo = t.cgroup.id;
      resetLocks();
      const r = accessPage(m, t, va, write);
      if (r >= 0) return r;
      if (r === ACCESS_SEGV) return this.deliver(t, va, write, 'SIGSEGV');
      if (r === ACCESS_BUS) return this.deliver(t, va, write, 'SIGBUS');
      if (r === ACCESS_BLOCKED) return this.block(t, { addr: va, write, retry });
      if (r === ACCESS_OOM) {
        const req = m.oom as OomRequest | null;
        const victim = oomKill(m, req?.cgroup ?? null, `page fault in ${t.name}`);
        if (!victim) {
          killGroup(m, t, 'SIGKILL', va, 'out of memory and nothing left to kill');
          return sig('SIGKILL', 'out of memory');
        }
        if (!isAlive(t)) return sig('SIGKILL', 'killed by the OOM killer');
      }
    }
    return err('ENOMEM', `still out of memory after ${MAX_OOM_ROUNDS} OOM kills`);
  }

  read(name: string, addr: number, size = 8): SysResult {
    const t = this.live(name);
    if (!('pid' in t)) return t;
    if (!(size >= 1 && size <= 8) || !Number.isInteger(size)) return err('EINVAL', 'read size is 1..8 bytes');
    // One load: one access per page it touches, in address order (so a fault reports the
    // first byte), then the bytes little-endian.
    const bytes: number[] = [];
    const ok1 = eachPage(addr, size, (va) => this.access(t, va, false), (pfn, off) => bytes.push(this.m.pm.u8[pfn * PAGE_SIZE + off]));
    if (ok1 !== null) return ok1;
    // Little-endian. Past 2^53 a double would round it: then the exact value as a hex string.
    let value: number | string = 0;
    for (let i = size - 1; i >= 0; i--) value = value * 256 + bytes[i];
    if (value > Number.MAX_SAFE_INTEGER) value = '0x' + bytes.map((b) => b.toString(16).padStart(2, '0')).reverse().join('');
    // The same bytes as text (UTF-8 up to the first NUL), so what `write ADDR "str"` stored
    // reads back as a string: `expect last == "hello"` after `read ADDR 5`.
    const end = bytes.indexOf(0);
    const text = UTF8.decode(new Uint8Array(end < 0 ? bytes : bytes.slice(0, end)));
    return ok(value, { value, text });
  }

  write(name: string, addr: number, value: number | string): SysResult {
    const t = this.live(name);
    if (!('pid' in t)) return t;
    const bytes = encodeValue(value);
    if (!bytes) return err('EINVAL', 'value must be a non-negative integer or a string');
    return this.store(t, addr, bytes) ?? ok(bytes.length);
  }

  /** A store of `bytes` at `addr`: every page is faulted in first, then the bytes are written. */
  private store(t: Task, addr: number, bytes: ArrayLike<number>): SysResult | null {
    const retry = { kind: 'store' as const, addr, bytes: Array.from(bytes) };
    let i = 0;
    return eachPage(addr, bytes.length, (va) => this.access(t, va, true, retry), (pfn, off) => (this.m.pm.u8[pfn * PAGE_SIZE + off] = bytes[i++]));
  }

  /**
   * One access to every page of [addr, addr+len). The MMU runs the pages in one batch
   * (touchRange) and stops at a fault; the fault is handled exactly as `access` would, and
   * the batch resumes after that page. Counters, TLB and state equal a page-by-page loop; the
   * trace reports runs of TLB fills as tlb-fill events with a page count.
   */
  touch(name: string, addr: number, len: number, mode: 'read' | 'write'): SysResult {
    const t = this.live(name);
    if (!('pid' in t)) return t;
    if (!Number.isFinite(addr) || addr < 0) return err('EINVAL', 'the address is bad');
    // No bytes are no access (as memset(p, 0, 0) touches nothing), as gup of no pages pins none.
    if (len === 0) return ok(0);
    if (!(len > 0)) return err('EINVAL', 'the length is bad');
    const write = mode === 'write';
    const start = Math.floor(addr / PAGE_SIZE) * PAGE_SIZE;
    const end = Math.ceil((addr + len) / PAGE_SIZE) * PAGE_SIZE;
    if (end > this.m.geo.userTop) return this.access(t, Math.max(start, this.m.geo.userTop), write) as SysResult;
    return this.touchFrom(t, start, end, write) ?? ok((end - start) / PAGE_SIZE);
  }

  /** touch's loop over [start, end), pages aligned: null when every page was accessed. */
  private touchFrom(t: Task, start: number, end: number, write: boolean): SysResult | null {
    const m = this.m;
    let va = start;
    const warmAfter = start + m.s.tlb.size * PAGE_SIZE;
    let faultedAt = -1;
    let rounds = 0;
    while (va < end) {
      m.localCpu = t.cpu;
      switchMm(m, t.cpu, t.mm!, t.pid);
      // Resuming past the first tlb.size pages: those just below were filled by this touch
      // and the fault handler fills nothing, so every lookup from here misses (touchRange).
      va = touchRange(m, t.cpu, va, end, write, va >= warmAfter);
      if (va >= end) break;
      // The same page faulting again and again would be a kernel bug: stop as accessPage()
      // does, after the same number of translations and faults (MAX_FAULT_ROUNDS of each).
      rounds = va === faultedAt ? rounds + 1 : 1;
      faultedAt = va;
      m.oom = null;
      m.chargeTo = t.cgroup.id;
      resetLocks();
      const f = userFault(m, t, va, rangeFaultCode);
      if (f === FAULT_SIGSEGV || f === FAULT_SIGBUS) return this.deliver(t, va, write, f === FAULT_SIGSEGV ? 'SIGSEGV' : 'SIGBUS');
      if (f === FAULT_BLOCK) return this.block(t, { addr: va, write, retry: { kind: 'touch', end } });
      if (f === FAULT_OOM) {
        const req = m.oom as OomRequest | null;
        const victim = oomKill(m, req?.cgroup ?? null, `page fault in ${t.name}`);
        if (!victim) {
          killGroup(m, t, 'SIGKILL', va, 'out of memory and nothing left to kill');
          return sig('SIGKILL', 'out of memory');
        }
        if (!isAlive(t)) return sig('SIGKILL', 'killed by the OOM killer');
        rounds = 0; // as access() starts accessPage afresh after the OOM killer
        continue;
      }
      if (rounds >= MAX_FAULT_ROUNDS) return this.deliver(t, va, write, 'SIGBUS');
      // The batch resumes at the faulting page: the retried access walks again, as the CPU does.
    }
    return null;
  }

  private deliver(t: Task, va: number, write: boolean, signal: 'SIGSEGV' | 'SIGBUS'): SysResult {
    const what = signal === 'SIGSEGV' ? 'segmentation fault' : 'bus error';
    killGroup(this.m, t, signal, va, `${write ? 'write' : 'read'} at 0x${va.toString(16)}: ${what}`);
    return sig(signal, `${what} at 0x${va.toString(16)}`);
  }

  private block(t: Task, b: BlockedAccess): SysResult {
    t.state = 'blocked';
    t.blockedOn = b;
    this.m.trace.emit({ type: 'uffd', pid: t.pid, addr: b.addr, action: 'block' });
    return ok(null, { blocked: true, detail: `${t.name} sleeps in a userfaultfd missing fault at 0x${b.addr.toString(16)}` });
  }

  /**
   * A task woken from a userfaultfd fault runs its access again (see BlockedAccess): it may
   * finish, fault elsewhere, or sleep again on another missing page. Returns whether it finished.
   */
  private resume(t: Task, b: BlockedAccess): boolean {
    t.state = 'running';
    t.blockedOn = null;
    this.m.trace.emit({ type: 'uffd', pid: t.pid, addr: b.addr, action: 'wake' });
    const r = b.retry;
    if (r.kind === 'store') return this.store(t, r.addr, r.bytes) === null;
    if (r.kind === 'touch') return this.touchFrom(t, b.addr, r.end, b.write) === null;
    return typeof this.access(t, b.addr, b.write) === 'number';
  }

  // ---------------------------------------------------------------- files and cgroups

  file(path: string, size: number): SysResult {
    if (!path.startsWith('/')) return err('EINVAL', 'paths are absolute');
    if (this.m.s.paths.has(path)) return err('EEXIST', `${path} exists`);
    if (msh.isMsharefsPath(this.m, path)) return err('EPERM', 'create msharefs files with open ... create');
    if (inSysfs(path)) return err('EACCES', SYSFS_CREATE);
    if (!(size >= 0)) return err('EINVAL', 'bad size');
    if (size > Number.MAX_SAFE_INTEGER) return err('EFBIG', 'beyond the largest file size');
    const huge = path.startsWith('/dev/hugepages/');
    if (huge && size % 0x200000) return err('EINVAL', 'hugetlbfs file sizes are multiples of 2M');
    const inode = newInode(this.m, path, huge ? 'hugetlb' : 'tmpfs', size);
    this.m.s.paths.set(path, inode);
    return ok(0);
  }

  cgroup(name: string, limit?: number): SysResult {
    const s = this.m.s;
    // memory.max takes a byte count or "max": a negative or NaN limit is EINVAL (it made
    // every charge fail, or none).
    if (limit !== undefined && !(limit >= 0)) return err('EINVAL', 'a memory limit is a size in bytes');
    if (s.cgroups.has(name)) {
      const cg = s.cgroups.get(name)!;
      if (limit !== undefined) {
        cg.limit = limit;
        this.killDownToMax(cg);
      }
      return ok(cg.id);
    }
    const cg = { id: s.nextCgroupId++, name, limit: limit ?? Infinity, current: 0, pagetables: 0, anon: 0, shmem: 0, oomKills: 0 };
    s.cgroups.set(name, cg);
    s.cgroupById.set(cg.id, cg);
    return ok(cg.id);
  }

  /**
   * memory_max_write() (mm/memcontrol.c) stores the new max, then loops while usage exceeds
   * it: drain_all_stock (no per-CPU stock here), try_to_free_mem_cgroup_pages (nothing the
   * engine holds is reclaimable: there is no swap for anonymous memory, and every page-cache
   * page is tmpfs/shmem, which also needs swap), then mem_cgroup_out_of_memory() until usage
   * fits or no task is left to kill. The write succeeds either way. memory.high is not
   * modelled.
   */
  private killDownToMax(cg: Cgroup): void {
    resetLocks();
    while (cg.current > cg.limit) {
      if (!oomKill(this.m, cg, `memory.max lowered below memory.current`)) break;
    }
  }

  join(name: string, cgroup: string): SysResult {
    const t = this.live(name);
    if (!('pid' in t)) return t;
    const cg = this.m.s.cgroups.get(cgroup);
    if (!cg) return err('ENOENT', `no cgroup ${cgroup}`);
    // cgroup.procs: every thread moves, each to the tail of the new cgroup's list; a task
    // already in it keeps its place (its css_set does not change).
    for (const o of this.m.s.tasks.values()) {
      if (o.tgid !== t.tgid || o.cgroup === cg) continue;
      o.cgroup = cg;
      o.cgroupSince = this.m.s.cgroupSeq++;
    }
    return ok(0);
  }

  mount(path = '/sys/fs/mshare'): SysResult {
    const e = msh.mount(this.m, path);
    return e ? err(e, refusal()) : ok(0);
  }

  open(name: string, path: string, create: boolean, fdName?: number): SysResult {
    const t = this.live(name);
    if (!('pid' in t)) return t;
    let inode = this.m.s.paths.get(path) ?? null;
    // Creating an msharefs file allocates the host mm's PGD: charge it to the opener.
    this.m.chargeTo = t.cgroup.id;
    if (msh.isMsharefsPath(this.m, path)) {
      const r = msh.openFile(this.m, t, path, create);
      if (typeof r === 'string') return err(r, refusal());
      inode = r;
    } else if (!inode) {
      if (!create) return err('ENOENT', `no file ${path}`);
      if (inSysfs(path)) return err('EACCES', SYSFS_CREATE);
      inode = newInode(this.m, path, path.startsWith('/dev/hugepages/') ? 'hugetlb' : 'tmpfs', 0);
      this.m.s.paths.set(path, inode);
    }
    let fd = fdName ?? 3;
    if (fdName === undefined) while (t.fds.has(fd)) fd++;
    else if (t.fds.has(fd)) return err('EBADF', `fd ${fd} is already open`);
    t.fds.set(fd, { fd, inode, name: path });
    inode.opens++;
    return ok(fd);
  }

  close(name: string, fd: number): SysResult {
    const t = this.live(name);
    if (!('pid' in t)) return t;
    const f = t.fds.get(fd);
    if (!f) return err('EBADF', `${name} has no fd ${fd}`);
    t.fds.delete(fd);
    f.inode.opens--;
    maybeEvict(this.m, f.inode);
    return ok(0);
  }

  ftruncate(name: string, fd: number, size: number): SysResult {
    const t = this.live(name);
    if (!('pid' in t)) return t;
    const f = t.fds.get(fd);
    if (!f) return err('EBADF', `${name} has no fd ${fd}`);
    if (f.inode.kind === 'msharefs') {
      const e = msh.ftruncate(this.m, t, f.inode, size);
      return e ? err(e, refusal()) : ok(0);
    }
    if (!(size >= 0)) return err('EINVAL', 'bad size');
    if (size > Number.MAX_SAFE_INTEGER) return err('EFBIG', 'beyond the largest file size');
    if (f.inode.kind !== 'tmpfs' && f.inode.kind !== 'hugetlb') return err('EINVAL', 'only tmpfs and hugetlbfs files can be truncated here');
    if (f.inode.kind === 'hugetlb' && size % 0x200000) return err('EINVAL', 'a hugetlbfs file is sized in whole 2 MiB pages');
    // Truncating down drops the cache pages beyond the new end (truncate_pagecache).
    if (size < f.inode.size) {
      const keep = Math.ceil(size / PAGE_SIZE);
      for (const v of [...f.inode.mmaps]) {
        const from = v.start + (keep - v.pgoff) * PAGE_SIZE;
        if (from < v.end) zapAndFlush(this.m, v.mm, Math.max(v.start, from), v.end);
      }
      splitFolioAt(this.m, f.inode, keep);
      const pages = f.inode.pages;
      let freed = 0;
      forEachCachePage(f.inode, (pfn, idx) => {
        if (idx < keep) return;
        dropCachePage(this.m, pfn);
        freed++;
      });
      if (pages.length > keep) pages.length = keep;
      if (f.inode.kind === 'hugetlb') hugetlbUnreserve(this.m, f.inode, keep, freed);
    }
    f.inode.size = size;
    return ok(0);
  }

  ioctlCreateMapping(name: string, fd: number, off: number, size: number, prot: string, file?: string, hugetlb = false): SysResult {
    const t = this.live(name);
    if (!('pid' in t)) return t;
    const f = t.fds.get(fd);
    if (!f) return err('EBADF', `${name} has no fd ${fd}`);
    this.m.localCpu = t.cpu;
    if (!isProt(prot)) return err('EINVAL', `bad protection ${prot}`);
    const r = msh.ioctlCreateMapping(this.m, t, f.inode, off, size, protFlags(prot), file, hugetlb);
    return typeof r === 'string' ? err(r, refusal()) : ok(0);
  }

  ioctlUnmap(name: string, fd: number, off: number, size: number): SysResult {
    const t = this.live(name);
    if (!('pid' in t)) return t;
    const f = t.fds.get(fd);
    if (!f) return err('EBADF', `${name} has no fd ${fd}`);
    this.m.localCpu = t.cpu;
    const e = msh.ioctlUnmap(this.m, t, f.inode, off, size);
    return e ? err(e, refusal()) : ok(0);
  }

  mshareInfo(name: string, fd: number): SysResult {
    const t = this.live(name);
    if (!('pid' in t)) return t;
    const f = t.fds.get(fd);
    if (!f) return err('EBADF', `${name} has no fd ${fd}`);
    const r = msh.info(this.m, f.inode);
    if (typeof r === 'string') return err(r, refusal());
    return ok(r.size, { start: r.start, size: r.size });
  }

  unlink(path: string): SysResult {
    const s = this.m.s;
    const inode = s.paths.get(path);
    if (!inode) return err('ENOENT', `no file ${path}`);
    if (inode.kind === 'info') return err('EPERM', `${path} cannot be removed`);
    if (inode.kind === 'dir') {
      for (const p of s.paths.keys()) if (p.startsWith(path + '/')) return err('ENOTEMPTY', `${path} is not empty`);
    }
    s.paths.delete(path);
    inode.nlink = 0;
    maybeEvict(this.m, inode);
    if (inode.kind === 'dir') s.inodes.delete(inode.id);
    return ok(0);
  }

  // ---------------------------------------------------------------- gup and userfaultfd

  /**
   * pin_user_pages: pins every page of the range, faulting missing ones in. As in Linux a
   * failure after some pages were pinned returns the pages pinned so far (the caller unpins
   * them); only a failure on the first page is an error. A hugetlb page is pinned on its
   * head frame (the folio), whichever 4 KiB of it the address names.
   */
  gup(name: string, addr: number, len: number, write: boolean): SysResult {
    const t = this.live(name);
    if (!('pid' in t)) return t;
    // __get_user_pages: `if (!nr_pages) return 0`, before it looks at the address (only
    // values no unsigned long holds are refused, as everywhere).
    if (len === 0 && Number.isFinite(addr) && addr >= 0) return ok(0);
    const r = checkRange(this.m, addr, len);
    if (typeof r === 'string') return err(r, refusal());
    const m = this.m;
    const mm = t.mm!;
    let pinned = 0;
    const stop = (e: Errno, why: string): SysResult => {
      m.trace.emit({ type: 'gup', pid: t.pid, addr: r[0], pages: pinned, action: 'pin' });
      // Killed by the OOM killer on the way: its exit released every pin, so none is left to report.
      if (!isAlive(t)) return sig('SIGKILL', 'killed by the OOM killer');
      return pinned > 0 ? ok(pinned, { detail: `pinned ${pinned} of ${(r[1] - r[0]) / PAGE_SIZE} pages: ${why}` }) : err(e, why);
    };
    for (let va = r[0]; va < r[1]; va += PAGE_SIZE) {
      const vma = findVma(mm, va);
      if (!vma) return stop('EFAULT', `no VMA at 0x${va.toString(16)}`);
      // check_vma_flags(): the VMA must allow the access. Without this a read pin of a
      // PROT_NONE page faulted it in over its PROT_NONE entry (counted twice), and a write
      // pin of a read-only mapping installed a writable PTE the task could then store through.
      if (accessError(vma, write, false)) return stop('EFAULT', `the VMA at 0x${va.toString(16)} does not allow ${write ? 'writing' : 'reading'}`);
      let leaf = findLeaf(m, mm, va);
      if (leaf < 0 || (write && !(m.pm.u32[leaf] & PTE_RW))) {
        // faultin_page -> handle_mm_fault on the VMA itself. On an msharefs VMA that is
        // SIGBUS: only the x86 user-fault path redirects to the host (M23).
        if (vma.flags & VM_MSHARE) return stop('EFAULT', 'get_user_pages cannot fault in an msharefs region (handle_mm_fault on VM_MSHARE returns SIGBUS)');
        const res = this.withOom(t, () => (handleMmFault(m, mm, vma, va, write) === FAULT_OK ? 1 : null));
        if (res === null) return stop(isAlive(t) ? 'EFAULT' : 'ENOMEM', isAlive(t) ? 'the fault failed' : 'out of memory');
        leaf = findLeaf(m, mm, va);
        if (leaf < 0) return stop('EFAULT', 'the page is still not present after the fault');
      }
      // A read pin of a page still COW-shared after fork unshares it first (FAULT_FLAG_UNSHARE).
      if (!write && !(vma.flags & VM_HUGETLB) && findPte(m, mm, va) === leaf) {
        const u = this.withOom(t, () => (unshareAnonPte(m, mm, vma, va, leaf) === -1 ? null : 1));
        if (u === null) return stop(isAlive(t) ? 'EFAULT' : 'ENOMEM', isAlive(t) ? 'the unshare failed' : 'out of memory');
      }
      // The same for a huge page; with no huge page for the copy the unshare fault is SIGBUS: EFAULT.
      if (!write && vma.flags & VM_HUGETLB && unshareHugetlbPage(m, mm, vma, va, leaf) === -1) {
        return stop('EFAULT', 'no huge page left to unshare the page into');
      }
      const pfn = entryPfn(m.pm.u32[leaf], m.pm.u32[leaf + 1]);
      if (pfn === m.s.zeroPfn && write) return stop('EFAULT', 'cannot pin the zero page for write');
      m.pm.d.pincount[pfn]++;
      m.pm.d.refcount[pfn]++;
      t.pins.push({ addr: va, pfn });
      pinned++;
    }
    m.trace.emit({ type: 'gup', pid: t.pid, addr: r[0], pages: pinned, action: 'pin' });
    return ok(pinned);
  }

  unpin(name: string, addr: number, len: number): SysResult {
    const t = this.live(name);
    if (!('pid' in t)) return t;
    let n = 0;
    t.pins = t.pins.filter((p) => {
      if (p.addr < addr || p.addr >= addr + len) return true;
      this.m.pm.d.pincount[p.pfn]--;
      this.m.putPage(p.pfn);
      n++;
      return false;
    });
    this.m.trace.emit({ type: 'gup', pid: t.pid, addr, pages: n, action: 'unpin' });
    return n ? ok(n) : err('EINVAL', 'nothing pinned there');
  }

  uffdRegister(name: string, addr: number, len: number, mode: 'missing' | 'wp'): SysResult {
    const t = this.live(name);
    if (!('pid' in t)) return t;
    if (mode !== 'missing' && mode !== 'wp') return err('EINVAL', 'the mode is missing or wp');
    const r = checkRange(this.m, addr, len);
    if (typeof r === 'string') return err(r, refusal());
    const [start, end] = r;
    const mm = t.mm!;
    const vmas = vmasIn(mm, start, end);
    if (vmas.length === 0) return err('EINVAL', 'nothing is mapped in the range');
    if (vmas.some((v) => v.flags & VM_MSHARE)) return err('EINVAL', 'userfaultfd is not supported on msharefs VMAs (M23)');
    if (!hugetlbSplitOk(mm, start, end)) return err('EINVAL', 'hugetlb ranges are whole 2 MiB pages');
    this.m.localCpu = t.cpu;
    unshareAtSplits(this.m, mm, start, end); // H7
    for (const v of isolateVmas(mm, start, end)) v.flags |= mode === 'missing' ? VM_UFFD_MISSING : VM_UFFD_WP;
    if (mode === 'wp') unshareAllHugePmds(this.m, mm, start, end); // H3: uffd-wp disables sharing
    return ok(0);
  }

  uffdCopy(name: string, addr: number, value: number | string): SysResult {
    const t = this.task(name);
    if (!t || !isAlive(t)) return err('ESRCH', `no running task named ${name}`);
    const m = this.m;
    const mm = t.mm!;
    const va = Math.floor(addr / PAGE_SIZE) * PAGE_SIZE;
    const vma = findVma(mm, va);
    if (!vma || !(vma.flags & VM_UFFD_MISSING)) return err('EINVAL', 'not a userfaultfd-registered range');
    // Anything already mapped there, a PTE or a 2 MiB leaf (THP, hugetlb): EEXIST.
    if (findLeaf(m, mm, va) >= 0) return err('EEXIST', 'the page is already mapped');
    // shmem_mfill_atomic_pte / hugetlb_mfill_atomic_pte: a shared file's page must not be in
    // its cache yet.
    if (vma.file && vma.flags & VM_SHARED && vma.file.pages[cacheIndex(vma, va)] !== undefined) {
      return err('EEXIST', 'the page is already in the file\'s page cache');
    }
    // UFFDIO_COPY: allocate, fill, map; then wake the sleepers. In a hugetlb VMA the copy fills
    // the whole 2 MiB page around ADDR (hugetlb_mfill_atomic_pte copies whole huge pages; the
    // value lands at ADDR inside it), through the hugetlb fault.
    m.chargeTo = t.cgroup.id;
    resetLocks();
    const saved = vma.flags;
    vma.flags &= ~VM_UFFD_MISSING;
    const res = vma.flags & VM_HUGETLB ? handleMmFault(m, mm, vma, va, true) : mfillPage(m, mm, vma, va);
    vma.flags = saved;
    if (res !== FAULT_OK) return err('ENOMEM', 'no memory for the page');
    // The fault may have mapped a 2 MiB leaf (shmem THP, hugetlb): the frame within it.
    const ei = findLeaf(m, mm, va);
    if (ei < 0) return err('EFAULT', 'the copy did not map the page');
    const lo = m.pm.u32[ei];
    const pfn = entryPfn(lo, m.pm.u32[ei + 1]) + (lo & PTE_PS ? Math.floor(va / PAGE_SIZE) % 512 : 0);
    const bytes = encodeValue(value) ?? new Uint8Array(0);
    m.pm.u8.set(bytes.subarray(0, PAGE_SIZE), pfn * PAGE_SIZE + (addr % PAGE_SIZE));
    m.trace.emit({ type: 'uffd', pid: t.pid, addr: va, action: 'copy' });
    let woken = 0;
    for (const o of m.s.tasks.values()) {
      const b = o.blockedOn;
      if (o.state === 'blocked' && o.mm === mm && b && Math.floor(b.addr / PAGE_SIZE) * PAGE_SIZE === va && this.resume(o, b)) woken++;
    }
    return ok(woken);
  }

  setConfigPolicies(p: Partial<Policies>): void {
    Object.assign(this.m.s.policies, p);
  }
}

/** [start, end) of a syscall's page range, or its errno (refusal() says why). */
export function checkRange(m: Machine, addr: number, len: number): [number, number] | Errno {
  if (!Number.isFinite(addr) || !Number.isFinite(len) || addr < 0 || len < 0) return refuse('EINVAL', 'bad address or length');
  if (addr % PAGE_SIZE !== 0) return refuse('EINVAL', 'the address must be a multiple of 4K');
  if (len === 0) return refuse('EINVAL', 'the length is 0');
  const end = addr + Math.ceil(len / PAGE_SIZE) * PAGE_SIZE;
  if (end > m.geo.taskSize) return refuse('EINVAL', 'the range runs past the end of the user address space (TASK_SIZE)');
  return [addr, end];
}

/**
 * [start, end) of an mprotect or madvise range, null for a zero length, or the errno.
 * Unlike munmap's checkRange (do_vmi_munmap: len 0 or past TASK_SIZE is EINVAL), both only
 * refuse a start that is not page aligned (EINVAL), then return 0 for len 0
 * (do_mprotect_pkey: `if (!len) return 0`; madvise_do_behavior: `end == start`), and have no
 * TASK_SIZE check: the change applies VMA by VMA and what is not mapped makes the call ENOMEM
 * (do_mprotect_pkey: `tmp < end`; madvise_walk_vmas: unmapped_error). An end that wraps past
 * 2^64 is `wrap`: ENOMEM for mprotect (`end <= start`), EINVAL for madvise (is_valid_madvise:
 * `start + len < start`). Values no unsigned long holds (negative, NaN, infinite) are EINVAL.
 */
function protAdviceRange(addr: number, len: number, wrap: Errno): [number, number] | null | Errno {
  if (!Number.isFinite(addr) || !Number.isFinite(len) || addr < 0 || len < 0) return refuse('EINVAL', 'bad address or length');
  if (addr % PAGE_SIZE !== 0) return refuse('EINVAL', 'the address must be a multiple of 4K');
  if (len === 0) return null;
  const end = addr + Math.ceil(len / PAGE_SIZE) * PAGE_SIZE;
  if (end >= 2 ** 64) return refuse(wrap, 'the range wraps past the end of the address space');
  return [addr, end];
}

function encodeValue(value: number | string): Uint8Array | null {
  if (typeof value === 'string') return new TextEncoder().encode(value);
  if (!Number.isInteger(value) || value < 0 || value > Number.MAX_SAFE_INTEGER) return null;
  const out = new Uint8Array(8);
  let v = value;
  for (let i = 0; i < 8; i++) {
    out[i] = v % 256;
    v = Math.floor(v / 256);
  }
  return out;
}

/**
 * The bytes [addr, addr+len) page by page: `access` once for each page (with the first byte's
 * address, in address order, so a fault reports the first byte it hit), then `byte(pfn,
 * offset)` for each byte. Returns null, or the access's result when it was not a frame.
 *
 * Addresses are split into an exact page base and a small offset rather than computed as
 * `addr + i`: with 5-level paging user addresses reach 2^56, and above 2^53 a double holds
 * only every 2nd, 4th or 8th integer, so `addr + i` landed on the wrong byte (a 5-byte write
 * at 2^53 read back as "eeloo"). A page base (a multiple of 4096) is exact up to 2^65.
 */
function eachPage(addr: number, len: number, access: (va: number) => number | SysResult, byte: (pfn: number, off: number) => void): SysResult | null {
  if (!Number.isFinite(addr)) {
    // No page to split it into: the access answers (SIGSEGV), as for any address no VMA maps.
    const r = access(addr);
    return typeof r === 'number' ? null : r;
  }
  const base = Math.floor(addr / PAGE_SIZE) * PAGE_SIZE;
  const first = addr - base; // exact: two doubles less than a page apart
  // Every page first, in address order (a fault reports the first byte it stops at), then the
  // bytes: an access that faults on its second page has written nothing, as on x86.
  const pfns: number[] = [];
  for (let page = 0; page * PAGE_SIZE < first + len; page++) {
    const r = access(page === 0 ? addr : base + page * PAGE_SIZE);
    if (typeof r !== 'number') return r;
    pfns.push(r);
  }
  for (let o = first; o < first + len; o++) byte(pfns[Math.floor(o / PAGE_SIZE)], o % PAGE_SIZE);
  return null;
}

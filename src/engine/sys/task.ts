/**
 * Tasks: spawn, fork, clone(CLONE_VM), exit, kill, and the OOM killer (kernel/fork.c,
 * kernel/exit.c, mm/oom_kill.c).
 *
 * A task dies by exit or by a signal; its mm goes when the last task using it is gone
 * (mmput -> exit_mmap). Signals kill the whole thread group, as a fatal signal does.
 */
import { dropMmFromCpus } from '../hw/cpu';
import type { Machine } from '../machine';
import { dupMmap, newMm } from '../mm/fork';
import { maybeEvict } from '../mm/pagecache';
import { exitMmap } from '../mm/unmap';
import type { Cgroup, Mm, Signal, Task } from '../types';

export interface MshareTaskHooks {
  /** exit_mshare(): the owner's regions lose their owner (and are unmapped under owner_exit=unmap). */
  ownerExit(m: Machine, task: Task): void;
  /** Sharers of the regions `mm` maps, for the OOM report. */
  regionSharers(m: Machine, mm: Mm): string[];
}
export const taskHooks: { mshare: MshareTaskHooks | null } = { mshare: null };

export function newTask(m: Machine, name: string, mm: Mm, parent: number, tgid: number | null, cgroup: Cgroup): Task {
  const pid = m.s.nextPid++;
  const t: Task = {
    pid,
    tgid: tgid ?? pid,
    name,
    mm,
    state: 'running',
    signal: null,
    parent,
    cpu: (pid - 1) % m.s.config.cpus,
    cgroup,
    cgroupSince: m.s.cgroupSeq++,
    fds: new Map(),
    blockedOn: null,
    killReason: null,
    pins: [],
  };
  mm.tasks.push(pid);
  m.s.tasks.set(pid, t);
  m.s.names.set(name, pid);
  return t;
}

export function spawn(m: Machine, name: string): Task | null {
  const mm = newMm(m);
  if (!mm) return null;
  return newTask(m, name, mm, 0, null, m.cgroup(0));
}

export function forkTask(m: Machine, parent: Task, childName: string): Task | null {
  const mm = dupMmap(m, parent.mm!, (dead) => mmput(m, dead));
  if (!mm) return null;
  // PPid is the forking process's tgid (task_tgid_nr of real_parent), from a thread too.
  const child = newTask(m, childName, mm, parent.tgid, null, parent.cgroup);
  // Open files are inherited (the same open file description).
  for (const [fd, f] of parent.fds) {
    child.fds.set(fd, { ...f });
    f.inode.opens++;
  }
  return child;
}

export function cloneThread(m: Machine, parent: Task, name: string): Task {
  const mm = parent.mm!;
  mm.users++;
  // CLONE_THREAD takes the creator's real_parent (copy_process), so a thread's PPid is its
  // process's parent, not the thread that created it.
  const t = newTask(m, name, mm, parent.parent, parent.tgid, parent.cgroup);
  t.fds = parent.fds; // CLONE_FILES
  return t;
}

/** mmput: the last user of `mm` tears it down. */
export function mmput(m: Machine, mm: Mm): void {
  if (--mm.users > 0) return;
  exitMmap(m, mm);
  dropMmFromCpus(m, mm);
  m.s.mms.delete(mm.id);
}

/** do_exit for one task. */
export function exitTask(m: Machine, t: Task, signal: Signal | null, reason: string | null): void {
  if (t.state === 'exited' || t.state === 'killed') return;
  t.state = signal ? 'killed' : 'exited';
  t.signal = signal;
  t.killReason = reason;
  t.blockedOn = null;
  for (const p of t.pins) {
    m.pm.d.pincount[p.pfn]--;
    m.putPage(p.pfn);
  }
  t.pins = [];
  taskHooks.mshare?.ownerExit(m, t);
  const threadsLeft = liveThreads(m, t).some((o) => o !== t);
  if (!threadsLeft) {
    for (const f of t.fds.values()) {
      f.inode.opens--;
      maybeEvict(m, f.inode);
    }
    t.fds = new Map();
  }
  for (const c of m.s.cpus) if (c.task === t.pid) c.task = 0;
  const mm = t.mm!;
  mm.tasks = mm.tasks.filter((p) => p !== t.pid);
  mmput(m, mm);
}

/** A fatal signal: the whole thread group dies. */
export function killGroup(m: Machine, t: Task, signal: Signal, addr: number, reason: string): void {
  m.trace.emit({ type: 'signal', pid: t.pid, signal, addr, reason });
  for (const o of liveThreads(m, t)) exitTask(m, o, signal, reason);
}

/**
 * The live tasks of t's thread group, in pid order. Threads share the mm, whose tasks list
 * holds its live users: no scan of the task table (an OOM storm kills thousands of tasks
 * among tens of thousands).
 */
function liveThreads(m: Machine, t: Task): Task[] {
  const group: Task[] = [];
  for (const pid of t.mm!.tasks) {
    const o = m.s.tasks.get(pid);
    if (o && o.tgid === t.tgid && isAlive(o)) group.push(o);
  }
  return group;
}

export function isAlive(t: Task): boolean {
  return t.state === 'running' || t.state === 'blocked';
}

/**
 * oom_badness(): get_mm_rss() plus page-table pages (plus swap entries, which we do not
 * model). hugetlb pages are in no RSS counter (R22), so they do not count: killing their
 * mapper does not free them while the hugetlbfs file or another mapper holds them.
 */
export function oomBadness(t: Task): number {
  const mm = t.mm!;
  return mm.rssAnon + mm.rssFile + mm.rssShmem + mm.pgtablesBytes / 4096;
}

/** When the last of `leader`'s live threads entered their cgroup. */
function lastCgroupVisit(m: Machine, leader: Task): number {
  let last = leader.cgroupSince;
  if (leader.mm && leader.mm.tasks.length > 1) {
    for (const pid of leader.mm.tasks) {
      const o = m.s.tasks.get(pid);
      if (o && o.tgid === leader.tgid && isAlive(o) && o.cgroupSince > last) last = o.cgroupSince;
    }
  }
  return last;
}

/**
 * out_of_memory(): pick the task with the largest badness (in `cgroup` when the cgroup's
 * limit was hit) and kill it with SIGKILL. Returns the victim, or null if none is eligible.
 */
export function oomKill(m: Machine, cgroup: Cgroup | null, why: string): Task | null {
  let victim: Task | null = null;
  let best = -1;
  let bestVisit = -1;
  for (const t of m.s.tasks.values()) {
    if (!isAlive(t) || t.tgid !== t.pid) continue;
    if (cgroup && t.cgroup !== cgroup) continue;
    const b = oomBadness(t);
    // oom_evaluate_task() skips a task only when `points < chosen_points`: on a tie the task
    // visited later wins. A global OOM visits processes in creation order (for_each_process),
    // so the youngest of equals dies. A memory cgroup's OOM visits its tasks, threads
    // included, in the order they entered the cgroup (mem_cgroup_scan_tasks, css_task_iter):
    // a process's last visit is its thread that entered last.
    const visit = cgroup ? lastCgroupVisit(m, t) : 0;
    if (b > best || (b === best && visit >= bestVisit)) {
      best = b;
      bestVisit = visit;
      victim = t;
    }
  }
  if (!victim) return null;
  const mm = victim.mm!;
  const cgName = cgroup ? cgroup.name : '/';
  const reason = cgroup ? `memory cgroup ${cgroup.name} out of memory` : `out of memory: ${why}`;
  m.trace.emit({
    type: 'oom-kill',
    victim: victim.pid,
    name: victim.name,
    reason,
    rssPages: mm.rssAnon + mm.rssFile + mm.rssShmem,
    pgtablesBytes: mm.pgtablesBytes,
    cgroup: cgName,
    regionSharers: taskHooks.mshare?.regionSharers(m, mm) ?? [],
  });
  m.s.oomKills++;
  // memory.events oom_kill counts on the victim's cgroup, for a global OOM as for a cgroup's
  // (__oom_kill_process: memcg_memory_event_mm(mm, MEMCG_OOM_KILL)); the root cgroup has no
  // memory.events, only /proc/vmstat's oom_kill (m.s.oomKills) counts there.
  if (victim.cgroup.id !== 0) victim.cgroup.oomKills++;
  // The task keeps what the kernel logs ("Killed process N (name) anon-rss:... pgtables:..."),
  // so the UI can say why it was chosen after the trace ring has moved on.
  const kB = (pages: number) => `${pages * 4}kB`;
  const logged = `${reason}: killed process ${victim.pid} (${victim.name}) anon-rss:${kB(mm.rssAnon)}, file-rss:${kB(mm.rssFile)}, shmem-rss:${kB(mm.rssShmem)}, pgtables:${mm.pgtablesBytes / 1024}kB`;
  killGroup(m, victim, 'SIGKILL', 0, logged);
  return victim;
}

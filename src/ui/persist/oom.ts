/**
 * The OOM killer is part of the simulation, not a failure of the app: when it kills a
 * process the user is told who and why, in a notice (src/ui/persist/notices.ts).
 *
 * Who: from the snapshot (tasks killed with an "out of memory" reason), so a fast run that
 * drops trace events from its updates still reports every victim. Why and how much: the
 * trace's 'oom-kill' event (reason, RSS, page tables, the mshare regions the victim shared)
 * when the update carried it, else the task's kill reason. During one run the kills gather
 * in one notice ("killed 104 processes"). Going back and forward again reports them again;
 * a rebuild after an engine failure or a restored session does not (nothing new happened).
 */
import type { TaskModel } from '../../engine/abi';
import type { TraceEvent } from '../../engine/trace';
import { size } from '../format';
import { store } from '../store';
import { dismiss, noticeStore, notify, updateNotice } from './notices';

type OomEvent = Extract<TraceEvent, { type: 'oom-kill' }>;

let quiet = 0;
/** While > 0 (a rebuild, a restore), kills are recorded as seen but not announced. */
export function quietOom<T>(p: Promise<T>): Promise<T> {
  quiet++;
  return p.finally(() => quiet--);
}

function isOomKill(t: TaskModel): boolean {
  return t.state === 'killed' && !!t.killReason && /out of memory/i.test(t.killReason);
}

function sharerSummary(list: string[]): string {
  const byRegion = new Map<string, number>();
  for (const s of list) {
    const path = s.slice(0, s.lastIndexOf(': '));
    byRegion.set(path, (byRegion.get(path) ?? 0) + 1);
  }
  return [...byRegion].map(([p, n]) => `${p} (${n} ${n === 1 ? 'process' : 'processes'} attached)`).join(', ');
}

/** The kernel-log tail oomKill() appends to the kill reason (src/engine/sys/task.ts). */
const LOGGED = /^(.*): killed process \d+ \(.*\) anon-rss:(\d+)kB, file-rss:(\d+)kB, shmem-rss:(\d+)kB, pgtables:(\d+)kB$/s;

function describe(t: TaskModel, e: OomEvent | undefined): string {
  const m = LOGGED.exec(t.killReason ?? '');
  const why = e?.reason ?? m?.[1] ?? t.killReason ?? 'out of memory';
  let text = `${t.name} (pid ${t.pid}): ${why}.`;
  const rss = e ? e.rssPages * 4096 : m ? (Number(m[2]) + Number(m[3]) + Number(m[4])) * 1024 : null;
  const pt = e ? e.pgtablesBytes : m ? Number(m[5]) * 1024 : null;
  if (rss !== null && pt !== null) {
    text += ` It had the largest footprint (resident pages plus page tables): ${size(rss)} resident and ${size(pt)} of page tables`;
    text += e && e.cgroup !== '/' ? ` in cgroup ${e.cgroup}.` : '.';
  }
  if (e?.regionSharers.length) text += ` It shared mshare region ${sharerSummary(e.regionSharers)}.`;
  return text;
}

/** Starts watching the store for OOM kills; returns the unsubscribe. */
export function watchOom(): () => void {
  let seen = new Set<number>();
  const events = new Map<number, OomEvent>();
  let current: { id: number; victims: TaskModel[] } | null = null;
  return store.subscribe((s, p) => {
    const snap = s.snapshot;
    const changed = !!snap && snap !== p.snapshot;
    const killed = changed ? snap.tasks.filter(isOomKill) : [];
    // Another script (loaded, or the same one with a line added) is another timeline, where
    // positions do not compare. Its kills that the previous state already showed are the
    // baseline; the rest are news: the worker runs a loaded script at once, so its first
    // update can already hold a kill (seen as a missed notice on a busy machine).
    // A load's first snapshot can come before its source (then the position drop looked like
    // a step back, the kills were taken as the baseline, and the notice never came: a CI
    // flake), so a load is told by `loads` too.
    const newScript = changed && (s.source !== p.source || s.loads !== p.loads);
    // Back in time in the same script: what is killed now is the baseline.
    const back = changed && !newScript && (s.position < p.position || snap.oomKills < (p.snapshot?.oomKills ?? 0));
    if (newScript || back) {
      const before = new Set((p.snapshot?.tasks ?? []).filter(isOomKill).map((t) => `${t.pid} ${t.name}`));
      seen = new Set(killed.filter((t) => back || before.has(`${t.pid} ${t.name}`)).map((t) => t.pid));
      events.clear();
      // Kills from here on are a new story; the old notice is about a past that is gone
      // (unless this is a rebuild or a restore, which lands where the user was). A notice whose
      // victims are all killed in the new state too stays: the load's source arriving after its
      // first snapshot is the same story.
      const now = new Set(killed.map((t) => `${t.pid} ${t.name}`));
      const stays = current !== null && !back && current.victims.every((t) => now.has(`${t.pid} ${t.name}`) && before.has(`${t.pid} ${t.name}`));
      if (current && quiet === 0 && !stays) dismiss(current.id);
      if (!stays) current = null;
    }
    if (s.lastEvents !== p.lastEvents) {
      for (const e of s.lastEvents) if (e.type === 'oom-kill') events.set(e.victim, e);
      if (events.size > 5000) events.clear();
    }
    if (!changed || back) return;
    const fresh = killed.filter((t) => !seen.has(t.pid));
    if (fresh.length === 0) return;
    for (const t of fresh) seen.add(t.pid);
    if (quiet > 0) return;
    const shown = current && noticeStore.getState().notices.some((n) => n.id === current!.id);
    const victims = shown && (s.running || p.running) ? [...current!.victims, ...fresh] : fresh;
    const first = victims[0];
    const title = victims.length === 1
      ? `Out of memory: the OOM killer killed ${first.name}`
      : `Out of memory: the OOM killer killed ${victims.length.toLocaleString('en-US')} processes`;
    let text = describe(first, events.get(first.pid));
    if (victims.length > 1) {
      const rest = victims.slice(1);
      const names = rest.slice(0, 6).map((t) => t.name).join(', ');
      text += ` Then ${names}${rest.length > 6 ? ` and ${(rest.length - 6).toLocaleString('en-US')} more` : ''}, the same way.`;
    }
    text += ' The simulation goes on: the killer is part of the model. The Processes panel lists who ended; select one for its reason.';
    if (shown && victims !== fresh) {
      updateNotice(current!.id, { title, text });
      current = { id: current!.id, victims };
    } else {
      if (current) dismiss(current.id);
      current = { id: notify({ kind: 'oom', title, text, ttl: 0 }), victims };
    }
  });
}

/**
 * In presenter and embed mode the tree shows two processes. The desk layout picks the pair
 * once (actions.ts autoSelect); a talk usually starts at step 0, before the second process
 * exists, so here the compared process is filled in as soon as one appears: one attached to
 * the same mshare region, else a fork relative, else any other process with its own mm.
 */
import { store } from '../store';

export function pickCompare(): number | null {
  const s = store.getState();
  const snap = s.snapshot;
  if (!snap || s.selection.pid === null) return null;
  const running = snap.tasks.filter((t) => t.state === 'running');
  const me = running.find((t) => t.pid === s.selection.pid);
  if (!me) return null;
  if (s.compare !== null && running.some((t) => t.pid === s.compare)) return s.compare;
  const mshareHosts = (mm: number) => new Set(snap.mms.find((m) => m.id === mm)?.vmas.filter((v) => v.hostMm !== null).map((v) => v.hostMm));
  const mine = mshareHosts(me.mm);
  const others = running.filter((t) => t.pid !== me.pid && t.mm !== me.mm);
  const other =
    (mine.size ? others.find((t) => [...mshareHosts(t.mm)].some((h) => mine.has(h))) : undefined) ??
    others.find((t) => t.parent === me.pid || me.parent === t.pid) ??
    others[0];
  return other?.pid ?? null;
}

/** Keeps `compare` filled while subscribed (TalkScreen subscribes while it is mounted). */
export function keepComparing(): () => void {
  const update = () => {
    const next = pickCompare();
    if (next !== store.getState().compare) store.setState({ compare: next });
  };
  update();
  return store.subscribe((s, p) => {
    if (s.snapshot !== p.snapshot || s.selection.pid !== p.selection.pid) update();
  });
}

/**
 * Notices: short messages in plain words about things the user did not ask for but must
 * know: the OOM killer killed a process, the engine failed and was restarted, a saved
 * session was restored. A small zustand store of its own (the main store stays about the
 * machine); src/ui/persist/Notices.tsx draws it. Text only: nothing here is ever HTML.
 */
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';

/** `dropped`: a line run at a past step removed the later ones (src/ui/drop-undo.ts). */
export type NoticeKind = 'oom' | 'engine' | 'session' | 'info' | 'dropped';

export interface NoticeAction {
  label: string;
  run(): void | Promise<void>;
}

export interface Notice {
  id: number;
  kind: NoticeKind;
  /** An alert interrupts a screen reader (engine failures); the rest are polite status. */
  urgent: boolean;
  title: string;
  text: string;
  actions: NoticeAction[];
  /** Milliseconds until it goes by itself; 0 = stays until dismissed. */
  ttl: number;
}

interface NoticeState {
  notices: Notice[];
}

/** At most this many at once: the oldest goes first. */
const MAX_NOTICES = 4;

export const noticeStore = createStore<NoticeState>(() => ({ notices: [] }));

let nextId = 0;
const timers = new Map<number, ReturnType<typeof setTimeout>>();

function arm(n: Notice): void {
  const old = timers.get(n.id);
  if (old) clearTimeout(old);
  timers.delete(n.id);
  if (n.ttl > 0) timers.set(n.id, setTimeout(() => dismiss(n.id), n.ttl));
}

/** Shows a notice; returns its id (to update or dismiss it). */
export function notify(n: Partial<Omit<Notice, 'id'>> & Pick<Notice, 'kind' | 'title'>): number {
  const notice: Notice = { id: ++nextId, urgent: false, text: '', actions: [], ttl: 0, ...n };
  noticeStore.setState((s) => {
    const kept = s.notices.length >= MAX_NOTICES ? s.notices.slice(1 - MAX_NOTICES) : s.notices;
    for (const d of s.notices) if (!kept.includes(d)) timers.delete(d.id);
    return { notices: [...kept, notice] };
  });
  arm(notice);
  return notice.id;
}

/** Changes a notice still shown; false if it is gone. */
export function updateNotice(id: number, patch: Partial<Omit<Notice, 'id'>>): boolean {
  let found: Notice | null = null;
  noticeStore.setState((s) => ({
    notices: s.notices.map((n) => (n.id === id ? (found = { ...n, ...patch }) : n)),
  }));
  if (found) arm(found);
  return found !== null;
}

export function dismiss(id: number): void {
  const t = timers.get(id);
  if (t) clearTimeout(t);
  timers.delete(id);
  noticeStore.setState((s) => ({ notices: s.notices.filter((n) => n.id !== id) }));
}

export function dismissKind(kind: NoticeKind): void {
  for (const n of noticeStore.getState().notices) if (n.kind === kind) dismiss(n.id);
}

export function useNotices(): Notice[] {
  return useStore(noticeStore, (s) => s.notices);
}

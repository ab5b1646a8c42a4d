/**
 * The whole timeline of one view as SVGs, one per step (or one per chapter and note, for
 * long scripts), in a store-only zip. Steps the machine through the timeline with the same
 * calls the timeline uses, then returns to where it was.
 */
import { gotoStep, whenIdle } from '../actions';
import { emptySelection, store } from '../store';
import type { TalkViewId } from '../talk/views';
import { stem } from './download';
import { exportSvg } from './export-view';
import { makeZip, type ZipEntry } from './zip';

/** Most files one export makes (a long script exports its chapters and notes instead). */
export const MAX_TIMELINE_FILES = 2000;

export type TimelineWhich = 'steps' | 'markers';

/** The steps a timeline export visits. */
export function timelineSteps(which: TimelineWhich): number[] {
  const s = store.getState();
  if (which === 'steps') return Array.from({ length: s.total + 1 }, (_, i) => i);
  // After each chapter heading and note, and the start and the end.
  const set = new Set<number>([0, s.total]);
  for (const m of [...s.chapters, ...s.notes]) set.add(Math.min(s.total, m.index + 1));
  return [...set].sort((a, b) => a - b);
}

export interface TimelineResult {
  zip: Uint8Array;
  files: number;
  name: string;
}

export async function exportTimeline(
  view: TalkViewId,
  which: TimelineWhich,
  onProgress: (done: number, total: number) => void = () => {},
  cancelled: () => boolean = () => false,
): Promise<TimelineResult | null> {
  const steps = timelineSteps(which);
  if (steps.length > MAX_TIMELINE_FILES) throw new RangeError(`${steps.length.toLocaleString('en-US')} steps is too many files; export one per chapter and note instead`);
  const start = store.getState().position;
  // The user's selection and compare: shown at every step where those processes run, and put
  // back at the end (stepping re-selects when the selected process is gone).
  const { selection, compare } = store.getState();
  const base = stem(store.getState().scriptName);
  const width = String(steps[steps.length - 1]).length;
  const enc = new TextEncoder();
  const files: ZipEntry[] = [];
  try {
    for (const [i, n] of steps.entries()) {
      if (cancelled()) return null;
      await gotoStep(n);
      await whenIdle();
      if (keepSelection(selection.pid, compare)) await whenIdle();
      const svg = await exportSvg(view);
      files.push({ name: `${base}-${view}-step-${String(n).padStart(width, '0')}.svg`, data: enc.encode(svg.text) });
      onProgress(i + 1, steps.length);
    }
  } finally {
    await gotoStep(start);
    store.setState({ selection, compare });
    await whenIdle();
  }
  return { zip: makeZip(files), files: files.length, name: `${base}-${view}-timeline.zip` };
}

/** Selects `pid` (and compares with `compare`) where they run at this step; true if it changed anything. */
function keepSelection(pid: number | null, compare: number | null): boolean {
  const s = store.getState();
  const running = (p: number | null) => (p === null ? undefined : s.snapshot?.tasks.find((t) => t.pid === p && t.state === 'running'));
  const t = running(pid);
  if (!t) return false;
  const cmp = running(compare) ? compare : null;
  if (s.selection.pid === t.pid && s.compare === cmp) return false;
  store.setState({ selection: { ...emptySelection, pid: t.pid, mm: t.mm }, compare: cmp });
  return true;
}


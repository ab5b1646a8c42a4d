/**
 * What the address space's page strip says it shows (pure; tests/ui/strip-label.test.ts).
 *
 * The strip has room for a window of pages, not the VMA: a 64 MiB area showed "(90 of 90
 * present)", the 90 being only what fit. The label says which pages of how many are shown,
 * and how many of the whole VMA are present.
 */
import { hex } from '../format';

export interface StripWindow {
  /** The VMA's label or path. */
  name: string;
  vmaStart: number;
  vmaEnd: number;
  /** The first page shown, and how many are. */
  windowStart: number;
  shown: number;
  /** Present pages in the whole VMA. */
  present: number;
}

const n = (x: number) => x.toLocaleString('en-US');

/** The line above the strip: which pages, of how many, how many present. */
export function stripTitle(w: StripWindow): string {
  const total = Math.round((w.vmaEnd - w.vmaStart) / 4096);
  const present = `(${n(w.present)} of ${n(total)} present)`;
  if (w.shown >= total) return `${w.name}: all ${n(total)} page${total === 1 ? '' : 's'} ${present}`;
  const first = Math.round((w.windowStart - w.vmaStart) / 4096) + 1;
  return `${w.name}: showing pages ${n(first)}–${n(first + w.shown - 1)} of ${n(total)} ${present}`;
}

/** The line under the strip: the addresses the shown pages span. */
export function stripRange(w: StripWindow): string {
  return `${hex(w.windowStart)}–${hex(w.windowStart + w.shown * 4096)}`;
}

/** The task fields the empty strip's message reads. */
export interface StripTask {
  name: string;
  state: string;
  signal: string | null;
}

/**
 * What the strip says when there are no pages to show: a task that ended has no mm any more
 * (a SIGSEGV'd task said "p has no mappings yet.", as if it had not started); one that runs
 * has not mapped anything yet; with no task, how to choose one.
 */
export function emptyStripText(task: StripTask | undefined): string {
  if (!task) return 'Select a process to see its address space.';
  if (task.state === 'killed') return `${task.name} was killed${task.signal ? ` by ${task.signal}` : ''}: its mm is gone, nothing is mapped.`;
  if (task.state === 'exited') return `${task.name} has exited: its mm is gone, nothing is mapped.`;
  return `${task.name} has no mappings yet.`;
}

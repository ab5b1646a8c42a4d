/**
 * Words for the steps a line dropped (pure: no store, no worker). A line run at a past step
 * (a toolbar action, a typed command after stepping back) becomes the next step of the
 * script and the later steps are dropped, as an editor drops its redo history when you type
 * after an undo (Runner.append). That is the design; these say what went, in steps and in
 * script lines, so the user can tell and undo it.
 */
import { count } from './format';

export interface Drop {
  /** The line that was run, as typed or as the toolbar wrote it. */
  command: string;
  /** Steps run when it ran (the timeline's "step N / total"). */
  position: number;
  /** The script's steps before it ran. */
  total: number;
  /** Steps removed (ExecResult.dropped). */
  dropped: number;
  /** Lines of the old script that were removed or shortened, or null if none (a cut repeat only). */
  lines: { from: number; to: number } | null;
}

/** Lines of a script text, a final newline ending the last line (as Runner's countLines). */
export function lineCount(text: string): number {
  if (text === '') return 0;
  const n = text.split('\n').length;
  return text.endsWith('\n') ? n - 1 : n;
}

/**
 * The old script's lines that the drop removed. `firstNewLine` is where the appended text
 * starts (ExecResult.line): the lines before it were kept, except that a `repeat` the
 * position was inside keeps only the iterations run, so its line (the last kept one) changed.
 */
export function droppedLines(before: string, after: string, firstNewLine: number): Drop['lines'] {
  const kept = firstNewLine - 1;
  const old = before.split('\n');
  const cut = kept >= 1 && old[kept - 1] !== after.split('\n')[kept - 1];
  const from = cut ? kept : kept + 1;
  const to = lineCount(before);
  return from <= to ? { from, to } : null;
}

// Line numbers stay plain, as an editor shows them; counts and steps get separators (format.ts).
const range = (from: number, to: number) => (from === to ? `${from}` : `${from}–${to}`);
const steprange = (from: number, to: number) => (from === to ? count(from) : `${count(from)}–${count(to)}`);
const plural = (n: number, one: string, many: string) => `${count(n)} ${n === 1 ? one : many}`;

/** "dropped 17 later steps (lines 21–39)". */
export function dropSummary(d: Drop): string {
  const lines = d.lines ? ` (${d.lines.from === d.lines.to ? 'line' : 'lines'} ${range(d.lines.from, d.lines.to)})` : '';
  return `dropped ${plural(d.dropped, 'later step', 'later steps')}${lines}`;
}

/**
 * The notice: title and text. `since` is how many lines ran after the dropping one (Undo
 * restores the script as it was before the drop, so it removes those too, and says so).
 */
export function dropNotice(d: Drop, since: number): { title: string; text: string } {
  const first = d.total - d.dropped + 1;
  const summary = dropSummary(d);
  const title = summary[0].toUpperCase() + summary.slice(1);
  const steps = d.dropped === 1 ? `step ${count(first)}` : `steps ${steprange(first, d.total)}`;
  const later = since > 0 ? ` It also removes the ${plural(since, 'line', 'lines')} run since.` : '';
  return {
    title,
    text: `“${d.command}” ran at step ${count(d.position)} of ${count(d.total)}, so ${steps} of the script ${d.dropped === 1 ? 'is' : 'are'} gone. Undo puts the script back as it was, at step ${count(d.position)}.${later}`,
  };
}

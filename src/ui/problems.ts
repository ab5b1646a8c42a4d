/**
 * What the page says about failed expects and command errors (pure: no store, no worker).
 *
 * A failed `expect` is a test failure: red. A command that returned an errno or died of a
 * signal is a fact of the run that scripts often intend (the segfault and 2025-flavour
 * built-ins show them on purpose, then `expect last == SIGSEGV`), so it is listed, but in
 * the console's plain colour rather than as an alarm.
 */
import type { CommandError, FailedExpect, ProblemCounts, ProblemList } from '../worker/api';
import { count as fmt } from './format';

/** At most this many of each kind are listed per report; the rest are counted ("… and N more"). */
export const LISTED_PER_KIND = 5;

export interface ProblemLine {
  kind: 'err' | 'info';
  text: string;
}

const plural = (n: number, one: string, many: string) => `${fmt(n)} ${n === 1 ? one : many}`;

/** "2 expects failed" (null for none). */
export function failedText(n: number): string | null {
  return n > 0 ? `${plural(n, 'expect', 'expects')} failed` : null;
}

/** "3 errors" (null for none). */
export function errorsText(n: number): string | null {
  return n > 0 ? plural(n, 'error', 'errors') : null;
}

export function failedExpectLine(f: FailedExpect): string {
  return `line ${f.line}: ${f.text} — ${f.message}`;
}

export function commandErrorLine(e: CommandError): string {
  const what = e.signal ?? e.errno ?? 'error';
  return `line ${e.line}: ${e.command} → ${what}${e.detail ? `: ${e.detail}` : ''}`;
}

function section<T>(kind: ProblemLine['kind'], heading: string, count: number, listed: readonly T[], line: (x: T) => string): ProblemLine[] {
  if (count <= 0) return [];
  const shown = listed.slice(0, LISTED_PER_KIND);
  const out: ProblemLine[] = [{ kind, text: heading }];
  for (const x of shown) out.push({ kind, text: `  ${line(x)}` });
  // `count` can exceed what the worker lists (it keeps the first 1,000 of a run).
  const more = count - shown.length;
  if (more > 0) out.push({ kind, text: `  … and ${fmt(more)} more` });
  return out;
}

/**
 * The console lines for the problems of some steps: `counts` says how many there were,
 * `listed` holds (the first of) them, `scope` says which steps when not all of them ("in the
 * earlier iterations"). Empty when everything held and nothing failed.
 */
export function problemLines(counts: ProblemCounts, listed: ProblemList, scope = ''): ProblemLine[] {
  const where = scope ? ` ${scope}` : '';
  return [
    ...section('err', `${failedText(counts.failed)}${where}:`, counts.failed, listed.failed, failedExpectLine),
    ...section('info', `${plural(counts.errors, 'command', 'commands')} ended in an error or a signal${where}:`, counts.errors, listed.errors, commandErrorLine),
  ];
}

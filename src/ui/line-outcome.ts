/**
 * What one console line did, for test authors (`window.mshareExplorer.execResult`). `exec`
 * only says whether the line parsed: a failed `expect` or an ESRCH ran, so it returned true,
 * and a test could not tell a line that worked from one that did not.
 */
import type { ExecResult, ProblemCounts } from '../worker/api';

export interface LineOutcome {
  /** It parsed and every step it ran worked: no errno, no signal, no failed expect. */
  ok: boolean;
  parsed: boolean;
  /**
   * Parse errors as "COL: message", or "LINE:COL: message" when the text holds several lines
   * (empty when it parsed). Lines and columns are the text's as given (see inputError).
   */
  errors: string[];
  /** Steps it ran (a `repeat` runs one per iteration; a blank line none). */
  steps: number;
  /** The last step's command: its return value, errno, signal and why. */
  value: number | string | null;
  errno: string | null;
  signal: string | null;
  detail: string | null;
  /** The last step when it is an `expect`: whether it held and what was found. */
  expect: { ok: boolean; message: string | null } | null;
  /** Failed expects and commands that ended in an errno or signal, over all its steps. */
  problems: ProblemCounts;
}

const NONE: ProblemCounts = { failed: 0, errors: 0 };

/** A line with nothing to run (blank): it worked, trivially. */
export const EMPTY_OUTCOME: LineOutcome = {
  ok: true, parsed: true, errors: [], steps: 0, value: null, errno: null, signal: null, detail: null, expect: null, problems: NONE,
};

/**
 * A parse error of console input as text. The worker parsed `input.trim()`: its line and
 * column are put back into `input` as given (leading blank lines and blanks count), and the
 * line is named when the text holds several, as the CLI's FILE:LINE:COL does; a single line
 * keeps the console's "COL: message".
 */
export function inputError(input: string, e: { line: number; col: number; message: string }): string {
  const text = input.trim();
  const lead = input.slice(0, input.length - input.trimStart().length);
  const lineStart = lead.lastIndexOf('\n') + 1;
  const col = e.line === 1 ? e.col + lead.length - lineStart : e.col;
  if (!text.includes('\n')) return `${col}: ${e.message}`;
  const line = e.line + lead.split('\n').length - 1;
  return `${line}:${col}: ${e.message}`;
}

/**
 * `input` is the console text as given (for the errors' positions); `res` is the worker's answer (with the steps it ran for the line, counted on its runner, so
 * a load racing the line cannot change them); `before` and `after` the problem
 * counts at the position before the line and after it (counts are per position, so their
 * difference is its steps').
 */
export function lineOutcome(res: ExecResult, before: ProblemCounts, after: ProblemCounts, input = ''): LineOutcome {
  if (!res.ok) return { ...EMPTY_OUTCOME, ok: false, parsed: false, errors: res.errors.map((e) => inputError(input, e)) };
  const problems = { failed: Math.max(0, after.failed - before.failed), errors: Math.max(0, after.errors - before.errors) };
  const r = res.record;
  const x = r?.result ?? null;
  const expect = r?.expect ? { ok: r.expect.ok, message: r.expect.message ?? null } : null;
  return {
    ok: problems.failed === 0 && problems.errors === 0,
    parsed: true,
    errors: [],
    steps: res.steps,
    value: x ? x.value : null,
    errno: x?.errno ?? null,
    signal: x?.signal ?? null,
    detail: x?.detail ?? null,
    expect,
    problems,
  };
}

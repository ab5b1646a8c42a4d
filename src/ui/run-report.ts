/**
 * Tells the user, in the console, which expects failed and which commands ended in an error
 * when the machine runs steps: loading and running a script, a restart, a gallery pick, play,
 * run to end, a step forward, a jump forward on the timeline.
 *
 * Each step's problems are listed once per script, the first time the machine runs that step.
 * Replay is deterministic (the same steps from the same checkpoint give the same state), so a
 * step run again after stepping back fails the same way: listing it again would say nothing
 * new, and scrubbing back and forth over a failing expect would fill the console. So the
 * reporter keeps a high-water mark: the furthest step listed and the problem counts there.
 * It moves back only when that future stops existing (a load, a restart, a typed line that
 * dropped the later steps). The timeline's indicator always shows the counts at the current
 * step, and clicking it lists them again on request.
 */
import type { ProblemCounts, ProblemList } from '../worker/api';
import { getEngine } from './engine-client';
import { problemLines, LISTED_PER_KIND } from './problems';
import { count } from './format';
import { log, store } from './store';

interface Mark extends ProblemCounts {
  /** Steps 0..step-1 have been reported. */
  step: number;
}

let reported: Mark = { step: 0, failed: 0, errors: 0 };

/** A new script (or the machine rebuilt for it): nothing of it has been reported. */
export function resetReported(): void {
  reported = { step: 0, failed: 0, errors: 0 };
}

/** The console showed the steps up to the current position itself (a typed line): skip them. */
export function markReported(): void {
  const s = store.getState();
  reported = { step: s.position, ...s.problems };
}

/** Lists the problems of steps from..to-1, of which there are `counts`; quiet when there are none. */
export async function reportSteps(from: number, to: number, counts: ProblemCounts, heading?: string, scope?: string): Promise<void> {
  if (to <= from || (counts.failed <= 0 && counts.errors <= 0)) return;
  let listed: ProblemList = { failed: [], errors: [] };
  try {
    listed = await getEngine().problems(from, to, LISTED_PER_KIND);
  } catch {
    // The worker failed meanwhile (its notice says so): the counts alone still tell.
  }
  if (heading) log('info', heading);
  for (const l of problemLines(counts, listed, scope)) log(l.kind, l.text);
}

/**
 * Lists the problems of the steps run since the last report. Call it once an action that may
 * run steps has finished and the store caught up with the worker. The mark moves at once, so
 * two callers never list the same steps.
 */
export function reportNewProblems(): Promise<void> {
  const s = store.getState();
  if (s.position <= reported.step) return Promise.resolve();
  const from = reported;
  reported = { step: s.position, ...s.problems };
  const counts = { failed: s.problems.failed - from.failed, errors: s.problems.errors - from.errors };
  return reportSteps(from.step, s.position, counts);
}

/** The indicator's click: everything that failed up to the current step, listed again. */
export function listProblemsSoFar(): Promise<void> {
  const s = store.getState();
  return reportSteps(0, s.position, s.problems, `up to step ${count(s.position)}:`);
}

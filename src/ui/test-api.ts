/**
 * `window.mshareExplorer`: a small API for Playwright tests (ours and other people's).
 *
 *   await page.goto('/?scenario=<builtin id>')            // or load one from the test:
 *   await page.evaluate(() => window.mshareExplorer.loadScenario('mshare-basics-2024'));
 *   await page.evaluate(() => window.mshareExplorer.loadScenario('spawn a\na: fork'));
 *   await page.evaluate(() => window.mshareExplorer.waitIdle());
 *   await page.evaluate(() => window.mshareExplorer.setAnimations(false));
 *   const report = await page.evaluate(() => window.mshareExplorer.report());  // SCENARIO.md JSON
 *   const digest = await page.evaluate(() => window.mshareExplorer.digest());  // state digest
 *
 * loadScenario(sourceOrBuiltinId, { run = true }) resolves when the script is loaded, run to
 * the end (unless run is false) and drawn; it rejects with the parse errors ("LINE:COL: msg").
 * The ids are those of `npm run sim -- --list` (mshare-basics-2024, mshare-basics-2025,
 * fork-cow, ...); one word that is no id and no verb rejects at once as an unknown id
 * ("no built-in scenario named 'mshare-basics' (did you mean 'mshare-basics-2024'?)").
 * waitIdle() resolves when no command or run is in progress and every view drew the latest
 * state. exec(line) runs one console line and resolves to whether it parsed (a line that
 * parsed but failed, such as an expect that does not hold or an ESRCH, is still true);
 * execResult(line) runs it the same way and resolves to what it did:
 *
 *   { ok, parsed, errors, steps, value, errno, signal, detail, expect, problems }
 *
 * ok is true only if it parsed and none of its steps failed (no errno, no signal, no failed
 * expect); src/ui/line-outcome.ts describes each field. Its parse errors are "COL: msg", or
 * "LINE:COL: msg" for a text of several lines (counted in the text as given). goto(n) takes an integer; below 0 it
 * goes to the start, past the end to the end.
 *
 * The promise-returning calls run one after another, in the order they were made: a test may
 * fire loadScenario(...) and execResult(...) without awaiting the first, and the line runs
 * after the load. A wrong argument (loadScenario(undefined), exec(42), goto(NaN), goto(2.5))
 * rejects at once with a TypeError or RangeError naming the call and what it expected, and
 * changes nothing. position(), source() and chart() answer at once with what the page holds,
 * so await the calls before them.
 *
 * source() is the script the page holds. ready is a promise that resolves when the first
 * scenario has run (a worker failure on the way: once it has run on the restarted worker);
 * the calls made before it run after it. chart() is what the counters chart and the timeline's markers are drawn
 * from: the steps of the chart's points (one per step run), the points themselves (series:
 * PageTables, Shmem, AnonPages, MemFree in bytes after that step), and the chapters and notes.
 */
import { loadScript, runLineOutcome, whenIdle, getDigest, getReport, stepBack, stepForward, gotoStep } from './actions';
import { findScenario, GALLERY } from './scenarios/gallery';
import { store } from './store';
import { drawStats, frameStats } from './frame-loop';
import { talkTestApi, type TalkTestApi } from './talk/test-api';
import { robustnessTestApi, type RobustnessTestApi } from './persist';
import type { Marker, SeriesPoint } from '../worker/api';
import type { LineOutcome } from './line-outcome';
import { boolArg, inOrder, loadOptions, stepArg, stringArg, unknownIdMessage } from './test-api-guard';

/** Plus crashWorkerForTest, setWatchdogForTest, engineHealth, savedSession, startFresh (src/ui/persist/index.ts). */
export interface MshareExplorerApi extends RobustnessTestApi {
  ready: Promise<void>;
  loadScenario(sourceOrId: string, opts?: { run?: boolean }): Promise<void>;
  waitIdle(): Promise<void>;
  setAnimations(on: boolean): void;
  report(): Promise<unknown>;
  digest(): Promise<string>;
  /** Whether the line parsed (kept as it was: older tests check `toBe(true)`). */
  exec(line: string): Promise<boolean>;
  /** What the line did; `ok` only if it parsed and every step worked. */
  execResult(line: string): Promise<LineOutcome>;
  step(): Promise<void>;
  back(): Promise<void>;
  goto(n: number): Promise<void>;
  position(): { position: number; total: number };
  /** The script as the page holds it (typed and toolbar lines in, dropped ones out). */
  source(): string;
  chart(): { points: number[]; series: SeriesPoint[]; chapters: Marker[]; notes: Marker[] };
  /** Milliseconds each frame spent in the redraw loop (for performance figures). */
  frameTimes(): number[];
  /** Draw times per view (ms). */
  drawTimes(): Record<string, number[]>;
  /** Talk mode: permalinks, presenter mode, export (src/ui/talk/test-api.ts). */
  talk: TalkTestApi;
}

declare global {
  interface Window {
    mshareExplorer?: MshareExplorerApi;
  }
}

/** Runs a console line after the calls before it; `fn` names the call in an argument error. */
function lineInOrder(fn: string, line: unknown): Promise<LineOutcome> {
  const text = stringArg(fn, 'a scenario line', line);
  return inOrder(async () => {
    const out = await runLineOutcome(text);
    await whenIdle();
    return out;
  });
}

export function installTestApi(ready: Promise<void>): void {
  // Arguments are checked before a call queues (a wrong one rejects at once and changes
  // nothing); the calls themselves run one after another, in the order they were made, and
  // the first after the page's first scenario has run (`ready`; rejected, they run all the
  // same): a call made while it ran used to reach the worker in the middle of it, and fail
  // with it when the worker was restarted.
  void inOrder(() => ready.catch(() => undefined));
  window.mshareExplorer = {
    ready,
    async loadScenario(sourceOrId, opts) {
      const text = stringArg('loadScenario', 'a built-in id or scenario text', sourceOrId);
      const { run } = loadOptions(opts);
      const unknown = unknownIdMessage(text, GALLERY.map((g) => g.id));
      if (unknown) throw new RangeError(unknown);
      return inOrder(async () => {
        await ready;
        const builtin = findScenario(text);
        const ok = await loadScript(builtin ? builtin.source : text, builtin ? `${builtin.id}.msh` : 'test.msh', run);
        if (!ok) throw new Error(store.getState().scriptErrors.map((e) => `${e.line}:${e.col}: ${e.message}`).join('\n'));
        await whenIdle();
      });
    },
    waitIdle: () => inOrder(whenIdle),
    setAnimations(on) {
      store.setState({ animations: boolArg('setAnimations', on) });
    },
    report: () => inOrder(getReport),
    digest: () => inOrder(getDigest),
    // exec says whether the line parsed, execResult what it did: one run, two answers.
    async exec(line) {
      return (await lineInOrder('exec', line)).parsed;
    },
    async execResult(line) {
      return lineInOrder('execResult', line);
    },
    step: () => inOrder(async () => { await stepForward(); await whenIdle(); }),
    back: () => inOrder(async () => { await stepBack(); await whenIdle(); }),
    async goto(n) {
      const target = stepArg('goto', n);
      return inOrder(async () => { await gotoStep(target); await whenIdle(); });
    },
    position: () => ({ position: store.getState().position, total: store.getState().total }),
    source: () => store.getState().source,
    chart: () => {
      const { series, chapters, notes } = store.getState();
      return { points: series.map((p) => p.step), series, chapters, notes };
    },
    frameTimes: () => [...frameStats],
    drawTimes: () => JSON.parse(JSON.stringify(drawStats)) as Record<string, number[]>,
    talk: talkTestApi(ready),
    ...robustnessTestApi(),
  };
}

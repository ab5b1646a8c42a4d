/**
 * What the UI does to the machine. Every user action that changes the machine goes through
 * `runLine` (so it appears in the console as one scenario line) or through the timeline.
 * Calls into the worker are counted so `whenIdle` (the test API) can wait for them.
 */
import type { ExecResult, LoadResult, MachineSettings, ProblemCounts, SeriesPoint, StepRecord } from '../worker/api';
import { getEngine } from './engine-client';
import { count, hex, size } from './format';
import { drawn } from './frame-loop';
import { emptySelection, log, store, type UiState } from './store';
import { markReported, reportNewProblems, reportSteps, resetReported } from './run-report';
import { droppedLines, dropSummary, type Drop } from './dropped';
import { forgetUndo, noteLineRun, offerUndo } from './drop-undo';
import { replacingScript } from './script-draft';
import { explainRestart } from './restart-explain';
import { visibleErrors } from './visible';
import { EMPTY_OUTCOME, lineOutcome, type LineOutcome } from './line-outcome';

let inFlight = 0;
const idleWaiters: (() => void)[] = [];

/** Counts `p` as in flight until it settles and (with `catchUp`) the page drew what it did. */
async function track<T>(p: Promise<T>, catchUp = true): Promise<T> {
  inFlight++;
  try {
    const r = await p;
    if (catchUp) await caughtUp();
    return r;
  } finally {
    inFlight--;
    if (inFlight === 0) for (const w of idleWaiters.splice(0)) w();
  }
}

/**
 * Lists, in the console, the failed expects and command errors of the steps just run (see
 * src/ui/run-report.ts). Counted as in flight, so whenIdle() waits for the lines too.
 */
function reportRun(): Promise<void> {
  return track(reportNewProblems(), false);
}

/** Resolves once the store holds at least the generation the worker has published. */
async function caughtUp(): Promise<void> {
  await reach(await getEngine().generation());
}

/**
 * Waits (frame by frame) until the store holds generation `gen`. The worker only names
 * generations it has published, so `gen` arrives; should it not (its update was lost with a
 * worker that died), a frame in which nothing arrived asks the engine again and waits for the
 * lower of the two answers, which does: no wait here can outlive the updates that end it.
 */
async function reach(gen: number): Promise<void> {
  while (store.getState().generation < gen) {
    const before = store.getState().generation;
    await drawn();
    if (store.getState().generation === before && before < gen) gen = Math.min(gen, await getEngine().generation());
  }
}

/** Resolves when no call is in flight, the worker is idle and the page drew its last state. */
async function settled(): Promise<void> {
  for (;;) {
    if (inFlight > 0) await new Promise<void>((r) => idleWaiters.push(r));
    await reach(await getEngine().idle());
    await drawn();
    if (inFlight === 0 && !store.getState().running) return;
  }
}

/**
 * Console lines being run (runLineOutcome). A line clicked during a run first waits for the
 * run to stop, and nothing is in flight while it waits: counted apart, so whenIdle does not
 * return in that gap, before the line has run.
 */
let linesRunning = 0;
const lineWaiters: (() => void)[] = [];

/** As settled(), and no console line is still on its way either. */
export async function whenIdle(): Promise<void> {
  for (;;) {
    await settled();
    if (linesRunning === 0) return;
    await new Promise<void>((r) => lineWaiters.push(r));
  }
}

function applyLoad(res: LoadResult, name: string): boolean {
  if (!res.ok) {
    const errors = visibleErrors(res.errors);
    store.setState({ scriptErrors: errors });
    for (const e of errors) log('err', `${e.line}:${e.col}: ${e.message}`);
    return false;
  }
  // A new script (or the machine rebuilt for it): its steps are news again, and an Undo of a
  // drop in the old one would bring that one back.
  resetReported();
  forgetUndo();
  store.setState({
    source: res.source,
    scriptName: name,
    chapters: res.chapters,
    notes: res.notes,
    scriptErrors: [],
  });
  return true;
}

/** Loads a script; `run` = run it to the end (with progress) after loading. */
export async function loadScript(source: string, name: string, run = true): Promise<boolean> {
  const engine = getEngine();
  store.setState({ playing: false });
  const draftDone = replacingScript(source);
  // With `run` the worker goes on from the load to the run by itself; catching up with the
  // load would wait for the run, so the page joins the run instead (below).
  const load = () => track(engine.load(source, name, run) as Promise<LoadResult>, !run);
  const res = run ? await headingForEnd(load) : await load();
  performance.mark('mshare:script-loaded');
  draftDone(res.ok);
  if (!applyLoad(res, name)) return false;
  store.setState({ selection: emptySelection, compare: null });
  log('info', `loaded ${name} (${res.ok ? res.total : 0} steps)`);
  if (run) await headingForEnd(() => track(engine.idle()));
  performance.mark('mshare:script-ran');
  autoSelect();
  await reportRun();
  return true;
}

/**
 * The pick selectDuringRuns made while a run was going: the best process so far, with no
 * comparison while it is alone. The next autoSelect (at the end of the action) picks again
 * from the whole state, unless the user chose meanwhile (a choice is a new selection object).
 */
let provisional: UiState['selection'] | null = null;

/**
 * Selects a process as soon as one exists during a run. A load clears the selection and
 * autoSelect ran only when the run ended, so for a whole gallery run (seconds for the
 * database scenarios) the header said "as no process" and the views "Select a process…"
 * while db0 was there. Returns the unsubscribe.
 */
export function selectDuringRuns(): () => void {
  return store.subscribe((s, p) => {
    if (s.snapshot === p.snapshot || !s.running || s.selection.pid !== null) return;
    autoSelect();
    const now = store.getState().selection;
    if (now.pid !== null) provisional = now;
  });
}

/** The running task with this pid in the latest snapshot, if there is one. */
function runningTask(pid: number | null | undefined) {
  return pid == null ? undefined : store.getState().snapshot?.tasks.find((t) => t.pid === pid && t.state === 'running');
}

/** Select the first running process when nothing is selected (so views are not empty). */
export function autoSelect(): void {
  const s = store.getState();
  const snap = s.snapshot;
  if (!snap) return;
  if (runningTask(s.selection.pid) && s.selection !== provisional) return;
  provisional = null;
  // Prefer a process that maps an mshare region and something else: it shows the most.
  const running = snap.tasks.filter((t) => t.state === 'running');
  const mmOf = (mm: number) => snap.mms.find((m) => m.id === mm);
  const score = (mm: number) => {
    const m = mmOf(mm);
    if (!m) return 0;
    return (m.vmas.some((v) => v.kind === 'mshare') ? 2 : 0) + (m.vmas.some((v) => v.kind !== 'mshare') ? 1 : 0);
  };
  const best = [...running].sort((a, b) => score(b.mm) - score(a.mm) || a.pid - b.pid)[0];
  if (!best) return;
  // Compare with another process: one attached to the same mshare region, else a relative
  // (fork parent or child), else any other process with an mm of its own.
  const others = running.filter((t) => t.pid !== best.pid && t.mm !== best.mm);
  const other =
    (score(best.mm) >= 2 ? others.find((t) => score(t.mm) >= 2) : undefined) ??
    others.find((t) => t.parent === best.pid || best.parent === t.pid) ??
    others[0];
  store.setState({ selection: { ...emptySelection, pid: best.pid, mm: best.mm }, compare: other?.pid ?? null });
}

/**
 * Runs under way that head for the end of the script (Run to end, Play, a load that runs):
 * the user did not choose the step such a run happens to be at, so an action clicked during
 * one must not drop the steps after it (runLineOutcome).
 */
let toEndRuns = 0;

async function headingForEnd<T>(p: () => Promise<T>): Promise<T> {
  toEndRuns++;
  try {
    return await p();
  } finally {
    toEndRuns--;
  }
}

export async function runToEnd(): Promise<void> {
  const s = store.getState();
  if (s.position >= s.total) return;
  store.setState({ playing: false });
  await headingForEnd(() => track(getEngine().play(Infinity)));
  autoSelect();
  await reportRun();
}

export async function play(): Promise<void> {
  const s = store.getState();
  if (s.position >= s.total) return;
  store.setState({ playing: true });
  try {
    await headingForEnd(() => track(getEngine().play(s.speed)));
  } finally {
    store.setState({ playing: false });
    autoSelect();
    await reportRun();
  }
}

export function pause(): void {
  store.setState({ playing: false });
  void getEngine().pause();
}

export function togglePlay(): void {
  if (store.getState().playing || store.getState().running) pause();
  else void play();
}

export async function stepForward(): Promise<void> {
  await track(getEngine().step());
  autoSelect();
  await reportRun();
}

export async function stepBack(): Promise<void> {
  if (store.getState().position === 0) return;
  await track(getEngine().back());
}

export async function gotoStep(n: number): Promise<void> {
  const s = store.getState();
  const target = Math.max(0, Math.min(s.total, n));
  if (target > s.position + 64) await track(getEngine().play(Infinity, target));
  else await track(getEngine().goto(target));
  autoSelect();
  await reportRun();
}

/** Runs one scenario line as the console does; returns whether it parsed. */
export async function runLine(line: string): Promise<boolean> {
  return (await runLineOutcome(line)).parsed;
}

/** Runs one scenario line as the console does; returns what it did (src/ui/line-outcome.ts). */
export async function runLineOutcome(line: string): Promise<LineOutcome> {
  const text = line.trim();
  if (!text) return EMPTY_OUTCOME;
  linesRunning++;
  try {
    return await runLineNow(text, line);
  } finally {
    linesRunning--;
    if (linesRunning === 0) for (const w of lineWaiters.splice(0)) w();
  }
}

/** `text` is `input` trimmed: what runs; `input` places parse errors as the caller wrote them. */
async function runLineNow(text: string, input: string): Promise<LineOutcome> {
  log('cmd', text);
  // exec appends after the worker's position, halting a play first. Stop and catch up here,
  // so the store's position is that one: the steps after it are the ones exec drops.
  // During a run that heads for the end (Run to end, Play, a load that runs), the step the
  // run happens to be at is not one the user chose: the run is stopped, the rest of the
  // script runs at full speed and the line goes at the end, dropping nothing. (Letting a
  // Play at 1 step/s finish first would keep the click waiting for minutes.) Only a position
  // the user chose, by stepping back or scrubbing, drops the later steps.
  const toEnd = toEndRuns > 0;
  if (inFlight > 0 || store.getState().running) {
    pause();
    await settled();
  }
  if (toEnd && store.getState().position < store.getState().total) {
    await track(getEngine().play(Infinity));
    await reportRun();
  }
  const from = store.getState().position;
  const problemsBefore = store.getState().problems;
  const oldPoints = new Set(store.getState().series);
  // Before the end the line drops the later steps: keep what Undo needs to bring them back.
  const undo = from < store.getState().total ? await undoPoint() : null;
  const sent = await track(getEngine().exec(text) as Promise<ExecResult>);
  const res: ExecResult = sent.ok ? sent : { ...sent, errors: visibleErrors(sent.errors) };
  if (!res.ok) {
    const outcome = lineOutcome(res, problemsBefore, problemsBefore, input);
    for (const e of outcome.errors) log('err', e);
    return outcome;
  }
  const source = await getEngine().getSource();
  store.setState({ source, scriptErrors: [], ...appended(from, oldPoints) });
  // Taken now: what follows only reports and selects, and the outcome is this line's.
  const after = { position: store.getState().position, problems: store.getState().problems };
  const r = res.record;
  if (r?.result) {
    const x = r.result;
    if (x.signal) log('err', `${x.signal}${x.detail ? ': ' + x.detail : ''}`);
    else if (x.errno) log('err', `${x.errno}${x.detail ? ': ' + x.detail : ''}`);
    else {
      const v = x.value;
      // Sizes as the kernel prints them (512G), a read's bytes also as text when printable.
      const extra = x.addr !== undefined && x.addr !== v ? ` (${hex(x.addr)})`
        : x.start !== undefined ? ` start=${hex(x.start)} size=${x.size === undefined ? '?' : size(x.size)}`
        : x.text && /^[\x20-\x7e]+$/.test(x.text) ? ` "${x.text}"` : '';
      log('out', `= ${typeof v === 'number' && v > 0xffff ? hex(v) : String(v)}${extra}`);
    }
  } else if (r?.expect) log(r.expect.ok ? 'out' : 'err', r.expect.message ?? (r.expect.ok ? 'holds' : 'failed'));
  await reportTypedSteps(from, problemsBefore, r);
  if (r?.kind === 'spawn') selectSpawned(r);
  autoSelect();
  if (undo && res.dropped > 0) {
    const drop: Drop = { command: text, position: from, total: undo.total, dropped: res.dropped, lines: droppedLines(undo.source, source, res.line) };
    log('info', `${dropSummary(drop)}: Undo in the notice brings them back`);
    offerUndo(drop, () => restore(undo));
  } else if (res.line > 0) noteLineRun();
  return lineOutcome(res, problemsBefore, after.problems, input);
}

/**
 * A process the user just spawned is the one they mean to act on next: select it (the
 * toolbar's actions run as the selection), keeping the comparison on the old selection.
 */
function selectSpawned(r: StepRecord): void {
  const x = r.result;
  if (!x || x.errno || x.signal || typeof x.value !== 'number') return;
  const s = store.getState();
  const t = runningTask(x.value);
  if (!t) return;
  const prev = s.selection.pid !== t.pid ? runningTask(s.selection.pid) : undefined;
  store.setState({ selection: { ...emptySelection, pid: t.pid, mm: t.mm }, compare: prev ? prev.pid : s.compare === t.pid ? null : s.compare });
}

/** The script and view a line run at a past step is about to change (runLine's Undo). */
interface UndoPoint {
  source: string;
  name: string;
  position: number;
  total: number;
  selection: UiState['selection'];
  compare: number | null;
}

async function undoPoint(): Promise<UndoPoint> {
  const s = store.getState();
  // The worker's text, not the page's copy: Undo must give back exactly what it had.
  const source = await getEngine().getSource();
  return { source, name: s.scriptName, position: s.position, total: s.total, selection: s.selection, compare: s.compare };
}

/** Undo of a drop: the old script loaded again and replayed to the old step, the old selection back. */
async function restore(u: UndoPoint): Promise<void> {
  if (!(await loadScript(u.source, u.name, false))) return;
  await gotoStep(u.position);
  // Replay is deterministic, so the same pids exist again; keep the selection if it is alive.
  if (runningTask(u.selection.pid)) store.setState({ selection: u.selection, compare: runningTask(u.compare) ? u.compare : null });
  log('info', `undone: the script is back to ${count(store.getState().total)} steps, at step ${count(store.getState().position)}`);
}

/**
 * A typed line's last step is shown above (its result or expect); a typed `repeat` runs more:
 * list the problems of its earlier iterations. Then none of these steps is news any more.
 */
async function reportTypedSteps(from: number, before: ProblemCounts, last: StepRecord | null): Promise<void> {
  const s = store.getState();
  const shownFailed = last?.expect && !last.expect.ok ? 1 : 0;
  const shownErrors = last?.result && (last.result.errno || last.result.signal) ? 1 : 0;
  const counts = { failed: s.problems.failed - before.failed - shownFailed, errors: s.problems.errors - before.errors - shownErrors };
  markReported();
  // The last step's own problem is the line's result above, so these are the others'.
  await track(reportSteps(from, s.position - 1, counts, undefined, 'in the earlier iterations'), false);
}

/**
 * The chart and the markers after exec appended steps at `from`. Typed after going back, a
 * line replaces the steps after `from` (EngineApi.exec), but the chart keeps every point it
 * was sent and chapters and notes come only with a load: drop the points from before the
 * exec past `from` (the ones it sent since are the new steps') and the markers at or after
 * `from`, and add the markers of the new steps from their records.
 */
function appended(from: number, oldPoints: Set<SeriesPoint>): Pick<UiState, 'series' | 'chapters' | 'notes'> {
  const s = store.getState();
  const chapters = s.chapters.filter((m) => m.index < from);
  const notes = s.notes.filter((m) => m.index < from);
  const lines = new Set<number>();
  for (const r of s.records) {
    // One marker per command, at its first step (a note in a `repeat` runs once per iteration).
    if (r.index < from || lines.has(r.line)) continue;
    const list = r.kind === 'chapter' ? chapters : r.kind === 'note' ? notes : null;
    const title = r.kind === 'chapter' ? r.chapter : r.note;
    if (!list || title === undefined) continue;
    lines.add(r.line);
    list.push({ title, index: r.index, line: r.line });
  }
  return { series: s.series.filter((p) => p.step <= from || !oldPoints.has(p)), chapters, notes };
}

export async function restartMachine(settings: MachineSettings): Promise<void> {
  log('info', `restarting the machine: ${Math.round(settings.ram / 2 ** 20)}M RAM, ${settings.cpus} CPUs, ${settings.levels}-level paging, mshare=${settings.mshare}`);
  const was = store.getState().problems;
  const old = store.getState().snapshot?.config;
  const res = await track(getEngine().restart(settings) as Promise<LoadResult>);
  applyLoad(res, store.getState().scriptName);
  autoSelect();
  await reportRun();
  // Right under the failures it explains (src/ui/restart-explain.ts).
  const why = old && res.ok ? explainRestart(old, settings, was, store.getState().problems) : null;
  if (why) log('info', why);
}

export async function getReport(): Promise<unknown> {
  return getEngine().report();
}

export async function getDigest(): Promise<string> {
  return getEngine().digest();
}

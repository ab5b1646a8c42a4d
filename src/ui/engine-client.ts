/**
 * The page's end of the worker: starts src/worker/engine.worker.ts, wraps it with comlink,
 * keeps the typed views over the shared buffers, and implements the reader side of the
 * seqlock described in src/worker/api.ts.
 *
 * The worker can fail: an exception out of the engine (a call rejects, or the worker's
 * `error` event for one outside any call), or it stops answering (an endless loop, the
 * browser killing it: the watchdog's ping goes unanswered for `hangMs`). Then this file says
 * so (engine status, shown by src/ui/persist/Notices.tsx), terminates the worker, starts a
 * new one and rebuilds the machine from the script the page holds (load, then run to the
 * position the page last showed: checkpoints + replay in the new worker). The script and the
 * position survive; the call that was in flight fails with EngineLostError (callers need not
 * handle it: an unhandled one is not reported as a page error). Everything else keeps
 * calling getEngine(): it returns a stable facade that always reaches the current worker and
 * waits while a rebuild is in progress. Three failures within a minute stop the replays
 * (the script is then loaded at step 0, a crash loop cannot form).
 */
import * as Comlink from 'comlink';
import { frameDescViews, type FrameDescViews } from '../engine/abi';
import { CTL_ACK, CTL_GEN, CTL_SEQ, type EngineApi, type LoadResult, type SharedBuffers, type Update } from '../worker/api';
import type { CrashMode, WorkerTestHooks } from '../worker/test-hooks';
import { count } from './format';
import { store } from './store';
import { newEngineWorker } from './engine-spawn';
import { plainWorkerError } from './engine-words';

export interface Buffers {
  u32: Uint32Array;
  desc: FrameDescViews;
  nframes: number;
  epoch: number;
}

export type Engine = Comlink.Remote<EngineApi>;

/** A call that was in flight when the worker failed (or that the failure interrupted). */
export class EngineLostError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EngineLostError';
  }
}

/** What the page knows about the worker's health (src/ui/persist/Notices.tsx shows it). */
export type EngineStatus =
  | { state: 'starting' }
  | { state: 'ok' }
  | { state: 'restarting'; reason: string; position: number; interrupted: boolean }
  | { state: 'recovered'; reason: string; position: number; ms: number; replayed: boolean; interrupted: boolean; note?: string };

export interface Recovery {
  reason: string;
  /** Milliseconds from noticing the failure to the rebuilt machine at its position. */
  ms: number;
  position: number;
  replayed: boolean;
}

interface Live {
  id: number;
  worker: Worker;
  remote: Comlink.Remote<EngineApi & WorkerTestHooks>;
  dead: boolean;
  /** Why it was declared dead (set with `dead`). */
  death: EngineLostError | null;
  /**
   * The reject functions of the calls waiting on this worker: declaring it dead rejects them.
   * (Not a race against a never-settling "died" promise: every call would leave a reaction on
   * it, a leak the soak test measured at ~0.8 MiB a minute.)
   */
  pending: Set<(e: EngineLostError) => void>;
  /** performance.now() of the unanswered watchdog ping, or null. */
  pingAt: number | null;
  /**
   * Added to this worker's generations before the page sees them (updates, generation(),
   * idle()), so generations keep rising across a restart and waiting for one cannot end early.
   * Snapshots (and readConsistent) keep the worker's own numbers.
   */
  genBase: number;
}

const PING_MS = 2_000;
/** No answer for this long: the worker is declared hung. Above any single step (MAX_ACCESS_SIZE). */
const DEFAULT_HANG_MS = 30_000;
/** This many failures within LOOP_WINDOW_MS: stop replaying to the position. */
const LOOP_LIMIT = 3;
const LOOP_WINDOW_MS = 60_000;

let live: Live | null = null;
let nextId = 0;
let onUpdateCb: (u: Update) => void = () => {};
let ctl: Int32Array | null = null;
let buffers: Buffers | null = null;
let bufferEpoch = 0;
let resolveReady: (e: Engine) => void = () => {};
const ready = new Promise<Engine>((r) => (resolveReady = r));
let started: Promise<Engine> | null = null;
let recovering: Promise<void> | null = null;
let hangMs = DEFAULT_HANG_MS;
/** Highest (page-side) generation seen from any worker. */
let maxGen = 0;
/**
 * Highest (page-side) generation handed to the page's update callback: what the store holds
 * once the frame loop has applied it. The answer to generation() and idle() while the current
 * worker has published nothing yet (it answers -1): there is nothing newer to wait for.
 */
let delivered = 0;
let failCount = 0;
/** The script and position a rebuild restores, kept until one succeeds. */
let rebuildTarget: { source: string; scriptName: string; position: number } | null = null;
/** Calls on their way to or from the worker (an interrupted one did not complete). */
let inFlight = 0;
let lastTick = 0;
const failures: number[] = [];
const recoveries: Recovery[] = [];
let status: EngineStatus = { state: 'starting' };
const statusListeners = new Set<(s: EngineStatus) => void>();

function setStatus(s: EngineStatus): void {
  status = s;
  for (const l of statusListeners) l(s);
}

/** The worker's health now, and a subscription to its changes (returns the unsubscribe). */
export function engineStatus(): EngineStatus {
  return status;
}

export function onEngineStatus(l: (s: EngineStatus) => void): () => void {
  statusListeners.add(l);
  return () => statusListeners.delete(l);
}

/** Resolves with the engine once it has started. */
export function engineReady(): Promise<Engine> {
  return ready;
}

function adopt(s: SharedBuffers): void {
  // The page's own epoch: a restarted worker counts from 1 again.
  buffers = { u32: new Uint32Array(s.ram), desc: frameDescViews(s.desc, s.nframes), nframes: s.nframes, epoch: ++bufferEpoch };
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

// ------------------------------------------------------------------ one worker

function spawnWorker(): Live {
  const worker = newEngineWorker();
  const l: Live = { id: ++nextId, worker, remote: Comlink.wrap(worker), dead: false, death: null, pending: new Set(), pingAt: null, genBase: maxGen + 1 };
  worker.addEventListener('error', (e) => {
    e.preventDefault();
    fail(l, `the engine stopped with an error: ${plainWorkerError(e.message || '')}`);
  });
  worker.addEventListener('messageerror', () => fail(l, 'the engine sent a message the page could not read'));
  return l;
}

/** `p`, or a rejection with EngineLostError as soon as the worker is declared dead. */
function guarded<T>(l: Live, p: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (l.death) {
      reject(l.death);
      return;
    }
    l.pending.add(reject);
    p.then(
      (v) => {
        l.pending.delete(reject);
        resolve(v);
      },
      (e: unknown) => {
        l.pending.delete(reject);
        reject(e);
      },
    );
  });
}

async function initLive(l: Live): Promise<void> {
  const init = await guarded(l, l.remote.init(
    Comlink.proxy((u: Update) => {
      if (live !== l || l.dead) return; // a late message from a worker declared dead
      if (u.shared) adopt(u.shared);
      const gen = u.generation + l.genBase;
      if (gen > maxGen) maxGen = gen;
      if (gen > delivered) delivered = gen;
      onUpdateCb({ ...u, generation: gen });
    }),
  ) as Promise<{ shared: SharedBuffers; ctl: SharedArrayBuffer }>);
  ctl = new Int32Array(init.ctl);
  adopt(init.shared);
}

/** Declares `l` dead: in-flight calls reject, the worker is terminated, a rebuild starts. */
function fail(l: Live, reason: string): void {
  if (l.dead || live !== l) return;
  l.dead = true;
  l.death = new EngineLostError(reason);
  for (const reject of l.pending) reject(l.death);
  l.pending.clear();
  try {
    l.remote[Comlink.releaseProxy]();
  } catch {
    /* the port may be gone already */
  }
  l.worker.terminate();
  failCount++;
  const now = performance.now();
  failures.push(now);
  while (failures.length && failures[0] < now - LOOP_WINDOW_MS) failures.shift();
  const p = recover(reason, failures.length >= LOOP_LIMIT, inFlight > 0);
  recovering = p;
  void p.finally(() => {
    if (recovering === p) recovering = null;
  });
}

/**
 * A new worker, the page's script loaded into it and run to the page's position (unless
 * `cautious`: crash loop, load at step 0 only).
 */
async function recover(reason: string, cautious: boolean, interrupted: boolean): Promise<void> {
  const t0 = performance.now();
  // What to rebuild: what the page showed when the first of these failures struck (a failure
  // during a rebuild must not take the half-rebuilt position for the user's).
  const target = (rebuildTarget ??= (({ source, scriptName, position }) => ({ source, scriptName, position }))(store.getState()));
  const { source, scriptName, position } = target;
  setStatus({ state: 'restarting', reason, position, interrupted });
  const l = spawnWorker();
  live = l;
  try {
    await initLive(l);
    let reached = 0;
    let note: string | undefined;
    if (source) {
      const res = await guarded(l, l.remote.load(source, scriptName || 'scenario.msh') as Promise<LoadResult>);
      if (!res.ok) note = `the script did not load again: ${res.errors[0]?.message ?? 'unknown error'}`;
      else if (cautious) note = `the engine failed ${LOOP_LIMIT} times within a minute, so the script is loaded at step 0 instead of replayed to step ${count(position)}`;
      else if (position > 0) reached = (await guarded(l, l.remote.play(Infinity, position))).position;
      await guarded(l, l.remote.idle());
    }
    const ms = performance.now() - t0;
    const replayed = !cautious && reached === position;
    rebuildTarget = null;
    recoveries.push({ reason, ms, position: reached, replayed });
    setStatus({ state: 'recovered', reason, position: reached, ms, replayed, interrupted, ...(note ? { note } : {}) });
  } catch (e) {
    // Failed again while rebuilding: if the new worker died, fail() has started the next
    // attempt; otherwise (it rejected a call) declare it dead now.
    if (!l.dead) fail(l, `the restarted engine failed while rebuilding: ${message(e)}`);
  }
}

/** Resolves once no rebuild is in progress (at once when none is). */
export async function engineSettled(): Promise<void> {
  while (recovering) await recovering;
}

/**
 * Runs `task`, and when the worker fails under it (EngineLostError), runs it again on the
 * rebuilt worker, as a user would redo what was interrupted: for what the page does by
 * itself, such as opening its first script, where there is no user to redo it. At most
 * LOOP_LIMIT runs: by then the rebuilds stop replaying (a crash loop), and the error goes on.
 */
export async function againAfterEngineLoss<T>(task: () => Promise<T>, onLoss?: (e: EngineLostError) => void): Promise<T> {
  for (let run = 1; ; run++) {
    try {
      return await task();
    } catch (e) {
      if (!(e instanceof EngineLostError) || run >= LOOP_LIMIT) throw e;
      onLoss?.(e);
      await engineSettled();
    }
  }
}

// ------------------------------------------------------------------ the facade

/** Calls `key` on the current worker, after any rebuild; an exception out of the worker restarts it. */
async function call(key: string, args: unknown[]): Promise<unknown> {
  while (recovering) await recovering;
  const l = live;
  if (!l) throw new Error('engine not started');
  inFlight++;
  try {
    const fn = (l.remote as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[key];
    const r = await guarded(l, fn(...args));
    // The two calls that answer with a generation: in the page's numbering (see Live.genBase).
    // A worker that has published nothing yet (-1: a first load that failed) has nothing for
    // the page to wait for; its unpublished starting generation would never arrive.
    if ((key === 'generation' || key === 'idle') && typeof r === 'number') {
      if (r < 0) return delivered;
      const gen = r + l.genBase;
      if (gen > maxGen) maxGen = gen;
      return gen;
    }
    return r;
  } catch (e) {
    if (e instanceof EngineLostError) throw e;
    // An exception out of the engine: the machine may be half-changed. Rebuild it.
    const reason = `the engine failed in ${key}(): ${message(e)}`;
    fail(l, reason);
    throw new EngineLostError(reason);
  } finally {
    inFlight--;
  }
}

/** Stable across worker restarts; `then` is absent so awaiting it does not treat it as a promise. */
const facade = new Proxy({} as Engine, {
  get(_t, key) {
    if (typeof key !== 'string' || key === 'then') return undefined;
    return (...args: unknown[]) => call(key, args);
  },
});

function watchdog(): void {
  const now = performance.now();
  // A gap far longer than the period: the page itself was asleep (background tab, laptop lid).
  if (now - lastTick > PING_MS * 5 && live) live.pingAt = null;
  lastTick = now;
  const l = live;
  if (!l || l.dead) return;
  if (l.pingAt !== null) {
    if (now - l.pingAt > hangMs) fail(l, `the engine has not answered for ${Math.round((now - l.pingAt) / 1000)} s`);
    return;
  }
  l.pingAt = now;
  l.remote.generation().then(() => {
    if (live === l) l.pingAt = null;
  }, () => {});
}

/** Starts the worker once; `onUpdate` receives every published state (of the current worker). */
export function startEngine(onUpdate: (u: Update) => void): Promise<Engine> {
  if (started) return started;
  onUpdateCb = onUpdate;
  started = (async () => {
    addEventListener('unhandledrejection', (e) => {
      if (e.reason instanceof EngineLostError) e.preventDefault(); // the notice says it already
    });
    const l = spawnWorker();
    live = l;
    await initLive(l);
    lastTick = performance.now();
    setInterval(watchdog, PING_MS);
    setStatus({ state: 'ok' });
    resolveReady(facade);
    return facade;
  })();
  return started;
}

export function getEngine(): Engine {
  if (!live) throw new Error('engine not started');
  return facade;
}

export function getBuffers(): Buffers | null {
  return buffers;
}

// ------------------------------------------------------------------ for tests

/**
 * Makes the worker fail the way `mode` says (see src/worker/test-hooks.ts); `terminate`
 * kills it from the page without a word, as a browser reclaiming memory would. Resolves
 * once the failure has been noticed and the rebuild is done (the recovery record).
 */
export async function crashWorkerForTest(mode: CrashMode | 'terminate' = 'throw'): Promise<Recovery> {
  const l = live;
  if (!l) throw new Error('engine not started');
  const before = recoveries.length;
  if (mode === 'terminate') l.worker.terminate();
  else void l.remote.crashForTest(mode).catch((e: unknown) => fail(l, `the engine failed in crashForTest(): ${message(e)}`));
  while (recoveries.length === before || recovering) {
    await new Promise((r) => setTimeout(r, 20));
  }
  return recoveries[recoveries.length - 1];
}

/** How long an unanswered ping may wait before the worker is declared hung (tests shorten it). */
export function setWatchdogForTest(ms: number): void {
  hangMs = ms > 0 ? ms : DEFAULT_HANG_MS;
}

export function engineHealth(): { failures: number; recoveries: Recovery[]; status: EngineStatus } {
  return { failures: failCount, recoveries: [...recoveries], status };
}

// ------------------------------------------------------------------ shared buffers

/**
 * Runs `read` over the buffers if they hold generation `gen` and the worker did not change
 * them meanwhile; null otherwise (try again on the next frame).
 */
export function readConsistent<T>(gen: number, read: (b: Buffers) => T): T | null {
  if (!ctl || !buffers) return null;
  const s1 = Atomics.load(ctl, CTL_SEQ);
  if (s1 & 1 || Atomics.load(ctl, CTL_GEN) !== gen) return null;
  const out = read(buffers);
  return Atomics.load(ctl, CTL_SEQ) === s1 ? out : null;
}

/** Tells the worker the page has drawn (page) generation `pageGen` (it may go on playing). */
export function ackGeneration(pageGen: number): void {
  if (!ctl || !live) return;
  const gen = pageGen - live.genBase;
  if (gen < 0) return; // drawn from a worker that is gone
  if (Atomics.load(ctl, CTL_ACK) < gen) {
    Atomics.store(ctl, CTL_ACK, gen);
    Atomics.notify(ctl, CTL_ACK);
  }
}

export function bufferGeneration(): number {
  return ctl ? Atomics.load(ctl, CTL_GEN) : -1;
}

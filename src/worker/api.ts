/**
 * The typed facade between the page and the engine worker (src/worker/engine.worker.ts),
 * over comlink. This file is the whole surface the UI may use; it holds types and the
 * layout of the small control buffer, nothing with behaviour beyond that.
 *
 * Copy / transfer / proxy at the boundary:
 * - `init(onUpdate)`: `onUpdate` is passed with Comlink.proxy (the worker calls back into
 *   the page). It returns the SharedArrayBuffers (RAM, frame descriptors, control): shared,
 *   not copied. They are sent again only inside an Update whose `shared` is set, which
 *   happens only when the machine is rebuilt (a different `machine` line, a restart).
 * - Everything else is structured-cloned and small: a model snapshot, the step records and
 *   trace events since the previous update (capped), the counters chart's samples of the
 *   steps run since (one per step, a few numbers each). The
 *   snapshot travels as a patch against the previous update's (only the tasks and mms that
 *   changed; see snapshot-patch.ts): the page decodes every update, in order, with one
 *   SnapshotDecoder (frame-loop.ts pushUpdate) before it reads `snapshot`.
 *
 * Consistency (who writes what): only the worker writes RAM, descriptors and ctl[SEQ],
 * ctl[GEN]; only the page writes ctl[ACK]. The worker makes ctl[SEQ] odd while it changes
 * the machine and even when the buffers hold the state of generation ctl[GEN]. A reader
 * takes what it needs while SEQ is even and GEN equals its snapshot's generation, then checks
 * SEQ did not move (a seqlock). While playing, the worker publishes an update, then waits
 * (at most ACK_WAIT_MS) until the page stores that generation in ctl[ACK], so the page can
 * draw every published state.
 */
import type { ModelSnapshot } from '../engine/abi';
import type { TraceEvent } from '../engine/trace';
import type { SysResult } from '../engine/sys/result';
import type { Smaps } from '../engine/mm/proc';
import type { CommandError, FailedExpect, ProblemCounts, ProblemList, ScriptError, StepRecord } from './runner-port';
import type { WireSnapshot } from './snapshot-patch';

export type { CommandError, FailedExpect, ProblemCounts, ProblemList, ScriptError, StepRecord, SysResult };

export const CTL_SEQ = 0;
export const CTL_GEN = 1;
export const CTL_ACK = 2;
export const CTL_WORDS = 4;
export const ACK_WAIT_MS = 50;

export interface SharedBuffers {
  ram: SharedArrayBuffer;
  desc: SharedArrayBuffer;
  nframes: number;
  /** Increases each time the machine (and so the buffers) is rebuilt. */
  epoch: number;
}

export interface SeriesPoint {
  step: number;
  pageTables: number;
  shmem: number;
  memFree: number;
  anon: number;
}

export interface Update {
  generation: number;
  position: number;
  total: number;
  /** A play or run is in progress. */
  running: boolean;
  /** Whole, or a patch against the previous update's snapshot: decode it (snapshot-patch.ts). */
  snapshot: WireSnapshot;
  /** Steps executed since the previous update, oldest first (at most MAX_STEPS_PER_UPDATE). */
  steps: StepRecord[];
  /** Steps executed since the previous update, including those left out of `steps`. */
  stepCount: number;
  /** Trace events since the previous update (the newest MAX_EVENTS_PER_UPDATE). */
  events: TraceEvent[];
  /**
   * The counters chart's samples since the previous update, by step, ascending: one for every
   * step run (the values after it), and one for the position after a load or a goto. The page
   * merges them into its series by step, a new sample replacing an old one of the same step.
   */
  samples: SeriesPoint[];
  /** The sample at `position` (also in `samples` when it is new). */
  point: SeriesPoint;
  /** Failed expects and command errors of steps 0..position-1 (a step back lowers them). */
  problems: ProblemCounts;
  /** Set when the machine was rebuilt: views must re-create their typed arrays. */
  shared?: SharedBuffers;
  /** A new script was loaded: drop step logs and the chart. */
  reset?: boolean;
}

export const MAX_STEPS_PER_UPDATE = 200;
export const MAX_EVENTS_PER_UPDATE = 400;

export interface Marker {
  title: string;
  /** Step index of the chapter heading or note. */
  index: number;
  line: number;
}

export type LoadResult =
  | { ok: true; total: number; chapters: Marker[]; notes: Marker[]; source: string }
  | { ok: false; errors: ScriptError[] };

/**
 * `line`: the script line the appended text starts on (so lines 1..line-1 are the kept text);
 * `dropped`: steps after the position that were removed first (0 at the end of the script).
 */
export type ExecResult =
  /** `steps`: how many steps of the line ran (fewer than it has when a pause stopped it). */
  | { ok: true; record: StepRecord | null; line: number; dropped: number; steps: number }
  | { ok: false; errors: ScriptError[] };

export interface RunOutcome {
  /** `done`: reached the goal; `paused`: pause() or another command stopped it. */
  state: 'done' | 'paused';
  position: number;
}

export interface MachineSettings {
  ram: number;
  cpus: number;
  levels: 4 | 5;
  mshare: 2024 | 2025;
  tlb: number;
  pcid: boolean;
  /** Page-table isolation (needs pcid); absent = off. */
  pti?: boolean;
  /** shmem_enabled for shmem THP; absent = never. */
  shmemThp?: 'never' | 'advise' | 'always';
}

export interface TlbProbe {
  cpu: number;
  pcid: number;
  hit: boolean;
  pfn: number | null;
  writable: boolean;
}

/** One VMA's smaps lines, as the engine computes them. */
export type SmapsInfo = Smaps;

export interface EngineApi {
  /** Once per page: registers the update callback (Comlink.proxy) and shares the buffers. */
  init(onUpdate: (u: Update) => void): { shared: SharedBuffers; ctl: SharedArrayBuffer };
  /**
   * Parses and loads a script at step 0. Parse errors come back, none thrown. With `run`, a
   * script that loaded goes on to run to the end as play(Infinity) would, at once: join it
   * with idle(), stop it with pause().
   */
  load(source: string, file?: string, run?: boolean): LoadResult;
  step(): StepRecord | null;
  back(): void;
  goto(n: number): void;
  /**
   * Runs towards `until` (default: the end) at `stepsPerSecond` (Infinity: as fast as
   * possible, in chunks that yield to the message loop so pause() and progress work).
   * Resolves when the goal is reached or pause() is called.
   */
  play(stepsPerSecond: number, until?: number): Promise<RunOutcome>;
  pause(): void;
  /**
   * Appends one console line to the script and runs it: it becomes the step after the current
   * position (Runner.append, no replay). Positioned before the end (after back or goto), the
   * steps after the position are dropped first, like typing after an undo; `getSource()`
   * then returns the shortened script.
   */
  exec(line: string): Promise<ExecResult>;
  /** Rebuilds the machine with new settings: rewrites the `machine` line, replays to the same step. */
  restart(settings: MachineSettings): Promise<LoadResult>;
  getSource(): string;
  /** The generation of the last published update; -1 before the first (nothing to wait for). */
  generation(): number;
  /** Parses `source` without loading it: the editor's inline errors. */
  check(source: string): ScriptError[];
  getSnapshot(): ModelSnapshot;
  report(): unknown;
  /**
   * The failed expects and command errors of steps from..to-1, at most `limit` of each (the
   * page lists them after a run; Update.problems has the counts).
   */
  problems(from: number, to: number, limit: number): ProblemList;
  digest(): string;
  tlbProbe(pid: number, va: number): TlbProbe | null;
  smaps(mm: number, start: number): SmapsInfo | null;
  /**
   * Resolves when no play/run is in progress, with the generation last published (-1 before
   * the first). Updates travel on the callback's own port, so the page waits until it has
   * seen that generation.
   */
  idle(): Promise<number>;
}

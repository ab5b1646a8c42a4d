/**
 * The one place the worker meets the scenario Runner (src/scenario/runner.ts). Everything
 * else in src/worker codes against `RunnerPort`; when the Runner changes its signatures,
 * only this file changes.
 */
import type { Kernel } from '../engine/kernel';
import { meminfoCounters } from '../engine/mm/proc';
import type { SysResult } from '../engine/sys/result';
import type { SeriesPoint } from './api';
import { Runner, type Failure, type StepError } from '../scenario/runner';
import { buildReport } from '../scenario/report';

export interface ScriptError {
  file: string;
  line: number;
  col: number;
  message: string;
}

/** Failed expects and commands that ended in an errno or a signal, counted over steps 0..position. */
export interface ProblemCounts {
  failed: number;
  errors: number;
}

/** A failed `expect` (Runner.failures): step is 0-based, line 1-based in the script. */
export type FailedExpect = Failure;

/** A command that returned an errno or killed its task with a signal (Runner.errors). */
export type CommandError = StepError;

/** The problems of a range of steps, each list the first `limit` of them in step order. */
export interface ProblemList {
  failed: FailedExpect[];
  errors: CommandError[];
}

/** One executed command, as the timeline and the console show it. */
export interface StepRecord {
  index: number;
  line: number;
  text: string;
  kind: string;
  result: SysResult | null;
  expect?: { ok: boolean; message?: string };
  chapter?: string;
  note?: string;
}

export interface RunnerPort {
  /** Number of steps the script expands to (a repeat's iterations are one step each). */
  readonly total: number;
  /** Steps executed so far (0 = nothing run). */
  readonly position: number;
  /** The kernel; may be a new object after goto() when the script starts with `machine`. */
  readonly kernel: Kernel;
  step(): StepRecord | null;
  /** Brings the machine to the state after `n` steps (checkpoint restore + replay). */
  goto(n: number): void;
  /** The SCENARIO.md JSON report of what has run so far. */
  report(): unknown;
  /** Failed expects and command errors of the steps run so far (steps undone are not counted). */
  readonly problemCounts: ProblemCounts;
  /** Those of steps from..to-1 (as far as the Runner lists them: MAX_LISTED of each), `limit` of each. */
  problems(from: number, to: number, limit: number): ProblemList;
  /** The script's text: appended lines in, dropped ones out. */
  readonly source: string;
  /**
   * Appends source lines to the script without replaying it (Runner.append): they become the
   * steps after the current position; steps after the position are dropped first. `line` is
   * the line the text starts on (also when it failed), `added` the steps it adds, `dropped`
   * the steps it removed.
   */
  append(source: string): { ok: true; added: number; line: number; dropped: number } | { ok: false; errors: ScriptError[]; line: number };
}

export type CreateResult = { ok: true; runner: RunnerPort } | { ok: false; errors: ScriptError[] };

class Port implements RunnerPort {
  constructor(private readonly r: Runner) {}
  get source(): string {
    return this.r.source ?? '';
  }
  append(source: string) {
    return this.r.append(source);
  }
  get total(): number {
    return this.r.total;
  }
  get position(): number {
    return this.r.position;
  }
  get kernel(): Kernel {
    return this.r.kernel;
  }
  step(): StepRecord | null {
    return this.r.step();
  }
  goto(n: number): void {
    this.r.goto(n);
  }
  report(): unknown {
    return buildReport(this.r);
  }
  get problemCounts(): ProblemCounts {
    return { failed: this.r.failureCount, errors: this.r.errorCount };
  }
  problems(from: number, to: number, limit: number): ProblemList {
    const inRange = (p: { step: number }) => p.step >= from && p.step < to;
    return {
      failed: this.r.failures.filter(inRange).slice(0, limit).map((f) => ({ ...f })),
      errors: this.r.errors.filter(inRange).slice(0, limit).map((e) => ({ ...e })),
    };
  }
}

/**
 * The counters chart's sample of the machine now, labelled `step`: the /proc/meminfo values
 * the engine keeps as counters (meminfoCounters: no scan), so the worker takes one after
 * every step.
 */
export function counterSample(k: Kernel, step: number): SeriesPoint {
  const c = meminfoCounters(k.m);
  return { step, pageTables: c.PageTables, shmem: c.Shmem, memFree: c.MemFree, anon: c.AnonPages };
}

export function createRunner(source: string, file: string): CreateResult {
  // Records are kept by the UI (it receives each one in an update), not by the Runner.
  const r = Runner.fromSource(source, file, { keepRecords: false });
  return r.ok ? { ok: true, runner: new Port(r.runner) } : { ok: false, errors: r.errors };
}

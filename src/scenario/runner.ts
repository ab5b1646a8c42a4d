/**
 * The scenario runner: a script executed step by step on a Kernel, with a position that can
 * move forward (run the next steps) and back (restore the nearest checkpoint and replay).
 *
 * Steps. Every command is one step (chapters, notes and expects included, so the timeline can
 * stop on them); `repeat N: X` is N steps. Steps are numbered 0..total-1 and the position is
 * the number of steps run, 0..total. A repeat body is instantiated one iteration at a time
 * when it runs (`repeatBody(cmd, i)`), never expanded up front: `repeat 1500:` costs one
 * AST node and one small object per executed step.
 *
 * Checkpoints. One at position 0 (the freshly built machine), then at most one every
 * `checkpointEvery` steps. A checkpoint copies every frame in use, which for the 1,500-process
 * database is ~250 MiB, so two limits apply: time (a checkpoint is taken only once the steps
 * since the last one took `1/checkpointOverhead` times as long as that one cost, so copying
 * stays under that share of the run) and memory (over `checkpointBudget` bytes, every other
 * checkpoint is dropped). The clock only decides WHERE checkpoints go, never what a step
 * does, so results stay deterministic. Determinism (DESIGN.md) makes replay exact: the same
 * steps from the same checkpoint give the same stateDigest.
 *
 * Appending. `append(text)` parses more lines as the continuation of the script (line numbers
 * go on after the existing text) and adds their steps after the current position, without
 * rebuilding or replaying anything: the console and the toolbar append one line at a time.
 * When the position is before the end, the steps after it are dropped first, as an editor
 * drops its redo history when you type after an undo: the console acts on the state the user
 * sees, and the script stays a faithful record of what ran (see `append`).
 *
 * Contract: the constructor throws MachineBuildError when the `machine` line cannot be built
 * (use Runner.fromSource for a result instead). step() never throws for a script that
 * parsed: syscall failures are results, failed expects are records. An exception out of the
 * engine is a bug; it propagates as a RunnerBugError naming the step.
 */
import type { Command, MachineOptions, Script } from './ast';
import { parseScript, repeatBody, type ParseError } from './parser';
import { SyntaxFail } from './lexer';
import { MAX_EXPANDED_COMMANDS, MAX_SCRIPT_CHARS } from './constants';
import { cloneRunState, execCommand, newRunState, type RunState } from './exec';
import { evalExpect, type ExpectOutcome } from './expect';
import { Kernel, type SysResult } from '../engine/kernel';
import { checkpointBytes, restoreCheckpoint, takeCheckpoint, type Checkpoint } from '../engine/snapshot';
import type { MachineConfig } from '../engine/types';

export interface RunnerOptions {
  /** At most one checkpoint every K steps (0 = only at step 0, e.g. for the CLI). Default 50. */
  checkpointEvery?: number;
  /**
   * Largest share of run time spent copying checkpoints (default 0.25). Infinity takes one
   * every `checkpointEvery` steps whatever it costs (tests use it for fixed positions).
   */
  checkpointOverhead?: number;
  /** Most bytes all checkpoints may hold before they are thinned. Default: the machine's RAM size. */
  checkpointBudget?: number;
  /** Keep full trace events in the ring (the UI animates them). Counts are always exact. Default true. */
  recordTrace?: boolean;
  /** Keep a StepRecord for every step run (the timeline). Default true; the CLI turns it off. */
  keepRecords?: boolean;
}

export interface StepRecord {
  /** Step number, 0-based. */
  index: number;
  line: number;
  /** The command's source, with `{i}` replaced for a repeat iteration. */
  text: string;
  kind: Command['kind'];
  /** Iteration 1..N inside a repeat. */
  iteration?: number;
  /** The syscall's outcome; null for expect, note and chapter steps. */
  result: SysResult | null;
  expect?: ExpectOutcome;
  /** The chapter the step belongs to (the latest `## Title` at or before it). */
  chapter?: string;
  /** The caption of a `note` step. */
  note?: string;
  /** Trace sequence numbers before and after the step: its events are (traceFrom, traceSeq]. */
  traceFrom: number;
  traceSeq: number;
}

export interface Failure { step: number; line: number; text: string; message: string }
export interface StepError {
  step: number;
  line: number;
  /** Only for a repeat iteration that did not parse (errno and signal are then null). */
  col?: number;
  command: string;
  errno: string | null;
  signal: string | null;
  detail?: string;
}

export interface RunOptions {
  /** Called every `chunk` steps and at the end. */
  onProgress?(pos: number, total: number): void;
  /** Polled every `chunk` steps; true stops the run (the position stays where it got to). */
  shouldCancel?(): boolean;
  /** Steps between progress calls and cancel polls. Default 64. */
  chunk?: number;
}

/** The `machine` line could not be built (bad RAM size and the like): CLI exit status 2. */
export class MachineBuildError extends Error {
  constructor(readonly line: number, readonly col: number, message: string) {
    super(message);
  }
}

/** An exception out of the engine while running a step: a bug, reported with the step. */
export class RunnerBugError extends Error {
  constructor(readonly step: number, readonly line: number, readonly text: string, readonly error: unknown) {
    super(`line ${line} (${text}): ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** SCENARIO.md's defaults for a script without a `machine` line. */
export const DEFAULT_MACHINE: MachineConfig = { ram: 256 << 20, cpus: 2, tlb: 64, pcid: true, levels: 4, mshare: 2024 };

export function machineConfig(o: MachineOptions): MachineConfig {
  return {
    ram: o.ram ?? DEFAULT_MACHINE.ram,
    cpus: o.cpus ?? DEFAULT_MACHINE.cpus,
    tlb: o.tlb ?? DEFAULT_MACHINE.tlb,
    pcid: o.pcid ?? DEFAULT_MACHINE.pcid,
    ...(o.pti ? { pti: true } : {}),
    ...(o.shmem_thp && o.shmem_thp !== 'never' ? { shmemThp: o.shmem_thp } : {}),
    levels: o.levels ?? DEFAULT_MACHINE.levels,
    mshare: o.mshare === '2025' ? 2025 : o.mshare === '2024' ? 2024 : DEFAULT_MACHINE.mshare,
  };
}

/** What a checkpoint holds besides the machine: everything else the next step reads. */
interface Saved {
  pos: number;
  machine: Checkpoint;
  run: RunState;
  chapter: string | undefined;
  trace: { seq: number; counts: Record<string, number>; faultKinds: Record<string, number> };
  failures: number;
  errors: number;
  bytes: number;
}

/** Wall-clock milliseconds, only to place checkpoints (never to decide what a step does). */
const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

export type FromSourceResult = { ok: true; runner: Runner } | { ok: false; errors: ParseError[] };

/**
 * `added`: steps appended (a `repeat N:` adds N); `line`: the line the appended text starts
 * on (would have, when it failed: the errors' lines count on from it); `dropped`: steps after
 * the position that were dropped first (0 at the end).
 */
export type AppendResult = { ok: true; added: number; line: number; dropped: number } | { ok: false; errors: ParseError[]; line: number };

/** Lines of a script text: a final newline ends the last line rather than starting one. */
export function countLines(text: string): number {
  if (text === '') return 0;
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return text.endsWith('\n') ? n - 1 : n;
}

/** `repeat N:` with another count, the rest of the line as written. */
function recount(line: string, count: number): string {
  return line.replace(/^(\s*repeat\s+)[^\s:]+/, `$1${count}`);
}

/**
 * Failed expects and syscall errors kept in full, each list: a script inside every limit can
 * fail millions of times (repeat 100000 of a failing command, 40 times over), and listing each
 * one made reports of gigabytes. The rest are counted (Runner.failureCount / errorCount).
 */
export const MAX_LISTED = 1000;

export class Runner {
  /** The commands to run (the runner's own copy: append and truncation change it). */
  readonly script: Script;
  readonly kernel: Kernel;
  /** Records of the steps run so far (empty when keepRecords is false). */
  readonly records: StepRecord[] = [];
  /** The first MAX_LISTED failed expects and errors in full; the counts include the rest. */
  readonly failures: Failure[] = [];
  readonly errors: StepError[] = [];
  failureCount = 0;
  errorCount = 0;

  /** starts[i] = step number of command i's first step (prefix sums of the step counts). */
  private starts: number[];
  /** Total steps: one per command, N per `repeat N:`. */
  private count: number;
  /** The script's text when built from source (null from a Script), kept in step with appends. */
  private text: string | null = null;
  private file = '<script>';
  /** Lines of the script so far: appended text starts on the next one. */
  private lines: number;
  private pos = 0;
  /** The command and iteration (1-based, 0 for non-repeats) the next step runs. */
  private ci = 0;
  private iter = 0;
  private run: RunState = newRunState();
  private chapter: string | undefined;
  private checkpoints: Saved[] = [];
  private readonly interval: number;
  private readonly overhead: number;
  private budget: number;
  /** Steps and milliseconds of stepping since the last checkpoint. */
  private sinceSteps = 0;
  private sinceMs = 0;
  /** Milliseconds the last checkpoint took per frame in use: the next one's cost is predicted from it. */
  private msPerFrame = 0;
  private readonly keepRecords: boolean;

  constructor(script: Script, opts: RunnerOptions = {}) {
    // A copy: appending must not change a Script the caller may hand to another runner.
    this.script = { commands: [...script.commands], chapters: [...script.chapters] };
    this.starts = new Array<number>(script.commands.length);
    let n = 0;
    script.commands.forEach((c, i) => {
      this.starts[i] = n;
      n += c.kind === 'repeat' ? c.count : 1;
    });
    this.count = n;
    this.lines = script.commands.reduce((l, c) => Math.max(l, c.line), 0);
    this.interval = opts.checkpointEvery ?? 50;
    this.overhead = opts.checkpointOverhead ?? 0.25;
    this.budget = opts.checkpointBudget ?? 0;
    this.keepRecords = opts.keepRecords ?? true;
    const machine = script.commands.find((c) => c.kind === 'machine');
    try {
      this.kernel = new Kernel(machineConfig(machine?.kind === 'machine' ? machine.options : {}));
    } catch (e) {
      // PhysMem refuses sizes it cannot hold (RangeError); no stack trace, a positioned message.
      throw new MachineBuildError(machine?.line ?? 1, machine?.col ?? 1, `machine: ${e instanceof Error ? e.message : String(e)}`);
    }
    this.kernel.m.trace.recording = opts.recordTrace ?? true;
    if (!this.budget) this.budget = this.kernel.m.s.config.ram;
    this.seek(0);
    this.checkpoints.push(this.save());
  }

  /** Parse and build; parse errors and machine errors come back as positioned errors. */
  static fromSource(src: string, file = '<script>', opts?: RunnerOptions): FromSourceResult {
    const parsed = parseScript(src, file);
    if (!parsed.ok) return parsed;
    try {
      const runner = new Runner(parsed.script, opts);
      runner.text = src;
      runner.file = file;
      runner.lines = countLines(src);
      return { ok: true, runner };
    } catch (e) {
      if (e instanceof MachineBuildError) return { ok: false, errors: [{ file, line: e.line, col: e.col, message: e.message }] };
      throw e;
    }
  }

  /** Total steps: one per command, N per `repeat N:` (grows with append). */
  get total(): number {
    return this.count;
  }

  /**
   * The script's text, appended lines included and dropped ones removed (null for a runner
   * built from a Script rather than from source).
   */
  get source(): string | null {
    return this.text;
  }

  /** Steps run so far (0..total). */
  get position(): number {
    return this.pos;
  }

  get done(): boolean {
    return this.pos >= this.total;
  }

  /** The result `expect last` would see now. */
  get last(): SysResult | null {
    return this.run.last;
  }

  /** The command (instantiated for a repeat iteration) that step `n` runs. */
  commandAt(n: number): Command | null {
    if (n < 0 || n >= this.total) return null;
    const ci = this.commandIndex(n);
    const c = this.script.commands[ci];
    if (c.kind !== 'repeat') return c;
    try {
      return repeatBody(c, n - this.starts[ci] + 1);
    } catch (e) {
      if (e instanceof SyntaxFail) return null; // step() lists it as an error
      throw e;
    }
  }

  /** Run one step; null at the end. */
  step(): StepRecord | null {
    if (this.pos >= this.total) return null;
    const raw = this.script.commands[this.ci];
    let cmd: Command = raw;
    let unparsed: SyntaxFail | null = null;
    if (raw.kind === 'repeat') {
      try {
        cmd = repeatBody(raw, this.iter);
      } catch (e) {
        if (!(e instanceof SyntaxFail)) throw new RunnerBugError(this.pos, raw.line, raw.text, e);
        unparsed = e;
      }
    }
    const trace = this.kernel.m.trace;
    const rec: StepRecord = {
      index: this.pos, line: cmd.line, text: unparsed ? iterationText(raw, this.iter) : cmd.text, kind: cmd.kind,
      result: null, traceFrom: trace.seq, traceSeq: trace.seq,
    };
    if (raw.kind === 'repeat') rec.iteration = this.iter;
    const t0 = now();
    try {
      if (unparsed) this.recordUnparsed(rec, unparsed);
      else this.exec(cmd, rec);
    } catch (e) {
      throw new RunnerBugError(this.pos, cmd.line, cmd.text, e);
    }
    if (this.chapter !== undefined) rec.chapter = this.chapter;
    rec.traceSeq = trace.seq;
    if (this.keepRecords) this.records.push(rec);
    this.pos++;
    this.advance();
    this.sinceSteps++;
    this.sinceMs += now() - t0;
    if (this.interval > 0 && this.pos < this.total && this.sinceSteps >= this.interval && this.checkpointPaysOff()) {
      this.checkpoint();
    }
    return rec;
  }

  /** Run until the end or until cancelled. Returns whether it reached the end. */
  runToEnd(opts: RunOptions = {}): boolean {
    const chunk = Math.max(1, opts.chunk ?? 64);
    while (this.pos < this.total) {
      for (let i = 0; i < chunk && this.pos < this.total; i++) this.step();
      opts.onProgress?.(this.pos, this.total);
      if (opts.shouldCancel?.()) return this.pos >= this.total;
    }
    opts.onProgress?.(this.pos, this.total);
    return true;
  }

  /** runToEnd that yields to the event loop between chunks (a worker stays responsive). */
  async runToEndAsync(opts: RunOptions = {}): Promise<boolean> {
    const chunk = Math.max(1, opts.chunk ?? 64);
    while (this.pos < this.total) {
      for (let i = 0; i < chunk && this.pos < this.total; i++) this.step();
      opts.onProgress?.(this.pos, this.total);
      if (opts.shouldCancel?.()) return this.pos >= this.total;
      await new Promise<void>((r) => setTimeout(r, 0));
    }
    return true;
  }

  /**
   * Move to position n (0..total, clamped): forward by stepping, back by restoring the
   * nearest checkpoint at or before n and replaying. Returns the new position.
   */
  goto(n: number): number {
    const target = Math.max(0, Math.min(this.total, Math.floor(Number.isFinite(n) ? n : 0)));
    if (target < this.pos) {
      let cp = this.checkpoints[0];
      for (const c of this.checkpoints) if (c.pos <= target && c.pos >= cp.pos) cp = c;
      this.restore(cp);
      // Later checkpoints stay valid (replay is deterministic) but we drop them to bound memory.
      this.checkpoints = this.checkpoints.filter((c) => c.pos <= cp.pos);
    }
    while (this.pos < target) this.step();
    return this.pos;
  }

  /**
   * Append `source` (one or more lines) to the script, as if it had been written after the
   * existing text: its line numbers continue from there (errors are positioned on them),
   * `repeat` and `{i}` work as in a file, and `machine` is refused (the machine is built).
   * Nothing runs; the new commands are the steps after the current position, so `step()` or
   * `runToEnd()` runs them. Costs the parse of the new text, not a replay.
   *
   * Before the end, the steps after the position are dropped first (the future, like an
   * editor's redo history), and the text loses their lines: what is appended runs on the
   * state the position shows. A repeat the position is inside is cut to the iterations run
   * (`repeat 1500:` at iteration 40 becomes `repeat 39:`). The `machine` line always stays.
   * A failed append (parse errors, limits) changes nothing, the future included.
   */
  append(source: string): AppendResult {
    const commands = this.script.commands;
    // 1. What stays: the commands run, a repeat the position is inside (cut), and the machine.
    let keep = this.ci;
    let cut: Command | null = null;
    const done = this.iter - 1; // iterations of the current repeat already run
    if (this.pos < this.count && done > 0) {
      const c = commands[this.ci];
      if (c.kind === 'repeat') {
        cut = { ...c, count: done, text: recount(c.text, done) };
        keep = this.ci + 1;
      }
    }
    const mi = commands.findIndex((c) => c.kind === 'machine');
    if (mi >= keep) keep = mi + 1;
    const dropping = keep < commands.length || cut !== null;
    // The kept text: every line up to the last kept command (comments after it belonged to the future).
    let text = this.text;
    let lines = this.lines;
    if (dropping) {
      lines = keep > 0 ? commands[keep - 1].line : 0;
      if (text !== null) {
        const all = text.split('\n').slice(0, lines);
        if (cut) all[cut.line - 1] = recount(all[cut.line - 1], done);
        text = all.length ? all.join('\n') + '\n' : '';
      }
    }
    // 2. Parse the new text on the lines after the kept text.
    const parsed = parseScript('\n'.repeat(lines) + source, this.file);
    if (!parsed.ok) return { ...parsed, line: lines + 1 };
    const errors: ParseError[] = [];
    const keptSteps = keep > 0 ? this.starts[keep - 1] + this.stepsOf(cut ?? commands[keep - 1]) : 0;
    let total = keptSteps;
    for (const c of parsed.script.commands) {
      if (c.kind === 'machine') {
        errors.push({ file: this.file, line: c.line, col: c.col, message: 'machine must be the first command (the machine is built: restart it to change it)' });
      }
      total += this.stepsOf(c);
      if (total > MAX_EXPANDED_COMMANDS && total - this.stepsOf(c) <= MAX_EXPANDED_COMMANDS) {
        errors.push({ file: this.file, line: c.line, col: c.col, message: `the script would run more than ${MAX_EXPANDED_COMMANDS} commands` });
      }
    }
    const joined = text === null ? null : text === '' || text.endsWith('\n') ? text + source : text + '\n' + source;
    if (joined !== null && joined.length > MAX_SCRIPT_CHARS) {
      errors.push({ file: this.file, line: lines + 1, col: 1, message: `script is too large: ${joined.length} characters (at most ${MAX_SCRIPT_CHARS})` });
    }
    if (errors.length) return { ok: false, errors, line: lines + 1 };
    // 3. Commit: drop the future, then add the new commands after the kept ones.
    const dropped = this.count - keptSteps;
    if (dropping) {
      commands.length = keep;
      this.starts.length = keep;
      if (cut) commands[keep - 1] = cut;
      const chapters = this.script.chapters.filter((c) => c.index < keep);
      this.script.chapters.length = 0;
      this.script.chapters.push(...chapters);
      this.checkpoints = this.checkpoints.filter((c) => c.pos <= this.pos);
    }
    let n = keptSteps;
    for (const ch of parsed.script.chapters) this.script.chapters.push({ ...ch, index: ch.index + commands.length });
    for (const c of parsed.script.commands) {
      commands.push(c);
      this.starts.push(n);
      n += this.stepsOf(c);
    }
    const added = n - keptSteps;
    this.count = n;
    this.text = joined;
    this.lines = joined === null ? parsed.script.commands.reduce((l, c) => Math.max(l, c.line), lines) : countLines(joined);
    // The cursor: the same position, now pointing into the new commands (or the machine step).
    this.seek(this.pos);
    return { ok: true, added, line: lines + 1, dropped };
  }

  /** Positions that hold a checkpoint (for tests and the timeline's tick marks). */
  checkpointPositions(): number[] {
    return this.checkpoints.map((c) => c.pos);
  }

  /** Bytes the checkpoints hold (at most checkpointBudget, plus the one at step 0). */
  checkpointBytes(): number {
    return this.checkpoints.reduce((s, c) => s + c.bytes, 0);
  }

  // ------------------------------------------------------------------ internals

  private stepsOf(c: Command): number {
    return c.kind === 'repeat' ? c.count : 1;
  }

  /**
   * A repeat iteration whose body does not parse for this i. The parser checks every rule
   * that can differ between iterations (parser.ts checkExactness), so this is a safety net:
   * the step is listed as an error at its FILE:LINE:COL with the parser's message, runs
   * nothing, and the script goes on, instead of an exception out of step().
   */
  private recordUnparsed(rec: StepRecord, f: SyntaxFail): void {
    const e: StepError = { step: this.pos, line: rec.line, col: f.col, command: rec.text, errno: null, signal: null, detail: f.message };
    if (this.errorCount < MAX_LISTED) this.errors.push(e);
    this.errorCount++;
  }

  private exec(cmd: Command, rec: StepRecord): void {
    switch (cmd.kind) {
      case 'chapter':
        this.chapter = cmd.title;
        return;
      case 'note':
        rec.note = cmd.caption;
        return;
      case 'expect': {
        const out = evalExpect(this.kernel, this.run, cmd.expr);
        rec.expect = out;
        if (!out.ok) {
          if (this.failureCount < MAX_LISTED) this.failures.push({ step: this.pos, line: cmd.line, text: cmd.text, message: out.message });
          this.failureCount++;
        }
        return;
      }
      default: {
        const r = execCommand(this.kernel, this.run, cmd);
        if (!r) return;
        rec.result = r;
        this.run.last = r;
        this.run.lastText = cmd.text;
        if (r.errno !== null || r.signal !== null) {
          const e: StepError = { step: this.pos, line: cmd.line, command: cmd.text, errno: r.errno, signal: r.signal };
          if (r.detail) e.detail = r.detail;
          if (this.errorCount < MAX_LISTED) this.errors.push(e);
          this.errorCount++;
        }
      }
    }
  }

  /** Index of the command that runs step n (binary search over starts). */
  private commandIndex(n: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= n) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Point the cursor (ci, iter) at step n. */
  private seek(n: number): void {
    this.pos = n;
    if (n >= this.total) {
      this.ci = this.script.commands.length;
      this.iter = 0;
      return;
    }
    this.ci = this.commandIndex(n);
    this.iter = this.script.commands[this.ci].kind === 'repeat' ? n - this.starts[this.ci] + 1 : 0;
  }

  /** Move the cursor past the step just run. */
  private advance(): void {
    const c = this.script.commands[this.ci];
    if (c.kind === 'repeat' && this.iter < c.count) {
      this.iter++;
      return;
    }
    this.ci++;
    this.iter = this.script.commands[this.ci]?.kind === 'repeat' ? 1 : 0;
  }

  private save(): Saved {
    const m = this.kernel.m;
    const machine = takeCheckpoint(m);
    return {
      pos: this.pos,
      machine,
      run: cloneRunState(this.run),
      chapter: this.chapter,
      trace: { seq: m.trace.seq, counts: m.trace.counts, faultKinds: m.trace.faultKinds },
      failures: this.failureCount,
      errors: this.errorCount,
      bytes: checkpointBytes(machine),
    };
  }

  private restore(c: Saved): void {
    const m = this.kernel.m;
    restoreCheckpoint(m, c.machine);
    // The ring's events belong to the abandoned future; counts go back to the checkpoint's.
    m.trace.restoreCounts(c.trace.seq, c.trace.counts, c.trace.faultKinds);
    this.run = cloneRunState(c.run);
    this.chapter = c.chapter;
    this.failureCount = c.failures;
    this.errorCount = c.errors;
    this.failures.length = Math.min(c.failures, MAX_LISTED);
    this.errors.length = Math.min(c.errors, MAX_LISTED);
    if (this.keepRecords) this.records.length = c.pos;
    this.seek(c.pos);
    this.sinceSteps = 0;
    this.sinceMs = 0;
  }

  /** Has stepping since the last checkpoint taken long enough to afford the next one? */
  private checkpointPaysOff(): boolean {
    if (this.overhead === Infinity) return true;
    return this.sinceMs * this.overhead >= this.msPerFrame * this.framesInUse();
  }

  /** Frames a checkpoint would copy (the copy dominates its cost). */
  private framesInUse(): number {
    const m = this.kernel.m;
    return m.pm.nframes - m.s.buddy.freeFrames;
  }

  /** Take a periodic checkpoint, then thin the older ones to stay within the budget. */
  private checkpoint(): void {
    const t0 = now();
    this.checkpoints.push(this.save());
    this.msPerFrame = (now() - t0) / this.framesInUse();
    this.sinceSteps = 0;
    this.sinceMs = 0;
    while (this.checkpointBytes() > this.budget && this.checkpoints.length > 1) {
      const n = this.checkpoints.length;
      // Keep step 0 and the newest; of the rest every other one goes, so the gaps double.
      // With only [0, newest] left, the newest alone is too big: drop it.
      this.checkpoints = n > 2 ? this.checkpoints.filter((_, i) => i === 0 || i === n - 1 || i % 2 === 0) : this.checkpoints.slice(0, 1);
    }
  }
}

/** A repeat iteration's text with `{i}` replaced, as a step shows it. */
function iterationText(c: Command, i: number): string {
  if (c.kind !== 'repeat') return c.text;
  return c.template ? c.template.text.split('{i}').join(String(i)).trim() : c.body.text.split('{i}').join(String(i));
}

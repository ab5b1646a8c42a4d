/**
 * What the fuzzers check, shared by the CI tests (tests/fuzz/*.fuzz.test.ts) and the long
 * runs (`npm run fuzz`, tests/fuzz/cli.ts). Each function returns the first violation in
 * words (with what it takes to replay it), or null; none of them throws for a bad input.
 */
import { checkInvariants, leakedFrames } from '../../src/engine/invariants';
import { Kernel } from '../../src/engine/kernel';
import { stateDigest } from '../../src/engine/snapshot';
import type { MachineConfig } from '../../src/engine/types';
import { ERRNO_NAMES, SIGNAL_NAMES } from '../../src/scenario/constants';
import { Runner } from '../../src/scenario/runner';
import { apply, type Op } from '../engine/ops';

/** Totals for the report: sequences (scripts or op lists) and the steps they ran. */
export const volume = { sequences: 0, steps: 0, parseErrors: 0, scripts: 0, slowestStepMs: 0, slowestStep: '' };

export function resetVolume(): void {
  Object.assign(volume, { sequences: 0, steps: 0, parseErrors: 0, scripts: 0, slowestStepMs: 0, slowestStep: '' });
}

/** Exit every task, unlink every file: the machine must be consistent and hold no frame. */
export function teardown(k: Kernel): string | null {
  try {
    for (const t of [...k.m.s.tasks.values()]) if (t.state === 'running' || t.state === 'blocked') k.exit(t.name);
    const paths = [...k.m.s.paths.keys()].sort((a, b) => b.length - a.length);
    for (const p of paths) {
      const inode = k.m.s.paths.get(p);
      if (!inode || inode.kind === 'info' || k.m.s.mounts.has(p)) continue;
      const r = k.unlink(p);
      if (r.errno) return `unlink ${p} after every task exited: ${r.errno}`;
    }
  } catch (e) {
    return `teardown threw: ${(e as Error).stack}`;
  }
  const errs = checkInvariants(k.m);
  if (errs.length) return `after teardown:\n  ${errs.slice(0, 6).join('\n  ')}`;
  const leaked = leakedFrames(k.m);
  if (leaked !== 0) return `${leaked} frames leaked after every task exited and every file was unlinked`;
  return null;
}

// ------------------------------------------------------------------ the engine

/**
 * Apply `ops` to a fresh machine, the invariant checker after every step, then tear down
 * (every task exits, every file is unlinked) and require zero leaked frames.
 */
export function checkEngine(config: MachineConfig, ops: Op[]): string | null {
  volume.sequences++;
  const k = new Kernel(config);
  k.m.trace.recording = false;
  for (let i = 0; i < ops.length; i++) {
    const o = ops[i];
    try {
      apply(k, o);
    } catch (e) {
      return `step ${i} ${JSON.stringify(o)} threw: ${(e as Error).stack}\nreplay: ${JSON.stringify([config, ops.slice(0, i + 1)])}`;
    }
    volume.steps++;
    const errs = checkInvariants(k.m);
    if (errs.length) return `after step ${i} ${JSON.stringify(o)}:\n  ${errs.slice(0, 6).join('\n  ')}\nreplay: ${JSON.stringify([config, ops.slice(0, i + 1)])}`;
  }
  const bad = teardown(k);
  return bad ? `${bad}\nreplay: ${JSON.stringify([config, ops])}` : null;
}

// ------------------------------------------------------------------ the runner

export interface ScriptLimits {
  /** Steps run at most (a `repeat 100000:` is cut here; the cap is the fuzzer's, not the language's). */
  stepCap: number;
  /** A single step taking longer is reported as a hang. */
  stepMs: number;
  /**
   * Run the invariant checker every this many steps (and at the end) on machines up to 64M;
   * on larger ones (a pass costs ~0.1 ms per MiB) only at the end.
   */
  checkEvery: number;
}

export const CI_SCRIPT_LIMITS: ScriptLimits = { stepCap: 300, stepMs: 10_000, checkEvery: 8 };

const ERRNOS = new Set<string>(ERRNO_NAMES);
const SIGNALS = new Set<string>(SIGNAL_NAMES);

/**
 * A script from outside: it parses into positioned errors, or it runs, step by step, to the
 * end or the cap, and every step ends in a result, an errno or a signal (never an exception,
 * never longer than `stepMs`). Then: the machine is consistent, stepping back to the middle
 * and forward again (checkpoint + replay) gives the same state digest, and once every task
 * has exited and every file is unlinked no frame is left.
 */
export function checkScript(src: string, lim: ScriptLimits = CI_SCRIPT_LIMITS): string | null {
  volume.scripts++;
  const replay = `\nscript: ${JSON.stringify(src)}`;
  let built: ReturnType<typeof Runner.fromSource>;
  try {
    built = Runner.fromSource(src, 'fuzz.msh', { keepRecords: false });
  } catch (e) {
    return `Runner.fromSource threw: ${(e as Error).stack}${replay}`;
  }
  if (!built.ok) {
    volume.parseErrors++;
    const lines = src.split('\n');
    if (built.errors.length === 0) return `not ok but no error${replay}`;
    for (const e of built.errors) {
      const where = `${e.line}:${e.col}: ${e.message}`;
      if (e.file !== 'fuzz.msh') return `error names file ${e.file}${replay}`;
      if (!(Number.isInteger(e.line) && e.line >= 1 && e.line <= lines.length)) return `error line outside the script: ${where}${replay}`;
      if (!(Number.isInteger(e.col) && e.col >= 1 && e.col <= lines[e.line - 1].length + 1)) return `error column outside its line: ${where}${replay}`;
      if (!e.message || /internal|undefined|NaN|\[object/i.test(e.message)) return `unhelpful message: ${where}${replay}`;
    }
    return null;
  }
  const r = built.runner;
  volume.sequences++;
  const m = r.kernel.m;
  let n = 0;
  while (!r.done && n < lim.stepCap) {
    const t0 = performance.now();
    let rec;
    try {
      rec = r.step();
    } catch (e) {
      return `step ${r.position} threw: ${(e as Error).stack}${replay}`;
    }
    const ms = performance.now() - t0;
    n++;
    volume.steps++;
    if (ms > volume.slowestStepMs) {
      volume.slowestStepMs = ms;
      volume.slowestStep = rec?.text ?? '';
    }
    if (ms > lim.stepMs) return `step ${n - 1} (line ${rec?.line}: ${rec?.text}) took ${ms.toFixed(0)} ms (a hang)${replay}`;
    const res = rec?.result;
    if (res) {
      if (res.errno !== null && !ERRNOS.has(res.errno)) return `step ${n - 1} (${rec?.text}): unknown errno ${res.errno}${replay}`;
      if (res.signal !== null && !SIGNALS.has(res.signal)) return `step ${n - 1} (${rec?.text}): unknown signal ${res.signal}${replay}`;
    }
    if (n % lim.checkEvery === 0 && m.pm.nframes <= 16384) {
      const errs = checkInvariants(m);
      if (errs.length) return `after step ${n - 1} (line ${rec?.line}: ${rec?.text}):\n  ${errs.slice(0, 6).join('\n  ')}${replay}`;
    }
  }
  const errs = checkInvariants(m);
  if (errs.length) return `at the end (step ${r.position}):\n  ${errs.slice(0, 6).join('\n  ')}${replay}`;
  // Back to the middle and forward again: checkpoint + replay must land on the same state.
  const pos = r.position;
  const digest = stateDigest(m);
  try {
    r.goto(Math.floor(pos / 2));
    r.goto(pos);
  } catch (e) {
    return `goto back and forth threw: ${(e as Error).stack}${replay}`;
  }
  const again = stateDigest(r.kernel.m);
  if (again !== digest) return `back to ${Math.floor(pos / 2)} and forward to ${pos}: digest ${again} != ${digest}${replay}`;
  const bad = teardown(r.kernel);
  return bad ? `${bad}${replay}` : null;
}

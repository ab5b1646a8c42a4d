/**
 * Shared helpers for the figure programs in bench/figures/.
 *
 * Each figure file exports a `run(opts)` function (callable in-process, e.g. from a test)
 * and, when it is the entry point, reads its options as JSON from argv[2], runs, and prints
 * ONE line of JSON on stdout: the result plus `maxRssBytes`, the peak resident set of the
 * process (process.resourceUsage().maxRSS). bench/run.ts bundles every figure with esbuild
 * and runs it with plain `node` in a fresh child process, so figures never share a heap,
 * a JIT state or a peak-RSS counter.
 */
import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface Spread {
  median: number;
  min: number;
  max: number;
}

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function spread(values: number[]): Spread {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

export const now = (): number => performance.now();

/** Peak resident set of this process so far, in bytes. */
export function maxRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}

/** Forces a full GC when node runs with --expose-gc; a no-op otherwise. */
export function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) {
    g();
    g();
  }
}

/** Values the optimizer must not discard: benchmarks fold their results in here. */
export const sink = { value: 0 };

/**
 * Runs `fn` when this module is the process entry point (the bundled figure run by
 * bench/run.ts): options from argv[2] (JSON), one JSON line out, exit code 1 on error.
 */
export function figureMain<O, R>(name: string, metaUrl: string, fn: (opts: O) => R | Promise<R>): void {
  const entry = process.argv[1];
  if (typeof entry !== 'string' || metaUrl !== pathToFileURL(entry).href) return;
  // In a bundle every module sees the bundle's import.meta.url: only the figure the bundle
  // is named after runs (bench/.build/<name>.mjs).
  if (basename(entry).split('.')[0] !== name) return;
  const opts = (process.argv[2] ? JSON.parse(process.argv[2]) : {}) as O;
  Promise.resolve()
    .then(() => fn(opts))
    .then((r) => {
      process.stdout.write(`${JSON.stringify({ ...r, maxRssBytes: maxRssBytes(), sink: sink.value % 2 })}\n`);
    })
    .catch((e: unknown) => {
      process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    });
}

/** Progress on stderr (stdout carries only the result line). */
export function log(msg: string): void {
  if (process.env.BENCH_QUIET !== '1') process.stderr.write(`  ${msg}\n`);
}

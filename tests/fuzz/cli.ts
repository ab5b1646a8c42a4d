/**
 * `npm run fuzz` (scripts/fuzz.mjs runs this with tsx): the CI fuzz suites with many more runs
 * and a seed of your choice. Prints what ran (sequences x steps) and, on a violation, the
 * replay; exits 1 then.
 *
 *   FUZZ_SEED      seed for both suites (default: a random one, printed)
 *   FUZZ_SCRIPTS   scripts for the runner suite (default 3000)
 *   FUZZ_SEQUENCES op sequences for the engine suite (default 200)
 *   FUZZ_OPS       longest op sequence (default 1000; the shortest is a fifth of it)
 *   FUZZ_STEP_CAP  steps a script may run (default 2000)
 *   FUZZ_ONLY      'runner' or 'engine' to run one suite
 */
import { resetVolume, volume } from './check';
import { fuzzEngine, fuzzScripts } from './suites';

const env = (k: string, d: number) => {
  const v = process.env[k];
  const n = v === undefined || v === '' ? d : Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${k}=${v}: expected a number`);
  return n;
};
const seed = env('FUZZ_SEED', Math.floor(Math.random() * 2 ** 31));
const scripts = env('FUZZ_SCRIPTS', 3000);
const sequences = env('FUZZ_SEQUENCES', 200);
const maxOps = env('FUZZ_OPS', 1000);
const stepCap = env('FUZZ_STEP_CAP', 2000);
const only = process.env.FUZZ_ONLY ?? '';

console.log(`fuzz: seed ${seed} (FUZZ_SEED=${seed} repeats this run)`);
let failed = false;

function suite(name: string, f: () => void): void {
  resetVolume();
  const t0 = performance.now();
  try {
    f();
  } catch (e) {
    failed = true;
    console.log(`${name}: VIOLATION\n${(e as Error).message}`);
  }
  const s = ((performance.now() - t0) / 1000).toFixed(1);
  if (name === 'runner') {
    console.log(`runner: ${volume.scripts} scripts (${volume.parseErrors} refused with positioned parse errors, ${volume.sequences} run) x ${volume.steps} steps in ${s} s; slowest step ${volume.slowestStepMs.toFixed(0)} ms (${volume.slowestStep})`);
  } else {
    console.log(`engine: ${volume.sequences} sequences x ${volume.steps} steps, each followed by the invariant checker, in ${s} s`);
  }
}

if (only !== 'engine') suite('runner', () => fuzzScripts({ seed, runs: scripts }, 'any', { stepCap, stepMs: 30_000, checkEvery: 16 }));
if (only !== 'runner') suite('engine', () => fuzzEngine({ seed, runs: sequences }, Math.max(1, Math.floor(maxOps / 5)), maxOps));
console.log(failed ? 'fuzz: FAILED' : 'fuzz: no violations');
process.exit(failed ? 1 : 0);

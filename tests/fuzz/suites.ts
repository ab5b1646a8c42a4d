/**
 * The two fuzz suites as functions of (seed, count), so CI (tests/fuzz/*.fuzz.test.ts, fixed
 * seeds, small counts) and `npm run fuzz` (tests/fuzz/cli.ts, any seed, large counts) run the
 * same properties. A failure throws with the replay (the script, or the machine config and
 * op list as JSON; see check.ts).
 */
import fc from 'fast-check';
import { MSHARE_PREFIX, configArb, opArb, type Op } from '../engine/ops';
import { CI_SCRIPT_LIMITS, checkEngine, checkScript, type ScriptLimits } from './check';
import { anyScript, mutated, soup, story } from './scripts';

export interface SuiteRun {
  seed: number;
  runs: number;
}

/** fast-check's report of a failure is the counterexample plus our message; no shrinking (too slow for long sequences). */
const RUN = { endOnFailure: true } as const;

export type ScriptKind = 'any' | 'story' | 'mutated' | 'soup';
const SCRIPT_ARBS: Record<ScriptKind, () => fc.Arbitrary<string>> = {
  any: () => anyScript(30),
  story: () => story(40),
  mutated: () => mutated(30),
  soup: () => soup,
};

/** Scripts through Runner.fromSource and step-by-step running (check.ts: checkScript). */
export function fuzzScripts(run: SuiteRun, kind: ScriptKind = 'any', limits: ScriptLimits = CI_SCRIPT_LIMITS): void {
  fc.assert(
    fc.property(SCRIPT_ARBS[kind](), (src) => {
      const bad = checkScript(src, limits);
      if (bad) throw new Error(bad);
    }),
    { ...RUN, seed: run.seed, numRuns: run.runs },
  );
}

const MSHARE_OPS = new Set(['mount', 'mopen', 'mclose', 'mtrunc', 'attach', 'ioctl-map', 'ioctl-unmap', 'inside-mmap', 'munlink', 'policy']);
/**
 * Every op of tests/engine/ops.ts, with the mshare ones (msharefs mount, region create/open/
 * close/truncate/unlink, attach by mmap in both flavours, CREATE_MAPPING/UNMAP ioctls, mmaps
 * inside a region, the four policy switches) as likely as all the others together.
 */
export const longOpArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 1, arbitrary: opArb },
  { weight: 1, arbitrary: opArb.filter((o) => MSHARE_OPS.has(o.op)) },
);

/**
 * Long random operation sequences (minOps..maxOps) on machines of random shape, both mshare
 * flavours; half start with an attached region (MSHARE_PREFIX) so sharers exist early.
 */
export function fuzzEngine(run: SuiteRun, minOps: number, maxOps: number): void {
  fc.assert(
    fc.property(configArb, fc.boolean(), fc.array(longOpArb, { minLength: minOps, maxLength: maxOps, size: 'max' }), (config, prefix, ops) => {
      const bad = checkEngine(config, prefix ? [...MSHARE_PREFIX, ...ops] : ops);
      if (bad) throw new Error(bad);
    }),
    { ...RUN, seed: run.seed, numRuns: run.runs },
  );
}

/**
 * Fuzzing the scenario runner (CI, fixed seeds): scripts that tell a story, the same and the
 * built-in scenarios mutated, and token soup go through Runner.fromSource and run step by step
 * (check.ts, checkScript): positioned parse errors or errno/signal results only, never an
 * exception, never a step over the hang bound; the machine consistent, back-and-forth replay
 * exact, nothing leaked at teardown. `npm run fuzz` runs the same with many more scripts.
 */
import { afterAll, describe, it } from 'vitest';
import { resetVolume, volume } from './check';
import { fuzzScripts } from './suites';

describe('runner fuzz (fixed seeds)', () => {
  resetVolume();
  afterAll(() => {
    console.log(`runner fuzz volume: ${volume.scripts} scripts (${volume.parseErrors} refused with positioned errors, ${volume.sequences} run) x ${volume.steps} steps; slowest step ${volume.slowestStepMs.toFixed(0)} ms (${volume.slowestStep})`);
  });

  it('scripts that tell a story: results, errnos and signals only; replay exact; no leak', () => {
    fuzzScripts({ seed: 0x5c1, runs: 250 }, 'story');
  }, 120_000);

  it('mutated stories and built-in scenarios', () => {
    fuzzScripts({ seed: 0x3c2, runs: 200 }, 'mutated');
  }, 120_000);

  it('token soup: positioned parse errors, never an exception', () => {
    fuzzScripts({ seed: 0x50b, runs: 500 }, 'soup');
  }, 120_000);
});

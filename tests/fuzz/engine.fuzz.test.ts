/**
 * Fuzzing the engine (CI, fixed seeds): long random operation sequences with every mshare
 * operation (msharefs mount, region create/open/close/truncate/unlink, attach in both
 * flavours, CREATE_MAPPING/UNMAP ioctls, mmaps inside a region) and all four policy switches
 * mixed into the task, memory and file operations of tests/engine/ops.ts, on machines of random
 * shape. The invariant checker runs after every step; at the end every task exits and every
 * file is unlinked, and no frame may be left (check.ts, checkEngine). tests/engine/property.test.ts
 * runs many short sequences; this runs fewer, longer ones (state piles up: reuse after exit,
 * regions outliving their owners, policies flipped mid-way). `npm run fuzz` runs many more.
 */
import { afterAll, describe, it } from 'vitest';
import { resetVolume, volume } from './check';
import { fuzzEngine } from './suites';

describe('engine fuzz: long sequences (fixed seeds)', () => {
  resetVolume();
  afterAll(() => {
    console.log(`engine fuzz volume: ${volume.sequences} sequences x ${volume.steps} checked steps`);
  });

  it('invariants hold after every step of 200-600 ops, and nothing leaks after teardown', () => {
    fuzzEngine({ seed: 0xe461, runs: 20 }, 200, 600);
  }, 120_000);
});

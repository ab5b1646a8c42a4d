/**
 * Property tests (fast-check, fixed seeds, bounded so the file runs well under a minute):
 * random sequences of task, memory, file and mshare operations on machines of random shape
 * (RAM, CPUs, TLB size, PCID, 4/5 levels, mshare flavour). After every step the invariant
 * checker must find nothing; at the end every task exits, every file is unlinked, and no
 * frame may be left. Checkpoint/restore and replay must reproduce the state digest.
 *
 * A failure prints the machine config and the whole op list as JSON: `apply` each op from
 * ./ops.ts on `new Kernel(config)` to replay it.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { Kernel } from '../../src/engine/kernel';
import type { MachineConfig } from '../../src/engine/types';
import { restoreCheckpoint, stateDigest, takeCheckpoint } from '../../src/engine/snapshot';
import { checkInvariants, leakedFrames } from './helpers';
import { MSHARE_PREFIX, apply, configArb, opArb, type Op } from './ops';

/** Totals for the closing note: sequences run and steps executed (each followed by the checker). */
const volume = { sequences: 0, steps: 0 };

/** Run `ops` with the checker after every step; returns the first violation, or null. */
function runChecked(k: Kernel, ops: Op[]): string | null {
  for (let i = 0; i < ops.length; i++) {
    const o = ops[i];
    try {
      apply(k, o);
    } catch (e) {
      return `step ${i} ${JSON.stringify(o)} threw: ${(e as Error).stack}`;
    }
    volume.steps++;
    const errs = checkInvariants(k.m);
    if (errs.length) return `after step ${i} ${JSON.stringify(o)}:\n  ${errs.slice(0, 6).join('\n  ')}`;
  }
  return null;
}

/** Exit every task, unlink every file: the machine must be consistent and hold no frame. */
function teardownAll(k: Kernel): string | null {
  for (const t of [...k.m.s.tasks.values()]) if (t.state === 'running' || t.state === 'blocked') k.exit(t.name);
  const paths = [...k.m.s.paths.keys()].sort((a, b) => b.length - a.length);
  for (const p of paths) {
    const inode = k.m.s.paths.get(p);
    if (!inode || inode.kind === 'info' || k.m.s.mounts.has(p)) continue;
    const r = k.unlink(p);
    if (r.errno) return `unlink ${p}: ${r.errno}`;
  }
  const errs = checkInvariants(k.m);
  if (errs.length) return `after teardown:\n  ${errs.slice(0, 6).join('\n  ')}`;
  const leaked = leakedFrames(k.m);
  if (leaked !== 0) return `${leaked} frames leaked after every task exited and every file was unlinked`;
  return null;
}

function check(config: MachineConfig, ops: Op[]): void {
  volume.sequences++;
  const k = new Kernel(config);
  k.m.trace.recording = false;
  const bad = runChecked(k, ops) ?? teardownAll(k);
  if (bad) throw new Error(`${bad}\nreplay: ${JSON.stringify([config, ops])}`);
}

const MSHARE_OPS = new Set(['mopen', 'mtrunc', 'attach', 'ioctl-map', 'ioctl-unmap', 'inside-mmap', 'munlink', 'mclose', 'policy']);
const ACCESS_OPS = new Set(['touch', 'read', 'write', 'fork', 'exit', 'spawn', 'munmap', 'mprotect', 'gup', 'unpin', 'run', 'cgroup']);
const mshareOpArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ op: 'mount' as const }) },
  { weight: 6, arbitrary: opArb.filter((o) => MSHARE_OPS.has(o.op)) },
  { weight: 6, arbitrary: opArb.filter((o) => ACCESS_OPS.has(o.op)) },
);

// endOnFailure: a failure reports its (replayable) sequence at once instead of shrinking for
// minutes; the sequences are short enough to read.
const RUN = { endOnFailure: true } as const;

describe('property: random operation sequences keep the machine consistent', () => {
  afterAll(() => {
    console.log(`property volume: ${volume.sequences} sequences, ${volume.steps} checked steps`);
  });

  it('every op mix: invariants hold after every step, and nothing leaks once every task and file is gone', () => {
    fc.assert(
      fc.property(configArb, fc.array(opArb, { minLength: 30, maxLength: 60 }), (config, ops) => check(config, ops)),
      { ...RUN, seed: 0x5eed, numRuns: 150 },
    );
  }, 120_000);

  it('mshare-heavy mixes (both flavours, every policy; mount, create, attach, ioctls, inside mmaps, owner exit) keep the invariants and leak nothing', () => {
    fc.assert(
      fc.property(configArb, fc.array(mshareOpArb, { minLength: 30, maxLength: 60 }), (config, ops) => check(config, [...MSHARE_PREFIX, ...ops])),
      { ...RUN, seed: 0x25, numRuns: 150 },
    );
  }, 120_000);

  it('checkpoint/restore round-trips the state digest, and the restored machine goes on exactly like a replay', () => {
    fc.assert(
      fc.property(configArb, fc.array(opArb, { minLength: 10, maxLength: 30 }), fc.array(opArb, { minLength: 10, maxLength: 30 }), (config, before, after) => {
        volume.sequences++;
        const k = new Kernel(config);
        k.m.trace.recording = false;
        for (const o of [...MSHARE_PREFIX, ...before]) apply(k, o);
        const d0 = stateDigest(k.m);
        const cp = takeCheckpoint(k.m);
        expect(stateDigest(k.m)).toBe(d0);
        for (const o of after) apply(k, o);
        restoreCheckpoint(k.m, cp);
        expect(stateDigest(k.m)).toBe(d0);
        expect(checkInvariants(k.m)).toEqual([]);
        // Determinism: a fresh machine given the same ops reaches the same digest, and the
        // restored machine and the replay stay equal op by op.
        const replay = new Kernel(config);
        replay.m.trace.recording = false;
        for (const o of [...MSHARE_PREFIX, ...before]) apply(replay, o);
        expect(stateDigest(replay.m)).toBe(d0);
        for (const o of after) {
          apply(k, o);
          apply(replay, o);
          volume.steps++;
          expect(stateDigest(k.m), JSON.stringify(o)).toBe(stateDigest(replay.m));
        }
        expect(checkInvariants(k.m)).toEqual([]);
        const bad = teardownAll(k);
        if (bad) throw new Error(bad);
      }),
      { ...RUN, seed: 0xc0ffee, numRuns: 50 },
    );
  }, 120_000);
});

/**
 * Property tests (fast-check, fixed seeds, bounded): random sequences of task, memory, file
 * and mshare operations on machines of random shape. After every step the invariant checker
 * must find nothing; at the end every task exits, every file is unlinked, and no frame may be
 * left. Checkpoint/restore and replay must reproduce the state digest.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../src/engine/kernel';
import { restoreCheckpoint, stateDigest, takeCheckpoint } from '../../src/engine/snapshot';
import { checkInvariants, leakedFrames } from './helpers';
import { apply, configArb, opArb, type Op } from './ops';

/** Totals, for the report: sequences run and steps executed. */
export const volume = { sequences: 0, steps: 0 };

function describeOp(o: Op): string {
  return JSON.stringify(o);
}

/** Run `ops` with the checker after every step; returns the first violation, or null. */
function runChecked(k: Kernel, ops: Op[], history: string[]): string | null {
  for (const o of ops) {
    history.push(describeOp(o));
    try {
      apply(k, o);
    } catch (e) {
      return `threw on ${describeOp(o)}: ${(e as Error).stack}`;
    }
    volume.steps++;
    const errs = checkInvariants(k.m);
    if (errs.length) return `after ${describeOp(o)}:\n  ${errs.slice(0, 6).join('\n  ')}`;
  }
  return null;
}

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

const seqArb = (n: number) => fc.tuple(configArb, fc.array(opArb, { minLength: n / 2, maxLength: n }));

describe('property: random operation sequences keep the machine consistent', () => {
  it('invariants hold after every step, and nothing leaks once every task and file is gone', () => {
    fc.assert(
      fc.property(seqArb(60), ([config, ops]) => {
        volume.sequences++;
        const k = new Kernel(config);
        k.m.trace.recording = false;
        const history: string[] = [];
        const bad = runChecked(k, ops, history) ?? teardownAll(k);
        if (bad) throw new Error(`${JSON.stringify(config)}\n${bad}`);
      }),
      { seed: 0x5eed, numRuns: 300, endOnFailure: false },
    );
  }, 120_000);

  it('mshare-heavy sequences (every flavour and policy) keep the invariants and leak nothing', () => {
    const mshareOps: fc.Arbitrary<Op> = fc.oneof(
      { weight: 1, arbitrary: fc.constant({ op: 'mount' as const }) },
      { weight: 6, arbitrary: opArb.filter((o) => ['mopen', 'mtrunc', 'attach', 'ioctl-map', 'ioctl-unmap', 'inside-mmap', 'munlink', 'mclose', 'policy'].includes(o.op)) },
      { weight: 6, arbitrary: opArb.filter((o) => ['touch', 'read', 'write', 'fork', 'exit', 'spawn', 'munmap', 'mprotect', 'gup', 'unpin', 'run', 'cgroup'].includes(o.op)) },
    );
    fc.assert(
      fc.property(configArb, fc.array(mshareOps, { minLength: 30, maxLength: 60 }), (config, ops) => {
        volume.sequences++;
        const k = new Kernel(config);
        k.m.trace.recording = false;
        // Start every sequence with a mounted msharefs and a live task, so the mshare ops bite.
        const prefix: Op[] = [{ op: 'mount' }, { op: 'spawn', t: 0 }, { op: 'mopen', t: 0, r: 0, create: true }, { op: 'mtrunc', t: 0, r: 0, slots: 1 }];
        const bad = runChecked(k, [...prefix, ...ops], []) ?? teardownAll(k);
        if (bad) throw new Error(`${JSON.stringify(config)}\n${bad}`);
      }),
      { seed: 0x25, numRuns: 300 },
    );
  }, 120_000);

  it('checkpoint/restore round-trips the state digest, and a restored machine carries on consistently', () => {
    fc.assert(
      fc.property(configArb, fc.array(opArb, { minLength: 10, maxLength: 30 }), fc.array(opArb, { minLength: 10, maxLength: 30 }), (config, before, after) => {
        volume.sequences++;
        const k = new Kernel(config);
        k.m.trace.recording = false;
        for (const o of before) apply(k, o);
        const d0 = stateDigest(k.m);
        const cp = takeCheckpoint(k.m);
        expect(stateDigest(k.m)).toBe(d0);
        for (const o of after) apply(k, o);
        restoreCheckpoint(k.m, cp);
        expect(stateDigest(k.m)).toBe(d0);
        expect(checkInvariants(k.m)).toEqual([]);
        // The restored machine runs the same suffix to the same state as the original did.
        const replay = new Kernel(config);
        replay.m.trace.recording = false;
        for (const o of before) apply(replay, o);
        expect(stateDigest(replay.m)).toBe(d0);
        for (const o of after) {
          apply(k, o);
          apply(replay, o);
          volume.steps++;
        }
        expect(stateDigest(k.m)).toBe(stateDigest(replay.m));
        const bad = teardownAll(k);
        if (bad) throw new Error(bad);
      }),
      { seed: 0xc0ffee, numRuns: 100 },
    );
  }, 120_000);

  it('reports its volume', () => {
    // Printed for the closing note; the assertion only keeps the counter honest.
    console.log(`property volume: ${volume.sequences} sequences, ${volume.steps} checked steps`);
    expect(volume.steps).toBeGreaterThan(0);
  });
});

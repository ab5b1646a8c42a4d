/**
 * /proc/meminfo from counters: Machine.allocFrames/freeFrames keep the frames by use
 * (KernelState.frameUse) and the set of Shmem frames, so meminfo needs no scan of every
 * frame. After random operation sequences (and checkpoint restores) the counters must equal
 * a full scan of the frame descriptors, and meminfo must equal meminfoScan.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../src/engine/kernel';
import type { Machine } from '../../src/engine/machine';
import type { MachineConfig } from '../../src/engine/types';
import { FRAME_USE_NAMES } from '../../src/engine/hw/physmem';
import { meminfo, meminfoScan } from '../../src/engine/mm/proc';
import { restoreCheckpoint, takeCheckpoint } from '../../src/engine/snapshot';
import { Runner } from '../../src/scenario/runner';
import { findBuiltin } from '../../src/scenario/builtins/index';
import { USE } from './helpers';
import { MSHARE_PREFIX, apply, configArb, opArb, type Op } from './ops';

/** The counters against a scan of every descriptor; null when they agree. */
function mismatch(m: Machine): string | null {
  const scan = new Array<number>(FRAME_USE_NAMES.length).fill(0);
  const shmem = new Set<number>();
  for (let p = 0; p < m.pm.nframes; p++) {
    const u = m.pm.d.use[p];
    scan[u]++;
    if (u === USE.shmem) shmem.add(p);
  }
  if (JSON.stringify(scan) !== JSON.stringify(m.s.frameUse)) return `frameUse ${JSON.stringify(m.s.frameUse)} != scan ${JSON.stringify(scan)}`;
  if (scan[USE.free] !== m.s.buddy.freeFrames) return `free ${scan[USE.free]} != buddy ${m.s.buddy.freeFrames}`;
  if (shmem.size !== m.s.shmemFrames.size || [...shmem].some((p) => !m.s.shmemFrames.has(p))) return 'shmemFrames differ from the Shmem frames';
  const a = JSON.stringify(meminfo(m));
  const b = JSON.stringify(meminfoScan(m));
  return a === b ? null : `meminfo ${a} != scan ${b}`;
}

function runChecked(k: Kernel, ops: Op[]): void {
  for (let i = 0; i < ops.length; i++) {
    apply(k, ops[i]);
    const bad = mismatch(k.m);
    if (bad) throw new Error(`after op ${i} ${JSON.stringify(ops[i])}: ${bad}\nreplay: ${JSON.stringify(ops)}`);
  }
}

function teardown(k: Kernel): void {
  for (const t of [...k.m.s.tasks.values()]) if (t.state === 'running' || t.state === 'blocked') k.exit(t.name);
  for (const p of [...k.m.s.paths.keys()].sort((a, b) => b.length - a.length)) {
    const inode = k.m.s.paths.get(p);
    if (inode && inode.kind !== 'info' && !k.m.s.mounts.has(p)) k.unlink(p);
  }
}

const RUN = { endOnFailure: true } as const;

describe('meminfo counters equal a full frame scan', () => {
  it('after every op of random sequences, and after teardown', () => {
    fc.assert(
      fc.property(configArb, fc.array(opArb, { minLength: 20, maxLength: 50 }), fc.boolean(), (config: MachineConfig, ops, prefix) => {
        const k = new Kernel(config);
        k.m.trace.recording = false;
        expect(mismatch(k.m)).toBeNull();
        runChecked(k, prefix ? [...MSHARE_PREFIX, ...ops] : ops);
        teardown(k);
        expect(mismatch(k.m)).toBeNull();
      }),
      { ...RUN, seed: 0x3e31, numRuns: 120 },
    );
  }, 120_000);

  it('a checkpoint restore brings the counters back with the frames', () => {
    fc.assert(
      fc.property(configArb, fc.array(opArb, { minLength: 5, maxLength: 25 }), fc.array(opArb, { minLength: 5, maxLength: 25 }), (config, before, after) => {
        const k = new Kernel(config);
        k.m.trace.recording = false;
        for (const o of [...MSHARE_PREFIX, ...before]) apply(k, o);
        const cp = takeCheckpoint(k.m);
        const at = JSON.stringify(meminfo(k.m));
        for (const o of after) apply(k, o);
        restoreCheckpoint(k.m, cp);
        expect(mismatch(k.m)).toBeNull();
        expect(JSON.stringify(meminfo(k.m))).toBe(at);
        for (const o of after) apply(k, o);
        expect(mismatch(k.m)).toBeNull();
      }),
      { ...RUN, seed: 0x77, numRuns: 40 },
    );
  }, 120_000);

  it('the built-in scenarios with shmem, hugetlb and mshare, at every step', () => {
    for (const id of ['fork-cow', 'shared-file-fork', 'hugetlb-pmd-share', 'mshare-basics-2024', 'mshare-basics-2025', 'mshare-owner-exit', 'oom-mshare', 'zero-page', 'munmap-pgtables']) {
      const b = findBuiltin(id);
      expect(b, id).toBeDefined();
      if (!b) continue;
      const r = Runner.fromSource(b.source, id, { keepRecords: false });
      if (!r.ok) throw new Error(id);
      while (r.runner.step()) {
        const bad = mismatch(r.runner.kernel.m);
        if (bad) throw new Error(`${id} step ${r.runner.position}: ${bad}`);
      }
    }
  }, 120_000);
});

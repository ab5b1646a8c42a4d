/**
 * buildModel reuses the task and mm models of the previous build when they did not change
 * (the worker then sends only the changed ones): a cached build must equal a fresh build at
 * every step, across checkpoint restores, and unchanged models must be the same objects.
 * The snapshot patches of src/worker/snapshot-patch.ts, through structuredClone as over
 * postMessage, must rebuild every snapshot exactly.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../src/engine/kernel';
import { buildModel, type ModelSnapshot } from '../../src/engine/model';
import { taskThreads } from '../../src/engine/mm/proc';
import { restoreCheckpoint, takeCheckpoint } from '../../src/engine/snapshot';
import { Runner } from '../../src/scenario/runner';
import { findBuiltin } from '../../src/scenario/builtins/index';
import { SnapshotDecoder, SnapshotEncoder, isPatch } from '../../src/worker/snapshot-patch';
import { MSHARE_PREFIX, apply, configArb, opArb } from './ops';

/** Cached and fresh builds agree; Threads is what taskThreads counts. */
function check(k: Kernel, gen: number): ModelSnapshot {
  const cached = buildModel(k, gen);
  const fresh = buildModel(k, gen, false);
  expect(cached).toEqual(fresh);
  for (const t of cached.tasks) {
    const task = k.m.s.tasks.get(t.pid)!;
    if (t.state === 'running' || t.state === 'blocked') expect(t.status.Threads).toBe(taskThreads(k.m, task));
  }
  return cached;
}

describe('buildModel cache', () => {
  it('equals a fresh build at every step of the built-ins, through goto back and forth', () => {
    for (const id of ['fork-cow', 'threads', 'mshare-basics-2024', 'mshare-basics-2025', 'mshare-owner-exit', 'oom-mshare', 'segfault', 'hugetlb-pmd-share']) {
      const b = findBuiltin(id);
      expect(b, id).toBeDefined();
      const r = Runner.fromSource(b!.source, id, { checkpointEvery: 20, checkpointOverhead: Infinity });
      if (!r.ok) throw new Error(id);
      const runner = r.runner;
      let gen = 0;
      while (runner.step()) check(runner.kernel, ++gen);
      // Back (checkpoint restore replaces the kernel state objects) and forward again.
      for (const to of [Math.floor(runner.total / 2), 1, runner.total]) {
        runner.goto(to);
        check(runner.kernel, ++gen);
      }
    }
  }, 120_000);

  it('equals a fresh build after random operations and restores', () => {
    fc.assert(
      fc.property(configArb, fc.array(opArb, { minLength: 10, maxLength: 40 }), (config, ops) => {
        const k = new Kernel(config);
        k.m.trace.recording = false;
        let gen = 0;
        for (const o of MSHARE_PREFIX) apply(k, o);
        const cp = takeCheckpoint(k.m);
        for (const o of ops) {
          apply(k, o);
          check(k, ++gen);
        }
        restoreCheckpoint(k.m, cp);
        check(k, ++gen);
        for (const o of ops.slice(0, 10)) apply(k, o);
        check(k, ++gen);
      }),
      { endOnFailure: true, seed: 0x40de1, numRuns: 60 },
    );
  }, 120_000);

  it('an unchanged task or mm is the same object in the next snapshot; a changed one is new', () => {
    const r = Runner.fromSource(`spawn a
a: mmap 0x40000000 64K rw private,anon as heap
repeat 20: a: fork as c{i}
c5: touch heap 8K write
`, 't.msh');
    if (!r.ok) throw new Error('parse');
    const runner = r.runner;
    runner.goto(runner.total - 1);
    const before = buildModel(runner.kernel, 1);
    runner.step();
    const after = buildModel(runner.kernel, 2);
    const c5 = after.tasks.find((t) => t.name === 'c5')!;
    const changedTasks = after.tasks.filter((t, i) => t !== before.tasks[i]);
    const changedMms = after.mms.filter((m, i) => m !== before.mms[i]);
    expect(changedTasks).toEqual([c5]);
    expect(changedMms.map((m) => m.id)).toEqual([c5.mm]);
    expect(c5.status.RssAnon).toBe(8192);
  });
});

describe('snapshot patches', () => {
  it('rebuild every snapshot of a run exactly, and carry only what changed', () => {
    const b = findBuiltin('mshare-basics-2024')!;
    const r = Runner.fromSource(b.source + 'repeat 30: a: fork as x{i}\nrepeat 30: x{i}: read sga\n', 'b.msh');
    if (!r.ok) throw new Error(r.errors.map((e) => e.message).join());
    const runner = r.runner;
    const enc = new SnapshotEncoder();
    const dec = new SnapshotDecoder();
    let gen = 0;
    let patched = 0;
    const send = () => {
      const s = buildModel(runner.kernel, ++gen);
      const wire = structuredClone(enc.encode(s));
      if (isPatch(wire)) {
        patched++;
        // A step changes a handful of tasks and mms, never all of them (there are up to 30+).
        expect(wire.tasks.changed.length).toBeLessThanOrEqual(4);
        expect(wire.mms.changed.length).toBeLessThanOrEqual(4);
      }
      expect(dec.decode(wire)).toEqual(s);
    };
    send();
    while (runner.step()) send();
    // Back: tasks disappear (order changes), then forward again.
    runner.goto(5);
    send();
    runner.goto(runner.total);
    send();
    expect(patched).toBe(gen - 1);
  });

  it('the first snapshot and the one after reset are whole; a patch without its base is refused', () => {
    const k = new Kernel({ ram: 64 << 20, cpus: 2, tlb: 64, pcid: true, levels: 4, mshare: 2024 });
    const enc = new SnapshotEncoder();
    const a = buildModel(k, 1);
    expect(isPatch(enc.encode(a))).toBe(false);
    k.spawn('p');
    const b = enc.encode(buildModel(k, 2));
    expect(isPatch(b)).toBe(true);
    expect(() => new SnapshotDecoder().decode(b)).toThrow(/generation 1/);
    enc.reset();
    expect(isPatch(enc.encode(buildModel(k, 3)))).toBe(false);
  });
});

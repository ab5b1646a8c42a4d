/**
 * The trace's counters: every event is counted by type (and faults by kind) whether or not
 * the ring records, through emit or through the hot paths' countAt/countFault; a checkpoint
 * restore puts them back.
 */
import { describe, expect, it } from 'vitest';
import { FAULT_KINDS, TI, TRACE_TYPES, Trace } from '../../src/engine/trace';
import { Runner } from '../../src/scenario/runner';
import { BUILTINS } from '../../src/scenario/builtins';
import { buildReport } from '../../src/scenario/report';

describe('trace counters', () => {
  it('emit, count, countAt and countFault all count; types never seen are absent', () => {
    const t = new Trace(8);
    t.recording = false;
    t.emit({ type: 'fault', pid: 1, addr: 0, write: false, kind: 'shmem', errorCode: 4 });
    t.countFault('shmem');
    t.countFault('anon-new');
    t.count('pte-set');
    t.countAt(TI['pte-set']);
    t.countAt(TI.lock);
    expect(t.seq).toBe(6);
    expect(t.counts).toEqual({ fault: 3, 'pte-set': 2, lock: 1 });
    expect(t.faultKinds).toEqual({ shmem: 2, 'anon-new': 1 });
    expect(t.ring).toEqual([]); // not recording
    // Listed in a fixed order: the order of TRACE_TYPES / FAULT_KINDS.
    expect(Object.keys(t.counts)).toEqual(['fault', 'pte-set', 'lock']);
    expect(Object.keys(t.faultKinds)).toEqual(['anon-new', 'shmem']);
  });

  it('counts are copies: changing one does not change the trace', () => {
    const t = new Trace(8);
    t.countAt(TI.cow);
    const c = t.counts;
    c.cow = 99;
    expect(t.counts.cow).toBe(1);
  });

  it('restoreCounts puts back saved counters and empties the ring; reset zeroes them', () => {
    const t = new Trace(8);
    t.emit({ type: 'fault', pid: 1, addr: 0, write: true, kind: 'anon-new', errorCode: 6 });
    const saved = { seq: t.seq, counts: t.counts, faultKinds: t.faultKinds };
    t.countFault('sigsegv');
    t.countAt(TI['frame-free']);
    t.restoreCounts(saved.seq, saved.counts, saved.faultKinds);
    expect([t.seq, t.counts, t.faultKinds, t.ring]).toEqual([1, { fault: 1 }, { 'anon-new': 1 }, []]);
    t.reset();
    expect([t.seq, t.counts, t.faultKinds]).toEqual([0, {}, {}]);
  });

  it('every type and kind has its own counter', () => {
    const t = new Trace(8);
    TRACE_TYPES.forEach((type, i) => {
      for (let n = 0; n <= i; n++) t.count(type);
    });
    FAULT_KINDS.forEach((kind, i) => {
      for (let n = 0; n <= i; n++) t.countFault(kind);
    });
    const counts = t.counts;
    TRACE_TYPES.forEach((type, i) => expect(counts[type]).toBe(type === 'fault' ? i + 1 + (FAULT_KINDS.length * (FAULT_KINDS.length + 1)) / 2 : i + 1));
    FAULT_KINDS.forEach((kind, i) => expect(t.faultKinds[kind]).toBe(i + 1));
  });

  // The hot paths pass the type's index themselves (emitAt): a wrong index would count an
  // event under another type. Every call in the built-in scenarios is checked against its event.
  it('every emitAt index and emitFault kind matches the event passed with it, in every built-in', () => {
    const bad: string[] = [];
    const seen = new Set<string>();
    for (const b of BUILTINS.filter((x) => !x.id.startsWith('database'))) {
      const built = Runner.fromSource(b.source, `${b.id}.msh`, { keepRecords: false, checkpointEvery: 0 });
      if (!built.ok) throw new Error(`${b.id} does not parse`);
      const trace = built.runner.kernel.m.trace;
      const emitAt = trace.emitAt.bind(trace);
      const emitFault = trace.emitFault.bind(trace);
      trace.emitAt = (i, e) => {
        seen.add(e.type);
        if (TRACE_TYPES[i] !== e.type) bad.push(`${b.id}: ${e.type} counted as ${TRACE_TYPES[i]}`);
        emitAt(i, e);
      };
      trace.emitFault = (kind, e) => {
        seen.add(e.type);
        if (e.type !== 'fault' || e.kind !== kind) bad.push(`${b.id}: fault of kind ${kind} passed with ${JSON.stringify(e)}`);
        emitFault(kind, e);
      };
      while (built.runner.position < built.runner.total) built.runner.step();
    }
    expect(bad).toEqual([]);
    // emit() goes through these two as well; the hot types must all have been exercised.
    for (const t of ['fault', 'frame-alloc', 'frame-free', 'lock', 'pte-clear', 'pte-set', 'tlb-fill']) expect(seen, t).toContain(t);
  }, 120_000);
});

describe('counts do not depend on the ring', () => {
  // The CLI runs with the ring off, the UI with it on: the report's trace_counts and
  // fault_kinds must be the same either way. Every event site that builds its event only
  // when recording must count it when not (lock releases, TLB fills, COW, context switches
  // and mshare link/unlink once did not: the CLI reported half the UI's locks and no fills).
  it('every built-in reports the same counts recorded and not (the 1,500-process ones at 20)', () => {
    const diffs: string[] = [];
    for (const b of BUILTINS) {
      const source = b.source.replaceAll('repeat 1500', 'repeat 20');
      const [on, off] = [true, false].map((recordTrace) => {
        const built = Runner.fromSource(source, `${b.id}.msh`, { keepRecords: false, checkpointEvery: 0, recordTrace });
        if (!built.ok) throw new Error(`${b.id} does not parse`);
        built.runner.runToEnd();
        const rep = buildReport(built.runner);
        return { seq: built.runner.kernel.m.trace.seq, trace_counts: rep.trace_counts, fault_kinds: rep.fault_kinds };
      });
      if (JSON.stringify(on) !== JSON.stringify(off)) diffs.push(`${b.id}: recorded ${JSON.stringify(on)}, not ${JSON.stringify(off)}`);
    }
    expect(diffs).toEqual([]);
  }, 120_000);
});

describe('trace ring', () => {
  const ev = (i: number) => ({ type: 'signal' as const, pid: i, signal: 'SIGSEGV', addr: 0, reason: '' });
  it('keeps the newest `capacity` events in order across the wrap; since() returns what is left after a sequence number', () => {
    const t = new Trace(4);
    expect(t.ring).toEqual([]);
    for (let i = 1; i <= 3; i++) t.emit(ev(i));
    expect(t.ring.map((e) => (e as { pid: number }).pid)).toEqual([1, 2, 3]);
    for (let i = 4; i <= 10; i++) t.emit(ev(i));
    expect(t.ring.map((e) => (e as { pid: number }).pid)).toEqual([7, 8, 9, 10]);
    expect(t.since(8).map((e) => (e as { pid: number }).pid)).toEqual([9, 10]); // events 9 and 10 came after seq 8
    expect(t.since(0).length).toBe(4); // older ones are gone
    expect(t.since(10)).toEqual([]);
    expect(t.since(99)).toEqual([]);
    t.restoreCounts(3, {}, {});
    expect([t.ring, t.since(0)]).toEqual([[], []]);
    t.emit(ev(11));
    expect(t.since(3).map((e) => (e as { pid: number }).pid)).toEqual([11]);
  });
});


/**
 * The trace's counters: every event is counted by type (and faults by kind) whether or not
 * the ring records, through emit or through the hot paths' countAt/countFault; a checkpoint
 * restore puts them back.
 */
import { describe, expect, it } from 'vitest';
import { FAULT_KINDS, TI, TRACE_TYPES, Trace } from '../../src/engine/trace';

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
});

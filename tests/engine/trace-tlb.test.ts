/**
 * Trace events of the TLB (issue: typed events for every step, TLB fill/flush/shootdown):
 * a single access that misses emits one tlb-fill; a batched touch reports each run of fills
 * as one event whose `pages` add up to the TLB's miss-and-fill count.
 */
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../src/engine/kernel';
import { tlbTotals } from '../../src/engine/hw/tlb';
import type { TraceEvent } from '../../src/engine/trace';

type Fill = Extract<TraceEvent, { type: 'tlb-fill' }>;

function fills(k: Kernel, since: number): Fill[] {
  return k.m.trace.since(since).filter((e): e is Fill => e.type === 'tlb-fill');
}

describe('tlb-fill trace events', () => {
  it('a read that misses the TLB emits one fill for that page and CPU', () => {
    const k = new Kernel({ ram: 32 << 20, tlb: 16 });
    k.spawn('a');
    const addr = k.mmap('a', { addr: null, len: 1 << 20, prot: 'rw', flags: { private: true, anon: true, populate: true } }).value as number;
    const s0 = k.m.trace.seq;
    k.read('a', addr + 4096, 1);
    const f = fills(k, s0);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ addr: addr + 4096, pages: 1, cpu: k.task('a')!.cpu });
    const s1 = k.m.trace.seq;
    k.read('a', addr + 4096, 1); // a hit: no fill
    expect(fills(k, s1)).toHaveLength(0);
  });

  it('a batched touch reports runs of fills whose pages equal the misses filled', () => {
    const k = new Kernel({ ram: 64 << 20, tlb: 16 });
    k.spawn('a');
    const len = 3 << 20;
    const addr = k.mmap('a', { addr: null, len, prot: 'rw', flags: { private: true, anon: true, populate: true } }).value as number;
    const before = tlbTotals(k.m.s.tlb).misses;
    const s0 = k.m.trace.seq;
    expect(k.touch('a', addr, len, 'read').errno).toBeNull();
    const misses = tlbTotals(k.m.s.tlb).misses - before;
    const f = fills(k, s0);
    expect(misses).toBe(len / 4096);
    expect(f.reduce((n, e) => n + e.pages, 0)).toBe(misses);
    // Runs are contiguous and in order.
    let next = addr;
    for (const e of f) {
      expect(e.addr).toBe(next);
      next = e.addr + e.pages * 4096;
    }
    expect(next).toBe(addr + len);
  });

  it('flushes and shootdowns are counted even with the ring off', () => {
    const k = new Kernel({ ram: 32 << 20, cpus: 2 });
    k.m.trace.recording = false;
    k.spawn('a');
    k.thread('a', 'b');
    const addr = k.mmap('a', { addr: null, len: 1 << 20, prot: 'rw', flags: { private: true, anon: true } }).value as number;
    k.touch('a', addr, 1 << 20, 'write');
    k.touch('b', addr, 1 << 20, 'read');
    k.munmap('a', addr, 1 << 20);
    expect(k.m.trace.counts['tlb-flush'] ?? 0).toBeGreaterThan(0);
  });
});

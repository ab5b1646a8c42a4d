/**
 * The batched `touch` (hw/mmu-range.ts, with its paging-structure cache) must be exactly a
 * loop of single accesses: same TLB counters, same A/D bits, same frames, same digest.
 */
import { describe, expect, it } from 'vitest';
import { Kernel } from '../src/engine/kernel';
import { stateDigest } from '../src/engine/snapshot';
import { tlbTotals } from '../src/engine/hw/tlb';
import { checkInvariants } from '../src/engine/invariants';

type Setup = (k: Kernel) => number;

function run(setup: Setup, batched: boolean, len: number, mode: 'read' | 'write'): Kernel {
  const k = new Kernel({ ram: 64 << 20, tlb: 16 });
  const addr = setup(k);
  for (const m of [mode, 'read', 'write'] as const) {
    if (batched) k.touch('a', addr, len, m);
    else for (let va = addr; va < addr + len; va += 4096) (m === 'read' ? k.read('a', va, 1) : k.write('a', va, 0));
  }
  return k;
}

const setups: Record<string, Setup> = {
  'private anon': (k) => {
    k.spawn('a');
    return k.mmap('a', { addr: null, len: 3 << 20, prot: 'rw', flags: { private: true, anon: true } }).value as number;
  },
  'shared anon (fault-around)': (k) => {
    k.spawn('a');
    return k.mmap('a', { addr: null, len: 3 << 20, prot: 'rw', flags: { shared: true, anon: true } }).value as number;
  },
  // Every PTE write-protected by fork: the sweep stops at each page with a protection fault.
  'private anon after fork (COW)': (k) => {
    k.spawn('a');
    const addr = k.mmap('a', { addr: null, len: 3 << 20, prot: 'rw', flags: { private: true, anon: true } }).value as number;
    k.touch('a', addr, 3 << 20, 'write');
    k.fork('a', 'b');
    return addr;
  },
  // A read-only page in the middle of a long run: a write stops there (SIGSEGV).
  'read-only page mid-range': (k) => {
    k.spawn('a');
    const addr = k.mmap('a', { addr: null, len: 3 << 20, prot: 'rw', flags: { private: true, anon: true } }).value as number;
    k.touch('a', addr, 3 << 20, 'read');
    k.mprotect('a', addr + (2 << 20) + 5 * 4096, 4096, 'r');
    return addr;
  },
  'hugetlb': (k) => {
    k.spawn('a');
    return k.mmap('a', { addr: 1 << 30, len: 4 << 20, prot: 'rw', flags: { shared: true, anon: true, hugetlb: true, fixed: true } }).value as number;
  },
};

describe('batched touch equals page-by-page accesses', () => {
  for (const [name, setup] of Object.entries(setups)) {
    for (const mode of ['read', 'write'] as const) {
      it(`${name}, first pass ${mode}`, () => {
        const len = name === 'hugetlb' ? 4 << 20 : 3 << 20;
        // write stores a zero byte: the same contents as an untouched page, so digests compare.
        const a = run(setup, true, len, mode);
        const b = run(setup, false, len, mode);
        const ta = tlbTotals(a.m.s.tlb);
        const tb = tlbTotals(b.m.s.tlb);
        expect(ta.misses).toBe(tb.misses);
        expect(ta.hits).toBe(tb.hits);
        expect(a.m.trace.counts.fault).toBe(b.m.trace.counts.fault);
        expect(stateDigest(a.m)).toBe(stateDigest(b.m));
        expect(checkInvariants(a.m)).toEqual([]);
      });
    }
  }
});

/**
 * The batched `touch` (hw/mmu-range.ts, with its paging-structure cache) must be exactly a
 * loop of single accesses: same TLB counters, same A/D bits, same frames, same digest.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Kernel } from '../src/engine/kernel';
import { stateDigest } from '../src/engine/snapshot';
import { cpuFirstSlot, tlbEntryPcid, tlbEntryPerm, tlbEntryPfn, tlbEntryVpn, tlbTotals } from '../src/engine/hw/tlb';
import type { Machine } from '../src/engine/machine';
import { checkInvariants } from '../src/engine/invariants';
import { entryIndex, findTable, pgIndex } from '../src/engine/mm/pgtable';
import { PTE_A, PTE_D, PTE_P, PTE_PS, PTE_RW, PTE_US } from '../src/engine/hw/pte';

type Setup = (k: Kernel) => number;

/**
 * Every valid TLB entry: [cpu, slot, vpn, pcid, perm, pfn]. The state digest leaves the TLB
 * out, so the runs are compared on it as well: the batched path fills the TLB its own way.
 */
function tlbEntries(m: Machine): number[][] {
  const t = m.s.tlb;
  const out: number[][] = [];
  for (let c = 0; c < t.cpus; c++) {
    const first = cpuFirstSlot(t, c);
    for (let i = first; i < first + t.size; i++) {
      if (tlbEntryPcid(t, i) >= 0) out.push([c, i - first, tlbEntryVpn(t, i), tlbEntryPcid(t, i), tlbEntryPerm(t, i), tlbEntryPfn(t, i)]);
    }
  }
  return out;
}

/** Setups that need another machine than the default. */
const configs: Record<string, Partial<import('../src/engine/types').MachineConfig>> = {
  'shmem THP, one folio split': { shmemThp: 'always' },
};

function run(setup: Setup, batched: boolean, len: number, mode: 'read' | 'write'): Kernel {
  const name = Object.keys(setups).find((n) => setups[n] === setup) ?? '';
  const k = new Kernel({ ram: 64 << 20, tlb: 16, ...configs[name] });
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
  // 2 MiB PMD leaves of a shmem folio (cleared by a partial dontneed, refaulted), then 4 KiB pages.
  'shmem THP, one folio split': (k) => {
    k.spawn('a');
    const addr = k.mmap('a', { addr: null, len: 3 << 20, prot: 'rw', flags: { shared: true, anon: true } }).value as number;
    k.touch('a', addr, 3 << 20, 'read');
    k.madvise('a', addr + 5 * 4096, 4096, 'dontneed'); // clears the first folio's PMD: refaults
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
        expect(tlbEntries(a.m)).toEqual(tlbEntries(b.m));
        expect(checkInvariants(a.m)).toEqual([]);
      });
    }
  }
});

describe('a 1 GiB leaf (set by hand: the engine never makes one)', () => {
  it('the batched touch goes on page by page through it, as single accesses do (regression: it was a SIGBUS)', () => {
    const G = 1 << 30;
    const build = () => {
      const k = new Kernel({ ram: 64 << 20, tlb: 16 });
      k.spawn('a');
      k.mmap('a', { addr: G, len: 8 << 20, prot: 'rw', flags: { private: true, anon: true, fixed: true } });
      k.touch('a', G, 4096, 'read');
      const pud = findTable(k.m, k.task('a')!.mm!.pgd, G, 1);
      const ei = entryIndex(pud, pgIndex(G, 30));
      k.m.pm.u32[ei] = PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D | PTE_PS; // a 1 GiB leaf at frame 0
      k.m.pm.u32[ei + 1] = 0;
      return k;
    };
    const a = build();
    const b = build();
    expect(a.touch('a', G, 8 << 20, 'read').signal).toBeNull();
    for (let va = G; va < G + (8 << 20); va += 4096) b.read('a', va, 1);
    expect(tlbTotals(a.m.s.tlb)).toEqual(tlbTotals(b.m.s.tlb));
    expect(a.m.trace.faultKinds).toEqual(b.m.trace.faultKinds);
    expect(stateDigest(a.m)).toBe(stateDigest(b.m));
    expect(tlbEntries(a.m)).toEqual(tlbEntries(b.m));
  });
});

/**
 * The sweep's memo of complete PTE tables (Machine.ptEpoch): after every change that can take
 * bits away, a batched touch must fault exactly where page-by-page accesses do. Each case
 * first makes whole tables complete for writes (so the memo holds them), then changes them.
 */
describe('the complete-table memo is forgotten by every change that takes bits away', () => {
  const cases: Record<string, (k: Kernel, addr: number) => void> = {
    'mprotect of one page to read-only': (k, a) => void k.mprotect('a', a + (2 << 20) + 7 * 4096, 4096, 'r'),
    'munmap of one page': (k, a) => void k.munmap('a', a + (2 << 20) + 7 * 4096, 4096),
    'MADV_DONTNEED of one page': (k, a) => void k.madvise('a', a + (2 << 20) + 7 * 4096, 4096, 'dontneed'),
    // The first table and the first TLB-size window of the second copied again one by one, so
    // the batched touch reaches its sweep (a fault in every window would keep it from that)
    // at the second table, which the memo held complete before the fork protected it.
    'fork (write-protects the parent)': (k, a) => {
      k.fork('a', 'b');
      for (let va = a; va < a + 528 * 4096; va += 4096) k.write('a', va, 0);
    },
  };
  for (const [name, change] of Object.entries(cases)) {
    it(name, () => {
      const runs = [true, false].map((batched) => {
        const k = new Kernel({ ram: 64 << 20, tlb: 16 });
        k.spawn('a');
        const a = k.mmap('a', { addr: 1 << 30, len: 4 << 20, prot: 'rw', flags: { private: true, anon: true, fixed: true } }).value as number;
        k.touch('a', a, 4 << 20, 'write');
        k.touch('a', a, 4 << 20, 'write'); // the second pass finds both tables complete
        change(k, a);
        const r = batched ? k.touch('a', a, 4 << 20, 'write') : null;
        if (!batched) for (let va = a; va < a + (4 << 20); va += 4096) if (k.write('a', va, 0).signal) break;
        expect(checkInvariants(k.m)).toEqual([]);
        return { k, signal: r?.signal ?? null };
      });
      const [b, p] = runs;
      expect(tlbTotals(b.k.m.s.tlb)).toEqual(tlbTotals(p.k.m.s.tlb));
      expect(b.k.m.trace.counts.fault).toBe(p.k.m.trace.counts.fault);
      expect(stateDigest(b.k.m)).toBe(stateDigest(p.k.m));
      expect(tlbEntries(b.k.m)).toEqual(tlbEntries(p.k.m));
    });
  }
});

describe('a fault that never resolves', () => {
  it('batched touch gives up with SIGBUS after as many translations and faults as a single access does', () => {
    const counts = [true, false].map((batched) => {
      const k = new Kernel({ ram: 64 << 20 });
      k.spawn('a');
      const G = 2 ** 30;
      k.mmap('a', { addr: G, len: 8192, prot: 'rw', flags: { private: true, anon: true, fixed: true } });
      k.write('a', G, 1);
      // A simulated kernel bug: RW cleared in the PUD entry, so every write fault "succeeds"
      // (spuriously) and the walk keeps failing.
      const pud = findTable(k.m, k.task('a')!.mm!.pgd, G, 1);
      k.m.pm.u32[entryIndex(pud, pgIndex(G, 30))] &= ~PTE_RW;
      const m0 = tlbTotals(k.m.s.tlb).misses;
      const f0 = k.m.trace.counts.fault;
      const r = batched ? k.touch('a', G + 4096, 4096, 'write') : k.write('a', G + 4096, 0);
      expect(r.signal).toBe('SIGBUS');
      return [tlbTotals(k.m.s.tlb).misses - m0, k.m.trace.counts.fault - f0];
    });
    expect(counts[0]).toEqual(counts[1]);
  });
});

describe('random runs: batched touch equals page-by-page (faults, forks, flushes between resumes)', () => {
  // Each op runs on two machines: one touches in batches (resuming after every fault, the
  // sweep taking over once tlb.size pages of the run are behind), the other page by page.
  type Op =
    | { kind: 'touch'; task: number; off: number; pages: number; write: boolean }
    | { kind: 'fork' }
    | { kind: 'dontneed'; task: number; off: number; pages: number }
    | { kind: 'mprotect'; task: number; off: number; pages: number; ro: boolean };
  const REGION = 96; // pages per mapping
  const op: fc.Arbitrary<Op> = fc.oneof(
    { weight: 6, arbitrary: fc.record({ kind: fc.constant('touch' as const), task: fc.nat(3), off: fc.nat(REGION - 1), pages: fc.integer({ min: 1, max: REGION }), write: fc.boolean() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('fork' as const) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('dontneed' as const), task: fc.nat(3), off: fc.nat(REGION - 1), pages: fc.integer({ min: 1, max: 16 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('mprotect' as const), task: fc.nat(3), off: fc.nat(REGION - 1), pages: fc.integer({ min: 1, max: 16 }), ro: fc.boolean() }) },
  );

  function play(ops: Op[], batched: boolean, shared: boolean): Kernel {
    const k = new Kernel({ ram: 32 << 20, tlb: 16 });
    k.spawn('t0');
    const base = k.mmap('t0', { addr: 0x40000000, len: REGION * 4096, prot: 'rw', flags: { fixed: true, anon: true, ...(shared ? { shared: true } : { private: true }) } }).value as number;
    let tasks = 1;
    for (const o of ops) {
      const name = o.kind === 'fork' ? '' : `t${o.task % tasks}`;
      if (o.kind === 'fork') {
        if (tasks < 4) k.fork('t0', `t${tasks++}`);
        continue;
      }
      if (!k.task(name) || k.task(name)!.state !== 'running') continue;
      const len = Math.min(o.pages, REGION - o.off) * 4096;
      const addr = base + o.off * 4096;
      if (o.kind === 'dontneed') k.madvise(name, addr, len, 'dontneed');
      else if (o.kind === 'mprotect') k.mprotect(name, addr, len, o.ro ? 'r' : 'rw');
      else if (batched) k.touch(name, addr, len, o.write ? 'write' : 'read');
      else {
        for (let va = addr; va < addr + len; va += 4096) {
          const r = o.write ? k.write(name, va, 0) : k.read(name, va, 1);
          if (r.signal) break;
        }
      }
    }
    return k;
  }

  for (const shared of [false, true]) {
    it(`${shared ? 'shared (fault-around)' : 'private (COW after fork)'} mappings`, () => {
      fc.assert(fc.property(fc.array(op, { minLength: 1, maxLength: 24 }), (ops) => {
        const a = play(ops, true, shared);
        const b = play(ops, false, shared);
        const ta = tlbTotals(a.m.s.tlb);
        const tb = tlbTotals(b.m.s.tlb);
        expect([ta.hits, ta.misses, ta.walks]).toEqual([tb.hits, tb.misses, tb.walks]);
        expect(stateDigest(a.m)).toBe(stateDigest(b.m));
        expect(tlbEntries(a.m)).toEqual(tlbEntries(b.m));
        expect(checkInvariants(a.m)).toEqual([]);
      }), { numRuns: 60, seed: 20261126 });
    });
  }
});

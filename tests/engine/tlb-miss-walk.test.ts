/**
 * The TLB miss's unrolled 4-level walk (in translateMiss) must be the generic per-level walk
 * exactly: the same result for every address and access kind, the same NX, the same A/D bits
 * written. Two machines built by the same operations (the engine is deterministic) are walked
 * in lockstep, one through `translate` with its TLB flushed before every access (so every
 * access misses and walks), the other with `walk`, and compared result by result and bit by bit.
 */
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../src/engine/kernel';
import { translate, walk, walkNx } from '../../src/engine/hw/mmu';
import { switchMm } from '../../src/engine/hw/cpu';
import { cpuCounters, tlbEntryPerm, tlbFlushCpu, tlbSlot, tlbPcid, TLB_NX } from '../../src/engine/hw/tlb';
import { stateDigest } from '../../src/engine/snapshot';
import { PTE_A, PTE_D } from '../../src/engine/hw/pte';
import { FrameUse } from '../../src/engine/hw/physmem';

function build(): { k: Kernel; areas: [number, number][] } {
  const k = new Kernel({ ram: 64 << 20, levels: 4 });
  k.spawn('a');
  const areas: [number, number][] = [];
  const map = (addr: number | null, len: number, prot: string, flags: Record<string, boolean>, touch: 'read' | 'write' | null) => {
    const r = k.mmap('a', { addr, len, prot, flags: { private: !flags.shared, anon: true, ...flags } });
    const va = r.value as number;
    if (touch) k.touch('a', va, len, touch);
    areas.push([va, len]);
  };
  map(null, 3 << 20, 'rw', {}, 'write'); // written anon
  map(null, 1 << 20, 'rw', {}, 'read'); // zero page, read-only PTEs
  map(null, 1 << 20, 'r', {}, 'read'); // read-only VMA
  map(null, 2 << 20, 'rwx', {}, 'write'); // executable: no NX
  map(null, 1 << 20, 'rw', { shared: true }, 'read'); // shmem, fault-around
  map(1 << 30, 4 << 20, 'rw', { shared: true, hugetlb: true, fixed: true }, 'write'); // 2 MiB leaves
  map(null, 1 << 20, 'none', {}, null); // PROT_NONE: no entries
  const base = k.mmap('a', { addr: null, len: 4 << 20, prot: 'rw', flags: { private: true, anon: true } }).value as number;
  k.touch('a', base, 4 << 20, 'write');
  k.munmap('a', base + (1 << 20), 1 << 20); // a hole with tables around it
  areas.push([base, 4 << 20]);
  k.m.trace.recording = false;
  // Clear A and D in every entry of every table page, so both walkers have bits to set.
  const d = k.m.pm.d;
  const u32 = k.m.pm.u32;
  for (let pfn = 0; pfn < k.m.pm.nframes; pfn++) {
    if (d.use[pfn] < FrameUse.Pgd || d.use[pfn] > FrameUse.Pte) continue; // pgd, p4d, pud, pmd, pte
    for (let i = pfn * 1024; i < pfn * 1024 + 1024; i += 2) u32[i] &= ~(PTE_A | PTE_D);
  }
  return { k, areas };
}


describe('the TLB miss walk equals the generic walk', () => {
  it('results, NX and A/D bits over mapped pages, holes and huge pages, for reads and writes', () => {
    const A = build();
    const B = build();
    expect(stateDigest(A.k.m)).toBe(stateDigest(B.k.m));
    const pgdA = A.k.task('a')!.mm!.pgd;
    const taskB = B.k.task('a')!;
    const mB = B.k.m;
    switchMm(mB, 0, taskB.mm!, taskB.pid);
    const t = mB.s.tlb;
    // Through the TLB: flushed first, so the access walks; the fill records the walk's NX.
    const viaTlb = (addr: number, write: boolean) => {
      tlbFlushCpu(t, 0, false);
      const walks = cpuCounters(t, 0).walks;
      const r = translate(mB, 0, addr, write);
      expect(cpuCounters(t, 0).walks).toBe(walks + 1);
      const nx = r >= 0 ? (tlbEntryPerm(t, tlbSlot(t, 0, Math.floor(addr / 4096), tlbPcid(t, 0))) & TLB_NX) !== 0 : null;
      return { r, nx };
    };
    let seed = 12345;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed % n;
    };
    let n = 0;
    // Two passes: in the first, A bits above the leaves are clear and the unrolled walk hands
    // most accesses to the generic one (which sets them); in the second it walks them itself.
    for (const pass of [1, 2]) {
      for (const [va, len] of A.areas) {
        for (let off = -8192; off < len + 8192; off += 4096) {
          const addr = va + off + rnd(4096);
          for (const write of [false, true]) {
            const ra = walk(A.k.m, pgdA, addr, write, false);
            const nxa = walkNx();
            const b = viaTlb(addr, write);
            expect(b.r, `pass ${pass}: 0x${addr.toString(16)} w=${write}`).toBe(ra);
            if (ra >= 0) expect(b.nx, `pass ${pass}: NX of 0x${addr.toString(16)}`).toBe(nxa);
            n++;
          }
        }
      }
    }
    // Addresses far from anything: holes at every level.
    for (const addr of [0, 0x1000, 2 ** 39, 2 ** 46, 2 ** 47 - 4096, 0x7fff_ffff_f000]) {
      expect(viaTlb(addr, false).r).toBe(walk(A.k.m, pgdA, addr, false, false));
    }
    expect(n).toBeGreaterThan(4000);
    // Every A and D bit written the same way.
    expect(Buffer.from(B.k.m.pm.u8).equals(Buffer.from(A.k.m.pm.u8))).toBe(true);
  });
});

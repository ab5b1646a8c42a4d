/**
 * x86-64 translation (kernel-semantics.md §3.1, R1-R7): the table format in RAM, the index
 * split, the bits, and what the hardware walk does with them.
 */
import { describe, expect, it } from 'vitest';
import { levelShifts } from '../../src/engine/abi';
import { faultCode, walk, PF_INSTR, PF_PROT, PF_USER, PF_WRITE } from '../../src/engine/hw/mmu';
import {
  PAGE_TABLE, PTE_A, PTE_D, PTE_G, PTE_HI_NX, PTE_P, PTE_PCD, PTE_PROTNONE, PTE_PS, PTE_PWT, PTE_RW,
  PTE_SOFT_DIRTY, PTE_SPECIAL, PTE_UFFD_WP, PTE_US, entryPfn, makeHi, makeLo,
} from '../../src/engine/hw/pte';
import { cpuCounters, tlbFlushCpu } from '../../src/engine/hw/tlb';
import { tableSpan } from '../../src/engine/mm/pgtable';
import { MSHARE_ALIGN } from '../../src/engine/mshare/region';
import { VM_WRITE } from '../../src/engine/types';
import {
  G, G512, K, M, PAGE, USE, anon, consistent, desc, entryAt, kernel, mmOf, okv, pageTables, pfnOf, pte, st, teardown,
} from './helpers';

/** A reference walker written from the SDM, independent of the engine's: index by index. */
function refWalk(u32: Uint32Array, root: number, va: number, shifts: number[]): { pfn: number; tables: number[] } | null {
  let table = root;
  const tables = [root];
  for (let d = 0; d < shifts.length; d++) {
    const idx = Number((BigInt(va) >> BigInt(shifts[d])) & 511n);
    const lo = u32[table * 1024 + idx * 2];
    const hi = u32[table * 1024 + idx * 2 + 1];
    if (!(lo & 1)) return null;
    const pfn = Number(((BigInt(hi) << 32n) | BigInt(lo)) >> 12n & ((1n << 40n) - 1n));
    if (d === shifts.length - 1) return { pfn, tables };
    table = pfn;
    tables.push(table);
  }
  return null;
}

describe('x86-64 translation (R1-R7)', () => {
  it('R1: a 4-level VA splits 9|9|9|9|12 (PGD 47..39, PUD 38..30, PMD 29..21, PTE 20..12); every table is one 4 KiB page of 512 entries', () => {
    //   VA = 3·2^39 + 5·2^30 + 7·2^21 + 9·2^12 + 0x123
    //   47     39 38     30 29     21 20     12 11        0
    //   | PGD=3 | | PUD=5 | | PMD=7 | | PTE=9 | |  0x123  |
    const va = 3 * 2 ** 39 + 5 * 2 ** 30 + 7 * 2 ** 21 + 9 * 2 ** 12;
    const k = kernel();
    expect(levelShifts(4)).toEqual([39, 30, 21, 12]);
    okv(k.spawn('a'));
    okv(k.mmap('a', anon(va, PAGE)));
    okv(k.write('a', va + 0x123, 0xab));
    const mm = mmOf(k, 'a');
    const u32 = k.m.pm.u32;
    const r = refWalk(u32, mm.pgd, va, [39, 30, 21, 12])!;
    expect(r).not.toBeNull();
    // The entry at each index is the only one in its table: the indices are exactly 3, 5, 7, 9.
    const want = [3, 5, 7, 9];
    const uses = [USE.pgd, USE.pud, USE.pmd, USE.pte];
    r.tables.forEach((t, d) => {
      expect(desc(k, t).use).toBe(uses[d]);
      const present = [];
      for (let i = 0; i < 512; i++) if (u32[t * 1024 + i * 2] & PTE_P) present.push(i);
      expect(present).toEqual([want[d]]);
    });
    expect(r.pfn).toBe(pfnOf(k, 'a', va));
    expect(walk(k.m, mm.pgd, va + 0x123, false, false)).toBe(r.pfn);
    expect(k.m.pm.u8[r.pfn * PAGE + 0x123]).toBe(0xab);
    expect(okv(k.read('a', va + 0x123, 1))).toBe(0xab);
    consistent(k);
    teardown(k);
  });

  it('R2: 5-level paging adds a real P4D level (PML5 56..48, P4D 47..39); P4D_SIZE and mshare_align stay 512 GiB', () => {
    //   VA = 1·2^48 + 2·2^39 + 3·2^30 + 4·2^21 + 5·2^12
    //   | PML5=1 | P4D=2 | PUD=3 | PMD=4 | PTE=5 | offset |
    const va = 2 ** 48 + 2 * 2 ** 39 + 3 * 2 ** 30 + 4 * 2 ** 21 + 5 * 2 ** 12;
    expect(levelShifts(5)).toEqual([48, 39, 30, 21, 12]);
    const k = kernel({ levels: 5 });
    expect(k.m.geo.userTop).toBe(2 ** 56);
    okv(k.spawn('a'));
    okv(k.mmap('a', anon(va, PAGE)));
    okv(k.write('a', va, 7));
    const mm = mmOf(k, 'a');
    const r = refWalk(k.m.pm.u32, mm.pgd, va, [48, 39, 30, 21, 12])!;
    expect(r.tables.map((t) => desc(k, t).use)).toEqual([USE.pgd, USE.p4d, USE.pud, USE.pmd, USE.pte]);
    expect(r.pfn).toBe(pfnOf(k, 'a', va));
    // The P4D page is a page table (PageTables) but not in pgtables_bytes (like the PGD).
    expect(st(k, 'a').VmPTE).toBe(12 * K);
    expect(pageTables(k)).toBe(5 * PAGE);
    // P4D_SIZE = 512 GiB in both modes, and so is the alignment msharefs advertises.
    expect(tableSpan(k.m, 2)).toBe(G512); // a PUD table (depth 2 with 5 levels) spans one P4D entry
    expect(MSHARE_ALIGN).toBe(549755813888);
    for (const levels of [4, 5] as const) {
      const k2 = kernel({ levels });
      okv(k2.spawn('p'));
      okv(k2.mount());
      const fd = okv(k2.open('p', '/sys/fs/mshare/mshare_info', false));
      expect(k2.mshareInfo('p', fd).size).toBe(549755813888);
    }
    // With 4 levels the same VA is beyond TASK_SIZE (2^47).
    const k4 = kernel();
    okv(k4.spawn('a'));
    expect(k4.mmap('a', anon(va, PAGE)).errno).toBe('ENOMEM');
    teardown(k);
  });

  it('TASK_SIZE_MAX is one page below the canonical top: the last user page cannot be mapped, unmapped or protected', () => {
    //   0x7ffffffff000 ┌──────────┐ 2^47 (first non-canonical address)
    //                  │ no VMA   │ TASK_SIZE_MAX .. 2^47: never mapped
    //   0x7fffffffe000 ├──────────┤
    //                  │ mappable │
    for (const levels of [4, 5] as const) {
      const k = kernel({ levels });
      const top = levels === 5 ? 2 ** 56 : 2 ** 47;
      expect(k.m.geo.taskSize).toBe(top - PAGE);
      okv(k.spawn('a'));
      const last = k.mmap('a', anon(top - PAGE, PAGE));
      expect(last.errno).toBe('ENOMEM'); // mmap_region / get_unmapped_area: addr > TASK_SIZE - len
      expect(okv(k.mmap('a', anon(top - 2 * PAGE, PAGE)))).toBe(top - 2 * PAGE);
      expect(k.munmap('a', top - 2 * PAGE, 2 * PAGE).errno).toBe('EINVAL'); // start > TASK_SIZE - len
      okv(k.munmap('a', top - 2 * PAGE, PAGE));
      expect(k.write('a', top - PAGE, 1).signal).toBe('SIGSEGV');
      consistent(k);
      teardown(k);
    }
  });

  it('mprotect and madvise past TASK_SIZE: applied to what is mapped, then ENOMEM; len 0 is 0 (munmap stays EINVAL)', () => {
    // do_mprotect_pkey has no TASK_SIZE check: it changes VMA by VMA and ends with
    // `if (!error && tmp < end) error = -ENOMEM`; madvise_walk_vmas returns ENOMEM for the
    // unmapped rest after advising the mapped part. Both return 0 for len 0 (after the
    // alignment check), where do_vmi_munmap returns EINVAL.
    for (const levels of [4, 5] as const) {
      const k = kernel({ levels });
      const top = (levels === 5 ? 2 ** 56 : 2 ** 47) - 2 * PAGE; // the last mappable page
      okv(k.spawn('a'));
      okv(k.mmap('a', anon(top, PAGE)));
      okv(k.write('a', top, 7));
      expect(k.mprotect('a', top, 4 * PAGE, 'r').errno).toBe('ENOMEM');
      expect(pte(k, 'a', top)!.rw).toBe(false);
      expect(mmOf(k, 'a').vmas.map((v) => v.flags & VM_WRITE)).toEqual([0]);
      expect(k.madvise('a', top, 4 * PAGE, 'dontneed').errno).toBe('ENOMEM');
      expect(pte(k, 'a', top)!.lo).toBe(0); // zapped before the ENOMEM
      expect(st(k, 'a').RssAnon).toBe(0);
      expect(k.mprotect('a', top, 0, 'rw')).toMatchObject({ errno: null, value: 0 });
      expect(k.madvise('a', top, 0, 'dontneed')).toMatchObject({ errno: null, value: 0 });
      expect(k.mprotect('a', top + PAGE / 2, 0, 'rw').errno).toBe('EINVAL'); // alignment comes first
      expect(k.madvise('a', top + PAGE / 2, 0, 'dontneed').errno).toBe('EINVAL');
      expect(k.munmap('a', top, 0).errno).toBe('EINVAL');
      expect(k.munmap('a', top, 4 * PAGE).errno).toBe('EINVAL');
      consistent(k);
      teardown(k);
    }
  });

  it('R3: one table page covers PTE 2 MiB, PMD 1 GiB, PUD 512 GiB, PGD 256 TiB; crossing each boundary costs one more table', () => {
    const k = kernel();
    expect([0, 1, 2, 3].map((d) => tableSpan(k.m, d))).toEqual([256 * 1024 * G, G512, G, 2 * M]);
    //  one PTE page: both pages inside one 2 MiB span
    //  |<------ 2 MiB ------>|
    //  [p][p]
    const base = 4 * G512; // aligned to everything below the PGD
    const cases: [string, number, number, number][] = [
      ['same 2 MiB', base, base + PAGE, 3], // PUD + PMD + PTE
      ['across 2 MiB', base + 2 * M - PAGE, base + 2 * M, 4], // + PTE
      ['across 1 GiB', base + G - PAGE, base + G, 5], // + PMD + PTE
      ['across 512 GiB', base + G512 - PAGE, base + G512, 6], // + PUD + PMD + PTE
    ];
    for (const [what, x, y, pages] of cases) {
      const kk = kernel();
      okv(kk.spawn('a'));
      okv(kk.mmap('a', anon(x, PAGE)));
      okv(kk.mmap('a', anon(y, PAGE)));
      okv(kk.write('a', x, 1));
      okv(kk.write('a', y, 2));
      expect(st(kk, 'a').VmPTE, what).toBe(pages * PAGE);
      expect(pageTables(kk), what).toBe((pages + 1) * PAGE);
      consistent(kk);
      teardown(kk);
    }
  });

  it('R4: PTE bits are the x86 layout (P RW US PWT PCD A D PS G SPECIAL UFFD_WP SOFT_DIRTY, NX = bit 63) and the PFN is bits 12..51', () => {
    expect([PTE_P, PTE_RW, PTE_US, PTE_PWT, PTE_PCD, PTE_A, PTE_D, PTE_PS, PTE_G, PTE_SPECIAL, PTE_UFFD_WP, PTE_SOFT_DIRTY])
      .toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048]);
    expect(PTE_PROTNONE).toBe(PTE_G); // _PAGE_PROTNONE reuses bit 8
    expect(PTE_HI_NX >>> 0).toBe(0x80000000); // bit 63 = bit 31 of the high half
    // The PFN field is 40 bits wide (12..51): round-trip the largest one through both halves.
    for (const pfn of [0, 1, 0xfffff, 0x100000, 2 ** 40 - 1]) {
      const lo = makeLo(pfn, PTE_P | PTE_RW);
      const hi = makeHi(pfn, true);
      expect(entryPfn(lo, hi)).toBe(pfn);
      expect(lo & 0xfff).toBe(PTE_P | PTE_RW);
      expect(hi >>> 31).toBe(1);
    }
    const k = kernel();
    okv(k.spawn('a'));
    const data = okv(k.mmap('a', anon(null, 2 * PAGE, 'rw')));
    const code = okv(k.mmap('a', anon(null, PAGE, 'rwx')));
    okv(k.write('a', data, 1));
    okv(k.read('a', data + PAGE));
    okv(k.write('a', code, 1));
    const w = pte(k, 'a', data)!;
    expect([w.present, w.rw, w.user, w.accessed, w.dirty, w.special, w.nx, w.global]).toEqual([true, true, true, true, true, false, true, false]);
    expect(desc(k, w.pfn).use).toBe(USE.anon);
    expect(pte(k, 'a', code)!.nx).toBe(false); // PROT_EXEC clears NX
    const z = pte(k, 'a', data + PAGE)!;
    expect(z.special).toBe(true); // SOFTW1 = _PAGE_SPECIAL marks the zero page
    expect(z.rw).toBe(false);
    expect(z.pfn).toBe(k.m.s.zeroPfn);
    teardown(k);
  });

  it('R5: PROT_NONE turns the PTE into P=0 + _PAGE_PROTNONE, keeping the frame (still "present" to the kernel); a user access faults', () => {
    const k = kernel();
    okv(k.spawn('a'));
    const va = okv(k.mmap('a', anon(null, PAGE)));
    okv(k.write('a', va, 0x55));
    const pfn = pfnOf(k, 'a', va);
    okv(k.mprotect('a', va, PAGE, 'none'));
    const p = pte(k, 'a', va)!;
    expect(p.present).toBe(false);
    expect(p.protnone).toBe(true);
    expect(p.pfn).toBe(pfn);
    // The kernel still counts it: RSS, mapcount, refcount unchanged.
    expect(st(k, 'a').RssAnon).toBe(PAGE);
    expect(desc(k, pfn)).toMatchObject({ use: USE.anon, mapcount: 1, refcount: 1 });
    consistent(k);
    // Back to rw: the same frame, the same data.
    okv(k.mprotect('a', va, PAGE, 'rw'));
    expect(pte(k, 'a', va)!.present).toBe(true);
    expect(okv(k.read('a', va, 1))).toBe(0x55);
    okv(k.mprotect('a', va, PAGE, 'none'));
    const r = k.read('a', va, 1);
    expect(r.signal).toBe('SIGSEGV');
    expect(k.task('a')!.state).toBe('killed');
    teardown(k);
  });

  it('R6: non-leaf entries are _PAGE_TABLE (P|RW|US|A|D); the walk ANDs RW and US over the levels and ORs NX', () => {
    const k = kernel();
    okv(k.spawn('a'));
    const va = okv(k.mmap('a', anon(null, PAGE, 'rwx')));
    okv(k.write('a', va, 1));
    const mm = mmOf(k, 'a');
    expect(PAGE_TABLE).toBe(PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D);
    for (let depth = 0; depth < 3; depth++) {
      const e = entryAt(k, mm.pgd, va, depth)!;
      expect(e.lo & 0xfff, `depth ${depth}`).toBe(PAGE_TABLE);
      expect(e.hi >>> 31, `depth ${depth}`).toBe(0);
    }
    const u32 = k.m.pm.u32;
    const pfn = pfnOf(k, 'a', va);
    expect(walk(k.m, mm.pgd, va, true, true)).toBe(pfn);
    // RW cleared at the PMD level: writes fault as a protection fault although the leaf says RW.
    const pmdE = entryAt(k, mm.pgd, va, 2)!;
    u32[pmdE.ei] = pmdE.lo & ~PTE_RW;
    expect(faultCode(walk(k.m, mm.pgd, va, true, false))).toBe(PF_PROT | PF_WRITE | PF_USER);
    expect(walk(k.m, mm.pgd, va, false, false)).toBe(pfn);
    u32[pmdE.ei] = pmdE.lo;
    // US cleared at the PUD level: even a user read faults.
    const pudE = entryAt(k, mm.pgd, va, 1)!;
    u32[pudE.ei] = pudE.lo & ~PTE_US;
    expect(faultCode(walk(k.m, mm.pgd, va, false, false))).toBe(PF_PROT | PF_USER);
    u32[pudE.ei] = pudE.lo;
    // NX set at the PGD level: instruction fetches fault, data reads do not.
    const pgdE = entryAt(k, mm.pgd, va, 0)!;
    u32[pgdE.ei + 1] = (pgdE.hi | PTE_HI_NX) >>> 0;
    expect(faultCode(walk(k.m, mm.pgd, va, false, true))).toBe(PF_PROT | PF_USER | PF_INSTR);
    expect(walk(k.m, mm.pgd, va, false, false)).toBe(pfn);
    u32[pgdE.ei + 1] = pgdE.hi;
    for (let c = 0; c < k.m.s.config.cpus; c++) tlbFlushCpu(k.m.s.tlb, c, false);
    consistent(k);
    teardown(k);
  });

  it('R7: the walk sets A on any access and D on a write through the leaf; a write through RW=0 faults with P|W|U', () => {
    const k = kernel();
    okv(k.spawn('a'));
    const va = okv(k.mmap('a', anon(null, 2 * PAGE)));
    okv(k.write('a', va, 1));
    const mm = mmOf(k, 'a');
    const ei = (() => {
      const e = entryAt(k, mm.pgd, va, 3)!;
      return e.ei;
    })();
    const u32 = k.m.pm.u32;
    u32[ei] &= ~(PTE_A | PTE_D);
    walk(k.m, mm.pgd, va, false, false);
    expect(pte(k, 'a', va)!.accessed).toBe(true);
    expect(pte(k, 'a', va)!.dirty).toBe(false);
    walk(k.m, mm.pgd, va, true, false);
    expect(pte(k, 'a', va)!.dirty).toBe(true);
    // A zero-page PTE is read-only: a write walk reports a present, write, user fault (7).
    okv(k.read('a', va + PAGE));
    expect(faultCode(walk(k.m, mm.pgd, va + PAGE, true, false))).toBe(PF_PROT | PF_WRITE | PF_USER);
    expect(PF_PROT | PF_WRITE | PF_USER).toBe(7);
    // Through the TLB: a read fill is never writable, so the first write walks again (and sets D).
    u32[ei] &= ~PTE_D;
    for (let c = 0; c < k.m.s.config.cpus; c++) tlbFlushCpu(k.m.s.tlb, c, false);
    okv(k.read('a', va));
    const before = cpuCounters(k.m.s.tlb, k.task('a')!.cpu).missesWrite;
    okv(k.write('a', va, 2));
    expect(cpuCounters(k.m.s.tlb, k.task('a')!.cpu).missesWrite).toBe(before + 1);
    expect(pte(k, 'a', va)!.dirty).toBe(true);
    consistent(k);
    teardown(k);
  });
});

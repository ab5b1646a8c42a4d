/**
 * Teardown and accounting (kernel-semantics.md §3.4-3.5, R20-R25) and the worked page-table
 * numbers of §5: 64 MiB touched = 136 kB of VmPTE, 1 GiB = 2056 kB, 5-level the same VmPTE
 * and one more PageTables page per process.
 */
import { describe, expect, it } from 'vitest';
import { smaps } from '../../src/engine/mm/proc';
import {
  G, K, M, PAGE, USE, anon, consistent, desc, entryAt, fileMap, kernel, meminfo, mmOf, okv, pageTables, pfnOf, pte,
  shanon, st, teardown,
} from './helpers';

describe('teardown (R20, R21)', () => {
  it('R20: munmap zaps the PTEs (RSS, mapcount, refcount down), flushes the TLB before freeing, and frees a table only when no VMA is left under it', () => {
    //  one PTE table (2 MiB) under both VMAs:
    //  X               X+16K        X+1M     X+1M+4K        X+2M
    //  [ A: 4 pages   ]   ........  [ B: 1p ]   ..........  |
    const X = 0x40000000 * 3; // 2 MiB (and 1 GiB) aligned
    const k = kernel();
    okv(k.spawn('a'));
    okv(k.mmap('a', anon(X, 16 * K)));
    okv(k.mmap('a', anon(X + M, PAGE)));
    okv(k.touch('a', X, 16 * K, 'write'));
    okv(k.write('a', X + M, 1));
    const frames = [0, 1, 2, 3].map((i) => pfnOf(k, 'a', X + i * PAGE));
    expect(st(k, 'a')).toMatchObject({ RssAnon: 5 * PAGE, VmPTE: 12 * K });
    const seq = k.m.trace.seq;
    okv(k.munmap('a', X, 16 * K));
    expect(st(k, 'a')).toMatchObject({ RssAnon: PAGE, VmPTE: 12 * K }); // B still needs the PTE table
    for (const f of frames) expect(desc(k, f).use).toBe(USE.free);
    expect(pte(k, 'a', X)).toMatchObject({ present: false });
    // mmu_gather order: the flush comes before the first data page goes back to the allocator.
    const events = k.m.trace.since(seq);
    const flush = events.findIndex((e) => e.type === 'tlb-flush');
    const free = events.findIndex((e) => e.type === 'frame-free' && frames.includes(e.pfn));
    expect(flush).toBeGreaterThanOrEqual(0);
    expect(free).toBeGreaterThan(flush);
    // free_pgtables: the last VMA gone, PTE, PMD and PUD go too (each -4 KiB of pgtables_bytes).
    okv(k.munmap('a', X + M, PAGE));
    expect(st(k, 'a')).toMatchObject({ RssAnon: 0, VmPTE: 0 });
    expect(pageTables(k)).toBe(PAGE); // only the PGD
    // Partial munmap splits the VMA.
    okv(k.mmap('a', anon(X, 4 * PAGE)));
    okv(k.munmap('a', X + PAGE, PAGE));
    expect(mmOf(k, 'a').vmas.map((v) => [v.start - X, v.end - X])).toEqual([[0, PAGE], [2 * PAGE, 4 * PAGE]]);
    consistent(k);
    teardown(k);
  });

  it('R21: exit_mmap unmaps everything and frees every table and the PGD; page-cache pages of a live file stay', () => {
    const k = kernel();
    okv(k.file('/f', 64 * K));
    const base = meminfo(k.m);
    okv(k.spawn('a'));
    const x = okv(k.mmap('a', anon(null, 64 * K)));
    const s = okv(k.mmap('a', shanon(null, 64 * K)));
    const f = okv(k.mmap('a', fileMap('/f', null, 64 * K, 'rw', true)));
    okv(k.touch('a', x, 64 * K, 'write'));
    okv(k.touch('a', s, 64 * K, 'write'));
    okv(k.touch('a', f, 64 * K, 'write'));
    okv(k.exit('a'));
    const after = meminfo(k.m);
    expect(after.PageTables).toBe(0);
    expect(after.AnonPages).toBe(0);
    expect(after.Shmem).toBe(64 * K); // the file's cache; /dev/zero's went with its last mapping
    expect(after.MemFree).toBe(base.MemFree - 64 * K);
    expect(k.task('a')!.state).toBe('exited');
    consistent(k);
    teardown(k);
  });
});

describe('accounting (R22-R25)', () => {
  it('R22: VmRSS = RssFile + RssAnon + RssShmem (MM_FILEPAGES + MM_ANONPAGES + MM_SHMEMPAGES)', () => {
    const k = kernel();
    okv(k.file('/f', 64 * K));
    okv(k.spawn('a'));
    okv(k.touch('a', okv(k.mmap('a', anon(null, 12 * K))), 12 * K, 'write'));
    okv(k.touch('a', okv(k.mmap('a', shanon(null, 8 * K))), 8 * K, 'write'));
    okv(k.touch('a', okv(k.mmap('a', fileMap('/f', null, 20 * K, 'rw', true))), 20 * K, 'write'));
    const s = st(k, 'a');
    expect(s.RssAnon).toBe(12 * K);
    expect(s.RssShmem).toBe(28 * K); // tmpfs is shmem too
    expect(s.VmRSS).toBe(s.RssAnon + s.RssFile + s.RssShmem);
    consistent(k);
    teardown(k);
  });

  it('R23: pgtables_bytes gains 4 KiB per PUD, PMD or PTE page; the PGD is not counted; VmPTE = pgtables_bytes', () => {
    const k = kernel();
    okv(k.spawn('a'));
    expect(st(k, 'a').VmPTE).toBe(0);
    expect(pageTables(k)).toBe(PAGE);
    //  4 MiB starting 1 MiB into a 2 MiB unit spans three PTE tables:
    //  |<- 2M ->|<- 2M ->|<- 2M ->|
    //      [========4M=======]
    const va = 2 * G + M;
    okv(k.mmap('a', anon(va, 4 * M)));
    okv(k.write('a', va, 1));
    expect(st(k, 'a').VmPTE).toBe(12 * K); // PUD + PMD + PTE
    okv(k.touch('a', va, 4 * M, 'write'));
    expect(st(k, 'a').VmPTE).toBe((2 + 3) * PAGE);
    expect(pageTables(k)).toBe(6 * PAGE);
    teardown(k);
  });

  it('R23 (worked number): 64 MiB of shared memory touched costs 136 kB of VmPTE per process (32 PTE + 1 PMD + 1 PUD)', () => {
    const k = kernel();
    for (const n of ['db0', 'db1', 'db2']) {
      okv(k.spawn(n));
      // MAP_SHARED anonymous at the same 1 GiB-aligned address in each: 64 MiB = 32 × 2 MiB.
      okv(k.mmap(n, shanon(4 * G, 64 * M)));
      okv(k.touch(n, 4 * G, 64 * M, 'write'));
    }
    for (const n of ['db0', 'db1', 'db2']) {
      expect(st(k, n).VmPTE).toBe(136 * K);
      expect(st(k, n).RssShmem).toBe(64 * M);
    }
    // PageTables: per process PGD + 34 tables.
    expect(pageTables(k)).toBe(3 * 35 * PAGE);
    consistent(k);
    teardown(k);
  });

  it('R23 (worked number): 1 GiB touched costs 2056 kB (512 PTE + 1 PMD + 1 PUD), also when only one byte per 2 MiB is touched', () => {
    // Full population, with RAM for the gigabyte.
    const k = kernel({ ram: 1280 * M });
    okv(k.spawn('a'));
    okv(k.mmap('a', shanon(8 * G, G)));
    okv(k.touch('a', 8 * G, G, 'write'));
    expect(st(k, 'a').VmPTE).toBe(2056 * K);
    expect(st(k, 'a').RssShmem).toBe(G);
    teardown(k);
    // §5.4 partial population: the cost depends on which 2 MiB chunks are touched, not how much.
    const k2 = kernel();
    okv(k2.spawn('a'));
    okv(k2.mmap('a', anon(8 * G, G)));
    for (let off = 0; off < G; off += 2 * M) okv(k2.write('a', 8 * G + off, 1));
    expect(st(k2, 'a').VmPTE).toBe(2056 * K);
    expect(st(k2, 'a').RssAnon).toBe(512 * PAGE);
    consistent(k2);
    teardown(k2);
  });

  it('R23/R2 (worked number): with levels=5 the same 64 MiB costs the same 136 kB of VmPTE (P4D not counted) and one more PageTables page per process', () => {
    const pt: Record<number, number> = {};
    for (const levels of [4, 5] as const) {
      const k = kernel({ levels });
      for (const n of ['a', 'b']) {
        okv(k.spawn(n));
        okv(k.mmap(n, shanon(4 * G, 64 * M)));
        okv(k.touch(n, 4 * G, 64 * M, 'write'));
        expect(st(k, n).VmPTE).toBe(136 * K);
      }
      pt[levels] = pageTables(k);
      consistent(k);
      teardown(k);
    }
    expect(pt[4]).toBe(2 * 35 * PAGE);
    expect(pt[5] - pt[4]).toBe(2 * PAGE); // one P4D page per process
  });

  it('R24: meminfo PageTables counts every table page once, PGDs included; SecPageTables stays 0', () => {
    const k = kernel();
    okv(k.spawn('a'));
    okv(k.spawn('b'));
    okv(k.thread('a', 'a.t')); // a thread adds no tables
    expect(pageTables(k)).toBe(2 * PAGE);
    okv(k.write('a', okv(k.mmap('a', anon(null, PAGE))), 1));
    expect(pageTables(k)).toBe(5 * PAGE);
    expect(pageTables(k)).toBe(2 * PAGE + st(k, 'a').VmPTE + st(k, 'b').VmPTE);
    expect(meminfo(k.m).SecPageTables).toBe(0);
    teardown(k);
  });

  it('R25: smaps Rss/Pss/Shared/Private follow the mapcount (not MAP_SHARED); Anonymous counts anon pages incl. COW copies in file VMAs', () => {
    const k = kernel();
    okv(k.file('/f', 16 * K));
    okv(k.spawn('p'));
    const priv = okv(k.mmap('p', anon(null, 2 * PAGE)));
    okv(k.touch('p', priv, 2 * PAGE, 'write'));
    const sh = okv(k.mmap('p', shanon(null, PAGE)));
    okv(k.write('p', sh, 1));
    const vma = (va: number, name = 'p') => mmOf(k, name).vmas.find((v) => v.start <= va && va < v.end)!;
    // MAP_SHARED, mapped once: "private".
    expect(smaps(k.m, vma(sh))).toMatchObject({ Rss: PAGE, Pss: PAGE, Private_Dirty: PAGE, Shared_Dirty: 0, Anonymous: 0 });
    okv(k.fork('p', 'c'));
    // MAP_PRIVATE, mapped twice after fork: "shared", Pss halved.
    expect(smaps(k.m, vma(priv))).toMatchObject({ Rss: 2 * PAGE, Pss: PAGE, Shared_Dirty: 2 * PAGE, Private_Dirty: 0, Anonymous: 2 * PAGE });
    okv(k.write('c', priv, 9)); // c copies page 0; both now map it once
    expect(smaps(k.m, vma(priv))).toMatchObject({ Rss: 2 * PAGE, Pss: PAGE + PAGE / 2, Private_Dirty: PAGE, Shared_Dirty: PAGE });
    // A clean file page read by one process is Private_Clean; a COW copy in a file VMA is Anonymous.
    const f = okv(k.mmap('p', fileMap('/f', null, 2 * PAGE, 'rw', false)));
    okv(k.read('p', f));
    okv(k.write('p', f + PAGE, 1));
    expect(smaps(k.m, vma(f))).toMatchObject({ Rss: 2 * PAGE, Private_Clean: PAGE, Private_Dirty: PAGE, Anonymous: PAGE });
    consistent(k);
    teardown(k);
  });

  it('R25: a shmem page written through one mapping is dirty in every process\'s smaps (folio_test_dirty), and Pss is truncated as PSS_SHIFT fixed point is, not rounded', () => {
    const k = kernel();
    okv(k.spawn('a'));
    const s = okv(k.mmap('a', shanon(null, 64 * K)));
    okv(k.write('a', s, 1)); // fault_dirty_shared_page: the folio is dirty
    okv(k.fork('a', 'b'));
    okv(k.read('b', s)); // b's PTE is clean, the folio is not
    const vb = mmOf(k, 'b').vmas.find((v) => v.start === s)!;
    expect(smaps(k.m, vb)).toMatchObject({ Rss: PAGE, Shared_Dirty: PAGE, Shared_Clean: 0 });
    // Pss: one private page (4096) + a page mapped three times (4096/3 = 1365.33) -> 5461, not 5462.
    okv(k.file('/f', 64 * K));
    const f = okv(k.mmap('a', fileMap('/f', 0x7000000000, 2 * PAGE, 'rw', false)));
    okv(k.read('a', f)); // page 0: the cache page, read-only
    okv(k.write('a', f + PAGE, 7)); // page 1: a private COW copy
    okv(k.fork('a', 'c'));
    okv(k.fork('a', 'd'));
    okv(k.read('c', f));
    okv(k.read('d', f));
    // page 1 is mapped by a, c and d (COW-shared anon); page 0 by a, c and d (the cache page).
    const va = mmOf(k, 'a').vmas.find((v) => v.start === f)!;
    expect(smaps(k.m, va).Pss).toBe(Math.floor((2 * Math.floor((PAGE * 4096) / 3)) / 4096));
    expect(smaps(k.m, va).Pss).toBe(2730);
    consistent(k);
    teardown(k);
  });

  it('R25/H8: hugetlb pages count only in Shared_Hugetlb / Private_Hugetlb, never in Rss, Pss or Shared/Private Clean/Dirty (review regression)', () => {
    // fs/proc/task_mmu.c smaps_hugetlb_range(): shared when the page is mapped more than once
    // or through a shared PMD page (hugetlb_pmd_shared); Rss and Pss stay 0.
    const hugetlb = (addr: number, len: number, shared: boolean) => ({ addr, len, prot: 'rw', flags: { shared, private: !shared, anon: true, hugetlb: true, noreserve: true, fixed: true } });
    const none = { Rss: 0, Pss: 0, Shared_Clean: 0, Shared_Dirty: 0, Private_Clean: 0, Private_Dirty: 0 };
    const k = kernel();
    okv(k.spawn('a'));
    const sga = okv(k.mmap('a', hugetlb(G, G, true))); // covers its 1 GiB: PMD sharing
    okv(k.touch('a', sga, 4 * M, 'write'));
    const sm = (name: string, va: number) => smaps(k.m, mmOf(k, name).vmas.find((v) => v.start === va)!);
    expect(sm('a', sga)).toMatchObject({ ...none, Shared_Hugetlb: 0, Private_Hugetlb: 4 * M });
    okv(k.fork('a', 'b'));
    okv(k.touch('b', sga, 4 * M, 'read'));
    // review-1 s1.msh; Linux: Rss 0, Shared_Hugetlb 4096 kB in both (the PMD page is shared).
    for (const name of ['a', 'b']) expect(sm(name, sga), name).toMatchObject({ ...none, Shared_Hugetlb: 4 * M, Private_Hugetlb: 0 });
    expect(st(k, 'a').HugetlbPages).toBe(4 * M);
    // Without PMD sharing (4 MiB, not a whole 1 GiB): shared where two PMDs map the page.
    const small = okv(k.mmap('a', hugetlb(4 * G, 4 * M, true)));
    okv(k.touch('a', small, 4 * M, 'write'));
    okv(k.fork('a', 'c'));
    okv(k.touch('c', small, 2 * M, 'read'));
    expect(sm('a', small)).toMatchObject({ ...none, Shared_Hugetlb: 2 * M, Private_Hugetlb: 2 * M });
    expect(sm('c', small)).toMatchObject({ ...none, Shared_Hugetlb: 2 * M, Private_Hugetlb: 0 });
    // MAP_PRIVATE hugetlb, mapped once.
    const priv = okv(k.mmap('b', hugetlb(8 * G, 2 * M, false)));
    okv(k.touch('b', priv, 2 * M, 'write'));
    expect(sm('b', priv)).toMatchObject({ ...none, Shared_Hugetlb: 0, Private_Hugetlb: 2 * M });
    consistent(k);
    teardown(k);
  });

  it('AnonPages counts mapped anonymous pages (NR_ANON_MAPPED): a page kept only by a pin after munmap leaves it', () => {
    const k = kernel();
    okv(k.spawn('a'));
    const h = okv(k.mmap('a', anon(null, 2 * PAGE)));
    okv(k.write('a', h, 1));
    okv(k.gup('a', h, PAGE, true));
    expect(meminfo(k.m).AnonPages).toBe(PAGE);
    okv(k.munmap('a', h, 2 * PAGE));
    expect(meminfo(k.m).AnonPages).toBe(0);
    okv(k.unpin('a', h, PAGE));
    expect(meminfo(k.m).AnonPages).toBe(0);
    consistent(k);
    teardown(k);
  });
});

describe('PT_RECLAIM (Linux 6.14+, the x86-64 default): MADV_DONTNEED frees the PTE tables it emptied', () => {
  it('a DONTNEED over a whole aligned 2 MiB frees that PTE table; two 1 MiB halves free nothing; a refault builds a new one', () => {
    const k = kernel();
    okv(k.spawn('a'));
    const X = 0x40000000;
    okv(k.mmap('a', anon(X, 8 * M)));
    okv(k.touch('a', X, 8 * M, 'write'));
    // A PUD, a PMD and 4 PTE tables (measured on Linux 6.18: 132 kB -> 128 kB for the same).
    expect(st(k, 'a').VmPTE).toBe(6 * 4096);
    okv(k.madvise('a', X + 2 * M, 2 * M, 'dontneed'));
    expect(st(k, 'a').VmPTE).toBe(5 * 4096);
    expect(entryAt(k, mmOf(k, 'a').pgd, X + 2 * M, 2)!.lo & 1).toBe(0);
    // Halves: each zap_pte_range call covers less than PMD_SIZE, so the table stays.
    okv(k.madvise('a', X + 4 * M, M, 'dontneed'));
    okv(k.madvise('a', X + 5 * M, M, 'dontneed'));
    expect(st(k, 'a').VmPTE).toBe(5 * 4096);
    // A range that is not 2 MiB-aligned frees only the tables it covers whole.
    okv(k.madvise('a', X + M, 7 * M, 'dontneed'));
    expect(st(k, 'a').VmPTE).toBe(3 * 4096); // 4M-6M (emptied by the halves) and 6M-8M go; 0-2M stays
    expect(okv(k.read('a', X + 2 * M, 1))).toBe(0);
    expect(st(k, 'a').VmPTE).toBe(4 * 4096);
    consistent(k);
    teardown(k);
  });
});

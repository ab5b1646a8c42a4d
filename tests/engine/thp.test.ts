/**
 * Shmem transparent huge pages (src/engine/mm/thp.ts), the mechanism M21 is about:
 * `machine shmem_thp=never|advise|always` is /sys/kernel/mm/transparent_hugepage/shmem_enabled.
 *
 *   PMD table                       page cache of the shmem inode
 *   [ PS | pfn=head ] ─────────────> 512 pages, one 2 MiB-aligned order-9 block
 *                                    (head carries PG_THP and the PMDs' entire mapcount)
 *
 * A part-covering munmap / mprotect / MADV_DONTNEED splits a file PMD by clearing it; the
 * pages stay cached and refault as 4 KiB PTEs.
 */
import { describe, expect, it } from 'vitest';
import { Runner } from '../../src/scenario/runner';
import { buildReport } from '../../src/scenario/report';
import { PG_THP } from '../../src/engine/hw/physmem';
import { PTE_PS, PTE_RW } from '../../src/engine/hw/pte';
import { meminfo, smaps } from '../../src/engine/mm/proc';
import type { Kernel } from '../../src/engine/kernel';
import { K, M, PAGE, USE, allocs, anon, consistent, desc, entryAt, fileMap, kernel, mmOf, okv, pte, shanon, st, teardown, tlb } from './helpers';

const H = 2 * M;

/** The PMD entry for `va` in `name`'s tables (null when none). */
function pmd(k: Kernel, name: string, va: number) {
  return entryAt(k, mmOf(k, name).pgd, va, k.m.geo.pmdDepth);
}

/** Under shmem_thp=always: task a maps the whole tmpfs file /f of `size` shared and touches it. */
function mappedFile(size: number, access: 'read' | 'write'): { k: Kernel; fd: number; s: number } {
  const k = kernel({ shmemThp: 'always' });
  okv(k.file('/f', size));
  okv(k.spawn('a'));
  const fd = okv(k.open('a', '/f', false));
  const s = okv(k.mmap('a', fileMap('/f', null, size, 'rw', true)));
  okv(k.touch('a', s, size, access));
  return { k, fd, s };
}

function isHugePmd(k: Kernel, name: string, va: number): boolean {
  const e = pmd(k, name, va);
  return !!e && (e.lo & 1) === 1 && (e.lo & PTE_PS) !== 0;
}

describe('shmem THP (M21 mechanism)', () => {
  it('always: a read fault maps the 2 MiB folio with one PMD, no PTE table; RssShmem 2 MiB, one allocation of order 9', () => {
    const k = kernel({ shmemThp: 'always' });
    okv(k.spawn('a'));
    const s = okv(k.mmap('a', shanon(null, 8 * M)));
    expect(s % H).toBe(0); // shmem_get_unmapped_area aligns it
    const a0 = allocs(k);
    okv(k.read('a', s + 5 * PAGE, 8));
    expect(isHugePmd(k, 'a', s)).toBe(true);
    expect(pte(k, 'a', s)).toBeNull(); // no PTE table under a huge PMD
    expect(st(k, 'a').RssShmem).toBe(2 * M);
    // PUD + PMD tables (the PGD existed) and one order-9 block.
    expect(allocs(k) - a0).toBe(3);
    expect(st(k, 'a').VmPTE).toBe(8 * K);
    const head = pmd(k, 'a', s)!.lo >>> 12;
    expect(desc(k, head)).toMatchObject({ use: USE.shmem, mapcount: 0, entire: 1, refcount: 2 });
    expect(desc(k, head).flags & PG_THP).toBe(PG_THP);
    expect(meminfo(k.m)).toMatchObject({ Shmem: 2 * M, ShmemHugePages: 2 * M, ShmemPmdMapped: 2 * M, Mapped: 2 * M });
    // A whole 8 MiB touch: four PMDs, still no PTE page.
    okv(k.touch('a', s, 8 * M, 'write'));
    expect(st(k, 'a')).toMatchObject({ RssShmem: 8 * M, VmPTE: 8 * K });
    expect(k.m.trace.faultKinds['shmem-thp']).toBe(4);
    consistent(k);
    teardown(k);
  });

  it('never (the default) and advise without MADV_HUGEPAGE: 4 KiB pages; advise with it: PMDs; MADV_NOHUGEPAGE under always: 4 KiB', () => {
    for (const [mode, advice, huge] of [[undefined, null, false], ['advise', null, false], ['advise', 'hugepage', true], ['always', 'nohugepage', false]] as const) {
      const k = kernel(mode ? { shmemThp: mode } : {});
      okv(k.spawn('a'));
      const s = okv(k.mmap('a', shanon(null, 4 * M)));
      if (advice) okv(k.madvise('a', s, 4 * M, advice));
      okv(k.touch('a', s, 4 * M, 'read'));
      expect(isHugePmd(k, 'a', s), `${mode} ${advice}`).toBe(huge);
      expect(st(k, 'a').VmPTE, `${mode} ${advice}`).toBe(huge ? 8 * K : 16 * K);
      expect(meminfo(k.m).ShmemPmdMapped).toBe(huge ? 4 * M : 0);
      consistent(k);
      teardown(k);
    }
  });

  it('a second mapper (fork, or another process on the tmpfs file) maps the same folio with its own PMD: one entire mapcount each on the head', () => {
    const k = kernel({ shmemThp: 'always' });
    okv(k.file('/f', 4 * M));
    okv(k.spawn('a'));
    const s = okv(k.mmap('a', fileMap('/f', null, 4 * M, 'rw', true)));
    okv(k.write('a', s + 12, 42));
    okv(k.fork('a', 'b'));
    expect(pmd(k, 'b', s)?.lo ?? 0).toBe(0); // fork copies no tables of a shared mapping
    okv(k.spawn('c'));
    const c = okv(k.mmap('c', fileMap('/f', null, 4 * M, 'r', true)));
    expect(okv(k.read('b', s + 12, 8))).toBe(42);
    expect(okv(k.read('c', c + 12, 8))).toBe(42);
    const head = pmd(k, 'a', s)!.lo >>> 12;
    expect(pmd(k, 'b', s)!.lo >>> 12).toBe(head);
    expect(pmd(k, 'c', c)!.lo >>> 12).toBe(head);
    expect(desc(k, head)).toMatchObject({ entire: 3, mapcount: 0 });
    expect(pmd(k, 'c', c)!.lo & PTE_RW).toBe(0); // c mapped it read-only
    expect(meminfo(k.m).ShmemPmdMapped).toBe(2 * M);
    consistent(k);
    teardown(k);
  });

  it('munmap of one page splits the PMD (clears it; the cache keeps the folio): the rest refaults as PTEs of the same frames', () => {
    const k = kernel({ shmemThp: 'always' });
    okv(k.spawn('a'));
    const s = okv(k.mmap('a', shanon(null, 4 * M)));
    okv(k.touch('a', s, 4 * M, 'write'));
    okv(k.write('a', s + 8 * PAGE, 7));
    const head = pmd(k, 'a', s)!.lo >>> 12;
    const f0 = tlb(k);
    okv(k.munmap('a', s + M, PAGE));
    expect(isHugePmd(k, 'a', s)).toBe(false);
    expect(isHugePmd(k, 'a', s + H)).toBe(true); // the other folio is untouched
    expect(st(k, 'a').RssShmem).toBe(2 * M);
    // One INVLPG of the 2 MiB entry (a 2 MiB stride, not a PCID flush); consistent() below
    // finds no 4 KiB entry of it left in the TLB.
    expect([tlb(k).flushPage - f0.flushPage, tlb(k).flushMm - f0.flushMm]).toEqual([1, 0]);
    expect(meminfo(k.m)).toMatchObject({ ShmemHugePages: 4 * M, ShmemPmdMapped: 2 * M, Shmem: 4 * M });
    consistent(k);
    // The page refaults as a PTE onto the folio's 9th frame: the data is still there.
    expect(okv(k.read('a', s + 8 * PAGE, 8))).toBe(7);
    expect(pte(k, 'a', s + 8 * PAGE)!.pfn).toBe(head + 8);
    expect(k.read('a', s + M, 1).signal).toBe('SIGSEGV');
    consistent(k);
    teardown(k);
  });

  it('mprotect: over the whole 2 MiB the PMD is rewritten; over part of it the PMD is split and the pages refault read-only', () => {
    const k = kernel({ shmemThp: 'always' });
    okv(k.spawn('a'));
    const s = okv(k.mmap('a', shanon(null, 4 * M)));
    okv(k.touch('a', s, 4 * M, 'write'));
    okv(k.mprotect('a', s, H, 'r'));
    expect(isHugePmd(k, 'a', s)).toBe(true);
    expect(pmd(k, 'a', s)!.lo & PTE_RW).toBe(0);
    okv(k.mprotect('a', s + H, PAGE, 'r'));
    expect(isHugePmd(k, 'a', s + H)).toBe(false);
    expect(st(k, 'a').RssShmem).toBe(2 * M);
    consistent(k);
    expect(okv(k.read('a', s + H + PAGE, 8))).toBe(0);
    expect(k.write('a', s + H, 1).signal).toBe('SIGSEGV');
    teardown(k);
  });

  it('mprotect from the middle of a folio splits it rather than changing all 2 MiB (review regression: the walk passes the range start, not the entry start)', () => {
    const k = kernel({ shmemThp: 'always' });
    okv(k.spawn('a'));
    const s = okv(k.mmap('a', shanon(null, 4 * M)));
    okv(k.touch('a', s, 4 * M, 'write'));
    okv(k.mprotect('a', s + M, 3 * M, 'none'));
    expect(isHugePmd(k, 'a', s)).toBe(false);
    expect(pmd(k, 'a', s)?.lo ?? 0).toBe(0); // cleared, not a PROT_NONE leaf over 2 MiB
    consistent(k);
    okv(k.write('a', s + 5, 9)); // below the range: still read-write, refaulted as a PTE
    expect(okv(k.read('a', s + 5, 1))).toBe(9);
    expect(k.read('a', s + M, 1).signal).toBe('SIGSEGV');
    consistent(k);
    teardown(k);
  });

  it('MADV_DONTNEED of part of a folio clears its PMD; the pages stay in the cache (shmem) and read back', () => {
    const k = kernel({ shmemThp: 'always' });
    okv(k.spawn('a'));
    const s = okv(k.mmap('a', shanon(null, 2 * M)));
    okv(k.write('a', s + 3 * PAGE, 99));
    okv(k.madvise('a', s, PAGE, 'dontneed'));
    expect(isHugePmd(k, 'a', s)).toBe(false);
    expect(st(k, 'a').RssShmem).toBe(0);
    expect(meminfo(k.m).Shmem).toBe(2 * M);
    // The VMA still covers the aligned 2 MiB: the next fault maps a PMD again.
    expect(okv(k.read('a', s + 3 * PAGE, 8))).toBe(99);
    expect(isHugePmd(k, 'a', s)).toBe(true);
    consistent(k);
    teardown(k);
  });

  it('falls back to 4 KiB pages where the cache already holds small pages, or the file offset is not 2 MiB aligned', () => {
    const k = kernel({ shmemThp: 'always' });
    okv(k.file('/f', 8 * M));
    okv(k.spawn('a'));
    // Offset 4K at a fixed 2 MiB-aligned address (MAP_FIXED skips shmem_get_unmapped_area):
    // no file index is 2 MiB aligned at a 2 MiB-aligned address.
    const a = okv(k.mmap('a', { ...fileMap('/f', 0x40000000, 5 * M, 'rw', true), off: PAGE }));
    okv(k.touch('a', a, 5 * M, 'write')); // file offsets 4K .. 5M+4K
    expect(meminfo(k.m).ShmemHugePages).toBe(0);
    // Now the whole file mapped aligned: the cache has small pages there, so PTEs it is.
    okv(k.spawn('b'));
    const b = okv(k.mmap('b', fileMap('/f', null, 8 * M, 'rw', true)));
    okv(k.touch('b', b, 8 * M, 'read'));
    expect(isHugePmd(k, 'b', b)).toBe(false); // pages 1.. of the first 2 MiB are cached small
    expect(isHugePmd(k, 'b', b + 6 * M)).toBe(true); // the last 2 MiB was never touched
    consistent(k);
    teardown(k);
  });

  it('ftruncate into the middle of a folio splits it: after growing back, faults map 4 KiB pages, never the freed half', () => {
    const { k, fd, s } = mappedFile(4 * M, 'write');
    okv(k.ftruncate('a', fd, 3 * M));
    expect(isHugePmd(k, 'a', s + H)).toBe(false);
    expect(meminfo(k.m)).toMatchObject({ ShmemHugePages: 2 * M, ShmemPmdMapped: 2 * M });
    consistent(k);
    okv(k.ftruncate('a', fd, 4 * M));
    okv(k.touch('a', s + H, 2 * M, 'read'));
    expect(isHugePmd(k, 'a', s + H)).toBe(false);
    expect(st(k, 'a').RssShmem).toBe(4 * M);
    consistent(k);
    teardown(k);
  });

  it('2024 flavour: a PMD-mapped folio the creator already had moves into the host mm as 2 MiB of RssShmem, not of HugetlbPages (review regression)', () => {
    const k = kernel({ shmemThp: 'always', mshare: 2024 });
    okv(k.mount());
    okv(k.spawn('a'));
    const s = okv(k.mmap('a', shanon(2 * 512 * 1024 * M, 4 * M, 'rw', { fixed: true })));
    okv(k.touch('a', s, 4 * M, 'write'));
    const fd = okv(k.open('a', '/sys/fs/mshare/r', true));
    okv(k.mmap('a', { addr: s, len: 512 * 1024 * M, prot: 'rw', flags: { shared: true }, fd }));
    const host = [...k.m.s.regions.values()][0].host;
    expect(host.rssShmem * PAGE).toBe(4 * M);
    expect(host.hugetlbPages).toBe(0);
    expect(st(k, 'a')).toMatchObject({ RssShmem: 0, HugetlbPages: 0 });
    consistent(k);
    teardown(k);
  });

  it('userfaultfd copy over a PMD-mapped page is EEXIST; into a hole it maps one small page with the bytes (review regressions)', () => {
    const k = kernel({ shmemThp: 'always' });
    okv(k.spawn('a'));
    const s = okv(k.mmap('a', shanon(null, 4 * M)));
    okv(k.touch('a', s, 2 * M, 'read'));
    okv(k.uffdRegister('a', s, 4 * M, 'missing'));
    const frame0 = Array.from(k.m.pm.u8.subarray(0, 8));
    expect(k.uffdCopy('a', s + 5 * PAGE, 0x41414141).errno).toBe('EEXIST');
    expect(Array.from(k.m.pm.u8.subarray(0, 8))).toEqual(frame0); // nothing written anywhere
    // In the empty second 2 MiB, UFFDIO_COPY puts one small page in the cache
    // (shmem_mfill_atomic_pte), so that 2 MiB can no longer become a folio: a PTE maps it.
    okv(k.uffdCopy('a', s + H + 2 * PAGE + 8, 0x41414141));
    expect(isHugePmd(k, 'a', s + H)).toBe(false);
    expect(k.m.pm.u8[pte(k, 'a', s + H + 2 * PAGE)!.pfn * PAGE + 8]).toBe(0x41);
    expect(okv(k.read('a', s + H + 2 * PAGE + 8, 1))).toBe(0x41);
    consistent(k);
    teardown(k);
  });

  it('userfaultfd copy into a hugetlb hole writes the 4 KiB inside the 2 MiB page it maps (review regression)', () => {
    const k = kernel();
    okv(k.spawn('a'));
    const s = okv(k.mmap('a', shanon(1 << 30, 2 * M, 'rw', { hugetlb: true, fixed: true })));
    okv(k.uffdRegister('a', s, 2 * M, 'missing'));
    okv(k.uffdCopy('a', s + 3 * PAGE + 16, 0x5a));
    const head = pmd(k, 'a', s)!.lo >>> 12;
    expect(k.m.pm.u8[(head + 3) * PAGE + 16]).toBe(0x5a);
    expect(okv(k.read('a', s + 3 * PAGE + 16, 1))).toBe(0x5a);
    consistent(k);
    teardown(k);
  });

  it('a pinned page of a folio outlives its truncation as a plain page: meminfo and the checker agree (review regression)', () => {
    const { k, fd, s } = mappedFile(2 * M, 'read');
    okv(k.gup('a', s, PAGE, false)); // pins the folio's first page
    okv(k.ftruncate('a', fd, 0));
    expect(meminfo(k.m)).toMatchObject({ ShmemHugePages: 0, Shmem: PAGE });
    consistent(k);
    okv(k.unpin('a', 0, 2 ** 47));
    expect(meminfo(k.m).Shmem).toBe(0);
    consistent(k);
    teardown(k);
  });

  it('smaps counts each 4 KiB page of a folio by its precise mapcount: a PMD in one process, PTEs over part of it in another (review regression; figures from Linux 6.18)', () => {
    // fs/proc/task_mmu.c smaps_account(): folio_precise_page_mapcount() = the page's own PTE
    // mapcount + folio_entire_mapcount(). The PMD used to count in the first page's mapcount:
    // a's 2 MiB were all private (or all shared once b mapped page 0), b's tail pages private.
    const k = kernel({ shmemThp: 'always', ram: 512 * M });
    okv(k.file('/g', 4 * M));
    okv(k.spawn('a'));
    okv(k.spawn('b'));
    const a = okv(k.mmap('a', fileMap('/g', 0x40800000, 4 * M, 'rw', true)));
    okv(k.read('a', a, 1));
    const b = okv(k.mmap('b', fileMap('/g', 0x50001000, M, 'rw', true)));
    const sa = () => smaps(k.m, mmOf(k, 'a').vmas[0]);
    const sb = () => smaps(k.m, mmOf(k, 'b').vmas[0]);
    const kB = (n: number) => n * K;
    okv(k.read('b', b + 16 * PAGE, 1)); // fault-around maps file pages 15..30
    expect(sa()).toMatchObject({ Rss: kB(2048), Shared_Clean: kB(64), Private_Clean: kB(1984) });
    expect(Math.floor(sa().Pss / K)).toBe(2016);
    expect(sb()).toMatchObject({ Rss: kB(64), Pss: kB(32), Shared_Clean: kB(64), Private_Clean: 0 });
    // smaps' ShmemPmdMapped line: a maps one folio by its PMD, b none.
    expect(sa().ShmemPmdMapped).toBe(2 * M);
    expect(sb().ShmemPmdMapped).toBe(0);
    okv(k.read('b', b, 1)); // maps file pages 0..14
    expect(sa()).toMatchObject({ Rss: kB(2048), Shared_Clean: kB(124), Private_Clean: kB(1924) });
    expect(Math.floor(sa().Pss / K)).toBe(1986);
    expect(sb()).toMatchObject({ Rss: kB(124), Pss: kB(62), Shared_Clean: kB(124), Private_Clean: 0 });
    // The head's own mapcount is b's PTE; the PMD is the entire mapcount. Mapped is still 2 MiB.
    const head = pmd(k, 'a', a)!.lo >>> 12;
    expect(desc(k, head)).toMatchObject({ mapcount: 1, entire: 1 });
    expect(meminfo(k.m)).toMatchObject({ Mapped: 2 * M, ShmemPmdMapped: 2 * M });
    consistent(k);
    okv(k.munmap('a', a, 4 * M)); // the PMD goes: b's pages are private again
    expect(sb()).toMatchObject({ Rss: kB(124), Pss: kB(124), Shared_Clean: 0, Private_Clean: kB(124) });
    expect(meminfo(k.m)).toMatchObject({ Mapped: kB(124), ShmemPmdMapped: 0 });
    consistent(k);
    teardown(k);
  });

  it('a huge folio is dirty as a whole: written through a PMD or one PTE, every page of it shows dirty in smaps, also after a split (review regression)', () => {
    // The dirty flag belongs to the folio: zap_huge_pmd / __split_huge_pmd_locked and
    // zap_present_ptes call folio_mark_dirty, fault_dirty_shared_page and wp_page_shared dirty
    // the folio, smaps_page_accumulate tests folio_test_dirty, and a split copies PG_dirty to
    // every new page. It used to live on the 4 KiB frame: one page dirty, the rest clean.
    const k = kernel({ shmemThp: 'always' });
    okv(k.file('/d', 2 * M));
    okv(k.spawn('a'));
    const a = okv(k.mmap('a', fileMap('/d', 0x40800000, 2 * M, 'rw', true)));
    okv(k.write('a', a + 5 * PAGE, 1)); // a dirty PMD
    okv(k.munmap('a', a + M, M)); // zaps the PMD: its dirty bit goes to the folio
    okv(k.read('a', a + 64 * PAGE, 1)); // fault-around maps 16 clean PTEs
    expect(smaps(k.m, mmOf(k, 'a').vmas[0])).toMatchObject({ Rss: 64 * K, Private_Dirty: 64 * K, Private_Clean: 0 }); // Linux 6.18 (review-3 t15)
    consistent(k);
    teardown(k);

    // A PTE write fault (fault_dirty_shared_page) dirties the folio another process maps,
    // clean, with a PMD. A write through a PTE already writable (shmem maps writable on a
    // read) only sets the PTE's dirty bit, which reaches the folio when the PTE is zapped.
    for (const readFirst of [false, true]) {
      const k2 = kernel({ shmemThp: 'always' });
      okv(k2.file('/g', 2 * M));
      okv(k2.spawn('a'));
      okv(k2.spawn('b'));
      const pa = okv(k2.mmap('a', fileMap('/g', 0x40800000, 2 * M, 'rw', true)));
      okv(k2.read('a', pa, 1));
      const pb = okv(k2.mmap('b', fileMap('/g', 0x50001000, M, 'rw', true)));
      if (readFirst) okv(k2.read('b', pb + 3 * PAGE, 1)); // maps file pages 0..15
      okv(k2.write('b', pb + 3 * PAGE, 1));
      const sa = () => smaps(k2.m, mmOf(k2, 'a').vmas[0]);
      if (readFirst) expect(sa()).toMatchObject({ Shared_Clean: 16 * PAGE, Private_Clean: 2 * M - 16 * PAGE, Private_Dirty: 0 });
      else expect(sa()).toMatchObject({ Shared_Dirty: PAGE, Private_Dirty: 2 * M - PAGE, Private_Clean: 0, Shared_Clean: 0 });
      okv(k2.munmap('b', pb, M));
      expect(sa(), `readFirst ${readFirst}`).toMatchObject({ Rss: 2 * M, Private_Dirty: 2 * M, Private_Clean: 0 });
      consistent(k2);
      teardown(k2);
    }

    // Truncating into a dirty folio splits it: the pages it keeps stay dirty.
    const { k: k3, fd, s } = mappedFile(4 * M, 'write');
    okv(k3.ftruncate('a', fd, 3 * M));
    okv(k3.read('a', s + H, 1)); // 16 PTEs over the split folio's first pages
    expect(smaps(k3.m, mmOf(k3, 'a').vmas[0])).toMatchObject({ Rss: 2 * M + 64 * K, Private_Dirty: 2 * M + 64 * K, Private_Clean: 0 });
    consistent(k3);
    teardown(k3);
  });

  it('exit and unlink free every frame of the folios (no leak), also after splits', () => {
    const { k, s } = mappedFile(4 * M, 'write');
    okv(k.munmap('a', s + 3 * M, PAGE));
    okv(k.touch('a', s + 2 * M, M, 'read'));
    consistent(k);
    teardown(k); // checks that no frame is left
  });
});

/**
 * Review 16: who may PMD-map a folio already in the cache (do_set_pmd), MAP_PRIVATE mappings
 * of a tmpfs file, and folios running past i_size. Figures from Linux 6.18.44 x86-64 on
 * huge=advise / huge=always tmpfs mounts (review-16's probes t1, t2, t4, t7; p1 and p2 of this
 * fix), the same shmem code paths that shmem_thp models.
 */
describe('shmem THP: existing folios, private mappings, i_size (review 16)', () => {
  const kB = (n: number) => n * K;
  const vmaAt = (k: Kernel, name: string, va: number) => mmOf(k, name).vmas.find((v) => v.start === va)!;

  it('advise: a VMA without VM_HUGEPAGE PMD-maps the folio another mapper allocated (t7: fork; t1: a second mapping); NOHUGEPAGE does not', () => {
    for (const backing of ['shmem', 'tmpfs'] as const) {
      const k = kernel({ shmemThp: 'advise' });
      okv(k.spawn('a'));
      if (backing === 'tmpfs') okv(k.file('/f', 4 * M));
      const map = (name: string, addr: number) => okv(k.mmap(name, backing === 'tmpfs' ? fileMap('/f', addr, 4 * M, 'rw', true) : shanon(addr, 4 * M)));
      const s = map('a', 0x40000000);
      okv(k.fork('a', 'b'));
      okv(k.madvise('a', s, 4 * M, 'hugepage'));
      okv(k.write('a', s, 1));
      expect(meminfo(k.m).ShmemPmdMapped).toBe(2 * M);
      okv(k.read('b', s, 1)); // b's VMA has no VM_HUGEPAGE: it could not have allocated the folio
      expect(isHugePmd(k, 'b', s), backing).toBe(true);
      expect(st(k, 'b')).toMatchObject({ RssShmem: 2 * M, VmPTE: 8 * K });
      expect(smaps(k.m, vmaAt(k, 'b', s))).toMatchObject({ Rss: kB(2048), Pss: kB(1024), Shared_Dirty: kB(2048), ShmemPmdMapped: kB(2048) });
      expect(desc(k, pmd(k, 'a', s)!.lo >>> 12)).toMatchObject({ entire: 2, mapcount: 0 });
      expect(meminfo(k.m)).toMatchObject({ ShmemHugePages: 2 * M, ShmemPmdMapped: 2 * M });
      // A NOHUGEPAGE mapping refuses the PMD (vma_thp_disabled) and maps PTEs of the folio.
      if (backing === 'tmpfs') {
        const c = map('a', 0x41000000);
        okv(k.madvise('a', c, 4 * M, 'nohugepage'));
        okv(k.read('a', c, 1));
        expect(isHugePmd(k, 'a', c)).toBe(false);
        expect(pte(k, 'a', c)!.pfn).toBe(pmd(k, 'a', s)!.lo >>> 12);
      }
      consistent(k);
      teardown(k);
    }
  });

  it('MAP_PRIVATE of a tmpfs file: a read PMD-maps the folio read-only; a write splits the PMD (one 2 MiB flush) and copies one page (t4)', () => {
    const k = kernel({ shmemThp: 'always' });
    okv(k.file('/f', 4 * M));
    okv(k.spawn('a'));
    const a = okv(k.mmap('a', fileMap('/f', 0x40000000, 4 * M, 'rw', true)));
    okv(k.write('a', a, 1));
    expect(st(k, 'a')).toMatchObject({ RssShmem: 2 * M, VmPTE: 8 * K });
    const p = okv(k.mmap('a', fileMap('/f', 0x40800000, 4 * M, 'rw', false)));
    okv(k.read('a', p + 8 * K, 1));
    const head = pmd(k, 'a', a)!.lo >>> 12;
    expect(isHugePmd(k, 'a', p)).toBe(true);
    expect(pmd(k, 'a', p)!.lo >>> 12).toBe(head);
    expect(pmd(k, 'a', p)!.lo & PTE_RW).toBe(0);
    expect(st(k, 'a')).toMatchObject({ RssShmem: 4 * M, RssAnon: 0, VmPTE: 8 * K });
    for (const v of [a, p]) expect(smaps(k.m, vmaAt(k, 'a', v))).toMatchObject({ Rss: kB(2048), Pss: kB(1024), Shared_Dirty: kB(2048), Private_Dirty: 0, ShmemPmdMapped: kB(2048) });
    expect(desc(k, head)).toMatchObject({ entire: 2 });
    expect(okv(k.read('a', p, 1))).toBe(1); // the file's byte, through the private PMD
    consistent(k);

    const f0 = tlb(k);
    okv(k.write('a', p + 4 * K, 2));
    expect(isHugePmd(k, 'a', p)).toBe(false);
    // __split_huge_pmd: pmdp_huge_clear_flush, one INVLPG of the 2 MiB entry.
    expect([tlb(k).flushPage - f0.flushPage, tlb(k).flushMm - f0.flushMm]).toEqual([1, 0]);
    expect(st(k, 'a')).toMatchObject({ RssShmem: 2 * M, RssAnon: 4 * K, VmPTE: 12 * K });
    expect(smaps(k.m, vmaAt(k, 'a', p))).toMatchObject({ Rss: kB(4), Pss: kB(4), Private_Dirty: kB(4), Anonymous: kB(4), ShmemPmdMapped: 0 });
    expect(smaps(k.m, vmaAt(k, 'a', a))).toMatchObject({ Rss: kB(2048), Pss: kB(2048), Private_Dirty: kB(2048), ShmemPmdMapped: kB(2048) });
    expect(meminfo(k.m)).toMatchObject({ ShmemHugePages: 2 * M, ShmemPmdMapped: 2 * M, AnonPages: 4 * K });
    expect(desc(k, head)).toMatchObject({ entire: 1 });
    expect(okv(k.read('a', p + 4 * K, 1))).toBe(2);
    expect(okv(k.read('a', a + 4 * K, 1))).toBe(0); // the file is untouched
    consistent(k);
    // The rest refaults by PTEs now that a PTE table is there. (Linux 6.18 maps the other 511
    // pages at once; fault-around here stays at 16: see fault.ts faultAround.)
    okv(k.read('a', p + 256 * K, 1));
    expect(isHugePmd(k, 'a', p)).toBe(false);
    expect(pte(k, 'a', p + 256 * K)!.pfn).toBe(head + 64);
    expect(st(k, 'a').RssShmem).toBe(2 * M + 64 * K);
    consistent(k);
    teardown(k);
  });

  it('MAP_PRIVATE with nothing cached: a read allocates the folio and PMD-maps it; a write allocates it into the cache but maps one copied page (p1)', () => {
    const k = kernel({ shmemThp: 'always' });
    okv(k.file('/f', 4 * M));
    okv(k.spawn('a'));
    const p = okv(k.mmap('a', fileMap('/f', 0x40000000, 4 * M, 'rw', false)));
    okv(k.read('a', p, 1));
    expect(isHugePmd(k, 'a', p)).toBe(true);
    expect(smaps(k.m, vmaAt(k, 'a', p))).toMatchObject({ Rss: kB(2048), Pss: kB(2048), Private_Clean: kB(2048), ShmemPmdMapped: kB(2048) });
    expect(meminfo(k.m)).toMatchObject({ Shmem: 2 * M, ShmemHugePages: 2 * M, ShmemPmdMapped: 2 * M });
    okv(k.write('a', p + 2 * M + 4 * K, 1));
    expect(isHugePmd(k, 'a', p + 2 * M)).toBe(false);
    expect(st(k, 'a')).toMatchObject({ RssShmem: 2 * M, RssAnon: 4 * K, VmPTE: 12 * K });
    expect(smaps(k.m, vmaAt(k, 'a', p))).toMatchObject({ Rss: kB(2052), Pss: kB(2052), Private_Clean: kB(2048), Private_Dirty: kB(4), Anonymous: kB(4), ShmemPmdMapped: kB(2048) });
    expect(meminfo(k.m)).toMatchObject({ Shmem: 4 * M, ShmemHugePages: 4 * M, ShmemPmdMapped: 2 * M });
    consistent(k);
    teardown(k);
  });

  it('fork of a private mapping skips its file PMD (copy_huge_pmd) but shares its anonymous pages; the child refaults the PMD (p2)', () => {
    const k = kernel({ shmemThp: 'always' });
    okv(k.file('/f', 4 * M));
    okv(k.spawn('a'));
    const p = okv(k.mmap('a', fileMap('/f', 0x40000000, 4 * M, 'rw', false)));
    okv(k.read('a', p, 1));
    okv(k.write('a', p + 2 * M + 4 * K, 7)); // an anon_vma: fork copies this VMA's tables
    expect(smaps(k.m, vmaAt(k, 'a', p))).toMatchObject({ Rss: kB(2052), Pss: kB(2052), Private_Clean: kB(2048), Private_Dirty: kB(4), ShmemPmdMapped: kB(2048) });
    okv(k.fork('a', 'b'));
    expect(pmd(k, 'b', p)?.lo ?? 0).toBe(0);
    expect(st(k, 'b')).toMatchObject({ RssShmem: 0, RssAnon: 4 * K });
    expect(smaps(k.m, vmaAt(k, 'b', p))).toMatchObject({ Rss: kB(4), Pss: kB(2), Shared_Dirty: kB(4), Anonymous: kB(4), ShmemPmdMapped: 0 });
    consistent(k);
    okv(k.read('b', p + 8 * K, 1));
    expect(isHugePmd(k, 'b', p)).toBe(true);
    expect(smaps(k.m, vmaAt(k, 'b', p))).toMatchObject({ Rss: kB(2052), Pss: kB(1026), Shared_Clean: kB(2048), Shared_Dirty: kB(4), ShmemPmdMapped: kB(2048) });
    expect(okv(k.read('b', p + 2 * M + 4 * K, 1))).toBe(7);
    // munmap and mprotect over part of the private PMD split it like a shared one.
    okv(k.mprotect('b', p, 4 * K, 'r'));
    expect(isHugePmd(k, 'b', p)).toBe(false);
    okv(k.munmap('a', p + M, 4 * K));
    expect(isHugePmd(k, 'a', p)).toBe(false);
    expect(meminfo(k.m).ShmemPmdMapped).toBe(0);
    consistent(k);
    teardown(k);
  });

  it('always (and advise with MADV_HUGEPAGE): the folio at the end of a 3M file runs past i_size and its PMD serves reads past EOF; a fault past EOF is still SIGBUS (t2, p1)', () => {
    for (const mode of ['always', 'advise'] as const) {
      const k = kernel({ shmemThp: mode });
      okv(k.file('/f', 3 * M));
      /** `name` maps the file at 0x40000000, 6 MiB (past EOF), with MADV_HUGEPAGE under advise. */
      const mapper = (name: string) => {
        okv(k.spawn(name));
        const v = okv(k.mmap(name, fileMap('/f', 0x40000000, 6 * M, 'rw', true)));
        if (mode === 'advise') okv(k.madvise(name, v, 6 * M, 'hugepage'));
        return v;
      };
      // Past EOF with no folio there yet: shmem_fault fails.
      const x = mapper('x');
      expect(k.read('x', x + 3 * M + 4 * K, 1).signal, mode).toBe('SIGBUS');
      const c = mapper('a');
      const fd = okv(k.open('a', '/f', false));
      okv(k.read('a', c + 2 * M, 1));
      expect(isHugePmd(k, 'a', c + 2 * M), mode).toBe(true);
      expect(st(k, 'a').RssShmem).toBe(2 * M);
      expect(meminfo(k.m)).toMatchObject({ Shmem: 2 * M, ShmemHugePages: 2 * M, ShmemPmdMapped: 2 * M });
      expect(smaps(k.m, vmaAt(k, 'a', c))).toMatchObject({ Rss: kB(2048), Private_Clean: kB(2048), ShmemPmdMapped: kB(2048) });
      // Inside the folio, past EOF: the PMD maps it, no fault.
      expect(okv(k.read('a', c + 3 * M + 4 * K, 1))).toBe(0);
      okv(k.write('a', c + 3 * M + 8 * K, 5));
      consistent(k);
      // Beyond the folio: SIGBUS as before.
      const y = mapper('y');
      expect(k.read('y', y + 4 * M + 4 * K, 1).signal).toBe('SIGBUS');
      // Growing the file keeps what was written past the old EOF (the folio holds it).
      okv(k.ftruncate('a', fd, 4 * M));
      expect(okv(k.read('a', c + 3 * M + 8 * K, 1))).toBe(5);
      consistent(k);
      teardown(k);
    }
  });

  it('a VMA that cannot PMD-map the folio past EOF: faults there are SIGBUS and fault-around stops at i_size (filemap_map_pages: end_pgoff <= file_end)', () => {
    const k = kernel({ shmemThp: 'always' });
    okv(k.file('/f', 3 * M - 32 * K));
    okv(k.spawn('a'));
    const a = okv(k.mmap('a', fileMap('/f', 0x40000000, 4 * M, 'rw', true)));
    okv(k.read('a', a + 2 * M, 1)); // the folio for 2M..4M, across i_size
    expect(meminfo(k.m).ShmemHugePages).toBe(2 * M);
    okv(k.spawn('d'));
    const d = okv(k.mmap('d', fileMap('/f', 0x40800000, 4 * M, 'rw', true)));
    okv(k.madvise('d', d, 4 * M, 'nohugepage'));
    okv(k.read('d', d + 3 * M - 36 * K, 1)); // page 759, the last inside i_size: window 752..767
    expect(st(k, 'd').RssShmem).toBe(32 * K);
    expect(pte(k, 'd', d + 3 * M - 32 * K)!.present).toBe(false);
    expect(okv(k.read('a', a + 3 * M - 32 * K, 1))).toBe(0); // the PMD mapping reads it
    consistent(k);
    expect(k.read('d', d + 3 * M - 32 * K, 1).signal).toBe('SIGBUS');
    consistent(k);
    teardown(k);
  });
});

/**
 * Review 16, finding 2: shmem_get_unmapped_area() (mm/shmem.c) places a shmem or tmpfs mapping
 * so that its address is congruent to its file offset modulo 2 MiB, MAP_PRIVATE ones too.
 * Addresses as Linux 6.18.44 chose them on a huge=always tmpfs (review-16 t6, t6b), relative to
 * the first mapping.
 */
describe('shmem THP under an existing PTE table (review 19)', () => {
  it('a fault where a split PMD left a table still takes a huge folio into the cache, and a later mapping PMD-maps it', () => {
    // Linux 6.18 on a huge=always tmpfs (review 19's q2.c): shmem_fault allocates by
    // shmem_allowable_huge_orders, which does not look at the page tables.
    const built = Runner.fromSource([
      'machine ram=128M shmem_thp=always',
      'file /tmp/q2 4M',
      'spawn a',
      'a: open /tmp/q2 as 5',
      'a: mmap 0x40000000 4M rw shared file=/tmp/q2 as A',
      'a: read A',
      'a: mprotect A+1M 4K r',
      'a: read A+8K',
      'a: mprotect A+1M 4K rw',
      'a: ftruncate 5 0',
      'a: ftruncate 5 4M',
      'a: read A+8K',
      'expect meminfo.ShmemHugePages == 2M',
      'expect meminfo.ShmemPmdMapped == 0',
      'a: munmap A 4M',
      'a: mmap 0x40000000 4M rw shared file=/tmp/q2 as A2',
      'a: read A2+8K',
      'expect meminfo.ShmemPmdMapped == 2M',
      'expect a.VmPTE == 8K',
    ].join('\n'), 'q2.msh');
    if (!built.ok) throw new Error(built.errors.map((e) => e.message).join('\n'));
    built.runner.runToEnd();
    expect(buildReport(built.runner).failures).toEqual([]);
  });
});

describe('shmem THP placement (review 16)', () => {
  it('a 6M mapping at offset 4K lands at an address = 4K mod 2 MiB, after the inflated search, and its file offsets 2M..6M are two PMDs (t6, t6b)', () => {
    const k = kernel({ shmemThp: 'always' });
    okv(k.file('/f', 16 * M));
    okv(k.spawn('a'));
    const p = okv(k.mmap('a', fileMap('/f', null, 4 * M, 'r', false)));
    expect(p % H).toBe(0); // a private mapping is placed too
    const q = okv(k.mmap('a', { ...fileMap('/f', null, 6 * M, 'rw', true), off: PAGE }));
    expect(q % H).toBe(PAGE);
    expect(p - q).toBe(8 * M - PAGE); // Linux: 0x7fb3aee00000 - 0x7fb3ae601000
    const r = okv(k.mmap('a', fileMap('/f', null, 4 * M, 'rw', true)));
    expect(p - r).toBe(12 * M); // Linux: 0x7fb3aee00000 - 0x7fb3ae200000
    okv(k.touch('a', q, 6 * M, 'write'));
    expect(isHugePmd(k, 'a', q + 2 * M - PAGE)).toBe(true);
    expect(isHugePmd(k, 'a', q + 4 * M - PAGE)).toBe(true);
    expect(meminfo(k.m).ShmemPmdMapped).toBe(4 * M);
    expect(smaps(k.m, mmOf(k, 'a').vmas.find((v) => v.start === q)!)).toMatchObject({ Rss: 6 * M, ShmemPmdMapped: 4 * M });
    consistent(k);
    teardown(k);
  });

  it('not placed: with shmem_thp=never, under 2 MiB, an unaligned offset with no whole 2 MiB inside (offset + len < 4M), or a free hint', () => {
    const cases: [string, 'never' | 'always', number, number, number | null][] = [
      ['never', 'never', 6 * M, PAGE, null],
      ['under 2M', 'always', 2 * M - PAGE, PAGE, null],
      ['offset + len < 4M', 'always', 3 * M, PAGE, null],
      ['hint', 'always', 4 * M, 0, 0x40001000],
    ];
    for (const [what, mode, len, off, hint] of cases) {
      const k = kernel({ shmemThp: mode });
      okv(k.file('/f', 16 * M));
      okv(k.spawn('a'));
      const first = okv(k.mmap('a', fileMap('/f', null, 4 * M, 'r', false)));
      const a = okv(k.mmap('a', { ...fileMap('/f', hint, len, 'rw', true, { fixed: false }), off }));
      expect(a, what).toBe(hint ?? first - len); // where the plain top-down search put it
      teardown(k);
    }
  });

  it('shared anonymous memory counts as offset 0 (__get_unmapped_area): 2 MiB-aligned', () => {
    const k = kernel({ shmemThp: 'advise' });
    okv(k.spawn('a'));
    okv(k.mmap('a', anon(null, 4 * K)));
    const s = okv(k.mmap('a', shanon(null, 4 * M + 4 * K)));
    expect(s % H).toBe(0);
    teardown(k);
  });
});

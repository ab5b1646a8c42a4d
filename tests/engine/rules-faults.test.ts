/**
 * Page faults (kernel-semantics.md §3.2, R8-R14): what each kind of fault allocates, maps and
 * counts, checked in the frame descriptors, the PTE bits, the RSS counters and the trace.
 */
import { describe, expect, it } from 'vitest';
import { PG_ANON_EXCLUSIVE } from '../../src/engine/hw/physmem';
import { FAULT_AROUND_PAGES } from '../../src/engine/mm/fault';
import { smaps } from '../../src/engine/mm/proc';
import {
  K, PAGE, USE, allocs, anon, consistent, desc, faultKindsSince, faults, fileMap, kernel, meminfo, mmOf, okv,
  pfnOf, pte, shanon, st, teardown, tlb,
} from './helpers';

describe('page faults (R8-R14)', () => {
  it('R8: an anonymous read fault maps the shared zero page read-only and special; nothing is allocated, RSS unchanged', () => {
    const k = kernel();
    okv(k.spawn('a'));
    const va = okv(k.mmap('a', anon(null, 4 * PAGE)));
    okv(k.write('a', va, 1)); // builds the tables first, so the read fault below needs none
    const before = allocs(k);
    const seq = k.m.trace.seq;
    expect(okv(k.read('a', va + PAGE))).toBe(0);
    expect(allocs(k)).toBe(before);
    expect(faultKindsSince(k, seq)).toEqual(['anon-zero']);
    const p = pte(k, 'a', va + PAGE)!;
    expect(p.pfn).toBe(k.m.s.zeroPfn);
    expect([p.present, p.rw, p.special]).toEqual([true, false, true]);
    expect(desc(k, k.m.s.zeroPfn)).toMatchObject({ use: USE.zero, mapcount: 0, refcount: 1 });
    expect(st(k, 'a').RssAnon).toBe(PAGE); // only the written page
    expect(st(k, 'a').VmRSS).toBe(PAGE);
    consistent(k);
    teardown(k);
  });

  it('R9: anonymous write fault allocates a zeroed page, maps it RW+D, MM_ANONPAGES+1', () => {
    const k = kernel();
    okv(k.spawn('a'));
    const va = okv(k.mmap('a', anon(null, 4 * PAGE)));
    okv(k.write('a', va + 3 * PAGE, 1));
    const seq = k.m.trace.seq;
    const before = allocs(k);
    okv(k.write('a', va + 8, 0xfe));
    expect(allocs(k)).toBe(before + 1); // the page; the tables exist already
    expect(faultKindsSince(k, seq)).toEqual(['anon-new']);
    const p = pte(k, 'a', va)!;
    expect([p.present, p.rw, p.dirty, p.accessed, p.special]).toEqual([true, true, true, true, false]);
    expect(desc(k, p.pfn)).toMatchObject({ use: USE.anon, refcount: 1, mapcount: 1, owner: mmOf(k, 'a').id });
    expect(desc(k, p.pfn).flags & PG_ANON_EXCLUSIVE).toBe(PG_ANON_EXCLUSIVE);
    // Zeroed: every byte but the one written.
    const bytes = k.m.pm.u8.subarray(p.pfn * PAGE, p.pfn * PAGE + PAGE);
    expect(bytes.reduce((s, b) => s + b, 0)).toBe(0xfe);
    expect(st(k, 'a').RssAnon).toBe(2 * PAGE);
    expect(meminfo(k.m).AnonPages).toBe(2 * PAGE);
    consistent(k);
    teardown(k);
  });

  it('R10: a write on a zero-page PTE allocates a new zeroed page (no copy), replaces the PTE and flushes that VA', () => {
    const k = kernel();
    okv(k.spawn('a'));
    const va = okv(k.mmap('a', anon(null, PAGE)));
    okv(k.read('a', va)); // zero page, and now cached in the TLB
    const flushes = tlb(k).flushPage;
    const seq = k.m.trace.seq;
    okv(k.write('a', va, 0x1234));
    expect(faultKindsSince(k, seq)).toEqual(['zero-cow']);
    const p = pte(k, 'a', va)!;
    expect(p.pfn).not.toBe(k.m.s.zeroPfn);
    expect([p.rw, p.dirty, p.special]).toEqual([true, true, false]);
    expect(tlb(k).flushPage).toBeGreaterThan(flushes);
    expect(okv(k.read('a', va, 2))).toBe(0x1234); // not the stale zero page
    expect(desc(k, k.m.s.zeroPfn).refcount).toBe(1); // the zero page is never refcounted
    expect(st(k, 'a').RssAnon).toBe(PAGE);
    consistent(k);
    teardown(k);
  });

  it('R11: shared anonymous memory is shmem: a page-cache page of an unlinked tmpfs inode, counted in RssShmem, not RssAnon', () => {
    const k = kernel();
    okv(k.spawn('a'));
    const va = okv(k.mmap('a', shanon(null, 2 * PAGE)));
    const vma = mmOf(k, 'a').vmas.find((v) => v.start === va)!;
    expect(vma.file?.kind).toBe('shmem-anon');
    const seq = k.m.trace.seq;
    okv(k.read('a', va)); // even a read fault allocates: shmem has no zero page
    okv(k.write('a', va + PAGE, 9));
    expect(faultKindsSince(k, seq)).toEqual(['shmem', 'shmem']);
    const p = pfnOf(k, 'a', va);
    expect(desc(k, p).use).toBe(USE.shmem);
    expect(vma.file!.pages[0]).toBe(p);
    expect(st(k, 'a')).toMatchObject({ RssAnon: 0, RssShmem: 2 * PAGE, VmRSS: 2 * PAGE });
    expect(meminfo(k.m).Shmem).toBe(2 * PAGE);
    consistent(k);
    teardown(k);
  });

  it('R12: a shared file fault maps the page-cache folio: every process maps the same PFN; a write makes the PTE RW+D', () => {
    const k = kernel();
    okv(k.file('/f', 64 * K));
    okv(k.spawn('a'));
    okv(k.spawn('b'));
    const a = okv(k.mmap('a', fileMap('/f', null, 64 * K, 'rw', true)));
    const b = okv(k.mmap('b', fileMap('/f', null, 64 * K, 'rw', true)));
    okv(k.write('a', a, 0x77));
    expect(okv(k.read('b', b, 1))).toBe(0x77);
    const pfn = pfnOf(k, 'a', a);
    expect(pfnOf(k, 'b', b)).toBe(pfn);
    expect(k.m.s.paths.get('/f')!.pages[0]).toBe(pfn);
    expect(desc(k, pfn)).toMatchObject({ use: USE.shmem, mapcount: 2, refcount: 3 }); // cache + 2 PTEs
    expect(pte(k, 'a', a)).toMatchObject({ rw: true, dirty: true });
    expect(pte(k, 'b', b)).toMatchObject({ rw: true, dirty: false }); // read: writable (no write-notify), clean
    expect(st(k, 'a').RssShmem).toBe(PAGE);
    consistent(k);
    teardown(k);
  });

  it('R12: a shared read fault maps the cached pages around it (fault-around, 16 pages = 64 KiB)', () => {
    const k = kernel();
    okv(k.file('/f', 128 * K));
    okv(k.spawn('a'));
    okv(k.spawn('b'));
    const a = okv(k.mmap('a', fileMap('/f', null, 128 * K, 'rw', true)));
    okv(k.touch('a', a, 128 * K, 'write')); // everything in the page cache
    const b = okv(k.mmap('b', fileMap('/f', null, 128 * K, 'r', true)));
    const f0 = faults(k);
    okv(k.read('b', b + 5 * PAGE));
    expect(faults(k) - f0).toBe(1);
    expect(FAULT_AROUND_PAGES).toBe(16);
    expect(st(k, 'b').RssShmem).toBe(16 * PAGE); // the aligned 64 KiB window, not the next one
    expect(pte(k, 'b', b + 16 * PAGE)).toMatchObject({ present: false });
    okv(k.touch('b', b, 64 * K, 'read'));
    expect(faults(k) - f0).toBe(1); // all 16 were mapped by the one fault
    consistent(k);
    teardown(k);
  });

  it('R12: fault-around stops at page index 2^31 (8 TiB into a sparse file): each page there faults on its own', () => {
    const k = kernel();
    const off = 2 ** 43; // page index 2^31
    okv(k.file('/big', off + 128 * K));
    okv(k.spawn('a'));
    okv(k.spawn('b'));
    const a = okv(k.mmap('a', { ...fileMap('/big', null, 64 * K, 'rw', true), off }));
    okv(k.touch('a', a, 64 * K, 'write')); // 16 pages in the page cache, at indices 2^31..
    const b = okv(k.mmap('b', { ...fileMap('/big', null, 64 * K, 'r', true), off }));
    const f0 = faults(k);
    okv(k.read('b', b + 5 * PAGE));
    expect(st(k, 'b').RssShmem).toBe(PAGE); // no fault-around
    okv(k.touch('b', b, 64 * K, 'read'));
    expect(faults(k) - f0).toBe(16);
    expect(st(k, 'b').RssShmem).toBe(16 * PAGE);
    // Truncating and tearing down visit only the cached pages, not every index below them.
    okv(k.open('a', '/big', false, 3));
    okv(k.ftruncate('a', 3, off + 8 * PAGE));
    expect(st(k, 'b').RssShmem).toBe(8 * PAGE);
    consistent(k);
    teardown(k);
  });

  it('R12/R13: no fault-around in a userfaultfd-WP range (uffd_disable_fault_around); outside it, it goes on (review regression)', () => {
    // mm/memory.c should_fault_around() is false for VM_UFFD_WP (and VM_UFFD_MINOR): every page
    // of a write-protect-tracked range must fault on its own. review-3 t12: RssShmem 4 kB on
    // Linux 6.18, 64 kB before.
    for (const shared of [true, false]) {
      const k = kernel();
      okv(k.file('/memfd', 64 * K));
      okv(k.spawn('a'));
      const w = okv(k.mmap('a', fileMap('/memfd', null, 64 * K, 'rw', true)));
      okv(k.touch('a', w, 64 * K, 'write')); // all 16 pages in the cache
      okv(k.munmap('a', w, 64 * K));
      const p = okv(k.mmap('a', fileMap('/memfd', 0x10000000, 64 * K, 'rw', shared)));
      const q = okv(k.mmap('a', fileMap('/memfd', 0x10100000, 64 * K, 'r', shared)));
      okv(k.uffdRegister('a', p, 64 * K, 'wp'));
      const f0 = faults(k);
      okv(k.read('a', p + PAGE));
      expect(st(k, 'a').RssShmem, `shared ${shared}`).toBe(PAGE);
      okv(k.touch('a', p, 64 * K, 'read'));
      expect(faults(k) - f0).toBe(16); // one fault a page
      okv(k.read('a', q)); // not registered: the 64 KiB around
      expect(st(k, 'a').RssShmem).toBe(16 * PAGE + 16 * PAGE);
      consistent(k);
      teardown(k);
    }
  });

  it('R13: a private file mapping maps the cache page read-only; the first write COW-copies it into a new anonymous page', () => {
    const k = kernel();
    okv(k.file('/f', 8 * K));
    okv(k.spawn('w'));
    const w = okv(k.mmap('w', fileMap('/f', null, 8 * K, 'rw', true)));
    okv(k.write('w', w, 0x4142));
    okv(k.spawn('a'));
    const a = okv(k.mmap('a', fileMap('/f', null, 8 * K, 'rw', false)));
    let seq = k.m.trace.seq;
    expect(okv(k.read('a', a, 2))).toBe(0x4142);
    expect(faultKindsSince(k, seq)).toEqual(['file-private']);
    const cache = k.m.s.paths.get('/f')!.pages[0]!;
    expect(pte(k, 'a', a)).toMatchObject({ pfn: cache, rw: false });
    expect(st(k, 'a')).toMatchObject({ RssShmem: PAGE, RssAnon: 0 });
    seq = k.m.trace.seq;
    okv(k.write('a', a + 4, 0x5a));
    expect(faultKindsSince(k, seq)).toEqual(['file-cow']);
    const copy = pfnOf(k, 'a', a);
    expect(copy).not.toBe(cache);
    expect(desc(k, copy)).toMatchObject({ use: USE.anon, mapcount: 1 });
    expect(pte(k, 'a', a)).toMatchObject({ rw: true, dirty: true });
    expect(okv(k.read('a', a, 2))).toBe(0x4142); // copied...
    expect(okv(k.read('a', a + 4, 1))).toBe(0x5a); // ...then written
    expect(okv(k.read('w', w, 2))).toBe(0x4142); // the file is untouched
    expect(st(k, 'a')).toMatchObject({ RssShmem: 0, RssAnon: PAGE });
    const vma = mmOf(k, 'a').vmas.find((v) => v.start === a)!;
    expect(smaps(k.m, vma).Anonymous).toBe(PAGE);
    // A write as the first access copies straight away.
    seq = k.m.trace.seq;
    okv(k.write('a', a + PAGE, 1));
    expect(faultKindsSince(k, seq)).toEqual(['file-cow']);
    consistent(k);
    teardown(k);
  });

  it('R14: an address outside every VMA, or an access the VMA forbids, is SIGSEGV; a shared file access beyond EOF is SIGBUS', () => {
    const k = kernel();
    okv(k.spawn('a'));
    const ro = okv(k.mmap('a', anon(null, PAGE, 'r')));
    okv(k.spawn('b'));
    okv(k.file('/small', PAGE));
    const f = okv(k.mmap('b', fileMap('/small', null, 2 * PAGE, 'rw', true)));
    okv(k.spawn('c'));
    // MAPERR: nothing mapped at 0x10000 in c.
    let seq = k.m.trace.seq;
    expect(k.read('c', 0x10000).signal).toBe('SIGSEGV');
    expect(faultKindsSince(k, seq)).toEqual(['sigsegv']);
    expect(k.task('c')).toMatchObject({ state: 'killed', signal: 'SIGSEGV' });
    // ACCERR: a write to a read-only VMA.
    okv(k.read('a', ro));
    expect(k.write('a', ro, 1).signal).toBe('SIGSEGV');
    expect(k.task('a')).toMatchObject({ state: 'killed', signal: 'SIGSEGV' });
    // Beyond EOF of a shared file: the first page is fine, the second is SIGBUS.
    okv(k.write('b', f, 1));
    seq = k.m.trace.seq;
    expect(k.read('b', f + PAGE).signal).toBe('SIGBUS');
    expect(faultKindsSince(k, seq)).toEqual(['sigbus']);
    expect(k.task('b')).toMatchObject({ state: 'killed', signal: 'SIGBUS' });
    // Dead tasks answer ESRCH.
    expect(k.read('a', ro).errno).toBe('ESRCH');
    consistent(k);
    teardown(k);
  });
  it('R12/R13 (regression): a multi-byte read faults at its last byte first and still maps the whole file page 0, with no phantom cache page', () => {
    // read(8) accesses addr+7 .. addr; the fault handler used the unaligned address for the
    // file index (0.0017 instead of 0), cached a second, zeroed "page" there and leaked it.
    const k = kernel();
    okv(k.file('/f', 8 * K));
    okv(k.spawn('w'));
    const w = okv(k.mmap('w', fileMap('/f', null, 8 * K, 'rw', true)));
    okv(k.write('w', w, 0x01020304050607));
    for (const shared of [true, false]) {
      const name = shared ? 's' : 'p';
      okv(k.spawn(name));
      const a = okv(k.mmap(name, fileMap('/f', null, 8 * K, 'r', shared)));
      expect(okv(k.read(name, a, 8))).toBe(0x01020304050607);
      expect(pfnOf(k, name, a)).toBe(k.m.s.paths.get('/f')!.pages[0]);
    }
    expect(Object.keys(k.m.s.paths.get('/f')!.pages)).toEqual(['0']);
    consistent(k);
    teardown(k);
  });
  it('R14 (regression): get_user_pages obeys the VMA (check_vma_flags): no pin of PROT_NONE, no write pin of a read-only mapping', () => {
    // Before: a read pin of a PROT_NONE page faulted it in over its PROT_NONE entry (RSS and
    // mapcount counted twice), and a write pin of a read-only mapping left a writable PTE
    // the task then stored through without a fault.
    const k = kernel();
    okv(k.spawn('a'));
    const none = okv(k.mmap('a', anon(null, PAGE, 'none')));
    const ro = okv(k.mmap('a', anon(null, PAGE, 'r')));
    const sh = okv(k.mmap('a', shanon(null, 2 * PAGE)));
    okv(k.write('a', sh, 1));
    okv(k.mprotect('a', sh, 2 * PAGE, 'none'));
    expect(k.gup('a', none, PAGE, false).errno).toBe('EFAULT');
    expect(k.gup('a', sh, PAGE, false).errno).toBe('EFAULT');
    expect(k.gup('a', ro, PAGE, true).errno).toBe('EFAULT');
    expect(pte(k, 'a', ro)?.rw ?? false).toBe(false);
    consistent(k);
    expect(k.write('a', ro, 1).signal).toBe('SIGSEGV');
    teardown(k);
  });

  it('gup pins a hugetlb page on its head frame; the pin keeps the 2 MiB page past munmap until unpinned', () => {
    const k = kernel({ ram: 64 << 20 });
    okv(k.spawn('a'));
    const HP = 2 << 20;
    const va = okv(k.mmap('a', shanon(1 << 30, HP, 'rw', { hugetlb: true, fixed: true })));
    expect(okv(k.gup('a', va + 5 * PAGE, 2 * PAGE, true))).toBe(2); // faults the huge page in
    const pins = k.task('a')!.pins;
    const head = pins[0].pfn;
    expect(pins.map((p) => p.pfn)).toEqual([head, head]);
    expect(head % 512).toBe(0);
    expect(desc(k, head)).toMatchObject({ use: USE.hugetlb, pincount: 2 });
    okv(k.munmap('a', va, HP));
    expect(desc(k, head)).toMatchObject({ use: USE.hugetlb, pincount: 2 }); // still held by the pins
    consistent(k);
    expect(okv(k.unpin('a', va, HP))).toBe(2);
    expect(desc(k, head).use).toBe(USE.free);
    consistent(k);
    teardown(k);
  });

  it('gup that fails part-way returns the pages pinned so far (as pin_user_pages does); on the first page it is an error', () => {
    const k = kernel();
    okv(k.spawn('a'));
    const va = okv(k.mmap('a', anon(null, 4 * PAGE)));
    okv(k.munmap('a', va + 2 * PAGE, 2 * PAGE)); // a hole after two pages
    const r = k.gup('a', va, 4 * PAGE, false);
    expect(r.errno).toBeNull();
    expect(r.value).toBe(2);
    expect(r.detail).toMatch(/pinned 2 of 4 pages/);
    expect(k.gup('a', va + 2 * PAGE, PAGE, false).errno).toBe('EFAULT');
    expect(okv(k.unpin('a', va, 4 * PAGE))).toBe(2);
    consistent(k);
    teardown(k);
  });

  it('gup whose caller the OOM killer kills part-way reports SIGKILL, not pins its exit already released (regression)', () => {
    const k = kernel({ ram: 64 << 20 });
    okv(k.spawn('a'));
    okv(k.cgroup('small', 0));
    okv(k.join('a', 'small'));
    okv(k.cgroup('small', k.m.s.cgroups.get('small')!.current + 5 * PAGE)); // room for a few pages
    const va = okv(k.mmap('a', anon(null, 16 * PAGE)));
    const r = k.gup('a', va, 16 * PAGE, true);
    expect(r.signal).toBe('SIGKILL');
    expect(k.task('a')!.pins).toEqual([]);
    consistent(k);
  });

  it('mprotect and madvise over a range with a hole: the mapped parts change, the call returns ENOMEM (do_mprotect_pkey stops at the first hole; madvise_walk_vmas goes on past it)', () => {
    //  0x100000        0x102000  0x104000        0x106000
    //  [ h: 8K anon  ] [ hole  ] [ g: 8K anon  ]
    const k = kernel();
    okv(k.spawn('a'));
    const h = okv(k.mmap('a', anon(0x100000, 8 * K)));
    const g = okv(k.mmap('a', anon(0x104000, 8 * K)));
    okv(k.touch('a', h, 8 * K, 'write'));
    okv(k.touch('a', g, 8 * K, 'write'));
    // madvise: both mapped parts are zapped, then ENOMEM for the hole.
    const r = k.madvise('a', h, 24 * K, 'dontneed');
    expect(r.errno).toBe('ENOMEM');
    expect(st(k, 'a').RssAnon).toBe(0);
    // A range that starts in a hole: the mapped part after it is still advised.
    okv(k.touch('a', g, 8 * K, 'write'));
    expect(k.madvise('a', 0x102000, 16 * K, 'dontneed').errno).toBe('ENOMEM');
    expect(st(k, 'a').RssAnon).toBe(0);
    // mprotect: h becomes read-only up to the hole; g, past it, keeps rw.
    const m = k.mprotect('a', h, 24 * K, 'r');
    expect(m.errno).toBe('ENOMEM');
    expect(k.task('a')!.mm!.vmas.map((v) => [v.start, v.end, v.flags & 3])).toEqual([[h, h + 8 * K, 1], [g, g + 8 * K, 3]]);
    // A range that starts in a hole changes nothing.
    expect(k.mprotect('a', 0x102000, 16 * K, 'r').errno).toBe('ENOMEM');
    expect(k.task('a')!.mm!.vmas.at(-1)!.flags & 3).toBe(3);
    consistent(k);
    teardown(k);
  });
});

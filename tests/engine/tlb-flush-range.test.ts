/**
 * What a flush covers and whom it reaches (arch/x86/mm/tlb.c, include/asm-generic/tlb.h): the
 * mmu_gather's range grows only for entries actually cleared and tables freed, and nothing is
 * flushed when nothing was.
 */
import { describe, expect, it } from 'vitest';
import { buildModel } from '../../src/engine/model';
import { cpuCounters, cpuFirstSlot, tlbEntryPcid, tlbEntryVpn, tlbPcid } from '../../src/engine/hw/tlb';
import { K, M, PAGE, anon, consistent, kernel, okv, teardown } from './helpers';

type Kern = ReturnType<typeof kernel>;

/** Flush and shootdown counters of every CPU, and the flush/shootdown events, from `since`. */
function flushesSince(k: Kern, since: number) {
  return k.m.trace.since(since).flatMap((e) =>
    e.type === 'tlb-flush' ? [`flush cpu${e.cpu} ${e.scope}`] : e.type === 'tlb-shootdown' ? [`ipi ${e.from}->${e.to}`] : []);
}

function counters(k: Kern) {
  return k.m.s.cpus.map((c) => {
    const x = cpuCounters(k.m.s.tlb, c.id);
    return { page: x.flushPage, mm: x.flushMm, all: x.flushAll, ipi: x.shootdowns };
  });
}

/** a on CPU 0 and its thread t on CPU 1, both running a's mm; h: 1 MiB anon, page 0 written and read by both. */
function twoCpus(): { k: Kern; h: number } {
  const k = kernel({ cpus: 2, pcid: true });
  k.m.trace.recording = true;
  okv(k.spawn('a'));
  okv(k.run('a', 0));
  const h = okv(k.mmap('a', anon(0x10000000, M)));
  okv(k.write('a', h, 1));
  okv(k.thread('a', 't'));
  okv(k.run('t', 1));
  okv(k.read('t', h));
  return { k, h };
}

describe('mmu_gather range: only what was cleared or freed is flushed', () => {
  it('munmap and MADV_DONTNEED of pages never touched clear nothing: no flush, no IPI (tlb_flush_mmu_tlbonly returns early)', () => {
    const { k, h } = twoCpus();
    const before = counters(k);
    const seq = k.m.trace.seq;
    okv(k.munmap('a', h + 512 * K, 256 * K)); // inside the VMA: the PTE table stays
    okv(k.madvise('a', h + 64 * K, 32 * K, 'dontneed'));
    expect(flushesSince(k, seq)).toEqual([]);
    expect(counters(k)).toEqual(before);
    consistent(k);
    teardown(k);
  });

  it('munmap of 40 pages of which 1 is present flushes that one page with one INVLPG per CPU, not the whole PCID', () => {
    const { k, h } = twoCpus();
    const before = counters(k);
    const seq = k.m.trace.seq;
    okv(k.munmap('a', h, 40 * PAGE));
    expect(flushesSince(k, seq)).toEqual(['flush cpu0 page', 'ipi 0->1', 'flush cpu1 page']);
    const after = counters(k);
    expect(after.map((c, i) => c.page - before[i].page)).toEqual([1, 1]);
    expect(after.map((c, i) => c.mm - before[i].mm)).toEqual([0, 0]);
    expect(k.read('t', h).signal).toBe('SIGSEGV'); // the flush did reach CPU 1
    teardown(k);
  });

  it('munmap that clears no entry but frees a PTE table flushes for the freed table only (pte_free_tlb, freed_tables): every CPU holding the mm', () => {
    //  g: 256K, written then MADV_DONTNEED (its PTE table stays: less than 2 MiB), then unmapped.
    //  The zap finds 64 empty PTEs (a whole-PCID flush if they counted); the freed table is one
    //  page of range: one INVLPG.
    const { k } = twoCpus();
    const g = okv(k.mmap('a', anon(0x20000000, 256 * K)));
    okv(k.write('a', g, 1));
    okv(k.madvise('a', g, 256 * K, 'dontneed'));
    const seq = k.m.trace.seq;
    okv(k.munmap('a', g, 256 * K));
    expect(flushesSince(k, seq)).toEqual(['flush cpu0 page', 'ipi 0->1', 'flush cpu1 page']);
    consistent(k);
    teardown(k);
  });
});

/** How many of `cpu`'s TLB entries under its current PCID cache a 4 KiB page of [start, end). */
function cachedIn(k: Kern, cpu: number, start: number, end: number): number {
  const t = k.m.s.tlb;
  const first = cpuFirstSlot(t, cpu);
  let n = 0;
  for (let i = first; i < first + t.size; i++) {
    const va = tlbEntryVpn(t, i) * PAGE;
    if (tlbEntryPcid(t, i) === tlbPcid(t, cpu) && va >= start && va < end) n++;
  }
  return n;
}

describe('stride_shift: flushes of 2 MiB entries count 2 MiB strides', () => {
  it('mprotect and munmap of one hugetlb page: one INVLPG per CPU (huge_page_shift), which drops every 4 KiB entry the TLB split the page into', () => {
    //  a: [ 8 MiB hugetlb, 4 huge pages ] all written on CPU 0, read on CPU 1 by thread t
    for (const tlbSize of [64, 4096]) {
      const k = kernel({ cpus: 2, tlb: tlbSize, ram: 64 * M });
      k.m.trace.recording = true;
      okv(k.spawn('a'));
      okv(k.run('a', 0));
      const A = 0x40000000;
      okv(k.mmap('a', anon(A, 8 * M, 'rw', { hugetlb: true })));
      okv(k.thread('a', 't'));
      okv(k.run('t', 1));
      okv(k.touch('t', A, 2 * M, 'read'));
      okv(k.touch('a', A, 8 * M, 'write'));
      okv(k.touch('a', A, 128 * K, 'read'));
      okv(k.touch('a', A + 2 * M, 64 * K, 'read'));
      expect(cachedIn(k, 0, A, A + 2 * M)).toBeGreaterThan(1);
      expect(cachedIn(k, 1, A, A + 2 * M)).toBeGreaterThan(1);
      const before = counters(k);
      let seq = k.m.trace.seq;
      okv(k.mprotect('a', A, 2 * M, 'r'));
      expect(flushesSince(k, seq)).toEqual(['flush cpu0 page', 'ipi 0->1', 'flush cpu1 page']);
      const after = counters(k);
      expect(after.map((c, i) => [c.page - before[i].page, c.mm - before[i].mm])).toEqual([[1, 0], [1, 0]]);
      expect([cachedIn(k, 0, A, A + 2 * M), cachedIn(k, 1, A, A + 2 * M)]).toEqual([0, 0]);
      consistent(k); // no entry left that grants write
      expect(cachedIn(k, 0, A + 2 * M, A + 4 * M)).toBeGreaterThan(1); // the next huge page's stay
      seq = k.m.trace.seq;
      okv(k.munmap('a', A + 2 * M, 2 * M));
      expect(flushesSince(k, seq)).toEqual(['flush cpu0 page', 'ipi 0->1', 'flush cpu1 page']);
      expect(cachedIn(k, 0, A + 2 * M, A + 4 * M)).toBe(0);
      consistent(k);
      teardown(k);
    }
  });

  it('mprotect of a hugetlb range flushes it even when no huge page is there yet (hugetlb_change_protection ends with flush_hugetlb_tlb_range); a 4 KiB range with nothing mapped flushes nothing', () => {
    const k = kernel({ cpus: 2, ram: 64 * M });
    k.m.trace.recording = true;
    okv(k.spawn('a'));
    okv(k.run('a', 0));
    okv(k.mmap('a', anon(0x40000000, 4 * M, 'rw', { hugetlb: true, noreserve: true })));
    okv(k.mmap('a', anon(0x80000000, 64 * K, 'rw')));
    let seq = k.m.trace.seq;
    okv(k.mprotect('a', 0x40000000, 4 * M, 'r'));
    expect(flushesSince(k, seq)).toEqual(['flush cpu0 page']); // two 2 MiB strides, CPU 0 only
    seq = k.m.trace.seq;
    okv(k.mprotect('a', 0x80000000, 64 * K, 'r'));
    expect(flushesSince(k, seq)).toEqual([]);
    consistent(k);
    teardown(k);
  });

  it('munmap of one PMD-mapped shmem THP flushes one 2 MiB stride (zap_huge_pmd: tlb_get_unmap_shift is PMD_SHIFT)', () => {
    const k = kernel({ cpus: 2, ram: 64 * M, shmemThp: 'always' });
    k.m.trace.recording = true;
    okv(k.spawn('a'));
    okv(k.run('a', 0));
    const A = 0x40000000;
    okv(k.mmap('a', { addr: A, len: 8 * M, prot: 'rw', flags: { shared: true, anon: true, fixed: true } }));
    okv(k.touch('a', A, 8 * M, 'write'));
    expect(k.m.trace.faultKinds['shmem-thp']).toBe(4);
    const seq = k.m.trace.seq;
    okv(k.munmap('a', A, 2 * M));
    expect(flushesSince(k, seq)).toEqual(['flush cpu0 page']);
    expect(cachedIn(k, 0, A, A + 2 * M)).toBe(0);
    consistent(k);
    teardown(k);
  });
});

describe('exit_mmap flushes the CPUs holding the mm, not those caching an ASID of it', () => {
  it('an mm only cached in an ASID slot (its CPU runs another mm) is dropped from the slot with no flush; the CPU holding it lazily gets the one exit flush', () => {
    //  cpu 0: a, then b (a's ASID stays cached)     cpu 1: a.t, a thread of a, until a exits
    for (const pcid of [true, false]) {
      const k = kernel({ cpus: 2, pcid });
      k.m.trace.recording = true;
      okv(k.spawn('a'));
      okv(k.spawn('b'));
      okv(k.run('a', 0));
      const h = okv(k.mmap('a', anon(0x10000000, M)));
      okv(k.write('a', h, 1));
      okv(k.thread('a', 'a.t'));
      okv(k.run('a.t', 1));
      okv(k.read('a.t', h));
      okv(k.run('b', 0));
      okv(k.write('b', okv(k.mmap('b', anon(0x10000000, M))), 1));
      const id = k.task('a')!.mm!.id;
      if (pcid) expect(k.m.s.cpus[0].asidMm).toContain(id);
      const before = counters(k);
      const seq = k.m.trace.seq;
      okv(k.exit('a'));
      // CPU 1 (lazy with a's mm once a.t is gone) takes tlb_finish_mmu's flush (an IPI from
      // CPU 0, where a runs its exit); CPU 0, which only caches a's ASID, flushes nothing.
      expect(flushesSince(k, seq)).toEqual(['ipi 0->1', 'flush cpu1 mm']);
      expect(counters(k)[0]).toEqual(before[0]);
      expect(k.m.s.cpus[0].asidMm).not.toContain(id);
      expect(k.m.s.cpus[1].mm).toBeNull();
      consistent(k);
      teardown(k);
    }
  });
});

describe('a task that moves to another CPU leaves the old one idle in lazy TLB mode', () => {
  it('run cpu=1 after cpu=0: CPU 0 shows no task, keeps the mm loaded, gets no IPI for the mm\'s flushes, and flushes when the task comes back', () => {
    for (const pcid of [true, false]) {
      const k = kernel({ cpus: 2, pcid });
      k.m.trace.recording = true;
      okv(k.spawn('a'));
      okv(k.run('a', 0));
      const h = okv(k.mmap('a', anon(0x10000000, M)));
      okv(k.touch('a', h, 16 * K, 'write')); // CPU 0 caches writable entries
      okv(k.run('a', 1));
      okv(k.read('a', h));
      const mm = k.task('a')!.mm!;
      expect(k.m.s.cpus[0]).toMatchObject({ task: 0, mm });
      expect(buildModel(k, 1).cpus.map((c) => [c.task, c.mm])).toEqual([[0, mm.id], [k.task('a')!.pid, mm.id]]);
      const seq = k.m.trace.seq;
      okv(k.mprotect('a', h, PAGE, 'r'));
      expect(flushesSince(k, seq)).toEqual(['flush cpu1 page']); // should_flush_tlb: CPU 0 is lazy
      consistent(k); // CPU 0's writable entry is marked to be flushed before use
      // Back on CPU 0: switch_mm_irqs_off sees the mm's tlb_gen moved and flushes.
      const c0 = counters(k)[0];
      okv(k.run('a', 0));
      const c1 = counters(k)[0];
      expect(pcid ? c1.mm - c0.mm : c1.all - c0.all).toBe(1);
      expect(k.m.s.cpus[1]).toMatchObject({ task: 0, mm });
      expect(k.write('a', h, 2).signal).toBe('SIGSEGV'); // the stale writable entry is gone
      teardown(k);
    }
  });
});

describe('mshare host flushes in the sharers', () => {
  it('a 2 MiB hugetlb page zapped in the host is one INVLPG in a sharer, as in a plain mm (the host flush kept its 2 MiB stride)', () => {
    const G = 2 ** 30;
    const flushOf = (host: boolean) => {
      const k = kernel({ mshare: 2025, cpus: 2, pcid: true, ram: 256 * M });
      okv(k.spawn('a'));
      okv(k.run('a', 0));
      let zap: () => void;
      if (host) {
        okv(k.mount());
        okv(k.policy({ tlbFlush: 'sharers' }));
        const fd = okv(k.open('a', '/sys/fs/mshare/r', true));
        okv(k.ftruncate('a', fd, 512 * G));
        okv(k.ioctlCreateMapping('a', fd, 0, 4 * M, 'rw', undefined, true));
        const at = okv(k.mmap('a', { addr: null, len: 512 * G, prot: 'rw', fd, flags: { shared: true } }));
        okv(k.write('a', at, 1));
        zap = () => okv(k.ioctlUnmap('a', fd, 0, 2 * M));
      } else {
        const at = okv(k.mmap('a', { addr: null, len: 4 * M, prot: 'rw', flags: { shared: true, anon: true, hugetlb: true } }));
        okv(k.write('a', at, 1));
        zap = () => okv(k.munmap('a', at, 2 * M));
      }
      const before = counters(k)[0];
      zap();
      const after = counters(k)[0];
      consistent(k);
      teardown(k);
      return { page: after.page - before.page, mm: after.mm - before.mm };
    };
    expect(flushOf(false)).toEqual({ page: 1, mm: 0 });
    expect(flushOf(true)).toEqual({ page: 1, mm: 0 });
  });
});

describe('mm_cpumask with up to 64 CPUs', () => {
  it('the model lists the CPUs holding the mm exactly: CPU 31, 33 and 63 are their own bits (a 32-bit int made 33 into 1 and 31 negative)', () => {
    const k = kernel({ cpus: 64 });
    okv(k.spawn('a'));
    okv(k.run('a', 33));
    const id = k.task('a')!.mm!.id;
    const mask = () => buildModel(k, 1, false).mms.find((m) => m.id === id)!.cpumask;
    expect(mask()).toEqual([33]);
    okv(k.thread('a', 't1'));
    okv(k.run('t1', 31));
    okv(k.thread('a', 't2'));
    okv(k.run('t2', 63));
    okv(k.thread('a', 't3'));
    okv(k.run('t3', 1));
    expect(mask()).toEqual([1, 31, 33, 63]);
    // The cached model follows a change of the mask.
    expect(buildModel(k, 2).mms.find((m) => m.id === id)!.cpumask).toEqual([1, 31, 33, 63]);
    okv(k.spawn('b'));
    okv(k.run('b', 31));
    expect(buildModel(k, 3).mms.find((m) => m.id === id)!.cpumask).toEqual([1, 33, 63]);
    teardown(k);
  });
});

/**
 * What a flush covers and whom it reaches (arch/x86/mm/tlb.c, include/asm-generic/tlb.h): the
 * mmu_gather's range grows only for entries actually cleared and tables freed, and nothing is
 * flushed when nothing was.
 */
import { describe, expect, it } from 'vitest';
import { cpuCounters } from '../../src/engine/hw/tlb';
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

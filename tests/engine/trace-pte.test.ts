/**
 * pte-set / pte-clear trace events (the "PTE set/clear" among the typed events): a
 * fault sets its PTE (and the tables it had to create, level by level); fault-around, a fork
 * copying a PTE table and a zap report their runs as one event whose `pages` count them; an
 * mshare link sets one PGD entry in the process.
 */
import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../src/engine/trace';
import { anon, consistent, fileMap, kernel, okv, teardown } from './helpers';
import type { Kernel } from '../../src/engine/kernel';

type PteEv = Extract<TraceEvent, { type: 'pte-set' | 'pte-clear' }>;
const PAGE = 4096;

function pteEvents(k: Kernel, since: number): PteEv[] {
  return k.m.trace.since(since).filter((e): e is PteEv => e.type === 'pte-set' || e.type === 'pte-clear');
}

describe('pte-set / pte-clear trace events', () => {
  it('the first write fault in an empty address space sets the PUD, PMD and PTE tables, then the PTE', () => {
    const k = kernel();
    okv(k.spawn('a'));
    const va = okv(k.mmap('a', anon(null, 4 * PAGE)));
    const s = k.m.trace.seq;
    okv(k.write('a', va, 1));
    const ev = pteEvents(k, s);
    expect(ev.map((e) => [e.type, e.level])).toEqual([['pte-set', 'pgd'], ['pte-set', 'pud'], ['pte-set', 'pmd'], ['pte-set', 'pte']]);
    const leaf = ev[3] as Extract<PteEv, { type: 'pte-set' }>;
    expect(leaf).toMatchObject({ addr: va, pages: 1, mm: k.task('a')!.mm!.id });
    teardown(k);
  });

  it('fault-around maps its window in one event; a fork copies a PTE table in one event and write-protects the parent in another; munmap clears in one', () => {
    const k = kernel();
    okv(k.spawn('a'));
    okv(k.spawn('b'));
    okv(k.file('/f', 64 * PAGE));
    const fa = okv(k.mmap('a', fileMap('/f', null, 64 * PAGE, 'rw', true)));
    okv(k.touch('a', fa, 64 * PAGE, 'write')); // every page in the page cache
    const fb = okv(k.mmap('b', fileMap('/f', null, 64 * PAGE, 'r', true)));
    let s = k.m.trace.seq;
    okv(k.read('b', fb, 1));
    const around = pteEvents(k, s).filter((e) => e.level === 'pte');
    expect(around.map((e) => e.pages)).toEqual([15, 1]); // the window's other 15 pages, then the faulting one
    expect(around[1].addr).toBe(fb);

    const pa = okv(k.mmap('a', anon(null, 16 * PAGE)));
    okv(k.touch('a', pa, 16 * PAGE, 'write'));
    s = k.m.trace.seq;
    okv(k.fork('a', 'c'));
    const mmA = k.task('a')!.mm!.id;
    const mmC = k.task('c')!.mm!.id;
    const forkEv = pteEvents(k, s).filter((e) => e.level === 'pte');
    // Child: the 16 anon PTEs copied in one event (and the shared file's 64 in another);
    // parent: the 16 anon PTEs write-protected (R16) in one event.
    expect(forkEv.filter((e) => e.mm === mmC && e.addr === pa).map((e) => e.pages)).toEqual([16]);
    expect(forkEv.filter((e) => e.mm === mmA && e.addr === pa).map((e) => e.pages)).toEqual([16]);

    s = k.m.trace.seq;
    okv(k.munmap('c', pa, 16 * PAGE));
    const cleared = pteEvents(k, s).filter((e) => e.type === 'pte-clear' && e.level === 'pte');
    expect(cleared.map((e) => [e.addr, e.pages])).toEqual([[pa, 16]]);
    consistent(k);
    teardown(k);
  });

  it('with the ring off the events are still counted', () => {
    const k = kernel();
    k.m.trace.recording = false;
    okv(k.spawn('a'));
    const va = okv(k.mmap('a', anon(null, 4 * PAGE)));
    okv(k.write('a', va, 1));
    okv(k.munmap('a', va, 4 * PAGE));
    expect(k.m.trace.counts['pte-set']).toBeGreaterThanOrEqual(4);
    expect(k.m.trace.counts['pte-clear']).toBeGreaterThanOrEqual(1);
    teardown(k);
  });
});

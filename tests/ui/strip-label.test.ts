/**
 * The address space's page strip label (src/ui/views/strip-label.ts) and the present-page
 * count behind it (countPresent in src/ui/views/walk.ts): a 64 MiB area shown 90 pages at a
 * time says "showing pages 1–90 of 16,384 (16,384 of 16,384 present)", not "(90 of 90 present)".
 */
import { describe, expect, it } from 'vitest';
import { buildModel } from '../../src/engine/model';
import { Runner } from '../../src/scenario/runner';
import { countPresent, walkVa } from '../../src/ui/views/walk';
import { stripRange, stripTitle } from '../../src/ui/views/strip-label';

const SGA = 0x10000000000;

describe('stripTitle', () => {
  it('says a window is a window: which pages, of how many, and how many of them all are present', () => {
    const w = { name: 'sga', vmaStart: SGA, vmaEnd: SGA + 64 * 2 ** 20, windowStart: SGA, shown: 90, present: 16384 };
    expect(stripTitle(w)).toBe('sga: showing pages 1–90 of 16,384 (16,384 of 16,384 present)');
    expect(stripRange(w)).toBe('0x10000000000–0x1000005a000');
    // Moved on by ▶ (128 pages).
    expect(stripTitle({ ...w, windowStart: SGA + 128 * 4096, present: 200 })).toBe('sga: showing pages 129–218 of 16,384 (200 of 16,384 present)');
  });

  it('a VMA that fits: all of its pages', () => {
    expect(stripTitle({ name: 'heap', vmaStart: 0x40000000, vmaEnd: 0x40004000, windowStart: 0x40000000, shown: 4, present: 1 })).toBe('heap: all 4 pages (1 of 4 present)');
    expect(stripTitle({ name: 'one', vmaStart: 0x40000000, vmaEnd: 0x40001000, windowStart: 0x40000000, shown: 1, present: 0 })).toBe('one: all 1 page (0 of 1 present)');
  });
});

function run(source: string) {
  const r = Runner.fromSource(source, 'strip.msh', { checkpointEvery: 0, checkpointOverhead: Infinity });
  if (!r.ok) throw new Error(JSON.stringify(r));
  r.runner.runToEnd();
  const kernel = r.runner.kernel;
  const model = buildModel(kernel, 1);
  const u32 = (kernel as unknown as { m: { pm: { u32: Uint32Array } } }).m.pm.u32;
  const mmOf = (name: string) => model.mms.find((m) => m.id === model.tasks.find((t) => t.name === name)!.mm)!;
  return { u32, model, mmOf };
}

/** The same count, page by page with the walk the strip draws from. */
function countByWalk(u32: Uint32Array, pgd: number, start: number, end: number, levels: number): number {
  let n = 0;
  for (let va = start; va < end; va += 4096) if (walkVa(u32, pgd, va, levels).pfn !== null) n++;
  return n;
}

describe('countPresent', () => {
  it('counts what the walk finds, page for page, in a partly touched area', () => {
    const { u32, model, mmOf } = run([
      'spawn a',
      'a: mmap auto 8M rw private,anon as heap',
      'a: touch heap 3M write',
      'a: touch heap+5M 64K read',
    ].join('\n'));
    const mm = mmOf('a');
    const heap = mm.vmas.find((v) => v.label === 'heap')!;
    const n = countPresent(u32, mm.pgd, heap.startNum, heap.endNum, model.levels);
    expect(n).toBe(countByWalk(u32, mm.pgd, heap.startNum, heap.endNum, model.levels));
    expect(n).toBeGreaterThanOrEqual(768 + 16);
    // Part of a range: only the pages inside it.
    expect(countPresent(u32, mm.pgd, heap.startNum + 4096, heap.startNum + 3 * 4096, model.levels)).toBe(2);
  });

  it('a 64 MiB shared area touched whole: 16,384, through an mshare region too', () => {
    const { u32, model, mmOf } = run([
      'mount msharefs',
      'spawn db0',
      'db0: open /sys/fs/mshare/sga create as F',
      'db0: mmap 0x10000000000 512G rw shared fd=F as sga',
      'db0: mmap 0x10000000000 64M rw shared,anon,fixed',
      'db0: touch sga 64M write',
      'db0: fork as db1',
      'db1: touch sga 64M read',
    ].join('\n'));
    for (const name of ['db0', 'db1']) {
      const mm = mmOf(name);
      const sga = mm.vmas.find((v) => v.label === 'sga')!;
      // The VMA is 512 GiB: the count walks the tables, not 134 million pages.
      expect(sga.endNum - sga.startNum).toBe(512 * 2 ** 30);
      expect(countPresent(u32, mm.pgd, sga.startNum, sga.endNum, model.levels)).toBe(16384);
    }
  });

  it('a 2 MiB leaf counts its 4 KiB pages inside the range', () => {
    const { u32, model, mmOf } = run([
      'machine ram=64M shmem_thp=always',
      'spawn a',
      'a: mmap 0x40000000 4M rw shared,anon as shm',
      'a: touch shm 4M write',
    ].join('\n'));
    const mm = mmOf('a');
    const shm = mm.vmas.find((v) => v.label === 'shm')!;
    expect(walkVa(u32, mm.pgd, shm.startNum, model.levels).pageBytes).toBe(2 ** 21);
    expect(countPresent(u32, mm.pgd, shm.startNum, shm.endNum, model.levels)).toBe(1024);
    expect(countPresent(u32, mm.pgd, shm.startNum + 4096, shm.startNum + 2 ** 20, model.levels)).toBe(255);
    expect(countByWalk(u32, mm.pgd, shm.startNum, shm.endNum, model.levels)).toBe(1024);
  });
});

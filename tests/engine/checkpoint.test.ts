/**
 * Checkpoints leave out the frames in use that hold only zeros (snapshot.ts takeCheckpoint):
 * restore zeroes every frame in use before it writes the saved ones. These tests pin down
 * that such frames still come back as zeros, whatever was written to them after.
 */
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../src/engine/kernel';
import { FrameUse } from '../../src/engine/hw/physmem';
import { checkpointBytes, restoreCheckpoint, stateDigest, takeCheckpoint } from '../../src/engine/snapshot';
import { checkInvariants } from '../../src/engine/invariants';

const MiB = 2 ** 20;

function framesInUse(k: Kernel): number {
  let n = 0;
  for (let p = 0; p < k.m.pm.nframes; p++) if (k.m.pm.d.use[p] !== FrameUse.Free) n++;
  return n;
}

describe('checkpoints', () => {
  it('leave out zero frames and still restore them as zeros after they were written', () => {
    const k = new Kernel({ ram: 64 * MiB });
    k.spawn('a');
    const base = k.mmap('a', { addr: null, len: MiB, prot: 'rw', flags: { private: true, anon: true } }).value as number;
    expect(k.touch('a', base, MiB, 'write').errno).toBeNull();
    expect(k.write('a', base + 8192, 'kept')).toMatchObject({ errno: null });
    const digest = stateDigest(k.m);
    const cp = takeCheckpoint(k.m);

    // 256 data pages, one of them written: 255 left out, with the kernel's zero frames.
    const saved = cp.frames.length;
    expect(framesInUse(k) - saved).toBeGreaterThanOrEqual(255);
    expect(checkpointBytes(cp)).toBeLessThan(framesInUse(k) * 4096);

    // Write into the pages that were zero, fork (COW copies), unmap part, then go back.
    for (let i = 0; i < 256; i += 17) k.write('a', base + i * 4096 + 100, 0xdeadbeef);
    k.fork('a', 'b');
    k.write('b', base + 4096, 'child');
    k.munmap('a', base + 512 * 1024, 256 * 1024);
    restoreCheckpoint(k.m, cp);

    expect(stateDigest(k.m)).toBe(digest);
    expect(checkInvariants(k.m)).toEqual([]);
    expect(k.read('a', base + 100, 4).value).toBe(0);
    expect(k.read('a', base + 17 * 4096 + 100, 4).value).toBe(0);
    expect(k.read('a', base + 8192, 4)).toMatchObject({ text: 'kept' });
  });

  it('restore zeroes a frame that was free at the checkpoint and holds data now', () => {
    const k = new Kernel({ ram: 64 * MiB });
    k.spawn('a');
    const cp = takeCheckpoint(k.m);
    const digest = stateDigest(k.m);
    const base = k.mmap('a', { addr: null, len: 64 * 1024, prot: 'rw', flags: { private: true, anon: true } }).value as number;
    for (let i = 0; i < 16; i++) k.write('a', base + i * 4096, 0x1234);
    restoreCheckpoint(k.m, cp);
    expect(stateDigest(k.m)).toBe(digest);
    expect(checkInvariants(k.m)).toEqual([]);
  });

  it('store frames with equal contents once, and give each frame its own contents back', () => {
    const k = new Kernel({ ram: 64 * MiB });
    k.spawn('a');
    const base = k.mmap('a', { addr: null, len: 128 * 4096, prot: 'rw', flags: { private: true, anon: true } }).value as number;
    // 64 pages with one content, 64 with a content each.
    for (let i = 0; i < 64; i++) k.write('a', base + i * 4096 + 8, 'same');
    for (let i = 64; i < 128; i++) k.write('a', base + i * 4096 + 8, 1000 + i);
    const digest = stateDigest(k.m);
    const cp = takeCheckpoint(k.m);
    expect(cp.frames.length).toBe(cp.blocks.length);
    // The 64 equal pages share one block: at least 63 blocks fewer than frames saved.
    expect(cp.frames.length - cp.data.length / 1024).toBeGreaterThanOrEqual(63);

    for (let i = 0; i < 128; i++) k.write('a', base + i * 4096 + 8, 7);
    k.fork('a', 'b');
    restoreCheckpoint(k.m, cp);
    expect(stateDigest(k.m)).toBe(digest);
    expect(checkInvariants(k.m)).toEqual([]);
    expect(k.read('a', base + 5 * 4096 + 8, 4)).toMatchObject({ text: 'same' });
    for (let i = 64; i < 128; i++) expect(k.read('a', base + i * 4096 + 8, 4).value).toBe(1000 + i);
  });
});

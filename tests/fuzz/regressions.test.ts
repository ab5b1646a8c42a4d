/**
 * Regression tests for what the robustness work found (see also tests/fuzz/*.fuzz.test.ts):
 *
 * 1. A hang: `touch x 64T read` over never-written anonymous memory maps the zero page page by
 *    page (page tables only, 4 KiB per 2 MiB), so one command ran ~3 minutes on a 256M machine
 *    (and would have run most of an hour on 4G) before the OOM killer ended it. touch, gup and
 *    mmap populate now cover at most MAX_ACCESS_SIZE (1G) per command: a positioned parse error
 *    beyond it, a bounded step within it.
 * 2. Every step back committed all of simulated RAM: restoreCheckpoint zero-filled the whole
 *    RAM buffer, touching frames never used, so the OS backed the whole SharedArrayBuffer with
 *    real memory (2 GiB for a 2G machine, on the first step back) and a restore of a 4G machine
 *    took seconds. Now only frames in use or freed (PG_UNCLEAN) are zeroed.
 * 3. The browser build refuses a machine over 2G before allocating it, naming the limit.
 * 4. (engine fuzz, npm run fuzz seed 101) 2024 flavour: creating a region (its first mmap)
 *    over a range that already holds another region's VMA moved that VMA, and the PUD page it
 *    borrows from the other host, into the new host: pgtables_bytes and RSS went negative in
 *    one mm and double in another, and the PUD's share count no longer matched its links.
 *    Regions do not nest: that mmap is now EINVAL.
 */
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../src/engine/kernel';
import { restoreCheckpoint, stateDigest, takeCheckpoint } from '../../src/engine/snapshot';
import { checkInvariants } from '../../src/engine/invariants';
import { MAX_ACCESS_SIZE } from '../../src/scenario/constants';
import { parseScript } from '../../src/scenario/parser';
import { Runner } from '../../src/scenario/runner';
import { BROWSER_MAX_RAM, explainAllocationFailure, refuseInBrowser } from '../../src/worker/browser-limits';

const M = 2 ** 20;
const G512 = 512 * 2 ** 30;

function errorsOf(src: string): string[] {
  const r = parseScript(src, 'r.msh');
  return r.ok ? [] : r.errors.map((e) => `${e.line}:${e.col}: ${e.message}`);
}

describe('touch, gup and mmap populate are bounded per command', () => {
  it('refuses more than 1G with a positioned message, accepts 1G', () => {
    expect(MAX_ACCESS_SIZE).toBe(2 ** 30);
    expect(errorsOf('spawn a\na: touch x 64T read')).toEqual(['2:12: touch covers at most 1G per command (it faults in every page); split the range over several commands']);
    expect(errorsOf('a: gup x 1025M write')[0]).toMatch(/^1:10: gup covers at most 1G/);
    expect(errorsOf('a: mmap auto 2G r private,anon,populate')[0]).toMatch(/^1:14: mmap populate covers at most 1G/);
    expect(errorsOf('repeat 5: a: touch x 4G write')[0]).toMatch(/^1:22: touch covers at most 1G/);
    expect(errorsOf('a: touch x 1G read\na: gup x 1G\na: mmap auto 1G r private,anon,populate\na: mmap auto 64T r private,anon,noreserve')).toEqual([]);
  });

  it('the worst 1G touch (zero-page reads: page tables only) ends in bounded time', () => {
    const r = Runner.fromSource('machine ram=64M\nspawn a\na: mmap auto 64T r private,anon,noreserve as x\na: touch x 1G read', 'r.msh', { keepRecords: false });
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    const t0 = performance.now();
    r.runner.runToEnd();
    const ms = performance.now() - t0;
    // 262,144 zero-page faults: ~2 s on a loaded 2-core machine; before, 64T ran for minutes.
    expect(ms).toBeLessThan(30_000);
    expect(r.runner.errors).toEqual([]);
    expect(checkInvariants(r.runner.kernel.m)).toEqual([]);
  }, 60_000);
});

describe('restoreCheckpoint writes only frames that may hold data', () => {
  it('leaves never-used frames untouched and zeroes the ones used since the checkpoint', () => {
    const k = new Kernel({ ram: 32 * M });
    k.m.trace.recording = false;
    k.spawn('a');
    const a = k.mmap('a', { addr: null, len: 4 * M, prot: 'rw', flags: { private: true, anon: true } }).value as number;
    k.touch('a', a, M, 'write');
    const cp = takeCheckpoint(k.m);
    const d0 = stateDigest(k.m);
    // After the checkpoint: more pages written, then some freed again (dirty, PG_UNCLEAN).
    k.touch('a', a + M, 3 * M, 'write');
    k.munmap('a', a + 2 * M, 2 * M);
    const u32 = k.m.pm.u32;
    const d = k.m.pm.d;
    // A frame free and never used: poison a word to see whether the restore writes it.
    let untouched = -1;
    for (let p = k.m.pm.nframes - 1; p >= 0; p--) if (d.use[p] === 0 && d.flags[p] === 0) { untouched = p; break; }
    expect(untouched).toBeGreaterThan(0);
    u32[untouched * 1024 + 7] = 0xdead;
    restoreCheckpoint(k.m, cp);
    expect(u32[untouched * 1024 + 7]).toBe(0xdead); // not written: no memory committed for it
    u32[untouched * 1024 + 7] = 0;
    expect(stateDigest(k.m)).toBe(d0);
    expect(checkInvariants(k.m)).toEqual([]);
    // Every frame free at the checkpoint is zero after the restore (used-then-freed ones too).
    for (let p = 0; p < k.m.pm.nframes; p++) {
      if (d.use[p] !== 0) continue;
      for (let i = 0; i < 1024; i += 64) if (u32[p * 1024 + i] !== 0) throw new Error(`free frame ${p} holds data after the restore`);
    }
    // And the machine goes on exactly like one that never went forward.
    const replay = new Kernel({ ram: 32 * M });
    replay.m.trace.recording = false;
    replay.spawn('a');
    replay.mmap('a', { addr: null, len: 4 * M, prot: 'rw', flags: { private: true, anon: true } });
    replay.touch('a', a, M, 'write');
    k.touch('a', a + M, 2 * M, 'write');
    replay.touch('a', a + M, 2 * M, 'write');
    expect(stateDigest(k.m)).toBe(stateDigest(replay.m));
  });
});

describe('the browser refuses machines it cannot hold, before allocating', () => {
  it('over 2G: a positioned error naming the limit', () => {
    expect(BROWSER_MAX_RAM).toBe(2 * 2 ** 30);
    const e = refuseInBrowser('## big\nmachine ram=4G cpus=2\nspawn a', 'big.msh');
    expect(e).toEqual({
      file: 'big.msh', line: 2, col: 9,
      message: 'machine ram=4G: the browser simulates at most 2G of RAM (one SharedArrayBuffer, plus checkpoints); use ram=2G or less, or run it with npm run sim',
    });
    expect(refuseInBrowser('machine ram=2G\nspawn a', 'ok.msh')).toBeNull();
    expect(refuseInBrowser('spawn a', 'ok.msh')).toBeNull();
    expect(refuseInBrowser('machine ram=5G', 'bad.msh')).toBeNull(); // a parse error: the runner reports it
  });

  it('an allocation that fails anyway reads as a limit, not a stack trace', () => {
    const [e] = explainAllocationFailure([{ file: 'f', line: 1, col: 1, message: 'machine: Array buffer allocation failed' }]);
    expect(e.message).toBe('machine: the browser could not allocate the simulated RAM (Array buffer allocation failed); try a smaller ram= (the browser limit is 2G, and other tabs share the memory)');
    const other = { file: 'f', line: 3, col: 1, message: 'spawn: expected NAME' };
    expect(explainAllocationFailure([other])).toEqual([other]);
  });
});

describe('2024: a region cannot be created over another region', () => {
  for (const who of ['the creator', 'a sharer'] as const) {
    it(`the first mmap of a second region over ${who}'s attached region is EINVAL and changes nothing`, () => {
      const k = new Kernel({ ram: 16 * M, mshare: 2024, cpus: 1 });
      k.m.trace.recording = false;
      k.mount();
      k.spawn('a');
      const f0 = k.open('a', '/sys/fs/mshare/r0', true).value as number;
      expect(k.mmap('a', { addr: 5 * G512, len: G512, prot: 'rw', flags: { shared: true }, fd: f0 }).errno).toBeNull();
      expect(k.mmap('a', { addr: 5 * G512, len: 4 * M, prot: 'rw', flags: { shared: true, anon: true, fixed: true } }).errno).toBeNull();
      let t = 'a';
      if (who === 'a sharer') {
        k.spawn('b');
        const fb = k.open('b', '/sys/fs/mshare/r0', false).value as number;
        expect(k.mmap('b', { addr: 5 * G512, len: G512, prot: 'rw', flags: { shared: true }, fd: fb }).errno).toBeNull();
        t = 'b';
      }
      expect(k.touch(t, 5 * G512, M, 'read').signal).toBeNull();
      const f1 = k.open(t, '/sys/fs/mshare/r1', true).value as number;
      const before = stateDigest(k.m);
      const r = k.mmap(t, { addr: 5 * G512, len: G512, prot: 'rw', flags: { shared: true }, fd: f1 });
      expect(r.errno).toBe('EINVAL');
      expect(r.detail).toBe('the range already holds an mshare region');
      expect(checkInvariants(k.m)).toEqual([]);
      expect(stateDigest(k.m)).toBe(before);
      // Elsewhere, the second region is created as usual.
      expect(k.mmap(t, { addr: 7 * G512, len: G512, prot: 'rw', flags: { shared: true }, fd: f1 }).errno).toBeNull();
      expect(checkInvariants(k.m)).toEqual([]);
    });
  }
});

/**
 * Where mmap places private anonymous memory (mm/mmap.c __get_unmapped_area, Linux >= 6.7):
 * with no address hint and a length that is a multiple of 2 MiB, thp_get_unmapped_area_vmflags
 * aligns it to 2 MiB, whatever THP's `enabled` setting. Measured on this machine's Linux 6.18
 * (THP `madvise`) with the same six calls:
 *
 *   a   4K        0x7fcf6e34d000            top
 *   b   64M       0x7fcf6a000000  aligned   below a, ending on a 2M boundary
 *   c   64M + 4K  0x7fcf65fff000            right under b (not a multiple of 2M)
 *   d   12K       0x7fcf6e34a000            in the hole between b and a
 *   e   2M        0x7fcf65c00000  aligned   below c
 *   f   4M        0x7fcf65800000  aligned   right under e
 */
import { describe, expect, it } from 'vitest';
import { K, M, anon, kernel, okv, st, teardown } from './helpers';

const HP = 2 * M;

describe('private anonymous mmap placement (thp_get_unmapped_area)', () => {
  it('a 2M-multiple mapping with no hint starts on a 2M boundary, as high as it fits; other lengths are not moved', () => {
    const k = kernel();
    okv(k.spawn('p'));
    const a = okv(k.mmap('p', anon(null, 4 * K)));
    const b = okv(k.mmap('p', anon(null, 64 * M)));
    const c = okv(k.mmap('p', anon(null, 64 * M + 4 * K)));
    const d = okv(k.mmap('p', anon(null, 12 * K)));
    const e = okv(k.mmap('p', anon(null, 2 * M)));
    const f = okv(k.mmap('p', anon(null, 4 * M, 'r')));
    expect(b % HP).toBe(0);
    expect(b + 64 * M).toBe(Math.floor(a / HP) * HP); // the highest 2M boundary under a
    expect(c + 64 * M + 4 * K).toBe(b); // not a multiple of 2M: right under b, unaligned
    expect(c % HP).not.toBe(0);
    expect(d).toBeGreaterThan(b + 64 * M); // the hole b's alignment left above it
    expect(d + 12 * K).toBeLessThanOrEqual(a);
    expect(e % HP).toBe(0);
    expect(e + 2 * M).toBeLessThanOrEqual(c);
    expect(f + 4 * M).toBe(e);
    // 64 MiB touched in 32 PTE tables, not the 33 an unaligned start spans: 32 + PMD + PUD.
    okv(k.touch('p', b, 64 * M, 'write'));
    expect(st(k, 'p').VmPTE).toBe(136 * K);
    teardown(k);
  });

  it('a hint, MAP_FIXED, shared or hugetlb memory is placed as before', () => {
    const k = kernel();
    okv(k.spawn('p'));
    okv(k.mmap('p', anon(null, 4 * K)));
    const hinted = okv(k.mmap('p', { ...anon(null, 2 * M), addr: 0x10001000 }));
    expect(hinted).toBe(0x10001000); // a free hint is taken as it is
    const sh = okv(k.mmap('p', { addr: null, len: 2 * M, prot: 'rw', flags: { shared: true, anon: true } }));
    expect(sh % HP).not.toBe(0); // shmem_get_unmapped_area: no THP for shmem by default
    // A hint that is taken already: the ordinary search (Linux 6.18: 0x10001000 twice gave
    // an address 0x70000 past a 2M boundary the second time).
    const again = okv(k.mmap('p', { ...anon(null, 2 * M), addr: 0x10001000 }));
    expect(again).not.toBe(0x10001000);
    expect(again % HP).not.toBe(0);
    teardown(k);
  });

  it('a hint goes down to its page (round_hint_to_min): one in the first page is no hint, one under 64K goes up to 64K', () => {
    // Linux 6.18 here: 0x10000800 -> 0x10000000, 0x3000 -> 0x10000, 0x800 with 4M -> 2M-aligned.
    const k = kernel();
    okv(k.spawn('p'));
    okv(k.mmap('p', anon(null, 4 * K)));
    expect(okv(k.mmap('p', { ...anon(null, 8 * K), addr: 0x10000800 }))).toBe(0x10000000);
    expect(okv(k.mmap('p', { ...anon(null, 8 * K), addr: 0x3000 }))).toBe(0x10000);
    const nohint = okv(k.mmap('p', { ...anon(null, 4 * M), addr: 0x800 }));
    expect(nohint % HP).toBe(0);
    expect(nohint).toBeGreaterThan(0x7e0000000000);
    teardown(k);
  });
});

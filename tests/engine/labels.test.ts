/**
 * Kernel.labelAddr after `mmap ... as LABEL` twice: the newest mapping holds the label
 * (takeLabel); a split keeps it on both pieces and the lowest is meant; fork copies it.
 */
import { describe, expect, it } from 'vitest';
import { M, anon, consistent, kernel, mmOf, okv } from './helpers';

describe('VMA labels', () => {
  it('a second mmap as h takes the label from the first, wherever the first lies', () => {
    const k = kernel();
    okv(k.spawn('a'));
    okv(k.mmap('a', { ...anon(0x100000000, M), label: 'h' }));
    okv(k.mmap('a', { ...anon(0x200000000, M), label: 'h' }));
    expect(k.labelAddr('a', 'h')).toBe(0x200000000);
    okv(k.mmap('a', { ...anon(0x80000000, M, 'r'), label: 'h' }));
    expect(k.labelAddr('a', 'h')).toBe(0x80000000);
    expect(mmOf(k, 'a').vmas.map((v) => v.label)).toEqual(['h', null, null]);
    consistent(k);
  });

  it('a split leaves the label on both pieces; the name means the lowest; fork copies it', () => {
    const k = kernel();
    okv(k.spawn('a'));
    okv(k.mmap('a', { ...anon(0x100000000, M), label: 'h' }));
    okv(k.munmap('a', 0x100000000, 4096));
    okv(k.mprotect('a', 0x100080000, 4096, 'r'));
    expect(mmOf(k, 'a').vmas.map((v) => v.label)).toEqual(['h', 'h', 'h']);
    expect(k.labelAddr('a', 'h')).toBe(0x100001000);
    okv(k.fork('a', 'b'));
    expect(k.labelAddr('b', 'h')).toBe(0x100001000);
    okv(k.mmap('b', { ...anon(0x300000000, M), label: 'h' }));
    expect(k.labelAddr('b', 'h')).toBe(0x300000000);
    expect(k.labelAddr('a', 'h')).toBe(0x100001000); // the parent's names are its own
    consistent(k);
  });
});

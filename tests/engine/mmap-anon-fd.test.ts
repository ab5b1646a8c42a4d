/**
 * mmap with MAP_ANONYMOUS and a descriptor: Linux's ksys_mmap_pgoff() (mm/mmap.c) calls
 * fget(fd) only `if (!(flags & MAP_ANONYMOUS))`, so the fd of an anonymous mapping is never
 * looked at: a file's, an msharefs file's or a bad one, the mapping is anonymous memory.
 */
import { describe, expect, it } from 'vitest';
import { findVma } from '../../src/engine/mm/vma';
import { K, M, PAGE, consistent, kernel, mmOf, okv, st, teardown } from './helpers';

describe('mmap anon with fd= or file=', () => {
  it('ignores the descriptor: the mapping is anonymous, the file untouched', () => {
    const k = kernel();
    okv(k.spawn('a'));
    okv(k.file('/dev/shm/f', 8 * K));
    const fd = okv(k.open('a', '/dev/shm/f', false));
    const file = k.m.s.paths.get('/dev/shm/f')!;

    const shared = okv(k.mmap('a', { addr: null, len: PAGE, prot: 'rw', flags: { shared: true, anon: true }, fd }));
    const priv = okv(k.mmap('a', { addr: null, len: PAGE, prot: 'rw', flags: { private: true, anon: true }, fd: 99 }));
    const named = okv(k.mmap('a', { addr: null, len: PAGE, prot: 'rw', flags: { private: true, anon: true }, file: '/no/such' }));
    okv(k.write('a', shared, 'shm'));
    okv(k.write('a', priv, 'anon'));
    okv(k.write('a', named, 'anon'));

    const mm = mmOf(k, 'a');
    expect(findVma(mm, shared)!.file!.kind).toBe('shmem-anon');
    expect(findVma(mm, priv)!.file).toBeNull();
    expect(findVma(mm, named)!.file).toBeNull();
    expect(file.mmaps.size).toBe(0);
    expect(file.pages.filter((p) => p !== undefined)).toEqual([]);
    expect(st(k, 'a').RssShmem).toBe(PAGE);
    expect(st(k, 'a').RssAnon).toBe(2 * PAGE);
    expect(st(k, 'a').RssFile).toBe(0);
    consistent(k);
    teardown(k);
  });

  it('with hugetlb is anonymous hugetlb memory, whatever the fd names', () => {
    const k = kernel();
    okv(k.spawn('a'));
    okv(k.file('/dev/shm/f', 8 * K));
    const fd = okv(k.open('a', '/dev/shm/f', false));
    // Without anon, MAP_HUGETLB on a tmpfs file is EINVAL; with it the fd is not looked at.
    expect(k.mmap('a', { addr: null, len: 2 * M, prot: 'rw', flags: { shared: true, hugetlb: true }, fd }).errno).toBe('EINVAL');
    const va = okv(k.mmap('a', { addr: null, len: 2 * M, prot: 'rw', flags: { shared: true, anon: true, hugetlb: true }, fd }));
    okv(k.touch('a', va, 2 * M, 'write'));
    expect(st(k, 'a').HugetlbPages).toBe(2 * M);
    consistent(k);
    teardown(k);
  });

  it('of an msharefs file maps anonymous memory, no region', () => {
    const k = kernel({ mshare: 2024 });
    okv(k.spawn('a'));
    okv(k.mount());
    const fd = okv(k.open('a', '/sys/fs/mshare/r', true));
    const va = okv(k.mmap('a', { addr: null, len: PAGE, prot: 'rw', flags: { shared: true, anon: true }, fd }));
    okv(k.touch('a', va, PAGE, 'write'));
    expect(findVma(mmOf(k, 'a'), va)!.region).toBeNull();
    expect(k.m.s.paths.get('/sys/fs/mshare/r')!.region?.initialized ?? false).toBe(false);
    consistent(k);
    teardown(k);
  });
});

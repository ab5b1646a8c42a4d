/**
 * A task asleep in a userfaultfd missing fault, woken by UFFDIO_COPY, returns to user space
 * and runs the faulting instruction again (handle_userfault() returns VM_FAULT_RETRY; the CPU
 * re-executes the access). What it stored is what memory holds afterwards, not the copy's
 * bytes; a store that crosses into a missing page has written nothing before it sleeps; a
 * touch goes on over the rest of its range.
 */
import { describe, expect, it } from 'vitest';
import { PAGE, anon, consistent, kernel, okv, st, teardown } from './helpers';

function registered(pages: number) {
  const k = kernel();
  okv(k.spawn('a'));
  const va = okv(k.mmap('a', anon(null, pages * PAGE))) as number;
  okv(k.uffdRegister('a', va, pages * PAGE, 'missing'));
  return { k, va };
}

describe('userfaultfd: the woken access runs again', () => {
  it('a blocked write stores its value after uffd copy: the read gives the write, not the copy', () => {
    const { k, va } = registered(1);
    expect(k.write('a', va, 1).blocked).toBe(true);
    expect(okv(k.uffdCopy('a', va, 43))).toBe(1);
    expect(k.task('a')!.state).toBe('running');
    expect(okv(k.read('a', va, 1))).toBe(1);
    consistent(k);
    teardown(k);
  });

  it('a store crossing into a missing page writes no byte before it sleeps, and all of them after', () => {
    const { k, va } = registered(2);
    okv(k.thread('a', 'b')); // a second thread of the process looks while the writer sleeps
    // Page 0 filled by a copy first; the store's last two bytes are on the missing page 1.
    expect(okv(k.uffdCopy('a', va, 0))).toBe(0);
    expect(k.write('a', va + PAGE - 2, 'abcd').blocked).toBe(true);
    expect(okv(k.read('b', va + PAGE - 2, 2))).toBe(0); // nothing stored: the fault came first
    okv(k.uffdCopy('b', va + PAGE, 0));
    expect(k.task('a')!.state).toBe('running');
    expect(k.read('b', va + PAGE - 2, 4).text).toBe('abcd');
    consistent(k);
    teardown(k);
  });

  it('a woken touch goes on over the rest of its range, and sleeps again at the next missing page', () => {
    const { k, va } = registered(4);
    okv(k.uffdCopy('a', va + 2 * PAGE, 7)); // page 2 present, pages 1 and 3 missing
    expect(k.touch('a', va + PAGE, 3 * PAGE, 'write').blocked).toBe(true);
    expect(k.task('a')!.blockedOn!.addr).toBe(va + PAGE);
    expect(okv(k.uffdCopy('a', va + PAGE, 0))).toBe(0); // woken, then asleep again at page 3
    expect(k.task('a')!.state).toBe('blocked');
    expect(k.task('a')!.blockedOn!.addr).toBe(va + 3 * PAGE);
    expect(okv(k.uffdCopy('a', va + 3 * PAGE, 0))).toBe(1);
    expect(k.task('a')!.state).toBe('running');
    consistent(k);
    teardown(k);
  });
});

describe('userfaultfd MISSING on shmem: only an absent page is missing', () => {
  it('a page already in the file\'s cache is mapped as usual; UFFDIO_COPY to it is EEXIST; a copy maps one PTE, not a fault-around window', () => {
    const k = kernel();
    okv(k.file('/m', 64 * 1024));
    okv(k.spawn('w'));
    okv(k.mmap('w', { addr: 0x20000000, len: 64 * 1024, prot: 'rw', file: '/m', flags: { shared: true, private: false, fixed: true } }));
    okv(k.write('w', 0x20000000, 7)); // page 0 of the file is cached
    okv(k.spawn('a'));
    const va = 0x10000000;
    okv(k.mmap('a', { addr: va, len: 64 * 1024, prot: 'rw', file: '/m', flags: { shared: true, private: false, fixed: true } }));
    okv(k.uffdRegister('a', va, 64 * 1024, 'missing'));
    // shmem_get_folio_gfp finds page 0: no missing fault, the read maps it.
    expect(okv(k.read('a', va, 1))).toBe(7);
    expect(k.task('a')!.state).toBe('running');
    expect(k.uffdCopy('a', va, 1).errno).toBe('EEXIST');
    // Page 2 is absent: the read blocks; the copy fills and maps that page alone.
    expect(k.read('a', va + 2 * PAGE, 1).errno).toBeNull();
    expect(k.task('a')!.state).toBe('blocked');
    okv(k.uffdCopy('a', va + 2 * PAGE, 9));
    expect(k.task('a')!.state).toBe('running');
    expect(st(k, 'a').RssShmem).toBe(2 * PAGE); // pages 0 and 2, nothing around page 2
    expect(okv(k.read('w', 0x20000000 + 2 * PAGE, 1))).toBe(9);
    consistent(k);
    teardown(k);
  });
});

describe('UFFDIO_COPY by mapping kind (mfill_atomic_pte)', () => {
  it('into a MAP_PRIVATE file mapping: an anonymous page, the file untouched, even where the file has a page', () => {
    const k = kernel();
    okv(k.file('/f', 2 * 1024 * 1024));
    okv(k.spawn('a'));
    const S = 0x40000000;
    const P = 0x80000000;
    okv(k.mmap('a', { addr: S, len: 2 * 1024 * 1024, prot: 'rw', file: '/f', flags: { shared: true, private: false, fixed: true } }));
    okv(k.write('a', S, 7)); // the file's page 0 is cached
    okv(k.mmap('a', { addr: P, len: 2 * 1024 * 1024, prot: 'rw', file: '/f', flags: { shared: false, private: true, fixed: true } }));
    okv(k.uffdRegister('a', P, 2 * 1024 * 1024, 'missing'));
    okv(k.uffdCopy('a', P, 99));
    okv(k.uffdCopy('a', P + PAGE, 55));
    expect(st(k, 'a').RssAnon).toBe(2 * PAGE);
    expect(okv(k.read('a', S, 1))).toBe(7);
    expect(okv(k.read('a', S + PAGE, 1))).toBe(0);
    expect(okv(k.read('a', P, 1))).toBe(99);
    expect(okv(k.read('a', P + PAGE, 1))).toBe(55);
    consistent(k);
    teardown(k);
  });

  it('into a shared hugetlbfs mapping whose page is cached: EEXIST, the page unchanged', () => {
    const k = kernel();
    okv(k.spawn('a'));
    const fd = okv(k.open('a', '/dev/hugepages/f', true));
    const H = 0x40000000;
    okv(k.mmap('a', { addr: H, len: 2 * 1024 * 1024, prot: 'rw', fd, flags: { shared: true, private: false, fixed: true } }));
    okv(k.write('a', H, 7));
    okv(k.fork('a', 'b'));
    okv(k.uffdRegister('b', H, 2 * 1024 * 1024, 'missing'));
    expect(k.uffdCopy('b', H + PAGE, 1).errno).toBe('EEXIST');
    expect(k.uffdCopy('b', H, 99).errno).toBe('EEXIST');
    expect(okv(k.read('a', H, 1))).toBe(7);
    consistent(k);
    teardown(k);
  });
});

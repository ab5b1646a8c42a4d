/**
 * Zero-length gup and touch. Linux's __get_user_pages (mm/gup.c) starts with
 * `if (!nr_pages) return 0;`, before it looks at the address: pin_user_pages of no pages pins
 * none and succeeds. `touch` is the language's own verb, an access to every page of the
 * range: no bytes are no access (as memset(p, 0, 0)), so it touches nothing and returns 0
 * pages. userfaultfd's register still refuses len 0 (validate_range), as before.
 */
import { describe, expect, it } from 'vitest';
import { K, PAGE, anon, consistent, kernel, okv, pte, st, teardown } from './helpers';

describe('gup and touch of 0 bytes', () => {
  it('do nothing and return 0, wherever the address points', () => {
    const k = kernel();
    okv(k.spawn('a'));
    const h = okv(k.mmap('a', anon(null, 64 * K)));
    okv(k.touch('a', h, PAGE, 'write'));
    const before = st(k, 'a');
    for (const addr of [h + 32 * K, h + 40 * K + 100, 0x10000, 2 ** 47 + PAGE]) {
      const g = k.gup('a', addr, 0, true);
      expect([g.value, g.errno, g.signal], `gup ${addr}`).toEqual([0, null, null]);
      const t = k.touch('a', addr, 0, 'write');
      expect([t.value, t.errno, t.signal], `touch ${addr}`).toEqual([0, null, null]);
    }
    expect(k.task('a')!.state).toBe('running');
    expect(k.task('a')!.pins).toEqual([]);
    expect(pte(k, 'a', h + 32 * K)?.present ?? false).toBe(false);
    expect(st(k, 'a')).toEqual(before);
    // One byte is one page, as before.
    expect(okv(k.touch('a', h + 32 * K, 1, 'write'))).toBe(1);
    expect(okv(k.gup('a', h + 40 * K, 1, true))).toBe(1);
    expect(k.uffdRegister('a', h, 0, 'missing').errno).toBe('EINVAL');
    okv(k.unpin('a', h + 40 * K, PAGE));
    consistent(k);
    teardown(k);
  });
});

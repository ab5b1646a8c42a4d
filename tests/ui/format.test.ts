import { describe, expect, it } from 'vitest';
import { kB, procKB } from '../../src/ui/format';

describe('format', () => {
  it('procKB truncates as /proc prints kB (a Pss of 2,730 bytes is 2 kB); kB rounds', () => {
    expect(procKB(2730)).toBe('2 kB');
    expect(procKB(4096)).toBe('4 kB');
    expect(procKB(1023)).toBe('0 kB');
    expect(procKB(2 ** 30)).toBe('1,048,576 kB');
    expect(kB(2730)).toBe('3 kB');
  });
});

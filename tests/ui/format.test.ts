import { describe, expect, it } from 'vitest';
import { cpumaskHex, kB, procKB, vmaAddrArg } from '../../src/ui/format';

describe('format', () => {
  it('procKB truncates as /proc prints kB (a Pss of 2,730 bytes is 2 kB); kB rounds', () => {
    expect(procKB(2730)).toBe('2 kB');
    expect(procKB(4096)).toBe('4 kB');
    expect(procKB(1023)).toBe('0 kB');
    expect(procKB(2 ** 30)).toBe('1,048,576 kB');
    expect(kB(2730)).toBe('3 kB');
  });
});

describe('percentFree', () => {
  it('never says 100% free while frames are in use, nor 0% while some are free', async () => {
    const { percentFree } = await import('../../src/ui/export/export-view');
    expect(percentFree(100, 100)).toBe('100%');
    expect(percentFree(0, 100)).toBe('0%');
    expect(percentFree(50, 100)).toBe('50%');
    expect(percentFree(65000, 65280)).toBe('99.5%');
    expect(percentFree(65279, 65280)).toBe('99.9%');
    expect(percentFree(1, 65280)).toBe('< 0.1%');
    expect(percentFree(200, 65280)).toBe('0.3%');
  });
});

describe('vmaAddrArg: the ADDR the toolbar writes for a selected VMA', () => {
  const v = (label: string | null, startNum: number) => ({ label, startNum });
  it('is the label of the VMA it names, hex for an unlabelled one', () => {
    const vmas = [v(null, 0x10000), v('h', 0x100000000)];
    expect(vmaAddrArg(vmas, vmas[1])).toBe('h');
    expect(vmaAddrArg(vmas, vmas[0])).toBe('0x10000');
  });
  it('is label+OFFSET for a higher piece of a split VMA (the label means the lowest piece)', () => {
    const vmas = [v('h', 0x100000000), v('h', 0x100080000), v('h', 0x100081000)];
    expect(vmaAddrArg(vmas, vmas[1])).toBe('h+512K');
    expect(vmaAddrArg(vmas, vmas[2])).toBe('h+516K');
  });

  it('cpumaskHex prints mm_cpumask unsigned and exact up to CPU 63', () => {
    expect(cpumaskHex([])).toBe('0x0');
    expect(cpumaskHex([1, 31])).toBe('0x80000002');
    expect(cpumaskHex([33])).toBe('0x200000000');
    expect(cpumaskHex([0, 63])).toBe('0x8000000000000001');
  });
});

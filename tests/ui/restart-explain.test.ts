import { describe, expect, it } from 'vitest';
import { explainRestart, machineChanges, type MachineShape } from '../../src/ui/restart-explain';

const four: MachineShape = { ram: 256 * 2 ** 20, cpus: 2, levels: 4, mshare: 2024, tlb: 64, pcid: true };
const five: MachineShape = { ...four, levels: 5 };

describe('explainRestart', () => {
  it('names the change and why PageTables differs when an expect newly fails on 5 levels', () => {
    const why = explainRestart(four, five, { failed: 0, errors: 0 }, { failed: 1, errors: 0 });
    expect(why).toContain('paging 4 → 5 levels');
    expect(why).toContain('1 expect that held before the restart fails');
    expect(why).toContain('one more table page (a P4D, 4 KiB)');
  });
  it('says nothing when no expect newly fails, or nothing changed', () => {
    expect(explainRestart(four, five, { failed: 1, errors: 0 }, { failed: 1, errors: 0 })).toBeNull();
    expect(explainRestart(four, four, { failed: 0, errors: 0 }, { failed: 2, errors: 0 })).toBeNull();
  });
  it('explains other changes without the paging sentence', () => {
    const why = explainRestart(four, { ...four, ram: 64 * 2 ** 20 }, { failed: 0, errors: 0 }, { failed: 2, errors: 0 });
    expect(why).toContain('RAM 256M → 64M');
    expect(why).toContain('2 expects that held before the restart fail');
    expect(why).not.toContain('P4D');
  });
  it('lists every setting that differs', () => {
    expect(machineChanges(four, { ...five, cpus: 4, pti: true, shmemThp: 'always', mshare: 2025 })).toEqual([
      'paging 4 → 5 levels', 'CPUs 2 → 4', 'PTI off → on', 'shmem THP never → always', 'mshare 2024 → 2025',
    ]);
  });
});

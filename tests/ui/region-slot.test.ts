/**
 * The region form's slot (region-slot.ts): the lowest free 1 TiB step, never a range a
 * region or a mapping of the task already holds (review 7: the form used to put a new
 * region over a script's region at 2 TiB and wipe its object with MAP_FIXED).
 */
import { describe, expect, it } from 'vitest';
import { freeRegionSlot, userTop } from '../../src/ui/region-slot';

const T = 2 ** 40;
const G512 = 2 ** 39;

describe('freeRegionSlot', () => {
  it('the first slot is 1 TiB in an empty address space', () => {
    expect(freeRegionSlot([], userTop(4))).toBe(T);
  });

  it('skips a region or mapping that overlaps a slot, wherever it starts', () => {
    expect(freeRegionSlot([{ start: T, end: T + G512 }], userTop(4))).toBe(2 * T);
    expect(freeRegionSlot([{ start: 2 * T, end: 2 * T + G512 }], userTop(4))).toBe(T);
    // A small mapping inside the slot's 512 GiB makes it unusable too.
    expect(freeRegionSlot([{ start: T + G512 - 4096, end: T + G512 }], userTop(4))).toBe(2 * T);
    // One just past the slot's 512 GiB does not.
    expect(freeRegionSlot([{ start: T + G512, end: T + G512 + 4096 }], userTop(4))).toBe(T);
  });

  it('null when every slot below TASK_SIZE_MAX is taken; 5-level paging has more', () => {
    const all = [{ start: 0, end: userTop(4) }];
    expect(freeRegionSlot(all, userTop(4))).toBeNull();
    expect(freeRegionSlot(all, userTop(5))).toBe(128 * T);
  });
});

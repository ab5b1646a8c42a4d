/**
 * The engine's "uapi": the layouts of the shared buffers, which the UI may import to read
 * page tables and frame descriptors zero-copy. Nothing here has behaviour beyond decoding.
 */
export {
  PAGE_SIZE, FRAME_USE_NAMES, DESC_FIELDS, frameDescViews, PG_ANON_EXCLUSIVE, PG_HEAD, PG_TAIL,
  type FrameDescViews,
} from './hw/physmem';
export {
  PTE_P, PTE_RW, PTE_US, PTE_A, PTE_D, PTE_PS, PTE_SPECIAL, PTE_PROTNONE, PTE_HI_NX,
  entryPfn, decodeEntry, flagString, type DecodedEntry,
} from './hw/pte';
export type { ModelSnapshot, TaskModel, MmModel, VmaModel, RegionModel } from './model';

/** Address bits indexed at each level, top first (R1, R2). */
export function levelShifts(levels: number): number[] {
  return levels === 5 ? [48, 39, 30, 21, 12] : [39, 30, 21, 12];
}

export function levelNames(levels: number): string[] {
  return levels === 5 ? ['PML5', 'P4D', 'PUD', 'PMD', 'PTE'] : ['PGD', 'PUD', 'PMD', 'PTE'];
}

/** Index of `va` in a table at the level that indexes bit `shift` (9 bits). */
export function tableIndex(va: number, shift: number): number {
  return Math.floor(va / 2 ** shift) % 512;
}

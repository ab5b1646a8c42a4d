/**
 * Where the toolbar's "Create region…" form places a 2024-design region: the lowest 1 TiB
 * step (so 512 GiB-aligned, as mshare_align requires) whose 512 GiB is free in the creating
 * task's address space and in no other region. The form used to take "1 TiB × (regions + 1)",
 * which after a script placed a region there, or after an unlink, fell on an existing region:
 * the region's own mmap failed and the object mmap, MAP_FIXED, replaced the other region's
 * contents.
 */
const TIB = 2 ** 40;
const REGION = 2 ** 39;

export interface Span {
  start: number;
  end: number;
}

/** The slot's address, or null when no 1 TiB step below `top` is free. */
export function freeRegionSlot(taken: readonly Span[], top: number): number | null {
  for (let at = TIB; at + REGION <= top; at += TIB) {
    if (!taken.some((s) => s.start < at + REGION && at < s.end)) return at;
  }
  return null;
}

/** The user address space's top for the machine's paging levels (TASK_SIZE_MAX). */
export function userTop(levels: number): number {
  return (levels === 5 ? 2 ** 56 : 2 ** 47) - 4096;
}

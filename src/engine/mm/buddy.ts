/**
 * Buddy allocator over the frame descriptors, orders 0..MAX_ORDER (like mm/page_alloc.c).
 *
 * Free blocks are kept in per-order doubly linked lists threaded through the descriptor
 * arrays `next`/`prev`, so the whole allocator state lives in the shared descriptor buffer
 * and a checkpoint of the buffers checkpoints the allocator too. Only the head frame of a
 * free block carries PG_BUDDY and its order. Allocation is LIFO within an order and splits
 * the lowest-address half off first, so it is deterministic.
 */
import { FrameUse, MAX_ORDER, PG_BUDDY, PhysMem } from '../hw/physmem';

export interface BuddyState {
  /** Head pfn of each order's free list, -1 when empty. */
  heads: number[];
  /** Free frames per order (block count). */
  counts: number[];
  freeFrames: number;
}

export function newBuddyState(): BuddyState {
  return { heads: new Array(MAX_ORDER + 1).fill(-1), counts: new Array(MAX_ORDER + 1).fill(0), freeFrames: 0 };
}

function listAdd(pm: PhysMem, b: BuddyState, pfn: number, order: number): void {
  const d = pm.d;
  const head = b.heads[order];
  d.next[pfn] = head;
  d.prev[pfn] = -1;
  if (head >= 0) d.prev[head] = pfn;
  b.heads[order] = pfn;
  d.flags[pfn] |= PG_BUDDY;
  d.order[pfn] = order;
  b.counts[order]++;
}

function listDel(pm: PhysMem, b: BuddyState, pfn: number, order: number): void {
  const d = pm.d;
  const n = d.next[pfn];
  const p = d.prev[pfn];
  if (p >= 0) d.next[p] = n;
  else b.heads[order] = n;
  if (n >= 0) d.prev[n] = p;
  d.flags[pfn] &= ~PG_BUDDY;
  d.order[pfn] = 0;
  b.counts[order]--;
}

/** Allocate 2^order contiguous frames; returns the first pfn or -1 when nothing is free. */
export function buddyAlloc(pm: PhysMem, b: BuddyState, order: number): number {
  let o = order;
  while (o <= MAX_ORDER && b.heads[o] < 0) o++;
  if (o > MAX_ORDER) return -1;
  const pfn = b.heads[o];
  listDel(pm, b, pfn, o);
  // Split: keep the low half, give the high halves back.
  while (o > order) {
    o--;
    listAdd(pm, b, pfn + (1 << o), o);
  }
  b.freeFrames -= 1 << order;
  return pfn;
}

/** Free 2^order frames at pfn, merging with free buddies. Descriptors must be reset by the caller. */
export function buddyFree(pm: PhysMem, b: BuddyState, pfn: number, order: number): void {
  b.freeFrames += 1 << order;
  const d = pm.d;
  let o = order;
  let p = pfn;
  while (o < MAX_ORDER) {
    const buddy = p ^ (1 << o);
    if (buddy >= pm.nframes || (d.flags[buddy] & PG_BUDDY) === 0 || d.order[buddy] !== o) break;
    listDel(pm, b, buddy, o);
    p = Math.min(p, buddy);
    o++;
  }
  listAdd(pm, b, p, o);
}

/** Seed the allocator with every frame from `firstFree` up (frames below are reserved). */
export function buddyInit(pm: PhysMem, b: BuddyState, firstFree: number): void {
  let pfn = firstFree;
  while (pfn < pm.nframes) {
    let o = MAX_ORDER;
    while (o > 0 && ((pfn & ((1 << o) - 1)) !== 0 || pfn + (1 << o) > pm.nframes)) o--;
    pm.d.use[pfn] = FrameUse.Free;
    buddyFree(pm, b, pfn, o);
    pfn += 1 << o;
  }
}

/** True when pfn lies inside a free buddy block (for the invariant checker). */
export function freeFrameSet(pm: PhysMem, b: BuddyState): Uint8Array {
  const out = new Uint8Array(pm.nframes);
  for (let o = 0; o <= MAX_ORDER; o++) {
    for (let p = b.heads[o]; p >= 0; p = pm.d.next[p]) out.fill(1, p, p + (1 << o));
  }
  return out;
}

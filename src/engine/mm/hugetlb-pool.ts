/**
 * The hugetlb pool and its reservations (mm/hugetlb.c), for the one hstate: 2 MiB pages.
 *
 * The machine has no persistent huge pages (nr_hugepages 0) and unlimited overcommit
 * (nr_overcommit_hugepages): every huge page is a surplus page, taken from the buddy
 * allocator when needed and given back when freed (free_huge_folio). As in Linux:
 * - mmap reserves (hugetlb_reserve_pages): a private mapping every huge page of its range, a
 *   shared one the file's pages not reserved yet. gather_surplus_pages allocates them at
 *   once, into the pool's free list, or the mmap fails with ENOMEM. MAP_NORESERVE reserves
 *   nothing.
 * - A fault takes its reserved page from the pool; without a reservation it takes a free
 *   unreserved pool page or a fresh surplus page, and with none left the fault is SIGBUS
 *   (alloc_hugetlb_folio's -ENOSPC). Never the OOM killer: the allocations are
 *   __GFP_RETRY_MAYFAIL, and huge pages are not charged to memory cgroups (Machine.allocFrames).
 * - Unused reservations go back when a private VMA closes (hugetlb_vm_op_close) and when a
 *   file's pages go (hugetlb_unreserve_pages, on truncation and eviction), and the surplus
 *   pages with them (return_unused_surplus_pages).
 * - When the owner of a private mapping must copy a page its child still maps and no page is
 *   left, it takes the page from the child (hugetlb.ts unmapRefPrivate).
 */
import { FrameUse, HUGE_ORDER } from '../hw/physmem';
import type { Machine } from '../machine';
import { VM_MAYSHARE, VM_NORESERVE, type Inode, type Vma } from '../types';

const HPAGE = 0x200000;
/** 4 KiB pages per huge page. */
const HPAGE_PAGES = 512;

/** A fresh surplus page from the buddy allocator (alloc_surplus_hugetlb_folio), or -1. */
function allocSurplus(m: Machine): number {
  const pfn = m.allocFrames(HUGE_ORDER, FrameUse.Hugetlb, 0);
  if (pfn >= 0) m.s.hstate.nr++;
  return pfn;
}

/** A free pool page: reference count 0, on the free list (enqueue_hugetlb_folio). */
function enqueueFree(m: Machine, pfn: number): void {
  m.pm.d.refcount[pfn] = 0;
  m.s.hstate.freeList.push(pfn);
  m.s.hstate.free++;
}

/** A page off the free list, with the reference its user holds (dequeue_hugetlb_folio). */
function dequeueFree(m: Machine): number {
  const hs = m.s.hstate;
  const pfn = hs.freeList.pop()!;
  hs.free--;
  m.pm.d.refcount[pfn] = 1;
  return pfn;
}

/**
 * free_huge_folio() of a surplus page, and update_and_free_hugetlb_folio() of a free one: out
 * of the pool, back to the buddy allocator (Machine.putPage calls it at the last reference).
 */
export function freeHugeFolio(m: Machine, pfn: number): void {
  m.s.hstate.nr--;
  m.freeFrames(pfn, HUGE_ORDER);
}

/**
 * hugetlb_acct_memory(): reserve `delta` more huge pages (gather_surplus_pages allocates what
 * the free pool lacks, all or nothing: false when RAM runs out), or give `-delta` back.
 */
export function hugetlbAcct(m: Machine, delta: number): boolean {
  const hs = m.s.hstate;
  if (delta < 0) {
    returnUnusedSurplus(m, -delta);
    return true;
  }
  const needed = hs.resv + delta - hs.free;
  const got: number[] = [];
  for (let i = 0; i < needed; i++) {
    const pfn = allocSurplus(m);
    if (pfn < 0) {
      for (const p of got) freeHugeFolio(m, p);
      return false;
    }
    got.push(pfn);
  }
  hs.resv += delta;
  for (const p of got) enqueueFree(m, p);
  return true;
}

/** return_unused_surplus_pages(): drop `unused` reservations and free as many free surplus pages. */
function returnUnusedSurplus(m: Machine, unused: number): void {
  const hs = m.s.hstate;
  hs.resv -= unused;
  // Every pool page is surplus, so up to `unused` free ones go (never below the reservations
  // left: free >= resv held before, and both drop by the same amount).
  for (let n = Math.min(unused, hs.nr); n > 0 && hs.free > 0; n--) freeHugeFolio(m, dequeueFree(m));
}

/** The huge-page index of `addr` in `vma`'s object (vma_hugecache_offset). */
export function hugeIndex(vma: Vma, addr: number): number {
  return vma.pgoff / HPAGE_PAGES + Math.floor((addr - vma.start) / HPAGE);
}

/** The reservation map a shared mapping uses: its inode's. */
function inodeResv(inode: Inode): Set<number> {
  return (inode.resv ??= new Set());
}

/**
 * vma_needs_reservation(): 0 when a reservation for page `idx` is there to consume, 1 when
 * not (a shared mapping: the file has none for it; a private one: it was consumed, or the
 * VMA owns none, as a fork's child does not).
 */
function needsReservation(vma: Vma, idx: number): 0 | 1 {
  if (vma.flags & VM_MAYSHARE) return vma.file?.resv?.has(idx) ? 0 : 1;
  if (vma.resv) return vma.resv.consumed.has(idx) ? 1 : 0;
  return 1;
}

/** vma_has_reserves(): whether this fault may take a reserved page. */
function hasReserves(vma: Vma, chg: 0 | 1): boolean {
  // A shared MAP_NORESERVE mapping may still use what another mapping reserved on the file.
  if (vma.flags & VM_NORESERVE) return (vma.flags & VM_MAYSHARE) !== 0 && chg === 0;
  if (vma.flags & VM_MAYSHARE) return chg === 0;
  return !!vma.resv && chg === 0;
}

/** vma_commit_reservation(): record that page `idx` now has its page. */
function commitReservation(vma: Vma, idx: number): void {
  if (vma.flags & VM_MAYSHARE) {
    if (vma.file) inodeResv(vma.file).add(idx);
  } else if (vma.resv) vma.resv.consumed.add(idx);
}

/**
 * alloc_hugetlb_folio(): the page a fault at `addr` maps, with one reference: a reserved one
 * from the pool when `vma` holds a reservation for it, else a free unreserved pool page or a
 * fresh surplus page. -1 when there is none: the fault's SIGBUS. `avoidReserve` is hugetlb_wp's
 * outside_reserve: the owner of a private mapping copying a page its child still maps.
 */
export function allocHugetlbFolio(m: Machine, vma: Vma, addr: number, avoidReserve: boolean): number {
  const hs = m.s.hstate;
  const idx = hugeIndex(vma, addr);
  const chg = needsReservation(vma, idx);
  let pfn: number;
  if (!avoidReserve && hasReserves(vma, chg) && hs.free > 0) {
    pfn = dequeueFree(m);
    hs.resv--;
  } else if (hs.free - hs.resv > 0) {
    pfn = dequeueFree(m);
  } else {
    pfn = allocSurplus(m);
    if (pfn < 0) return -1;
  }
  commitReservation(vma, idx);
  return pfn;
}

/**
 * hugetlb_reserve_pages() for a new hugetlb VMA: false (mmap's ENOMEM) when the pages cannot
 * be had. Sets the VMA's own reservation for a private mapping.
 */
export function hugetlbReserve(m: Machine, vma: Vma): boolean {
  if (vma.flags & VM_NORESERVE) return true;
  const from = hugeIndex(vma, vma.start);
  const to = hugeIndex(vma, vma.end);
  if (vma.flags & VM_MAYSHARE) {
    // region_chg(): only the file's pages nobody reserved yet.
    const resv = inodeResv(vma.file!);
    let chg = 0;
    for (let i = from; i < to; i++) if (!resv.has(i)) chg++;
    if (!hugetlbAcct(m, chg)) return false;
    for (let i = from; i < to; i++) resv.add(i);
    return true;
  }
  if (!hugetlbAcct(m, to - from)) return false;
  vma.resv = { consumed: new Set() };
  return true;
}

/**
 * hugetlb_vm_op_close(): a private VMA that owns a reservation gives back the part of it no
 * fault consumed in its range (the other pieces of a split keep theirs).
 */
export function hugetlbVmaClose(m: Machine, vma: Vma): void {
  if (!vma.resv || vma.flags & VM_MAYSHARE) return;
  const from = hugeIndex(vma, vma.start);
  const to = hugeIndex(vma, vma.end);
  let consumed = 0;
  for (const i of vma.resv.consumed) if (i >= from && i < to) consumed++;
  const unused = to - from - consumed;
  if (unused > 0) hugetlbAcct(m, -unused);
}

/**
 * hugetlb_unreserve_pages(): the file's huge pages from index `from` (4 KiB units) on are gone
 * (truncation or eviction), `freed` of them cached: the reservations no fault consumed go back.
 */
export function hugetlbUnreserve(m: Machine, inode: Inode, from: number, freed: number): void {
  const resv = inode.resv;
  if (!resv) return;
  const first = Math.ceil(from / HPAGE_PAGES);
  let chg = 0;
  for (const i of [...resv]) {
    if (i < first) continue;
    resv.delete(i);
    chg++;
  }
  if (chg > freed) hugetlbAcct(m, -(chg - freed));
}

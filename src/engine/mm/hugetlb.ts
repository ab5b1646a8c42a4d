/**
 * hugetlb 2 MiB pages and PMD sharing (mm/hugetlb.c), rules H1-H8.
 *
 * Huge pages come from the pool (hugetlb-pool.ts): surplus pages, reserved at mmap and
 * taken by faults; with none to be had a fault is SIGBUS, not OOM. A shared hugetlb VMA that
 * covers a whole 1 GiB PUD-aligned unit can point its PUD entry at another VMA's PMD page for
 * the same file offset (huge_pmd_share), in another mm or its own; the page's share count
 * (pt_share_count) counts the extra PUD entries and every sharer's VmPTE includes the page
 * once per entry (H8).
 */
import { PG_ANON_EXCLUSIVE } from '../hw/physmem';
import { PAGE_TABLE, PTE_A, PTE_D, PTE_P, PTE_PS, PTE_RW, PTE_US, entryPfn, makeHi, makeLo } from '../hw/pte';
import { PMD_SHIFT, flushTlbRange } from '../hw/cpu';
import type { Machine } from '../machine';
import { VM_EXEC, VM_HUGETLB, VM_LOCKED, VM_MAYSHARE, VM_SHARED, VM_UFFD_WP, VM_WRITE, type Mm, type Vma } from '../types';
import { FAULT_OK, FAULT_OOM, FAULT_SIGBUS, anonVmaPrepare, type FaultResult } from './fault';
import { fileSizePages } from './pagecache';
import { allocHugetlbFolio, hugeIndex } from './hugetlb-pool';
import { allocTable, ensureTable, entryIndex, findTable, pgIndex } from './pgtable';
import { tracePteClear, tracePteSet } from './pte-trace';
import { findVma, vmasIn } from './vma';

export const HPAGE = 0x200000;
export const PUD_SIZE = 0x40000000;

let lastShared = false;
/** Whether the last hugetlb fault linked a shared PMD page (for the trace). */
export function lastFaultShared(): boolean {
  return lastShared;
}

/** want_pmd_share(): VM_MAYSHARE, no uffd-wp, and the VMA covers the whole 1 GiB unit (H3). */
export function wantPmdShare(vma: Vma, addr: number): boolean {
  if (!(vma.flags & VM_MAYSHARE) || !vma.file || vma.flags & VM_UFFD_WP) return false;
  const base = Math.floor(addr / PUD_SIZE) * PUD_SIZE;
  return base >= vma.start && base + PUD_SIZE <= vma.end;
}

/**
 * huge_pmd_share's search of i_mmap for a sharer with a PMD page for the same offset (H4).
 * Only `vma` itself is skipped: another VMA of the same mm mapping the same file unit shares
 * too (page_table_shareable has no same-mm test), and the mm then has two PUD entries on one
 * PMD page, each counted in its pgtables_bytes and the second in the share count.
 */
function findSharablePmd(m: Machine, vma: Vma, base: number): number {
  const idx = vma.pgoff + (base - vma.start) / 4096;
  for (const s of vma.file!.mmaps) {
    if (s === vma) continue;
    if ((s.flags & ~VM_LOCKED) !== (vma.flags & ~VM_LOCKED)) continue;
    const sbase = s.start + (idx - s.pgoff) * 4096;
    if (sbase % PUD_SIZE !== 0 || sbase < s.start || sbase + PUD_SIZE > s.end) continue;
    const pmd = findTable(m, s.mm.pgd, sbase, m.geo.pmdDepth);
    if (pmd >= 0) return pmd;
  }
  return -1;
}

/** huge_pte_alloc: the PMD table for `addr`, shared when possible. -1 when out of memory. */
function hugePmdAlloc(m: Machine, mm: Mm, vma: Vma, addr: number): number {
  lastShared = false;
  const pud = ensureTable(m, mm, addr, m.geo.pudDepth);
  if (pud < 0) return -1;
  const u32 = m.pm.u32;
  const ei = entryIndex(pud, pgIndex(addr, 30));
  if (u32[ei] & PTE_P) return entryPfn(u32[ei], u32[ei + 1]);
  let pmd = -1;
  if (wantPmdShare(vma, addr)) pmd = findSharablePmd(m, vma, Math.floor(addr / PUD_SIZE) * PUD_SIZE);
  if (pmd >= 0) {
    m.pm.d.share[pmd]++;
    mm.pgtablesBytes += 4096; // mm_inc_nr_pmds in every sharer (H8)
    lastShared = true;
  } else {
    pmd = allocTable(m, mm, m.geo.pmdDepth);
    if (pmd < 0) return -1;
  }
  u32[ei] = makeLo(pmd, PAGE_TABLE);
  u32[ei + 1] = makeHi(pmd, false);
  tracePteSet(m, mm, Math.floor(addr / PUD_SIZE) * PUD_SIZE, 'pud', pmd);
  return pmd;
}

export function hugetlbFault(m: Machine, mm: Mm, vma: Vma, va: number, write: boolean): FaultResult {
  const hva = Math.floor(va / HPAGE) * HPAGE;
  const pmd = hugePmdAlloc(m, mm, vma, hva);
  if (pmd < 0) return FAULT_OOM;
  const u32 = m.pm.u32;
  const ei = entryIndex(pmd, pgIndex(hva, 21));
  const lo = u32[ei];
  const hi = u32[ei + 1];
  const r = hugetlbPmdFault(m, mm, vma, hva, ei, lo, write);
  if (r === FAULT_OK && (u32[ei] !== lo || u32[ei + 1] !== hi)) tracePteSet(m, mm, hva, 'pmd', entryPfn(u32[ei], u32[ei + 1]));
  return r;
}

/**
 * folio_test_anon() for a hugetlb folio. Anonymous ones (MAP_ANONYMOUS, private COW copies)
 * are given their mm as owner when allocated (allocHugetlbFolio in hugetlbPmdFault, hugetlbWp,
 * fork's copy); hugetlbfs page-cache folios keep owner 0, and hugetlb frames never change owner.
 */
export function hugetlbFolioAnon(m: Machine, pfn: number): boolean {
  return m.pm.d.owner[pfn] !== 0;
}

/**
 * A new anonymous huge page for `vma` at `hva` from the pool, its rmap set up and exclusive
 * (hugetlb_add_new_anon_rmap); the caller maps it and counts the mapping. -1 when there is none.
 */
export function newAnonHugePage(m: Machine, mm: Mm, vma: Vma, hva: number, avoidReserve: boolean): number {
  const pfn = allocHugetlbFolio(m, vma, hva, avoidReserve);
  if (pfn < 0) return -1;
  const d = m.pm.d;
  d.owner[pfn] = mm.id;
  d.mapping[pfn] = anonVmaPrepare(m, vma).id;
  d.index[pfn] = Math.floor(hva / 4096);
  d.flags[pfn] |= PG_ANON_EXCLUSIVE;
  return pfn;
}

/**
 * A new anonymous huge page for `vma` at `hva` holding a copy of the huge page at `old`
 * (copy_user_large_folio), mapped once by the caller. -1 when the pool has none.
 */
export function copyAnonHugePage(m: Machine, mm: Mm, vma: Vma, hva: number, old: number, avoidReserve: boolean): number {
  const pfn = newAnonHugePage(m, mm, vma, hva, avoidReserve);
  if (pfn < 0) return -1;
  m.pm.copyFrame(pfn, old, 512);
  m.pm.d.mapcount[pfn] = 1;
  return pfn;
}

/**
 * hugetlb_wp(): a write to (or, with `unshare`, a read pin of) a private huge page it may not
 * write. An anonymous page mapped once is reused: Linux deliberately does not look at the
 * refcount, so a pin (or any other extra reference) never makes the owner copy away from its
 * own DMA target; the page becomes exclusive again (SetPageAnonExclusive). Otherwise a copy.
 * For FAULT_FLAG_UNSHARE the entry stays read-only and clean (make_huge_pte(..., !unshare)).
 */
function hugetlbWp(m: Machine, mm: Mm, vma: Vma, hva: number, ei: number, lo: number, unshare: boolean): FaultResult {
  const u32 = m.pm.u32;
  const d = m.pm.d;
  const old = entryPfn(lo, u32[ei + 1]);
  if (d.mapcount[old] === 1 && hugetlbFolioAnon(m, old)) {
    if (!(d.flags[old] & PG_ANON_EXCLUSIVE)) d.mapping[old] = anonVmaPrepare(m, vma).id; // folio_move_anon_rmap
    d.flags[old] |= PG_ANON_EXCLUSIVE;
    if (!unshare) u32[ei] = lo | PTE_RW | PTE_D | PTE_A;
    return FAULT_OK;
  }
  // The owner of the reservation copies outside it (outside_reserve): the page it reserved
  // for this address was consumed by the fault that mapped the page it now copies.
  const cached = vma.file !== null && vma.file.pages[hugeIndex(vma, hva) * 512] === old;
  const outside = !!vma.resv && !cached;
  const pfn = copyAnonHugePage(m, mm, vma, hva, old, outside);
  if (pfn < 0) {
    // No page for the copy. The owner of the mapping takes the page from the children
    // instead (unmap_ref_private), then reuses it (retry_avoidcopy); anyone else gets SIGBUS.
    if (!outside) return FAULT_SIGBUS;
    unmapRefPrivate(m, vma, hva, old);
    return d.mapcount[old] === 1 ? hugetlbWp(m, mm, vma, hva, ei, u32[ei], unshare) : FAULT_SIGBUS;
  }
  u32[ei] = makeLo(pfn, PTE_P | PTE_US | PTE_PS | PTE_A | (unshare ? 0 : PTE_D | PTE_RW));
  u32[ei + 1] = makeHi(pfn, (vma.flags & VM_EXEC) === 0);
  d.mapcount[old]--;
  flushTlbRange(m, mm, hva, hva + HPAGE, PMD_SHIFT); // huge_ptep_clear_flush: INVLPG drops the 2 MiB entry
  m.putPage(old);
  return FAULT_OK;
}

/**
 * unmap_ref_private(): unmap page `old` at `hva` of the owner's private `vma` from every other
 * private VMA mapping it without a reservation of its own (the fork children), and mark those
 * VMAs (HPAGE_RESV_UNMAPPED): their next fault on a missing page is SIGBUS, since a zeroed
 * page there would look like lost data ("PID killed due to inadequate hugepage pool").
 */
function unmapRefPrivate(m: Machine, vma: Vma, hva: number, old: number): void {
  const u32 = m.pm.u32;
  const idx = hugeIndex(vma, hva);
  const others = vma.file ? [...vma.file.mmaps] : [...(m.s.anonVmas.get(m.pm.d.mapping[old])?.vmas ?? [])];
  for (const v of others) {
    if (v === vma || v.flags & VM_MAYSHARE || v.resv || !(v.flags & VM_HUGETLB)) continue;
    const va = v.start + (idx - v.pgoff / 512) * HPAGE;
    if (va < v.start || va >= v.end) continue;
    const pmd = findTable(m, v.mm.pgd, va, m.geo.pmdDepth);
    if (pmd < 0) continue;
    const ei = entryIndex(pmd, pgIndex(va, 21));
    if (!(u32[ei] & PTE_P) || entryPfn(u32[ei], u32[ei + 1]) !== old) continue;
    // __unmap_hugepage_range() with ref_folio: that one entry.
    m.ptEpoch++;
    u32[ei] = 0;
    u32[ei + 1] = 0;
    tracePteClear(m, v.mm, va, 'pmd');
    m.pm.d.mapcount[old]--;
    v.mm.hugetlbPages -= 512;
    flushTlbRange(m, v.mm, va, va + HPAGE, PMD_SHIFT);
    m.putPage(old);
    v.resvUnmapped = true;
  }
}

/**
 * A read pin (FOLL_PIN without FOLL_WRITE) of a private anonymous huge page that is not
 * exclusive, as after fork, unshares it first (gup_must_unshare, FAULT_FLAG_UNSHARE through
 * hugetlb_wp), so the pin lands on this process's own page and a later COW by either side
 * cannot separate the pinned page from the mapping. `ei` is the PMD leaf's entry. True when
 * it unshared, false when nothing was needed, -1 when no huge page was left for the copy.
 */
export function unshareHugetlbPage(m: Machine, mm: Mm, vma: Vma, va: number, ei: number): boolean | -1 {
  if (vma.flags & VM_SHARED) return false;
  const lo = m.pm.u32[ei];
  const pfn = entryPfn(lo, m.pm.u32[ei + 1]);
  if (!hugetlbFolioAnon(m, pfn) || m.pm.d.flags[pfn] & PG_ANON_EXCLUSIVE) return false;
  const hva = Math.floor(va / HPAGE) * HPAGE;
  const r = hugetlbWp(m, mm, vma, hva, ei, lo, true);
  if (r === FAULT_OK && m.pm.u32[ei] !== lo) tracePteSet(m, mm, hva, 'pmd', entryPfn(m.pm.u32[ei], m.pm.u32[ei + 1]));
  return r === FAULT_OK ? true : -1;
}

/** The PMD leaf at `ei` (value `lo`) for the 2 MiB page at `hva`. */
function hugetlbPmdFault(m: Machine, mm: Mm, vma: Vma, hva: number, ei: number, lo: number, write: boolean): FaultResult {
  const u32 = m.pm.u32;
  const d = m.pm.d;
  const nx = (vma.flags & VM_EXEC) === 0;
  if (lo & PTE_P) {
    if (!write || lo & PTE_RW) {
      u32[ei] = lo | PTE_A | (write ? PTE_D : 0);
      return FAULT_OK;
    }
    if (vma.flags & VM_SHARED) {
      u32[ei] = lo | PTE_RW | PTE_D | PTE_A;
      return FAULT_OK;
    }
    return hugetlbWp(m, mm, vma, hva, ei, lo, false);
  }
  // hugetlb_no_page(): the owner took this VMA's page for itself (unmapRefPrivate).
  if (vma.resvUnmapped) return FAULT_SIGBUS;
  let pfn: number;
  const idx = vma.file ? vma.pgoff + (hva - vma.start) / 4096 : -1;
  if (vma.file && idx >= fileSizePages(vma.file)) return FAULT_SIGBUS;
  const cached = vma.file ? vma.file.pages[idx] : undefined;
  if (cached !== undefined) {
    pfn = cached;
    d.refcount[pfn]++;
  } else {
    // hugetlb_no_page(): a new page, into the page cache for a shared mapping; a private
    // mapping's page is anonymous (a private file mapping reads only what is cached).
    if (vma.file && vma.flags & VM_MAYSHARE) {
      pfn = allocHugetlbFolio(m, vma, hva, false);
      if (pfn < 0) return FAULT_SIGBUS;
      d.mapping[pfn] = vma.file.id;
      d.index[pfn] = idx;
      vma.file.pages[idx] = pfn;
      d.refcount[pfn]++; // the cache's reference and the mapping's
    } else {
      pfn = newAnonHugePage(m, mm, vma, hva, false);
      if (pfn < 0) return FAULT_SIGBUS;
    }
  }
  d.mapcount[pfn]++;
  // A private mapping never writes a file's cached page: it maps it read-only and copies it.
  const fromCache = cached !== undefined;
  const cow = write && fromCache && !(vma.flags & VM_SHARED);
  const rw = vma.flags & VM_WRITE && (vma.flags & VM_SHARED || (write && !fromCache)) ? PTE_RW : 0;
  u32[ei] = makeLo(pfn, PTE_P | PTE_US | PTE_PS | PTE_A | rw | (write && !cow ? PTE_D : 0));
  u32[ei + 1] = makeHi(pfn, nx);
  mm.hugetlbPages += 512;
  // hugetlb_no_page(): "do the COW without a second fault" (hugetlb_wp).
  if (cow) return hugetlbPmdFault(m, mm, vma, hva, ei, u32[ei], true);
  return FAULT_OK;
}

/**
 * huge_pmd_unshare for every 1 GiB unit touching [start, end) (H5, H7): when `mm`'s PUD entry
 * points at a PMD page shared with others, clear the entry and drop the share count instead
 * of zapping entries the other sharers (other mms, or another VMA of this one) still use.
 * Returns the unshared units' bases.
 */
export function unshareHugePmds(m: Machine, mm: Mm, start: number, end: number): number[] {
  const out: number[] = [];
  const u32 = m.pm.u32;
  for (let base = Math.floor(start / PUD_SIZE) * PUD_SIZE; base < end; base += PUD_SIZE) {
    const pud = findTable(m, mm.pgd, base, m.geo.pudDepth);
    if (pud < 0) continue;
    const ei = entryIndex(pud, pgIndex(base, 30));
    if (!(u32[ei] & PTE_P)) continue;
    const pmd = entryPfn(u32[ei], u32[ei + 1]);
    if (m.pm.d.share[pmd] <= 0) continue;
    u32[ei] = 0;
    u32[ei + 1] = 0;
    tracePteClear(m, mm, base, 'pud');
    m.pm.d.share[pmd]--;
    mm.pgtablesBytes -= 4096;
    flushTlbRange(m, mm, base, base + PUD_SIZE, PMD_SHIFT); // tlb_flush_pmd_range(address & PUD_MASK, PUD_SIZE)
    out.push(base);
  }
  return out;
}

/**
 * hugetlb_split() (H7): before a hugetlb VMA is split at `start` or `end` (madvise,
 * userfaultfd registration), the 1 GiB unit around the split address is unshared for this mm
 * when it lay wholly inside the VMA, the only case where it could be shared: afterwards no
 * VMA covers the unit, so want_pmd_share() would refuse it, and a sharer must not keep it.
 * (munmap and mprotect unshare their whole range already.)
 */
export function unshareAtSplits(m: Machine, mm: Mm, start: number, end: number): void {
  for (const at of [start, end]) {
    if (at % PUD_SIZE === 0) continue;
    const v = findVma(mm, at);
    if (!v || !(v.flags & VM_HUGETLB) || v.start === at) continue;
    const floor = Math.floor(at / PUD_SIZE) * PUD_SIZE;
    if (floor >= v.start && floor + PUD_SIZE <= v.end) unshareHugePmds(m, mm, floor, floor + PUD_SIZE);
  }
}

/**
 * hugetlb_unshare_all_pmds() for the hugetlb VMAs in [start, end): userfaultfd-wp keeps
 * per-process state in the page tables, so a VMA registered for it shares no PMD page (H3),
 * neither the ones it had nor, through want_pmd_share(), new ones.
 */
export function unshareAllHugePmds(m: Machine, mm: Mm, start: number, end: number): void {
  for (const v of vmasIn(mm, start, end)) if (v.flags & VM_HUGETLB) unshareHugePmds(m, mm, v.start, v.end);
}

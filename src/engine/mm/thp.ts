/**
 * Transparent huge pages for shmem (mm/shmem.c, mm/huge_memory.c): the part M21 is about.
 *
 * `machine shmem_thp=never|advise|always` is /sys/kernel/mm/transparent_hugepage/shmem_enabled.
 * Two decisions, as in Linux, with different rules:
 *
 * - Allocating a 2 MiB folio (shmem_allowable_huge_orders -> shmem_huge_global_enabled): the
 *   mode allows it (always, or advise with MADV_HUGEPAGE on the VMA; never with
 *   MADV_NOHUGEPAGE), the aligned 2 MiB lies inside the VMA at a 2 MiB-aligned file offset
 *   (shmem_suitable_orders), and the cache holds no page of that 2 MiB. i_size is not looked
 *   at (only huge=within_size would, not modelled): the folio may run past the end of the
 *   file, and a PMD maps it across i_size.
 * - Mapping a folio already in the cache with one PMD (do_set_pmd, from filemap_map_pages or
 *   finish_fault): only the VMA's refusal (VM_NOHUGEPAGE) and the alignment and coverage
 *   test. Whoever mapped the file first decides: a VMA that could not have allocated the folio
 *   (advise without MADV_HUGEPAGE) still maps it with a PMD.
 *
 * Both hold for shared mappings (MAP_SHARED|MAP_ANONYMOUS, tmpfs files, the objects of mshare
 * regions, which are faulted against the host VMA) and for MAP_PRIVATE mappings of a tmpfs
 * file, which map the folio read-only ("support MAP_PRIVATE mapped hugely too, until it is
 * COWed", shmem_get_unmapped_area). A private write fault never maps a PMD (do_cow_fault
 * copies one page); on a read-only PMD it splits the PMD first (wp_huge_pmd).
 *
 * The folio is 512 page-cache pages in one 2 MiB-aligned order-9 block, each with its own
 * cache reference; its first frame carries PG_THP. A PMD mapping takes a reference on that
 * first frame and one entire mapcount (folio_add_file_rmap_pmd: `entire`, not the first page's
 * own `mapcount`, which counts only PTEs mapping that page) and counts 512 pages of RssShmem.
 * A page's mapcount as smaps sees it is both together (folio_precise_page_mapcount). PG_DIRTY
 * is the folio's, set and tested on the first frame (folioFrame) however the folio is mapped;
 * a split hands it to every page. Splitting a file PMD (a munmap, mprotect or MADV_DONTNEED that covers only
 * part of it, or a private write) just clears it (__split_huge_pmd_locked for a non-anonymous
 * VMA): the pages stay in the cache and later faults map them with PTEs.
 *
 * Not modelled: anonymous THP (khugepaged, COW of huge pages), mTHP sizes, within_size/force.
 */
import { FrameUse, HUGE_ORDER, PG_DIRTY, PG_THP } from '../hw/physmem';
import { PTE_A, PTE_D, PTE_P, PTE_PROTNONE, PTE_PS, PTE_RW, PTE_US, entryPfn, makeHi, makeLo } from '../hw/pte';
import { PMD_SHIFT, flushTlbRange } from '../hw/cpu';
import type { Machine } from '../machine';
import { VM_EXEC, VM_HUGEPAGE, VM_NOHUGEPAGE, VM_SHARED, VM_WRITE, type Inode, type Mm, type Vma } from '../types';
import { fileSizePages, splitHugeFolio } from './pagecache';
import { entryIndex, ensureTable, pgIndex } from './pgtable';
import { tracePteClear, tracePteSet, levelName } from './pte-trace';

export const HPAGE_SIZE = 0x200000;
export const HPAGE_PAGES = 512;

/**
 * True when faults in `vma` may meet or make a shmem PMD: shmem THP is on and the VMA maps
 * shmem, shared or (a tmpfs file) private. The machine's shmem_thp stands for both
 * shmem_enabled (the internal mount: shared anonymous memory, mshare objects) and the huge=
 * option of the simulated tmpfs that `file` creates files in; Linux mounts tmpfs huge=never by
 * default, and a tmpfs mount ignores shmem_enabled (README says so). With `never` no huge
 * folio can exist, so there is none to map either.
 */
export function thpPossible(m: Machine, vma: Vma): boolean {
  const mode = m.s.config.shmemThp;
  return mode !== undefined && mode !== 'never' && vma.file !== null && (vma.file.kind === 'shmem-anon' || vma.file.kind === 'tmpfs');
}

/**
 * do_set_pmd()'s test for the 2 MiB around `va`: the VMA does not refuse THP
 * (vma_thp_disabled: VM_NOHUGEPAGE; MMF_DISABLE_THP is not modelled) and covers the aligned
 * 2 MiB at a 2 MiB-aligned file offset (thp_vma_suitable_order). The file index of its first
 * page, or -1. Neither the mode, VM_HUGEPAGE nor VM_SHARED count here.
 */
function pmdMappableIndex(vma: Vma, va: number): number {
  if (vma.flags & VM_NOHUGEPAGE) return -1;
  const h = Math.floor(va / HPAGE_SIZE) * HPAGE_SIZE;
  if (h < vma.start || h + HPAGE_SIZE > vma.end) return -1;
  const i0 = vma.pgoff + (h - vma.start) / 4096;
  return i0 % HPAGE_PAGES === 0 ? i0 : -1;
}

/**
 * shmem_huge_global_enabled(): may a fault in `vma` allocate a huge folio? always: yes;
 * advise: with VM_HUGEPAGE. Neither looks at i_size (SHMEM_HUGE_WITHIN_SIZE, not modelled,
 * is the mode that does), so a folio may run past the end of the file.
 */
function mayAllocHuge(m: Machine, vma: Vma): boolean {
  return m.s.config.shmemThp === 'always' || (vma.flags & VM_HUGEPAGE) !== 0;
}

/**
 * The PMD fault in a VMA where thpPossible() holds. Returns true when a huge PMD now maps `va` (newly mapped,
 * or already there: a spurious fault), false to fall back to 4 KiB pages, or 'oom' when the
 * upper tables could not be allocated.
 */
export function thpFault(m: Machine, mm: Mm, vma: Vma, va: number, write: boolean): boolean | 'oom' {
  const pmdTable = ensureTable(m, mm, va, m.geo.pmdDepth);
  if (pmdTable === -1) return 'oom';
  if (pmdTable < 0) return false;
  const u32 = m.pm.u32;
  const ei = entryIndex(pmdTable, pgIndex(va, 21));
  const lo = u32[ei];
  if (lo & PTE_PS && lo & PTE_PROTNONE && !(lo & PTE_P)) return false; // PROT_NONE: not ours to map
  if (lo & PTE_P && lo & PTE_PS) {
    if (write && !(lo & PTE_RW)) {
      splitPmdForWrite(m, mm, ei, va);
      return false;
    }
    // A PMD already mapped stays mapped (MADV_NOHUGEPAGE does not split it).
    u32[ei] = lo | PTE_A | (write ? PTE_D : 0); // spurious (a stale TLB entry)
    return true;
  }
  const i0 = pmdMappableIndex(vma, va);
  // Past i_size shmem_fault fails (SIGBUS, which the 4 KiB path reports), folio or not: only
  // a PMD mapped by a fault below i_size reaches past it. (Linux's fault-around could still
  // PMD-map the folio when its 64 KiB window starts below i_size: not modelled.)
  if (i0 < 0 || !insideFile(vma, va)) return false;
  const allocate = mayAllocHuge(m, vma);
  if (lo & PTE_P || (write && !(vma.flags & VM_SHARED))) {
    // 4 KiB pages: a PTE table is there, or a private write (do_cow_fault: create_huge_pmd
    // falls back, shmem has no huge_fault, and one page is copied). shmem_fault still takes a
    // huge folio into the cache on the way (shmem_allowable_huge_orders looks at the VMA and
    // the file, not at the page tables), whose page the 4 KiB path then maps or copies.
    if (allocate) cacheFolio(m, vma.file!, i0, true);
    return false;
  }
  const head = cacheFolio(m, vma.file!, i0, allocate);
  if (head < 0) return false;
  const h = Math.floor(va / HPAGE_SIZE) * HPAGE_SIZE;
  // do_set_pmd: vm_page_prot, writable only in a shared writable VMA (a private one maps the
  // folio read-only until a write splits the PMD); dirty only for a write fault.
  const rw = vma.flags & VM_SHARED && vma.flags & VM_WRITE ? PTE_RW : 0;
  const flags = PTE_P | PTE_US | PTE_A | PTE_PS | rw | (write ? PTE_D : 0);
  u32[ei] = makeLo(head, flags);
  u32[ei + 1] = makeHi(head, (vma.flags & VM_EXEC) === 0);
  const d = m.pm.d;
  if (write) d.flags[head] |= PG_DIRTY;
  d.refcount[head]++;
  if (d.entire[head]++ === 0) m.s.thpPmdMapped.add(head);
  mm.rssShmem += HPAGE_PAGES;
  tracePteSet(m, mm, h, levelName(m, m.geo.pmdDepth), head);
  return true;
}

/** Whether `va` of a file VMA falls below the file's size. */
function insideFile(vma: Vma, va: number): boolean {
  return vma.pgoff + (va - vma.start) / 4096 < fileSizePages(vma.file!);
}

/**
 * wp_huge_pmd() on a read-only file PMD (a private mapping's): __split_huge_pmd, which for a
 * non-anonymous VMA clears the PMD and flushes it at once (pmdp_huge_clear_flush, a 2 MiB
 * stride), before the folio reference goes (R28). The write then takes the 4 KiB path.
 */
function splitPmdForWrite(m: Machine, mm: Mm, ei: number, va: number): void {
  const h = Math.floor(va / HPAGE_SIZE) * HPAGE_SIZE;
  const gather: number[] = [];
  m.ptEpoch++; // an entry goes away (Machine.ptEpoch)
  zapThpPmd(m, mm, ei, h, m.geo.pmdDepth, entryPfn(m.pm.u32[ei], m.pm.u32[ei + 1]), gather);
  flushTlbRange(m, mm, h, h + HPAGE_SIZE, PMD_SHIFT);
  for (const pfn of gather) m.putPage(pfn);
}

/**
 * The folio for the 2 MiB of `inode` from index `i0`: the one in the cache, or (with
 * `allocate`) a new one when that 2 MiB of the file has no page yet. -1 when the cache holds
 * small pages there, allocation is not allowed, or no 2 MiB block is free (shmem then falls
 * back to small pages; it does not wake the OOM killer for a THP).
 */
function cacheFolio(m: Machine, inode: Inode, i0: number, allocate: boolean): number {
  const d = m.pm.d;
  const first = inode.pages[i0];
  if (first !== undefined) return d.flags[first] & PG_THP ? first : -1;
  if (!allocate) return -1;
  for (let i = 1; i < HPAGE_PAGES; i++) if (inode.pages[i0 + i] !== undefined) return -1;
  const saved = m.oom;
  const pfn = m.allocFrames(HUGE_ORDER, FrameUse.Shmem, 0);
  if (pfn < 0) {
    m.oom = saved; // a failed THP allocation is not an OOM: fall back
    return -1;
  }
  for (let i = 0; i < HPAGE_PAGES; i++) {
    d.refcount[pfn + i] = 1; // the cache's reference, one per page
    d.mapping[pfn + i] = inode.id;
    d.index[pfn + i] = i0 + i;
    inode.pages[i0 + i] = pfn + i;
  }
  d.flags[pfn] |= PG_THP;
  return pfn;
}

/**
 * The first frame of the shmem huge folio holding `pfn`, or -1 when `pfn` is a small page.
 * A folio is one 2 MiB-aligned order-9 block whose first frame carries PG_THP while it is
 * whole, so its head is found by alignment (page_folio()).
 */
export function thpHead(m: Machine, pfn: number): number {
  const head = pfn - (pfn % HPAGE_PAGES);
  const d = m.pm.d;
  return d.flags[head] & PG_THP && d.use[pfn] === FrameUse.Shmem ? head : -1;
}

/**
 * The frame whose flags stand for `pfn`'s folio: the first frame of a shmem huge folio, else
 * the page itself. PG_DIRTY is a folio flag (folio_mark_dirty), so it is set and tested there.
 */
export function folioFrame(m: Machine, pfn: number): number {
  const head = thpHead(m, pfn);
  return head < 0 ? pfn : head;
}

/** True for a leaf entry that maps a shmem THP with a PMD. */
export function isThpPmd(m: Machine, pfn: number): boolean {
  return m.pm.d.use[pfn] === FrameUse.Shmem;
}

/**
 * Clear the shmem PMD at `ei` (zap, or the split of a file PMD): drop its entire mapcount and
 * RSS and gather the head for release after the TLB flush (R28).
 */
export function zapThpPmd(m: Machine, mm: Mm, ei: number, va: number, depth: number, pfn: number, gather: number[]): void {
  const u32 = m.pm.u32;
  if (u32[ei] & PTE_D) m.pm.d.flags[pfn] |= PG_DIRTY; // the PMD's dirty bit goes to the folio
  u32[ei] = 0;
  u32[ei + 1] = 0;
  tracePteClear(m, mm, va, levelName(m, depth));
  if (--m.pm.d.entire[pfn] === 0) m.s.thpPmdMapped.delete(pfn);
  mm.rssShmem -= HPAGE_PAGES;
  gather.push(pfn);
}

/**
 * Truncation to `keep` pages cuts the folio holding page `keep` (when one does): split_huge_page
 * makes its remaining pages small pages. Call after the mappings beyond `keep` are zapped
 * (which cleared every PMD of that folio) and before the pages beyond are dropped.
 */
export function splitFolioAt(m: Machine, inode: Inode, keep: number): void {
  if (keep % HPAGE_PAGES === 0) return;
  const head = inode.pages[keep - (keep % HPAGE_PAGES)];
  if (head !== undefined && m.pm.d.flags[head] & PG_THP) splitHugeFolio(m, head);
}

/** [start, end) widened to the 2 MiB pages it touches: the span a split PMD must flush. */
export function hugeSpan(start: number, end: number): [number, number] {
  return [Math.floor(start / HPAGE_SIZE) * HPAGE_SIZE, Math.ceil(end / HPAGE_SIZE) * HPAGE_SIZE];
}

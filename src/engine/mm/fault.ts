/**
 * The page-fault handler (mm/memory.c): handle_mm_fault and its cases R8-R14, R19, and
 * fault-around of 16 pages for file/shmem read faults.
 *
 * Locking contract: the caller (do_user_addr_fault in kernel/access.ts) holds mm's mmap_lock
 * for read. For an mshare region the caller holds the process's lock and the host's nested,
 * and passes the host mm and host VMA here: this file never knows about mshare.
 */
import { FrameUse, PG_ANON_EXCLUSIVE, PG_DIRTY } from '../hw/physmem';
import { PTE_A, PTE_D, PTE_P, PTE_RW, PTE_SPECIAL, PTE_US, entryPfn, makeHi, makeLo } from '../hw/pte';
import { flushTlbRange } from '../hw/cpu';
import type { Machine } from '../machine';
import type { FaultKind } from '../trace';
import { VM_EXEC, VM_SHARED, VM_UFFD_WP, VM_WRITE, VM_HUGETLB, type AnonVma, type Mm, type Vma } from '../types';
import { entryIndex, ensureTable, pgIndex } from './pgtable';
import { fileSizePages, getCachePage } from './pagecache';
import { hugetlbFault, lastFaultShared } from './hugetlb';
import { tracePteSet } from './pte-trace';
import { folioFrame, thpFault, thpPossible } from './thp';
import { TI } from '../trace';

export const FAULT_OK = 0;
export const FAULT_SIGSEGV = 1;
export const FAULT_SIGBUS = 2;
export const FAULT_OOM = 3;
/** VM_FAULT_NOPAGE / RETRY: nothing mapped for the access, walk again (mshare link). */
export const FAULT_RETRY = 4;
export type FaultResult = 0 | 1 | 2 | 3 | 4;

/** fault_around_bytes = 64 KiB: 16 pages around a file read fault. */
export const FAULT_AROUND_PAGES = 16;

/** Kind of the last handled fault, for the trace (set by each case below). */
export let lastFaultKind: FaultKind = 'spurious';

function nxHi(vma: Vma, pfn: number): number {
  return makeHi(pfn, (vma.flags & VM_EXEC) === 0);
}

/** anon_vma_prepare(). */
export function anonVmaPrepare(m: Machine, vma: Vma): AnonVma {
  if (vma.anonVma) return vma.anonVma;
  const av: AnonVma = { id: m.s.nextAnonVmaId++, parent: null, vmas: new Set([vma]) };
  m.s.anonVmas.set(av.id, av);
  vma.anonVma = av;
  return av;
}

/** Allocate an anonymous page for `vma` at `va` with rmap set up (folio_add_new_anon_rmap). */
function newAnonPage(m: Machine, mm: Mm, vma: Vma, va: number): number {
  const av = anonVmaPrepare(m, vma);
  const pfn = m.allocFrames(0, FrameUse.Anon, mm.id);
  if (pfn < 0) return -1;
  const d = m.pm.d;
  d.mapping[pfn] = av.id;
  d.index[pfn] = Math.floor(va / 4096);
  d.mapcount[pfn] = 1;
  d.flags[pfn] |= PG_ANON_EXCLUSIVE;
  return pfn;
}

export function handleMmFault(m: Machine, mm: Mm, vma: Vma, va: number, write: boolean): FaultResult {
  if (vma.flags & VM_HUGETLB) {
    const r = hugetlbFault(m, mm, vma, va, write);
    // hugetlb.ts cannot set lastFaultKind (it is this module's binding): name the case here,
    // or the trace would repeat whatever kind the previous fault had.
    lastFaultKind = r === FAULT_SIGBUS ? 'sigbus' : lastFaultShared() ? 'hugetlb-share' : 'hugetlb';
    return r;
  }
  // vmf->address is page aligned (address & PAGE_MASK): callers pass the faulting byte, and
  // the file index below must be a whole page (a read of 8 bytes faults at addr+7 first).
  va -= va % 4096;
  if (thpPossible(m, vma)) {
    const r = thpFault(m, mm, vma, va, write);
    if (r === 'oom') return FAULT_OOM;
    if (r) {
      lastFaultKind = 'shmem-thp';
      return FAULT_OK;
    }
  }
  const table = ensureTable(m, mm, va, m.geo.pteDepth);
  if (table === -1) return FAULT_OOM;
  if (table === -2) return FAULT_SIGBUS;
  const ei = entryIndex(table, pgIndex(va, 12));
  const u32 = m.pm.u32;
  const lo = u32[ei];
  const hi = u32[ei + 1];
  const r = handlePte(m, mm, vma, va, ei, lo, write, table);
  if (r === FAULT_OK && (u32[ei] !== lo || u32[ei + 1] !== hi)) tracePteSet(m, mm, va, 'pte', entryPfn(u32[ei], u32[ei + 1]));
  return r;
}

/** handle_pte_fault: the PTE at `ei` (value `lo`) for `va`. */
function handlePte(m: Machine, mm: Mm, vma: Vma, va: number, ei: number, lo: number, write: boolean, table: number): FaultResult {
  if (!(lo & PTE_P)) {
    if (vma.file === null) return doAnonymousPage(m, mm, vma, va, ei, write);
    if (vma.flags & VM_SHARED) return doSharedFault(m, mm, vma, va, ei, write, table);
    return write ? doCowFault(m, mm, vma, va, ei) : doReadFault(m, mm, vma, va, ei, table);
  }
  if (write && !(lo & PTE_RW)) return doWpPage(m, mm, vma, va, ei);
  // The entry already allows the access (another thread or sharer got there first, or a
  // stale TLB entry): a spurious fault.
  m.pm.u32[ei] = lo | PTE_A | (write ? PTE_D : 0);
  lastFaultKind = 'spurious';
  return FAULT_OK;
}

/**
 * UFFDIO_COPY's mfill_atomic_pte() for a small page at `va`: in a shared file mapping the
 * file's page at that offset (shmem_mfill_atomic_pte, which Kernel.uffdCopy refuses when the
 * page is cached already); in a private mapping, file-backed or not, a new anonymous page
 * (mfill_atomic_pte_copy), the file untouched. Only that one entry is installed, never a
 * fault-around window; writable as the VMA is.
 */
export function mfillPage(m: Machine, mm: Mm, vma: Vma, va: number): FaultResult {
  va -= va % 4096;
  const table = ensureTable(m, mm, va, m.geo.pteDepth);
  if (table === -1) return FAULT_OOM;
  if (table === -2) return FAULT_SIGBUS;
  const ei = entryIndex(table, pgIndex(va, 12));
  const rw = vma.flags & VM_WRITE ? PTE_RW : 0;
  if (vma.file && vma.flags & VM_SHARED) {
    const pfn = fileFaultPage(m, vma, va);
    if (pfn < 0) return -pfn as FaultResult;
    mapCachePage(m, mm, vma, ei, pfn, PTE_P | PTE_US | PTE_A | rw);
  } else {
    const r = doAnonymousPage(m, mm, vma, va, ei, true);
    if (r !== FAULT_OK) return r;
    if (!rw) m.pm.u32[ei] &= ~PTE_RW;
  }
  tracePteSet(m, mm, va, 'pte', entryPfn(m.pm.u32[ei], m.pm.u32[ei + 1]));
  return FAULT_OK;
}

/** R8 (read: the zero page) and R9 (write: a new zeroed page). */
function doAnonymousPage(m: Machine, mm: Mm, vma: Vma, va: number, ei: number, write: boolean): FaultResult {
  const u32 = m.pm.u32;
  if (!write) {
    const z = m.s.zeroPfn;
    u32[ei] = makeLo(z, PTE_P | PTE_US | PTE_A | PTE_SPECIAL);
    u32[ei + 1] = nxHi(vma, z);
    lastFaultKind = 'anon-zero';
    return FAULT_OK;
  }
  const pfn = newAnonPage(m, mm, vma, va);
  if (pfn < 0) return FAULT_OOM;
  u32[ei] = makeLo(pfn, PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D);
  u32[ei + 1] = nxHi(vma, pfn);
  mm.rssAnon++;
  lastFaultKind = 'anon-new';
  return FAULT_OK;
}

function fileIndex(vma: Vma, va: number): number {
  return vma.pgoff + (va - vma.start) / 4096;
}

/** Map a page-cache page at `ei` (finish_fault / set_pte_range). */
function mapCachePage(m: Machine, mm: Mm, vma: Vma, ei: number, pfn: number, flags: number): void {
  const u32 = m.pm.u32;
  u32[ei] = makeLo(pfn, flags);
  u32[ei + 1] = nxHi(vma, pfn);
  m.pm.d.refcount[pfn]++;
  m.pm.d.mapcount[pfn]++;
  mm.rssShmem++;
}

/**
 * should_fault_around()'s uffd_disable_fault_around() (include/linux/userfaultfd_k.h): a range
 * registered for write-protect (or minor faults, not modelled) must see a fault for every page
 * it maps, so none is mapped around another. MISSING mode leaves fault-around on: the pages
 * around are already in the cache, which is not what a missing fault reports.
 */
function uffdDisableFaultAround(vma: Vma): boolean {
  return (vma.flags & VM_UFFD_WP) !== 0;
}

/**
 * filemap_map_pages(): map the pages already in the page cache within the 64 KiB-aligned
 * window around `va`, inside the VMA, the same PTE table and i_size (end_pgoff is cut at
 * file_end: a huge folio running past i_size is mapped across it only by a PMD), where the
 * PTE is empty.
 *
 * Linux 6.18 maps the entire large folio here when it lies wholly inside the VMA and the PTE
 * table (357b92761d94 "mm/filemap: map entire large folio faultaround"), and finish_fault maps
 * the whole file folio on a write fault too (19773df031bc): a VMA that cannot PMD-map a shmem
 * folio (MADV_NOHUGEPAGE, or after a private COW split) gets all 512 pages by PTEs at once.
 * We keep the 16-page window of earlier kernels on purpose: the project's issue (and
 * DESIGN.md) fix fault-around at 16 pages for file and shmem read faults, the scenarios'
 * figures rest on it (one fault per 64 KiB), and it is still what 6.18 does for small folios
 * and for a folio that sticks out of the VMA. (6.18's whole-folio PTEs of a shmem folio also
 * run past i_size, can_map_large; with the window we keep the earlier i_size cut as well.)
 */
function faultAround(m: Machine, mm: Mm, vma: Vma, va: number, table: number, flags: number): void {
  if (uffdDisableFaultAround(vma)) return;
  const win = FAULT_AROUND_PAGES * 4096;
  const tableStart = Math.floor(va / 0x200000) * 0x200000;
  const start = Math.max(Math.floor(va / win) * win, vma.start, tableStart);
  const idx0 = fileIndex(vma, start);
  // The faulting page is inside i_size (fileFaultPage checked), so this end lies past it.
  const fileEnd = start + (fileSizePages(vma.file!) - idx0) * 4096;
  const end = Math.min(start + win, vma.end, tableStart + 0x200000, fileEnd);
  // Page indices past 2^31 (8 TiB into a file) would make the loop below carry doubles; such
  // pages (only in a sparse tmpfs file) are mapped by their own faults instead. Linux's
  // fault-around is likewise best-effort: it maps what is cached, within limits.
  if (idx0 > 0x7fffffff - FAULT_AROUND_PAGES) return;
  const pages = vma.file!.pages;
  const u32 = m.pm.u32;
  const refcount = m.pm.d.refcount;
  const mapcount = m.pm.d.mapcount;
  // Every frame number is below 2^20 (RAM is at most 4 GiB), so the high half of each entry
  // holds only NX: one value for every page mapped here. As an int32 (`| 0`) so a set NX bit
  // does not make it a double, which every store would have to convert.
  const hiWord = makeHi(0, (vma.flags & VM_EXEC) === 0) | 0;
  const loFlags = flags & 0xfff;
  // Hot loop (every file read fault): every variable an int32, invariants hoisted by hand.
  // Measured with callgrind on the 200-client database read (see the commit): V8 carried the
  // page counter and file index as doubles and converted them on every page, re-checked
  // makeLo's identity, and tested makeLo's unsigned result for a sign.
  const n = ((end - start) / 4096) | 0;
  const skip = ((va - start) / 4096) | 0; // the faulting page, mapped by the caller
  let idx = idx0 | 0;
  let ei = entryIndex(table, pgIndex(start, 12)) | 0;
  let mapped = 0;
  let first = -1;
  let firstPfn = 0;
  for (let i = 0; i < n; i++, idx++, ei += 2) {
    if (i === skip || u32[ei] & PTE_P) continue;
    const pfn = pages[idx];
    if (pfn === undefined) continue;
    if (first < 0) {
      first = i;
      firstPfn = pfn;
    }
    u32[ei] = (pfn << 12) | loFlags; // makeLo for a frame below 2^20
    u32[ei + 1] = hiWord;
    refcount[pfn]++;
    mapcount[pfn]++;
    mapped++;
  }
  mm.rssShmem += mapped;
  tracePteSet(m, mm, first < 0 ? -1 : start + first * 4096, 'pte', firstPfn, mapped);
}

/**
 * The page-cache page a file or shmem fault at `va` maps (filemap_fault / shmem_fault): its
 * frame, or a negated FaultResult: SIGBUS past the end of the file, OOM with no memory.
 */
function fileFaultPage(m: Machine, vma: Vma, va: number): number {
  const inode = vma.file!;
  const idx = fileIndex(vma, va);
  if (idx >= fileSizePages(inode)) {
    lastFaultKind = 'sigbus';
    return -FAULT_SIGBUS;
  }
  const pfn = getCachePage(m, inode, idx);
  return pfn < 0 ? -FAULT_OOM : pfn;
}

/** R11/R12: shared file or shmem mapping. Every mapper maps the same frame. */
function doSharedFault(m: Machine, mm: Mm, vma: Vma, va: number, ei: number, write: boolean, table: number): FaultResult {
  const pfn = fileFaultPage(m, vma, va);
  if (pfn < 0) return -pfn as FaultResult;
  // shmem needs no write-notify, so a writable shared VMA maps writable even on a read.
  const rw = vma.flags & VM_WRITE ? PTE_RW : 0;
  mapCachePage(m, mm, vma, ei, pfn, PTE_P | PTE_US | PTE_A | rw | (write ? PTE_D : 0));
  if (write) m.pm.d.flags[folioFrame(m, pfn)] |= PG_DIRTY; // fault_dirty_shared_page: the folio
  if (!write) faultAround(m, mm, vma, va, table, PTE_P | PTE_US | PTE_A | rw);
  lastFaultKind = 'shmem';
  return FAULT_OK;
}

/** R13, read: a private file mapping maps the page-cache page read-only. */
function doReadFault(m: Machine, mm: Mm, vma: Vma, va: number, ei: number, table: number): FaultResult {
  const pfn = fileFaultPage(m, vma, va);
  if (pfn < 0) return -pfn as FaultResult;
  mapCachePage(m, mm, vma, ei, pfn, PTE_P | PTE_US | PTE_A);
  faultAround(m, mm, vma, va, table, PTE_P | PTE_US | PTE_A);
  lastFaultKind = 'file-private';
  return FAULT_OK;
}

/** R13, write: a private file mapping copies the page into a new anonymous page. */
function doCowFault(m: Machine, mm: Mm, vma: Vma, va: number, ei: number): FaultResult {
  const src = fileFaultPage(m, vma, va);
  if (src < 0) return -src as FaultResult;
  const pfn = newAnonPage(m, mm, vma, va);
  if (pfn < 0) return FAULT_OOM;
  m.pm.copyFrame(pfn, src);
  const u32 = m.pm.u32;
  u32[ei] = makeLo(pfn, PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D);
  u32[ei + 1] = nxHi(vma, pfn);
  mm.rssAnon++;
  lastFaultKind = 'file-cow';
  return FAULT_OK;
}

/**
 * A read pin's FAULT_FLAG_UNSHARE (gup_must_unshare): an anonymous page of a private mapping
 * that is not PageAnonExclusive (still COW-shared after fork) is made exclusive first, by
 * reuse or by copy, as a write fault would but leaving the PTE read-only. Without it the pin
 * held the page the child still maps, and the parent's next write copied away from its own
 * pin (the "GUP after COW" bug fixed in 5.19/6.0). `ei` is the present 4 KiB PTE at `va`.
 * Returns whether anything was needed (false: the page is exclusive, the zero page, or not
 * anonymous; FAULT_OOM as -1 when the copy found no memory).
 */
export function unshareAnonPte(m: Machine, mm: Mm, vma: Vma, va: number, ei: number): boolean | -1 {
  const lo = m.pm.u32[ei];
  if (vma.flags & VM_SHARED || lo & PTE_SPECIAL) return false;
  const pfn = entryPfn(lo, m.pm.u32[ei + 1]);
  const d = m.pm.d;
  if ((d.use[pfn] as FrameUse) !== FrameUse.Anon || d.flags[pfn] & PG_ANON_EXCLUSIVE) return false;
  return doWpPage(m, mm, vma, va - (va % 4096), ei, true) === FAULT_OK ? true : -1;
}

/**
 * do_wp_page: R10 (zero page), R19 (reuse or copy), R13 (private file page), shared upgrade.
 * With `unshare` (a read pin, see unshareAnonPte) the page is made exclusive but the PTE stays
 * read-only and clean, as wp_page_copy and the reuse path leave it for FAULT_FLAG_UNSHARE.
 */
function doWpPage(m: Machine, mm: Mm, vma: Vma, va: number, ei: number, unshare = false): FaultResult {
  const u32 = m.pm.u32;
  const d = m.pm.d;
  const lo = u32[ei];
  const old = entryPfn(lo, u32[ei + 1]);
  if (vma.flags & VM_SHARED) {
    // wp_page_shared: shmem, the page stays; the PTE becomes writable and dirty, the folio dirty.
    u32[ei] = lo | PTE_RW | PTE_D | PTE_A;
    d.flags[folioFrame(m, old)] |= PG_DIRTY;
    lastFaultKind = 'shmem';
    return FAULT_OK;
  }
  const isZero = (lo & PTE_SPECIAL) !== 0;
  const use = d.use[old] as FrameUse;
  if (!isZero && use === FrameUse.Anon) {
    // wp_can_reuse_anon_folio: exclusive, or the only reference left (and not pinned).
    const exclusive = (d.flags[old] & PG_ANON_EXCLUSIVE) !== 0;
    if (exclusive || (d.refcount[old] === 1 && d.mapcount[old] === 1 && d.pincount[old] === 0)) {
      // folio_move_anon_rmap: a page reused after fork now belongs to this VMA's anon_vma
      // (the rmap of a COW-shared page starts from the anon_vma of the VMA that faulted it).
      if (!exclusive) d.mapping[old] = anonVmaPrepare(m, vma).id;
      d.flags[old] |= PG_ANON_EXCLUSIVE;
      if (!unshare) u32[ei] = lo | PTE_RW | PTE_D | PTE_A;
      lastFaultKind = 'cow-reuse';
      if (m.trace.recording) m.trace.emitAt(TI.cow, { type: 'cow', pid: mm.tasks[0] ?? 0, addr: va, action: 'reuse' });
      else m.trace.countAt(TI.cow);
      return FAULT_OK;
    }
  }
  const pfn = newAnonPage(m, mm, vma, va);
  if (pfn < 0) return FAULT_OOM;
  if (!isZero) m.pm.copyFrame(pfn, old);
  u32[ei] = makeLo(pfn, unshare ? PTE_P | PTE_US | PTE_A : PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D);
  u32[ei + 1] = nxHi(vma, pfn);
  mm.rssAnon++;
  if (!isZero) {
    d.mapcount[old]--;
    if (use === FrameUse.Anon) mm.rssAnon--;
    else mm.rssShmem--;
  }
  // R28: the old translation must be gone from every TLB before the old frame can be reused.
  flushTlbRange(m, mm, va, va + 4096);
  if (!isZero) m.putPage(old);
  lastFaultKind = isZero ? 'zero-cow' : use === FrameUse.Anon ? 'cow-copy' : 'file-cow';
  if (m.trace.recording) m.trace.emitAt(TI.cow, { type: 'cow', pid: mm.tasks[0] ?? 0, addr: va, action: 'copy' });
  else m.trace.countAt(TI.cow);
  return FAULT_OK;
}

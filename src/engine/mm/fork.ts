/**
 * fork(): dup_mmap + copy_page_range (kernel/fork.c, mm/memory.c), rules R15-R18, H6, M17.
 *
 * Page tables are copied only where vma_needs_copy() says so: the VMA has an anon_vma (it
 * has held anonymous pages) — shared file/shmem/hugetlb-shared and msharefs VMAs are not
 * copied and the child faults them in lazily. Copied writable COW PTEs are write-protected
 * in both parent and child; the child's PTE is marked old. A page that may be DMA-pinned is
 * copied for the child right away (R17), a 4 KiB page or an anonymous hugetlb page.
 */
import { FrameUse, PG_ANON_EXCLUSIVE } from '../hw/physmem';
import { PTE_A, PTE_D, PTE_HI_NX, PTE_P, PTE_PS, PTE_RW, PTE_SPECIAL, PTE_PROTNONE, PTE_US, entryPfn, makeHi, makeLo } from '../hw/pte';
import { PAGE_SHIFT, flushTlbRange } from '../hw/cpu';
import type { Machine } from '../machine';
import { VM_MAYWRITE, VM_SHARED, VM_UFFD_MISSING, VM_UFFD_WP, VM_WRITE, type AnonVma, type Mm, type Vma } from '../types';
import { walkRange } from './pagewalk';
import { allocTable, ensureTable, entryIndex, pgIndex } from './pgtable';
import { linkVma } from './vma';
import { anonVmaPrepare } from './fault';
import { levelName, tracePteSet } from './pte-trace';
import { copyAnonHugePage, hugetlbFolioAnon } from './hugetlb';
import { isThpPmd } from './thp';

export function newMm(m: Machine): Mm | null {
  const mm: Mm = {
    id: m.s.nextMmId++,
    pgd: -1,
    vmas: [],
    rssFile: 0,
    rssAnon: 0,
    rssShmem: 0,
    hugetlbPages: 0,
    pgtablesBytes: 0,
    users: 1,
    tasks: [],
    hostOf: null,
    dead: false,
    lockedVm: 0,
  };
  const pgd = allocTable(m, mm, 0);
  if (pgd < 0) return null;
  mm.pgd = pgd;
  m.s.mms.set(mm.id, mm);
  return mm;
}

function isCowMapping(vma: Vma): boolean {
  return (vma.flags & (VM_SHARED | VM_MAYWRITE)) === VM_MAYWRITE;
}

/** vma_needs_copy (R15). */
export function vmaNeedsCopy(vma: Vma): boolean {
  return vma.anonVma !== null && (vma.flags & VM_SHARED) === 0;
}

/**
 * Copy `src`'s tables for `svma` into `dst` (copy_page_range). Returns false when an
 * allocation failed (the caller tears the child down and returns ENOMEM).
 */
function copyPageRange(m: Machine, dst: Mm, src: Mm, svma: Vma, dvma: Vma): boolean {
  m.ptEpoch++; // R16 write-protects the parent's PTEs (Machine.ptEpoch)
  const u32 = m.pm.u32;
  const d = m.pm.d;
  const cow = isCowMapping(svma);
  let ok = true;
  walkRange(m, src.pgd, svma.start, svma.end, {
    pteTable: (table, from, to) => {
      if (!ok) return;
      const dtable = ensureTable(m, dst, from, m.geo.pteDepth);
      if (dtable < 0) {
        ok = false;
        return;
      }
      // Entries of one table are consecutive: step the indices instead of recomputing them.
      const first = pgIndex(from, 12);
      const sBase = entryIndex(table, first);
      const dBase = entryIndex(dtable, first);
      // For the trace: how many entries were copied / write-protected, and the first of each.
      let copied = 0;
      let firstK = 0;
      let protectedN = 0;
      let protectedK = 0;
      for (let va = from, k = 0; va < to; va += 4096, k += 2) {
        const si = sBase + k;
        let lo = u32[si];
        if (!(lo & (PTE_P | PTE_PROTNONE))) continue;
        const hi = u32[si + 1];
        const di = dBase + k;
        if (lo & PTE_SPECIAL) {
          u32[di] = lo & ~PTE_A;
          u32[di + 1] = hi;
          if (copied++ === 0) firstK = k;
          continue;
        }
        const pfn = entryPfn(lo, hi);
        if (d.use[pfn] === FrameUse.Anon && d.pincount[pfn] > 0) {
          // copy_present_page: a possibly pinned page gets an immediate private copy (R17).
          const np = m.allocFrames(0, FrameUse.Anon, dst.id);
          if (np < 0) {
            ok = false;
            return;
          }
          m.pm.copyFrame(np, pfn);
          d.mapping[np] = anonVmaPrepare(m, dvma).id;
          d.index[np] = Math.floor(va / 4096);
          d.mapcount[np] = 1;
          d.flags[np] |= PG_ANON_EXCLUSIVE;
          u32[di] = (((np & 0xfffff) << 12) | (lo & 0xfff)) >>> 0;
          u32[di + 1] = hi;
          if (copied++ === 0) firstK = k;
          dst.rssAnon++;
          continue;
        }
        d.refcount[pfn]++;
        d.mapcount[pfn]++;
        if (d.use[pfn] === FrameUse.Anon) {
          d.flags[pfn] &= ~PG_ANON_EXCLUSIVE;
          dst.rssAnon++;
        } else dst.rssShmem++;
        if (cow && lo & PTE_RW) {
          lo &= ~PTE_RW; // R16: write-protect in the parent and the child
          u32[si] = lo;
          if (protectedN++ === 0) protectedK = k;
        }
        u32[di] = lo & ~PTE_A; // the child's PTE is old
        u32[di + 1] = hi;
        if (copied++ === 0) firstK = k;
      }
      if (copied) tracePteSet(m, dst, from + firstK * 2048, 'pte', entryPfn(u32[dBase + firstK], u32[dBase + firstK + 1]), copied);
      if (protectedN) tracePteSet(m, src, from + protectedK * 2048, 'pte', entryPfn(u32[sBase + protectedK], u32[sBase + protectedK + 1]), protectedN);
    },
    huge: (depth, ei, va) => {
      if (!ok) return;
      // copy_pmd_range has allocated the child's PMD table (pmd_alloc) before it looks at
      // the entry.
      const dtable = ensureTable(m, dst, va, depth);
      if (dtable < 0) {
        ok = false;
        return;
      }
      // A shmem PMD of a private tmpfs mapping: copy_huge_pmd skips a file PMD ("can be
      // re-filled on fault", !vma_is_anonymous), so the child refaults it.
      if (isThpPmd(m, entryPfn(u32[ei], u32[ei + 1]))) return;
      // copy_hugetlb_page_range for a private hugetlb mapping.
      let lo = u32[ei];
      const hi = u32[ei + 1];
      const pfn = entryPfn(lo, hi);
      const di = entryIndex(dtable, pgIndex(va, m.geo.shifts[depth]));
      if (hugetlbFolioAnon(m, pfn) && d.pincount[pfn] > 0) {
        // hugetlb_try_dup_anon_rmap refuses a maybe-pinned folio (R17 for hugetlb): the child
        // gets its own copy now and the parent's entry is left as it is, still writable.
        // The child owns no reservation: a free unreserved pool page or a fresh surplus one;
        // with none, fork fails with ENOMEM.
        const np = copyAnonHugePage(m, dst, dvma, va, pfn, false);
        if (np < 0) {
          ok = false;
          return;
        }
        u32[di] = childHugeEntryLo(dvma, lo, np);
        u32[di + 1] = makeHi(np, (hi & PTE_HI_NX) !== 0);
        tracePteSet(m, dst, va, levelName(m, depth), np);
        dst.hugetlbPages += 512;
        return;
      }
      d.refcount[pfn]++;
      d.mapcount[pfn]++;
      if (hugetlbFolioAnon(m, pfn)) d.flags[pfn] &= ~PG_ANON_EXCLUSIVE; // now shared with the child
      if (cow && lo & PTE_RW) {
        lo &= ~PTE_RW;
        u32[ei] = lo;
        tracePteSet(m, src, va, levelName(m, depth), pfn);
      }
      u32[di] = (lo & ~PTE_A) | PTE_PS;
      u32[di + 1] = hi;
      tracePteSet(m, dst, va, levelName(m, depth), pfn);
      dst.hugetlbPages += 512;
    },
  });
  return ok;
}

/**
 * hugetlb_install_folio's entry: make_huge_pte(vma, folio, true) is young, and writable and
 * dirty when the VMA is writable (read-only otherwise); the protection bits (present or
 * PROT_NONE, user) are the VMA's, as in the parent's entry. The child's VMA is not registered
 * with userfaultfd, so no uffd-wp bit is carried over.
 */
function childHugeEntryLo(dvma: Vma, parentLo: number, np: number): number {
  const keep = parentLo & (PTE_P | PTE_PROTNONE | PTE_US);
  const w = dvma.flags & VM_WRITE ? PTE_RW | PTE_D : 0;
  return makeLo(np, keep | PTE_PS | PTE_A | w);
}

/**
 * dup_mmap: a new mm with a copy of every VMA of `src`; tables copied per R15.
 * Returns null when out of memory (nothing is left allocated).
 */
export function dupMmap(m: Machine, src: Mm, teardown: (mm: Mm) => void): Mm | null {
  const dst = newMm(m);
  if (!dst) return null;
  const copied = copyVmas(m, src, dst);
  // dup_mmap ends with flush_tlb_mm(oldmm), whether or not anything was write-protected and
  // whether or not the copy succeeded: one flush of the parent's whole PCID on every CPU
  // running it (a range flush per VMA before).
  flushTlbRange(m, src, 0, m.geo.userTop, PAGE_SHIFT, true); // flush_tlb_mm: freed_tables = true
  if (!copied) {
    teardown(dst);
    return null;
  }
  return dst;
}

/**
 * anon_vma_fork (mm/rmap.c): a child VMA gets a new anon_vma whose parent is the parent VMA's,
 * and a chain holding the parent's chain too (linkVma puts it in every set of it). So the
 * parent's pages, now shared, are found through the parent's anon_vma in both; the child's
 * COW copies get the child's own and are found only in the child; and the child's VMAs no
 * longer merge with each other or with new neighbours (anonVmaMergeable).
 */
function anonVmaFork(m: Machine, svma: Vma): AnonVma | null {
  if (!svma.anonVma) return null;
  const av: AnonVma = { id: m.s.nextAnonVmaId++, parent: svma.anonVma, vmas: new Set() };
  m.s.anonVmas.set(av.id, av);
  return av;
}

function copyVmas(m: Machine, src: Mm, dst: Mm): boolean {
  for (const svma of src.vmas) {
    // hugetlb_dup_vma_private(): the child owns no reservation of a private hugetlb mapping.
    const dvma: Vma = { ...svma, mm: dst, resv: null, resvUnmapped: false, anonVma: anonVmaFork(m, svma) };
    // dup_userfaultfd(): without UFFD_FEATURE_EVENT_FORK the child is not registered; it
    // faults normally instead of sleeping on a userfaultfd nobody reads for it.
    dvma.flags &= ~(VM_UFFD_MISSING | VM_UFFD_WP);
    linkVma(dst, dvma);
    if (dvma.region) dvma.region.attached.add(dvma); // M17: the VMA, no tables
    if (vmaNeedsCopy(svma) && !copyPageRange(m, dst, src, svma, dvma)) return false;
  }
  return true;
}

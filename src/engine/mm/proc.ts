/**
 * The /proc views: /proc/meminfo, /proc/PID/status, /proc/PID/maps, smaps, cgroup
 * memory.stat, and the mshare region report — computed from the counters and, for smaps,
 * by walking the tables (R22-R25, M18, H8). Sizes are bytes here; the report prints kB.
 */
import { FrameUse, PG_DIRTY, PG_THP } from '../hw/physmem';
import { PTE_D, PTE_P, PTE_PROTNONE, PTE_SPECIAL, entryPfn } from '../hw/pte';
import { cpuCounters, tlbTotals } from '../hw/tlb';
import type { Machine } from '../machine';
import { VM_MSHARE, type Inode, type Mm, type Task, type Vma } from '../types';
import { walkRange } from './pagewalk';
import { isThpPmd, thpHead } from './thp';
import { entryIndex, pgIndex } from './pgtable';
import { protString } from './vma';

export interface Meminfo {
  MemTotal: number;
  MemFree: number;
  MemUsed: number;
  AnonPages: number;
  Shmem: number;
  Cached: number;
  Mapped: number;
  PageTables: number;
  SecPageTables: number;
  HugePages_Total: number;
  HugePages_Free: number;
  HugePages_Rsvd: number;
  /** Surplus pages: all of them here, since nr_hugepages is 0 and the pool only overcommits. */
  HugePages_Surp: number;
  Hugetlb: number;
  KernelReserved: number;
  /** Shmem in huge folios (shmem THP, mm/thp.ts), and the part of it mapped by PMDs. */
  ShmemHugePages: number;
  ShmemPmdMapped: number;
}

/** Frames holding page tables, by the per-use counters. */
function pageTableFrames(fu: readonly number[]): number {
  return fu[FrameUse.Pgd] + fu[FrameUse.P4d] + fu[FrameUse.Pud] + fu[FrameUse.Pmd] + fu[FrameUse.Pte];
}

/**
 * The /proc/meminfo fields the machine keeps as counters, in bytes: a few array reads, no
 * scan (meminfo() also counts mapped shmem frames one by one). The counters chart samples
 * them after every step.
 */
export function meminfoCounters(m: Machine): Pick<Meminfo, 'AnonPages' | 'Shmem' | 'PageTables' | 'MemFree'> {
  const fu = m.s.frameUse;
  return {
    AnonPages: (fu[FrameUse.Anon] - unmappedAnon(m)) * 4096,
    Shmem: fu[FrameUse.Shmem] * 4096,
    PageTables: pageTableFrames(fu) * 4096,
    MemFree: m.s.buddy.freeFrames * 4096,
  };
}

/**
 * /proc/meminfo from the counters the page allocator keeps (KernelState.frameUse, updated by
 * Machine.allocFrames/freeFrames): constant time but for Mapped, which reads the mapcount of
 * the Shmem frames only. meminfoScan computes the same from every frame descriptor.
 */
export function meminfo(m: Machine): Meminfo {
  const fu = m.s.frameUse;
  const mc = m.pm.d.mapcount;
  const fl = m.pm.d.flags;
  let mapped = 0;
  let folios = 0;
  for (const p of m.s.shmemFrames) {
    if (mc[p] > 0) mapped++;
    if (fl[p] & PG_THP) folios++;
  }
  return meminfoOf(m, fu[FrameUse.Anon] - unmappedAnon(m), fu[FrameUse.Shmem], pageTableFrames(fu), fu[FrameUse.Hugetlb], mapped + pmdOnlyMapped(m), folios);
}

/**
 * Anonymous frames that no page table maps any more but a pin keeps (gup, then munmap):
 * AnonPages is NR_ANON_MAPPED, which drops when the last mapping goes, so they leave it. A
 * pin is the only thing that keeps an unmapped anonymous page (no swap cache here).
 */
function unmappedAnon(m: Machine): number {
  const d = m.pm.d;
  let seen: Set<number> | null = null;
  for (const t of m.s.tasks.values()) {
    for (const p of t.pins) {
      if (d.use[p.pfn] === FrameUse.Anon && d.mapcount[p.pfn] === 0) (seen ??= new Set()).add(p.pfn);
    }
  }
  return seen ? seen.size : 0;
}

/** meminfo by a scan of every frame descriptor (the reference the counters are tested against). */
export function meminfoScan(m: Machine): Meminfo {
  const d = m.pm.d;
  const n = m.pm.nframes;
  let anon = 0, shmem = 0, pt = 0, huge = 0, mapped = 0, folios = 0;
  for (let p = 0; p < n; p++) {
    const u = d.use[p];
    if (u === FrameUse.Anon) {
      if (d.mapcount[p] > 0) anon++;
    } else if (u === FrameUse.Shmem) {
      shmem++;
      if (d.mapcount[p] > 0) mapped++;
      if (d.flags[p] & PG_THP) folios++;
    } else if (u >= FrameUse.Pgd && u <= FrameUse.Pte) pt++;
    else if (u === FrameUse.Hugetlb) huge++;
  }
  return meminfoOf(m, anon, shmem, pt, huge, mapped + pmdOnlyMapped(m), folios);
}

/**
 * Pages of PMD-mapped shmem folios that no PTE maps: mapped all the same (a PMD mapping
 * counts the whole folio in NR_FILE_MAPPED), though their own (PTE) mapcount is 0.
 */
function pmdOnlyMapped(m: Machine): number {
  const mc = m.pm.d.mapcount;
  let n = 0;
  for (const head of m.s.thpPmdMapped) for (let i = 0; i < 512; i++) if (mc[head + i] === 0) n++;
  return n;
}

function meminfoOf(m: Machine, anon: number, shmem: number, pt: number, huge: number, mapped: number, thpFolios: number): Meminfo {
  const total = (m.pm.nframes - m.s.reservedFrames) * 4096;
  const free = m.s.buddy.freeFrames * 4096;
  return {
    MemTotal: total,
    MemFree: free,
    MemUsed: total - free,
    AnonPages: anon * 4096,
    Shmem: shmem * 4096,
    Cached: shmem * 4096,
    Mapped: mapped * 4096,
    PageTables: pt * 4096,
    SecPageTables: 0,
    HugePages_Total: huge / 512,
    HugePages_Free: m.s.hstate.free,
    HugePages_Rsvd: m.s.hstate.resv,
    HugePages_Surp: m.s.hstate.nr,
    Hugetlb: huge * 4096,
    KernelReserved: m.s.reservedFrames * 4096,
    ShmemHugePages: thpFolios * 2 ** 21,
    ShmemPmdMapped: m.s.thpPmdMapped.size * 2 ** 21,
  };
}

export interface Status {
  VmSize: number;
  VmRSS: number;
  RssAnon: number;
  RssFile: number;
  RssShmem: number;
  VmPTE: number;
  HugetlbPages: number;
  Threads: number;
}

export function status(mm: Mm | null, threads = 1): Status {
  if (!mm || mm.dead) return { VmSize: 0, VmRSS: 0, RssAnon: 0, RssFile: 0, RssShmem: 0, VmPTE: 0, HugetlbPages: 0, Threads: 0 };
  let size = 0;
  for (const v of mm.vmas) size += v.end - v.start;
  return {
    VmSize: size,
    VmRSS: (mm.rssAnon + mm.rssFile + mm.rssShmem) * 4096,
    RssAnon: mm.rssAnon * 4096,
    RssFile: mm.rssFile * 4096,
    RssShmem: mm.rssShmem * 4096,
    VmPTE: mm.pgtablesBytes,
    HugetlbPages: mm.hugetlbPages * 4096,
    Threads: threads,
  };
}

export interface MapsEntry {
  start: string;
  end: string;
  perms: string;
  offset: number;
  label: string | null;
  path: string | null;
  mshare: string | null;
  kind: 'anon' | 'shmem' | 'file' | 'hugetlb' | 'mshare';
}

export function hex(n: number): string {
  return '0x' + n.toString(16);
}

export function vmaKind(v: Vma): MapsEntry['kind'] {
  if (v.flags & VM_MSHARE) return 'mshare';
  if (v.file?.kind === 'hugetlb' || (!v.file && v.flags & 0x400000)) return 'hugetlb';
  if (!v.file) return 'anon';
  return v.file.kind === 'shmem-anon' ? 'shmem' : 'file';
}

/**
 * A file's name as /proc shows it: d_path appends " (deleted)" once the file is unlinked, so a
 * mapping of an unlinked file (or msharefs region) is not mistaken for whatever now has its name.
 */
export function shownPath(inode: Inode): string {
  return inode.nlink === 0 ? `${inode.path} (deleted)` : inode.path;
}

export function maps(mm: Mm | null): MapsEntry[] {
  if (!mm || mm.dead) return [];
  return mm.vmas.map((v) => ({
    start: hex(v.start),
    end: hex(v.end),
    perms: protString(v),
    offset: v.file ? v.pgoff * 4096 : 0,
    label: v.label,
    path: v.file ? (v.file.kind === 'shmem-anon' ? '/dev/zero (deleted)' : shownPath(v.file)) : null,
    mshare: v.region ? shownPath(v.region.inode) : null,
    kind: vmaKind(v),
  }));
}

export interface Smaps {
  Size: number;
  Rss: number;
  Pss: number;
  Shared_Clean: number;
  Shared_Dirty: number;
  Private_Clean: number;
  Private_Dirty: number;
  Anonymous: number;
  /** Shmem mapped by a PMD in this VMA (smaps_pmd_entry's shmem_thp). */
  ShmemPmdMapped: number;
  /** hugetlb pages count here only, not in Rss, Pss or the four lines above (as Linux). */
  Shared_Hugetlb: number;
  Private_Hugetlb: number;
}

/**
 * smaps of one VMA (R25), as fs/proc/task_mmu.c computes it: every 4 KiB page by its precise
 * mapcount (folio_precise_page_mapcount: the PTEs mapping that page plus the PMDs mapping its
 * whole folio), shared when that is 2 or more, Pss summed in fixed point (PSS_SHIFT, 12 bits)
 * with each page's share truncated, then truncated to bytes. As smaps_page_accumulate, a page
 * is dirty when its entry or its folio is (a shmem page written through another process's
 * mapping is dirty here too; so is every page of a huge folio when the folio is). hugetlb
 * pages count only in Shared_Hugetlb / Private_Hugetlb (smaps_hugetlb_range).
 */
export function smaps(m: Machine, vma: Vma): Smaps {
  const out: Smaps = {
    Size: vma.end - vma.start, Rss: 0, Pss: 0, Shared_Clean: 0, Shared_Dirty: 0, Private_Clean: 0, Private_Dirty: 0, Anonymous: 0,
    ShmemPmdMapped: 0, Shared_Hugetlb: 0, Private_Hugetlb: 0,
  };
  const u32 = m.pm.u32;
  const d = m.pm.d;
  let pss = 0; // in 1/4096 bytes
  /** smaps_page_accumulate for one 4 KiB page mapped `mapcount` times in all. */
  const accumulate = (mapcount: number, dirty: boolean) => {
    out.Rss += 4096;
    pss += mapcount >= 2 ? Math.floor((4096 * PSS_ONE) / mapcount) : 4096 * PSS_ONE;
    if (mapcount >= 2) dirty ? (out.Shared_Dirty += 4096) : (out.Shared_Clean += 4096);
    else dirty ? (out.Private_Dirty += 4096) : (out.Private_Clean += 4096);
  };
  const pteLeaf = (lo: number, pfn: number) => {
    if (lo & PTE_SPECIAL) return;
    const head = thpHead(m, pfn);
    const folio = head < 0 ? pfn : head;
    accumulate(d.mapcount[pfn] + (head < 0 ? 0 : d.entire[head]), (lo & PTE_D) !== 0 || (d.flags[folio] & PG_DIRTY) !== 0);
    if (d.use[pfn] === FrameUse.Anon) out.Anonymous += 4096;
  };
  const thpPmdLeaf = (lo: number, head: number) => {
    const dirty = (lo & PTE_D) !== 0 || (d.flags[head] & PG_DIRTY) !== 0;
    for (let i = 0; i < 512; i++) accumulate(d.mapcount[head + i] + d.entire[head], dirty);
    out.ShmemPmdMapped += 0x200000;
  };
  /**
   * smaps_hugetlb_range: shared when the page is mapped more than once
   * (folio_maybe_mapped_shared) or its PMD table page is shared (hugetlb_pmd_shared).
   */
  const hugetlbLeaf = (ei: number, pfn: number) => {
    const pmdShared = d.share[Math.floor(ei / 1024)] > 0; // the table page holding the entry
    if (d.mapcount[pfn] > 1 || pmdShared) out.Shared_Hugetlb += 0x200000;
    else out.Private_Hugetlb += 0x200000;
  };
  walkRange(m, vma.mm.pgd, vma.start, vma.end, {
    // smaps walks from the process VMA and does not follow an mshare link (M22).
    table: (_dp, _ei, _va, child) => d.owner[child] === vma.mm.id || d.use[child] !== FrameUse.Pud,
    pteTable: (table, from, to) => {
      for (let va = from; va < to; va += 4096) {
        const ei = entryIndex(table, pgIndex(va, 12));
        const lo = u32[ei];
        if (lo & (PTE_P | PTE_PROTNONE)) pteLeaf(lo, entryPfn(lo, u32[ei + 1]));
      }
    },
    huge: (_dp, ei) => {
      const lo = u32[ei];
      const pfn = entryPfn(lo, u32[ei + 1]);
      if (isThpPmd(m, pfn)) thpPmdLeaf(lo, pfn);
      else hugetlbLeaf(ei, pfn);
    },
  });
  out.Pss = Math.floor(pss / PSS_ONE);
  return out;
}

/** 1 << PSS_SHIFT (fs/proc/task_mmu.c). */
const PSS_ONE = 4096;

export function taskThreads(m: Machine, t: Task): number {
  let n = 0;
  for (const o of m.s.tasks.values()) if (o.tgid === t.tgid && (o.state === 'running' || o.state === 'blocked')) n++;
  return n;
}

export function tlbReport(m: Machine) {
  const t = tlbTotals(m.s.tlb);
  return {
    hits: t.hits,
    misses: t.misses,
    walks: t.walks,
    flushes: t.flushPage + t.flushMm + t.flushAll,
    shootdowns: t.shootdowns,
    perCpu: m.s.cpus.map((c, i) => ({ cpu: i, ...cpuCounters(m.s.tlb, i), contextSwitches: c.contextSwitches })),
  };
}

/**
 * The invariant checker (on in tests and fuzzing). Each check states a fact the real kernel
 * maintains; a violation is a bug in the simulator, reported in words.
 *
 * - no frame is both free and in use; free frames are exactly the buddy's free blocks
 * - mapcount of every page = the table entries (in distinct table pages) that map it; for a
 *   shmem huge folio the PMDs mapping it are its entire mapcount (on the first frame), apart
 *   from the PTEs mapping each page
 * - refcount >= mapcount (+ entire mapcount, +1 for the page cache, + pins)
 * - each mm's RSS counters and pgtables_bytes = what its own tables hold
 * - the reverse map finds every mapping of an anonymous page (4 KiB or hugetlb): the
 *   anon_vma in its mapping holds the VMA that maps it (directly, or through the chain fork
 *   built: a parent's page shared with a child is found in the child's VMA)
 * - share counts = the extra entries pointing at a shared table page
 * - a shmem or tmpfs file caches a page at or past i_size only inside a huge folio that
 *   starts below it (shmem_huge_global_enabled lets `always` run a folio past EOF; truncation
 *   drops everything else there)
 * - no TLB entry grants more than the page tables do
 */
import { freeFrameSet } from './mm/buddy';
import { FrameUse, PG_BUDDY, PG_TAIL, PG_THP } from './hw/physmem';
import { PTE_P, PTE_PROTNONE, PTE_PS, PTE_RW, PTE_SPECIAL, entryPfn } from './hw/pte';
import { TLB_W, cpuFirstSlot, tlbEntryPcid, tlbEntryPerm, tlbEntryPfn, tlbEntryVpn, tlbPcid } from './hw/tlb';
import { PTI_USER_PCID_BIT, userPcid } from './hw/cpu';
import type { Machine } from './machine';
import { entryIndex, pgIndex } from './mm/pgtable';
import { findVma } from './mm/vma';
import { VM_HUGETLB, type Mm } from './types';
import { hugeIndex } from './mm/hugetlb-pool';
import { fileSizePages, forEachCachePage } from './mm/pagecache';

export function checkInvariants(m: Machine): string[] {
  const errs: string[] = [];
  const d = m.pm.d;
  const u32 = m.pm.u32;
  const n = m.pm.nframes;
  const free = freeFrameSet(m.pm, m.s.buddy);
  let freeCount = 0;
  for (let p = 0; p < n; p++) {
    if (free[p]) freeCount++;
    const isFree = d.use[p] === FrameUse.Free;
    if (isFree !== (free[p] === 1)) errs.push(`frame ${p}: use=${d.use[p]} but ${free[p] ? 'in' : 'not in'} the free lists`);
    if (errs.length > 20) return errs;
  }
  if (freeCount !== m.s.buddy.freeFrames) errs.push(`buddy freeFrames ${m.s.buddy.freeFrames} != ${freeCount} frames in free lists`);

  // Walk every live mm; visit each table page once for mapcounts.
  const mapcount = new Int32Array(n);
  const entire = new Int32Array(n); // shmem THP first frame -> PMDs mapping it
  const pointers = new Int32Array(n); // entries pointing at each table page
  const seenTable = new Uint8Array(n);
  const levels = m.geo.shifts.length;
  const visit = (table: number, depth: number, base: number, mm: Mm, acc: { anon: number; shmem: number; pt: number }, own: boolean) => {
    const first = !seenTable[table];
    seenTable[table] = 1;
    const span = 2 ** m.geo.shifts[depth];
    for (let i = 0; i < 512; i++) {
      const ei = table * 1024 + i * 2;
      const lo = u32[ei];
      if (lo === 0 && u32[ei + 1] === 0) continue;
      const va = base + i * span;
      const leaf = depth === levels - 1 || (lo & PTE_PS) !== 0;
      if (!leaf) {
        if (!(lo & PTE_P)) continue;
        const child = entryPfn(lo, u32[ei + 1]);
        pointers[child]++;
        const borrowed = d.use[child] === FrameUse.Pud && d.owner[child] !== mm.id;
        if (borrowed) {
          // An mshare PUD: counted in the host, not here (M18). The host mm visits it with
          // its own accounting; visiting it here first would mark its tables seen and the
          // host's RSS and pgtables_bytes would then look short (a false report whenever a
          // sharer's mm id is lower than the host's).
          const owner = m.s.mms.get(d.owner[child]);
          if (!owner || owner.dead || !owner.hostOf) errs.push(`mm ${mm.id}: 0x${va.toString(16)} links PUD ${child} of mm ${d.owner[child]}, which is not a live mshare host`);
          continue;
        }
        const use = d.use[child];
        if (use !== m.geo.uses[depth + 1]) errs.push(`mm ${mm.id}: entry at 0x${va.toString(16)} points at frame ${child} used as ${use}`);
        if (own && (use === FrameUse.Pud || use === FrameUse.Pmd || use === FrameUse.Pte)) acc.pt += 4096;
        if (seenTable[child]) {
          // Shared hugetlb PMD (or a second path): count only RSS, not mapcounts.
          countLeaves(child, depth + 1, va, acc, own);
          continue;
        }
        visit(child, depth + 1, va, mm, acc, own);
        continue;
      }
      if (!(lo & (PTE_P | PTE_PROTNONE))) continue;
      if (lo & PTE_SPECIAL) continue;
      const pfn = entryPfn(lo, u32[ei + 1]);
      const use = d.use[pfn];
      const thp = depth < levels - 1 && use === FrameUse.Shmem; // a shmem PMD (mm/thp.ts)
      if (first) (thp ? entire : mapcount)[pfn]++;
      if (thp && !(d.flags[pfn] & PG_THP)) errs.push(`mm ${mm.id}: PMD at 0x${va.toString(16)} maps frame ${pfn}, not the first page of a shmem huge folio`);
      if (own && (use === FrameUse.Anon || (use === FrameUse.Hugetlb && d.owner[pfn] !== 0))) checkAnonRmap(mm, va, pfn);
      if (own && use === FrameUse.Anon) acc.anon++;
      else if (own && use === FrameUse.Shmem) acc.shmem += thp ? 512 : 1;
      if (use === FrameUse.Free) errs.push(`mm ${mm.id}: 0x${va.toString(16)} maps free frame ${pfn}`);
    }
  };
  const checkAnonRmap = (mm: Mm, va: number, pfn: number) => {
    const vma = findVma(mm, va);
    if (vma && m.s.anonVmas.get(d.mapping[pfn])?.vmas.has(vma)) return;
    errs.push(`mm ${mm.id}: anonymous page ${pfn} at 0x${va.toString(16)} is not found by the reverse map: anon_vma ${d.mapping[pfn]} does not hold its VMA`);
  };
  const countLeaves = (table: number, depth: number, _base: number, acc: { anon: number; shmem: number }, own: boolean) => {
    if (!own) return;
    for (let i = 0; i < 512; i++) {
      const ei = table * 1024 + i * 2;
      const lo = u32[ei];
      if (!(lo & (PTE_P | PTE_PROTNONE)) || lo & PTE_SPECIAL) continue;
      if (depth < levels - 1 && !(lo & PTE_PS)) continue;
      const use = d.use[entryPfn(lo, u32[ei + 1])];
      if (use === FrameUse.Anon) acc.anon++;
      else if (use === FrameUse.Shmem) acc.shmem += depth < levels - 1 ? 512 : 1;
    }
  };
  for (const mm of m.s.mms.values()) {
    if (mm.dead) continue;
    if (d.use[mm.pgd] !== FrameUse.Pgd) errs.push(`mm ${mm.id}: PGD frame ${mm.pgd} is not a PGD`);
    const acc = { anon: 0, shmem: 0, pt: 0 };
    visit(mm.pgd, 0, 0, mm, acc, true);
    if (acc.anon !== mm.rssAnon) errs.push(`mm ${mm.id}: rssAnon ${mm.rssAnon} but tables map ${acc.anon} anon pages`);
    if (acc.shmem !== mm.rssShmem) errs.push(`mm ${mm.id}: rssShmem ${mm.rssShmem} but tables map ${acc.shmem} shmem pages`);
    if (acc.pt !== mm.pgtablesBytes) errs.push(`mm ${mm.id}: pgtables_bytes ${mm.pgtablesBytes} but tables hold ${acc.pt}`);
  }
  const poolFree = new Set(m.s.hstate.freeList);
  errs.push(...checkHugetlbPool(m));
  errs.push(...checkAnonVmas(m));
  for (let p = 0; p < n; p++) {
    const use = d.use[p];
    if (use === FrameUse.Anon || use === FrameUse.Shmem || (use === FrameUse.Hugetlb && !(d.flags[p] & PG_TAIL))) {
      if (mapcount[p] !== d.mapcount[p]) errs.push(`frame ${p}: mapcount ${d.mapcount[p]} but ${mapcount[p]} entries map it`);
      const cacheRef = use === FrameUse.Anon ? 0 : d.mapping[p] && m.s.inodes.get(d.mapping[p])?.pages[d.index[p]] === p ? 1 : 0;
      const maps = d.mapcount[p] + d.entire[p];
      if (d.refcount[p] < maps + cacheRef + d.pincount[p]) errs.push(`frame ${p}: refcount ${d.refcount[p]} < mapcount ${d.mapcount[p]} + entire ${d.entire[p]} + cache ${cacheRef} + pins ${d.pincount[p]}`);
      if (d.refcount[p] <= 0 && !poolFree.has(p)) errs.push(`frame ${p}: in use with refcount ${d.refcount[p]}`);
    }
    if (entire[p] !== d.entire[p]) errs.push(`frame ${p}: entire mapcount ${d.entire[p]} but ${entire[p]} PMDs map its folio`);
    if ((d.entire[p] > 0) !== m.s.thpPmdMapped.has(p)) errs.push(`shmem THP ${p}: entire mapcount ${d.entire[p]}, ${m.s.thpPmdMapped.has(p) ? '' : 'not '}in thpPmdMapped`);
    if (use === FrameUse.Pmd && d.share[p] > 0 && pointers[p] !== d.share[p] + 1) {
      errs.push(`hugetlb PMD ${p}: share count ${d.share[p]} but ${pointers[p]} PUD entries point at it`);
    }
    if (use === FrameUse.Pud && d.share[p] > 0 && pointers[p] !== d.share[p] + 1) {
      errs.push(`mshare PUD ${p}: share count ${d.share[p]} but ${pointers[p] - 1} processes link it`);
    }
    if (d.flags[p] & PG_BUDDY && use !== FrameUse.Free) errs.push(`frame ${p}: buddy head but in use`);
    if (d.flags[p] & PG_THP) {
      // A shmem huge folio: 512 cached pages, 2 MiB-aligned in the file and in RAM.
      const inode = m.s.inodes.get(d.mapping[p]);
      const i0 = d.index[p];
      let whole = use === FrameUse.Shmem && !!inode && p % 512 === 0 && i0 % 512 === 0;
      for (let i = 0; whole && i < 512; i++) whole = inode!.pages[i0 + i] === p + i;
      if (!whole) errs.push(`frame ${p}: PG_THP but not the first of 512 cached pages of one 2 MiB folio`);
    }
    if (errs.length > 40) break;
  }
  errs.push(...checkPastEof(m));
  errs.push(...checkTlb(m));
  return errs;
}

/** Pages cached at or past i_size belong to a huge folio whose first page is below it. */
function checkPastEof(m: Machine): string[] {
  const errs: string[] = [];
  const d = m.pm.d;
  for (const inode of m.s.inodes.values()) {
    if (inode.kind !== 'tmpfs' && inode.kind !== 'shmem-anon') continue;
    const size = fileSizePages(inode);
    if (inode.pages.length <= size) continue;
    forEachCachePage(inode, (pfn, idx) => {
      if (idx < size) return;
      const head = inode.pages[idx - (idx % 512)];
      if (head === undefined || !(d.flags[head] & PG_THP) || idx - (idx % 512) >= size) {
        errs.push(`inode ${inode.id} (${inode.path}): page ${idx} (frame ${pfn}) cached past i_size (${size} pages) outside a huge folio that starts below it`);
      }
    });
  }
  return errs;
}

/**
 * The hugetlb pool (mm/hugetlb-pool.ts): its counters match its pages, its free pages are
 * unused, and the reservations it counts are the ones the VMAs and files hold: a private
 * VMA's unconsumed pages of its range, a file's reserved pages not yet in its cache.
 */
/**
 * anon_vmas: each a live VMA's chain holds is registered and holds that VMA; each registered
 * one is chained by some VMA (one that none is has been freed, as put_anon_vma frees it).
 */
function checkAnonVmas(m: Machine): string[] {
  const errs: string[] = [];
  const chained = new Set<number>();
  for (const mm of m.s.mms.values()) {
    if (mm.dead) continue;
    for (const v of mm.vmas) {
      for (let av = v.anonVma; av; av = av.parent) {
        chained.add(av.id);
        if (m.s.anonVmas.get(av.id) !== av) errs.push(`mm ${mm.id}: VMA 0x${v.start.toString(16)} chains anon_vma ${av.id}, which is not registered`);
        if (!av.vmas.has(v)) errs.push(`mm ${mm.id}: anon_vma ${av.id} does not hold VMA 0x${v.start.toString(16)} of its chain`);
      }
    }
  }
  for (const av of m.s.anonVmas.values()) if (!chained.has(av.id)) errs.push(`anon_vma ${av.id} is chained by no VMA of a live mm (${av.vmas.size} in its set): it should have been freed`);
  return errs;
}

function checkHugetlbPool(m: Machine): string[] {
  const errs: string[] = [];
  const hs = m.s.hstate;
  const d = m.pm.d;
  if (hs.free !== hs.freeList.length) errs.push(`hugetlb: ${hs.free} free pages counted, ${hs.freeList.length} on the free list`);
  if (hs.nr * 512 !== m.s.frameUse[FrameUse.Hugetlb]) errs.push(`hugetlb: ${hs.nr} pages in the pool, ${m.s.frameUse[FrameUse.Hugetlb] / 512} allocated`);
  if (hs.free < hs.resv) errs.push(`hugetlb: ${hs.resv} pages reserved but only ${hs.free} free`);
  for (const p of hs.freeList) {
    if (d.use[p] !== FrameUse.Hugetlb || d.flags[p] & PG_TAIL || d.refcount[p] !== 0 || d.mapcount[p] !== 0 || d.pincount[p] !== 0) {
      errs.push(`hugetlb: free pool page ${p} is in use (use ${d.use[p]}, refcount ${d.refcount[p]}, mapcount ${d.mapcount[p]})`);
    }
  }
  let held = 0;
  for (const mm of m.s.mms.values()) {
    if (mm.dead) continue;
    for (const v of mm.vmas) {
      if (!v.resv || !(v.flags & VM_HUGETLB)) continue;
      const from = hugeIndex(v, v.start);
      const to = hugeIndex(v, v.end);
      let used = 0;
      for (const i of v.resv.consumed) if (i >= from && i < to) used++;
      held += to - from - used;
    }
  }
  for (const inode of m.s.inodes.values()) {
    if (inode.resv) for (const i of inode.resv) if (inode.pages[i * 512] === undefined) held++;
  }
  if (held !== hs.resv) errs.push(`hugetlb: ${hs.resv} pages reserved, the VMAs and files hold ${held} reservations`);
  return errs;
}

/** A side-effect-free walk: the leaf's pfn and writability, or null. */
function peek(m: Machine, pgd: number, va: number): { pfn: number; rw: boolean } | null {
  const u32 = m.pm.u32;
  let table = pgd;
  let rw = true;
  const shifts = m.geo.shifts;
  for (let dp = 0; dp < shifts.length; dp++) {
    const ei = entryIndex(table, pgIndex(va, shifts[dp]));
    const lo = u32[ei];
    if (!(lo & PTE_P)) return null;
    rw = rw && (lo & PTE_RW) !== 0;
    const pfn = entryPfn(lo, u32[ei + 1]);
    if (dp === shifts.length - 1) return { pfn, rw };
    if (lo & PTE_PS) return { pfn: pfn + (Math.floor(va / 4096) % 2 ** (shifts[dp] - 12)), rw };
    table = pfn;
  }
  return null;
}

function checkTlb(m: Machine): string[] {
  const errs: string[] = [];
  const t = m.s.tlb;
  for (const c of m.s.cpus) {
    const want = m.s.config.pcid && c.asid >= 0 ? userPcid(m, c.asid) : 0;
    const cur = tlbPcid(t, c.id);
    if (cur !== want) errs.push(`cpu ${c.id}: the TLB says PCID ${cur}, the CPU runs ASID ${c.asid} (PCID ${want})`);
    const cr3 = c.mm ? c.mm.pgd : -1;
    if (t.cr3[c.id] !== cr3) errs.push(`cpu ${c.id}: tlb.cr3 says PGD ${t.cr3[c.id]}, the CPU runs mm ${c.mm?.id ?? 'none'} (PGD ${cr3})`);
    const first = cpuFirstSlot(t, c.id);
    for (let i = first; i < first + t.size; i++) {
      const pcid = tlbEntryPcid(t, i);
      if (pcid < 0) continue;
      if (t.clean[c.id] && pcid === cur) errs.push(`cpu ${c.id}: TLB marked clean but slot ${i - first} holds an entry under PCID ${pcid}`);
      let mm: Mm | undefined;
      if (m.s.config.pcid) {
        const slot = (pcid & ~PTI_USER_PCID_BIT) - 1;
        if (c.asidStale[slot]) continue; // flushed before this ASID is used again
        mm = m.s.mms.get(c.asidMm[slot]);
      } else if (c.lazyStale) continue; // lazy: flushed before a task of its mm runs here
      else mm = c.mm ?? undefined;
      if (!mm || mm.dead) {
        errs.push(`cpu ${c.id}: TLB entry for pcid ${pcid} of a dead mm`);
        continue;
      }
      const va = tlbEntryVpn(t, i) * 4096;
      const w = peek(m, mm.pgd, va);
      if (!w) errs.push(`cpu ${c.id}: TLB maps 0x${va.toString(16)} for mm ${mm.id} but the tables do not`);
      else if (w.pfn !== tlbEntryPfn(t, i)) errs.push(`cpu ${c.id}: TLB maps 0x${va.toString(16)} to frame ${tlbEntryPfn(t, i)}, tables say ${w.pfn}`);
      else if (tlbEntryPerm(t, i) & TLB_W && !w.rw) errs.push(`cpu ${c.id}: TLB grants write to 0x${va.toString(16)}, tables do not`);
    }
  }
  return errs;
}

/** After every task exited and every file is gone: all frames but the boot reservation free. */
export function leakedFrames(m: Machine): number {
  return m.pm.nframes - m.s.reservedFrames - 1 /* zero page */ - m.s.buddy.freeFrames;
}

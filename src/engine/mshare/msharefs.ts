/**
 * msharefs: mount, files and directories, attach by mmap, ftruncate, the ioctls, owner exit,
 * and the design-question policies (§2, M1-M4, M13-M20, §4).
 *
 * Flavour 2024 (LSFMM 2024 / 2022 v2): the creator's first MAP_SHARED mmap of the file over a
 * 512 GiB-aligned range fixes start and size; its VMAs inside move into the host mm; others
 * read mshare_info and map the same range. Flavour 2025 (PATCH v3): ftruncate sets the size,
 * ioctls place objects in the host at mshare_base, attaches may use any aligned address,
 * the creator owns the region.
 */
import { flushHooks } from '../hw/cpu';
import { FrameUse } from '../hw/physmem';
import { PTE_P, entryPfn } from '../hw/pte';
import type { Machine } from '../machine';
import { doMprotect } from '../mm/mprotect';
import { newInode } from '../mm/pagecache';
import { walkRange } from '../mm/pagewalk';
import { shownPath } from '../mm/proc';
import { ensureTable, entryIndex, findTable, pgIndex } from '../mm/pgtable';
import { doMunmap } from '../mm/unmap';
import { hugetlbSplitOk, isolateVmas, linkVma, rangeOverlapsVma, splitRefusal, takeLabel, unlinkVma as unlinkVmaFromMm, unmappedArea, vmasIn } from '../mm/vma';
import { vmOps } from '../mm/vmops';
import { doMmap, MMAP_BASE, MMAP_MIN_ADDR, type MmapRequest } from '../sys/mmap';
import { taskHooks } from '../sys/task';
import { lockMm, unlockMm } from '../sys/locks';
import { refusal, refuse } from '../sys/result';
import { VM_DONTEXPAND, VM_MAYSHARE, VM_MAYWRITE, VM_MSHARE, VM_SHARED, type Errno, type Inode, type Mm, type MshareRegion, type Task, type Vma } from '../types';
import { MSHARE_ALIGN, createRegion, destroyRegion, hostTlbNotify, mshareFault, sharerMms, unlinkVma } from './region';
import { levelName, tracePteSet } from '../mm/pte-trace';

export const DEFAULT_MOUNT = '/sys/fs/mshare';

export function registerMshare(): void {
  vmOps.mshare = {
    unmap: unlinkVma,
    fault: mshareFault,
    evict: (m, inode) => {
      if (inode.region) destroyRegion(m, inode.region);
    },
  };
  taskHooks.mshare = { ownerExit, regionSharers };
  flushHooks.hostMm = hostTlbNotify;
}

export function mount(m: Machine, path: string): Errno | null {
  if (!path.startsWith('/')) return refuse('EINVAL', 'mount points are absolute paths');
  if (m.s.mounts.has(path)) return refuse('EBUSY', `${path} is already mounted`);
  m.s.mounts.add(path);
  const root = newInode(m, path, 'dir', 0);
  m.s.paths.set(path, root);
  // The alignment file (2022 v2 onward): the decimal text of mshare_align.
  const info = newInode(m, `${path}/mshare_info`, 'info', MSHARE_ALIGN);
  m.s.paths.set(info.path, info);
  return null;
}

export function isMsharefsPath(m: Machine, path: string): boolean {
  for (const mnt of m.s.mounts) if (path === mnt || path.startsWith(mnt + '/')) return true;
  return false;
}

function parentDir(path: string): string {
  return path.slice(0, path.lastIndexOf('/')) || '/';
}

/** open(O_CREAT) on msharefs creates a host mm (M1); a trailing '/' makes a directory. */
export function openFile(m: Machine, t: Task, path: string, create: boolean): Inode | Errno {
  const isDir = path.endsWith('/') && path.length > 1;
  const p = isDir ? path.slice(0, -1) : path;
  const have = m.s.paths.get(p);
  if (have) {
    if (create && have.kind === 'msharefs' && !isDir) return have; // O_CREAT without O_EXCL
    return have;
  }
  if (!create) return refuse('ENOENT', `no msharefs file ${p}`);
  const dir = m.s.paths.get(parentDir(p));
  if (!dir || dir.kind !== 'dir') return refuse('ENOENT', `no msharefs directory ${parentDir(p)}`);
  if (isDir) {
    const d = newInode(m, p, 'dir', 0);
    m.s.paths.set(p, d);
    return d;
  }
  const inode = newInode(m, p, 'msharefs', 0);
  const region = createRegion(m, inode, t.pid);
  if (!region) {
    m.s.inodes.delete(inode.id);
    return refuse('ENOMEM', 'no memory for the host mm');
  }
  m.s.paths.set(p, inode);
  m.trace.emit({ type: 'mshare', action: 'create', region: p, pid: t.pid, detail: `host mm ${region.host.id}` });
  return inode;
}

/** 2025: ftruncate sets the size once, a multiple of 512 GiB (M2). */
export function ftruncate(m: Machine, t: Task, inode: Inode, size: number): Errno | null {
  const r = inode.region!;
  if (r.flavour === 2024) return refuse('EINVAL', 'in the 2024 design the first mmap sets the size');
  if (r.initialized) return refuse('EINVAL', 'the size of an mshare region can be set only once');
  if (!(size > 0) || size % MSHARE_ALIGN !== 0) return refuse('EINVAL', 'the size must be a multiple of 512G (mshare_align)');
  r.size = size;
  r.initialized = true;
  inode.size = size;
  r.host.vmas = [];
  m.trace.emit({ type: 'mshare', action: 'ftruncate', region: r.path, pid: t.pid, detail: `size ${size}` });
  return null;
}

export function info(m: Machine, inode: Inode): { start: number; size: number } | Errno {
  if (inode.kind === 'info') return { start: 0, size: MSHARE_ALIGN };
  const r = inode.region;
  if (!r) return refuse('EINVAL', 'not an msharefs file');
  void m;
  return { start: r.start, size: r.size };
}

function findAlignedGap(mm: Mm, len: number, top: number): number {
  return unmappedArea(mm, len, MSHARE_ALIGN, Math.min(top, MMAP_BASE), MMAP_MIN_ADDR);
}

/** Create the process's msharefs VMA (M4: no page-table entries). */
function attach(m: Machine, t: Task, r: MshareRegion, start: number, prot: number, label: string | null): Vma | Errno {
  const mm = t.mm!;
  // A fixed attach unmaps what was there; it must not split a VMA that refuses (EINVAL).
  const why = splitRefusal(mm, start, start + r.size);
  if (why) return refuse('EINVAL', why);
  doMunmap(m, mm, start, start + r.size);
  const vma: Vma = {
    start,
    end: start + r.size,
    flags: prot | VM_SHARED | VM_MAYSHARE | VM_MAYWRITE | VM_MSHARE | VM_DONTEXPAND,
    file: r.inode,
    pgoff: 0,
    anonVma: null,
    label,
    region: r,
    mm,
  };
  linkVma(mm, vma);
  r.attached.add(vma);
  if (r.start === 0) r.start = start;
  m.trace.emit({ type: 'mshare', action: 'attach', region: r.path, pid: t.pid, detail: `0x${start.toString(16)}` });
  return vma;
}

/**
 * 2024: the creator's VMAs inside [start, end) move into the host mm, with the page tables
 * under their slots: the host's slot entry takes the creator's PUD page, which the creator
 * keeps linked (share count 1). RSS and pgtables_bytes move with them.
 * Returns ENOMEM (and moves nothing) when the host's slot table cannot be allocated.
 */
function moveIntoHost(m: Machine, mm: Mm, host: Mm, start: number, end: number): Errno | null {
  const u32 = m.pm.u32;
  const d = m.pm.d;
  const depth = m.geo.pudDepth - 1;
  // The host's table holding the slot entries: its PGD with 4 levels, a P4D page with 5
  // (allocated here, before anything moves, so a failure leaves the creator intact).
  for (let slot = start; slot < end; slot += MSHARE_ALIGN) {
    if (slotPud(m, mm, slot, depth) >= 0 && ensureTable(m, host, slot, depth) < 0) return 'ENOMEM';
  }
  for (const v of isolateVmas(mm, start, end)) {
    unlinkVmaFromMm(mm, v);
    v.mm = host;
    linkVma(host, v);
  }
  for (let slot = start; slot < end; slot += MSHARE_ALIGN) {
    const ei = slotPud(m, mm, slot, depth);
    if (ei < 0) continue;
    const pud = entryPfn(u32[ei], u32[ei + 1]);
    walkRange(m, mm.pgd, slot, slot + MSHARE_ALIGN, {
      // Only the PMD and PTE pages below the PUD; the PUD itself (and, with 5 levels, the
      // creator's own P4D above it) is handled below, once.
      table: (dep, _e, _va, child) => {
        if (dep < m.geo.pudDepth) return;
        d.owner[child] = host.id;
        mm.pgtablesBytes -= 4096;
        host.pgtablesBytes += 4096;
      },
      pte: (pe) => {
        if (u32[pe] & 0x200) return; // the zero page is not counted
        const pfn = entryPfn(u32[pe], u32[pe + 1]);
        if (d.use[pfn] === FrameUse.Anon) {
          mm.rssAnon--;
          host.rssAnon++;
          d.owner[pfn] = host.id;
        } else {
          mm.rssShmem--;
          host.rssShmem++;
        }
      },
      huge: (_dep, he) => {
        // A 2 MiB leaf: a hugetlb page, or a shmem THP folio (counted as 512 pages of RssShmem).
        if (d.use[entryPfn(u32[he], u32[he + 1])] === FrameUse.Shmem) {
          mm.rssShmem -= 512;
          host.rssShmem += 512;
          return;
        }
        mm.hugetlbPages -= 512;
        host.hugetlbPages += 512;
      },
    });
    d.owner[pud] = host.id;
    mm.pgtablesBytes -= 4096;
    host.pgtablesBytes += 4096;
    const hei = entryIndex(findTable(m, host.pgd, slot, depth), pgIndex(slot, m.geo.shifts[depth]));
    u32[hei] = u32[ei];
    u32[hei + 1] = u32[ei + 1];
    tracePteSet(m, host, slot, levelName(m, depth), pud);
    d.share[pud] = 1; // the creator stays linked
  }
  return null;
}

/** u32 index of `mm`'s present slot entry (the one pointing at a PUD page) for `slot`, or -1. */
function slotPud(m: Machine, mm: Mm, slot: number, depth: number): number {
  const pt = findTable(m, mm.pgd, slot, depth);
  if (pt < 0) return -1;
  const ei = entryIndex(pt, pgIndex(slot, m.geo.shifts[depth]));
  return m.pm.u32[ei] & PTE_P ? ei : -1;
}

/** mmap(2) of an msharefs file: create (2024, first mmap) or attach (M4). */
export function mmapRegion(m: Machine, t: Task, inode: Inode, req: MmapRequest): Vma | Errno {
  const r = inode.region;
  if (!r) return refuse('EINVAL', 'the region is gone');
  if (req.flags.private) return refuse('EINVAL', 'msharefs files can only be mapped MAP_SHARED');
  if (!req.flags.shared) return refuse('EINVAL', 'mmap needs MAP_SHARED or MAP_PRIVATE');
  const mm = t.mm!;
  const top = m.geo.taskSize;
  if (r.flavour === 2024) {
    if (!r.initialized) {
      if (!(req.len > 0) || req.len % MSHARE_ALIGN !== 0) return refuse('EINVAL', 'the size must be a multiple of 512G (mshare_align)');
      let start = req.addr;
      if (start === null) start = findAlignedGap(mm, req.len, top);
      if (start < 0) return refuse('ENOMEM', 'no 512G-aligned gap left');
      if (start % MSHARE_ALIGN !== 0) return refuse('EINVAL', 'the start must be 512G-aligned (mshare_align)');
      if (start + req.len > top) return refuse('ENOMEM', 'beyond the user address space');
      // Regions do not nest: moveIntoHost would move another region's VMA, and the PUD page
      // it borrows from that region's host, into this host (both hosts then count it).
      if (vmasIn(mm, start, start + req.len).some((v) => v.flags & VM_MSHARE)) return refuse('EINVAL', 'the range already holds an mshare region');
      const e = moveIntoHost(m, mm, r.host, start, start + req.len);
      if (e) return refuse(e, 'no memory for the host page tables');
      r.start = start;
      r.size = req.len;
      r.hostBase = start;
      r.initialized = true;
      inode.size = req.len;
      return attach(m, t, r, start, req.prot, req.label);
    }
    if (req.len !== r.size) return refuse('EINVAL', `the region is ${r.size} bytes; map all of it`);
    if (req.addr !== null && req.addr !== r.start) return refuse('EINVAL', `the 2024 design maps the region at the same address in every process (0x${r.start.toString(16)})`);
    if (rangeOverlapsVma(mm, r.start, r.start + r.size) && !req.flags.fixed) return refuse('EINVAL', 'the region address range is in use');
    return attach(m, t, r, r.start, req.prot, req.label);
  }
  // 2025 (PATCH v3)
  if (!r.initialized) return refuse('EINVAL', 'set the size with ftruncate first');
  if (r.orphaned || r.owner === 0) return refuse('EINVAL', 'the region has no owner any more');
  if (req.len !== r.size) return refuse('EINVAL', `the length must equal the region size (${r.size})`);
  let start: number;
  if (req.flags.fixed) {
    if (req.addr === null || req.addr % MSHARE_ALIGN !== 0) return refuse('EINVAL', 'MAP_FIXED needs a 512G-aligned address');
    start = req.addr;
  } else {
    const hint = req.addr === null ? -1 : Math.ceil(req.addr / MSHARE_ALIGN) * MSHARE_ALIGN;
    start = hint >= MMAP_MIN_ADDR && hint + r.size <= top && !rangeOverlapsVma(mm, hint, hint + r.size) ? hint : findAlignedGap(mm, r.size, top);
    if (start < 0) return refuse('ENOMEM', 'no 512G-aligned gap left');
  }
  if (start + r.size > top) return refuse('ENOMEM', 'beyond the user address space');
  return attach(m, t, r, start, req.prot, req.label);
}

/** 2024: a MAP_FIXED mapping inside an attached region is created in the host mm. */
export function mmapInsideRegion(m: Machine, t: Task, vma: Vma, req: MmapRequest): number | Errno {
  const r = vma.region!;
  if (r.flavour === 2025) return refuse('EINVAL', 'in PATCH v3 objects are placed with ioctl create_mapping');
  const start = req.addr!;
  const len = Math.ceil(req.len / 4096) * 4096;
  if (start + len > vma.end) return refuse('EINVAL', 'the mapping crosses the end of the region');
  const hostReq: MmapRequest = { ...req, addr: start - vma.start + r.hostBase };
  const h = doMmap(m, r.host, hostReq);
  if (typeof h === 'string') return refuse(h, 'mmap in the host mm failed');
  if (req.label !== null) takeLabel(r.host, req.label, h);
  m.trace.emit({ type: 'mshare', action: 'host-mmap', region: r.path, pid: t.pid, detail: `0x${start.toString(16)} ${len}` });
  return start;
}

/** MSHAREFS_CREATE_MAPPING (M3): a MAP_SHARED|MAP_FIXED mmap on the host mm. */
export function ioctlCreateMapping(m: Machine, t: Task, inode: Inode, off: number, size: number, prot: number, file: string | undefined, hugetlb: boolean): number | Errno {
  const r = inode.region;
  if (!r) return refuse('ENOTTY', 'not an msharefs file');
  if (r.flavour === 2024) return refuse('ENOTTY', 'the 2024 design has no ioctls; mmap inside the region instead');
  if (!r.initialized) return refuse('EINVAL', 'set the size with ftruncate first');
  const align = hugetlb ? 0x200000 : 4096;
  if (!(size > 0) || off < 0 || off % align !== 0 || off + size > r.size) return refuse('EINVAL', 'the range must lie inside the region, aligned');
  let obj: Inode | null = null;
  if (file !== undefined) {
    obj = m.s.paths.get(file) ?? null;
    if (!obj) return refuse('ENOENT', `no file ${file}`);
    if (obj.kind === 'msharefs') return refuse('EINVAL', 'an msharefs file cannot be mapped inside an msharefs region');
    if (hugetlb && obj.kind !== 'hugetlb') return refuse('EINVAL', 'MAP_HUGETLB on a non-hugetlb file');
  }
  lockMm(m, r.host, 'write', t.pid);
  const h = doMmap(m, r.host, {
    addr: r.hostBase + off,
    len: size,
    prot,
    flags: { shared: true, private: false, anon: obj === null, fixed: true, populate: false, hugetlb, noreserve: false },
    inode: obj,
    off: 0,
    label: null,
  });
  unlockMm(m, r.host, t.pid);
  if (typeof h === 'string') return refuse(h, 'mmap in the host mm failed');
  m.trace.emit({ type: 'mshare', action: 'create_mapping', region: r.path, pid: t.pid, detail: `offset ${off} size ${size}` });
  return h;
}

/** MSHAREFS_UNMAP (M14): do_munmap on the host; the PUD page survives while linked. */
export function ioctlUnmap(m: Machine, t: Task, inode: Inode, off: number, size: number): Errno | null {
  const r = inode.region;
  if (!r) return refuse('ENOTTY', 'not an msharefs file');
  if (r.flavour === 2024) return refuse('ENOTTY', 'the 2024 design has no ioctls; munmap the range inside the region instead');
  if (!(size > 0) || off < 0 || off % 4096 !== 0 || off + size > r.size) return refuse('EINVAL', 'the range must lie inside the region');
  const hs = r.hostBase + off;
  const he = hs + Math.ceil(size / 4096) * 4096;
  // do_munmap on the host splits its VMAs like munmap does: not inside a huge page.
  if (!hugetlbSplitOk(r.host, hs, he)) return refuse('EINVAL', 'hugetlb objects are unmapped in whole 2 MiB pages');
  lockMm(m, r.host, 'write', t.pid);
  doMunmap(m, r.host, hs, he);
  unlockMm(m, r.host, t.pid);
  m.trace.emit({ type: 'mshare', action: 'unmap', region: r.path, pid: t.pid, detail: `offset ${off} size ${size}` });
  return null;
}

/**
 * 2024: a munmap strictly inside an attached region unmaps the host's objects there, for
 * every sharer: the counterpart of a MAP_FIXED mmap inside (the process VMA is not split).
 * The host's tables are zapped and its mmu_notifier flushes the sharers (M11); the PUD page
 * stays while linked (M13). PATCH v3 refuses it (EINVAL, may_split): it has ioctl unmap.
 */
export function munmapInsideRegion(m: Machine, t: Task, vma: Vma, start: number, end: number): Errno | null {
  const r = vma.region!;
  if (r.flavour === 2025) return refuse('EINVAL', 'msharefs VMAs cannot be split; use ioctl unmap to remove an object, or unmap the whole region');
  const hs = start - vma.start + r.hostBase;
  const he = end - vma.start + r.hostBase;
  if (!hugetlbSplitOk(r.host, hs, he)) return refuse('EINVAL', 'hugetlb objects are unmapped in whole 2 MiB pages');
  lockMm(m, r.host, 'write', t.pid);
  doMunmap(m, r.host, hs, he);
  unlockMm(m, r.host, t.pid);
  m.trace.emit({ type: 'mshare', action: 'host-munmap', region: r.path, pid: t.pid, detail: `0x${start.toString(16)} ${end - start}` });
  return null;
}

/** mprotect on an msharefs VMA: EINVAL (v3) or applied to the host VMAs for every sharer. */
export function mprotectRegion(m: Machine, t: Task, vma: Vma, start: number, end: number, prot: number): Errno | null {
  if (m.s.policies.mprotect === 'einval') return refuse('EINVAL', 'mprotect=einval: protections of an msharefs VMA cannot be changed (v3 vm_ops->mprotect)');
  const r = vma.region!;
  const hs = start - vma.start + r.hostBase;
  const he = end - vma.start + r.hostBase;
  // The process VMA was checked by mprotect(2); the host VMAs it reaches must not be split
  // inside a huge page either (hugetlb mprotect is 2 MiB-aligned).
  if (!hugetlbSplitOk(r.host, hs, he)) return refuse('EINVAL', 'hugetlb objects change protection in whole 2 MiB pages');
  lockMm(m, r.host, 'write', t.pid);
  // Apply to the host VMAs in the range; holes stay holes.
  for (const hv of vmasIn(r.host, hs, he)) {
    doMprotect(m, r.host, Math.max(hs, hv.start), Math.min(he, hv.end), prot);
  }
  unlockMm(m, r.host, t.pid);
  m.trace.emit({ type: 'mshare', action: 'mprotect', region: r.path, pid: t.pid, detail: `global: every sharer sees it` });
  return null;
}

/** exit_mshare (M15): the owner's regions lose their owner; under owner_exit=unmap, emptied. */
function ownerExit(m: Machine, t: Task): void {
  for (const r of [...m.s.regions.values()]) {
    if (r.owner !== t.pid) continue;
    r.owner = 0;
    if (m.s.policies.ownerExit !== 'unmap') continue;
    r.orphaned = true;
    if (r.initialized && !r.host.dead) {
      const start = r.hostBase;
      doMunmap(m, r.host, start, start + r.size);
    }
    m.trace.emit({ type: 'mshare', action: 'owner-exit', region: r.path, pid: t.pid, detail: 'region unmapped; sharers will get SIGSEGV' });
  }
}

/** Every task mapping a region that `mm` maps (the msharefs inode's reverse map). */
function regionSharers(m: Machine, mm: Mm): string[] {
  const out: string[] = [];
  for (const v of mm.vmas) {
    if (!(v.flags & VM_MSHARE) || !v.region) continue;
    for (const smm of sharerMms(v.region)) {
      for (const pid of smm.tasks) {
        const t = m.s.tasks.get(pid);
        if (t) out.push(`${shownPath(v.region.inode)}: ${t.name}`);
      }
    }
  }
  return out;
}

/**
 * mmap(2) for regular mappings (mm/mmap.c do_mmap): argument checks with Linux's errnos,
 * address choice, VMA creation and merge, MAP_POPULATE. msharefs files are handled by
 * mshare/ before this is reached.
 */
import type { Machine } from '../machine';
import { refusal, refuse } from './result';
import { maybeEvict, newInode } from '../mm/pagecache';
import { hugetlbReserve } from '../mm/hugetlb-pool';
import { doMunmap } from '../mm/unmap';
import { linkVma, mergeVma, rangeOverlapsVma, splitRefusal, unmappedArea } from '../mm/vma';
import {
  VM_EXEC, VM_HUGETLB, VM_MAYSHARE, VM_MAYWRITE, VM_NORESERVE, VM_READ, VM_SHARED, VM_WRITE,
  type Errno, type Inode, type Mm, type Vma,
} from '../types';
import { HPAGE } from '../mm/hugetlb';

export const PAGE = 4096;
/** Where top-down allocation starts (mmap_base), below the stack like a real process. */
export const MMAP_BASE = 0x7f0000000000;
/** The lowest address mmap hands out without MAP_FIXED (mmap_min_addr is 64 KiB). */
export const MMAP_MIN_ADDR = 0x10000;

export interface MmapFlags {
  shared: boolean;
  private: boolean;
  anon: boolean;
  fixed: boolean;
  populate: boolean;
  hugetlb: boolean;
  noreserve: boolean;
}

export interface MmapRequest {
  addr: number | null; // null = auto
  len: number;
  prot: number; // VM_READ|VM_WRITE|VM_EXEC bits
  flags: MmapFlags;
  /** null for anonymous memory (with `anon`, Kernel.mmap looks up no file, as Linux). */
  inode: Inode | null;
  off: number;
  label: string | null;
}

/** A PROT string: 'none', or letters from r, w, x ('-' allowed as a placeholder, "r-x"). */
export function isProt(prot: unknown): prot is string {
  return typeof prot === 'string' && (prot === 'none' || /^[rwx-]{1,3}$/.test(prot));
}

export function protFlags(prot: string): number {
  if (prot === 'none') return 0;
  return (prot.includes('r') ? VM_READ : 0) | (prot.includes('w') ? VM_WRITE : 0) | (prot.includes('x') ? VM_EXEC : 0);
}

/**
 * Check the request and pick the range; returns [start, len] or an errno (refusal() says why).
 * `thpOffset`, when not null, is the file offset of a shmem mapping to be placed for PMDs
 * (shmemThpPlace).
 */
export function mmapRange(m: Machine, mm: Mm, req: MmapRequest, align: number, placeAlign = align, thpOffset: number | null = null): [number, number] | Errno {
  const top = m.geo.taskSize;
  // `!(len > 0)` and not `len <= 0`: a NaN length must fail too (it made a VMA ending at NaN).
  if (!(req.len > 0)) return refuse('EINVAL', 'the length is 0');
  if (req.flags.shared === req.flags.private) return refuse('EINVAL', 'exactly one of shared and private');
  if (req.off % PAGE !== 0 || req.off < 0) return refuse('EINVAL', 'the offset must be a multiple of 4K');
  const len = Math.ceil(req.len / align) * align;
  if (len > top) return refuse('ENOMEM', 'larger than the address space');
  if (req.flags.fixed) {
    if (req.addr === null || req.addr % align !== 0) return refuse('EINVAL', `a fixed address must be a multiple of ${align === PAGE ? '4K' : '2M'}`);
    if (req.addr + len > top || req.addr < 0) return refuse('ENOMEM', 'the range runs past the end of the address space');
    return [req.addr, len];
  }
  // round_hint_to_min() (mm/mmap.c): the hint goes down to its page; one in the first page is
  // no hint at all (so anonymous memory is THP-placed below), one under mmap_min_addr goes up
  // to it. hugetlb then rounds it up to its 2 MiB (hugetlb_get_unmapped_area).
  const hint0 = req.addr === null ? 0 : Math.floor(req.addr / PAGE) * PAGE;
  if (hint0 > 0) {
    const hint = Math.ceil(Math.max(hint0, MMAP_MIN_ADDR) / align) * align;
    if (hint + len <= top && !rangeOverlapsVma(mm, hint, hint + len)) return [hint, len];
  }
  const start = topDown(mm, len, placeAlign, top);
  if (start < 0) return refuse('ENOMEM', 'no free range of that size in the address space');
  if (thpOffset !== null) return [shmemThpPlace(mm, start, len, thpOffset, top), len];
  const anonThp = !req.inode && !req.flags.shared && align === PAGE && hint0 === 0 && len % HPAGE === 0;
  return [anonThp ? anonThpPlace(mm, start, len, top) : start, len];
}

/** The highest free range of `len` below mmap_base (the top-down search), or -1. */
function topDown(mm: Mm, len: number, align: number, top: number): number {
  return unmappedArea(mm, len, align, Math.min(MMAP_BASE, top), MMAP_MIN_ADDR);
}

/**
 * __get_unmapped_area() (mm/mmap.c, Linux >= 6.7) for private anonymous memory with no address
 * hint and a length that is a multiple of 2 MiB: thp_get_unmapped_area_vmflags() searches for
 * len + 2 MiB and places the mapping 2 MiB-aligned in that range, as high as it goes
 * (top-down: `ret + off_sub`, or `ret + size` when the padded start is aligned already). Done
 * whatever THP's `enabled` says: measured on Linux 6.18 with `madvise`, a 64 MiB mmap after a
 * 4 KiB one starts on a 2 MiB boundary, a 64 MiB + 4 KiB one does not. It keeps the mapping
 * in the fewest PTE tables (32 for 64 MiB, not 33). When len + 2 MiB is not free anywhere,
 * the ordinary search's `addr` stands.
 */
function anonThpPlace(mm: Mm, addr: number, len: number, top: number): number {
  if (len + HPAGE > top) return addr;
  const padded = topDown(mm, len + HPAGE, PAGE, top);
  if (padded < 0) return addr;
  const sub = (HPAGE - (padded % HPAGE)) % HPAGE;
  return sub === 0 ? padded + HPAGE : padded + sub;
}

/**
 * shmem_get_unmapped_area() (mm/shmem.c) after the ordinary search found `addr`: move the
 * mapping so that its address is congruent to its file offset modulo 2 MiB, and every 2 MiB
 * of the file it covers whole can be one PMD. Skipped for a mapping under 2 MiB, and for an
 * unaligned offset when no whole 2 MiB of the file fits (`offset && offset + len < 2 *
 * HPAGE_PMD_SIZE`). It searches again for len + 2 MiB - 4 KiB and takes the first congruent
 * address in that range; when nothing that long is free, `addr` stays.
 */
function shmemThpPlace(mm: Mm, addr: number, len: number, off: number, top: number): number {
  const offset = off % HPAGE;
  if (len < HPAGE || (offset && offset + len < 2 * HPAGE) || addr % HPAGE === offset) return addr;
  const inflatedLen = len + HPAGE - PAGE;
  if (inflatedLen > top) return addr;
  const inflated = topDown(mm, inflatedLen, PAGE, top);
  if (inflated < 0) return addr;
  const inflatedOffset = inflated % HPAGE;
  const placed = inflated + offset - inflatedOffset + (inflatedOffset > offset ? HPAGE : 0);
  return placed > top - len ? addr : placed;
}

/**
 * do_mmap for anonymous, tmpfs, shmem and hugetlb mappings. Returns the start of the new
 * mapping (the VMA may have merged with a neighbour) or an errno.
 */
export function doMmap(m: Machine, mm: Mm, req: MmapRequest): number | Errno {
  const hugetlb = req.flags.hugetlb || req.inode?.kind === 'hugetlb';
  if (req.flags.hugetlb && req.inode && req.inode.kind !== 'hugetlb') return refuse('EINVAL', 'hugetlb maps a hugetlbfs file or anonymous memory');
  if (hugetlb && req.off % HPAGE !== 0) return refuse('EINVAL', 'a hugetlb offset must be a multiple of 2M');
  // shmem_get_unmapped_area() places shared anonymous memory and tmpfs files, MAP_PRIVATE
  // ones too ("support MAP_PRIVATE mapped hugely too, until it is COWed"), where their huge=
  // (shmem_enabled for shared anonymous memory) is not never. Anonymous memory's pgoff
  // counts as 0 there (__get_unmapped_area).
  const shmem = !hugetlb && (req.inode ? req.inode.kind === 'tmpfs' : req.flags.shared);
  const thpOffset = shmem && (m.s.config.shmemThp ?? 'never') !== 'never' ? (req.inode ? req.off : 0) : null;
  const range = mmapRange(m, mm, req, hugetlb ? HPAGE : PAGE, hugetlb ? HPAGE : PAGE, thpOffset);
  if (typeof range === 'string') return range;
  const [start, len] = range;
  let flags = req.prot | VM_MAYWRITE;
  if (req.flags.shared) flags |= VM_SHARED | VM_MAYSHARE;
  if (hugetlb) flags |= VM_HUGETLB;
  if (req.flags.noreserve) flags |= VM_NORESERVE;
  let inode = req.inode;
  if (!inode && req.flags.shared) {
    // Shared anonymous memory is shmem: an unlinked tmpfs inode of the mapping's size (R11).
    inode = newInode(m, hugetlb ? 'anon_hugepage' : '/dev/zero', hugetlb ? 'hugetlb' : 'shmem-anon', len);
    inode.nlink = 0;
  }
  if (req.flags.fixed) {
    const why = splitRefusal(mm, start, start + len);
    if (why) return refuse('EINVAL', why);
    // __mmap_prepare's vms_clean_up_area(): what was there is unmapped and closed (a private
    // hugetlb mapping gives back its reservations) before the new mapping reserves; if that
    // then fails, the range stays a hole.
    doMunmap(m, mm, start, start + len);
  }
  const vma: Vma = {
    start,
    end: start + len,
    flags,
    file: inode,
    pgoff: inode ? req.off / PAGE : start / PAGE,
    anonVma: null,
    label: req.label,
    region: null,
    mm,
  };
  // hugetlbfs_file_mmap(): hugetlb_reserve_pages(), and a writable mapping past the end of
  // its file makes the file that long.
  if (hugetlb && !hugetlbReserve(m, vma)) {
    if (inode) maybeEvict(m, inode);
    return refuse('ENOMEM', `not enough free memory to reserve ${len / HPAGE} huge pages (hugetlb_reserve_pages; MAP_NORESERVE skips the reservation)`);
  }
  if (hugetlb && inode && flags & VM_WRITE) inode.size = Math.max(inode.size, req.off + len);
  linkVma(mm, vma);
  if (!inode && !hugetlb) mergeVma(mm, vma);
  return start;
}

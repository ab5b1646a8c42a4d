/**
 * tmpfs files, shared anonymous memory and the page cache (mm/shmem.c, mm/filemap.c).
 *
 * A page-cache page holds one reference for the cache itself; every PTE mapping it adds a
 * reference and a mapcount. Pages of an inode are freed when the inode is evicted: unlinked
 * (or anonymous), no open descriptor and no VMA left (iput).
 */
import { FrameUse, HUGE_ORDER, PG_DIRTY, PG_THP } from '../hw/physmem';
import type { Machine } from '../machine';
import { VM_HUGETLB, type Inode, type InodeKind, type Vma } from '../types';
import { hugetlbUnreserve } from './hugetlb-pool';
import { vmOps } from './vmops';

export function newInode(m: Machine, path: string, kind: InodeKind, size: number): Inode {
  const inode: Inode = {
    id: m.s.nextInodeId++,
    path,
    kind,
    size,
    pages: [],
    mmaps: new Set(),
    nlink: kind === 'shmem-anon' ? 0 : 1,
    opens: 0,
    region: null,
    memcg: m.chargeTo,
  };
  m.s.inodes.set(inode.id, inode);
  return inode;
}

/**
 * find_get_page / shmem_get_folio: the page at `index` (4K units), created zeroed when
 * missing. Returns the pfn, or -1 when out of memory. (Hugetlb inodes hold 2 MiB pages keyed
 * by the 2 MiB-aligned index, which only a hugetlb fault creates.)
 */
export function getCachePage(m: Machine, inode: Inode, index: number): number {
  const have = inode.pages[index];
  if (have !== undefined) return have;
  // A hugetlb file's pages come from the hugetlb pool, through the fault (hugetlb.ts).
  if (inode.kind === 'hugetlb') return -1;
  const pfn = m.allocFrames(0, FrameUse.Shmem, 0);
  if (pfn < 0) return -1;
  const d = m.pm.d;
  d.mapping[pfn] = inode.id;
  d.index[pfn] = index;
  inode.pages[index] = pfn;
  return pfn;
}

/**
 * The key in `vma.file.pages` of the page holding `va`: its file page index, or for hugetlb
 * the index its 2 MiB page is kept under.
 */
export function cacheIndex(vma: Vma, va: number): number {
  const idx = vma.pgoff + Math.floor((va - vma.start) / 4096);
  return vma.flags & VM_HUGETLB ? idx - (idx % 512) : idx;
}

/** Drop the cache's reference to every page (truncate_inode_pages) once nothing maps the inode. */
export function truncateInode(m: Machine, inode: Inode): void {
  let freed = 0;
  forEachCachePage(inode, (pfn) => {
    dropCachePage(m, pfn);
    freed++;
  });
  inode.pages = [];
  if (inode.kind === 'hugetlb') hugetlbUnreserve(m, inode, 0, freed);
}

/**
 * Calls `fn` for every cached page of `inode`, in index order. `for...in` visits only the
 * pages there are: `forEach` on a sparse file's array tests every index below its length, and
 * one page 8 TiB into a file (index 2^31) made a teardown take 100 s.
 */
export function forEachCachePage(inode: Inode, fn: (pfn: number, index: number) => void): void {
  const pages = inode.pages;
  for (const key in pages) fn(pages[key as unknown as number], Number(key));
}

/**
 * The cache lets go of a page: a page still pinned or mapped survives it, but no longer as
 * (the first page of) a cached huge folio.
 */
export function dropCachePage(m: Machine, pfn: number): void {
  if (m.pm.d.flags[pfn] & PG_THP) splitHugeFolio(m, pfn);
  m.putPage(pfn);
}

/**
 * split_huge_page of the shmem huge folio at `head` into 512 small pages: each page inherits
 * the folio's dirty flag (__split_folio_to_order copies PG_dirty to every new folio).
 */
export function splitHugeFolio(m: Machine, head: number): void {
  const fl = m.pm.d.flags;
  fl[head] &= ~PG_THP;
  if (fl[head] & PG_DIRTY) for (let i = 1; i < 1 << HUGE_ORDER; i++) fl[head + i] |= PG_DIRTY;
}

/** iput(): evict the inode when nothing names, opens or maps it. Returns true when evicted. */
export function maybeEvict(m: Machine, inode: Inode): boolean {
  if (inode.nlink > 0 || inode.opens > 0 || inode.mmaps.size > 0) return false;
  if (!m.s.inodes.has(inode.id)) return false;
  if (inode.kind === 'msharefs') vmOps.mshare?.evict(m, inode);
  truncateInode(m, inode);
  m.s.inodes.delete(inode.id);
  return true;
}

export function fileSizePages(inode: Inode): number {
  return Math.ceil(inode.size / 4096);
}

/**
 * Physical memory: one SharedArrayBuffer of RAM in 4 KiB frames, and one SharedArrayBuffer
 * of frame descriptors (the simulator's `struct page`), laid out as parallel typed arrays.
 *
 * Ownership: only the engine (in the Worker, or in Node) writes either buffer. The UI maps the
 * same buffers read-only and learns from the event batches' generation counter when a
 * consistent state is visible. Layout of the descriptor buffer is described by `DESC_FIELDS`
 * so the UI can build the same views (see `frameDescViews`).
 */

export const PAGE_SIZE = 4096;
export const PAGE_SHIFT = 12;
export const U32_PER_PAGE = PAGE_SIZE / 4;
export const MAX_ORDER = 10; // orders 0..10: up to 4 MiB blocks, as Linux's MAX_PAGE_ORDER
export const HUGE_ORDER = 9; // 2 MiB

/** What a frame is used for (`FrameDesc.use`). */
export const enum FrameUse {
  Free = 0,
  Kernel = 1, // boot reservation
  Zero = 2, // the shared zero page
  Pgd = 3,
  P4d = 4,
  Pud = 5,
  Pmd = 6,
  Pte = 7,
  Anon = 8,
  Shmem = 9, // page cache of tmpfs files and shared anonymous memory
  Hugetlb = 10, // 2 MiB hugetlb page (head and tails)
}

export const FRAME_USE_NAMES = [
  'free', 'kernel', 'zero', 'pgd', 'p4d', 'pud', 'pmd', 'pte', 'anon', 'shmem', 'hugetlb',
] as const;

/** Flag bits in `FrameDesc.flags`. */
export const PG_ANON_EXCLUSIVE = 1 << 0;
export const PG_HEAD = 1 << 1; // head of a hugetlb block
export const PG_TAIL = 1 << 2; // tail frame of a hugetlb block
export const PG_BUDDY = 1 << 3; // head of a free buddy block (order in `order`)
export const PG_DIRTY = 1 << 4;
/** The frame's contents may be non-zero (it was used since boot): zero it on allocation. */
export const PG_UNCLEAN = 1 << 5;
/** The first of the 512 page-cache pages of a shmem huge folio (mm/thp.ts). */
export const PG_THP = 1 << 6;

/** Descriptor fields: name, element type, bytes per element. Order fixes the buffer layout. */
export const DESC_FIELDS = [
  ['use', 'u8'],
  ['flags', 'u8'],
  ['order', 'u8'],
  ['refcount', 'i32'],
  ['mapcount', 'i32'], // the page's own mappings: PTEs (and the PMD of a hugetlb page)
  // folio_entire_mapcount of a shmem huge folio, on its first frame: the PMDs mapping all
  // 2 MiB. Kept apart from the first page's PTE mapcount, as Linux's _entire_mapcount is.
  ['entire', 'i32'],
  ['owner', 'i32'], // mm id for page tables and anon pages; 0 = none
  ['share', 'i32'], // pt_share_count of a shared table page (mshare PUD, hugetlb PMD)
  ['mapping', 'i32'], // anon_vma id (anon) or inode id (shmem/hugetlb)
  ['pincount', 'i32'], // get_user_pages pins
  ['memcg', 'i32'], // charged memory cgroup id (0 = root)
  ['next', 'i32'], // buddy free-list links
  ['prev', 'i32'],
  ['index', 'f64'], // page index: va>>12 for anon, file page offset for shmem
] as const;

type FieldName = (typeof DESC_FIELDS)[number][0];
export type FrameDescViews = {
  [K in FieldName]: K extends 'use' | 'flags' | 'order'
    ? Uint8Array
    : K extends 'index'
      ? Float64Array
      : Int32Array;
};

const SIZE = { u8: 1, i32: 4, f64: 8 } as const;

export function descBufferBytes(nframes: number): number {
  let off = 0;
  for (const [, t] of DESC_FIELDS) {
    off = align8(off) + nframes * SIZE[t];
  }
  return align8(off);
}

function align8(n: number): number {
  return (n + 7) & ~7;
}

/** Typed views over a descriptor buffer; used by the engine and, read-only, by the UI. */
export function frameDescViews(buf: SharedArrayBuffer | ArrayBuffer, nframes: number): FrameDescViews {
  const out: Record<string, Uint8Array | Int32Array | Float64Array> = {};
  let off = 0;
  for (const [name, t] of DESC_FIELDS) {
    off = align8(off);
    out[name] =
      t === 'u8'
        ? new Uint8Array(buf, off, nframes)
        : t === 'i32'
          ? new Int32Array(buf, off, nframes)
          : new Float64Array(buf, off, nframes);
    off += nframes * SIZE[t];
  }
  return out as FrameDescViews;
}

export const MIN_RAM = 16 * 1024 * 1024;
export const MAX_RAM = 4 * 1024 * 1024 * 1024;

export class PhysMem {
  // `declare`d: set once by the constructor, so V8 keeps them constant and typed (see Machine).
  declare readonly ram: SharedArrayBuffer;
  declare readonly descBuf: SharedArrayBuffer;
  declare readonly u32: Uint32Array;
  declare readonly u8: Uint8Array;
  declare readonly nframes: number;
  declare readonly d: FrameDescViews;

  constructor(ramBytes: number) {
    if (!Number.isInteger(ramBytes) || ramBytes < MIN_RAM || ramBytes > MAX_RAM || ramBytes % (2 << 20) !== 0) {
      throw new RangeError(`ram must be a multiple of 2M between 16M and 4G (got ${ramBytes} bytes)`);
    }
    this.nframes = ramBytes / PAGE_SIZE;
    this.ram = new SharedArrayBuffer(ramBytes);
    this.descBuf = new SharedArrayBuffer(descBufferBytes(this.nframes));
    this.u32 = new Uint32Array(this.ram);
    this.u8 = new Uint8Array(this.ram);
    this.d = frameDescViews(this.descBuf, this.nframes);
  }

  zeroFrame(pfn: number): void {
    const base = pfn * U32_PER_PAGE;
    this.u32.subarray(base, base + U32_PER_PAGE).fill(0);
  }

  /** Copies `n` consecutive frames (a huge page's 512) from `src` to `dst`. */
  copyFrame(dst: number, src: number, n = 1): void {
    const s = src * U32_PER_PAGE;
    this.u32.copyWithin(dst * U32_PER_PAGE, s, s + n * U32_PER_PAGE);
  }
}

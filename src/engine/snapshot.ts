/**
 * Checkpoints and the state digest.
 *
 * A checkpoint is the descriptor buffer, the contents of every frame in use, and a
 * structuredClone of the kernel state graph. Restoring writes the buffers back in place (the
 * UI keeps its views of the same SharedArrayBuffers) and swaps the state object.
 *
 * The digest hashes what a user could observe: every frame descriptor, the contents of every
 * frame in use, and a canonical summary of tasks, mms, VMAs and counters. Pure 32-bit integer
 * arithmetic (Math.imul), so Node and every browser compute the same value.
 */
import { FrameUse, PG_UNCLEAN } from './hw/physmem';
import type { Machine } from './machine';
import type { KernelState } from './types';

export interface Checkpoint {
  desc: Uint8Array;
  /** pfn list of the saved frames: those not free and not all zeros. */
  frames: Int32Array;
  /** For each of `frames`, which 4 KiB block of `data` holds its contents. */
  blocks: Int32Array;
  /** The distinct frame contents, 4 KiB each: frames with equal contents share one block. */
  data: Uint32Array;
  state: KernelState;
}

/**
 * Frames in use that hold only zeros are left out: restoreCheckpoint zeroes every frame in use
 * (or used since) before it writes the saved ones, so they come back as they were. Copying them
 * cost a page fault of fresh memory per frame: the 16,384 untouched shmem pages of the database
 * scenarios made each checkpoint ~70 ms.
 *
 * Frames with equal contents are stored once. 1,500 processes mapping one shared area have
 * 1,500 copies of the same PTE pages: at the end of database-oom, 48,895 saved frames held
 * 4,226 distinct contents, so a checkpoint went from 194 MiB to 17 MiB. The size mattered twice:
 * the copy (fresh memory faulted in per frame) was most of a checkpoint's time, and the
 * checkpoint budget (the machine's RAM) held barely one such checkpoint, so a step back near
 * the end replayed 1,300 steps. Equal contents are found by a hash and confirmed word by word,
 * so a restore is exact.
 */
export function takeCheckpoint(m: Machine): Checkpoint {
  const d = m.pm.d;
  const u32 = m.pm.u32;
  const frames: number[] = [];
  const blocks: number[] = [];
  /** pfn of the first frame saved with each distinct content (the block's source). */
  const sources: number[] = [];
  /** content hash -> blocks with that hash (a number while there is only one). */
  const byHash = new Map<number, number | number[]>();
  for (let p = 0; p < m.pm.nframes; p++) {
    if (d.use[p] === FrameUse.Free) continue;
    const h = frameHash(u32, p);
    if (h === ZERO_HASH && frameIsZero(u32, p)) continue;
    const seen = byHash.get(h);
    let block = -1;
    if (seen !== undefined) {
      if (typeof seen === 'number') {
        if (framesEqual(u32, sources[seen], p)) block = seen;
      } else {
        for (const b of seen) if (framesEqual(u32, sources[b], p)) { block = b; break; }
      }
    }
    if (block < 0) {
      block = sources.length;
      sources.push(p);
      if (seen === undefined) byHash.set(h, block);
      else if (typeof seen === 'number') byHash.set(h, [seen, block]);
      else seen.push(block);
    }
    frames.push(p);
    blocks.push(block);
  }
  const data = new Uint32Array(sources.length * 1024);
  for (let b = 0; b < sources.length; b++) data.set(u32.subarray(sources[b] * 1024, sources[b] * 1024 + 1024), b * 1024);
  return { desc: new Uint8Array(m.pm.descBuf).slice(), frames: Int32Array.from(frames), blocks: Int32Array.from(blocks), data, state: structuredClone(m.s) };
}

/**
 * A 32-bit hash of frame `p`'s 1,024 words: four FNV-style lanes, so the multiplies of
 * neighbouring words overlap, folded at the end.
 */
function frameHash(u32: Uint32Array, p: number): number {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  let c = 0x9e3779b9;
  let e = 0x85ebca6b;
  const end = p * 1024 + 1024;
  for (let i = p * 1024; i < end; i += 4) {
    a = Math.imul(a ^ u32[i], 0x01000193);
    b = Math.imul(b ^ u32[i + 1], 0x01000193);
    c = Math.imul(c ^ u32[i + 2], 0x01000193);
    e = Math.imul(e ^ u32[i + 3], 0x01000193);
  }
  return (Math.imul(a ^ (b >>> 15), 0x85ebca6b) ^ Math.imul(c ^ (e >>> 13), 0xc2b2ae35)) >>> 0;
}

/** frameHash of a frame of zeros: only such frames need the zero test. */
const ZERO_HASH = frameHash(new Uint32Array(1024), 0);

/** Whether frame `p` holds only zeros (stops at the first word that is not). */
function frameIsZero(u32: Uint32Array, p: number): boolean {
  const end = p * 1024 + 1024;
  for (let i = p * 1024; i < end; i += 4) if ((u32[i] | u32[i + 1] | u32[i + 2] | u32[i + 3]) !== 0) return false;
  return true;
}

/** Whether frames `p` and `q` hold the same words (stops at the first difference). */
function framesEqual(u32: Uint32Array, p: number, q: number): boolean {
  const a = p * 1024;
  const b = q * 1024;
  for (let i = 0; i < 1024; i++) if (u32[a + i] !== u32[b + i]) return false;
  return true;
}

export function restoreCheckpoint(m: Machine, c: Checkpoint): void {
  // Zero only the frames that may hold data now: those in use and those freed since boot
  // (PG_UNCLEAN). A frame never used is still zero; writing it anyway made every step back
  // touch all of RAM, so the OS committed the whole SharedArrayBuffer (2 GiB of real memory
  // for a 2 GiB machine on the first step back) and a restore took seconds.
  const d = m.pm.d;
  const u32 = m.pm.u32;
  for (let p = 0; p < m.pm.nframes; p++) {
    if (d.use[p] !== FrameUse.Free || d.flags[p] & PG_UNCLEAN) u32.fill(0, p * 1024, p * 1024 + 1024);
  }
  new Uint8Array(m.pm.descBuf).set(c.desc);
  for (let i = 0; i < c.frames.length; i++) {
    const b = c.blocks[i] * 1024;
    u32.set(c.data.subarray(b, b + 1024), c.frames[i] * 1024);
  }
  m.s = structuredClone(c.state);
  m.ptEpoch++; // the tables changed under the batched touch's memo
  m.oom = null;
}

/** Bytes a checkpoint holds (for the memory figures). */
export function checkpointBytes(c: Checkpoint): number {
  return c.desc.byteLength + c.frames.byteLength + c.blocks.byteLength + c.data.byteLength;
}

function mix(h: number, v: number): number {
  h ^= v;
  return Math.imul(h, 0x01000193) >>> 0;
}

function hashString(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) h = mix(h, s.charCodeAt(i));
  return h;
}

/** FNV-1a over the observable machine state, as 8 hex digits. */
export function stateDigest(m: Machine): string {
  let h = 0x811c9dc5;
  const d = m.pm.d;
  const u32 = m.pm.u32;
  for (let p = 0; p < m.pm.nframes; p++) {
    const use = d.use[p];
    if (use === FrameUse.Free) continue;
    h = mix(h, p);
    h = mix(h, use);
    h = mix(h, d.refcount[p]);
    h = mix(h, d.mapcount[p]);
    h = mix(h, d.entire[p]);
    h = mix(h, d.share[p]);
    const base = p * 1024;
    for (let i = base; i < base + 1024; i++) {
      const w = u32[i];
      if (w !== 0) h = mix(mix(h, i - base), w);
    }
  }
  const s = m.s;
  h = hashString(h, `hugetlb:${s.hstate.nr}:${s.hstate.free}:${s.hstate.resv}`);
  for (const t of s.tasks.values()) h = hashString(h, `${t.pid}:${t.name}:${t.state}:${t.signal}:${t.mm?.id}`);
  for (const mm of s.mms.values()) {
    h = hashString(h, `${mm.id}:${mm.rssAnon}:${mm.rssShmem}:${mm.pgtablesBytes}:${mm.hugetlbPages}`);
    for (const v of mm.vmas) h = hashString(h, `${v.start}-${v.end}:${v.flags}:${v.label}`);
  }
  return h.toString(16).padStart(8, '0');
}

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
  /** pfn list and their contents (4 KiB each), for frames not free. */
  frames: Int32Array;
  data: Uint32Array;
  state: KernelState;
}

export function takeCheckpoint(m: Machine): Checkpoint {
  const d = m.pm.d;
  const u32 = m.pm.u32;
  // Frames in use that hold only zeros are left out: restoreCheckpoint zeroes every frame in
  // use (or used since) before it writes the saved ones, so they come back as they were.
  // Copying them cost a page fault of fresh memory per frame: the 16,384 untouched shmem
  // pages of the database scenarios made each checkpoint ~70 ms.
  const used: number[] = [];
  for (let p = 0; p < m.pm.nframes; p++) if (d.use[p] !== FrameUse.Free && !frameIsZero(u32, p)) used.push(p);
  const frames = Int32Array.from(used);
  const data = new Uint32Array(used.length * 1024);
  for (let i = 0; i < used.length; i++) data.set(u32.subarray(used[i] * 1024, used[i] * 1024 + 1024), i * 1024);
  return { desc: new Uint8Array(m.pm.descBuf).slice(), frames, data, state: structuredClone(m.s) };
}

/** Whether frame `p` holds only zeros (stops at the first word that is not). */
function frameIsZero(u32: Uint32Array, p: number): boolean {
  const end = p * 1024 + 1024;
  for (let i = p * 1024; i < end; i += 4) if ((u32[i] | u32[i + 1] | u32[i + 2] | u32[i + 3]) !== 0) return false;
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
  for (let i = 0; i < c.frames.length; i++) m.pm.u32.set(c.data.subarray(i * 1024, i * 1024 + 1024), c.frames[i] * 1024);
  m.s = structuredClone(c.state);
  m.ptEpoch++; // the tables changed under the batched touch's memo
  m.oom = null;
}

/** Bytes a checkpoint holds (for the memory figures). */
export function checkpointBytes(c: Checkpoint): number {
  return c.desc.byteLength + c.frames.byteLength + c.data.byteLength;
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

/**
 * mmap_lock tracking with a lock-order checker (a tiny lockdep).
 *
 * Classes: "mm" (a process's mmap_lock) and "host" (an mshare host mm's). Every acquisition
 * while another lock is held records an edge held-class -> new-class; seeing both A->B and
 * B->A is an inversion, recorded in state.lockInversions. The mshare fault path takes the
 * process lock, then the host lock nested (M5), so the only legal edge is mm -> host.
 */
import type { Machine } from '../machine';
import type { Mm } from '../types';
import { TI } from '../trace';

/** Locks held by the operation in progress: always empty between operations (resetLocks). */
const held: { mm: Mm; mode: 'read' | 'write'; cls: string }[] = [];

function cls(mm: Mm): string {
  return mm.hostOf ? 'host' : 'mm';
}

export function lockMm(m: Machine, mm: Mm, mode: 'read' | 'write', pid: number): void {
  const c = cls(mm);
  for (const h of held) {
    if (h.mm === mm) {
      m.s.lockInversions.push(`recursive mmap_lock on mm ${mm.id}`);
      continue;
    }
    const edges = m.s.lockEdges;
    const edge = `${h.cls}->${c}`;
    if (!edges.includes(edge)) edges.push(edge);
    if (edges.includes(`${c}->${h.cls}`) && h.cls !== c) {
      m.s.lockInversions.push(`lock inversion: ${c} mmap_lock taken while holding ${h.cls} (and the reverse was seen)`);
    } else if (h.cls === c) {
      m.s.lockInversions.push(`two ${c} mmap_locks held at once (mm ${h.mm.id} then mm ${mm.id})`);
    }
  }
  held.push({ mm, mode, cls: c });
  if (m.trace.recording) {
    m.trace.emitAt(TI.lock, { type: 'lock', pid, mm: mm.id, lock: 'mmap_lock', mode, action: 'acquire', nested: held.length > 1 });
  } else m.trace.countAt(TI.lock);
}

export function unlockMm(m: Machine, mm: Mm, pid: number): void {
  // Locks are released in reverse order almost always: pop, not splice (splice was 1% of a
  // 1,500-process database read).
  const last = held.length - 1;
  const i = last >= 0 && held[last].mm === mm ? last : held.findIndex((x) => x.mm === mm);
  if (i < 0) return;
  const h = held[i];
  if (i === last) held.pop();
  else held.splice(i, 1);
  if (m.trace.recording) {
    m.trace.emitAt(TI.lock, { type: 'lock', pid, mm: mm.id, lock: 'mmap_lock', mode: h.mode, action: 'release', nested: held.length > 0 });
  } else m.trace.countAt(TI.lock);
}

/** Drop everything (after an aborted operation) so one failure cannot poison later checks. */
export function resetLocks(): void {
  if (held.length) held.length = 0;
}

export function lockEdges(m: Machine): string[] {
  return [...m.s.lockEdges].sort();
}

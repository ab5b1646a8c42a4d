/**
 * Snapshots on the wire as patches. With 1,500 processes a ModelSnapshot is ~1 MB of small
 * objects: structured-cloning it costs the worker 20-40 ms per update and the page as much
 * again to take in, while between two updates of a play only a few tasks and mms change.
 * buildModel (src/engine/model.ts) returns the very same object for every task and mm model
 * that did not change, so the worker diffs by identity and sends only the changed ones plus
 * the small machine-wide fields; the page rebuilds the full snapshot from the previous one.
 *
 * Contract: the encoder (worker) and decoder (page) see the same sequence of snapshots, in
 * order, each exactly once (one MessagePort: postMessage keeps order). The encoder's first
 * snapshot, and the first after reset(), is sent whole; the worker resets it when a new page
 * registers (init) and when it loads a script. A patch names the generation it applies to
 * (`base`); the decoder refuses one whose base it does not hold rather than draw a wrong state.
 *
 * Pure functions of their inputs, no DOM, no engine: both sides import this file.
 */
import type { MmModel, ModelSnapshot, TaskModel } from '../engine/model';

/** Changes to a list of models keyed by `key`: the order when it changed, and the new or changed ones. */
export interface ListPatch<T> {
  /** Keys in order, when they differ from the base's (a task or mm came or went); else null. */
  order: number[] | null;
  changed: T[];
}

export interface SnapshotPatch extends Omit<ModelSnapshot, 'tasks' | 'mms'> {
  patch: true;
  /** The generation of the snapshot this applies to. */
  base: number;
  tasks: ListPatch<TaskModel>;
  mms: ListPatch<MmModel>;
}

export type WireSnapshot = ModelSnapshot | SnapshotPatch;

export function isPatch(s: WireSnapshot): s is SnapshotPatch {
  return (s as SnapshotPatch).patch === true;
}

function diff<T>(prev: T[], next: T[], key: (x: T) => number): ListPatch<T> {
  const changed: T[] = [];
  let same = prev.length === next.length;
  for (let i = 0; i < next.length; i++) {
    const x = next[i];
    const p = prev[i];
    if (same && (p === undefined || key(p) !== key(x))) same = false;
    // Same position and same object: unchanged (the common case, one comparison).
    if (p !== x) changed.push(x);
  }
  if (same) return { order: null, changed };
  // The order changed: a model at another index may still be unchanged.
  const before = new Map<number, T>();
  for (const p of prev) before.set(key(p), p);
  return { order: next.map(key), changed: next.filter((x) => before.get(key(x)) !== x) };
}

function apply<T>(prev: T[], p: ListPatch<T>, key: (x: T) => number): T[] {
  const changed = new Map<number, T>();
  for (const x of p.changed) changed.set(key(x), x);
  if (p.order === null) return prev.map((x) => changed.get(key(x)) ?? x);
  const before = new Map<number, T>();
  for (const x of prev) before.set(key(x), x);
  return p.order.map((k) => {
    const x = changed.get(k) ?? before.get(k);
    if (x === undefined) throw new Error(`snapshot patch: no model for ${k}`);
    return x;
  });
}

const pidOf = (t: TaskModel) => t.pid;
const idOf = (m: MmModel) => m.id;

/** The worker's side: each snapshot as a patch against the one sent before it. */
export class SnapshotEncoder {
  private last: ModelSnapshot | null = null;

  /** The next snapshot sent will be whole (a new page, a new machine). */
  reset(): void {
    this.last = null;
  }

  encode(s: ModelSnapshot): WireSnapshot {
    const prev = this.last;
    this.last = s;
    if (!prev) return s;
    const { tasks, mms, ...rest } = s;
    return { ...rest, patch: true, base: prev.generation, tasks: diff(prev.tasks, tasks, pidOf), mms: diff(prev.mms, mms, idOf) };
  }
}

/** The page's side: rebuilds each snapshot from the previous one. */
export class SnapshotDecoder {
  private last: ModelSnapshot | null = null;

  decode(w: WireSnapshot): ModelSnapshot {
    if (!isPatch(w)) {
      this.last = w;
      return w;
    }
    const prev = this.last;
    if (!prev || prev.generation !== w.base) {
      throw new Error(`snapshot patch for generation ${w.base}, but the page holds ${prev ? prev.generation : 'none'}`);
    }
    const { patch: _p, base: _b, tasks, mms, ...rest } = w;
    const s: ModelSnapshot = { ...rest, tasks: apply(prev.tasks, tasks, pidOf), mms: apply(prev.mms, mms, idOf) };
    this.last = s;
    return s;
  }
}

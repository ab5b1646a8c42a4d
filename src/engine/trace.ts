/**
 * Typed trace events (the simulator's tracepoints) into a bounded ring.
 *
 * Every event kind is counted even when the ring is off, so a 1,500-process run keeps exact
 * totals without allocating millions of objects; the ring keeps the most recent `capacity`
 * events in full for the UI's event log and for tests.
 */

export type FaultKind =
  | 'anon-zero' // R8: read maps the zero page
  | 'anon-new' // R9: write allocates
  | 'zero-cow' // R10: write on the zero page
  | 'cow-copy' // R19: copy
  | 'cow-reuse' // R19: reuse in place
  | 'shmem' // R12: page cache page mapped
  | 'shmem-thp' // M21: a 2 MiB shmem folio mapped by one PMD entry
  | 'file-private' // R13: page cache page mapped read-only in a private mapping
  | 'file-cow' // R13: write to a private file mapping copies
  | 'hugetlb'
  | 'hugetlb-share' // H4: PUD entry pointed at another mm's PMD page
  | 'mshare-link' // M7: P4D/PGD entry copied from the host, nothing allocated
  | 'mshare-host' // M8: fault handled against the host VMA
  | 'spurious' // the PTE was already fine (another thread / mshare sharer filled it)
  | 'uffd-missing' // the task blocks until `uffd copy`
  | 'sigsegv'
  | 'sigbus'
  | 'oom';

export type TraceEvent =
  | { type: 'fault'; pid: number; addr: number; write: boolean; kind: FaultKind; errorCode: number }
  | { type: 'frame-alloc'; pfn: number; order: number; use: string }
  | { type: 'frame-free'; pfn: number; order: number }
  /** `pages` entries from `addr` at `level` set (the first to `pfn`): see mm/pte-trace.ts. */
  | { type: 'pte-set'; mm: number; addr: number; level: string; pfn: number; pages: number }
  | { type: 'pte-clear'; mm: number; addr: number; level: string; pages: number }
  /**
   * `pages` consecutive pages from `addr` missed the TLB, were walked and filled (a batched
   * touch reports a run as one event, or two where its exact start meets its sweep). Emitted
   * only while the ring records; the TLB counters (misses, walks) count every fill always.
   */
  | { type: 'tlb-fill'; cpu: number; addr: number; pcid: number; pages: number }
  | { type: 'tlb-flush'; cpu: number; scope: 'page' | 'mm' | 'all'; mm: number }
  | { type: 'tlb-shootdown'; from: number; to: number; mm: number }
  | { type: 'cow'; pid: number; addr: number; action: 'copy' | 'reuse' }
  | { type: 'lock'; pid: number; mm: number; lock: 'mmap_lock'; mode: 'read' | 'write'; action: 'acquire' | 'release'; nested: boolean }
  | { type: 'oom-kill'; victim: number; name: string; reason: string; rssPages: number; pgtablesBytes: number; cgroup: string; regionSharers: string[] }
  | { type: 'signal'; pid: number; signal: string; addr: number; reason: string }
  | { type: 'context-switch'; cpu: number; pid: number; mm: number; pcid: number; flushed: boolean }
  | { type: 'mshare'; action: string; region: string; pid: number; detail: string }
  | { type: 'uffd'; pid: number; addr: number; action: 'block' | 'copy' | 'wake' }
  | { type: 'gup'; pid: number; addr: number; pages: number; action: 'pin' | 'unpin' };

export type TraceType = TraceEvent['type'];

/** Every event type, in the order `counts` (a report's trace_counts) lists them. */
export const TRACE_TYPES = [
  'fault', 'frame-alloc', 'frame-free', 'pte-set', 'pte-clear', 'tlb-fill', 'tlb-flush', 'tlb-shootdown',
  'cow', 'lock', 'oom-kill', 'signal', 'context-switch', 'mshare', 'uffd', 'gup',
] as const;

/** Every fault kind, in the order `faultKinds` lists them. */
export const FAULT_KINDS = [
  'anon-zero', 'anon-new', 'zero-cow', 'cow-copy', 'cow-reuse', 'shmem', 'shmem-thp', 'file-private', 'file-cow',
  'hugetlb', 'hugetlb-share', 'mshare-link', 'mshare-host', 'spurious', 'uffd-missing', 'sigsegv', 'sigbus', 'oom',
] as const;

// Compile-time checks that the two lists name every member of their union and nothing else.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const typesComplete: Same<TraceType, (typeof TRACE_TYPES)[number]> = true;
const kindsComplete: Same<FaultKind, (typeof FAULT_KINDS)[number]> = true;
void typesComplete;
void kindsComplete;

function indexOf<T extends string>(names: readonly T[]): Readonly<Record<T, number>> {
  const o = {} as Record<T, number>;
  names.forEach((n, i) => (o[n] = i));
  return o;
}

/**
 * Index of each event type in the counters: hot paths count with `trace.countAt(TI.lock)`.
 * A string key into an object of counts took a megamorphic keyed load and store per event
 * (4% of a 1,500-process database read in perf).
 */
export const TI = indexOf(TRACE_TYPES);
const KI = indexOf(FAULT_KINDS);

function nonZero(names: readonly string[], counts: Float64Array): Record<string, number> {
  const out: Record<string, number> = {};
  names.forEach((n, i) => {
    if (counts[i] !== 0) out[n] = counts[i];
  });
  return out;
}

export class Trace {
  readonly capacity: number;
  /**
   * The ring: the last `capacity` recorded events, circular, the next one going to `head`. A
   * fixed array: the array it replaced was cut in half with slice() whenever it reached twice
   * the capacity, and push() grew the copy back twice over on the way (GrowFastElements,
   * ~1% of a recorded 1,500-process run in perf).
   */
  private buf: (TraceEvent | undefined)[];
  private head = 0;
  /** Events in the ring (at most capacity). */
  private held = 0;
  /** Total events ever emitted (the ring's head position). */
  seq = 0;
  /** When false nothing is recorded in the ring, but counts stay exact. */
  recording = true;
  private typeCounts = new Float64Array(TRACE_TYPES.length);
  private kindCounts = new Float64Array(FAULT_KINDS.length);

  constructor(capacity = 8192) {
    this.capacity = capacity;
    this.buf = new Array<TraceEvent | undefined>(capacity).fill(undefined);
  }

  /** The events in the ring, oldest first (a copy). */
  get ring(): TraceEvent[] {
    return this.last(this.held);
  }

  /** The newest `n` events in the ring (n <= held), oldest first. */
  private last(n: number): TraceEvent[] {
    const out: TraceEvent[] = new Array<TraceEvent>(n);
    let i = this.head - n;
    if (i < 0) i += this.capacity;
    for (let k = 0; k < n; k++) {
      out[k] = this.buf[i] as TraceEvent;
      if (++i === this.capacity) i = 0;
    }
    return out;
  }

  /** Events of each type ever emitted or counted (types never seen are absent); a copy. */
  get counts(): Record<string, number> {
    return nonZero(TRACE_TYPES, this.typeCounts);
  }

  /** Faults of each kind (kinds never seen are absent); a copy. */
  get faultKinds(): Record<string, number> {
    return nonZero(FAULT_KINDS, this.kindCounts);
  }

  /** Counts `e` and records it in the ring (when recording). Hot paths use emitAt/emitFault. */
  emit(e: TraceEvent): void {
    if (e.type === 'fault') this.emitFault(e.kind, e);
    else this.emitAt(TI[e.type], e);
  }

  /**
   * emit() with the type's index (TI) from the caller: `emitAt(TI.lock, { type: 'lock', ... })`.
   * Looking the index up from `e.type` is a keyed load by a string that varies, megamorphic:
   * on the hot events (faults, locks, PTE sets, frame allocations, TLB fills) it was about a
   * fifth of a 1,500-process run with the ring recording (measured: ~370 of ~2,200 ms).
   */
  emitAt(i: number, e: TraceEvent): void {
    this.countAt(i);
    if (this.recording) this.record(e);
  }

  /** emit() of a fault event of `kind`. */
  emitFault(kind: FaultKind, e: TraceEvent): void {
    this.countFault(kind);
    if (this.recording) this.record(e);
  }

  private record(e: TraceEvent): void {
    this.buf[this.head] = e;
    if (++this.head === this.capacity) this.head = 0;
    if (this.held < this.capacity) this.held++;
  }

  /** Count an event without building it (the ring is off). */
  count(type: TraceType): void {
    this.countAt(TI[type]);
  }

  /** Count an event of type index `i` (TI) without building it. */
  countAt(i: number): void {
    this.seq++;
    this.typeCounts[i]++;
  }

  /** Count a fault of `kind` without building its event. */
  countFault(kind: FaultKind): void {
    this.seq++;
    this.typeCounts[TI.fault]++;
    this.kindCounts[KI[kind]]++;
  }

  /** Events emitted since sequence number `since` that are still in the ring, oldest first. */
  since(since: number): TraceEvent[] {
    const first = this.seq - this.held;
    return this.last(this.held - Math.max(0, Math.min(this.held, since - first)));
  }

  /** Put the counters back to a saved `seq`, `counts` and `faultKinds` (an undo); empties the ring. */
  restoreCounts(seq: number, counts: Record<string, number>, faultKinds: Record<string, number>): void {
    this.buf.fill(undefined);
    this.head = 0;
    this.held = 0;
    this.seq = seq;
    this.typeCounts.fill(0);
    this.kindCounts.fill(0);
    for (const [k, v] of Object.entries(counts)) if (k in TI) this.typeCounts[TI[k as TraceType]] = v;
    for (const [k, v] of Object.entries(faultKinds)) if (k in KI) this.kindCounts[KI[k as FaultKind]] = v;
  }

  reset(): void {
    this.restoreCounts(0, {}, {});
  }
}

/**
 * One redraw per animation frame. Worker updates are queued and merged into the store once
 * per frame; then every view that asked for a redraw draws. A drawer that reads the shared
 * buffers returns false when they were not consistent with the snapshot (the worker moved
 * on), and is retried on the next frame. When every drawer is clean the page acknowledges
 * the generation, which lets a playing worker continue (see src/worker/api.ts).
 */
import type { Update } from '../worker/api';
import type { ModelSnapshot } from '../engine/abi';
import { SnapshotDecoder } from '../worker/snapshot-patch';
import { ackGeneration } from './engine-client';
import { EVENT_CAP, RECORD_CAP, mergeSeries, store } from './store';

export interface Drawer {
  /** Draws; returns false to be called again on the next frame. */
  draw(): boolean;
  /** For the timing figures. */
  name?: string;
}

/** Per-drawer draw times in ms (the latest 500), for the performance figures. */
export const drawStats: Record<string, number[]> = {};

const drawers = new Set<Drawer>();
const dirty = new Set<Drawer>();
let queue: (Update & { snapshot: ModelSnapshot })[] = [];
let raf = 0;
/** Frames in a row a drawer could not read a consistent state (a safety valve for waiters). */
let unclean = 0;
const idleWaiters: (() => void)[] = [];
/** Frame times (ms spent in flush), for the performance figures. */
export const frameStats: number[] = [];

function schedule(): void {
  if (!raf) raf = requestAnimationFrame(flush);
}

/** Decodes the snapshot patches of every update, in arrival order (src/worker/snapshot-patch.ts). */
const snapshots = new SnapshotDecoder();

export function pushUpdate(u: Update): void {
  let snapshot: ModelSnapshot;
  try {
    snapshot = snapshots.decode(u.snapshot);
  } catch (e) {
    console.error(e);
    return;
  }
  queue.push({ ...u, snapshot });
  schedule();
}

export function addDrawer(d: Drawer): () => void {
  drawers.add(d);
  invalidate(d);
  return () => {
    drawers.delete(d);
    dirty.delete(d);
  };
}

export function invalidate(d: Drawer): void {
  dirty.add(d);
  schedule();
}

export function invalidateAll(): void {
  for (const d of drawers) dirty.add(d);
  schedule();
}

function applyUpdates(): void {
  if (queue.length === 0) return;
  const batch = queue;
  queue = [];
  const last = batch[batch.length - 1];
  store.setState((s) => {
    const reset = batch.some((u) => u.reset);
    const start = reset ? batch.findLastIndex((u) => u.reset) : 0;
    const used = batch.slice(start);
    let records = reset ? [] : s.records;
    let events = reset ? [] : s.events;
    let series = reset ? [] : s.series;
    for (const u of used) {
      // After a step back, records at or beyond the new position are from another timeline.
      if (records.length && records[records.length - 1].index >= u.position - u.stepCount) {
        records = records.filter((r) => r.index < u.position - u.stepCount);
      }
      if (u.steps.length) records = records.concat(u.steps);
      if (u.events.length) events = events.concat(u.events);
      // One sample per step run (and the position's), merged by step: a replay replaces.
      series = mergeSeries(series, u.samples ?? [u.point]);
    }
    return {
      snapshot: last.snapshot,
      generation: last.generation,
      loads: reset ? s.loads + 1 : s.loads,
      position: last.position,
      total: last.total,
      running: last.running,
      problems: last.problems,
      records: records.length > RECORD_CAP ? records.slice(-RECORD_CAP) : records,
      events: events.length > EVENT_CAP ? events.slice(-EVENT_CAP) : events,
      lastEvents: used.flatMap((u) => u.events),
      series,
      progress: last.running ? { done: last.position, goal: last.total } : null,
    };
  });
  invalidateAll();
}

function flush(): void {
  raf = 0;
  const t0 = performance.now();
  applyUpdates();
  const t1 = performance.now();
  const applied = (drawStats.applyUpdates ??= []);
  applied.push(t1 - t0);
  if (applied.length > 500) applied.splice(0, 100); // capped like the views' lists (a long session grew it without end)
  let clean = true;
  for (const d of [...dirty]) {
    dirty.delete(d);
    const td = performance.now();
    const ok = d.draw();
    const list = (drawStats[d.name ?? 'view'] ??= []);
    list.push(performance.now() - td);
    if (list.length > 500) list.splice(0, 100);
    if (!ok) {
      dirty.add(d);
      clean = false;
    }
  }
  frameStats.push(performance.now() - t0);
  if (frameStats.length > 5000) frameStats.splice(0, 1000);
  unclean = clean ? 0 : unclean + 1;
  if (clean || unclean > 120) {
    ackGeneration(store.getState().generation);
    if (queue.length === 0) for (const w of idleWaiters.splice(0)) w();
  }
  if (!clean) schedule();
}

/** Resolves after the next frame in which every view drew the latest state. */
export function drawn(): Promise<void> {
  return new Promise((resolve) => {
    idleWaiters.push(resolve);
    schedule();
  });
}

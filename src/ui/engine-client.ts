/**
 * The page's end of the worker: starts src/worker/engine.worker.ts, wraps it with comlink,
 * keeps the typed views over the shared buffers, and implements the reader side of the
 * seqlock described in src/worker/api.ts.
 */
import * as Comlink from 'comlink';
import { frameDescViews, type FrameDescViews } from '../engine/abi';
import { CTL_ACK, CTL_GEN, CTL_SEQ, type EngineApi, type SharedBuffers, type Update } from '../worker/api';

export interface Buffers {
  u32: Uint32Array;
  desc: FrameDescViews;
  nframes: number;
  epoch: number;
}

export type Engine = Comlink.Remote<EngineApi>;

let worker: Worker | null = null;
let engine: Engine | null = null;
let ctl: Int32Array | null = null;
let buffers: Buffers | null = null;
let resolveReady: (e: Engine) => void = () => {};
const ready = new Promise<Engine>((r) => (resolveReady = r));

/** Resolves with the engine once it has started. */
export function engineReady(): Promise<Engine> {
  return ready;
}

function adopt(s: SharedBuffers): void {
  buffers = { u32: new Uint32Array(s.ram), desc: frameDescViews(s.desc, s.nframes), nframes: s.nframes, epoch: s.epoch };
}

/** Starts the worker once; `onUpdate` receives every published state. */
export async function startEngine(onUpdate: (u: Update) => void): Promise<Engine> {
  if (engine) return engine;
  worker = new Worker(new URL('../worker/engine.worker.ts', import.meta.url), { type: 'module', name: 'engine' });
  const api = Comlink.wrap<EngineApi>(worker);
  const init = await api.init(
    Comlink.proxy((u: Update) => {
      if (u.shared) adopt(u.shared);
      onUpdate(u);
    }),
  );
  ctl = new Int32Array(init.ctl);
  adopt(init.shared);
  engine = api;
  resolveReady(api);
  return api;
}

export function getEngine(): Engine {
  if (!engine) throw new Error('engine not started');
  return engine;
}

export function getBuffers(): Buffers | null {
  return buffers;
}

/**
 * Runs `read` over the buffers if they hold generation `gen` and the worker did not change
 * them meanwhile; null otherwise (try again on the next frame).
 */
export function readConsistent<T>(gen: number, read: (b: Buffers) => T): T | null {
  if (!ctl || !buffers) return null;
  const s1 = Atomics.load(ctl, CTL_SEQ);
  if (s1 & 1 || Atomics.load(ctl, CTL_GEN) !== gen) return null;
  const out = read(buffers);
  return Atomics.load(ctl, CTL_SEQ) === s1 ? out : null;
}

/** Tells the worker the page has drawn generation `gen` (it may go on playing). */
export function ackGeneration(gen: number): void {
  if (!ctl) return;
  if (Atomics.load(ctl, CTL_ACK) < gen) {
    Atomics.store(ctl, CTL_ACK, gen);
    Atomics.notify(ctl, CTL_ACK);
  }
}

export function bufferGeneration(): number {
  return ctl ? Atomics.load(ctl, CTL_GEN) : -1;
}

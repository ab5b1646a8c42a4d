/**
 * Creates the engine worker. The page's first worker is created as soon as this module is
 * evaluated, which main.tsx makes the first thing the page does: starting a worker takes
 * turns of this thread's event loop, and after this point the thread is busy evaluating the
 * bundle and drawing the first render for several hundred milliseconds.
 */
function create(): Worker {
  return new Worker(new URL('../worker/engine.worker.ts', import.meta.url), { type: 'module', name: 'engine' });
}

let early: Worker | null = globalThis.crossOriginIsolated === true && typeof Worker === 'function' ? create() : null;

/** The early worker the first time, a new one after that (a restart). */
export function newEngineWorker(): Worker {
  const w = early ?? create();
  early = null;
  return w;
}

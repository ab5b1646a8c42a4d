/**
 * Page side of the browser figure (bundled by bench/figures/browser.ts for Chromium): runs a
 * scenario in the real engine worker (src/worker/engine.worker.ts) through its Comlink API,
 * acknowledging every published update at once, as a page that draws instantly would.
 */
import * as Comlink from 'comlink';
import { CTL_ACK, type EngineApi, type Update } from '../../src/worker/api';

export interface WorkerRun {
  ok: boolean;
  error?: string;
  /** Worker start to init() answered. */
  startMs: number;
  /** load(): parse and build the runner. */
  loadMs: number;
  /** play(Infinity) to the end. */
  playMs: number;
  updates: number;
  steps: number;
  state: string;
  failedExpects: string[];
}

async function runScenario(source: string): Promise<WorkerRun> {
  const res: WorkerRun = { ok: false, startMs: 0, loadMs: 0, playMs: 0, updates: 0, steps: 0, state: '', failedExpects: [] };
  const t0 = performance.now();
  const worker = new Worker(new URL('./engine.worker.js', location.href), { type: 'module' });
  worker.addEventListener('error', (e) => {
    res.error = `worker error: ${e.message}`;
  });
  const api = Comlink.wrap<EngineApi>(worker);
  try {
    let ctl: Int32Array | null = null;
    const onUpdate = (u: Update) => {
      res.updates++;
      for (const s of u.steps) if (s.expect && !s.expect.ok) res.failedExpects.push(`${s.line}: ${s.text}: ${s.expect.message ?? ''}`);
      res.steps = u.position;
      if (ctl) Atomics.store(ctl, CTL_ACK, u.generation);
    };
    const init = await api.init(Comlink.proxy(onUpdate));
    ctl = new Int32Array(init.ctl);
    const t1 = performance.now();
    res.startMs = t1 - t0;
    const lr = await api.load(source, 'bench.msh');
    const t2 = performance.now();
    res.loadMs = t2 - t1;
    if (!lr.ok) {
      res.error = `load: ${JSON.stringify(lr.errors).slice(0, 300)}`;
      return res;
    }
    const out = await api.play(Infinity);
    res.playMs = performance.now() - t2;
    res.state = out.state;
    res.steps = out.position;
    res.ok = out.state === 'done' && !res.error;
    return res;
  } catch (e) {
    res.error = String(e);
    return res;
  } finally {
    api[Comlink.releaseProxy]();
    worker.terminate();
  }
}

(window as unknown as { runScenario: typeof runScenario }).runScenario = runScenario;
document.body.dataset.ready = '1';

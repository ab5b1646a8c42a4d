/**
 * The plumbing check in the status bar: cross-origin isolation and a SharedArrayBuffer
 * written by a worker and read here (src/worker/smoke.worker.ts; e2e/smoke.spec.ts reads it).
 */
import { useEffect, useState } from 'react';
import * as Comlink from 'comlink';
import { SMOKE_WORDS, hex32, smokePattern, type SmokeApi } from '../../worker/smoke-api';

const PAGE_MARK = 0xfeed_f00d;

type Smoke = { state: 'running' } | { state: 'done'; first: number; patternOk: boolean; shared: boolean } | { state: 'failed'; message: string };

async function runSmoke(api: Comlink.Remote<SmokeApi>): Promise<Smoke> {
  const sab = await api.create();
  const words = new Uint32Array(sab);
  let patternOk = words.length === SMOKE_WORDS;
  for (let i = 0; i < words.length; i++) patternOk &&= Atomics.load(words, i) === smokePattern(i);
  const last = SMOKE_WORDS - 1;
  Atomics.store(words, last, PAGE_MARK);
  const shared = (await api.read(last)) === PAGE_MARK;
  return { state: 'done', first: words[0], patternOk, shared };
}

export function Plumbing({ isolated }: { isolated: boolean }) {
  const [smoke, setSmoke] = useState<Smoke>({ state: 'running' });
  useEffect(() => {
    if (!isolated) return;
    let live = true;
    // When the page is idle: a second worker starting during boot competes with the engine
    // worker and the first render for the CPU (2 cores here), and nothing waits for it.
    const start = () => {
      if (!live) return;
      const worker = new Worker(new URL('../../worker/smoke.worker.ts', import.meta.url), { type: 'module' });
      const api = Comlink.wrap<SmokeApi>(worker);
      runSmoke(api).then((r) => live && setSmoke(r), (err: unknown) => live && setSmoke({ state: 'failed', message: String(err) }))
        .finally(() => { api[Comlink.releaseProxy](); worker.terminate(); });
    };
    const idle = typeof requestIdleCallback === 'function' ? requestIdleCallback(start, { timeout: 3000 }) : null;
    const timer = idle === null ? setTimeout(start, 1000) : null;
    return () => {
      live = false;
      if (idle !== null) cancelIdleCallback(idle);
      if (timer !== null) clearTimeout(timer);
    };
  }, [isolated]);
  // One short word on the status bar (it is on every slide); the figures behind it unfold on a click.
  const ok = isolated && smoke.state === 'done' && smoke.patternOk && smoke.shared;
  const summary = !isolated ? 'not cross-origin isolated' : smoke.state === 'running' ? 'shared memory…' : ok ? 'shared memory ✓' : 'shared memory ✗';
  return (
    <details className={`plumbing${ok || smoke.state === 'running' ? '' : ' bad'}`}>
      <summary title="Cross-origin isolation and a SharedArrayBuffer written by a worker and read here (click for the figures)" data-testid="plumbing-summary">{summary}</summary>
      <dl aria-label="Browser plumbing">
        <dt>crossOriginIsolated</dt><dd data-testid="coi-status">{String(isolated)}</dd>
        {smoke.state === 'done' && (
          <>
            <dt>SAB word 0</dt><dd data-testid="sab-value">{hex32(smoke.first)}</dd>
            <dt>pattern</dt><dd data-testid="sab-pattern">{smoke.patternOk ? 'yes' : 'no'}</dd>
            <dt>shared with worker</dt><dd data-testid="sab-shared">{smoke.shared ? 'yes' : 'no'}</dd>
          </>
        )}
        {smoke.state === 'failed' && (<><dt>worker</dt><dd data-testid="smoke-error">{smoke.message}</dd></>)}
      </dl>
    </details>
  );
}

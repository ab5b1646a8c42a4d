import { useEffect, useState } from 'react';
import * as Comlink from 'comlink';
import { SMOKE_WORDS, hex32, smokePattern, type SmokeApi } from './worker/smoke-api';

/** Word the page writes into the shared buffer for the worker to read back. */
const PAGE_MARK = 0xfeed_f00d;

type Smoke =
  | { state: 'running' }
  | { state: 'done'; first: number; patternOk: boolean; shared: boolean }
  | { state: 'failed'; message: string };

async function runSmoke(api: Comlink.Remote<SmokeApi>): Promise<Smoke> {
  const sab = await api.create();
  const words = new Uint32Array(sab);
  let patternOk = words.length === SMOKE_WORDS;
  for (let i = 0; i < words.length; i++) patternOk &&= Atomics.load(words, i) === smokePattern(i);
  // A copy would not show the page's write to the worker; a shared buffer does.
  const last = SMOKE_WORDS - 1;
  Atomics.store(words, last, PAGE_MARK);
  const shared = (await api.read(last)) === PAGE_MARK;
  return { state: 'done', first: words[0], patternOk, shared };
}

function useSmoke(enabled: boolean): Smoke {
  const [smoke, setSmoke] = useState<Smoke>({ state: 'running' });
  useEffect(() => {
    if (!enabled) return;
    let live = true;
    const worker = new Worker(new URL('./worker/smoke.worker.ts', import.meta.url), { type: 'module' });
    const api = Comlink.wrap<SmokeApi>(worker);
    runSmoke(api).then(
      (result) => live && setSmoke(result),
      (err: unknown) => live && setSmoke({ state: 'failed', message: String(err) }),
    );
    return () => {
      live = false;
      api[Comlink.releaseProxy]();
      worker.terminate();
    };
  }, [enabled]);
  return smoke;
}

function NotIsolated() {
  return (
    <section data-testid="coi-help" className="warning">
      <h2>This page is not cross-origin isolated</h2>
      <p>
        The simulator keeps its memory in a SharedArrayBuffer, and browsers only allow that on pages
        served with the headers <code>Cross-Origin-Opener-Policy: same-origin</code> and{' '}
        <code>Cross-Origin-Embedder-Policy: require-corp</code>.
      </p>
      <ul>
        <li>
          Run it with <code>npm start</code> (or <code>npm run preview</code> after <code>npm run build</code>):
          both send these headers.
        </li>
        <li>
          On a static host where you cannot set headers, keep <code>coi-serviceworker.js</code> next to{' '}
          <code>index.html</code>: it adds them through a service worker and reloads the page once. That needs
          HTTPS (or localhost) and a browser that allows service workers.
        </li>
      </ul>
    </section>
  );
}

export function App() {
  const isolated = globalThis.crossOriginIsolated === true;
  const smoke = useSmoke(isolated);
  return (
    <main>
      <h1>mshare explorer</h1>
      <p className="note">Placeholder page: checks the browser plumbing (worker, comlink, SharedArrayBuffer).</p>
      <dl>
        <dt>crossOriginIsolated</dt>
        <dd data-testid="coi-status">{String(isolated)}</dd>
        {isolated && smoke.state === 'running' && (
          <>
            <dt>worker</dt>
            <dd data-testid="smoke-running">starting…</dd>
          </>
        )}
        {smoke.state === 'done' && (
          <>
            <dt>SharedArrayBuffer word 0, written by the worker</dt>
            <dd data-testid="sab-value">{hex32(smoke.first)}</dd>
            <dt>all {SMOKE_WORDS} words match the pattern</dt>
            <dd data-testid="sab-pattern">{smoke.patternOk ? 'yes' : 'no'}</dd>
            <dt>worker sees the page's write (shared, not copied)</dt>
            <dd data-testid="sab-shared">{smoke.shared ? 'yes' : 'no'}</dd>
          </>
        )}
        {smoke.state === 'failed' && (
          <>
            <dt>worker</dt>
            <dd data-testid="smoke-error">{smoke.message}</dd>
          </>
        )}
      </dl>
      {!isolated && <NotIsolated />}
    </main>
  );
}

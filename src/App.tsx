import { lazy, Suspense, useEffect } from 'react';
import { startEngine } from './ui/engine-client';
import { pushUpdate } from './ui/frame-loop';
import { loadScript } from './ui/actions';
import { log, store, useUi } from './ui/store';
import { defaultScenario, findScenario } from './ui/scenarios/gallery';
import { installTestApi } from './ui/test-api';
import { installKeyboard } from './ui/keyboard';
import { Toolbar } from './ui/components/Toolbar';
import { Timeline } from './ui/components/Timeline';
import { ProcessesPanel } from './ui/components/ProcessesPanel';
import { AddressSpacePanel } from './ui/components/AddressSpacePanel';
import { TreePanel } from './ui/components/TreePanel';
import { PhysMemPanel } from './ui/components/PhysMemPanel';
import { RightPanel } from './ui/components/RightPanel';
import { consoleFocus } from './ui/console-focus';

// The console and script editor (CodeMirror) load after the first paint.
const ConsolePanel = lazy(() => import('./ui/components/ConsolePanel').then((m) => ({ default: m.ConsolePanel })));
import { Gallery } from './ui/components/Gallery';
import { Plumbing } from './ui/components/Plumbing';
import { Tour } from './ui/components/Tour';

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

let booted: Promise<void> | null = null;

/** Starts the worker and runs the first scenario (?scenario=ID, else the mshare basics). Once per page. */
function boot(): Promise<void> {
  if (booted) return booted;
  booted = (async () => {
    await startEngine(pushUpdate);
    performance.mark('mshare:engine-ready');
    store.setState({ ready: true });
    const wanted = new URLSearchParams(location.search).get('scenario');
    const entry = (wanted && findScenario(wanted)) || defaultScenario();
    if (wanted && !findScenario(wanted)) log('err', `no built-in scenario "${wanted}"; running ${entry.id}`);
    await loadScript(entry.source, `${entry.id}.msh`);
    performance.mark('mshare:first-scenario');
  })();
  return booted;
}

export function App() {
  const isolated = globalThis.crossOriginIsolated === true;
  const theme = useUi((s) => s.theme);
  const animations = useUi((s) => s.animations);
  const ready = useUi((s) => s.ready);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  useEffect(() => {
    document.documentElement.classList.toggle('no-anim', !animations);
  }, [animations]);
  useEffect(() => {
    if (!isolated) return;
    performance.mark('mshare:shell');
    const p = boot();
    installTestApi(p);
    p.catch((e: unknown) => log('err', `the engine did not start: ${String(e)}`));
    return installKeyboard(() => consoleFocus.view?.focus());
  }, [isolated]);

  if (!isolated) {
    return (
      <main className="plain">
        <h1>mshare explorer</h1>
        <NotIsolated />
        <Plumbing isolated={false} />
      </main>
    );
  }
  return (
    <div className="app" aria-busy={!ready}>
      <Toolbar />
      <Timeline />
      <main className="grid">
        <div className="col left">
          <ProcessesPanel />
          <PhysMemPanel />
        </div>
        <div className="col mid">
          <AddressSpacePanel />
          <TreePanel />
        </div>
        <div className="col right">
          <RightPanel />
        </div>
        <div className="bottom">
          <Suspense fallback={<section className="panel console-panel" aria-label="Console and script"><p className="empty">loading the console…</p></section>}>
            <ConsolePanel />
          </Suspense>
        </div>
      </main>
      <footer className="statusbar">
        <Plumbing isolated />
      </footer>
      <Gallery />
      <Tour />
    </div>
  );
}

import { lazy, Suspense, useEffect, useState } from 'react';
import { EngineLostError, againAfterEngineLoss, startEngine } from './ui/engine-client';
import { bootFailure, openingAgain } from './ui/engine-words';
import { pushUpdate } from './ui/frame-loop';
import { log, store, useUi } from './ui/store';
import { installTestApi } from './ui/test-api';
import { selectDuringRuns } from './ui/actions';
import { installKeyboard } from './ui/keyboard';
import { Toolbar } from './ui/components/Toolbar';
import { Timeline } from './ui/components/Timeline';
import { ProcessesPanel } from './ui/components/ProcessesPanel';
import { AddressSpacePanel } from './ui/components/AddressSpacePanel';
import { TreePanel } from './ui/components/TreePanel';
import { PhysMemPanel } from './ui/components/PhysMemPanel';
import { RightPanel } from './ui/components/RightPanel';
import { focusConsole } from './ui/console-focus';

// The console and script editor (CodeMirror): loaded once the first scenario has run (below).
const ConsolePanel = lazy(() => import('./ui/components/ConsolePanel').then((m) => ({ default: m.ConsolePanel })));
import { Gallery } from './ui/components/Gallery';
import { Plumbing } from './ui/components/Plumbing';
import { Tour } from './ui/components/Tour';
import { openInitialScenario } from './ui/talk/boot';
import { installTalkKeys } from './ui/talk/keys';
import { useTalk } from './ui/talk/talk-store';
import { TalkScreen } from './ui/talk/TalkScreen';
import { TalkNotice } from './ui/talk/TalkNotice';
import { Notices, SessionBar, installRobustness, resumeSession } from './ui/persist';

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
        {new URLSearchParams(location.search).has('embed') && (
          <li>
            Embedded in another page (<code>?embed</code>): that page must be cross-origin isolated too, and its iframe
            needs <code>allow="cross-origin-isolated"</code>. Hosts that cannot do that (Google Slides) can show an
            exported SVG or PNG instead.
          </li>
        )}
      </ul>
    </section>
  );
}

function ConsoleLoading() {
  return (
    <section className="panel console-panel" aria-label="Console and script">
      <p className="empty">loading the console…</p>
    </section>
  );
}

let booted: Promise<void> | null = null;

/** Starts the worker and opens what the URL asks for (src/ui/talk/boot.ts: ?scenario=ID, a permalink, embed). Once per page. */
function boot(): Promise<void> {
  if (booted) return booted;
  booted = (async () => {
    const started = startEngine(pushUpdate).then(() => {
      performance.mark('mshare:engine-ready');
      store.setState({ ready: true });
    });
    installRobustness();
    selectDuringRuns();
    // The first script goes out now, queued behind init, not after init's answer: the worker
    // loads and runs it while this thread draws the first render. If the worker fails on the
    // way, the rebuild brings back the step the page showed, but the page had not got where
    // the URL asks (`?scenario=` runs to the end): it opens again on the rebuilt worker, and
    // `ready` waits for that. (A session restore does the same in session.ts restore().)
    const opened = (async () => {
      if (!(await resumeSession())) await againAfterEngineLoss(openInitialScenario, (e) => log('err', openingAgain(e.message)));
    })();
    await Promise.all([started, opened]);
    performance.mark('mshare:first-scenario');
  })();
  return booted;
}

// Boot as this module loads, before the first render (which waits for the engine's first
// answer, main.tsx): the worker (created by ui/engine-spawn.ts) then initialises, loads and
// runs the first scenario while this thread evaluates the bundle and renders. The test API
// (window.mshareExplorer) goes up here too, so a test can wait on `ready` once the page loaded.
// The effect below picks up the same promise. The keys go up here too: installed when the App
// mounted, they missed what was typed while the first render waited for the engine (up to 1.5 s).
if (globalThis.crossOriginIsolated === true) {
  const p = boot();
  installTestApi(p);
  p.catch(() => {});
  installTalkKeys();
  installKeyboard(focusConsole);
}

export function App() {
  const isolated = globalThis.crossOriginIsolated === true;
  const theme = useUi((s) => s.theme);
  const animations = useUi((s) => s.animations);
  const ready = useUi((s) => s.ready);
  const [consoleOn, setConsoleOn] = useState(false);
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
    p.catch((e: unknown) => log('err', bootFailure(e, e instanceof EngineLostError)));
    // The console (CodeMirror: its own ~350 KB chunk) mounts once the first scenario has run
    // and the page is idle: mounted with the rest, its evaluation and first layout competed
    // with the first scenario's draw for the main thread.
    let live = true;
    const showConsole = () => live && setConsoleOn(true);
    const idle = (f: () => void) => ('requestIdleCallback' in globalThis ? requestIdleCallback(f, { timeout: 300 }) : setTimeout(f, 50));
    p.then(() => idle(showConsole), showConsole);
    return () => {
      live = false;
    };
  }, [isolated]);
  const talkMode = useTalk((s) => s.mode);

  if (!isolated) {
    return (
      <main className="plain">
        <h1>mshare explorer</h1>
        <NotIsolated />
        <Plumbing isolated={false} />
      </main>
    );
  }
  if (talkMode !== 'normal') return <><TalkScreen /><Notices /></>;
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
          {consoleOn ? (
            <Suspense fallback={<ConsoleLoading />}>
              <ConsolePanel />
            </Suspense>
          ) : (
            <ConsoleLoading />
          )}
        </div>
      </main>
      <footer className="statusbar">
        <SessionBar />
        <Plumbing isolated />
      </footer>
      <Gallery />
      <Tour />
      <TalkNotice />
      <Notices />
    </div>
  );
}

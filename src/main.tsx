// First: the engine worker starts before the rest of the bundle is evaluated (engine-spawn.ts).
import './ui/engine-spawn';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { engineReady } from './ui/engine-client';
import { store } from './ui/store';
import './main.css';

// The saved theme now, not in App's effect: the first render waits for the engine, and the
// placeholder meanwhile would show in the light theme.
document.documentElement.dataset.theme = store.getState().theme;

const root = createRoot(document.getElementById('root')!);
const render = () =>
  root.render(
    <StrictMode>
      <App />
    </StrictMode>,
  );

// The first render waits (up to FIRST_RENDER_WAIT_MS) for the engine's first answer. A
// worker gets the messages posted to it only once this thread has taken its start-up notice,
// and the first render keeps this thread busy for a few hundred milliseconds: rendered at
// once, the worker sat idle through it before it could load and run the first scenario
// (App.tsx posts it as the module loads). This way the two overlap: measured, ~200 ms sooner
// to interactive. index.html shows a static placeholder meanwhile.
const FIRST_RENDER_WAIT_MS = 1500;
if (globalThis.crossOriginIsolated === true) {
  void Promise.race([engineReady(), new Promise((r) => setTimeout(r, FIRST_RENDER_WAIT_MS))]).then(render);
} else render();

/**
 * The user's work survives a reload, a crash of the tab and a closed laptop: the current
 * script, the step it is at and the view settings are saved to localStorage (debounced, and
 * at once when the page is hidden) and restored on the next visit; "Start fresh" forgets them.
 *
 * Keys (all under `mshare-explorer.`):
 * - `session.v1`: the session (see SavedSession), rewritten after every change that settles.
 * - `session.previous`: the session a link (`?scenario=`) replaced, so a stranger's link
 *   cannot silently throw away the user's work (a notice offers it back).
 * - `session.restoring`: set while a restore replays the script; if it is still there on the
 *   next visit, that restore never finished (the tab died while replaying): the script is
 *   then loaded at step 0, and a notice offers to go to the saved step.
 *
 * What is read back is untrusted (another version of the app, a user's devtools): every
 * field is checked, the script only ever goes to the parser, and a session that does not
 * check out is ignored.
 */
import { MAX_SCRIPT_CHARS } from '../../scenario/constants';
import { autoSelect, gotoStep, loadScript, whenIdle } from '../actions';
import { EngineLostError, engineStatus } from '../engine-client';
import { GALLERY, defaultScenario } from '../scenarios/gallery';
import { emptySelection, log, store, type RightTab, type UiState } from '../store';
import { count } from '../format';
import { notify } from './notices';
import { quietOom } from './oom';

const KEY = 'mshare-explorer.session.v1';
const PREVIOUS_KEY = 'mshare-explorer.session.previous';
const RESTORING_KEY = 'mshare-explorer.session.restoring';
/** Saves wait this long after the last change (a run to the end changes the position 60 times a second). */
export const SAVE_DEBOUNCE_MS = 400;

export interface SavedView {
  speed: number;
  animations: boolean;
  rightTab: RightTab;
  /** The selected and compared processes, by pid. */
  pid: number | null;
  compare: number | null;
}

export interface SavedSession {
  v: 1;
  source: string;
  scriptName: string;
  position: number;
  view: SavedView;
  savedAt: number;
}

const DEFAULT_VIEW: SavedView = { speed: 4, animations: true, rightTab: 'inspector', pid: null, compare: null };
const RIGHT_TABS: readonly RightTab[] = ['inspector', 'walk', 'counters'];

function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null; // storage disabled
  }
}

const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= 1e9;
const isPid = (x: unknown): x is number | null => x === null || isCount(x);

/** Parses a stored session; null when absent or not a valid one. */
export function parseSession(text: string | null): SavedSession | null {
  if (!text || text.length > MAX_SCRIPT_CHARS * 2) return null;
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof o !== 'object' || o === null) return null;
  const s = o as Record<string, unknown>;
  const v = (typeof s.view === 'object' && s.view !== null ? s.view : {}) as Record<string, unknown>;
  if (s.v !== 1 || typeof s.source !== 'string' || s.source.length > MAX_SCRIPT_CHARS) return null;
  if (typeof s.scriptName !== 'string' || s.scriptName.length > 200 || !isCount(s.position)) return null;
  const view: SavedView = {
    speed: typeof v.speed === 'number' && Number.isFinite(v.speed) && v.speed > 0 && v.speed <= 1000 ? v.speed : DEFAULT_VIEW.speed,
    animations: typeof v.animations === 'boolean' ? v.animations : DEFAULT_VIEW.animations,
    rightTab: RIGHT_TABS.includes(v.rightTab as RightTab) ? (v.rightTab as RightTab) : DEFAULT_VIEW.rightTab,
    pid: isPid(v.pid) ? v.pid : null,
    compare: isPid(v.compare) ? v.compare : null,
  };
  return { v: 1, source: s.source, scriptName: s.scriptName, position: s.position, view, savedAt: isCount(s.savedAt) ? s.savedAt : 0 };
}

export function readSession(key = KEY): SavedSession | null {
  return parseSession(storage()?.getItem(key) ?? null);
}

function capture(s: UiState): SavedSession {
  return {
    v: 1,
    source: s.source,
    scriptName: s.scriptName,
    position: s.position,
    view: { speed: s.speed, animations: s.animations, rightTab: s.rightTab, pid: s.selection.pid, compare: s.compare },
    savedAt: Date.now(),
  };
}

// ------------------------------------------------------------------ saving

let armed = false;
let timer: ReturnType<typeof setTimeout> | null = null;
let lastSaved = '';
let warnedFull = false;

/** Writes the session now (if there is one worth saving and it changed). */
export function saveNow(): void {
  if (timer) clearTimeout(timer);
  timer = null;
  if (!armed) return;
  if (engineStatus().state === 'restarting') {
    schedule(); // mid-rebuild the position is on its way back: save what it lands on
    return;
  }
  const s = store.getState();
  if (!s.source || s.source.length > MAX_SCRIPT_CHARS) return;
  const text = JSON.stringify(capture({ ...s }));
  // savedAt differs every time: compare without it.
  const key = text.replace(/"savedAt":\d+/, '');
  if (key === lastSaved) return;
  try {
    storage()?.setItem(KEY, text);
    lastSaved = key;
  } catch {
    if (!warnedFull) {
      warnedFull = true;
      notify({ kind: 'session', title: 'Your session could not be saved', text: 'The browser refused to store it (storage full or disabled). The explorer works as before, but a reload starts fresh.', ttl: 15_000 });
    }
  }
}

function schedule(): void {
  if (!armed) return;
  if (timer) clearTimeout(timer);
  timer = setTimeout(saveNow, SAVE_DEBOUNCE_MS);
}

let unsubscribe: (() => void) | null = null;
let listening = false;

/** Starts saving: after each settled change of the script, position or view settings. */
export function armAutosave(): void {
  if (armed) return;
  armed = true;
  unsubscribe = store.subscribe((s, p) => {
    if (
      s.source !== p.source || s.scriptName !== p.scriptName || s.position !== p.position || s.speed !== p.speed ||
      s.animations !== p.animations || s.rightTab !== p.rightTab || s.selection.pid !== p.selection.pid || s.compare !== p.compare
    ) schedule();
  });
  if (!listening) {
    listening = true;
    addEventListener('pagehide', saveNow);
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'hidden') saveNow();
    });
  }
  schedule();
}

function disarm(): void {
  armed = false;
  if (timer) clearTimeout(timer);
  timer = null;
  unsubscribe?.();
  unsubscribe = null;
  lastSaved = '';
}

// ------------------------------------------------------------------ restoring

function applyView(v: SavedView): void {
  store.setState({ speed: v.speed, animations: v.animations, rightTab: v.rightTab });
}

function restoreSelection(v: SavedView): void {
  const snap = store.getState().snapshot;
  const alive = (pid: number | null) => pid !== null && !!snap?.tasks.some((t) => t.pid === pid && t.state === 'running');
  if (alive(v.pid)) {
    const t = snap!.tasks.find((x) => x.pid === v.pid)!;
    store.setState({ selection: { ...emptySelection, pid: t.pid, mm: t.mm }, compare: alive(v.compare) ? v.compare : null });
  } else autoSelect();
}

/** Loads `s` and goes to its step (the script replays in the worker: checkpoints + replay). */
async function restore(s: SavedSession, toStep: boolean): Promise<boolean> {
  const st = storage();
  applyView(s.view);
  const ok = await loadScript(s.source, s.scriptName || 'session.msh', false);
  if (!ok) return false;
  if (toStep && s.position > 0) {
    st?.setItem(RESTORING_KEY, String(s.position));
    try {
      await quietOom(gotoStep(Math.min(s.position, store.getState().total)).then(() => whenIdle()));
    } catch (e) {
      // The worker failed while replaying: engine-client rebuilds it (and says so); the tab lives.
      if (!(e instanceof EngineLostError)) throw e;
    } finally {
      st?.removeItem(RESTORING_KEY);
    }
  }
  restoreSelection(s.view);
  return true;
}

/** What the URL asks to open, if anything: a link wins over the saved session. */
export function linkRequest(loc: { search: string; hash: string } = location): { link: boolean; embed: boolean } {
  const q = new URLSearchParams(loc.search);
  const embed = q.has('embed');
  const link = embed || ['scenario', 'step', 'present', 'autoplay'].some((k) => q.has(k)) || /^#.*\bv=/.test(loc.hash);
  return { link, embed };
}

/** A session is the user's work unless its script is a built-in, untouched. */
function isWork(s: SavedSession): boolean {
  return !GALLERY.some((g) => g.source === s.source);
}

/**
 * At boot: restore the saved session unless the URL asks for something (a link: built-in,
 * permalink, presenter or embed mode). Returns whether it restored one (else the caller
 * opens what the URL says, or the default scenario). Saving is armed afterwards, except in
 * embed mode: a view embedded in slides must not replace the user's own session.
 */
export async function resumeSession(req = linkRequest()): Promise<boolean> {
  const st = storage();
  const saved = readSession();
  const unfinished = st?.getItem(RESTORING_KEY) ?? null;
  try {
    if (req.embed) return false;
    if (!saved) return false;
    if (req.link) {
      // A link wins, but the work it replaces is kept aside and offered back.
      if (!isWork(saved)) return false;
      st?.setItem(PREVIOUS_KEY, JSON.stringify(saved));
      notify({
        kind: 'session',
        title: 'Opened a link; your previous session is kept',
        text: `Your script ${saved.scriptName || ''} (at step ${count(saved.position)}) was put aside.`,
        actions: [{ label: 'Restore it', run: () => restorePrevious() }],
        ttl: 30_000,
      });
      return false;
    }
    if (unfinished !== null) {
      st?.removeItem(RESTORING_KEY);
      const ok = await restore(saved, false);
      if (ok) {
        notify({
          kind: 'session',
          title: 'Your script is back, at step 0',
          text: `Last time, replaying it to step ${count(saved.position)} did not finish (the tab may have run out of memory), so it was not replayed this time.`,
          actions: [
            { label: `Go to step ${count(saved.position)}`, run: () => gotoStep(saved.position) },
            { label: 'Start fresh', run: () => startFresh() },
          ],
        });
      }
      return ok;
    }
    const ok = await restore(saved, true);
    if (ok) {
      log('info', `restored your session: ${saved.scriptName} at step ${count(store.getState().position)}`);
      // 30 s, as the other notice with a button (8 s was short to reach Start fresh with the
      // keyboard); it stays while the focus or the pointer is in it (Notices.tsx).
      notify({ kind: 'session', title: 'Restored your session', text: `${saved.scriptName || 'Your script'} at step ${count(store.getState().position)}, with your view settings.`, actions: [{ label: 'Start fresh', run: () => startFresh() }], ttl: 30_000 });
    } else {
      notify({ kind: 'session', title: 'Your saved script did not load', text: 'It no longer parses (see the Script tab for where). It is kept aside; the default scenario is loaded instead.', ttl: 15_000 });
      st?.setItem(PREVIOUS_KEY, JSON.stringify(saved));
    }
    return ok;
  } finally {
    if (!req.embed) armAutosave();
  }
}

/** Brings back the session a link replaced. */
export async function restorePrevious(): Promise<void> {
  const prev = readSession(PREVIOUS_KEY);
  if (!prev) return;
  storage()?.removeItem(PREVIOUS_KEY);
  await restore(prev, true);
}

/** Forgets the saved session and view settings and loads the default scenario. */
export async function startFresh(): Promise<void> {
  disarm();
  const st = storage();
  for (const k of [KEY, PREVIOUS_KEY, RESTORING_KEY]) st?.removeItem(k);
  applyView(DEFAULT_VIEW);
  const entry = defaultScenario();
  const url = new URL(location.href);
  url.searchParams.delete('scenario');
  history.replaceState(history.state, '', url);
  await loadScript(entry.source, `${entry.id}.msh`);
  log('info', 'started fresh: the saved session is forgotten');
  armAutosave();
}

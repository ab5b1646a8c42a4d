/**
 * The user's work survives a reload, a crash of the tab and a closed laptop: the current
 * script, the step it is at and the view settings are saved to localStorage (debounced, and
 * at once when the page is hidden) and restored on the next visit; "Start fresh" forgets them.
 *
 * Keys (all under `mshare-explorer.`):
 * - `session.v1`: the session (see SavedSession), rewritten after every change that settles.
 * - `session.previous`: the sessions kept aside, newest first (at most MAX_KEPT): the one a
 *   link (`?scenario=`, a permalink, one pasted into the address bar) replaced, one that did
 *   not load any more, one another tab saved over (see saveNow). A stranger's link cannot
 *   silently throw away the user's work: a notice offers the newest back (Restore it) for as
 *   long as one is kept, and on every visit until it is restored or forgotten.
 * - `session.restoring`: set while a restore replays the script; if it is still there on the
 *   next visit, that restore never finished (the tab died while replaying): the script is
 *   then loaded at step 0, and a notice offers to go to the saved step.
 *
 * - `session.unreadable`: a stored session this version could not read at all (not JSON, no
 *   script), as it was, kept before the key is written over.
 * - `session.tab.ID`: each page's own copy of its session, written beside `session.v1` and
 *   by no other page (ID is new on every load). Another tab's read of `session.v1` can be
 *   stale: Chromium gives each tab its own copy of localStorage and passes writes between
 *   them asynchronously, so a tab saving a moment after another can find its own last text
 *   there and write over the other's work without keeping it aside (measured: 1-5% of
 *   reads made right after another tab's write, even after a Playwright round trip). The
 *   copies are the net under that: the next page to start keeps every one that is not the
 *   session it restores aside (offered back) and removes it, while the kept list has room
 *   (adoptTabCopies); the others wait for a later start.
 *
 * What is read back is untrusted (another version of the app, a user's devtools): every
 * field is checked (session-read.ts), the script only ever goes to the parser, and nothing
 * stored is written over unread. A bad step or name gets a default and the restore notice
 * says so; a session another version wrote is kept aside and offered, not restored blindly;
 * one that cannot be read at all is kept under `session.unreadable`.
 */
import { MAX_SCRIPT_CHARS } from '../../scenario/constants';
import { isLinkFragment } from '../talk/link-codec';
import { autoSelect, gotoStep, loadScript, whenIdle } from '../actions';
import { EngineLostError, againAfterEngineLoss, engineStatus } from '../engine-client';
import { GALLERY, defaultScenario } from '../scenarios/gallery';
import { emptySelection, log, store, type UiState } from '../store';
import { count } from '../format';
import { dismiss, notify } from './notices';
import { quietOom } from './oom';
import { clearDraft, draftStore, draftToSave, draftTooLarge, setDraft, setDraftKeeper, type DraftState } from '../script-draft';
import { DEFAULT_SCRIPT_NAME, DEFAULT_VIEW, checkSession, keptJson, readSessionText, versionWords, type SavedSession, type SavedView } from './session-read';

const KEY = 'mshare-explorer.session.v1';
const PREVIOUS_KEY = 'mshare-explorer.session.previous';
const RESTORING_KEY = 'mshare-explorer.session.restoring';
/** A stored session this version could not read at all (not JSON, no script), as it was. */
const UNREADABLE_KEY = 'mshare-explorer.session.unreadable';
/** Each page's own copy of its session (see the keys above); this page's is OWN_KEY. */
const TAB_PREFIX = 'mshare-explorer.session.tab.';
const OWN_KEY = TAB_PREFIX + Date.now().toString(36) + Math.random().toString(36).slice(2, 8);
/** Saves wait this long after the last change (a run to the end changes the position 60 times a second). */
export const SAVE_DEBOUNCE_MS = 400;

export type { SavedSession, SavedView };

function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null; // storage disabled
  }
}

/** Parses a stored session; null when absent or holding no script (session-read.ts). */
export function parseSession(text: string | null): SavedSession | null {
  return readSessionText(text)?.session ?? null;
}

export function readSession(key = KEY): SavedSession | null {
  return parseSession(storage()?.getItem(key) ?? null);
}

// ------------------------------------------------------------------ sessions kept aside

/** At most this many sessions are kept aside (each up to a 1 MiB script). */
const MAX_KEPT = 3;

/** The sessions kept aside, newest first. (Older versions stored one session, not a list.) */
export function readKept(): SavedSession[] {
  const text = storage()?.getItem(PREVIOUS_KEY) ?? null;
  if (!text || text.length > MAX_SCRIPT_CHARS * 3 * MAX_KEPT) return [];
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch {
    return [];
  }
  const list = Array.isArray(o) ? o : [o];
  return list.map((o) => checkSession(o)?.session ?? null).filter((x): x is SavedSession => x !== null).slice(0, MAX_KEPT);
}

/** Whether the list (or its newest ones, with storage full) was written. */
function writeKept(list: SavedSession[]): boolean {
  const st = storage();
  if (!st) return false;
  if (list.length === 0) {
    st.removeItem(PREVIOUS_KEY);
    return true;
  }
  // Storage full: drop the oldest until it fits; the newest is the one just kept.
  for (let n = list.length; n > 0; n--) {
    try {
      st.setItem(PREVIOUS_KEY, keptJson(list.slice(0, n)));
      return true;
    } catch {
      /* try with fewer */
    }
  }
  return false;
}

/** Whether two sessions hold the same work: script and draft (the step and view may differ). */
function sameWork(a: SavedSession, b: SavedSession): boolean {
  return a.source === b.source && a.draft === b.draft;
}

/** Keeps `s` aside (newest first; an older copy of the same script goes); false if storage refused. */
function keepAside(s: SavedSession): boolean {
  return writeKept([s, ...readKept().filter((k) => !sameWork(k, s))].slice(0, MAX_KEPT));
}

/** Keeps a stored session that could not be read at all, as it was; false if storage refused. */
function keepUnreadable(text: string): boolean {
  try {
    storage()?.setItem(UNREADABLE_KEY, text);
    return true;
  } catch {
    return false;
  }
}

/**
 * Keeps what is stored under KEY before this page writes over it, when it is not what this page
 * read or wrote last (`known`): a session another tab saved with another script, or one
 * another version wrote, is kept aside; text that is no session at all goes to UNREADABLE_KEY.
 * False when it could not be kept: the caller must not write over it.
 */
function keepStored(there: string | null, sourceNow: string): boolean {
  if (there === null || there === known) return true;
  const other = readSessionText(there);
  if (!other) return keepUnreadable(there);
  if (other.foreign || (isWork(other.session) && other.session.source !== sourceNow)) return keepAside(other.session);
  return true;
}

/** The session the page shows now, as it would be saved. */
export function currentSession(): SavedSession {
  return capture(store.getState());
}

/** The notice offering the newest kept session back, while one is shown. */
let offerId: number | null = null;

/**
 * Offers the newest kept session back: a notice that stays until dismissed, restored or
 * forgotten (dismissed, it comes back on the next visit while the session is kept).
 */
setDraftKeeper(() => {
  keepAside(currentSession());
  offerKept('Your unrun draft is kept', 'The script you loaded replaced the Script tab\'s draft; restore it to get the draft back.');
});

function offerKept(title?: string, text?: string): void {
  const kept = readKept();
  if (offerId !== null) dismiss(offerId);
  offerId = null;
  const prev = kept[0];
  if (!prev) return;
  const more = kept.length > 1 ? ` ${count(kept.length - 1)} older ${kept.length === 2 ? 'one is' : 'ones are'} kept too.` : '';
  offerId = notify({
    kind: 'session',
    title: title ?? 'A previous session is kept',
    text: (text ?? `Your script ${prev.scriptName || ''} (at step ${count(prev.position)}) was put aside.`) + more,
    actions: [
      { label: 'Restore it', run: () => restorePrevious() },
      { label: 'Forget it', run: () => forgetPrevious() },
    ],
    ttl: 0,
  });
}

/**
 * Keeps `before` (what the page showed before a link replaced it) aside and offers it back,
 * unless it is an untouched built-in or the page still shows the same script.
 */
export function keepReplaced(before: SavedSession, title = 'Opened a link; your previous session is kept'): void {
  if (!isWork(before) || sameWork(before, currentSession())) return;
  keepAside(before);
  offerKept(title);
}

/** Forgets the newest kept session (and offers the next one, if any). */
export function forgetPrevious(): void {
  writeKept(readKept().slice(1));
  offerKept();
}

// ------------------------------------------------------------------ the address bar

/**
 * Query keys that say what to open (a built-in, a step, presenter mode with its views, a
 * play): a reload that finds one opens it instead of restoring the session. `embed` is not
 * here: an embedded page never saves a session, and its URL is never changed.
 */
const LINK_KEYS = ['scenario', 'step', 'present', 'views', 'autoplay', 'loop', 'caption'];
/** The script the address bar's link or query opened, while the page still shows it. */
let urlSource: string | null = null;
let urlWatch: (() => void) | null = null;

/**
 * The address bar describes what the page shows now (after opening the URL's link or query,
 * after Share). Once the script changes (the gallery, a loaded or restored script, a console
 * line), the link is taken out of the address bar (clearLinkFromUrl): otherwise a reload
 * opened the stale link again and put the work aside instead of restoring it. `?present`
 * goes too: kept, it counts as a link and the reload would open a built-in in presenter mode.
 */
export function urlShowsCurrent(): void {
  urlSource = store.getState().source;
  urlWatch ??= store.subscribe((s) => {
    if (urlSource === null || s.source === urlSource) return;
    urlSource = null;
    clearLinkFromUrl();
  });
}

/** Stops following the address bar (a link is being opened: its load must not clear it). */
export function urlOpening(): void {
  urlSource = null;
}

/** Takes a link fragment and the query keys that open something out of the address bar. */
export function clearLinkFromUrl(): void {
  const url = new URL(location.href);
  if (url.searchParams.has('embed')) return;
  let changed = false;
  for (const k of LINK_KEYS) {
    if (url.searchParams.has(k)) {
      url.searchParams.delete(k);
      changed = true;
    }
  }
  if (isLinkFragment(url.hash)) {
    url.hash = '';
    changed = true;
  }
  if (changed) history.replaceState(history.state, '', url);
}

function capture(s: UiState): SavedSession {
  const out: SavedSession = {
    v: 1,
    source: s.source,
    scriptName: s.scriptName,
    position: s.position,
    view: { speed: s.speed, animations: s.animations, rightTab: s.rightTab, pid: s.selection.pid, compare: s.compare },
    savedAt: Date.now(),
  };
  // A draft past the parser's limit could not be read back: the last one that fit is saved.
  const d = draftToSave(draftStore.getState(), s.source);
  if (d) {
    out.draft = d.text;
    if (d.name) out.draftName = d.name;
  }
  return out;
}

// ------------------------------------------------------------------ saving

let armed = false;
let timer: ReturnType<typeof setTimeout> | null = null;
let lastSaved = '';
let warnedFull = false;
/**
 * The stored text this page last read (at boot) or wrote under KEY. Anything else found
 * there when saving was written by another tab of this origin since.
 */
let known: string | null = null;

/**
 * Writes the session now (if there is one worth saving and it changed).
 *
 * Two tabs share the one key. Before writing, the key is read back: if another tab saved a
 * different script there since this page last read or wrote it, that session is kept aside
 * (keepAside, offered back on the next visit) instead of being overwritten. The key then holds
 * the session saved last, and the other tab's latest one is kept: with two tabs at work, a
 * reload of either restores one and offers the other, and nothing is lost. (Simpler than a
 * key per tab, which would need pruning of tabs that are gone.) The same goes for what this
 * page found at boot and could not restore as it was (keepStored): another version's session,
 * or text that is no session. If it cannot be kept, the key is not written.
 */
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
    const st = storage();
    if (!keepStored(st?.getItem(KEY) ?? null, s.source)) throw new Error('the stored session could not be kept aside');
    st?.setItem(KEY, text);
    known = text;
    lastSaved = key;
    writeOwnCopy(text);
  } catch {
    if (!warnedFull) {
      warnedFull = true;
      notify({ kind: 'session', title: 'Your session could not be saved', text: 'The browser refused to store it (storage full or disabled). The explorer works as before, but a reload starts fresh.', ttl: 15_000 });
    }
  }
}

/**
 * Writes this page's own copy of its session (see TAB_PREFIX). Best effort: the session
 * itself is saved already, and a copy storage refuses only narrows the net for a race.
 */
function writeOwnCopy(text: string): void {
  const st = storage();
  try {
    st?.setItem(OWN_KEY, text);
  } catch {
    // Storage full: the session under KEY stands; an older copy would be offered back later
    // as if it were other work, so it goes.
    st?.removeItem(OWN_KEY);
  }
}

/** The keys of every page's own copy, this page's included. */
function tabCopyKeys(st: Storage): string[] {
  const keys: string[] = [];
  for (let i = 0; i < st.length; i++) {
    const k = st.key(i);
    if (k !== null && k.startsWith(TAB_PREFIX)) keys.push(k);
  }
  return keys;
}

/**
 * At boot: every other page's own copy (a tab still open, or one closed or reloaded) that is
 * not `current` (the session this page restores or keeps) is kept aside, oldest first so the
 * newest is offered first; then its key goes. A copy that cannot be kept stays where it is,
 * safe, for a later start: one the kept list has no room for (taking it would push out a kept
 * session, which is stored nowhere else), and one this version cannot read (UNREADABLE_KEY has
 * room for one text, which it may hold already: review 22).
 */
function adoptTabCopies(current: SavedSession | null): void {
  const st = storage();
  if (!st) return;
  const copies = tabCopyKeys(st)
    .filter((k) => k !== OWN_KEY)
    .map((key) => ({ key, session: readSessionText(st.getItem(key))?.session }))
    .filter((c): c is { key: string; session: SavedSession } => c.session !== undefined)
    .sort((a, b) => a.session.savedAt - b.session.savedAt);
  for (const { key, session: s } of copies) {
    let kept: boolean;
    if (!isWork(s) || (current && sameWork(current, s))) kept = true;
    else {
      const list = readKept();
      kept = list.some((k) => sameWork(k, s)) || (list.length < MAX_KEPT && keepAside(s));
    }
    if (kept) st.removeItem(key);
  }
}

/** The notice that the Script tab's draft is too large to save, while it is. */
let tooLargeId: number | null = null;

/** Says at once that the draft has grown past the limit (and takes that back once it fits). */
function sayDraftTooLarge(d: DraftState): void {
  if (tooLargeId !== null) dismiss(tooLargeId);
  tooLargeId = null;
  if (!draftTooLarge(d.text)) return;
  const fit = d.lastFit && d.lastFit.text !== store.getState().source ? `the last draft that fit (${count(d.lastFit.text.length)} characters)` : 'the script without this draft';
  tooLargeId = notify({
    kind: 'session',
    title: 'Your draft is too large to save',
    text: `It has ${count(d.text!.length)} characters, over the 1 MiB script limit (${count(MAX_SCRIPT_CHARS)}): it cannot run or be saved. The session keeps ${fit}; a reload brings that back.`,
    ttl: 0,
  });
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
  const unsubDraft = draftStore.subscribe((s, p) => {
    if (s.text !== p.text || s.name !== p.name) schedule();
    if (draftTooLarge(s.text) !== draftTooLarge(p.text)) sayDraftTooLarge(s);
  });
  const unsubStore = unsubscribe;
  unsubscribe = () => {
    unsubStore();
    unsubDraft();
  };
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
  // A worker failure during the load (at boot, nobody to redo it): loaded again once rebuilt.
  const ok = await againAfterEngineLoss(() => loadScript(s.source, s.scriptName || DEFAULT_SCRIPT_NAME, false), (e) => log('err', `${e.message}; the engine was restarted and your script is loaded again`));
  if (!ok) return false;
  restoreDraft(s);
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

/** Puts a saved draft back in the Script tab (its hint says it has not run). */
function restoreDraft(s: SavedSession): void {
  if (s.draft !== undefined) setDraft(s.draft, s.draftName ?? null);
  else clearDraft();
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
  return s.draft !== undefined || !GALLERY.some((g) => g.source === s.source);
}

/**
 * At boot: restore the saved session unless the URL asks for something (a link: built-in,
 * permalink, presenter or embed mode). Returns whether it restored one (else the caller
 * opens what the URL says, or the default scenario). Saving is armed afterwards, except in
 * embed mode: a view embedded in slides must not replace the user's own session.
 */
export async function resumeSession(req = linkRequest()): Promise<boolean> {
  const st = storage();
  const raw = st?.getItem(KEY) ?? null;
  const reading = readSessionText(raw);
  const saved = reading?.session ?? null;
  const unfinished = st?.getItem(RESTORING_KEY) ?? null;
  try {
    if (req.embed) return false;
    adoptTabCopies(saved);
    // This page's starting point, once what cannot be restored as it is has been kept:
    // overwriting it then loses nothing. (Not kept, `known` stays null and saveNow tries again.)
    if (raw === null || (reading && !reading.foreign)) known = raw;
    if (raw !== null && !reading) {
      if (keepUnreadable(raw)) known = raw;
      notUnderstood();
      offerKept();
      return false;
    }
    if (!reading || !saved) {
      offerKept();
      return false;
    }
    if (reading.foreign) {
      if (keepAside(saved)) known = raw;
      offerKept(
        'Your session was saved by another version',
        `${saved.scriptName || 'Your script'} (at step ${count(saved.position)}) was saved by ${versionWords(saved.v)}, so this one did not open it. It is kept as it was: Restore it opens the script here. ${req.link ? 'The link is opened instead.' : 'The default scenario is loaded instead.'}`,
      );
      return false;
    }
    if (req.link) {
      // A link wins, but the work it replaces is kept aside and offered back.
      if (isWork(saved)) {
        keepAside(saved);
        offerKept('Opened a link; your previous session is kept');
      } else offerKept();
      return false;
    }
    const repaired = reading.repaired.length ? ` ${reading.repaired.join(' ')}` : '';
    if (unfinished !== null) {
      st?.removeItem(RESTORING_KEY);
      const ok = await restore(saved, false);
      if (ok) {
        notify({
          kind: 'session',
          title: 'Your script is back, at step 0',
          text: `Last time, replaying it to step ${count(saved.position)} did not finish (the tab may have run out of memory), so it was not replayed this time.${repaired}`,
          actions: [
            { label: `Go to step ${count(saved.position)}`, run: () => gotoStep(saved.position) },
            { label: 'Start fresh', run: () => startFresh() },
          ],
        });
        offerKept();
      } else notLoaded(saved);
      return ok;
    }
    const ok = await restore(saved, true);
    if (ok) {
      log('info', `restored your session: ${saved.scriptName} at step ${count(store.getState().position)}`);
      // 30 s, as the other notice with a button (8 s was short to reach Start fresh with the
      // keyboard); it stays while the focus or the pointer is in it (Notices.tsx).
      notify({ kind: 'session', title: 'Restored your session', text: `${saved.scriptName || 'Your script'} at step ${count(store.getState().position)}, with your view settings.${repaired}`, actions: [{ label: 'Start fresh', run: () => startFresh() }], ttl: 30_000 });
      offerKept();
    } else notLoaded(saved);
    return ok;
  } finally {
    if (!req.embed) armAutosave();
  }
}

/** The stored session was no session at all (not JSON, no script): say so, and where it is kept. */
function notUnderstood(): void {
  notify({
    kind: 'session',
    title: 'Your saved session could not be read',
    text: `What was stored is not a session this version of the explorer can read, so the default scenario is loaded. It is not written over: it is kept in this browser's storage as ${UNREADABLE_KEY}.`,
    ttl: 30_000,
  });
}

/**
 * The saved session did not load (its script no longer parses, or asks for a machine the
 * browser refuses): keep it aside, say why, and offer it back (Restore it opens it in the
 * Script tab with its errors). The caller loads the default scenario.
 */
function notLoaded(saved: SavedSession): void {
  const first = store.getState().scriptErrors[0];
  const why = first ? ` (line ${first.line}:${first.col}: ${first.message})` : '';
  keepAside(saved);
  offerKept(
    'Your saved script did not load',
    `${saved.scriptName || 'It'} no longer loads${why}. It is kept: Restore it opens it in the Script tab to fix it. The default scenario is loaded instead.`,
  );
}

/**
 * Brings back the newest kept session. What the page showed is kept aside in its place
 * (unless it is an untouched built-in), so restoring loses nothing either. A script that
 * does not load is put in the Script tab with its errors, to be fixed and run from there.
 */
export async function restorePrevious(): Promise<void> {
  const [prev, ...rest] = readKept();
  if (!prev) return;
  const now = currentSession();
  writeKept(rest);
  if (!(await restore(prev, true))) {
    store.setState({ source: prev.source, scriptName: prev.scriptName || DEFAULT_SCRIPT_NAME, consoleTab: 'script' });
    if (prev.draft !== undefined) setDraft(prev.draft, prev.draftName ?? null);
    log('info', `${prev.scriptName || 'the kept script'} does not load: it is in the Script tab, with its errors`);
  }
  if (isWork(now) && !sameWork(now, prev)) {
    keepAside(now);
    offerKept('The script you had is kept', `${now.scriptName || 'Your script'} (at step ${count(now.position)}) was put aside in its place.`);
  } else offerKept();
}

/** Forgets the saved session and view settings and loads the default scenario. */
export async function startFresh(): Promise<void> {
  disarm();
  const st = storage();
  for (const k of [KEY, PREVIOUS_KEY, RESTORING_KEY, UNREADABLE_KEY, ...(st ? tabCopyKeys(st) : [])]) st?.removeItem(k);
  known = null;
  clearDraft();
  if (offerId !== null) dismiss(offerId);
  offerId = null;
  applyView(DEFAULT_VIEW);
  const entry = defaultScenario();
  // A link left in the address bar (a broken one too) would otherwise open again on reload.
  urlOpening();
  clearLinkFromUrl();
  await loadScript(entry.source, `${entry.id}.msh`);
  log('info', 'started fresh: the saved session is forgotten');
  armAutosave();
}

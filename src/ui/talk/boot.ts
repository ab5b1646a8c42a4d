/**
 * What the page opens with. URL formats (query and fragment combine):
 *
 *   /                                   the default scenario (the mshare basics), run to the end
 *   /?scenario=ID                       a built-in scenario, run to the end
 *   /#v=1&z=PAYLOAD                     a permalink (permalink.ts): script, step, machine, views
 *   /?step=N                            start at step N instead of the end
 *   /?present                           open in presenter mode (with &views=tree,chart)
 *   /?embed&views=tree,chart            embed mode: only these views, no chrome, keys step
 *   /?embed&autoplay=4[&loop]           ... and play at 4 steps/s from step 0 (or &step=N)
 *   /?embed&caption                     ... with the chapter/note caption above the views
 *
 * A bad link (corrupt, too large, newer format, a script that does not parse, an unknown
 * ?scenario= name) shows a notice and opens the default scenario; so does a bad ?step= or
 * ?autoplay= (ignored or brought into range) and a third presenter view (left out). Pasted
 * into the address bar of an open page, a bad link leaves the page as it is, and a good one
 * keeps the script it replaces aside (offered back). Links are only decoded and parsed,
 * never executed.
 */
import { gotoStep, loadScript, pause, play } from '../actions';
import { log, store } from '../store';
import { defaultScenario, findScenario } from '../scenarios/gallery';
import { isLinkFragment } from './link-codec';
import { openFragment } from './permalink';
import { travel } from './navigation';
import { notify, talkStore } from './talk-store';
import { DEFAULT_PAIR } from './views';
import { readStartOptions, startOptionProblems } from './url-options';
import { packViews } from './pack';
import { clearLinkFromUrl, currentSession, keepReplaced, urlOpening, urlShowsCurrent } from '../persist/session';

/** Adds `text` to the link notice (a bad ?scenario= and a bad ?step= are both reported). */
function warn(text: string): void {
  const now = talkStore.getState().notice;
  notify('error', now ? `${now.text} ${text}` : text);
}

async function loadBuiltin(wanted: string | null, run: boolean): Promise<void> {
  const entry = (wanted && findScenario(wanted)) || defaultScenario();
  if (wanted && !findScenario(wanted)) {
    // A mistyped ?scenario= is a bad link too: the same banner, not just a console line.
    const shown = wanted.length > 60 ? `${wanted.slice(0, 60)}…` : wanted;
    notify('error', `No built-in scenario named '${shown}'; opened the default (${entry.title}) instead.`);
    log('err', `no built-in scenario "${shown}"; running ${entry.id}`);
  }
  await loadScript(entry.source, `${entry.id}.msh`, run);
}

let autoplayToken = 0;

/** Plays from the current step to the end at `speed` steps/s; with `loop`, again from `from`. */
export async function autoplay(speed: number, loop: boolean, from: number): Promise<void> {
  const token = ++autoplayToken;
  store.setState({ speed });
  for (;;) {
    await play();
    const s = store.getState();
    // Stopped by a key or by hand (not at the end), or another autoplay took over.
    if (!loop || token !== autoplayToken || s.position < s.total) return;
    await new Promise((r) => setTimeout(r, 2500));
    if (token !== autoplayToken || store.getState().position < store.getState().total) return;
    await gotoStep(from);
  }
}

export function stopAutoplay(): void {
  autoplayToken++;
  pause();
}

/** Opens what the URL asks for. Called once, after the engine started. */
export async function openInitialScenario(): Promise<void> {
  const o = readStartOptions(location.search);
  if (o.embed) talkStore.setState({ mode: 'embed', views: o.views.length ? o.views : ['tree'], caption: o.caption, autoplay: o.autoplay });
  // Where to start: the link's step, else the end (`step` and `autoplay` override both).
  const start = o.step ?? (o.autoplay !== null ? 0 : null);
  let opened = false;
  if (isLinkFragment(location.hash)) {
    opened = await openFragment(location.hash, {
      ...(o.embed ? { mode: 'embed' as const } : o.present ? { mode: 'presenter' as const } : {}),
      ...(o.views.length ? { views: o.views } : {}),
      ...(start !== null ? { step: start } : {}),
    });
  }
  if (!opened) {
    // Presenter and embed mode walk the timeline marker by marker (the chart gets a point at
    // each chapter and note); the desk layout runs it in one go, as it always did.
    const talk = o.present || o.embed;
    await loadBuiltin(o.scenario, start === null && !talk);
    if (start !== null) await travel(start);
    else if (talk) await travel(store.getState().total);
    if (o.present) {
      const name = store.getState().scriptName.replace(/\.msh$/, '');
      talkStore.setState({ mode: 'presenter', views: o.views.length ? o.views : packViews(name) ?? [...DEFAULT_PAIR] });
    }
  }
  for (const p of startOptionProblems(location.search)) warn(p);
  // The address bar now says what the page shows; it is cleared once that changes.
  if (!o.embed) urlShowsCurrent();
  if (o.autoplay !== null) void autoplay(o.autoplay, o.loop, start ?? 0);
}

/**
 * A link pasted into the address bar of an open page (a hashchange): opened as at load, with
 * what boot does for the work it replaces: the script the page showed is kept aside and
 * offered back (session.ts keepReplaced). A link that cannot be opened (damaged, or its
 * script does not load) leaves the page as it is, says so, and leaves the address bar.
 * Installed with the keys (App), so it works however the page started (a restored session too).
 */
export function installLinkListener(): () => void {
  let opening: Promise<void> = Promise.resolve();
  const open = async () => {
    if (!isLinkFragment(location.hash)) return;
    const embed = talkStore.getState().mode === 'embed';
    const before = currentSession();
    urlOpening();
    const ok = await openFragment(location.hash, { pasted: true });
    // Kept even when the link failed after its script loaded (its machine, its step).
    if (!embed) keepReplaced(before);
    if (ok) {
      if (!embed) urlShowsCurrent();
    } else if (!embed) clearLinkFromUrl();
  };
  // One at a time: a second paste waits for the first to be opened.
  const on = () => {
    opening = opening.then(open, open);
  };
  window.addEventListener('hashchange', on);
  return () => window.removeEventListener('hashchange', on);
}

/**
 * Permalinks: the page's state as a link (link-codec.ts does the bytes), and opening one.
 *
 * URL format: `ORIGIN/PATH#v=1&z=PAYLOAD` (see link-codec.ts). The payload holds the script,
 * its file name, the step, the machine settings and the views (mode, presenter views, right
 * tab, selected and compared process, walked address). Opening a link loads the script at
 * step 0, rebuilds the machine if the settings differ from the script's `machine` line,
 * replays to the step and restores the views: the same state digest as where it was made.
 */
import { loadScript, restartMachine } from '../actions';
import { travel } from './navigation';
import { store, type RightTab } from '../store';
import { decodeLink, encodeLink, LINK_FALLBACK, LinkError, linkErrorMessage, type LinkMachine, type LinkState } from './link-codec';
import { urlShowsCurrent } from '../persist/session';
import { notify, talkStore, type TalkMode } from './talk-store';
import { isTalkView, type TalkViewId } from './views';

/** The state to put in a link now. */
export function currentLinkState(): LinkState {
  const s = store.getState();
  const t = talkStore.getState();
  const c = s.snapshot?.config;
  const state: LinkState = {
    script: s.source,
    name: s.scriptName || undefined,
    step: s.position,
    views: {
      mode: t.mode === 'presenter' ? 'presenter' : 'normal',
      views: [...t.views],
      tab: s.rightTab,
      pid: s.selection.pid,
      compare: s.compare,
      addr: s.selection.addr,
    },
  };
  if (!state.name) delete state.name;
  if (c) state.machine = { ram: c.ram, cpus: c.cpus, levels: c.levels, mshare: c.mshare, tlb: c.tlb, pcid: c.pcid, ...(c.pti ? { pti: true } : {}), ...(c.shmemThp && c.shmemThp !== 'never' ? { shmemThp: c.shmemThp } : {}) };
  return state;
}

/** The page's URL without query or fragment. */
export function baseUrl(): string {
  return location.origin + location.pathname;
}

/** The full link to the current state; throws LinkError('too-large') for very long scripts. */
export async function makeLink(): Promise<string> {
  return `${baseUrl()}#${await encodeLink(currentLinkState())}`;
}

/** The link with `?embed&views=...` for an iframe in slides. */
export async function makeEmbedLink(views: TalkViewId[]): Promise<string> {
  return `${baseUrl()}?embed&views=${views.join(',')}#${await encodeLink(currentLinkState())}`;
}

/** Builds the link, puts it in the address bar and copies it; the Share popover shows the outcome. */
export async function share(): Promise<string | null> {
  let link: string;
  try {
    link = await makeLink();
  } catch (e) {
    const message = e instanceof LinkError ? e.message : `The link could not be made: ${String(e)}`;
    talkStore.setState({ share: { link: '', copied: false, error: message } });
    return null;
  }
  // replaceState fires no hashchange: the page keeps its state, the address bar shows the link.
  history.replaceState(null, '', link);
  // Until the script changes: then the link leaves the address bar, so a reload restores
  // the session rather than this older state.
  urlShowsCurrent();
  let copied = false;
  try {
    await navigator.clipboard.writeText(link);
    copied = true;
  } catch {
    /* no clipboard permission (or not focused): the popover shows the link to copy by hand */
  }
  talkStore.setState({ share: { link, copied } });
  return link;
}

function sameMachine(a: LinkMachine, b: LinkMachine): boolean {
  return a.ram === b.ram && a.cpus === b.cpus && a.levels === b.levels && a.mshare === b.mshare && a.tlb === b.tlb && a.pcid === b.pcid && !!a.pti === !!b.pti && (a.shmemThp ?? 'never') === (b.shmemThp ?? 'never');
}

export interface OpenOptions {
  mode?: TalkMode;
  views?: TalkViewId[];
  step?: number;
  /**
   * A link pasted into the address bar of an open page: one that cannot be opened leaves the
   * page as it is (its messages say so), where one opened at load falls back to the default.
   */
  pasted?: boolean;
}

/** A link's message, ending as the caller goes on (the default scenario, or the page left as it is). */
function linkMessage(text: string, pasted = false): string {
  return pasted && text.endsWith(LINK_FALLBACK) ? text.slice(0, -LINK_FALLBACK.length) + ' Your script is unchanged.' : text;
}

/**
 * Rebuilds the state a link describes. Returns false (after a notice) when its script does
 * not load; the page is then as it was (the caller loads the default scenario at boot).
 */
export async function applyLink(state: LinkState, opts: OpenOptions = {}): Promise<boolean> {
  const name = state.name && /\.msh$/.test(state.name) ? state.name : `${state.name || 'link'}.msh`;
  const errorsBefore = store.getState().scriptErrors;
  const ok = await loadScript(state.script, name, false);
  if (!ok) {
    const first = store.getState().scriptErrors[0];
    // The errors are the link's script's, not the page's: the Script tab keeps showing the
    // page's script, so it keeps its own errors (the console lists the link's).
    store.setState({ scriptErrors: errorsBefore });
    notify('error', linkMessage(`The script in this link does not parse${first ? ` (line ${first.line}:${first.col}: ${first.message})` : ''}.${LINK_FALLBACK}`, opts.pasted));
    return false;
  }
  const c = store.getState().snapshot?.config;
  if (state.machine && c && !sameMachine(c, state.machine)) await restartMachine(state.machine);
  await travel(Math.min(opts.step ?? state.step, store.getState().total));
  const v = state.views ?? {};
  const snap = store.getState().snapshot;
  const alive = (pid: number | null | undefined): pid is number => pid != null && !!snap?.tasks.some((t) => t.pid === pid);
  const patch: Partial<ReturnType<typeof store.getState>> = {};
  if (v.tab) patch.rightTab = v.tab as RightTab;
  if (alive(v.pid)) {
    const task = snap!.tasks.find((t) => t.pid === v.pid)!;
    patch.selection = { ...store.getState().selection, pid: task.pid, mm: task.mm || null, addr: v.addr ?? null };
  }
  if (v.compare === null || alive(v.compare)) patch.compare = v.compare ?? null;
  store.setState(patch);
  const mode = opts.mode ?? (v.mode === 'presenter' ? 'presenter' : 'normal');
  // Presenter mode shows at most two views (embed mode more).
  const views = (opts.views ?? (v.views ?? []).filter(isTalkView)).slice(0, mode === 'presenter' ? 2 : undefined);
  talkStore.setState({ mode, ...(views.length ? { views } : {}) });
  return true;
}

/** Decodes and opens a link fragment; on any failure shows the reason and returns false. */
export async function openFragment(hash: string, opts: OpenOptions = {}): Promise<boolean> {
  talkStore.setState({ notice: null });
  const res = await decodeLink(hash);
  if (!res.ok) {
    notify('error', linkMessage(res.error.message, opts.pasted));
    return false;
  }
  const before = store.getState().source;
  try {
    const ok = await applyLink(res.state, opts);
    if (ok && res.warnings?.length) notify('error', res.warnings.join(' '));
    return ok;
  } catch (e) {
    const text = linkErrorMessage('invalid', String(e instanceof Error ? e.message : e));
    // Failed after its script loaded: the page's script was replaced (and is kept aside).
    const replaced = opts.pasted && store.getState().source !== before;
    notify('error', replaced ? text.slice(0, -LINK_FALLBACK.length) + ' Your script was put aside (see the notice to restore it).' : linkMessage(text, opts.pasted));
    return false;
  }
}

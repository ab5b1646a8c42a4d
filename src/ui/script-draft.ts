/**
 * The Script tab's unrun draft: its text while it differs from the script that was last loaded
 * (store.source), and the name it will run under. A small store of its own, so the session
 * (src/ui/persist/session.ts) can save it with the rest and put it back after a reload: edits
 * typed in the Script tab, or a file opened that did not parse, used to be lost on reload.
 *
 * The Script tab shows the draft, when there is one, instead of the script, with the hint
 * "Draft: not run yet" (Run / Discard). Running it (it then is the script) or discarding it
 * clears it; a console line or a toolbar action does not (the draft stays, the hint says the
 * script has moved on, and Discard shows it).
 *
 * A draft past the parser's limit (MAX_SCRIPT_CHARS) cannot run, and a session holding it
 * could not be read back: the session saves the last draft that fit instead (`lastFit`), and
 * the Script tab and a notice say at once that the draft is too large to save. (It used to be
 * left out of the session silently, and the earlier, small draft with it.)
 */
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import { MAX_SCRIPT_CHARS } from '../scenario/constants';

export interface DraftState {
  /** The draft's text, or null when the Script tab shows the script itself. */
  text: string | null;
  /** The name it runs under (an opened file's name), or null: the script's own or script.msh. */
  name: string | null;
  /** The latest draft of this editing that fit the limit, or null: what the session saves. */
  lastFit: { text: string; name: string | null } | null;
}

export const draftStore = createStore<DraftState>(() => ({ text: null, name: null, lastFit: null }));

/** A draft too large to run or to save (the parser's limit). */
export function draftTooLarge(text: string | null): boolean {
  return text !== null && text.length > MAX_SCRIPT_CHARS;
}

/**
 * The draft a session saves with script `source`: the Script tab's, or while that is too
 * large, the last one that fit; none when it is the script itself.
 */
export function draftToSave(d: DraftState, source: string): { text: string; name: string | null } | null {
  const keep = d.text === null ? null : draftTooLarge(d.text) ? d.lastFit : { text: d.text, name: d.name };
  return keep && keep.text !== source ? keep : null;
}

export function useDraft<T>(pick: (s: DraftState) => T): T {
  return useStore(draftStore, pick);
}

export function setDraft(text: string, name: string | null = draftStore.getState().name): void {
  draftStore.setState({ text, name, lastFit: draftTooLarge(text) ? draftStore.getState().lastFit : { text, name } });
}

export function clearDraft(): void {
  const d = draftStore.getState();
  if (d.text !== null || d.name !== null || d.lastFit !== null) draftStore.setState({ text: null, name: null, lastFit: null });
}

let keeper: (() => void) | null = null;

/** The session module registers how an unrun draft is kept aside (and offered back). */
export function setDraftKeeper(keep: () => void): void {
  keeper = keep;
}

/**
 * A load is about to replace the script with `source` (a built-in from the gallery, a link, a
 * test-API load, an Undo): an unrun draft other than `source` is kept aside with the session
 * it belongs to, and cleared once the load succeeded (`loaded`). It had stayed in the Script
 * tab over the new script, and its Run threw the new script away.
 */
export function replacingScript(source: string): (loaded: boolean) => void {
  const text = draftStore.getState().text;
  if (text === null || text === source) return () => {};
  keeper?.();
  return (loaded) => {
    if (loaded) clearDraft();
  };
}


/**
 * Open script…: a file chosen in the Script tab or dropped on the console panel is read as
 * UTF-8 text and loaded as a script pasted in the Script tab is. It goes into the Script tab
 * as a draft first and then runs; a script that does not parse stays there with its errors
 * (FILE:LINE:COL, the file's name as FILE) and the session runs on as it was. A binary or too
 * large file is refused with an error of the same form before anything is loaded (the CLI
 * refuses it the same way: src/scenario/script-file.ts). A script
 * that loads replaces the session, which is kept aside and offered back (keepReplaced).
 */
import { MAX_SCRIPT_CHARS } from '../scenario/constants';
import { decodeScriptFile } from '../scenario/script-file';
import { loadScript } from './actions';
import { log, store } from './store';
import { clearDraft, setDraft } from './script-draft';
import { currentSession, keepReplaced } from './persist/session';
import { visibleControls } from './visible';

/** Longest name kept (a saved session's scriptName is at most 200 characters). */
const MAX_NAME = 120;

/** The file's name as the script's name: controls made visible, a very long one cut. */
export function scriptFileName(file: { name: string }): string {
  const n = visibleControls(file.name.trim() || 'script.msh');
  return n.length > MAX_NAME ? `${n.slice(0, MAX_NAME - 1)}…` : n;
}

/** Opens `file` as the script; resolves to whether it loaded. Never throws at the user. */
export async function openScriptFile(file: File): Promise<boolean> {
  const name = scriptFileName(file);
  const refuse = (line: number, col: number, message: string): false => {
    store.setState({ scriptErrors: [{ file: name, line, col, message }], consoleTab: 'script' });
    log('err', `${name}:${line}:${col}: ${message}`);
    return false;
  };
  log('info', `opening ${name}`);
  let bytes: Uint8Array;
  try {
    bytes = file.size > MAX_SCRIPT_CHARS * 3 ? new Uint8Array(0) : new Uint8Array(await file.arrayBuffer());
  } catch (e) {
    return refuse(1, 1, `the file could not be read (${e instanceof Error ? e.message : String(e)})`);
  }
  const got = decodeScriptFile(bytes, file.size);
  if (!('text' in got)) return refuse(got.line, got.col, got.message);
  const before = currentSession();
  // In the Script tab first: if it does not parse, it stays there, with its errors.
  setDraft(got.text, name);
  store.setState({ consoleTab: 'script' });
  const ok = await loadScript(got.text, name, true);
  if (!ok) {
    // The file's text took the place of a draft in the Script tab: keep that draft aside.
    if (before.draft !== undefined) keepReplaced(before, 'Your previous draft is kept');
    return false;
  }
  clearDraft();
  keepReplaced(before, `Opened ${name}; your previous session is kept`);
  return true;
}

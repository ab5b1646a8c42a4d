/**
 * Reading a stored session back (src/ui/persist/session.ts): pure, so tests/ui checks it in Node.
 *
 * What is read back is untrusted (another version of the app, a user's devtools). The script
 * is what matters: it only ever goes to the parser, and a session whose script is there is
 * never thrown away for another field. A bad step or name gets a default and the reading says
 * so (the restore notice repeats it); bad view settings get their defaults without a word, as
 * they always did. A session another version of the app wrote (`v` other than 1) is read as
 * far as this version can, and marked: it is kept aside and offered, not restored blindly,
 * and it is kept as it was stored, with the fields only that version knows.
 */
import { MAX_SCRIPT_CHARS } from '../../scenario/constants';
import type { RightTab } from '../store';

export interface SavedView {
  speed: number;
  animations: boolean;
  rightTab: RightTab;
  /** The selected and compared processes, by pid. */
  pid: number | null;
  compare: number | null;
}

export interface SavedSession {
  /** 1: this version's format. Another number: what another version wrote (see `original`). */
  v: number;
  source: string;
  scriptName: string;
  position: number;
  view: SavedView;
  savedAt: number;
  /**
   * The Script tab's unrun draft (src/ui/script-draft.ts), when it differs from `source`, and
   * the name it runs under. Restored into the Script tab with "Draft: not run yet".
   */
  draft?: string;
  draftName?: string;
  /** A session another version wrote, as stored: what is kept aside, so it loses nothing. */
  original?: Record<string, unknown>;
}

export interface SessionReading {
  session: SavedSession;
  /** The fields that were bad and what they became, as sentences for the restore notice. */
  repaired: string[];
  /** Written by another version of the app (`v` is not 1): keep it aside, do not restore it. */
  foreign: boolean;
}

export const DEFAULT_VIEW: SavedView = { speed: 4, animations: true, rightTab: 'inspector', pid: null, compare: null };
/** The name a restored script gets when its own is missing or unusable. */
export const DEFAULT_SCRIPT_NAME = 'session.msh';
const MAX_NAME = 200;
const MAX_POSITION = 1e9;
const RIGHT_TABS: readonly RightTab[] = ['inspector', 'walk', 'counters'];

const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= MAX_POSITION;
const isPid = (x: unknown): x is number | null => x === null || isCount(x);

/** A stored session's text, read; null when absent, not JSON or holding no script. */
export function readSessionText(text: string | null): SessionReading | null {
  if (!text || text.length > MAX_SCRIPT_CHARS * 3) return null;
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch {
    return null;
  }
  return checkSession(o);
}

/** The step to restore: a step number as it is; another number rounded into 0..1e9; else 0. */
function readPosition(x: unknown): { position: number; note?: string } {
  if (isCount(x)) return { position: x };
  const position = typeof x === 'number' && Number.isFinite(x) ? Math.min(MAX_POSITION, Math.max(0, Math.round(x))) : 0;
  const was = typeof x === 'number' ? `(${x}) ` : '';
  return { position, note: `Its saved step ${was}was not a step number, so step ${position} was used.` };
}

function readName(x: unknown): { scriptName: string; note?: string } {
  if (typeof x === 'string' && x.length <= MAX_NAME) return { scriptName: x };
  const why = typeof x === 'string' ? `longer than ${MAX_NAME} characters` : 'missing';
  return { scriptName: DEFAULT_SCRIPT_NAME, note: `Its saved name was ${why}, so it is called ${DEFAULT_SCRIPT_NAME}.` };
}

function readView(o: unknown): SavedView {
  const v = (typeof o === 'object' && o !== null ? o : {}) as Record<string, unknown>;
  return {
    speed: typeof v.speed === 'number' && Number.isFinite(v.speed) && v.speed > 0 && v.speed <= 1000 ? v.speed : DEFAULT_VIEW.speed,
    animations: typeof v.animations === 'boolean' ? v.animations : DEFAULT_VIEW.animations,
    rightTab: RIGHT_TABS.includes(v.rightTab as RightTab) ? (v.rightTab as RightTab) : DEFAULT_VIEW.rightTab,
    pid: isPid(v.pid) ? v.pid : null,
    compare: isPid(v.compare) ? v.compare : null,
  };
}

/** A parsed value checked field by field into a fresh SavedSession; null if it holds no script. */
export function checkSession(o: unknown): SessionReading | null {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return null;
  const s = o as Record<string, unknown>;
  if (typeof s.source !== 'string' || s.source.length > MAX_SCRIPT_CHARS) return null;
  const foreign = s.v !== 1;
  const { position, note: positionNote } = readPosition(s.position);
  const { scriptName, note: nameNote } = readName(s.scriptName);
  const session: SavedSession = { v: 1, source: s.source, scriptName, position, view: readView(s.view), savedAt: isCount(s.savedAt) ? s.savedAt : 0 };
  if (typeof s.draft === 'string' && s.draft.length <= MAX_SCRIPT_CHARS && s.draft !== s.source) {
    session.draft = s.draft;
    if (typeof s.draftName === 'string' && s.draftName.length <= MAX_NAME) session.draftName = s.draftName;
  }
  if (foreign) {
    session.v = typeof s.v === 'number' && Number.isFinite(s.v) ? s.v : 0;
    session.original = s;
  }
  return { session, repaired: [positionNote, nameNote].filter((n): n is string => n !== undefined), foreign };
}

/** How a session another version wrote is named in a notice. */
export function versionWords(v: number): string {
  return v > 1 ? 'a newer version of the explorer' : 'another version of the explorer';
}

/** What a list of kept sessions is stored as: another version's ones as they were. */
export function keptJson(list: readonly SavedSession[]): string {
  return JSON.stringify(list.map((s) => s.original ?? s));
}

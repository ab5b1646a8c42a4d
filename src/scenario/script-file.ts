/**
 * Reading a script from a file (the browser's Open script…, `npm run sim FILE`): the same
 * refusal, at the same position, of a file that is not a script's text. Pure: TextDecoder is
 * in both Node and the browser.
 */
import { MAX_SCRIPT_CHARS } from './constants';

/** 1-based line and column of offset `at` in `text`. */
function lineCol(text: string, at: number): { line: number; col: number } {
  const before = text.slice(0, at);
  const nl = before.lastIndexOf('\n');
  return { line: before.split('\n').length, col: at - nl };
}

/**
 * A script file's bytes as text, or why it is refused, in the parser's FILE:LINE:COL terms:
 * over the size limit, not UTF-8, or holding NUL bytes. A binary file would otherwise parse
 * as one "unknown verb '<bytes>'" a line. Shared by the browser's Open script… and the CLI.
 */
export function decodeScriptFile(bytes: Uint8Array, size = bytes.length): { text: string } | { line: number; col: number; message: string } {
  // UTF-8 takes at most 3 bytes per UTF-16 unit: a larger file is over the limit unread.
  if (size > MAX_SCRIPT_CHARS * 3) return { line: 1, col: 1, message: `script is too large: ${size} bytes (at most ${MAX_SCRIPT_CHARS} characters)` };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const lossy = new TextDecoder('utf-8').decode(bytes);
    return { ...lineCol(lossy, Math.max(0, lossy.indexOf('\uFFFD'))), message: 'not a text file: these bytes are not UTF-8 text (a script is plain text, as Export → Script saves it)' };
  }
  const nul = text.indexOf('\0');
  if (nul >= 0) return { ...lineCol(text, nul), message: 'not a text file: it holds NUL bytes (a script is plain text, as Export → Script saves it)' };
  if (text.length > MAX_SCRIPT_CHARS) return { line: 1, col: 1, message: `script is too large: ${text.length} characters (at most ${MAX_SCRIPT_CHARS})` };
  return { text };
}

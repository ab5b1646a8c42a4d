/**
 * Lexical layer of the scenario language: lines into tokens, and words into the typed
 * values SCENARIO.md lists under "Lexical rules" (numbers with size suffixes, ADDR, PROT,
 * FLAGS, names, paths).
 *
 * A line is words separated by blanks, plus `"strings"`. `#` outside a string starts a
 * comment wherever it is (so a note that needs a `#` is written as a quoted string).
 * Colons, `=`, `+` and `.` stay inside words: their meaning depends on the position
 * (`db1:` prefix, `a:heap` operand, `cpu=1` option, `sga+8K`, `db1.VmPTE`), so the parser
 * splits them.
 *
 * Errors are thrown as SyntaxFail carrying the 1-based column; the parser catches one per
 * line. Nothing else is thrown on any input.
 */
import type { Addr, FdRef, Prot } from './ast';
import {
  ADDR_LIMIT, MAP_FLAGS, MAX_FD, MAX_SIZE, RESERVED_LABELS, RESERVED_TASK_NAMES,
  SIZE_SUFFIXES, type MapFlag,
} from './constants';
import { suggestion } from './suggest';

/** A positioned syntax error inside one line. */
export class SyntaxFail extends Error {
  constructor(readonly col: number, message: string) {
    super(message);
  }
}

/**
 * `{i}` in a number. Inside a repeat body the parser then takes the body as text and parses
 * it once per iteration with `{i}` replaced (parser.ts, readRepeat); anywhere else it is the
 * error it says.
 */
export class TemplateInNumber extends SyntaxFail {}

export function fail(col: number, message: string): never {
  throw new SyntaxFail(col, message);
}

export interface Token {
  kind: 'word' | 'string';
  /** The source text (with quotes and escapes for a string). */
  raw: string;
  /** A word's text, or a string's unescaped contents. */
  value: string;
  /** 1-based column of the first character. */
  col: number;
  /** 1-based column just past the last character. */
  end: number;
}

export interface LexedLine {
  tokens: Token[];
  /** 0-based index where the comment starts (the line's length when there is none). */
  codeEnd: number;
}

/** Blanks between tokens. Other characters (even Unicode spaces) belong to words. */
export function isBlank(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v';
}

/**
 * `s` without blanks at either end. Not String.trim(), which also drops Unicode spaces
 * that the lexer keeps inside words (a path may end in U+00A0).
 */
export function trimBlanks(s: string): string {
  let i = 0;
  let j = s.length;
  while (i < j && isBlank(s[i])) i++;
  while (j > i && isBlank(s[j - 1])) j--;
  return s.slice(i, j);
}

/**
 * Lines of a source: split on \n; a \r before it (Windows files) is part of the blank. A
 * UTF-8 byte-order mark at the start (editors on Windows write one) is not part of line 1.
 */
export function splitLines(source: string): string[] {
  return (source.charCodeAt(0) === 0xfeff ? source.slice(1) : source).split('\n');
}

/** Tokens of one line (without its newline). Throws SyntaxFail on a bad string. */
export function lexLine(raw: string): LexedLine {
  const tokens: Token[] = [];
  let i = 0;
  while (i < raw.length) {
    const c = raw[i];
    if (c === '\r' && trimBlanks(raw.slice(i)) !== '') {
      // Only \n ends a line (a \r before it is blank); a \r with text after it is a file
      // with classic Mac line endings, which would otherwise read as one long line.
      fail(i + 1, 'a carriage return (\\r) inside a line: lines must end with \\n or \\r\\n (old Mac line endings?)');
    }
    if (isBlank(c)) {
      i++;
    } else if (c === '#') {
      return { tokens, codeEnd: i };
    } else if (c === '"') {
      if (i > 0 && !isBlank(raw[i - 1])) fail(i + 1, `unexpected '"' inside a word`);
      const start = i;
      const value = readString(raw, i);
      i = value.next;
      if (i < raw.length && !isBlank(raw[i]) && raw[i] !== '#') {
        fail(i + 1, `expected a space after the closing '"'`);
      }
      tokens.push({ kind: 'string', raw: raw.slice(start, i), value: value.text, col: start + 1, end: i + 1 });
    } else {
      const start = i;
      while (i < raw.length && !isBlank(raw[i]) && raw[i] !== '#' && raw[i] !== '"') i++;
      const text = raw.slice(start, i);
      tokens.push({ kind: 'word', raw: text, value: text, col: start + 1, end: i + 1 });
    }
  }
  return { tokens, codeEnd: raw.length };
}

/** A string starting at raw[start] === '"'. Escapes: \" \\ \n. */
function readString(raw: string, start: number): { text: string; next: number } {
  let text = '';
  let i = start + 1;
  while (i < raw.length) {
    const c = raw[i];
    if (c === '"') return { text, next: i + 1 };
    if (c === '\\') {
      const e = raw[i + 1];
      if (e === '"' || e === '\\') text += e;
      else if (e === 'n') text += '\n';
      else if (e === undefined) break;
      else fail(i + 1, `unknown escape '\\${e}' in string (use \\", \\\\ or \\n)`);
      i += 2;
    } else {
      text += c;
      i++;
    }
  }
  return fail(start + 1, 'unterminated string');
}

/** `"..."` with the escapes readString understands. */
export function quote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

// ---- Numbers ---------------------------------------------------------------------------

const DEC = /^[0-9](?:_?[0-9])*$/;
const HEX = /^0[xX][0-9A-Fa-f](?:_?[0-9A-Fa-f])*$/;

/**
 * A number: decimal or 0x hex, `_` between digits, an optional binary suffix K M G T.
 * `what` names the argument in messages ("size", "address", ...). The result must be at
 * most `max` (inclusive) and exactly representable as a double.
 */
export function scanNumber(text: string, col: number, what: string, max: number | bigint): number {
  const quoted = `${what} '${text}'`;
  if (text.includes('{i}')) throw new TemplateInNumber(col, `${quoted}: '{i}' in a number is only allowed inside a repeat body`);
  if (text === '' || !/^[0-9]/.test(text)) fail(col, `${quoted}: expected a number such as 4096, 0x1000 or 64M`);
  const m = /^(0[xX][0-9A-Fa-f_]*|[0-9][0-9_]*)([\s\S]*)$/.exec(text)!;
  const [, digits, suffix] = m;
  if (suffix.startsWith('.') && /^\.[0-9]/.test(suffix)) fail(col, `${quoted}: expected a whole number`);
  if (/^0[xX]$/.test(digits)) fail(col, `${quoted}: expected hex digits after '0x'`);
  if (!DEC.test(digits) && !HEX.test(digits)) fail(col, `${quoted}: '_' must sit between two digits`);
  let mult = 1n;
  if (suffix !== '') {
    if (Object.hasOwn(SIZE_SUFFIXES, suffix)) mult = BigInt(SIZE_SUFFIXES[suffix as keyof typeof SIZE_SUFFIXES]);
    else if (Object.hasOwn(SIZE_SUFFIXES, suffix.toUpperCase())) fail(col, `${quoted}: expected K, M, G or T (suffixes are upper case)`);
    else fail(col, `${quoted}: expected K, M, G or T`);
  }
  const big = BigInt(digits.replace(/_/g, '')) * mult;
  const limit = BigInt(max);
  if (big > limit) fail(col, `${quoted} is too large (at most ${describeLimit(limit)})`);
  const n = Number(big);
  if (BigInt(n) !== big) fail(col, `${quoted} cannot be held exactly (more than 53 significant bits)`);
  return n;
}

function describeLimit(limit: bigint): string {
  if (limit === BigInt(MAX_SIZE)) return '128T';
  if (limit >= ADDR_LIMIT - 1n) return '2^64 - 1';
  return limit.toString();
}

/** A byte count or offset: 0..MAX_SIZE. */
export function scanSize(text: string, col: number, what = 'size'): number {
  return scanNumber(text, col, what, MAX_SIZE);
}

// ---- Names, paths, addresses -----------------------------------------------------------

/** Task and cgroup names: `db1`, `db.1` (fork's default child names), `pg-worker`. */
const TASK_NAME = /^[A-Za-z_](?:[A-Za-z0-9_.-]|\{i\})*$/;
/** VMA labels and descriptor names: no `.` or `-`, so `sga+8K` and `db1.VmPTE` split cleanly. */
const LABEL = /^[A-Za-z_](?:[A-Za-z0-9_]|\{i\})*$/;

export type NameKind = 'task name' | 'cgroup name' | 'label' | 'descriptor name';

/** `{i}` is a repeat placeholder: outside a repeat body it would never be replaced. */
function checkTemplate(text: string, col: number, inRepeat: boolean): void {
  const at = text.indexOf('{i}');
  if (at >= 0 && !inRepeat) fail(col + at, `'{i}' is only allowed inside a repeat body`);
}

export function scanName(text: string, col: number, kind: NameKind, inRepeat: boolean): string {
  checkTemplate(text, col, inRepeat);
  // A leading {i} would instantiate to a name starting with a digit, which reads as a number.
  if (text.startsWith('{i}')) fail(col, `${kind} '${text}' cannot start with '{i}' (put a letter first, as in db{i})`);
  const label = kind === 'label' || kind === 'descriptor name';
  if (!(label ? LABEL : TASK_NAME).test(text)) {
    const rest = label ? "letters, digits or '_'" : "letters, digits, '_', '.' or '-'";
    fail(col, `${kind} '${text}': expected an ASCII letter or '_' followed by ${rest}`);
  }
  if (kind === 'task name' && (RESERVED_TASK_NAMES as readonly string[]).includes(text)) {
    fail(col, `task name '${text}' is reserved (expect uses it)`);
  }
  if (kind === 'label' && (RESERVED_LABELS as readonly string[]).includes(text)) {
    fail(col, `label '${text}' is reserved (it means: let the kernel choose the address)`);
  }
  return text;
}

/** An absolute path: `/sys/fs/mshare/sga`. Words cannot hold blanks, `"` or `#`. */
export function scanPath(text: string, col: number, inRepeat: boolean): string {
  checkTemplate(text, col, inRepeat);
  if (!text.startsWith('/')) fail(col, `path '${text}': expected an absolute path starting with '/'`);
  return text;
}

/** ADDR: a number, LABEL, LABEL+OFFSET, or `auto` where mmap allows it. */
export function scanAddr(text: string, col: number, inRepeat: boolean, allowAuto = false): Addr {
  if (text === 'auto') {
    if (allowAuto) return { kind: 'auto' };
    fail(col, `address 'auto' is only allowed in mmap`);
  }
  if (/^[0-9]/.test(text)) return { kind: 'num', value: scanNumber(text, col, 'address', ADDR_LIMIT - 1n) };
  if (!/^[A-Za-z_{]/.test(text)) fail(col, `address '${text}': expected a number, a label or LABEL+OFFSET`);
  const plus = text.indexOf('+');
  if (plus < 0) return { kind: 'label', label: scanName(text, col, 'label', inRepeat), offset: 0 };
  const label = scanName(text.slice(0, plus), col, 'label', inRepeat);
  const off = text.slice(plus + 1);
  if (off === '') fail(col + plus + 1, `address '${text}': expected an offset after '+'`);
  return { kind: 'label', label, offset: scanSize(off, col + plus + 1, 'offset') };
}

/** PROT: any order of r, w, x, each at most once, or `none`. */
export function scanProt(text: string, col: number): Prot {
  if (text === 'none') return { r: false, w: false, x: false };
  const p = { r: false, w: false, x: false };
  for (const c of text) {
    if (c !== 'r' && c !== 'w' && c !== 'x') fail(col, `prot '${text}': expected a string of r, w, x or 'none'`);
    if (p[c]) fail(col, `prot '${text}': '${c}' given twice`);
    p[c] = true;
  }
  if (text === '') fail(col, `prot '': expected a string of r, w, x or 'none'`);
  return p;
}

/** FLAGS: a comma list of MAP_FLAGS, each at most once, kept in the written order. */
export function scanFlags(text: string, col: number): MapFlag[] {
  const flags: MapFlag[] = [];
  let at = 0;
  for (const part of text.split(',')) {
    const c = col + at;
    if (part === '') fail(c, `flags '${text}': empty flag between commas`);
    if (!(MAP_FLAGS as readonly string[]).includes(part)) {
      fail(c, `unknown flag '${part}'${suggestion(part, MAP_FLAGS)}`);
    }
    if (flags.includes(part as MapFlag)) fail(c, `flag '${part}' given twice`);
    flags.push(part as MapFlag);
    at += part.length + 1;
  }
  return flags;
}

/** A descriptor: a number 0..MAX_FD or a name given by `open ... as F`. */
export function scanFd(text: string, col: number, inRepeat: boolean): FdRef {
  if (/^[0-9]/.test(text)) return { kind: 'num', value: scanNumber(text, col, 'descriptor', MAX_FD) };
  return { kind: 'name', name: scanName(text, col, 'descriptor name', inRepeat) };
}

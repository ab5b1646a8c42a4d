/**
 * Parser of the scenario language: source text -> Script, or every error (at most one per
 * line) as `FILE:LINE:COL: message`. Nothing runs before the whole script parses, so a
 * typo on line 900 is reported before line 1 touches the machine.
 *
 * Shape: parseScript checks the global limits, splits lines, and hands each line to
 * parseCommand, which reads the optional `NAME:` prefix and dispatches on the verb to one
 * reader in VERBS. A reader consumes its arguments through `Args`, which produces the
 * uniform messages (`mmap: expected SIZE after ADDR`). Errors are SyntaxFail exceptions
 * caught per line; an unexpected exception (a parser bug) is caught too and reported as an
 * "internal parser error" at the line, so no stack trace reaches the user.
 *
 * Where SCENARIO.md leaves a choice open, this parser decides:
 * - `#` outside a string starts a comment anywhere on a line, chapter lines included; a note
 *   or a chapter title that needs `#` is quoted (`note "step #2"`, `## "Step #2"`). `## Title`
 *   needs a blank after `##`; `###` is a comment.
 * - `machine` may follow chapters and notes, but no other command.
 * - `NAME:verb` without a blank is accepted; the printer writes `NAME: verb`.
 * - Options after the positional arguments come in any order; each at most once;
 *   `fd=`/`file=` and `missing`/`wp` exclude each other.
 * - `{i}` is allowed anywhere in a repeat body. In names, labels, paths, strings and notes
 *   it is substituted in the parsed command; in a number (`write p+{i}K {i}`) the body is
 *   kept as text and parsed per iteration with `{i}` replaced (checked at parse time for
 *   every iteration: checkExactness). Outside a repeat it is an error in names, paths and
 *   numbers, literal text in strings and notes.
 * - Semantics are the engine's: `mmap` without `shared`/`private`, size 0 or a misaligned
 *   address parse fine and fail at run time with the errno Linux gives.
 */
import type {
  Addr, CgroupCmd, ChapterCmd, Command, ExpectExpr, ExpectValue, FdRef, ForkCmd, GupCmd,
  IoctlCreateMappingCmd, MachineOptions, MmapCmd, OpenCmd, PolicySettings, Prot, RepeatBody,
  RepeatTemplate, RunCmd, Script, TaskAddr, ThreadCmd, UffdRegisterCmd, Value,
} from './ast';
import { instantiate } from './ast';
import {
  ADDR_LIMIT, CGROUP_FIELDS, DEFAULT_MSHARE_PATH, ERRNO_NAMES, FILESYSTEMS, GLOBAL_VERBS,
  LAST_FIELDS, MADVISE_ADVICE, MAX_ACCESS_SIZE, MAX_CPUS, MAX_EXPANDED_COMMANDS, MAX_LINE_LENGTH, MAX_LINES,
  MAX_RAM, MAX_REPEAT, MAX_SCRIPT_CHARS, MAX_TLB, MAX_VALUE, MEMINFO_FIELDS, MIN_CPUS, MIN_RAM,
  MIN_REPEAT, MIN_TLB, MSHARE_FIELDS, MSHARE_FLAVOURS, OPERATORS, POLICY_KEYS, POLICY_VALUES,
  RAM_ALIGN, SHMEM_THP_MODES, SIZE_SUFFIXES, SIGNAL_NAMES, STATUS_FIELDS, TASK_STATES, TASK_VERBS, TOUCH_ACCESS, UFFD_MODES,
  VERBS, type LastField, type MapFlag, type Op, type PolicyKey,
} from './constants';
import {
  fail, isBlank, lexLine, scanAddr, scanFd, scanFlags, scanName, scanNumber, scanPath, scanProt,
  scanSize, splitLines, SyntaxFail, TemplateInNumber, trimBlanks, type NameKind, type Token,
} from './lexer';
import { orList, suggestion } from './suggest';

export interface ParseError {
  file: string;
  line: number;
  col: number;
  message: string;
}

export type ParseResult = { ok: true; script: Script } | { ok: false; errors: ParseError[] };

/** `FILE:LINE:COL: message`, the form the CLI prints and editors understand. */
export function formatError(e: ParseError): string {
  return `${e.file}:${e.line}:${e.col}: ${visible(e.message)}`;
}

/**
 * Control characters as \xNN: messages quote the user's text, and a raw ESC sequence from a
 * script must not drive the terminal the error is printed on.
 */
export function visible(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Everything a verb reader may need about the line it is on. */
interface LineCtx {
  line: number;
  raw: string;
  /** Index where the line's comment starts. */
  codeEnd: number;
  inRepeat: boolean;
}

export function parseScript(source: string, file = '<script>'): ParseResult {
  const err = (line: number, col: number, message: string): ParseResult => ({
    ok: false,
    errors: [{ file, line, col, message }],
  });
  if (source.length > MAX_SCRIPT_CHARS) {
    return err(1, 1, `script is too large: ${source.length} characters (at most ${MAX_SCRIPT_CHARS})`);
  }
  const lines = splitLines(source);
  // A final newline ends the last line; it does not start one more.
  const lineCount = lines.length > 1 && lines[lines.length - 1] === '' ? lines.length - 1 : lines.length;
  if (lineCount > MAX_LINES) return err(MAX_LINES + 1, 1, `script is too long: more than ${MAX_LINES} lines`);

  const errors: ParseError[] = [];
  const commands: Command[] = [];
  const chapters: Script['chapters'] = [];
  let sawCommand = false; // anything but a chapter or note: machine must come before it
  let expanded = 0;
  for (let n = 0; n < lines.length; n++) {
    const line = n + 1;
    const raw = lines[n];
    try {
      if (raw.length > MAX_LINE_LENGTH) {
        fail(MAX_LINE_LENGTH + 1, `line is too long: ${raw.length} characters (at most ${MAX_LINE_LENGTH})`);
      }
      const chapter = parseChapter(raw, line);
      if (chapter) {
        chapters.push({ title: chapter.title, line, index: commands.length });
        commands.push(chapter);
        continue;
      }
      const { tokens, codeEnd } = lexLine(raw);
      if (tokens.length === 0) continue;
      const isNote = tokens[0].value === 'note';
      const wasFirst = !sawCommand;
      if (!isNote) sawCommand = true;
      const cmd = parseCommand(tokens, { line, raw, codeEnd, inRepeat: false });
      if (cmd.kind === 'machine' && !wasFirst) fail(cmd.col, 'machine must be the first command');
      expanded += cmd.kind === 'repeat' ? cmd.count : 1;
      if (expanded > MAX_EXPANDED_COMMANDS) {
        expanded = -Infinity; // report once
        fail(cmd.col, `the script would run more than ${MAX_EXPANDED_COMMANDS} commands`);
      }
      commands.push(cmd);
    } catch (e) {
      const col = e instanceof SyntaxFail ? e.col : 1;
      const message = e instanceof SyntaxFail ? e.message : `internal parser error: ${String(e)}`;
      errors.push({ file, line, col, message });
    }
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, script: { commands, chapters } };
}

/**
 * `## Title` (two hashes, a blank, a title). `#`, `###`, `##x` and a bare `##` are comments.
 * A `#` outside a `"string"` starts a comment, as on every line, so README's
 * `## mshare basics   # a chapter` is titled "mshare basics"; a title that needs a `#` is
 * one quoted string (`## "Step #2"`), as a note's text is. Otherwise the title is the text as
 * written, quotes included, and never an error: titles are prose (`## The 5" floppy`).
 */
function parseChapter(raw: string, line: number): ChapterCmd | undefined {
  let at = 0;
  while (at < raw.length && isBlank(raw[at])) at++;
  if (!raw.startsWith('##', at)) return undefined;
  const next = raw[at + 2];
  if (next !== undefined && !isBlank(next)) return undefined;
  const codeEnd = commentStart(raw, at + 2);
  const code = trimBlanks(raw.slice(at + 2, codeEnd));
  const title = quotedWhole(code) ?? code;
  // SCENARIO.md: `#` starts a comment and `## Title` a chapter, so a `##` with no title is a
  // comment (a separator line), like `###`; so is `## ""`.
  if (title === '') return undefined;
  return { kind: 'chapter', line, col: at + 1, text: trimBlanks(raw.slice(0, codeEnd)), title };
}

/**
 * Index of the first `#` at or after `from` that is not inside a `"string"` (or the length).
 * A `"` that no later `"` closes is a character of the title (an inch mark), not a string.
 */
function commentStart(raw: string, from: number): number {
  for (let i = from; i < raw.length; i++) {
    const c = raw[i];
    if (c === '#') return i;
    if (c === '"') {
      const close = stringEnd(raw, i);
      if (close >= 0) i = close;
    }
  }
  return raw.length;
}

/** Index of the `"` that closes the string opened at raw[open], or -1. */
function stringEnd(raw: string, open: number): number {
  for (let i = open + 1; i < raw.length; i++) {
    if (raw[i] === '\\') i++;
    else if (raw[i] === '"') return i;
  }
  return -1;
}

/** The value of `text` when it is exactly one quoted string, else undefined. */
function quotedWhole(text: string): string | undefined {
  if (!text.startsWith('"')) return undefined;
  try {
    const { tokens } = lexLine(text);
    return tokens.length === 1 && tokens[0].kind === 'string' ? tokens[0].value : undefined;
  } catch {
    return undefined; // not a well-formed string: the title is the text as written
  }
}

/** One command from its tokens (a whole line, or a repeat body). */
function parseCommand(toks: Token[], ctx: LineCtx): Command {
  const first = toks[0];
  if (first.kind === 'string') fail(first.col, 'expected a command, not a string');
  let task: string | undefined;
  let verbTok: Token | undefined = first;
  let args = toks.slice(1);
  const colon = first.value.indexOf(':');
  if (colon >= 0) {
    if (colon === 0) fail(first.col, `expected a task name before ':'`);
    task = scanName(first.value.slice(0, colon), first.col, 'task name', ctx.inRepeat);
    const rest = first.value.slice(colon + 1);
    if (rest !== '') {
      verbTok = { kind: 'word', raw: rest, value: rest, col: first.col + colon + 1, end: first.end };
    } else {
      verbTok = toks[1];
      args = toks.slice(2);
    }
    if (verbTok === undefined) fail(first.end, `expected a verb after '${first.value}'`);
    if (verbTok.kind === 'string') fail(verbTok.col, 'expected a verb, not a string');
  }
  const verb = verbTok.value;
  const reader = READERS.get(verb);
  if (reader === undefined) {
    const next = args[0];
    if (task === undefined && next?.kind === 'word' && (TASK_VERBS as readonly string[]).includes(next.value)) {
      fail(verbTok.end, `expected ':' after task name '${verb}'`);
    }
    fail(verbTok.col, `unknown verb '${verb}'${suggestion(verb, VERBS)}`);
  }
  const isGlobal = (GLOBAL_VERBS as readonly string[]).includes(verb);
  if (isGlobal && task !== undefined) {
    fail(first.col, `${verb} is a global command: remove the '${task}:' prefix`);
  }
  if (!isGlobal && task === undefined) {
    fail(verbTok.col, `${verb}: expected a task prefix, as in 'NAME: ${verb} ...'`);
  }
  const bodyStart = first.col - 1;
  const pos = { line: ctx.line, col: first.col, text: trimBlanks(ctx.raw.slice(bodyStart, ctx.codeEnd)) };
  const a = new Args(verb, verbTok, args, ctx.inRepeat);
  return reader({ a, pos, task: task ?? '', ctx });
}

// ---- Argument reader -----------------------------------------------------------------

/** How `Args.options` reads the optional arguments after the positional ones. */
interface OptionSpec {
  /** `key=value` options; the reader gets the value and its column. */
  keys?: Record<string, (value: string, col: number) => void>;
  /** Bare words (`create`, `write`, `missing`). */
  words?: Record<string, () => void>;
  /** `as NAME`: the placeholder for messages and the reader. */
  as?: [string, (value: string, col: number) => void];
  /** Options that exclude each other share a group (`fd=`/`file=`; `missing`/`wp`). */
  groups?: Record<string, string>;
}

/**
 * A cursor over a command's arguments. Each read names the argument's placeholder (SIZE,
 * ADDR) so a missing one reads `mmap: expected SIZE after ADDR`, at the column just past
 * the last argument.
 */
class Args {
  private i = 0;
  private prev: string | undefined;

  constructor(
    readonly verb: string,
    private readonly verbTok: Token,
    private readonly toks: Token[],
    readonly inRepeat: boolean,
  ) {}

  more(): boolean {
    return this.i < this.toks.length;
  }

  peek(): Token | undefined {
    return this.toks[this.i];
  }

  remaining(): Token[] {
    return this.toks.slice(this.i);
  }

  /** Column just past the last argument read so far. */
  endCol(): number {
    return this.i > 0 ? this.toks[this.i - 1].end : this.verbTok.end;
  }

  missing(name: string): never {
    const after = this.prev === undefined ? '' : ` after ${this.prev}`;
    return fail(this.endCol(), `${this.verb}: expected ${name}${after}`);
  }

  /** The next argument, which must be a word; `name` is its placeholder in messages. */
  word(name: string): Token {
    const t = this.toks[this.i];
    if (t === undefined) this.missing(name);
    if (t.kind === 'string') fail(t.col, `${this.verb}: expected ${name}, not a string`);
    this.i++;
    this.prev = name;
    return t;
  }

  /** The next argument, word or string. */
  any(name: string): Token {
    const t = this.toks[this.i];
    if (t === undefined) this.missing(name);
    this.i++;
    this.prev = name;
    return t;
  }

  size(name = 'SIZE', what = 'size'): number {
    const t = this.word(name);
    return scanSize(t.value, t.col, what);
  }

  addr(name = 'ADDR', allowAuto = false): Addr {
    const t = this.word(name);
    return scanAddr(t.value, t.col, this.inRepeat, allowAuto);
  }

  prot(): Prot {
    const t = this.word('PROT');
    return scanProt(t.value, t.col);
  }

  flags(): MapFlag[] {
    const before = this.prev;
    const t = this.word('FLAGS');
    if (t.value === 'as' || t.value.includes('=')) {
      fail(t.col, `${this.verb}: expected FLAGS after ${before}, got '${t.value}'`);
    }
    return scanFlags(t.value, t.col);
  }

  path(name = 'PATH'): string {
    const t = this.word(name);
    return scanPath(t.value, t.col, this.inRepeat);
  }

  name(name: string, kind: NameKind): string {
    const t = this.word(name);
    return scanName(t.value, t.col, kind, this.inRepeat);
  }

  fd(): FdRef {
    const t = this.word('F');
    return scanFd(t.value, t.col, this.inRepeat);
  }

  /** A word from a fixed list, with did-you-mean. */
  choice<T extends string>(name: string, what: string, choices: readonly T[]): T {
    const t = this.word(name);
    if (!(choices as readonly string[]).includes(t.value)) {
      const hint = suggestion(t.value, choices) || ` (expected ${orList(choices)})`;
      fail(t.col, `${this.verb}: unknown ${what} '${t.value}'${hint}`);
    }
    return t.value as T;
  }

  /** VALUE of write / uffd copy: a number or a "string". */
  value(): Value {
    const t = this.any('VALUE');
    if (t.kind === 'string') return { kind: 'str', value: t.value };
    if (!/^[0-9]/.test(t.value) && !t.value.includes('{i}')) {
      fail(t.col, `${this.verb}: expected VALUE (a number or "string"), got '${t.value}'`);
    }
    return { kind: 'num', value: scanNumber(t.value, t.col, 'value', MAX_VALUE) };
  }

  /** Reads every remaining argument as an option of `spec`; rejects duplicates and strays. */
  options(spec: OptionSpec): void {
    const seen = new Map<string, string>();
    const once = (key: string, shown: string, col: number) => {
      const group = (spec.groups && Object.hasOwn(spec.groups, key) ? spec.groups[key] : key);
      const other = seen.get(group);
      if (other === shown) fail(col, `${this.verb}: '${shown}' given twice`);
      if (other !== undefined) fail(col, `${this.verb}: '${shown}' cannot be combined with '${other}'`);
      seen.set(group, shown);
    };
    while (this.more()) {
      const t = this.toks[this.i++];
      if (t.kind === 'string') fail(t.col, `${this.verb}: unexpected string argument`);
      const w = t.value;
      const eq = w.indexOf('=');
      if (w === 'as' && spec.as) {
        once('as', 'as', t.col);
        const v = this.toks[this.i++];
        if (v === undefined || v.kind === 'string') fail(v?.col ?? t.end, `${this.verb}: expected ${spec.as[0]} after 'as'`);
        spec.as[1](v.value, v.col);
      } else if (eq > 0 && spec.keys && Object.hasOwn(spec.keys, w.slice(0, eq))) {
        const key = w.slice(0, eq);
        once(key, `${key}=`, t.col);
        spec.keys[key](w.slice(eq + 1), t.col + eq + 1);
      } else if (eq < 0 && spec.words && Object.hasOwn(spec.words, w)) {
        once(w, w, t.col);
        spec.words[w]();
      } else {
        this.unknownOption(t, spec);
      }
    }
  }

  private unknownOption(t: Token, spec: OptionSpec): never {
    const w = t.value;
    const eq = w.indexOf('=');
    const keys = Object.keys(spec.keys ?? {});
    if (eq > 0) {
      const key = w.slice(0, eq);
      const known = keys.length > 0 ? suggestion(key, keys) || ` (expected ${orList(keys)})` : '';
      fail(t.col, `${this.verb}: unknown option '${key}'${known}`);
    }
    const words = [...Object.keys(spec.words ?? {}), ...(spec.as ? ['as'] : [])];
    fail(t.col, `${this.verb}: unexpected argument '${w}'${suggestion(w, words)}`);
  }

  /** No arguments may remain. */
  end(): void {
    const t = this.toks[this.i];
    if (t !== undefined) fail(t.col, `${this.verb}: unexpected argument '${t.raw}'`);
  }
}

// ---- Verb readers --------------------------------------------------------------------

interface ReaderIn {
  a: Args;
  pos: { line: number; col: number; text: string };
  /** The `NAME:` prefix ('' for global verbs). */
  task: string;
  ctx: LineCtx;
}
type Reader = (r: ReaderIn) => Command;

/** A number option with a range, e.g. `cpu=1`: `cpu '64': expected 0 to 63`. */
function ranged(v: string, col: number, what: string, min: number, max: number): number {
  const n = scanNumber(v, col, what, MAX_VALUE);
  if (n < min || n > max) fail(col, `${what} '${v}': expected ${min} to ${max}`);
  return n;
}

/** An enumerated value, e.g. `pcid=yes`: `pcid 'yes': expected on or off`. */
function oneOf<T extends string>(v: string, col: number, what: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(v)) {
    // No "did you mean '4'?" for levels=3: a near number is not a typo of it.
    const hint = /^[0-9]+$/.test(v) ? '' : suggestion(v, choices);
    fail(col, `${what} '${v}': expected ${orList(choices)}${hint}`);
  }
  return v as T;
}

function readMachine({ a, pos }: ReaderIn): Command {
  const o: MachineOptions = {};
  let ptiCol = 0;
  a.options({
    keys: {
      ram: (v, c) => {
        const n = scanSize(v, c, 'ram');
        if (n < MIN_RAM || n > MAX_RAM) fail(c, `ram '${v}': expected 16M to 4G`);
        if (n % RAM_ALIGN !== 0) fail(c, `ram '${v}': expected a multiple of 2M`);
        o.ram = n;
      },
      cpus: (v, c) => (o.cpus = ranged(v, c, 'cpus', MIN_CPUS, MAX_CPUS)),
      tlb: (v, c) => {
        const n = scanNumber(v, c, 'tlb', MAX_VALUE);
        if (n < MIN_TLB || n > MAX_TLB || (n & (n - 1)) !== 0) {
          fail(c, `tlb '${v}': expected a power of two from ${MIN_TLB} to ${MAX_TLB}`);
        }
        o.tlb = n;
      },
      pcid: (v, c) => (o.pcid = oneOf(v, c, 'pcid', ['on', 'off']) === 'on'),
      pti: (v, c) => {
        o.pti = oneOf(v, c, 'pti', ['on', 'off']) === 'on';
        ptiCol = c;
      },
      levels: (v, c) => (o.levels = oneOf(v, c, 'levels', ['4', '5']) === '5' ? 5 : 4),
      mshare: (v, c) => (o.mshare = oneOf(v, c, 'mshare', MSHARE_FLAVOURS)),
      shmem_thp: (v, c) => (o.shmem_thp = oneOf(v, c, 'shmem_thp', SHMEM_THP_MODES)),
    },
  });
  if (o.pti && o.pcid === false) fail(ptiCol, 'pti=on needs pcid=on (without PCIDs every kernel entry flushes the TLB, which the explorer does not model)');
  return { kind: 'machine', ...pos, options: o };
}

function readPolicy({ a, pos }: ReaderIn): Command {
  const settings: PolicySettings = {};
  const keys: Record<string, (v: string, c: number) => void> = {};
  for (const k of POLICY_KEYS) {
    keys[k] = (v, c) => {
      (settings as Record<PolicyKey, string>)[k] = oneOf(v, c, k, POLICY_VALUES[k]);
    };
  }
  if (!a.more()) a.missing('KEY=VALUE');
  a.options({ keys });
  return { kind: 'policy', ...pos, settings };
}

function readRepeat({ a, pos, ctx }: ReaderIn): Command {
  if (ctx.inRepeat) fail(pos.col, 'nested repeat is not allowed');
  const t = a.word('COUNT');
  let body = a.remaining();
  let countText = t.value;
  let colonEnd: number; // column just past the ':'
  const colon = t.value.indexOf(':');
  if (colon >= 0) {
    countText = t.value.slice(0, colon);
    const after = t.value.slice(colon + 1);
    colonEnd = t.col + colon + 1;
    if (after !== '') body = [{ kind: 'word', raw: after, value: after, col: colonEnd, end: t.end }, ...body];
  } else {
    const c = body[0];
    if (c === undefined || c.kind !== 'word' || !c.value.startsWith(':')) {
      fail(c?.col ?? t.end, `repeat: expected ':' after the count`);
    }
    colonEnd = c.col + 1;
    const after = c.value.slice(1);
    body = body.slice(1);
    if (after !== '') body = [{ kind: 'word', raw: after, value: after, col: colonEnd, end: c.end }, ...body];
  }
  const count = scanNumber(countText, t.col, 'repeat count', MAX_VALUE);
  if (count < MIN_REPEAT || count > MAX_REPEAT) {
    fail(t.col, `repeat count '${countText}': expected ${MIN_REPEAT} to ${MAX_REPEAT}`);
  }
  if (body.length === 0) fail(colonEnd, `repeat: expected a COMMAND after ':'`);
  let inner: Command;
  let template: RepeatTemplate | undefined;
  try {
    inner = parseCommand(body, { ...ctx, inRepeat: true });
  } catch (e) {
    if (!(e instanceof TemplateInNumber)) throw e;
    // `{i}` in a number: keep the body as text; every iteration must parse (the first and
    // the last are parsed, which covers all rules but exactness past 2^53: checkExactness).
    template = { text: ' '.repeat(body[0].col - 1) + ctx.raw.slice(body[0].col - 1, ctx.codeEnd) };
    if (count > 1) parseIteration(template, ctx.line, count);
    inner = parseIteration(template, ctx.line, 1);
    checkExactness(template, ctx.line, count);
  }
  if (inner.kind === 'machine') fail(inner.col, 'machine cannot be repeated');
  return { kind: 'repeat', ...pos, count, body: inner as RepeatBody, ...(template ? { template } : {}) };
}

/**
 * Parsing the first and the last iteration checks every rule that holds for all of 1..N once
 * it holds for both: `{i}` becomes digits, so syntax is the same in every iteration, and a
 * number grows with i (limits are monotonic). One rule is not: above 2^53 a number must be
 * held exactly by a double, which depends on its low bits (`0x800000000000{i}` is exact for
 * 1 and 20 but not for 11). So a templated number that passes 2^53 is checked for every i
 * here, and no iteration can fail to parse when it runs.
 */
function checkExactness(template: RepeatTemplate, line: number, count: number): void {
  for (const t of lexLine(template.text).tokens) {
    if (t.kind !== 'word' || !t.value.includes('{i}')) continue;
    // The number in the word: all of it, a `key=` option's value or a `label+` offset.
    const num = t.value.slice(Math.max(t.value.lastIndexOf('=') + 1, t.value.lastIndexOf('+') + 1));
    if (!/^[0-9{]/.test(num)) continue;
    let last: number;
    try {
      last = scanNumber(num.split('{i}').join(String(count)), t.col, 'value', ADDR_LIMIT - 1n);
    } catch {
      continue; // not a number, or too large: the last iteration's parse said so already
    }
    if (last <= Number.MAX_SAFE_INTEGER) continue; // nor is any smaller i
    const bad = inexactIteration(num, count);
    if (bad !== null) parseIteration(template, line, bad); // its error, as that iteration gives it
  }
}

/**
 * The first i in 1..count for which the number `num` (with `{i}`) is not exact as a double,
 * or null. Within the i of one digit count the value is C + i'·W (i' the digits of i read in
 * the number's base), so every value has at least min(tz(C), tz(W)) trailing zero bits and is
 * exact while its bit length is at most 53 more than that: the scan starts where the length
 * first passes it (found by bisection; the value grows with i). There two neighbours differ
 * by W, so an inexact one comes within a few steps or the rest are exact: a few steps a group.
 */
function inexactIteration(num: string, count: number): number | null {
  const value = (digits: string): bigint => {
    const text = num.split('{i}').join(digits).replace(/_/g, '');
    const m = /^(0[xX][0-9A-Fa-f]+|[0-9]+)([KMGT]?)$/.exec(text)!;
    return BigInt(m[1]) * BigInt(m[2] ? SIZE_SUFFIXES[m[2] as keyof typeof SIZE_SUFFIXES] : 1);
  };
  const at = (i: number) => value(String(i));
  const exact = (v: bigint) => BigInt(Number(v)) === v;
  for (let lo = 1, d = 1; lo <= count; lo *= 10, d++) {
    const hi = Math.min(lo * 10 - 1, count);
    const c = value('0'.repeat(d));
    const w = value('0'.repeat(d - 1) + '1') - c;
    const zeros = Math.min(trailingZeros(c), trailingZeros(w));
    // The first i of the group whose value is longer than 53 + zeros bits.
    let a = lo;
    let b = hi + 1;
    while (a < b) {
      const mid = Math.floor((a + b) / 2);
      if (at(mid).toString(2).length > 53 + zeros) b = mid;
      else a = mid + 1;
    }
    for (let i = a; i <= hi; i++) if (!exact(at(i))) return i;
  }
  return null;
}

/** Trailing zero bits of `n` (a large number for 0, which has them all). */
function trailingZeros(n: bigint): number {
  if (n === 0n) return 1 << 30;
  let z = 0;
  while ((n & 1n) === 0n) {
    n >>= 1n;
    z++;
  }
  return z;
}

/** One iteration of a templated repeat body: its text with `{i}` replaced, parsed. */
function parseIteration(template: RepeatTemplate, line: number, i: number): Command {
  const raw = template.text.split('{i}').join(String(i));
  try {
    const { tokens, codeEnd } = lexLine(raw);
    return parseCommand(tokens, { line, raw, codeEnd, inRepeat: true });
  } catch (e) {
    // The message says which iteration it was; the column is the line's as written.
    if (e instanceof SyntaxFail) fail(templateColumn(template.text, i, e.col), `with {i}=${i}: ${e.message}`);
    throw e;
  }
}

/**
 * The column in the template of column `col` of its text with `{i}` replaced by `i`: each
 * `{i}` before it is 3 characters as written and String(i).length after substitution. A
 * column inside a substituted number of i is that `{i}`'s own.
 */
function templateColumn(text: string, i: number, col: number): number {
  const width = String(i).length;
  let shift = 0; // written minus substituted length of the `{i}`s passed so far
  for (let at = text.indexOf('{i}'); at >= 0; at = text.indexOf('{i}', at + 3)) {
    const substituted = at - shift + 1; // 1-based column where this `{i}`'s digits start
    if (col < substituted) break;
    if (col < substituted + width) return at + 1;
    shift += 3 - width;
  }
  return col + shift;
}

/**
 * The command iteration `i` (1..count) of a repeat runs: the body with `{i}` replaced, parsed
 * again from its text when `{i}` stands in a number. Given a command that is not a repeat,
 * that command with `{i}` substituted.
 */
export function repeatBody(cmd: Command, i: number): Command {
  if (cmd.kind === 'repeat' && cmd.template) return parseIteration(cmd.template, cmd.line, i);
  return instantiate(cmd, i);
}

function readNote({ a, pos, ctx }: ReaderIn): Command {
  const toks = a.remaining();
  if (toks.length === 0) a.missing('TEXT');
  const last = toks[toks.length - 1];
  // One quoted string: its value; otherwise the source as written (blanks kept).
  const caption = toks.length === 1 && toks[0].kind === 'string'
    ? toks[0].value
    : ctx.raw.slice(toks[0].col - 1, last.end - 1);
  return { kind: 'note', ...pos, caption };
}

/**
 * `touch`, `gup` and `mmap ... populate` fault in every page of their range: at most
 * MAX_ACCESS_SIZE, so one command cannot run for minutes.
 */
function accessBound(size: number, col: number, verb: string): void {
  if (size > MAX_ACCESS_SIZE) {
    fail(col, `${verb} covers at most 1G per command (it faults in every page); split the range over several commands`);
  }
}

function readMmap({ a, pos, task }: ReaderIn): Command {
  const addr = a.addr('ADDR', true);
  const sizeCol = a.peek()?.col ?? a.endCol();
  const size = a.size();
  const prot = a.prot();
  const flags = a.flags();
  if (flags.includes('populate')) accessBound(size, sizeCol, 'mmap populate');
  const cmd: MmapCmd = { kind: 'mmap', ...pos, task, addr, size, prot, flags };
  a.options({
    keys: {
      fd: (v, c) => (cmd.fd = scanFd(v, c, a.inRepeat)),
      file: (v, c) => (cmd.file = scanPath(v, c, a.inRepeat)),
      off: (v, c) => (cmd.off = scanSize(v, c, 'offset')),
    },
    as: ['LABEL', (v, c) => (cmd.label = scanName(v, c, 'label', a.inRepeat))],
    groups: { fd: 'source', file: 'source' },
  });
  return cmd;
}

function readIoctl({ a, pos, task }: ReaderIn): Command {
  const fd = a.fd();
  const req = a.choice('REQUEST', 'request', ['create_mapping', 'unmap'] as const);
  const offset = a.size('OFFSET', 'offset');
  const size = a.size();
  if (req === 'unmap') {
    a.end();
    return { kind: 'ioctl_unmap', ...pos, task, fd, offset, size };
  }
  const prot = a.prot();
  const cmd: IoctlCreateMappingCmd = { kind: 'ioctl_create_mapping', ...pos, task, fd, offset, size, prot, hugetlb: false };
  a.options({
    keys: { file: (v, c) => (cmd.file = scanPath(v, c, a.inRepeat)) },
    words: { hugetlb: () => (cmd.hugetlb = true) },
  });
  return cmd;
}

function readUffd({ a, pos, task }: ReaderIn): Command {
  const sub = a.choice('register or copy', 'uffd operation', ['register', 'copy'] as const);
  const addr = a.addr();
  if (sub === 'copy') {
    const value = a.value();
    a.end();
    return { kind: 'uffd_copy', ...pos, task, addr, value };
  }
  const size = a.size();
  const cmd: UffdRegisterCmd = { kind: 'uffd_register', ...pos, task, addr, size, mode: 'missing' };
  const words: Record<string, () => void> = {};
  for (const m of UFFD_MODES) words[m] = () => (cmd.mode = m);
  a.options({ words, groups: { missing: 'mode', wp: 'mode' } });
  return cmd;
}

/** For fixed-shape verbs: `cmd` was built by reading its arguments; nothing may follow. */
function fixed<T extends Command>(a: Args, cmd: T): T {
  a.end();
  return cmd;
}

const READERS = new Map<string, Reader>([
  ['machine', readMachine],
  ['policy', readPolicy],
  ['repeat', readRepeat],
  ['note', readNote],
  ['expect', readExpect],
  ['mmap', readMmap],
  ['ioctl', readIoctl],
  ['uffd', readUffd],
  ['spawn', ({ a, pos }) => fixed(a, { kind: 'spawn', ...pos, name: a.name('NAME', 'task name') })],
  ['fork', ({ a, pos, task }) => {
    const cmd: ForkCmd = { kind: 'fork', ...pos, task };
    a.options({ as: ['CHILD', (v, c) => (cmd.child = scanName(v, c, 'task name', a.inRepeat))] });
    return cmd;
  }],
  ['thread', ({ a, pos, task }) => {
    const cmd: ThreadCmd = { kind: 'thread', ...pos, task };
    a.options({ as: ['NAME', (v, c) => (cmd.child = scanName(v, c, 'task name', a.inRepeat))] });
    return cmd;
  }],
  ['exit', ({ a, pos, task }) => fixed(a, { kind: 'exit', ...pos, task })],
  ['munmap', ({ a, pos, task }) => fixed(a, { kind: 'munmap', ...pos, task, addr: a.addr(), size: a.size() })],
  ['mprotect', ({ a, pos, task }) =>
    fixed(a, { kind: 'mprotect', ...pos, task, addr: a.addr(), size: a.size(), prot: a.prot() })],
  ['madvise', ({ a, pos, task }) => fixed(a, {
    kind: 'madvise', ...pos, task, addr: a.addr(), size: a.size(),
    advice: a.choice('ADVICE', 'advice', MADVISE_ADVICE),
  })],
  ['read', ({ a, pos, task }) => {
    const addr = a.addr();
    return fixed(a, { kind: 'read', ...pos, task, addr, ...(a.more() ? { size: a.size() } : {}) });
  }],
  ['write', ({ a, pos, task }) => fixed(a, { kind: 'write', ...pos, task, addr: a.addr(), value: a.value() })],
  ['touch', ({ a, pos, task }) => {
    const addr = a.addr();
    const col = a.peek()?.col ?? a.endCol();
    const size = a.size();
    accessBound(size, col, 'touch');
    return fixed(a, { kind: 'touch', ...pos, task, addr, size, access: a.choice('read or write', 'access', TOUCH_ACCESS) });
  }],
  ['run', ({ a, pos, task }) => {
    const cmd: RunCmd = { kind: 'run', ...pos, task };
    a.options({ keys: { cpu: (v, c) => (cmd.cpu = ranged(v, c, 'cpu', 0, MAX_CPUS - 1)) } });
    return cmd;
  }],
  ['file', ({ a, pos }) => fixed(a, { kind: 'file', ...pos, path: a.path(), size: a.size() })],
  ['cgroup', ({ a, pos }) => {
    const cmd: CgroupCmd = { kind: 'cgroup', ...pos, name: a.name('NAME', 'cgroup name') };
    a.options({ keys: { limit: (v, c) => (cmd.limit = scanSize(v, c, 'limit')) } });
    return cmd;
  }],
  ['join', ({ a, pos, task }) => fixed(a, { kind: 'join', ...pos, task, cgroup: a.name('CGROUP', 'cgroup name') })],
  ['mount', ({ a, pos }) => {
    const fs = a.choice('FSTYPE', 'file system', FILESYSTEMS);
    const path = a.more() ? a.path() : DEFAULT_MSHARE_PATH;
    return fixed(a, { kind: 'mount', ...pos, fs, path });
  }],
  ['open', ({ a, pos, task }) => {
    const cmd: OpenCmd = { kind: 'open', ...pos, task, path: a.path(), create: false };
    a.options({
      words: { create: () => (cmd.create = true) },
      as: ['F', (v, c) => (cmd.fd = scanFd(v, c, a.inRepeat))],
    });
    return cmd;
  }],
  ['close', ({ a, pos, task }) => fixed(a, { kind: 'close', ...pos, task, fd: a.fd() })],
  ['ftruncate', ({ a, pos, task }) => fixed(a, { kind: 'ftruncate', ...pos, task, fd: a.fd(), size: a.size() })],
  ['mshare_info', ({ a, pos, task }) => fixed(a, { kind: 'mshare_info', ...pos, task, fd: a.fd() })],
  ['unlink', ({ a, pos }) => fixed(a, { kind: 'unlink', ...pos, path: a.path() })],
  ['gup', ({ a, pos, task }) => {
    const addr = a.addr();
    const col = a.peek()?.col ?? a.endCol();
    const cmd: GupCmd = { kind: 'gup', ...pos, task, addr, size: a.size(), write: false };
    accessBound(cmd.size, col, 'gup');
    a.options({ words: { write: () => (cmd.write = true) } });
    return cmd;
  }],
  ['unpin', ({ a, pos, task }) => fixed(a, { kind: 'unpin', ...pos, task, addr: a.addr(), size: a.size() })],
]);

// ---- expect --------------------------------------------------------------------------

const OP_LIST = orList(OPERATORS);
const isErrno = (w: string): boolean => (ERRNO_NAMES as readonly string[]).includes(w);
const isOp = (w: string): w is Op => (OPERATORS as readonly string[]).includes(w);

/**
 * `expect EXPR`. The subject word decides the form: same-page / different-page, last[.F],
 * meminfo.F, cgroup.NAME.F, mshare.PATH.F; else TASK STATE when a state word follows,
 * else TASK.FIELD. Dotted parts split on the LAST dot, so task names (`db.1`) and paths
 * (`/sys/fs/mshare/sga.v2`) may hold dots.
 */
function readExpect({ a, pos }: ReaderIn): Command {
  const subj = a.word('an assertion');
  const s = subj.value;
  // A path may hold anything, so in mshare.PATH.FIELD only the field is checked.
  const tail = s.startsWith('mshare.') ? s.slice(s.lastIndexOf('.')) : s;
  if (/==|!=|<|>/.test(tail)) {
    fail(subj.col, `expect: put spaces around the operator in '${s}'`);
  }
  const expr = expectExpr(a, subj);
  a.end();
  return { kind: 'expect', ...pos, expr };
}

function expectExpr(a: Args, subj: Token): ExpectExpr {
  const s = subj.value;
  const c = subj.col;
  if (s === 'same-page' || s === 'different-page') {
    return { kind: 'page', same: s === 'same-page', a: taskAddr(a, s), b: taskAddr(a, s) };
  }
  if (s === 'last' || s.startsWith('last.')) {
    const f = s.slice(5);
    if (s !== 'last' && !(LAST_FIELDS as readonly string[]).includes(f)) {
      fail(c + 5, `unknown field 'last.${f}'${suggestion(f, LAST_FIELDS) || ` (expected ${orList(LAST_FIELDS)})`}`);
    }
    const op = operator(a, s);
    const value = lastValue(a, op);
    return s === 'last' ? { kind: 'last', op, value } : { kind: 'last', field: f as LastField, op, value };
  }
  for (const prefix of ['meminfo', 'cgroup', 'mshare']) {
    if (s === prefix) fail(c, `expect: expected ${EXAMPLES[prefix]}`);
  }
  if (s.startsWith('meminfo.')) {
    const field = known(s.slice(8), c + 8, 'meminfo field', MEMINFO_FIELDS);
    return { kind: 'meminfo', field, ...compare(a, s) };
  }
  if (s.startsWith('cgroup.') || s.startsWith('mshare.')) {
    const isCg = s.startsWith('cgroup.');
    const start = 7; // 'cgroup.' and 'mshare.' alike
    const dot = s.lastIndexOf('.');
    if (dot < start) fail(c, `expect: expected ${EXAMPLES[isCg ? 'cgroup' : 'mshare']}`);
    const mid = s.slice(start, dot);
    if (isCg) {
      const name = scanName(mid, c + start, 'cgroup name', a.inRepeat);
      const field = known(s.slice(dot + 1), c + dot + 1, 'cgroup field', CGROUP_FIELDS);
      return { kind: 'cgroup', name, field, ...compare(a, s) };
    }
    const path = scanPath(mid, c + start, a.inRepeat);
    const field = known(s.slice(dot + 1), c + dot + 1, 'mshare field', MSHARE_FIELDS);
    return { kind: 'mshare', path, field, ...compare(a, s) };
  }
  const next = a.peek();
  const nextWord = next?.kind === 'word' ? next.value : '';
  if ((TASK_STATES as readonly string[]).includes(nextWord) || !s.includes('.')) {
    return taskState(a, subj);
  }
  const dot = s.lastIndexOf('.');
  const task = scanName(s.slice(0, dot), c, 'task name', a.inRepeat);
  const field = known(s.slice(dot + 1), c + dot + 1, 'status field', STATUS_FIELDS);
  return { kind: 'status', task, field, ...compare(a, s) };
}

const EXAMPLES: Record<string, string> = {
  meminfo: 'meminfo.FIELD, as in meminfo.PageTables',
  cgroup: 'cgroup.NAME.FIELD, as in cgroup.db.pagetables',
  mshare: 'mshare.PATH.FIELD, as in mshare./sys/fs/mshare/sga.sharers',
};

/** `TASK STATE [SIGNAL]`. */
function taskState(a: Args, subj: Token): ExpectExpr {
  const task = scanName(subj.value, subj.col, 'task name', a.inRepeat);
  const t = a.peek();
  if (t === undefined || t.kind === 'string') {
    fail(t?.col ?? subj.end, `expect: expected a state (${orList(TASK_STATES)}) after '${subj.value}'`);
  }
  if (isOp(t.value)) fail(subj.col, `expect: expected TASK.FIELD before '${t.value}', as in ${subj.value}.VmRSS`);
  const state = a.choice('STATE', 'state', TASK_STATES);
  if (state !== 'killed' || !a.more()) return { kind: 'state', task, state };
  const sig = a.word('SIGNAL');
  return { kind: 'state', task, state, signal: known(sig.value, sig.col, 'signal', SIGNAL_NAMES) };
}

/** `TASK:ADDR`, an operand of same-page / different-page. */
function taskAddr(a: Args, form: string): TaskAddr {
  const t = a.peek();
  if (t === undefined) fail(a.endCol(), `expect ${form}: expected TASK:ADDR`);
  const colon = t.kind === 'word' ? t.value.indexOf(':') : -1;
  if (colon <= 0) fail(t.col, `expect ${form}: expected TASK:ADDR, got '${t.raw}'`);
  a.word('TASK:ADDR');
  const task = scanName(t.value.slice(0, colon), t.col, 'task name', a.inRepeat);
  return { task, addr: scanAddr(t.value.slice(colon + 1), t.col + colon + 1, a.inRepeat) };
}

/** A name from a fixed list: `unknown status field 'VmPte' (did you mean 'VmPTE'?)`. */
function known<T extends string>(w: string, col: number, what: string, list: readonly T[]): T {
  if (!(list as readonly string[]).includes(w)) {
    const hint = suggestion(w, list) || (list.length <= 6 ? ` (expected ${orList(list)})` : '');
    fail(col, `unknown ${what} '${w}'${hint}`);
  }
  return w as T;
}

function operator(a: Args, subject: string): Op {
  const t = a.peek();
  if (t === undefined || t.kind === 'string') {
    fail(t?.col ?? a.endCol(), `expect: expected an operator (${OP_LIST}) after '${subject}'`);
  }
  a.word('OP');
  if (!isOp(t.value)) {
    // Suggest only for misspelt operators (`=`, `=<`), not for any short word.
    const hint = /^[=!<>]+$/.test(t.value) ? suggestion(t.value, OPERATORS) : '';
    fail(t.col, `expect: unknown operator '${t.value}'${hint || ` (expected ${OP_LIST})`}`);
  }
  return t.value;
}

/** `OP NUMBER`: the right side of every comparison but `last`. */
function compare(a: Args, subject: string): { op: Op; value: number } {
  const op = operator(a, subject);
  return { op, value: number(a, op) };
}

/** A number or size. */
function number(a: Args, op: Op): number {
  const t = valueToken(a, op);
  if (t.kind === 'string' || !/^[0-9]/.test(t.value) && !t.value.includes('{i}')) {
    fail(t.col, `expect: expected a number or size, got '${t.raw}'`);
  }
  return scanNumber(t.value, t.col, 'value', ADDR_LIMIT - 1n);
}

function valueToken(a: Args, op: Op): Token {
  const t = a.peek();
  if (t === undefined) fail(a.endCol(), `expect: expected a value after '${op}'`);
  return a.any('VALUE');
}

/** `last`'s right side: a number, an errno, a signal or a string. */
function lastValue(a: Args, op: Op): ExpectValue {
  const t = valueToken(a, op);
  let v: ExpectValue;
  if (t.kind === 'string') v = { kind: 'str', value: t.value };
  else if (/^[0-9]/.test(t.value) || t.value.includes('{i}')) return { kind: 'num', value: scanNumber(t.value, t.col, 'value', ADDR_LIMIT - 1n) };
  else if (/^SIG/i.test(t.value)) v = { kind: 'signal', name: known(t.value, t.col, 'signal', SIGNAL_NAMES) };
  else if (/^E[A-Z0-9]+$/.test(t.value) || isErrno(t.value.toUpperCase())) v = { kind: 'errno', name: known(t.value, t.col, 'errno', ERRNO_NAMES) };
  else fail(t.col, `expect: expected a number, size, errno or signal, got '${t.value}'`);
  if (op !== '==' && op !== '!=') fail(t.col, `expect: '${op}' cannot compare with ${t.raw}; use == or !=`);
  return v;
}

/**
 * CodeMirror support for the scenario language (SCENARIO.md): highlighting (a stream
 * tokenizer), completion of verbs, flags, task names and VMA labels, and inline errors from
 * the worker's parser (the same messages the CLI prints, at their line and column).
 */
import { autocompletion, type CompletionContext, type CompletionResult } from '@codemirror/autocomplete';
import { HighlightStyle, StreamLanguage, syntaxHighlighting, type StreamParser } from '@codemirror/language';
import { linter, type Diagnostic } from '@codemirror/lint';
import type { Extension } from '@codemirror/state';
import type { EditorView } from '@codemirror/view';
import { tags as t } from '@lezer/highlight';
import { MAP_FLAGS, VERBS } from '../../scenario/constants';
import type { ScriptError } from '../../worker/api';
import { store } from '../store';

interface LineState {
  /** Tokens seen on this line so far. */
  n: number;
}

const verbs = new Set(VERBS);

const parser: StreamParser<LineState> = {
  name: 'msh',
  startState: () => ({ n: 0 }),
  token(stream, state) {
    if (stream.sol()) state.n = 0;
    if (stream.eatSpace()) return null;
    // A chapter title runs up to a `#` outside a string (its comment, highlighted next), as
    // the parser reads it; a bare `##` or `## # ...` is a comment.
    if (stream.sol() && stream.match(/^##\s+(?=[^\s#])(?:[^#"]|"(?:[^"\\]|\\.)*"|")+/)) return 'heading';
    if (stream.peek() === '#') {
      stream.skipToEnd();
      return 'comment';
    }
    if (stream.peek() === '"') {
      stream.next();
      while (!stream.eol()) if (stream.next() === '"') break;
      return 'string';
    }
    state.n++;
    if (state.n === 1 && stream.match(/^[^\s:#]+:/)) {
      state.n = 0;
      return 'labelName';
    }
    if (stream.match(/^(==|!=|<=|>=|<|>)/)) return 'operator';
    if (stream.match(/^0x[0-9a-fA-F_]+\b/) || stream.match(/^\d[\d_]*[KMGT]?\b/)) return 'number';
    if (stream.match(/^[a-z_]+(?==)/)) return 'propertyName';
    const word = stream.match(/^[^\s#"]+/) as RegExpMatchArray | null;
    if (!word) {
      stream.next();
      return null;
    }
    if (state.n === 1 && verbs.has(word[0])) return 'keyword';
    if (/^(SIG[A-Z]+|E[A-Z0-9]+)$/.test(word[0])) return 'atom';
    return null;
  },
};

export const scenarioLanguage = StreamLanguage.define(parser);

const highlight = HighlightStyle.define([
  { tag: t.keyword, class: 'tok-verb' },
  { tag: t.labelName, class: 'tok-task' },
  { tag: t.number, class: 'tok-number' },
  { tag: t.string, class: 'tok-string' },
  { tag: t.comment, class: 'tok-comment' },
  { tag: t.heading, class: 'tok-heading' },
  { tag: t.propertyName, class: 'tok-key' },
  { tag: t.operator, class: 'tok-op' },
  { tag: t.atom, class: 'tok-atom' },
]);

function complete(ctx: CompletionContext): CompletionResult | null {
  const word = ctx.matchBefore(/[\w./{}-]*/);
  if (!word || (word.from === word.to && !ctx.explicit)) return null;
  const line = ctx.state.doc.lineAt(ctx.pos);
  const before = line.text.slice(0, word.from - line.from);
  const snap = store.getState().snapshot;
  const tasks = (snap?.tasks ?? []).filter((x) => x.state === 'running').map((x) => x.name);
  const labels = new Set<string>();
  for (const m of snap?.mms ?? []) for (const v of m.vmas) if (v.label) labels.add(v.label);
  const options: { label: string; type: string; detail?: string }[] = [];
  if (/^\s*$/.test(before)) {
    for (const v of VERBS) if (!['fork', 'thread', 'exit', 'mmap', 'munmap', 'mprotect', 'madvise', 'read', 'write', 'touch', 'run', 'join', 'open', 'close', 'ftruncate', 'ioctl', 'mshare_info', 'gup', 'unpin', 'uffd'].includes(v)) options.push({ label: v, type: 'keyword' });
    for (const n of tasks) options.push({ label: `${n}:`, type: 'variable', detail: 'task' });
  } else if (/^\s*[^\s:]+:\s*$/.test(before)) {
    for (const v of ['fork', 'thread', 'exit', 'mmap', 'munmap', 'mprotect', 'madvise', 'read', 'write', 'touch', 'run', 'join', 'open', 'close', 'ftruncate', 'ioctl', 'mshare_info', 'gup', 'unpin', 'uffd']) options.push({ label: v, type: 'keyword' });
  } else {
    for (const l of labels) options.push({ label: l, type: 'constant', detail: 'VMA label' });
    for (const f of MAP_FLAGS) options.push({ label: f, type: 'enum', detail: 'mmap flag' });
    for (const n of tasks) options.push({ label: n, type: 'variable', detail: 'task' });
    for (const k of ['auto', 'msharefs', 'create', 'as', 'read', 'write', 'rw', 'r', 'none', 'dontneed']) options.push({ label: k, type: 'keyword' });
  }
  return { from: word.from, options, validFor: /^[\w./{}-]*$/ };
}

/**
 * Highlighting + completion; `check` returns the parse errors of a document. `above` puts
 * the completion popup above the line when there is room (a one-line input at the bottom).
 */
export function scenarioSupport(check?: (source: string) => Promise<ScriptError[]>, opts: { above?: boolean } = {}): Extension[] {
  const ext: Extension[] = [scenarioLanguage, syntaxHighlighting(highlight), autocompletion({
    override: [complete], aboveCursor: !!opts.above, icons: false,
    // CodeMirror ignores completion keys for 75 ms after the popup opens; a quick "spaw<Tab>"
    // then moved the focus away instead of completing. The console's Enter runs the line and
    // never picks a completion, so there is nothing for the delay to guard against there.
    ...(opts.above ? { interactionDelay: 0 } : {}),
  })];
  if (check) {
    ext.push(
      linter(async (view: EditorView): Promise<Diagnostic[]> => {
        const errors = await check(view.state.doc.toString());
        const doc = view.state.doc;
        return errors.filter((e) => e.line >= 1 && e.line <= doc.lines).map((e) => {
          const line = doc.line(e.line);
          const from = Math.min(line.to, line.from + Math.max(0, e.col - 1));
          const to = Math.min(line.to, Math.max(from + 1, from + (/^\S*/.exec(line.text.slice(from - line.from))?.[0].length ?? 1)));
          return { from, to: Math.max(from, to), severity: 'error', message: `${e.line}:${e.col}: ${e.message}` };
        });
      }, { delay: 300 }),
    );
  }
  return ext;
}

/** Shared by the scenario front-end tests. */
import type { Command } from '../../src/scenario/ast';
import { formatError, parseScript } from '../../src/scenario/parser';

/** A command without line/col/text (and so its repeat body), for comparing ASTs. */
export function strip(c: Command): unknown {
  const { line: _l, col: _c, text: _t, ...rest } = c;
  if (rest.kind === 'repeat') return { ...rest, body: strip(rest.body) };
  return rest;
}

/** The one command of a one-line script, stripped; throws with the errors if it fails. */
export function one(src: string): unknown {
  const r = parseScript(src);
  if (!r.ok) throw new Error(r.errors.map(formatError).join('\n'));
  if (r.script.commands.length !== 1) throw new Error(`expected one command, got ${r.script.commands.length}`);
  return strip(r.script.commands[0]);
}

/** The formatted errors of a script ([] if it parses). */
export function errors(src: string, file = 't.msh'): string[] {
  const r = parseScript(src, file);
  return r.ok ? [] : r.errors.map(formatError);
}

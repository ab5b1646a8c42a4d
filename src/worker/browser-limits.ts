/**
 * What the browser build refuses before it allocates: a machine whose RAM (one
 * SharedArrayBuffer, plus checkpoints of up to as much again) is more than a tab can be
 * expected to get. The scenario language allows up to 4G (MAX_RAM, for `npm run sim`); the
 * explorer stops at BROWSER_MAX_RAM with a positioned message naming the limit, and turns an
 * allocation that fails anyway (RangeError: Array buffer allocation failed) into the same
 * kind of message instead of a stack trace.
 */
import { parseScript } from '../scenario/parser';
import type { ScriptError } from './runner-port';

import { BROWSER_MAX_RAM } from './browser-ram';

/** Largest simulated RAM the browser build accepts: 2 GiB (its own file, so the page's link check can import it without the parser). */
export { BROWSER_MAX_RAM };

function fmt(bytes: number): string {
  return bytes % 2 ** 30 === 0 ? `${bytes / 2 ** 30}G` : `${Math.round(bytes / 2 ** 20)}M`;
}

/** Where `ram=` is on the machine line (1-based column), or the line's start. */
function ramCol(src: string, line: number, col: number): number {
  const text = src.split('\n', line)[line - 1] ?? '';
  const i = text.search(/\bram=/);
  return i >= 0 ? i + 1 : col;
}

/** A positioned error if `src` asks for more RAM than the browser build allows; null otherwise. */
export function refuseInBrowser(src: string, file: string): ScriptError | null {
  const parsed = parseScript(src, file);
  if (!parsed.ok) return null; // createRunner reports the parse errors
  const m = parsed.script.commands.find((c) => c.kind === 'machine');
  const ram = m?.kind === 'machine' ? m.options.ram : undefined;
  if (!m || ram === undefined || ram <= BROWSER_MAX_RAM) return null;
  return {
    file,
    line: m.line,
    col: ramCol(src, m.line, m.col),
    message: `machine ram=${fmt(ram)}: the browser simulates at most ${fmt(BROWSER_MAX_RAM)} of RAM (one SharedArrayBuffer, plus checkpoints); use ram=${fmt(BROWSER_MAX_RAM)} or less, or run it with npm run sim`,
  };
}

/** Rewrites "machine: Array buffer allocation failed" into a message naming the limit. */
export function explainAllocationFailure(errors: ScriptError[]): ScriptError[] {
  return errors.map((e) =>
    /allocation failed|Array buffer|out of memory/i.test(e.message) && e.message.startsWith('machine')
      ? { ...e, message: `machine: the browser could not allocate the simulated RAM (${e.message.replace(/^machine:\s*/, '')}); try a smaller ram= (the browser limit is ${fmt(BROWSER_MAX_RAM)}, and other tabs share the memory)` }
      : e,
  );
}

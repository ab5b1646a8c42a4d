/**
 * Argument checks and call order for `window.mshareExplorer` (src/ui/test-api.ts and
 * src/ui/talk/test-api.ts). Pure, so tests/ui checks it in Node.
 *
 * A test author's wrong argument is refused before anything happens, with the function's
 * name, what it expected and what it got: `loadScenario(undefined)` reached the worker and
 * crashed it, `exec(42)` said "Cannot read properties of undefined (reading 'trim')" and
 * `goto(NaN)` went to step 0.
 */

import { VERBS } from '../scenario/constants';
import { didYouMean } from '../scenario/suggest';

/** How a refused argument is shown: `undefined`, `null`, `42`, `NaN`, `"tree"`, `an array`, `an object`. */
export function shown(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'function') return 'a function';
  return `an ${typeof v}`;
}

/** `v` if it is a string, else a TypeError `fn: expected WHAT (a string), got …`. */
export function stringArg(fn: string, what: string, v: unknown): string {
  if (typeof v !== 'string') throw new TypeError(`${fn}: expected ${what} (a string), got ${shown(v)}`);
  return v;
}

/**
 * `v` if it is true or false, else a TypeError: `setAnimations('no')` stored the string, which
 * is truthy (animations stayed on) and went into the saved session (review 20).
 */
export function boolArg(fn: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new TypeError(`${fn}: expected true or false, got ${shown(v)}`);
  return v;
}

/** A step number: an integer (a TypeError for a non-number, a RangeError for NaN, 2.5, Infinity). */
export function stepArg(fn: string, v: unknown): number {
  const msg = `${fn}: expected a step number (an integer), got ${shown(v)}`;
  if (typeof v !== 'number') throw new TypeError(msg);
  if (!Number.isInteger(v)) throw new RangeError(msg);
  return v;
}

/** loadScenario's options: none, or an object whose `run` is a boolean or left out. */
export function loadOptions(v: unknown): { run: boolean } {
  if (v === undefined) return { run: true };
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new TypeError(`loadScenario: expected options { run?: boolean }, got ${shown(v)}`);
  const run = (v as { run?: unknown }).run;
  if (run !== undefined && typeof run !== 'boolean') throw new TypeError(`loadScenario: expected options.run to be true or false, got ${shown(run)}`);
  return { run: run ?? true };
}

/**
 * loadScenario takes a built-in id or script text, told apart by an exact id match; any other
 * text went to the parser, so a mistyped or outdated id (`mshare-basics`) came back as
 * `1:1: unknown verb 'mshare-basics'`. Text that looks like an id (one word: no blank, colon,
 * `#` or quote) and is not a verb cannot be a script (every one-line script but a bare
 * `machine` has a blank or a `NAME:` prefix, and `machine` is a verb), so it is answered as
 * an id: the message for it, or null for anything else.
 */
export function unknownIdMessage(text: string, ids: readonly string[]): string | null {
  if (ids.includes(text) || !/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(text) || VERBS.includes(text)) return null;
  // A prefix first (the ids gained a year: mshare-basics-2024), then a typo.
  const near = ids.find((id) => id.startsWith(text)) ?? didYouMean(text, ids);
  return `loadScenario: no built-in scenario named '${text}'${near ? ` (did you mean '${near}'?)` : ''}`;
}

/**
 * Runs the calls given to it one at a time, in the order they were made: a test that fires
 * `loadScenario(...)` and then `execResult(...)` without awaiting gets the line run after the
 * load (before, it ran on the old script and the load replaced it: `steps: -34`, and the line
 * was not in source()). A call that fails does not stop the ones behind it.
 */
export function serializer(): <T>(fn: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const run = tail.then(fn);
    tail = run.catch(() => undefined);
    return run;
  };
}

/** The one queue every call of the test API (and its talk part) goes through. */
export const inOrder = serializer();

/**
 * Checks the lines a toolbar form is about to run, all of them, before any runs: a form that
 * runs several lines (msharefs Create region…, Attach…) used to run them one by one and stop
 * at the first that did not parse, leaving the ones before it in the script (a 512G region
 * opened and mapped, then `size 'abc'` failed on the third line).
 *
 * A line is built from pieces, some of them a form field's text, so an error's column names
 * the field it is in, and the form shows it next to that field.
 */
import { EngineLostError, engineReady } from './engine-client';
import { visibleControls } from './visible';

export type Piece = string | { field: string; text: string };

export interface BuiltLine {
  text: string;
  /** Where each field's text is in the line (0-based, end exclusive). */
  spans: { field: string; from: number; to: number }[];
}

export function buildLine(...pieces: Piece[]): BuiltLine {
  let text = '';
  const spans: BuiltLine['spans'] = [];
  for (const p of pieces) {
    if (typeof p === 'string') text += p;
    else {
      spans.push({ field: p.field, from: text.length, to: text.length + p.text.length });
      text += p.text;
    }
  }
  return { text, spans };
}

/** Field name -> message; `''` holds errors that are in no field. Empty when all parse. */
export type FieldErrors = Record<string, string>;

/**
 * Parses `lines` together in the worker (nothing runs) and returns the first error of each
 * field. `required` fields that are empty get "required" without asking the parser (an empty
 * name read as "open: expected F after 'as'").
 */
export async function checkLines(lines: BuiltLine[], required: Record<string, string> = {}): Promise<FieldErrors> {
  const out: FieldErrors = {};
  for (const [field, value] of Object.entries(required)) if (!value.trim()) out[field] = 'required';
  if (Object.keys(out).length) return out;
  let errors;
  try {
    errors = await (await engineReady()).check(lines.map((l) => l.text).join('\n'));
  } catch (e) {
    // The engine notice says what happened; running the lines then fails the same way.
    if (e instanceof EngineLostError) return out;
    throw e;
  }
  for (const e of errors) {
    const line = lines[e.line - 1];
    const at = e.col - 1;
    const span = line?.spans.find((s) => at >= s.from && at < Math.max(s.to, s.from + 1));
    const field = span?.field ?? '';
    out[field] ??= `${field ? '' : `line ${e.line}: `}${visibleControls(e.message)}`;
  }
  return out;
}

/**
 * Characters a message quotes from the user's script but a page would not show: control
 * characters (a NUL pasted into the script read as "unknown verb ' garbage'"), DEL, C1
 * controls, zero-width and bidirectional formatting marks. Each becomes a `\uXXXX` escape,
 * which reads the same in every font (a control picture such as ␀ needs a font that has it).
 * Newlines are kept: a message may have more than one line.
 */
const INVISIBLE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

export function visibleControls(text: string): string {
  return text.replace(INVISIBLE, (c) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`);
}

/** The same for a list of parse errors (their messages). */
export function visibleErrors<E extends { message: string }>(errors: readonly E[]): E[] {
  return errors.map((e) => ({ ...e, message: visibleControls(e.message) }));
}

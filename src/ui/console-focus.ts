/**
 * The console's editor view, for the `/` shortcut (set when the console mounts). The console
 * mounts only after the first scenario has run (App.tsx): a `/` pressed before that is kept,
 * and so is what is typed after it (type-ahead), to be put in the console when it mounts.
 * Without this, the first keys of a command typed right after the page opened were lost.
 *
 * Enter does not end the type-ahead: someone who typed one line and pressed Enter goes on
 * typing the next one, as they would in a mounted console. Each line ended by Enter is queued
 * and the keys after it keep being the console's until it mounts; the lines then run in the
 * order they were typed. (Ending it at Enter let the next line's `p` open presenter mode and
 * lost the line.)
 */
export interface ConsoleView {
  focus(): void;
  /** Puts `text` in the input (replacing what is there), the cursor at its end. */
  setText(text: string): void;
}

export const consoleFocus: { view: ConsoleView | null; pending: boolean; typed: string; lines: string[] } = {
  view: null,
  pending: false,
  /** The line being typed ahead (not ended by Enter yet). */
  typed: '',
  /** The lines typed ahead and ended by Enter, first typed first. */
  lines: [],
};

/** Focus the console now, or as soon as it mounts. */
export function focusConsole(): void {
  if (consoleFocus.view) consoleFocus.view.focus();
  else consoleFocus.pending = true;
}

/** Whether keys now are type-ahead for the console (so other shortcuts leave them alone). */
export function takingTypeAhead(): boolean {
  const c = consoleFocus;
  return c.pending && !c.view;
}

/**
 * A key pressed while the console is asked for but not mounted yet: printable characters,
 * Backspace and Enter are kept for it. Returns whether the key was kept.
 */
export function typeAhead(key: string): boolean {
  const c = consoleFocus;
  if (!takingTypeAhead()) return false;
  if (key.length === 1) c.typed += key;
  else if (key === 'Backspace') c.typed = c.typed.slice(0, -1);
  else if (key === 'Enter') endLine(c);
  else return false;
  return true;
}

/** Enter typed ahead: the line is queued to run (an empty one is nothing to run, as in the console). */
function endLine(c: typeof consoleFocus): void {
  if (c.typed.trim() !== '') c.lines.push(c.typed);
  c.typed = '';
}

/**
 * The console mounted: record its view and serve a `/` pressed before, with what was typed
 * after it. The lines ended by Enter are entered, first typed first, through `enter`, which
 * runs each once the one before has finished (the console runs its lines in turn); the line
 * still being typed goes in the input, so typing goes on there.
 */
export function consoleMounted(view: ConsoleView, enter: (line: string) => unknown): void {
  const c = consoleFocus;
  c.view = view;
  if (!c.pending) return;
  c.pending = false;
  const lines = c.lines;
  if (c.typed) view.setText(c.typed);
  view.focus();
  c.typed = '';
  c.lines = [];
  for (const line of lines) enter(line);
}

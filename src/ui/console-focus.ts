/**
 * The console's editor view, for the `/` shortcut (set when the console mounts). The console
 * mounts only after the first scenario has run (App.tsx): a `/` pressed before that is kept,
 * and so is what is typed after it (type-ahead), to be put in the console when it mounts.
 * Without this, the first keys of a command typed right after the page opened were lost.
 */
export interface ConsoleView {
  focus(): void;
  /** Puts `text` in the input (replacing what is there), the cursor at its end. */
  setText(text: string): void;
}

export const consoleFocus: { view: ConsoleView | null; pending: boolean; typed: string; enter: boolean } = {
  view: null,
  pending: false,
  typed: '',
  enter: false,
};

/** Focus the console now, or as soon as it mounts. */
export function focusConsole(): void {
  if (consoleFocus.view) consoleFocus.view.focus();
  else consoleFocus.pending = true;
}

/** Whether keys now are type-ahead for the console (so other shortcuts leave them alone). */
export function takingTypeAhead(): boolean {
  const c = consoleFocus;
  return c.pending && !c.view && !c.enter;
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
  else if (key === 'Enter') c.enter = c.typed.trim() !== '';
  else return false;
  return true;
}

/**
 * The console mounted: record its view and serve a `/` pressed before, with what was typed
 * after it (`submit` runs it when Enter was pressed too).
 */
export function consoleMounted(view: ConsoleView, submit: () => void): void {
  const c = consoleFocus;
  c.view = view;
  if (!c.pending) return;
  c.pending = false;
  if (c.typed) view.setText(c.typed);
  view.focus();
  const enter = c.enter;
  c.typed = '';
  c.enter = false;
  if (enter) submit();
}

/**
 * The console's editor view, for the `/` shortcut (set when the console mounts). The console
 * mounts only after the first scenario has run (App.tsx): a `/` pressed before that is kept
 * and served when it mounts.
 */
export const consoleFocus: { view: { focus(): void } | null; pending: boolean } = { view: null, pending: false };

/** Focus the console now, or as soon as it mounts. */
export function focusConsole(): void {
  if (consoleFocus.view) consoleFocus.view.focus();
  else consoleFocus.pending = true;
}

/** The console mounted: record its view and serve a `/` pressed before. */
export function consoleMounted(view: { focus(): void }): void {
  consoleFocus.view = view;
  if (consoleFocus.pending) {
    consoleFocus.pending = false;
    view.focus();
  }
}

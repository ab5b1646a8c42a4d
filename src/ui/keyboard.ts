/**
 * Global keys: ← / → step, space plays or pauses, / focuses the console. Ignored while the
 * focus is in a text field, an editor or a select. Keys typed after `/` before the console has
 * mounted go to it (console-focus.ts).
 */
import { stepBack, stepForward, togglePlay } from './actions';
import { typeAhead } from './console-focus';

export function installKeyboard(focusConsole: () => void): () => void {
  const onKey = (e: KeyboardEvent) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    // The editors live in shadow roots: the event's target is retargeted to the host.
    const el = (e.composedPath()[0] ?? e.target) as HTMLElement | null;
    // Typed after `/` before the console is there: kept for it (console-focus.ts).
    if (typeAhead(e.key)) {
      e.preventDefault();
      return;
    }
    if (el instanceof HTMLElement && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName) || el.closest('dialog[open]'))) return;
    if (e.key === 'ArrowRight') void stepForward();
    else if (e.key === 'ArrowLeft') void stepBack();
    else if (e.key === ' ' && !(el && el.tagName === 'BUTTON')) togglePlay();
    else if (e.key === '/') focusConsole();
    else return;
    e.preventDefault();
  };
  window.addEventListener('keydown', onKey);
  return () => window.removeEventListener('keydown', onKey);
}

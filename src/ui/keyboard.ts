/**
 * Global keys: ← / → step, space plays or pauses, / focuses the console. Ignored while the
 * focus is in a text field, an editor, a select, a dialog or a menu (`keysBelongToTarget`,
 * shared with the talk keys, talk/keys.ts); the arrows and space are also left to an element
 * that handles them itself (a tab, a slider, an SVG box with role=button, a <summary>) and to
 * a key some handler already took (defaultPrevented). Keys typed after `/` before the console
 * has mounted go to it (console-focus.ts).
 */
import { stepBack, stepForward, togglePlay } from './actions';
import { typeAhead } from './console-focus';
import { spacePresses } from './views/press-key';

/** The element a key went to: the editors live in shadow roots, where the event's target is retargeted to the host. */
export function keyTarget(e: KeyboardEvent): Element | null {
  const el = e.composedPath()[0] ?? e.target;
  return el instanceof Element ? el : null;
}

/**
 * Whether every key belongs to where the focus is: a text field, an editor, a select, or
 * anything in a dialog (modal or not: the Tour card, the popovers) or a menu. Neither the
 * global keys nor the talk keys act on it.
 */
export function keysBelongToTarget(el: Element | null): boolean {
  if (!el) return false;
  if (el instanceof HTMLElement && el.isContentEditable) return true;
  return /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName) || !!el.closest('dialog[open], [role="dialog"], [role="menu"]');
}

/** Elements that take the arrows and space themselves (the ARIA patterns for their roles). */
/** Elements that use the arrows themselves (a tab list moves between its tabs). */
const OWN_ARROWS = '[role="tab"], select, [role="slider"]';
/** Elements that Space presses (a drawing's role=button too, unless the pointer focused it). */
const OWN_SPACE = 'button, summary, select, [role="tab"], [role="slider"]';

/**
 * Whether the arrows or space (`key`) pressed on `el` are the element's. A process box, VMA or
 * tree toggle clicked with the mouse keeps the arrows stepping and Space playing: a button has
 * no use for the arrows, and Space presses it only when the focus came from the keyboard.
 */
export function elementTakesKey(el: Element | null, key: string): boolean {
  if (!el) return false;
  if (key === ' ') return el.matches(OWN_SPACE) || (el.matches('[role="button"]') && spacePresses(el));
  return key.startsWith('Arrow') && el.matches(OWN_ARROWS);
}

export function installKeyboard(focusConsole: () => void): () => void {
  const onKey = (e: KeyboardEvent) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const el = keyTarget(e);
    // Typed after `/` before the console is there: kept for it (console-focus.ts).
    if (typeAhead(e.key)) {
      e.preventDefault();
      return;
    }
    if (e.defaultPrevented || keysBelongToTarget(el) || elementTakesKey(el, e.key)) return;
    if (e.key === 'ArrowRight') void stepForward();
    else if (e.key === 'ArrowLeft') void stepBack();
    else if (e.key === ' ') togglePlay();
    else if (e.key === '/') focusConsole();
    else return;
    e.preventDefault();
  };
  window.addEventListener('keydown', onKey);
  return () => window.removeEventListener('keydown', onKey);
}

/**
 * The ARIA tabs pattern's keys for a tablist whose tabs are `ids` (selected: `current`):
 * Left/Right (wrapping), Home and End select a tab and move the focus to it. A keydown
 * handler for the tablist; `tabId` gives a tab's element id.
 */
export function tablistKeys<T extends string>(ids: readonly T[], current: T, select: (id: T) => void, tabId: (id: T) => string) {
  return (e: React.KeyboardEvent<HTMLElement>) => {
    if (e.ctrlKey || e.metaKey || e.altKey || !(e.target as Element).matches('[role="tab"]')) return;
    const i = ids.indexOf(current);
    let next: number;
    if (e.key === 'ArrowRight') next = (i + 1) % ids.length;
    else if (e.key === 'ArrowLeft') next = (i - 1 + ids.length) % ids.length;
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = ids.length - 1;
    else return;
    e.preventDefault();
    select(ids[next]);
    document.getElementById(tabId(ids[next]))?.focus();
  };
}

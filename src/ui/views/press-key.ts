/**
 * Space on a focused role=button of a drawing (a process box, a VMA, a tree toggle) presses it
 * only when the focus did not come from the pointer. After a click on a box, Space plays the
 * timeline as it does from the page (keyboard.ts), rather than pressing the box the user just
 * clicked once more. (:focus-visible cannot tell: the first arrow key pressed after the click
 * makes it match.) Enter always presses.
 */
let pointerFocused: Element | null = null;
if (typeof document !== 'undefined') {
  document.addEventListener('pointerdown', (e) => {
    pointerFocused = e.target instanceof Element ? e.target.closest('[role="button"]') : null;
  }, true);
  document.addEventListener('focusout', (e) => {
    if (e.target === pointerFocused) pointerFocused = null;
  }, true);
}

/** Whether Space pressed on the focused `el` is its own (it was not focused by the pointer). */
export function spacePresses(el: Element): boolean {
  return el !== pointerFocused;
}

/** Whether a key pressed on a drawing's role=button presses it. */
export function pressesButton(e: KeyboardEvent): boolean {
  if (e.key === 'Enter') return true;
  if (e.key !== ' ') return false;
  const el = e.currentTarget;
  return el instanceof Element && spacePresses(el);
}

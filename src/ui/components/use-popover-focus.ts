/**
 * Keyboard and focus behaviour shared by the toolbar's popovers (mmap, mprotect, Touch,
 * msharefs, Share, Export), non-modal dialogs that hang from a button:
 *
 * - on open, the first control inside takes the focus;
 * - Esc while one is open closes it, wherever the focus is (still on its button too), and
 *   gives the focus back to its button; so do its Close button and its form's submit;
 * - light dismiss: focus moving outside the button and its popover (Tab past the last
 *   control, a click elsewhere) closes it and leaves the focus where it went;
 * - when the focused control disappears from the popover (the msharefs menu replaced by a
 *   form, a "Mount msharefs" button gone once mounted), the first control of what is there
 *   now takes the focus, not <body>.
 *
 * Called by the popover itself (mounted only while open), whose parent element holds the
 * button that opens it as a direct child (the `.popover-wrap`).
 */
import { useCallback, useEffect, useRef, type RefObject } from 'react';

const FOCUSABLE = 'input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), button:not([disabled]), a[href], [tabindex]:not([tabindex="-1"])';

/** The first control in `el` that takes the focus (not hidden by display: none). */
export function firstFocusable(el: HTMLElement): HTMLElement | null {
  for (const c of el.querySelectorAll<HTMLElement>(FOCUSABLE)) if (c.getClientRects().length > 0) return c;
  return null;
}

function openerOf(el: HTMLElement): HTMLElement | null {
  return el.parentElement?.querySelector<HTMLElement>(':scope > button') ?? null;
}

/**
 * `ref`: the popover element; `close`: hides it (the owner's state). Returns the close to use
 * for its own Close button and submits: it also gives the focus back to the opening button.
 */
export function usePopoverFocus(ref: RefObject<HTMLElement | null>, close: () => void): () => void {
  const closeRef = useRef(close);
  closeRef.current = close;

  const closeAndReturn = useCallback(() => {
    const el = ref.current;
    const opener = el && openerOf(el);
    closeRef.current();
    opener?.focus();
  }, [ref]);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const wrap = el.parentElement ?? el;
    const outside = (t: EventTarget | null) => t instanceof Node && !wrap.contains(t);
    let last: HTMLElement | null = null;

    // Capture on window: before the page's other keys (the tour's Esc, the timeline's), so
    // one Esc closes the popover and nothing else.
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || e.defaultPrevented) return;
      e.preventDefault();
      e.stopPropagation();
      closeAndReturn();
    };
    const onFocusIn = (e: FocusEvent) => {
      if (outside(e.target)) closeRef.current();
      else if (e.target instanceof HTMLElement && el.contains(e.target)) last = e.target;
    };
    const onPointerDown = (e: PointerEvent) => {
      if (outside(e.target)) closeRef.current();
    };
    // The focused control was removed (not just disabled): focus what replaced it.
    const observer = new MutationObserver(() => {
      const active = document.activeElement;
      if (last && !last.isConnected && (!active || active === document.body)) {
        last = null;
        firstFocusable(el)?.focus({ preventScroll: true });
      }
    });
    observer.observe(el, { childList: true, subtree: true });
    window.addEventListener('keydown', onKey, true);
    document.addEventListener('focusin', onFocusIn);
    document.addEventListener('pointerdown', onPointerDown, true);
    // After the listeners, so the focusin records it as the last focused control.
    firstFocusable(el)?.focus({ preventScroll: true }); // no scroll: at 640 px a popover past the edge scrolled the page sideways
    return () => {
      observer.disconnect();
      window.removeEventListener('keydown', onKey, true);
      document.removeEventListener('focusin', onFocusIn);
      document.removeEventListener('pointerdown', onPointerDown, true);
    };
  }, [ref, closeAndReturn]);

  return closeAndReturn;
}

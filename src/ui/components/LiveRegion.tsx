/**
 * A polite live region, visually hidden: a screen reader reads its text when it changes. The
 * timeline and presenter mode each have one, for the step and caption after stepping.
 */
import { useEffect, useRef, useState, type CSSProperties } from 'react';

/** Hidden from view, not from assistive technology (display: none would hide it from both). */
const VISUALLY_HIDDEN: CSSProperties = {
  position: 'absolute',
  width: 1,
  height: 1,
  margin: -1,
  padding: 0,
  border: 0,
  overflow: 'hidden',
  clip: 'rect(0 0 0 0)',
  clipPath: 'inset(50%)',
  whiteSpace: 'nowrap',
};

export function LiveRegion({ text, testId }: { text: string; testId: string }) {
  return (
    <div aria-live="polite" aria-atomic="true" style={VISUALLY_HIDDEN} data-testid={testId}>
      {text}
    </div>
  );
}

/** What the live regions say after a step: "Step 11 of 34: Fork — the child shares the PUD". */
export function stepAnnouncement(step: string, total: string, caption: string): string {
  return `Step ${step} of ${total}${caption ? `: ${caption}` : ''}`;
}

/**
 * Whether the user has pressed a key or a pointer on the page yet. Not navigator.userActivation:
 * it is already set on a page the browser navigated to, and the first scenario's run was read out.
 */
let acted = false;
const userActed = (): boolean => acted;
if (typeof window !== 'undefined') {
  const on = () => {
    acted = true;
    window.removeEventListener('keydown', on, true);
    window.removeEventListener('pointerdown', on, true);
  };
  window.addEventListener('keydown', on, true);
  window.addEventListener('pointerdown', on, true);
}

/**
 * What a live region says about the timeline's position: `text()` where the timeline came to
 * rest at another step, read when it stops (a step, the end of play or of a run), never on
 * play's ticks, so playing at 10 steps/s does not flood the screen reader; nothing for the
 * step the view opened at, nor for the scenario the page opens with, before the user has
 * done anything (pressed a key, clicked).
 */
export function useStepAnnouncement(position: number, busy: boolean, text: () => string): string {
  const [said, setSaid] = useState('');
  const settledAt = useRef<number | null>(null);
  useEffect(() => {
    if (busy) return;
    if (settledAt.current !== null && settledAt.current !== position && userActed()) setSaid(text());
    settledAt.current = position;
  }, [busy, position]); // eslint-disable-line react-hooks/exhaustive-deps -- the text where the timeline stopped
  return said;
}

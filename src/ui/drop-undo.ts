/**
 * The "Dropped N later steps" notice and its Undo (src/ui/dropped.ts has the words).
 *
 * Undo is multi-level: every drop pushes the script as it was before it (with its step) onto
 * a stack, and the notice offers the newest. Undo loads that script back and then offers the
 * one before it, so a second drop no longer takes away the Undo of the first. One notice is
 * shown at a time (the newest drop's). A load or a restart forgets the whole stack (Undo
 * would bring back a script the user has since replaced), and so does dismissing the notice:
 * the user declined it. Lines run after a drop are counted into its text, because Undo
 * restores the script as it was before the drop and so removes them as well.
 */
import { dropNotice, type Drop } from './dropped';
import { dismiss, noticeStore, notify, updateNotice } from './persist/notices';

interface Offer {
  /** The notice while it is shown (only the newest offer's is). */
  noticeId: number | null;
  drop: Drop;
  since: number;
  restore: () => Promise<void>;
}

const stack: Offer[] = [];
/** While an Undo loads its script back: that load must not forget the older offers. */
let undoing = false;

function show(o: Offer): void {
  const { title, text } = dropNotice(o.drop, o.since);
  o.noticeId = notify({
    kind: 'dropped',
    title,
    text,
    actions: [{ label: 'Undo', run: () => undo(o) }],
  });
}

function shown(o: Offer): boolean {
  return o.noticeId !== null && noticeStore.getState().notices.some((n) => n.id === o.noticeId);
}

function hide(o: Offer): void {
  if (o.noticeId !== null) dismiss(o.noticeId);
  o.noticeId = null;
}

async function undo(o: Offer): Promise<void> {
  if (stack[stack.length - 1] !== o) return;
  stack.pop();
  hide(o);
  undoing = true;
  try {
    await o.restore();
  } finally {
    undoing = false;
  }
  const prev = stack[stack.length - 1];
  if (prev) show(prev);
}

/** Shows the notice for `drop`; its Undo calls `restore` (which loads the old script back). */
export function offerUndo(drop: Drop, restore: () => Promise<void>): void {
  const top = stack[stack.length - 1];
  // Its notice gone (dismissed), the user declined those Undos.
  if (top && !shown(top)) forgetUndo(true);
  // Kept with its count: Undo of this drop brings back the script that count describes.
  else if (top) hide(top);
  const o: Offer = { noticeId: null, drop, since: 0, restore };
  stack.push(o);
  show(o);
}

/** A line ran without dropping anything: if an Undo is on offer, its text counts the line. */
export function noteLineRun(): void {
  const top = stack[stack.length - 1];
  if (!top) return;
  top.since++;
  if (top.noticeId === null || !updateNotice(top.noticeId, dropNotice(top.drop, top.since))) forgetUndo(true); // dismissed
}

/** How many drops Undo can take back, newest first (for tests and the console). */
export function undoDepth(): number {
  return stack.length;
}

/** The script was replaced (or the notice dismissed): Undo no longer applies. */
export function forgetUndo(force = false): void {
  if (undoing && !force) return;
  for (const o of stack.splice(0)) hide(o);
}

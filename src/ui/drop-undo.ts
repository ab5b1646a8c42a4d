/**
 * The "Dropped N later steps" notice and its Undo (src/ui/dropped.ts has the words). One at
 * a time: a newer drop replaces it, and a load or a restart forgets it (Undo would bring back
 * a script the user has since replaced). Lines run after the drop are counted into the text,
 * because Undo restores the script as it was before the drop and so removes them as well.
 */
import { dropNotice, type Drop } from './dropped';
import { dismiss, notify, updateNotice } from './persist/notices';

interface Offer {
  noticeId: number;
  drop: Drop;
  since: number;
}

let offer: Offer | null = null;

/** Shows the notice for `drop`; its Undo calls `restore` (which loads the old script back). */
export function offerUndo(drop: Drop, restore: () => Promise<void>): void {
  forgetUndo();
  const { title, text } = dropNotice(drop, 0);
  const noticeId = notify({
    kind: 'dropped',
    title,
    text,
    actions: [{ label: 'Undo', run: () => { offer = null; return restore(); } }],
  });
  offer = { noticeId, drop, since: 0 };
}

/** A line ran without dropping anything: if an Undo is on offer, its text counts the line. */
export function noteLineRun(): void {
  if (!offer) return;
  offer.since++;
  if (!updateNotice(offer.noticeId, dropNotice(offer.drop, offer.since))) offer = null; // dismissed
}

/** The script was replaced: Undo no longer applies. */
export function forgetUndo(): void {
  if (offer) dismiss(offer.noticeId);
  offer = null;
}

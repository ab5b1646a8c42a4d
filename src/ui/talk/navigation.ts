/**
 * Moving through a talk: steps and chapters. A marker at step index i is "reached" once
 * i < position (the heading or note line itself has run), as in the timeline; the caption
 * at a position is in navigation-pure.ts.
 */
import { gotoStep, stepBack, stepForward } from '../actions';
import { store } from '../store';
import type { Marker } from '../../worker/api';

/**
 * Goes to step `target`, stopping at every chapter and note on the way forward. A long run
 * publishes the counters only a few times a second; the stops make sure the chart has a
 * point at each marker (authors put notes right after the interesting steps, e.g. a peak).
 */
export async function travel(target: number): Promise<void> {
  const { position, chapters, notes } = store.getState();
  if (target > position + 1) {
    const stops = [...new Set([...chapters, ...notes].map((m) => m.index + 1))].filter((i) => i > position && i < target).sort((a, b) => a - b);
    for (const i of stops) await gotoStep(i);
  }
  await gotoStep(target);
}

/** The position that shows chapter `c`: just after its heading. */
const startOf = (c: Marker) => c.index + 1;

/**
 * Key presses queue up: each move starts from where the previous one ended (a chapter jump
 * is several calls; a second press must not interleave with them).
 */
let queue: Promise<void> = Promise.resolve();
function queued(move: () => Promise<void>): Promise<void> {
  queue = queue.then(move, move);
  return queue;
}

export function nextStep(): Promise<void> {
  return queued(() => stepForward());
}

export function prevStep(): Promise<void> {
  return queued(() => stepBack());
}

/** Where the talk begins (Home): the first chapter's start; the steps before it set the machine up. */
export function firstChapter(): Promise<void> {
  return queued(() => {
    const { chapters } = store.getState();
    return travel(chapters.length ? startOf(chapters[0]) : 0);
  });
}

/**
 * The end of the talk: its last step (End). It went to the last chapter's start, which left
 * the last slide's steps (and its note) unseen, under a hint that promised "last".
 */
export function lastStep(): Promise<void> {
  return queued(() => travel(store.getState().total));
}

export function nextChapter(): Promise<void> {
  return queued(() => {
    const { chapters, position, total } = store.getState();
    const next = chapters.find((c) => startOf(c) > position);
    return travel(next ? startOf(next) : total);
  });
}

/** To the start of this chapter, or of the previous one when already there. */
export function prevChapter(): Promise<void> {
  return queued(() => {
    const { chapters, position } = store.getState();
    const before = chapters.filter((c) => startOf(c) < position);
    const target = before[before.length - 1];
    return travel(target ? startOf(target) : 0);
  });
}

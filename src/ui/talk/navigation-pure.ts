/** The caption at a position: pure, shared by presenter/embed mode and the unit tests. */
import type { Marker } from '../../worker/api';

export interface Caption {
  chapter: Marker | undefined;
  /** The chapter's number (1-based) and how many there are. */
  chapterNo: number;
  chapterCount: number;
  /** The latest note of this chapter (none before its first note). */
  note: Marker | undefined;
}

export function latestMarker(list: Marker[], position: number): Marker | undefined {
  let best: Marker | undefined;
  for (const m of list) if (m.index < position) best = m;
  return best;
}

export function captionAt(chapters: Marker[], notes: Marker[], position: number): Caption {
  const chapter = latestMarker(chapters, position);
  const note = latestMarker(notes, position);
  return {
    chapter,
    chapterNo: chapter ? chapters.indexOf(chapter) + 1 : 0,
    chapterCount: chapters.length,
    note: note && (!chapter || note.index > chapter.index) ? note : undefined,
  };
}


/**
 * The presenter's heading and chapter count at a caption. Before the first chapter (the
 * steps that set the machine up) the heading says "Start" and the count "before chapter 1
 * of 3": it said "chapter 0 of 3" under an empty heading.
 */
export function chapterHeading(c: Caption): string {
  return c.chapter?.title ?? 'Start';
}

export function chapterProgress(c: Caption): string {
  if (c.chapterCount === 0) return '';
  return c.chapterNo === 0 ? `before chapter 1 of ${c.chapterCount}` : `chapter ${c.chapterNo} of ${c.chapterCount}`;
}

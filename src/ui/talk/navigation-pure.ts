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


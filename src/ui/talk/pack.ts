/** The talk pack and chapter lists for the gallery and presenter mode. */
import { chapters } from '../../scenario/builtins/index';
import { findScenario, TALK_PACK, type GalleryEntry } from '../scenarios/gallery';
import { parseViewList, type TalkViewId } from './views';

export interface TalkEntry {
  entry: GalleryEntry;
  views: TalkViewId[];
  chapters: string[];
}

export function talkPack(): TalkEntry[] {
  const out: TalkEntry[] = [];
  for (const p of TALK_PACK) {
    const entry = findScenario(p.id);
    if (entry) out.push({ entry, views: parseViewList(p.views.join(','), 2), chapters: chapters(entry.source) });
  }
  return out;
}

/** The views presenter mode opens for built-in `id`, when it is in the pack. */
export function packViews(id: string): TalkViewId[] | null {
  const p = TALK_PACK.find((x) => x.id === id);
  return p ? parseViewList(p.views.join(','), 2) : null;
}

export { chapters };

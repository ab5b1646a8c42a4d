/**
 * The scenario gallery: the built-in scenarios of src/scenario/builtins when that module
 * exists (found with import.meta.glob so the app builds before it lands), else the inline
 * default. The first open runs the built-in whose id contains "mshare" (the basics).
 */
import { DEFAULT_SCENARIO } from './default';

export interface GalleryEntry {
  id: string;
  title: string;
  description: string;
  source: string;
}

interface BuiltinsModule {
  BUILTINS?: GalleryEntry[];
  builtins?: GalleryEntry[];
  default?: GalleryEntry[];
  /** The talk pack: ids in talk order with the views presenter mode opens for each. */
  TALK_PACK?: readonly { id: string; views: readonly string[] }[];
}

const found = import.meta.glob<BuiltinsModule>('../../scenario/builtins/index.ts', { eager: true });

function fromModule(): GalleryEntry[] {
  for (const mod of Object.values(found)) {
    const list = mod.BUILTINS ?? mod.builtins ?? mod.default;
    if (Array.isArray(list) && list.length) return list;
  }
  return [];
}

const INLINE: GalleryEntry = {
  id: 'mshare-basics',
  title: 'mshare basics',
  description: 'Three processes share one set of page tables for an 8 MiB region through msharefs.',
  source: DEFAULT_SCENARIO,
};

export const GALLERY: GalleryEntry[] = (() => {
  const list = fromModule();
  return list.length ? list : [INLINE];
})();

/** The talk pack (src/scenario/builtins/index.ts TALK_PACK), only entries that exist. */
export const TALK_PACK: readonly { id: string; views: readonly string[] }[] = (() => {
  for (const mod of Object.values(found)) if (Array.isArray(mod.TALK_PACK)) return mod.TALK_PACK.filter((p) => GALLERY.some((g) => g.id === p.id));
  return [];
})();

export function findScenario(id: string): GalleryEntry | undefined {
  return GALLERY.find((g) => g.id === id);
}

/** The built-in with "mshare" in its id (the basics first), else the first one. */
export function defaultScenario(): GalleryEntry {
  return (
    GALLERY.find((g) => /mshare.*basic|basic.*mshare/.test(g.id)) ??
    GALLERY.find((g) => g.id.includes('mshare')) ??
    GALLERY[0] ?? INLINE
  );
}

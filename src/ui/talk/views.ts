/**
 * The views presenter mode, embed mode, permalinks and export know by name. The names are
 * part of the URL formats (`?embed&views=tree,chart`), so keep them stable.
 */
export const TALK_VIEWS = ['tree', 'chart', 'processes', 'addrspace', 'physmem', 'counters'] as const;
export type TalkViewId = (typeof TALK_VIEWS)[number];

export const VIEW_TITLES: Record<TalkViewId, string> = {
  tree: 'Page-table tree',
  chart: 'PageTables chart',
  processes: 'Processes and mm_structs',
  addrspace: 'Address space',
  physmem: 'Physical memory',
  counters: 'Counters',
};

export const DEFAULT_PAIR: readonly TalkViewId[] = ['tree', 'chart'];

export function isTalkView(x: string): x is TalkViewId {
  return (TALK_VIEWS as readonly string[]).includes(x);
}

/** `tree,chart` -> ['tree', 'chart']: known names only, no repeats, at most `max`. */
export function parseViewList(text: string | null | undefined, max = 4): TalkViewId[] {
  const out: TalkViewId[] = [];
  for (const part of (text ?? '').split(/[,\s]+/)) {
    const v = part.trim().toLowerCase();
    if (isTalkView(v) && !out.includes(v) && out.length < max) out.push(v);
  }
  return out;
}

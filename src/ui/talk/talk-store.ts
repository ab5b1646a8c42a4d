/**
 * Talk-mode UI state (presenter, embed, the link notice, sharing): a zustand vanilla store
 * of its own, next to the main store (src/ui/store.ts), so talk mode adds no fields there.
 */
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import { DEFAULT_PAIR, type TalkViewId } from './views';

export type TalkMode = 'normal' | 'presenter' | 'embed';
/** How two views share the screen: `auto` stacks wide views (tree, address space). */
export type TalkLayout = 'auto' | 'columns' | 'rows';

export interface Notice {
  kind: 'error' | 'info';
  text: string;
}

export interface ShareState {
  link: string;
  copied: boolean;
  error?: string;
}

export interface TalkState {
  mode: TalkMode;
  /** The views presenter/embed mode shows, in order (one or two; embed allows more). */
  views: TalkViewId[];
  layout: TalkLayout;
  /** Embed mode: show the chapter/note caption too (`&caption`). */
  caption: boolean;
  /** A message for the reader (a bad link, a link too long to make). */
  notice: Notice | null;
  share: ShareState | null;
  /** Embed mode's `&autoplay=SPEED` (steps per second), null without it. */
  autoplay: number | null;
  /** Progress of a timeline export. */
  exporting: { done: number; total: number } | null;
}

export const talkStore = createStore<TalkState>(() => ({
  mode: 'normal',
  views: [...DEFAULT_PAIR],
  layout: 'auto',
  caption: false,
  notice: null,
  share: null,
  autoplay: null,
  exporting: null,
}));

export function useTalk<T>(selector: (s: TalkState) => T): T {
  return useStore(talkStore, selector);
}

export function notify(kind: Notice['kind'], text: string): void {
  talkStore.setState({ notice: { kind, text } });
}

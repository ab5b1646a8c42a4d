/** Entering and leaving presenter mode, and the browser's full screen. */
import { store } from '../store';
import { packViews } from './pack';
import { talkStore } from './talk-store';
import { DEFAULT_PAIR, type TalkViewId } from './views';

/**
 * Presenter mode with `views`, else the talk pack's views for this scenario, else the last
 * used; never with none (a blank slide whose view picker still said "Page-table tree").
 */
export function enterPresenter(views?: TalkViewId[]): void {
  const name = store.getState().scriptName.replace(/\.msh$/, '');
  const chosen = views?.length ? views : packViews(name) ?? talkStore.getState().views;
  const unique = chosen.filter((v, i) => chosen.indexOf(v) === i).slice(0, 2);
  talkStore.setState({ mode: 'presenter', views: unique.length ? unique : [...DEFAULT_PAIR] });
}

export function exitPresenter(): void {
  talkStore.setState({ mode: 'normal' });
  if (document.fullscreenElement) void document.exitFullscreen().catch(() => {});
}

export function toggleFullscreen(): void {
  if (document.fullscreenElement) void document.exitFullscreen().catch(() => {});
  else void document.documentElement.requestFullscreen?.().catch(() => {});
}

/** Entering and leaving presenter mode, and the browser's full screen. */
import { store } from '../store';
import { packViews } from './pack';
import { talkStore } from './talk-store';
import type { TalkViewId } from './views';

/** Presenter mode with `views`, else the talk pack's views for this scenario, else the last used. */
export function enterPresenter(views?: TalkViewId[]): void {
  const name = store.getState().scriptName.replace(/\.msh$/, '');
  const chosen = views ?? packViews(name) ?? talkStore.getState().views;
  talkStore.setState({ mode: 'presenter', views: chosen.slice(0, 2) });
}

export function exitPresenter(): void {
  talkStore.setState({ mode: 'normal' });
  if (document.fullscreenElement) void document.exitFullscreen().catch(() => {});
}

export function toggleFullscreen(): void {
  if (document.fullscreenElement) void document.exitFullscreen().catch(() => {});
  else void document.documentElement.requestFullscreen?.().catch(() => {});
}

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

/**
 * Back to the normal layout, the focus on the toolbar's Present button (the layout's
 * controls were unmounted while presenting: the focus would be left on <body>).
 */
export function exitPresenter(): void {
  const was = talkStore.getState().mode;
  talkStore.setState({ mode: 'normal' });
  if (document.fullscreenElement) void document.exitFullscreen().catch(() => {});
  if (was !== 'normal') focusPresentButton();
}

/** The button named "Present" (TalkButtons.tsx), as getByRole would find it by name. */
function presentButton(): HTMLButtonElement | undefined {
  return [...document.querySelectorAll('button')].find((b) => (b.getAttribute('aria-label') ?? b.textContent ?? '').trim() === 'Present');
}

/** Focuses the Present button once React has drawn the normal layout again (a frame or two). */
function focusPresentButton(frames = 10): void {
  requestAnimationFrame(() => {
    if (talkStore.getState().mode !== 'normal') return;
    const b = presentButton();
    if (b) {
      // Unless the user has put the focus somewhere meanwhile.
      if (document.activeElement === document.body || document.activeElement === null) b.focus();
    } else if (frames > 1) focusPresentButton(frames - 1);
  });
}

export function toggleFullscreen(): void {
  if (document.fullscreenElement) void document.exitFullscreen().catch(() => {});
  else void document.documentElement.requestFullscreen?.().catch(() => {});
}

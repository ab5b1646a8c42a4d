/**
 * Talk-mode keys, in the capture phase so they win over the global keys (src/ui/keyboard.ts)
 * while presenter or embed mode is on:
 *
 *   p                      presenter mode on (normal layout) / off
 *   → Space PageDown       next step          (PageDown/PageUp: what presentation clickers send)
 *   ← PageUp Backspace     previous step
 *   Shift+→ / Shift+←      next / previous chapter
 *   Home / End             start of the first chapter / last step of the talk
 *   f                      browser full screen on/off
 *   Esc                    leave presenter mode
 *
 * In embed mode with autoplay, Space pauses and resumes. Keys typed into a text field, an
 * editor, a select, a dialog or a menu are left alone (keysBelongToTarget, the same test the
 * global keys make), and so is Space on a button or another element it activates. Also
 * installs the hashchange listener that opens a link pasted into the address bar (boot.ts).
 */
import { store } from '../store';
import { togglePlay } from '../actions';
import { firstChapter, lastStep, nextChapter, nextStep, prevChapter, prevStep } from './navigation';
import { enterPresenter, exitPresenter, toggleFullscreen } from './presenter-actions';
import { talkStore } from './talk-store';
import { takingTypeAhead } from '../console-focus';
import { keyTarget, keysBelongToTarget } from '../keyboard';
import { installLinkListener, stopAutoplay } from './boot';

const typing = (e: KeyboardEvent): boolean => keysBelongToTarget(keyTarget(e));

/** Space on a focused button (the footer's, an SVG box with role=button) or a <summary>: it activates that. */
const activatesTarget = (e: KeyboardEvent): boolean => e.key === ' ' && !!keyTarget(e)?.matches('button, [role="button"], summary, a[href]');

export function installTalkKeys(): () => void {
  const onKey = (e: KeyboardEvent) => {
    // After `/` before the console has mounted, keys are the console's (console-focus.ts).
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e) || takingTypeAhead()) return;
    const mode = talkStore.getState().mode;
    if (mode === 'normal') {
      if (e.key === 'p' && !e.shiftKey) {
        enterPresenter();
        e.preventDefault();
        e.stopImmediatePropagation();
      }
      return;
    }
    const autoplaying = mode === 'embed' && (store.getState().playing || store.getState().running);
    switch (e.key) {
      case 'ArrowRight':
        if (autoplaying) stopAutoplay();
        void (e.shiftKey ? nextChapter() : nextStep());
        break;
      case 'ArrowLeft':
        if (autoplaying) stopAutoplay();
        void (e.shiftKey ? prevChapter() : prevStep());
        break;
      case ' ':
        if (activatesTarget(e)) return;
        if (mode === 'embed' && talkStore.getState().autoplay !== null) togglePlay();
        else void nextStep();
        break;
      case 'PageDown':
        void nextStep();
        break;
      case 'PageUp':
      case 'Backspace':
        void prevStep();
        break;
      case 'Home':
        void firstChapter();
        break;
      case 'End':
        void lastStep();
        break;
      case 'f':
        toggleFullscreen();
        break;
      case 'p':
      case 'Escape':
        if (mode !== 'presenter') return;
        exitPresenter();
        break;
      default:
        return;
    }
    e.preventDefault();
    e.stopImmediatePropagation();
  };
  window.addEventListener('keydown', onKey, true);
  const removeLinks = installLinkListener();
  return () => {
    window.removeEventListener('keydown', onKey, true);
    removeLinks();
  };
}

/**
 * Share: makes the permalink (it also goes into the address bar), copies it, and shows it with
 * an embed snippet for slides. A script too long for a link gets the reason and a download.
 */
import { useEffect, useRef, useState } from 'react';
import { usePopoverFocus } from '../components/use-popover-focus';
import { store } from '../store';
import { saveText } from '../export/download';
import { makeEmbedLink, share } from './permalink';
import { talkStore, useTalk } from './talk-store';

export function SharePopover({ close: hide, up = false, alignLeft = false }: { close: () => void; up?: boolean; alignLeft?: boolean }) {
  const ref = useRef<HTMLDivElement>(null);
  // Focus in, Esc, Close and light dismiss as for every toolbar popover.
  const close = usePopoverFocus(ref, hide);
  const state = useTalk((s) => s.share);
  const views = useTalk((s) => s.views);
  const [embed, setEmbed] = useState('');
  useEffect(() => {
    talkStore.setState({ share: null });
    void share().then(async (link) => {
      if (link) setEmbed(await makeEmbedLink(views).catch(() => ''));
    });
    // Made once per opening.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  const snippet = embed ? `<iframe src="${embed.replace(/&/g, '&amp;')}" width="960" height="540" allow="cross-origin-isolated; fullscreen" title="mshare explorer"></iframe>` : '';
  return (
    <div ref={ref} className={`popover share-popover${up ? ' up' : ''}${alignLeft ? ' align-left' : ''}`} role="dialog" aria-label="Share">
      {!state && <p>Making the link…</p>}
      {state?.error && (
        <>
          <p className="share-error" data-testid="share-error">{state.error}</p>
          <button type="button" onClick={() => saveText(store.getState().source, store.getState().scriptName || 'script.msh', 'text/plain')}>Download the script</button>
        </>
      )}
      {state?.link && (
        <>
          <p data-testid="share-status">{state.copied ? 'Link copied to the clipboard.' : 'Copy this link (Ctrl+C):'} {state.link.length.toLocaleString('en-US')} characters; it holds the script, the step, the machine and the views.</p>
          <input aria-label="Permalink" data-testid="permalink" readOnly value={state.link} onFocus={(e) => e.currentTarget.select()} autoFocus />
          {snippet && (
            <label className="share-embed">
              Embed in slides (an iframe; the slides' page must itself be cross-origin isolated and allow it, as in this snippet):
              <textarea aria-label="Embed code" readOnly rows={3} value={snippet} onFocus={(e) => e.currentTarget.select()} />
            </label>
          )}
        </>
      )}
      <div className="row"><button type="button" onClick={close}>Close</button></div>
    </div>
  );
}

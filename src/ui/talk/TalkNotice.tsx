/** The message about a link that could not be opened (or made): a banner until dismissed. */
import { talkStore, useTalk } from './talk-store';

export function TalkNotice() {
  const notice = useTalk((s) => s.notice);
  if (!notice) return null;
  return (
    <div className={`talk-notice ${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'} data-testid="link-notice">
      <p>{notice.text}</p>
      <button type="button" onClick={() => talkStore.setState({ notice: null })} aria-label="Dismiss message">Dismiss</button>
    </div>
  );
}

/** The toolbar's talk buttons: Present, Share and Export. */
import { useState } from 'react';
import { ExportMenu } from '../export/ExportMenu';
import { enterPresenter } from './presenter-actions';
import { SharePopover } from './SharePopover';

export function TalkButtons() {
  const [open, setOpen] = useState<'share' | 'export' | null>(null);
  // The popovers hang from the button's right edge, or its left one when the toolbar
  // wrapped and the button sits near the left of the window.
  const [left, setLeft] = useState(false);
  const toggle = (w: 'share' | 'export', e: React.MouseEvent<HTMLButtonElement>) => {
    setLeft(e.currentTarget.getBoundingClientRect().right < 470);
    setOpen(open === w ? null : w);
  };
  return (
    <>
      <button type="button" onClick={() => enterPresenter()} title="Presenter mode (p)">Present</button>
      <div className="popover-wrap">
        <button type="button" aria-expanded={open === 'share'} aria-haspopup="dialog" onClick={(e) => toggle('share', e)}>Share</button>
        {open === 'share' && <SharePopover close={() => setOpen(null)} alignLeft={left} />}
      </div>
      <div className="popover-wrap">
        <button type="button" aria-expanded={open === 'export'} aria-haspopup="dialog" onClick={(e) => toggle('export', e)}>Export <span aria-hidden="true">▾</span></button>
        {open === 'export' && <ExportMenu close={() => setOpen(null)} alignLeft={left} />}
      </div>
    </>
  );
}

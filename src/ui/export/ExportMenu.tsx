/**
 * The toolbar's Export popover: a view as SVG or PNG (1x, 2x, 4x), the timeline of a view as
 * a zip of SVGs, the JSON report of the current step, the script.
 */
import { useRef, useState } from 'react';
import { getReport } from '../actions';
import { usePopoverFocus } from '../components/use-popover-focus';
import { store, useUi } from '../store';
import { talkStore, useTalk } from '../talk/talk-store';
import { VIEW_TITLES, type TalkViewId } from '../talk/views';
import { saveBlob, saveText, stem } from './download';
import { EXPORT_VIEWS, exportPng, exportSvg } from './export-view';
import { exportTimeline, MAX_TIMELINE_FILES, timelineSteps, type TimelineWhich } from './timeline';

function fileBase(view: string): string {
  const s = store.getState();
  return `${stem(s.scriptName)}-${view}-step-${s.position}`;
}

export function ExportMenu({ close: hide, alignLeft = false }: { close: () => void; alignLeft?: boolean }) {
  const ref = useRef<HTMLDivElement>(null);
  // Focus in, Esc, Close and light dismiss as for every toolbar popover.
  const close = usePopoverFocus(ref, hide);
  const [view, setView] = useState<TalkViewId>('tree');
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);
  const cancel = useRef(false);
  const progress = useTalk((s) => s.exporting);
  const total = useUi((s) => s.total);
  const markers = useUi((s) => s.chapters.length + s.notes.length);
  const stepsCount = total + 1;
  const markerCount = markers ? timelineSteps('markers').length : 0;

  const run = async (what: string, fn: () => Promise<string>) => {
    setBusy(true);
    setStatus(`${what}…`);
    try {
      setStatus(await fn());
    } catch (e) {
      setStatus(`${what} failed: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      setBusy(false);
    }
  };

  const svg = () => run('SVG', async () => {
    const out = await exportSvg(view);
    const name = `${fileBase(view)}.svg`;
    saveText(out.text, name, 'image/svg+xml');
    return `Saved ${name} (${out.width}×${out.height}).`;
  });
  const png = (scale: number) => run(`PNG ${scale}x`, async () => {
    const out = await exportPng(view, scale);
    const name = `${fileBase(view)}@${scale}x.png`;
    saveBlob(out.blob, name);
    return `Saved ${name} (${out.width}×${out.height} px)${out.scale < scale ? `: reduced to ${out.scale}x, the largest canvas browsers allow` : ''}.`;
  });
  const timeline = (which: TimelineWhich) => run('Timeline', async () => {
    cancel.current = false;
    talkStore.setState({ exporting: { done: 0, total: 1 } });
    try {
      const res = await exportTimeline(view, which, (done, n) => talkStore.setState({ exporting: { done, total: n } }), () => cancel.current);
      if (!res) return 'Timeline export cancelled.';
      saveBlob(new Blob([res.zip as Uint8Array<ArrayBuffer>], { type: 'application/zip' }), res.name);
      return `Saved ${res.name} (${res.files} SVGs).`;
    } finally {
      talkStore.setState({ exporting: null });
    }
  });
  const report = () => run('Report', async () => {
    const name = `${fileBase('report')}.json`;
    saveText(JSON.stringify(await getReport(), null, 2) + '\n', name, 'application/json');
    return `Saved ${name}.`;
  });
  const script = () => run('Script', async () => {
    const s = store.getState();
    const name = s.scriptName || 'script.msh';
    saveText(s.source, name, 'text/plain');
    return `Saved ${name}.`;
  });

  return (
    <div ref={ref} className={`popover export-popover form${alignLeft ? ' align-left' : ''}`} role="dialog" aria-label="Export">
      <label>
        view{' '}
        <select aria-label="View to export" value={view} onChange={(e) => setView(e.target.value as TalkViewId)}>
          {EXPORT_VIEWS.map((v) => (
            <option key={v} value={v}>{VIEW_TITLES[v]}</option>
          ))}
        </select>
      </label>
      <div className="export-row">
        <button type="button" disabled={busy} onClick={() => void svg()}>SVG</button>
        {[1, 2, 4].map((k) => (
          <button key={k} type="button" disabled={busy} onClick={() => void png(k)}>PNG {k}x</button>
        ))}
      </div>
      <p>Timeline of this view as SVGs in a zip:</p>
      <div className="export-row">
        <button type="button" disabled={busy || stepsCount > MAX_TIMELINE_FILES} onClick={() => void timeline('steps')}
          title={stepsCount > MAX_TIMELINE_FILES ? `more than ${MAX_TIMELINE_FILES} steps` : undefined}>
          every step ({stepsCount.toLocaleString('en-US')})
        </button>
        <button type="button" disabled={busy || markerCount === 0} onClick={() => void timeline('markers')}>chapters and notes ({markerCount})</button>
        {progress && (
          <>
            <progress max={progress.total} value={progress.done} aria-label="Timeline export progress" />
            <button type="button" onClick={() => (cancel.current = true)}>Cancel</button>
          </>
        )}
      </div>
      <div className="export-row">
        <button type="button" disabled={busy} onClick={() => void report()}>JSON report of this step</button>
        <button type="button" disabled={busy} onClick={() => void script()}>Script (.msh)</button>
      </div>
      <p className="export-status" data-testid="export-status" aria-live="polite">{status}</p>
      <div className="row"><button type="button" onClick={close}>Close</button></div>
    </div>
  );
}

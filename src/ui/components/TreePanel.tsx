import { memo, useState } from 'react';
import { createPtTree } from '../views/pttree';
import { useView } from '../use-view';
import { Panel } from './Panel';
import { store, useUi } from '../store';
import { levelNames } from '../../engine/abi';

/**
 * Every running process to compare with (a 1,500-process run listed only the first 400, so
 * db401 and later could not be chosen). A native select: typing a name jumps to it. The
 * options re-render only when the set of names changes, not on every step of a run.
 */
const CompareOptions = memo(function CompareOptions({ names }: { names: string }) {
  return (
    <>
      <option value="">none</option>
      {names.split('\n').filter(Boolean).map((entry) => {
        const [pid, name] = entry.split('\t');
        return <option key={pid} value={pid}>{name}</option>;
      })}
    </>
  );
});

export function TreePanel() {
  const [empty, setEmpty] = useState<string | null>(null);
  const { ref, view } = useView((el) => createPtTree(el, setEmpty), (s) => [s.generation, s.selection.pid, s.selection.table, s.selection.pte, s.compare, s.theme], 'tree');
  const tasks = useUi((s) => s.snapshot?.tasks);
  const pid = useUi((s) => s.selection.pid);
  const compare = useUi((s) => s.compare);
  // The machine's own levels, as the nodes are named: a 5-level machine draws PML5 and P4D.
  const levels = useUi((s) => s.snapshot?.levels ?? 4);
  const running = (tasks ?? []).filter((t) => t.state === 'running' && t.pid !== pid);
  return (
    <Panel
      id="tree"
      title="Page-table tree"
      caption={`${levelNames(levels).join(' → ')} → frames, read from the table pages in RAM; a table linked from several processes is drawn once, marked shared.`}
      actions={
        <>
          <label className="inline">
            compare with{' '}
            <select aria-label="Compare with process" title={running.length > 20 ? `${running.length.toLocaleString('en-US')} processes: type a name to jump to it` : undefined}
              value={compare ?? ''} onChange={(e) => store.setState({ compare: e.target.value ? Number(e.target.value) : null })}>
              <CompareOptions names={running.map((t) => `${t.pid}\t${t.name}`).join('\n')} />
            </select>
          </label>
          <button type="button" onClick={() => view.current?.zoomBy(1.25)} aria-label="Zoom in">+</button>
          <button type="button" onClick={() => view.current?.zoomBy(0.8)} aria-label="Zoom out">−</button>
          <button type="button" onClick={() => view.current?.fit()} aria-label="Fit page-table tree">Fit</button>
        </>
      }
    >
      <div className="view-fill tree-host" ref={ref} />
      {empty && <p className="empty">{empty}</p>}
      <ul className="legend" aria-label="Tree legend">
        <li><span className="sw edge-shared" />link into a shared table</li>
        <li><span className="sw edge-foreign" />link into an mshare host's tables</li>
        <li><span className="sw node-shared" />shared table page</li>
      </ul>
    </Panel>
  );
}

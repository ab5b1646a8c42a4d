import { useState } from 'react';
import { createPtTree } from '../views/pttree';
import { useView } from '../use-view';
import { Panel } from './Panel';
import { store, useUi } from '../store';

export function TreePanel() {
  const [empty, setEmpty] = useState<string | null>(null);
  const { ref, view } = useView((el) => createPtTree(el, setEmpty), (s) => [s.generation, s.selection.pid, s.selection.table, s.selection.pte, s.compare, s.theme], 'tree');
  const tasks = useUi((s) => s.snapshot?.tasks);
  const pid = useUi((s) => s.selection.pid);
  const compare = useUi((s) => s.compare);
  const running = (tasks ?? []).filter((t) => t.state === 'running' && t.pid !== pid);
  return (
    <Panel
      id="tree"
      title="Page-table tree"
      caption="PGD → PUD → PMD → PTE → frames, read from the table pages in RAM; a table linked from several processes is drawn once, marked shared."
      actions={
        <>
          <label className="inline">
            compare with{' '}
            <select aria-label="Compare with process" value={compare ?? ''} onChange={(e) => store.setState({ compare: e.target.value ? Number(e.target.value) : null })}>
              <option value="">none</option>
              {running.slice(0, 400).map((t) => (
                <option key={t.pid} value={t.pid}>{t.name}</option>
              ))}
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

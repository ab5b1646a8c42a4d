import { createProcesses } from '../views/processes';
import { useView } from '../use-view';
import { Panel } from './Panel';
import { useUiShallow } from '../store';
import { plural } from '../format';
import type { TaskModel } from '../../engine/abi';

/** The most an open list of ended tasks shows (the newest): a 1,500-process run ends thousands. */
const ENDED_SHOWN = 300;

const endedText = (t: TaskModel) => `${t.name} (${t.signal ?? t.state})`;

/**
 * The tasks that ended, newest first: one line under the graph (cut with an ellipsis), which
 * opens into a short scrolling list. It never grows past that, so the graph keeps its room
 * (five lines of "ended: …" used to push a 1,500-process graph out of its panel).
 */
function EndedTasks({ ended }: { ended: TaskModel[] }) {
  const newest = ended.slice(-ENDED_SHOWN).reverse();
  return (
    <details className="ended" data-testid="ended-tasks">
      <summary title={`${plural(ended.length, 'task')} ended; open for the list`}>
        <span className="ended-count">{plural(ended.length, 'ended task')}:</span> {newest.slice(0, 8).map(endedText).join(', ')}
      </summary>
      <ul className="ended-list" aria-label="Ended tasks, newest first">
        {newest.map((t) => <li key={t.pid}>{endedText(t)}{t.killReason ? `: ${t.killReason}` : ''}</li>)}
        {ended.length > ENDED_SHOWN && <li className="ended-more">and {plural(ended.length - ENDED_SHOWN, 'earlier one')}</li>}
      </ul>
    </details>
  );
}

export function ProcessesPanel() {
  const { ref, view } = useView(createProcesses, (s) => [s.generation, s.selection.pid, s.selection.mm, s.compare, s.snapshot], 'processes');
  const ended = useUiShallow((s) => s.snapshot?.tasks.filter((t) => t.state === 'exited' || t.state === 'killed') ?? []);
  return (
    <Panel
      id="processes"
      title="Processes and mm_structs"
      caption="Each box: an mm_struct and its tasks. Grey arrows: forks; orange: VMAs attached to an mshare host. Shift-click compares."
      actions={<button type="button" onClick={() => view.current?.fit()} aria-label="Fit processes graph">Fit</button>}
    >
      <div className="view-fill" ref={ref} />
      {ended.length > 0 && <EndedTasks ended={ended} />}
    </Panel>
  );
}

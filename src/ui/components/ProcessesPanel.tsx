import { createProcesses } from '../views/processes';
import { useView } from '../use-view';
import { Panel } from './Panel';
import { useUiShallow } from '../store';

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
      {ended.length > 0 && (
        <p className="ended" data-testid="ended-tasks">
          ended: {ended.slice(-8).map((t) => `${t.name} (${t.signal ?? t.state})`).join(', ')}
          {ended.length > 8 ? ` and ${ended.length - 8} more` : ''}
        </p>
      )}
    </Panel>
  );
}

import { Inspector } from './Inspector';
import { WalkPanel } from './WalkPanel';
import { Counters } from './Counters';
import { store, useUi, type RightTab } from '../store';

const TABS: { id: RightTab; label: string }[] = [
  { id: 'inspector', label: 'Inspector' },
  { id: 'walk', label: 'Page walk' },
  { id: 'counters', label: 'Counters' },
];

export function RightPanel() {
  const tab = useUi((s) => s.rightTab);
  return (
    <section className="panel right" aria-label="Details" data-testid="details">
      <div role="tablist" aria-label="Detail views" className="tabs">
        {TABS.map((t) => (
          <button key={t.id} role="tab" type="button" id={`tab-${t.id}`} aria-selected={tab === t.id} aria-controls={`tabpanel-${t.id}`}
            onClick={() => store.setState({ rightTab: t.id })}>
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`tabpanel-${tab}`} aria-labelledby={`tab-${tab}`} className="panel-body scroll">
        {tab === 'inspector' && <Inspector />}
        {tab === 'walk' && <WalkPanel />}
        {tab === 'counters' && <Counters />}
      </div>
    </section>
  );
}

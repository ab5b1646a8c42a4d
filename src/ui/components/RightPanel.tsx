import { Inspector } from './Inspector';
import { WalkPanel } from './WalkPanel';
import { Counters } from './Counters';
import { store, useUi, type RightTab } from '../store';
import { tablistKeys } from '../keyboard';

const TABS: { id: RightTab; label: string }[] = [
  { id: 'inspector', label: 'Inspector' },
  { id: 'walk', label: 'Page walk' },
  { id: 'counters', label: 'Counters' },
];
const TAB_IDS = TABS.map((t) => t.id);
const select = (id: RightTab) => store.setState({ rightTab: id });

export function RightPanel() {
  const tab = useUi((s) => s.rightTab);
  return (
    <section className="panel right" aria-label="Details" data-testid="details">
      {/* The ARIA tabs pattern: one tab in the Tab order, the arrows, Home and End move between them. */}
      <div role="tablist" aria-label="Detail views" className="tabs" onKeyDown={tablistKeys(TAB_IDS, tab, select, (id) => `tab-${id}`)}>
        {TABS.map((t) => (
          <button key={t.id} role="tab" type="button" id={`tab-${t.id}`} aria-selected={tab === t.id} aria-controls={`tabpanel-${t.id}`}
            tabIndex={tab === t.id ? 0 : -1} onClick={() => select(t.id)}>
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

import { createAddrSpace, type PageClick } from '../views/addrspace';
import { useView } from '../use-view';
import { Panel } from './Panel';
import { select, store, useUi } from '../store';
import { runLine } from '../actions';
import { hex } from '../format';

function onPage(p: PageClick): void {
  const s = store.getState();
  const t = s.snapshot?.tasks.find((x) => x.pid === s.selection.pid);
  if (!t) return;
  select({ addr: p.va });
  store.setState({ rightTab: 'walk' });
  void runLine(p.write ? `${t.name}: write ${hex(p.va)} 1` : `${t.name}: read ${hex(p.va)}`);
}

export function AddressSpacePanel() {
  const { ref, view } = useView((el) => createAddrSpace(el, onPage), (s) => [s.generation, s.selection.pid, s.selection.vma, s.selection.addr, s.theme], 'addrspace');
  const name = useUi((s) => s.snapshot?.tasks.find((t) => t.pid === s.selection.pid)?.name);
  return (
    <Panel
      id="addrspace"
      title={`Address space${name ? ` of ${name}` : ''}`}
      caption="VMAs on a gap-compressed axis (// marks a hole), coloured by kind; below, pages of the selected VMA as the page tables map them."
      actions={
        <>
          <button type="button" onClick={() => view.current?.shift(-128)} aria-label="Previous pages">◀</button>
          <button type="button" onClick={() => view.current?.shift(128)} aria-label="Next pages">▶</button>
        </>
      }
    >
      <div className="as-host" ref={ref} />
      <ul className="legend" aria-label="VMA kinds">
        {['anon', 'shmem', 'file', 'hugetlb', 'mshare'].map((k) => (
          <li key={k}><span className={`sw vma-${k}`} />{k}</li>
        ))}
      </ul>
    </Panel>
  );
}

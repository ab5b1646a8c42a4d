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
      {/* Two keys: the bar is coloured by VMA kind, the strip by the use of the frame a page
          maps (a review found only the VMA kinds here, two of which a strip never shows, and
          nothing for the zero page or a page that is not present). */}
      <div className="legend as-legend">
        <ul className="legend-group" aria-label="VMA kinds">
          <li className="legend-head">VMAs:</li>
          {['anon', 'shmem', 'file', 'hugetlb', 'mshare'].map((k) => (
            <li key={k}><span className={`sw vma-${k}`} />{k}</li>
          ))}
        </ul>
        <ul className="legend-group" aria-label="Page cells">
          <li className="legend-head">pages:</li>
          {['anon', 'shmem', 'hugetlb'].map((k) => (
            <li key={k}><span className={`sw use-${k}`} />{k}</li>
          ))}
          <li><span className="sw page-zero" />zero page</li>
          <li><span className="sw page-absent" />not present</li>
          <li><span className="sw page-ro" />read-only: paler</li>
        </ul>
      </div>
    </Panel>
  );
}

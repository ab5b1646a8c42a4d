import { useState } from 'react';
import { createPhysMem } from '../views/physmem';
import { useView } from '../use-view';
import { Panel } from './Panel';
import { getBuffers } from '../engine-client';
import { FRAME_USE_NAMES } from '../../engine/abi';
import { hex } from '../format';
import { store, useUi } from '../store';

function describe(pfn: number): string {
  const b = getBuffers();
  if (!b || pfn >= b.nframes) return '';
  const d = b.desc;
  const use = FRAME_USE_NAMES[d.use[pfn]] ?? '?';
  const snap = store.getState().snapshot;
  const owner = d.owner[pfn];
  const mm = owner ? snap?.mms.find((m) => m.id === owner) : undefined;
  const who = mm ? (mm.host ? `host mm ${owner} (${mm.host})` : `mm ${owner} (${mm.tasks.map((p) => snap?.tasks.find((t) => t.pid === p)?.name).join(', ')})`) : owner ? `mm ${owner}` : 'no owner';
  const parts = [`pfn ${hex(pfn)}`, use];
  if (use !== 'free') {
    parts.push(`ref ${d.refcount[pfn]}`, `map ${d.mapcount[pfn]}`, who);
    if (d.entire[pfn]) parts.push(`PMD maps ${d.entire[pfn]}`);
    if (d.share[pfn]) parts.push(`share ${d.share[pfn]}`);
    if (use === 'anon') parts.push(`va ${hex(d.index[pfn] * 4096)}`);
    if (use === 'shmem') parts.push(`inode ${d.mapping[pfn]} page ${d.index[pfn]}`);
  }
  return parts.join(' · ');
}

export function PhysMemPanel() {
  const [hover, setHover] = useState<number | null>(null);
  const { ref } = useView((el) => createPhysMem(el, setHover), (s) => [s.generation, s.selection.frame, s.theme], 'physmem');
  const frame = useUi((s) => s.selection.frame);
  const nframes = useUi((s) => s.snapshot?.nframes ?? 0);
  const shown = hover ?? frame;
  return (
    <Panel id="physmem" title="Physical memory" caption={`Every 4K frame (${nframes.toLocaleString('en-US')}) as one cell, 256 cells (1 MiB) a row, coloured by use and scaled to the panel. Hover for its descriptor.`}>
      <div className="pm-host" ref={ref} />
      <p className="pm-status" data-testid="frame-status" aria-live="polite">{shown !== null ? describe(shown) : 'hover a frame'}</p>
      <ul className="legend" aria-label="Frame uses">
        {['kernel', 'zero', 'pgd', 'pud', 'pmd', 'pte', 'anon', 'shmem', 'hugetlb'].map((k) => (
          <li key={k}><span className={`sw use-${k}`} />{k}</li>
        ))}
      </ul>
    </Panel>
  );
}

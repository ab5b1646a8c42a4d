import { useEffect, useState } from 'react';
import { decodeEntry, FRAME_USE_NAMES, levelNames } from '../../engine/abi';
import { getBuffers, getEngine, readConsistent } from '../engine-client';
import { cpumaskHex, hex, kB, procKB, size } from '../format';
import { select, useUi } from '../store';
import type { SmapsInfo } from '../../worker/api';

function Fields({ rows, label }: { rows: [string, React.ReactNode][]; label: string }) {
  return (
    <dl className="fields" aria-label={label}>
      {rows.map(([k, v]) => (
        <div key={k} className="field">
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

function FrameFields({ pfn, generation }: { pfn: number; generation: number }) {
  const d = readConsistent(generation, (b) => (pfn < b.nframes ? {
    use: FRAME_USE_NAMES[b.desc.use[pfn]], refcount: b.desc.refcount[pfn], mapcount: b.desc.mapcount[pfn], entire: b.desc.entire[pfn], owner: b.desc.owner[pfn],
    share: b.desc.share[pfn], mapping: b.desc.mapping[pfn], index: b.desc.index[pfn], flags: b.desc.flags[pfn], pincount: b.desc.pincount[pfn], memcg: b.desc.memcg[pfn],
  } : null));
  if (!d) return <p className="empty">frame {hex(pfn)}: reading…</p>;
  return (
    <Fields label="Frame descriptor" rows={[
      ['pfn', hex(pfn)], ['phys', hex(pfn * 4096)], ['use', d.use], ['refcount', d.refcount], ['mapcount', d.mapcount],
      // A shmem huge folio's PMD mappings (folio_entire_mapcount), on its first frame.
      ...(d.entire ? [['entire mapcount (PMDs)', d.entire] as [string, number]] : []),
      ['owner mm', d.owner || '—'], ['share (pt_share_count)', d.share], ['mapping', d.mapping || '—'], ['index', d.use === 'anon' ? `${d.index} (va ${hex(d.index * 4096)})` : d.index],
      ['pincount', d.pincount], ['memcg', d.memcg], ['flags', hex(d.flags)],
    ]} />
  );
}

export function Inspector() {
  const snap = useUi((s) => s.snapshot);
  const sel = useUi((s) => s.selection);
  const [smaps, setSmaps] = useState<SmapsInfo | null>(null);
  const task = snap?.tasks.find((t) => t.pid === sel.pid);
  const mm = snap?.mms.find((m) => m.id === (sel.mm ?? task?.mm));
  const vma = sel.vma && mm && sel.vma.mm === mm.id ? mm.vmas.find((v) => v.startNum === sel.vma!.start) : undefined;
  useEffect(() => {
    let live = true;
    if (vma && mm) void getEngine().smaps(mm.id, vma.startNum).then((r) => live && setSmaps(r));
    else setSmaps(null);
    return () => {
      live = false;
    };
  }, [mm?.id, vma?.startNum, snap?.generation]);
  if (!snap) return null;
  const gen = snap.generation;
  const pte = sel.pte;
  let entry: React.ReactNode = null;
  if (pte) {
    const b = getBuffers();
    const words = readConsistent(gen, (bb) => [bb.u32[pte.table * 1024 + pte.index * 2], bb.u32[pte.table * 1024 + pte.index * 2 + 1]]);
    const depth = b ? ['pgd', 'p4d', 'pud', 'pmd', 'pte'].indexOf(FRAME_USE_NAMES[b.desc.use[pte.table]]) : -1;
    const names = levelNames(snap.levels);
    const lvl = snap.levels === 5 ? depth : depth > 1 ? depth - 1 : depth;
    if (words) {
      const e = decodeEntry(words[0], words[1], lvl === snap.levels - 1);
      entry = (
        <section>
          <h3>Entry {pte.index} of {names[lvl] ?? 'table'} {hex(pte.table)}</h3>
          <Fields label="Page-table entry" rows={[
            ['raw', e.raw], ['present', String(e.present)], ['pfn', hex(e.pfn)], ['RW', String(e.rw)], ['US', String(e.user)], ['A', String(e.accessed)],
            ['D', String(e.dirty)], ['PS (huge)', String(e.huge)], ['NX', String(e.nx)], ['special', String(e.special)], ['protnone', String(e.protnone)], ['uffd-wp', String(e.uffdWp)],
          ]} />
          {e.present && <button type="button" onClick={() => select({ frame: e.pfn })}>Select frame {hex(e.pfn)}</button>}
        </section>
      );
    }
  }
  return (
    <div className="inspector" data-testid="inspector">
      <p className="caption">The selection in full: task, mm_struct, VMA, table entry and frame.</p>
      {task && (
        <section>
          <h3>Task {task.name}</h3>
          <Fields label="Task" rows={[
            ['pid / tgid', `${task.pid} / ${task.tgid}`], ['state', `${task.state}${task.signal ? ' (' + task.signal + ')' : ''}`], ['parent', task.parent || '—'],
            ['mm', task.mm || '—'], ['cpu', task.cpu], ['cgroup', task.cgroup], ...(task.killReason ? [['reason', task.killReason] as [string, string]] : []),
          ]} />
        </section>
      )}
      {mm && (
        <section>
          <h3>mm_struct {mm.id}{mm.host ? ` (mshare host of ${mm.host})` : ''}</h3>
          <Fields label="mm_struct" rows={[
            ['pgd', hex(mm.pgd)], ['mm_users', mm.users], ['tasks', mm.tasks.map((p) => snap.tasks.find((t) => t.pid === p)?.name ?? p).join(', ') || '—'],
            ['VMAs', mm.vmas.length], ['VmRSS', kB(mm.status.VmRSS)], ['VmPTE', kB(mm.status.VmPTE)], ['cpumask', cpumaskHex(mm.cpumask)],
          ]} />
          <table className="maps" aria-label={`maps of mm ${mm.id}`}>
            <thead><tr><th>start</th><th>end</th><th>perms</th><th>kind</th><th>label</th></tr></thead>
            <tbody>
              {mm.vmas.map((v) => (
                <tr key={v.startNum} className={vma === v ? 'selected' : ''} onClick={() => select({ vma: { mm: mm.id, start: v.startNum } })}>
                  <td>{v.start}</td><td>{v.end}</td><td>{v.perms}</td><td>{v.kind}</td><td>{v.label ?? v.path ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      {vma && (
        <section>
          <h3>VMA {vma.label ?? vma.start}</h3>
          <Fields label="VMA" rows={[
            ['range', `${vma.start}-${vma.end}`], ['size', size(vma.endNum - vma.startNum)], ['perms', vma.perms], ['kind', vma.kind],
            ['file', vma.path ?? '—'], ['offset', hex(vma.offset)], ['mshare', vma.mshare ?? '—'], ['host mm', vma.hostMm ?? '—'],
            ...(smaps ? (Object.entries(smaps).map(([k, v]) => [`smaps ${k}`, procKB(v)]) as [string, string][]) : []),
          ]} />
        </section>
      )}
      {sel.table !== null && !pte && (
        <section>
          <h3>Table page {hex(sel.table)}</h3>
          <FrameFields pfn={sel.table} generation={gen} />
        </section>
      )}
      {entry}
      {sel.frame !== null && (
        <section>
          <h3>Frame {hex(sel.frame)}</h3>
          <FrameFields pfn={sel.frame} generation={gen} />
        </section>
      )}
      {!task && !mm && sel.frame === null && <p className="empty">Click a process, a VMA, a table entry or a frame.</p>}
    </div>
  );
}

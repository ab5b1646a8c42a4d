import { createChart, SERIES } from '../views/chart';
import { useView } from '../use-view';
import { kB } from '../format';
import { useUi } from '../store';
import type { ModelSnapshot } from '../../engine/abi';

function Table({ label, rows }: { label: string; rows: [string, string | number][] }) {
  return (
    <table className="kv" aria-label={label}>
      <caption>{label}</caption>
      <tbody>
        {rows.map(([k, v]) => (
          <tr key={k}><th scope="row">{k}</th><td>{v}</td></tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * The root cgroup as Linux shows it: no memory.current, memory.max or memory.events there
 * (CFTYPE_NOT_ON_ROOT), and its memory.stat hierarchical, every cgroup below counted in it
 * (here every cgroup is the root's child). Its own charges alone read 8 kB where PageTables was
 * 48 kB (review 18). Its kills are /proc/vmstat's, all of them.
 */
function rootRows(snap: ModelSnapshot): [string, string | number][] {
  const sum = (f: (c: ModelSnapshot['cgroups'][number]) => number) => snap.cgroups.reduce((n, c) => n + f(c), 0);
  return [
    ['pagetables (memory.stat, all cgroups)', kB(sum((c) => c.pagetables))],
    ['anon', kB(sum((c) => c.anon))],
    ['shmem', kB(sum((c) => c.shmem))],
    ['oom_kill (/proc/vmstat)', snap.oomKills],
  ];
}

export function Counters() {
  const snap = useUi((s) => s.snapshot);
  const pid = useUi((s) => s.selection.pid);
  const { ref } = useView(createChart, (s) => [s.series, s.position, s.total], 'chart');
  if (!snap) return null;
  const mi = snap.meminfo;
  const task = snap.tasks.find((t) => t.pid === pid);
  const st = task?.status;
  return (
    <div className="counters" data-testid="counters">
      <p className="caption">/proc/meminfo, /proc/PID/status, TLB statistics and cgroup memory.stat now; the chart follows them over the timeline.</p>
      <div className="chart-host" ref={ref} />
      <ul className="legend" aria-label="Chart series">
        {SERIES.map((s) => (
          <li key={s.key}><span className={`sw series-${s.key}`} />{s.name}</li>
        ))}
      </ul>
      <div className="kv-grid">
        <Table label="/proc/meminfo" rows={[
          ['MemTotal', kB(mi.MemTotal)], ['MemFree', kB(mi.MemFree)], ['AnonPages', kB(mi.AnonPages)], ['Shmem', kB(mi.Shmem)],
          ['PageTables', kB(mi.PageTables)], ['Hugetlb', kB(mi.Hugetlb)], ['Mapped', kB(mi.Mapped)],
          // The hugetlb pool, once there is one: reserved pages sit in it before any fault.
          ...(mi.HugePages_Total > 0 ? [['HugePages_Total / Free / Rsvd / Surp', `${mi.HugePages_Total} / ${mi.HugePages_Free} / ${mi.HugePages_Rsvd} / ${mi.HugePages_Surp}`] as [string, string]] : []),
        ]} />
        {task && st && (
          <Table label={`/proc/${task.pid}/status (${task.name})`} rows={[
            ['VmSize', kB(st.VmSize)], ['VmRSS', kB(st.VmRSS)], ['RssAnon', kB(st.RssAnon)], ['RssFile', kB(st.RssFile)],
            ['RssShmem', kB(st.RssShmem)], ['VmPTE', kB(st.VmPTE)], ['Threads', st.Threads],
          ]} />
        )}
        <Table label="TLB" rows={[
          ['hits', snap.tlb.hits.toLocaleString('en-US')], ['misses', snap.tlb.misses.toLocaleString('en-US')], ['walks', snap.tlb.walks.toLocaleString('en-US')],
          ['flushes', snap.tlb.flushes.toLocaleString('en-US')], ['shootdowns', snap.tlb.shootdowns.toLocaleString('en-US')],
          ...snap.tlb.perCpu.map((c) => [`cpu${c.cpu} hit/miss/ipi`, `${c.hits}/${c.misses}/${c.shootdowns}`] as [string, string]),
        ]} />
        {snap.cgroups.map((c) => (
          <Table key={c.name} label={`cgroup ${c.name}`} rows={c.name === '/' ? rootRows(snap) : [
            ['memory.current', kB(c.current)], ['pagetables', kB(c.pagetables)], ['anon', kB(c.anon)], ['shmem', kB(c.shmem)],
            ['limit', c.limit === null ? 'max' : kB(c.limit)], ['oom_kill', c.oomKills],
          ]} />
        ))}
        {snap.regions.map((r) => {
          const host = snap.mms.find((m) => m.id === r.hostMm);
          return (
            <Table key={r.id} label={`mshare ${r.path}`} rows={[
              ['sharers', r.sharers], ['owner pid', r.owner || '—'], ['host VmRSS', kB(host?.status.VmRSS ?? 0)], ['host VmPTE', kB(host?.status.VmPTE ?? 0)],
              ['flavour', r.flavour], ['orphaned', String(r.orphaned)],
            ]} />
          );
        })}
      </div>
    </div>
  );
}

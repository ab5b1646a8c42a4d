/** The figures the talk counters view shows (and the counters export draws). */
import type { ModelSnapshot } from '../../engine/abi';
import { kB } from '../format';

export function counterRows(snap: ModelSnapshot, pids: (number | null)[]): [string, string][] {
  const mi = snap.meminfo;
  const rows: [string, string][] = [['PageTables', kB(mi.PageTables)], ['Shmem', kB(mi.Shmem)]];
  if (mi.AnonPages) rows.push(['AnonPages', kB(mi.AnonPages)]);
  if (mi.Hugetlb) rows.push(['Hugetlb', kB(mi.Hugetlb)]);
  for (const pid of pids) {
    const t = snap.tasks.find((x) => x.pid === pid && x.state === 'running');
    if (t) rows.push([`${t.name}: VmPTE / VmRSS`, `${kB(t.status.VmPTE)} / ${kB(t.status.VmRSS)}`]);
  }
  for (const r of snap.regions) {
    const host = snap.mms.find((m) => m.id === r.hostMm);
    const name = r.path.split('/').pop();
    rows.push([`mshare ${name}: sharers`, r.sharers.toLocaleString('en-US')]);
    if (host) rows.push([`mshare ${name}: host VmPTE / VmRSS`, `${kB(host.status.VmPTE)} / ${kB(host.status.VmRSS)}`]);
  }
  for (const c of snap.cgroups) {
    if (c.name === '/' || c.name === 'root') continue;
    rows.push([`cgroup ${c.name}: memory.current`, kB(c.current)], [`cgroup ${c.name}: pagetables`, kB(c.pagetables)]);
  }
  return rows;
}

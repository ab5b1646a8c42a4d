/**
 * The run's report: the JSON of SCENARIO.md ("JSON report") and a /proc-style text form.
 *
 * The listed fields are a contract (tests and users parse them): sizes in kB like /proc,
 * addresses as "0x..." strings, and `size` of an mshare region in bytes as in the example.
 * Extra fields are additions only (snake_case, like the contract's own): digest, machine,
 * policies, oom_kills, lock_inversions, trace_counts, fault_kinds, and per-entry extras.
 */
import type { Runner } from './runner';
import { meminfo, maps, status, tlbReport, hex, shownPath } from '../engine/mm/proc';
import { sharerMms } from '../engine/mshare/region';
import { stateDigest } from '../engine/snapshot';
import { isAlive } from '../engine/sys/task';
import { meminfoValue, pinnedPagesByMm, taskStatus } from './expect';
import { MEMINFO_FIELDS, MEMINFO_UNITS } from './constants';

const kB = (bytes: number): number => Math.floor(bytes / 1024);

export interface ReportStatus {
  VmSize: number; VmRSS: number; RssAnon: number; RssFile: number; RssShmem: number; VmPTE: number;
  [extra: string]: number;
}

export interface ReportMap {
  start: string; end: string; perms: string; label: string | null; mshare: string | null;
  [extra: string]: unknown;
}

export interface ReportProcess {
  pid: number; name: string; state: string; signal: string | null; mm: number | null;
  status: ReportStatus; maps: ReportMap[];
  [extra: string]: unknown;
}

export interface ReportMshare {
  path: string; start: string; size: number; owner: number | null; sharers: number;
  host: { VmRSS: number; VmPTE: number };
  [extra: string]: unknown;
}

export interface Report {
  ok: boolean;
  steps: number;
  meminfo: { MemTotal: number; MemFree: number; AnonPages: number; Shmem: number; PageTables: number; [extra: string]: number };
  processes: ReportProcess[];
  mshare: ReportMshare[];
  cgroups: { name: string; current: number; pagetables: number; [extra: string]: unknown }[];
  tlb: { hits: number; misses: number; flushes: number; shootdowns: number; [extra: string]: number };
  failures: { line: number; text: string; message: string; [extra: string]: unknown }[];
  errors: { line: number; command: string; errno: string | null; [extra: string]: unknown }[];
  [extra: string]: unknown;
}

export function buildReport(r: Runner): Report {
  const k = r.kernel;
  const m = k.m;
  const s = m.s;
  const mi = meminfo(m);
  const pins = pinnedPagesByMm(k);
  const processes: ReportProcess[] = [...s.tasks.values()].map((t) => {
    const alive = isAlive(t);
    const st = alive ? taskStatus(k, t, pins) : { ...status(null), VmPin: 0 };
    return {
      pid: t.pid,
      name: t.name,
      state: t.state,
      signal: t.signal,
      mm: alive && t.mm ? t.mm.id : null,
      status: {
        VmSize: kB(st.VmSize), VmRSS: kB(st.VmRSS), RssAnon: kB(st.RssAnon), RssFile: kB(st.RssFile),
        RssShmem: kB(st.RssShmem), VmPTE: kB(st.VmPTE), VmPin: kB(st.VmPin), HugetlbPages: kB(st.HugetlbPages),
      },
      maps: (alive ? maps(t.mm) : []).map((e) => ({
        start: e.start, end: e.end, perms: e.perms, label: e.label, mshare: e.mshare,
        offset: e.offset, path: e.path, kind: e.kind,
      })),
      tgid: t.tgid,
      parent: t.parent,
      cgroup: t.cgroup.name,
      ...(t.killReason ? { kill_reason: t.killReason } : {}),
    };
  });
  const mshare: ReportMshare[] = [...s.regions.values()].map((rg) => {
    const hs = status(rg.host);
    return {
      path: shownPath(rg.inode),
      start: hex(rg.start),
      size: rg.size,
      // pid 0: the owner has exited (2025 flavour) or there never was one; JSON says null.
      owner: rg.owner > 0 ? rg.owner : null,
      sharers: sharerMms(rg).length,
      host: { VmRSS: kB(hs.VmRSS), VmPTE: kB(hs.VmPTE) },
      flavour: rg.flavour,
      host_base: hex(rg.hostBase),
      host_mm: rg.host.id,
      orphaned: rg.orphaned,
    };
  });
  // The root cgroup has no memory.current in Linux; list the ones the script made.
  const cgroups = [...s.cgroups.values()].filter((c) => c.id !== 0).map((c) => ({
    name: c.name,
    current: kB(c.current),
    pagetables: kB(c.pagetables),
    anon: kB(c.anon),
    shmem: kB(c.shmem),
    limit: Number.isFinite(c.limit) ? kB(c.limit) : null,
    oom_kills: c.oomKills,
  }));
  const tlb = tlbReport(m);
  return {
    ok: r.failureCount === 0,
    steps: r.position,
    // Every field `expect meminfo.F` accepts, and no other: the two read the same values.
    meminfo: Object.fromEntries(MEMINFO_FIELDS.map((f) => [f, MEMINFO_UNITS[f] === 'pages' ? meminfoValue(mi, f) : kB(meminfoValue(mi, f))])) as Report['meminfo'],
    processes,
    mshare,
    cgroups,
    tlb: { hits: tlb.hits, misses: tlb.misses, flushes: tlb.flushes, shootdowns: tlb.shootdowns, walks: tlb.walks },
    failures: r.failures.map((f) => ({ line: f.line, text: f.text, message: f.message, step: f.step })),
    errors: r.errors.map((e) => ({
      line: e.line, ...(e.col !== undefined ? { col: e.col } : {}), command: e.command, errno: e.errno, signal: e.signal, ...(e.detail ? { detail: e.detail } : {}), step: e.step,
    })),
    // Only when a list was cut at MAX_LISTED: how many more there were.
    ...(r.failureCount > r.failures.length ? { failures_omitted: r.failureCount - r.failures.length } : {}),
    ...(r.errorCount > r.errors.length ? { errors_omitted: r.errorCount - r.errors.length } : {}),
    total_steps: r.total,
    digest: stateDigest(m),
    // Keys as the language spells them (`machine shmem_thp=...`, `policy owner_exit=...`).
    machine: snakeKeys({ ...s.config, ram: kB(s.config.ram) }),
    policies: snakeKeys({ ...s.policies }),
    oom_kills: s.oomKills,
    lock_inversions: [...s.lockInversions],
    trace_counts: m.trace.counts,
    fault_kinds: m.trace.faultKinds,
  };
}

const pad = (v: string | number, n: number): string => String(v).padStart(n);
const omitted = (v: unknown): number => (typeof v === 'number' ? v : 0);

/** The /proc-style text report the CLI prints without --json. */
export function textReport(rep: Report, file: string): string {
  const out: string[] = [];
  const failed = rep.failures.length + omitted(rep.failures_omitted);
  const verdict = rep.ok ? 'every expect held' : `${failed} expect(s) FAILED`;
  out.push(`${file}: ${rep.steps}/${String(rep.total_steps)} steps, ${verdict}, digest ${String(rep.digest)}`);
  out.push('', '== /proc/meminfo');
  for (const [k, v] of Object.entries(rep.meminfo)) {
    out.push(`${(k + ':').padEnd(17)}${pad(v, 10)}${k.startsWith('HugePages_') ? '' : ' kB'}`);
  }
  out.push('', '== tasks');
  out.push(`${pad('PID', 6)}  ${'NAME'.padEnd(14)} ${'STATE'.padEnd(16)} ${pad('VmRSS', 10)} ${pad('VmPTE', 10)}`);
  for (const p of rep.processes) {
    const state = p.signal ? `${p.state} ${p.signal}` : p.state;
    out.push(`${pad(p.pid, 6)}  ${p.name.padEnd(14)} ${state.padEnd(16)} ${pad(p.status.VmRSS, 7)} kB ${pad(p.status.VmPTE, 7)} kB`);
  }
  if (rep.mshare.length > 0) {
    out.push('', '== mshare regions');
    for (const g of rep.mshare) {
      out.push(`${g.path}  start ${g.start} size ${g.size} owner ${g.owner ?? '-'} sharers ${g.sharers}  host VmRSS ${g.host.VmRSS} kB VmPTE ${g.host.VmPTE} kB`);
    }
  }
  if (rep.cgroups.length > 0) {
    out.push('', '== cgroups');
    for (const c of rep.cgroups) out.push(`${c.name}  current ${c.current} kB  pagetables ${c.pagetables} kB`);
  }
  out.push('', `== tlb  hits ${rep.tlb.hits}  misses ${rep.tlb.misses}  flushes ${rep.tlb.flushes}  shootdowns ${rep.tlb.shootdowns}`);
  if (typeof rep.oom_kills === 'number' && rep.oom_kills > 0) out.push(`== oom kills: ${rep.oom_kills}`);
  if (rep.failures.length > 0) {
    out.push('', '== failed expects');
    for (const f of rep.failures) out.push(`${file}:${f.line}: ${f.text}: ${f.message}`);
    if (omitted(rep.failures_omitted)) out.push(`... and ${omitted(rep.failures_omitted)} more failed expects`);
  }
  if (rep.errors.length > 0) {
    out.push('', '== errors (the script went on)');
    for (const e of rep.errors) {
      // Neither errno nor signal: a repeat iteration that did not parse, and did not run.
      const what = e.errno ?? e.signal ?? 'not run';
      const at = e.col !== undefined ? `${e.line}:${e.col}` : `${e.line}`;
      out.push(`${file}:${at}: ${e.command} -> ${what}${e.detail ? ` (${String(e.detail)})` : ''}`);
    }
    if (omitted(rep.errors_omitted)) out.push(`... and ${omitted(rep.errors_omitted)} more errors`);
  }
  return out.join('\n') + '\n';
}

/** `{ ownerExit: 'keep' }` -> `{ owner_exit: 'keep' }`: the engine's names in the language's spelling. */
function snakeKeys<V>(o: Record<string, V>): Record<string, V> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), v]));
}

/**
 * `expect EXPR` evaluated against the machine (SCENARIO.md, "expect").
 *
 * Every form reads what a user could read on a real system: /proc/PID/status, /proc/meminfo,
 * the task's state, the previous command's result, cgroup memory.stat, the mshare region's
 * host mm, and, for same-page / different-page, the physical frame found by walking the
 * task's page tables in memory (no MMU, no TLB, no A/D bits: a pure peek).
 *
 * Messages say what the value IS ("db1.VmPTE is 136 kB"): the expect's text already says
 * what was expected. Byte quantities print in kB like /proc.
 */
import type { ExpectExpr, ExpectValue, TaskAddr } from './ast';
import { MEMINFO_UNITS, type Op } from './constants';
import type { Kernel } from '../engine/kernel';
import { meminfo, status, type Meminfo } from '../engine/mm/proc';
import { entryIndex, pgIndex } from '../engine/mm/pgtable';
import { PTE_P, PTE_PS, entryPfn } from '../engine/hw/pte';
import { sharerMms } from '../engine/mshare/region';
import { isAlive } from '../engine/sys/task';
import type { Mm, Task } from '../engine/types';
import { resolveAddr, type RunState } from './exec';

export interface ExpectOutcome {
  ok: boolean;
  message: string;
}

const HUGE_PAGE = 2 * 1024 * 1024;

/** One comparison, of numbers or of values held exactly as BigInts (never mixed). */
export function compare<T extends number | bigint>(a: T, op: Op, b: T): boolean {
  switch (op) {
    case '==': return a === b;
    case '!=': return a !== b;
    case '<': return a < b;
    case '<=': return a <= b;
    case '>': return a > b;
    case '>=': return a >= b;
  }
}

/** How a result holds a value past 2^53 (Kernel.read): `"0x726f776f6c6c6568"`. */
const HEX_VALUE = /^0x[0-9a-f]+$/i;

/** Bytes as /proc prints them: kB when whole kilobytes (always, for page-based counters). */
export function kb(bytes: number): string {
  return bytes % 1024 === 0 ? `${bytes / 1024} kB` : `${bytes} bytes`;
}

/** A number for a message: addresses and other large values also in hex. */
function num(n: number): string {
  return n >= 0x10000 && Number.isInteger(n) ? `${n} (0x${n.toString(16)})` : String(n);
}

function verdict(ok: boolean, message: string): ExpectOutcome {
  return { ok, message };
}

export function evalExpect(k: Kernel, st: RunState, e: ExpectExpr): ExpectOutcome {
  switch (e.kind) {
    case 'status': return expectStatus(k, e.task, e.field, e.op, e.value);
    case 'meminfo': {
      const v = meminfoField(k, e.field);
      const shown = MEMINFO_UNITS[e.field] === 'pages' ? String(v) : kb(v);
      return verdict(compare(v, e.op, e.value), `meminfo.${e.field} is ${shown}`);
    }
    case 'state': return expectState(k, e.task, e.state, e.signal);
    case 'last': return expectLast(st, e.field, e.op, e.value);
    case 'page': return expectPage(k, e.same, e.a, e.b);
    case 'cgroup': {
      const cg = k.m.s.cgroups.get(e.name);
      if (!cg) return verdict(false, `no cgroup named ${e.name}`);
      const v = e.field === 'current' ? cg.current : cg.pagetables;
      return verdict(compare(v, e.op, e.value), `cgroup.${e.name}.${e.field} is ${kb(v)}`);
    }
    case 'mshare': {
      // The region the name means now: after an unlink and a new create, the new file's, not
      // the unlinked one that lives on through its mappings.
      const region = k.m.s.paths.get(e.path)?.region;
      if (!region) return verdict(false, `no mshare region at ${e.path}`);
      const subject = `mshare.${e.path}.${e.field}`;
      if (e.field === 'sharers') {
        const n = sharerMms(region).length;
        return verdict(compare(n, e.op, e.value), `${subject} is ${n}`);
      }
      // rss / pte are the host mm's VmRSS / VmPTE (M18).
      const s = status(region.host);
      const v = e.field === 'rss' ? s.VmRSS : s.VmPTE;
      return verdict(compare(v, e.op, e.value), `${subject} is ${kb(v)}`);
    }
  }
}

/** A meminfo field in the unit SCENARIO.md compares it in (bytes, or pages for HugePages_*). */
export function meminfoField(k: Kernel, field: keyof typeof MEMINFO_UNITS): number {
  return meminfoValue(meminfo(k.m), field);
}

/** meminfoField from a meminfo() already taken (the report reads every field). */
export function meminfoValue(mi: Meminfo, field: keyof typeof MEMINFO_UNITS): number {
  switch (field) {
    case 'Hugepagesize': return HUGE_PAGE;
    default: return mi[field];
  }
}

/**
 * /proc/PID/status of a task. VmPin counts the pins of every live task on the mm; a caller
 * reporting many tasks passes one `pinsByMm` for all of them so the report stays linear.
 */
export function taskStatus(k: Kernel, t: Task, pinsByMm = pinnedPagesByMm(k)) {
  return { ...status(t.mm), VmPin: (pinsByMm.get(t.mm) ?? 0) * 4096 };
}

/** Pinned pages per mm over the live tasks, for taskStatus over many tasks. */
export function pinnedPagesByMm(k: Kernel): Map<unknown, number> {
  const by = new Map<unknown, number>();
  for (const o of k.m.s.tasks.values()) if (isAlive(o) && o.pins.length) by.set(o.mm, (by.get(o.mm) ?? 0) + o.pins.length);
  return by;
}

function expectStatus(k: Kernel, name: string, field: string, op: Op, value: number): ExpectOutcome {
  const t = k.task(name);
  if (!t) return verdict(false, `no task named ${name}`);
  // A dead task has no /proc/PID/status to read.
  if (!isAlive(t)) return verdict(false, `${name} has ${t.state === 'killed' ? `been killed (${t.signal})` : 'exited'}: no /proc/PID/status`);
  const s = taskStatus(k, t) as unknown as Record<string, number>;
  const v = s[field];
  return verdict(compare(v, op, value), `${name}.${field} is ${kb(v)}`);
}

function describeState(t: Task): string {
  return t.state === 'killed' && t.signal ? `killed ${t.signal}` : t.state;
}

function expectState(k: Kernel, name: string, state: string, signal?: string): ExpectOutcome {
  const t = k.task(name);
  if (!t) return verdict(false, `no task named ${name}`);
  const ok = t.state === state && (signal === undefined || t.signal === signal);
  const why = t.killReason && t.state === 'killed' ? ` (${t.killReason})` : '';
  return verdict(ok, `${name} is ${describeState(t)}${why}`);
}

function expectLast(st: RunState, field: string | undefined, op: Op, want: ExpectValue): ExpectOutcome {
  const r = st.last;
  if (!r) return verdict(false, 'no command has run yet');
  const subject = field ? `last.${field}` : 'last';
  const failedAs = r.signal ?? r.errno;
  // errno / signal comparisons look at the whole result, whatever the field.
  if (want.kind === 'errno' || want.kind === 'signal') {
    const eq = failedAs === want.name;
    return verdict(op === '==' ? eq : !eq, `${subject} is ${failedAs ?? 'success'}${r.detail ? ` (${r.detail})` : ''}`);
  }
  if (failedAs) return verdict(false, `${subject}: the command failed with ${failedAs}${r.detail ? ` (${r.detail})` : ''}`);
  const got = field ? (r as unknown as Record<string, unknown>)[field] : r.value;
  if (got === undefined || got === null) return verdict(false, `${subject}: '${st.lastText}' gave no ${field ?? 'value'}`);
  if (want.kind === 'str') {
    // A read's bytes compare as text (its `text`); anything else by its printed value.
    const text = field ? undefined : (r as unknown as Record<string, unknown>).text;
    const g = typeof text === 'string' ? text : String(got);
    return verdict(op === '==' ? g === want.value : op === '!=' ? g !== want.value : false, `${subject} is "${g}"`);
  }
  // A read past 2^53 is the exact value as a hex string (a double would round it): compare
  // it exactly. The number it is compared with is exact too (the parser refuses others).
  if (typeof got === 'string' && HEX_VALUE.test(got)) {
    const big = BigInt(got);
    return verdict(compare(big, op, BigInt(want.value)), `${subject} is ${big} (${got})`);
  }
  if (typeof got !== 'number') return verdict(false, `${subject} is "${String(got)}", not a number`);
  return verdict(compare(got, op, want.value), `${subject} is ${num(got)}`);
}

/**
 * The physical frame (4 KiB pfn) mapping `va` in `mm`, by walking its tables in memory.
 * A 2 MiB / 1 GiB leaf gives the 4 KiB frame inside it. For an attached msharefs VMA the
 * walk goes through the host's PUD page, which the slot entry links once the task faulted.
 */
export function physFrame(k: Kernel, mm: Mm, va: number): number | string {
  const m = k.m;
  const u32 = m.pm.u32;
  const shifts = m.geo.shifts;
  const names = m.geo.levels === 5 ? ['PML5', 'P4D', 'PUD', 'PMD', 'PTE'] : ['PGD', 'PUD', 'PMD', 'PTE'];
  let table = mm.pgd;
  for (let d = 0; d < shifts.length; d++) {
    const ei = entryIndex(table, pgIndex(va, shifts[d]));
    const lo = u32[ei];
    if (!(lo & PTE_P)) return `no present ${names[d]} entry`;
    const pfn = entryPfn(lo, u32[ei + 1]);
    if (d === shifts.length - 1) return pfn;
    if (lo & PTE_PS) return pfn + Math.floor((va % 2 ** shifts[d]) / 4096);
    table = pfn;
  }
  return 'walk ended early';
}

function frameOf(k: Kernel, ta: TaskAddr): { pfn: number; where: string } | string {
  const t = k.task(ta.task);
  const where = `${ta.task}:${ta.addr.kind === 'label' ? ta.addr.label + (ta.addr.offset ? `+${ta.addr.offset}` : '') : ta.addr.kind === 'num' ? '0x' + ta.addr.value.toString(16) : 'auto'}`;
  if (!t) return `no task named ${ta.task}`;
  if (!isAlive(t) || !t.mm) return `${ta.task} is ${describeState(t)}`;
  const a = resolveAddr(k, ta.task, ta.addr);
  if (typeof a !== 'number') return a.detail ?? `${where} does not resolve`;
  const pfn = physFrame(k, t.mm, a);
  if (typeof pfn === 'string') return `${where} (0x${a.toString(16)}) is not present in ${ta.task}'s page tables: ${pfn}`;
  return { pfn, where };
}

function expectPage(k: Kernel, same: boolean, a: TaskAddr, b: TaskAddr): ExpectOutcome {
  const fa = frameOf(k, a);
  if (typeof fa === 'string') return verdict(false, fa);
  const fb = frameOf(k, b);
  if (typeof fb === 'string') return verdict(false, fb);
  const eq = fa.pfn === fb.pfn;
  const msg = eq
    ? `${fa.where} and ${fb.where} map the same frame (pfn 0x${fa.pfn.toString(16)})`
    : `${fa.where} and ${fb.where} map different frames (pfn 0x${fa.pfn.toString(16)} and 0x${fb.pfn.toString(16)})`;
  return verdict(same ? eq : !eq, msg);
}

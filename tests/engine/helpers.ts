/**
 * Shared by the engine tests: a kernel with the invariant checker on, PTE and frame readers,
 * and trace counters. Everything reads the machine the way the UI does: page tables from
 * `k.m.pm.u32`, frame descriptors from `k.m.pm.d`, counters from the /proc views.
 */
import { expect } from 'vitest';
import { Kernel, type MmapArgs } from '../../src/engine/kernel';
import { checkInvariants, leakedFrames } from '../../src/engine/invariants';
import { decodeEntry, type DecodedEntry } from '../../src/engine/hw/pte';
import { entryIndex, findPte, findTable, pgIndex } from '../../src/engine/mm/pgtable';
import { meminfo, status, type Status } from '../../src/engine/mm/proc';
import { cpuCounters, tlbTotals } from '../../src/engine/hw/tlb';
import type { SysResult } from '../../src/engine/sys/result';
import type { MachineConfig, Mm, MshareRegion } from '../../src/engine/types';

export const K = 1024;
export const M = 1024 * K;
export const G = 1024 * M;
export const G512 = 512 * G;
export const PAGE = 4096;

/** FrameUse values (a const enum in the engine; spelled out so tests read as numbers). */
export const USE = { free: 0, kernel: 1, zero: 2, pgd: 3, p4d: 4, pud: 5, pmd: 6, pte: 7, anon: 8, shmem: 9, hugetlb: 10 } as const;

export function kernel(config: Partial<MachineConfig> = {}): Kernel {
  return new Kernel(config);
}

/** The machine is consistent: the invariant checker finds nothing. */
export function consistent(k: Kernel): void {
  expect(checkInvariants(k.m)).toEqual([]);
}

/** A successful result's value (fails the test with the errno/signal otherwise). */
export function okv(r: SysResult): number {
  expect(r.errno, r.detail).toBeNull();
  expect(r.signal, r.detail).toBeNull();
  return r.value as number;
}

export function anon(addr: number | null, len: number, prot = 'rw', extra: Partial<MmapArgs['flags']> = {}): MmapArgs {
  return { addr, len, prot, flags: { private: true, anon: true, fixed: addr !== null, ...extra } };
}

export function shanon(addr: number | null, len: number, prot = 'rw', extra: Partial<MmapArgs['flags']> = {}): MmapArgs {
  return { addr, len, prot, flags: { shared: true, anon: true, fixed: addr !== null, ...extra } };
}

export function fileMap(file: string, addr: number | null, len: number, prot: string, shared: boolean, extra: Partial<MmapArgs['flags']> = {}): MmapArgs {
  return { addr, len, prot, file, flags: { shared, private: !shared, fixed: addr !== null, ...extra } };
}

export function mmOf(k: Kernel, name: string): Mm {
  const t = k.task(name);
  if (!t || !t.mm) throw new Error(`no task ${name}`);
  return t.mm;
}

export function st(k: Kernel, name: string): Status {
  return status(mmOf(k, name));
}

export function region(k: Kernel, path: string): MshareRegion {
  const inode = k.m.s.paths.get(path);
  if (!inode || !inode.region) throw new Error(`no region ${path}`);
  return inode.region;
}

/** The leaf PTE of `va` in `name`'s page tables, decoded; null when no PTE table exists. */
export function pte(k: Kernel, name: string, va: number): (DecodedEntry & { lo: number; hi: number }) | null {
  const mm = mmOf(k, name);
  const ei = findPte(k.m, mm, va);
  if (ei < 0) return null;
  const lo = k.m.pm.u32[ei];
  const hi = k.m.pm.u32[ei + 1];
  return { ...decodeEntry(lo, hi, true), lo, hi };
}

/** The entry at `depth` (0 = top) for `va` in the tree rooted at `pgd`, raw. */
export function entryAt(k: Kernel, pgd: number, va: number, depth: number): { lo: number; hi: number; ei: number } | null {
  const t = findTable(k.m, pgd, va, depth);
  if (t < 0) return null;
  const ei = entryIndex(t, pgIndex(va, k.m.geo.shifts[depth]));
  return { lo: k.m.pm.u32[ei], hi: k.m.pm.u32[ei + 1], ei };
}

/** The frame a present 4 KiB leaf maps. */
export function pfnOf(k: Kernel, name: string, va: number): number {
  const p = pte(k, name, va);
  expect(p && (p.present || p.protnone), `no PTE for 0x${va.toString(16)} in ${name}`).toBeTruthy();
  return p!.pfn;
}

export function desc(k: Kernel, pfn: number) {
  const d = k.m.pm.d;
  return {
    use: d.use[pfn], flags: d.flags[pfn], refcount: d.refcount[pfn], mapcount: d.mapcount[pfn], entire: d.entire[pfn],
    owner: d.owner[pfn], share: d.share[pfn], pincount: d.pincount[pfn], memcg: d.memcg[pfn],
  };
}

export function pageTables(k: Kernel): number {
  return meminfo(k.m).PageTables;
}

/** Frames allocated so far (trace count; exact even when the ring is off). */
export function allocs(k: Kernel): number {
  return k.m.trace.counts['frame-alloc'] ?? 0;
}

export function faults(k: Kernel, kind?: string): number {
  if (kind) return k.m.trace.faultKinds[kind] ?? 0;
  return k.m.trace.counts.fault ?? 0;
}

export function tlb(k: Kernel) {
  return tlbTotals(k.m.s.tlb);
}

export function shootdowns(k: Kernel, cpu?: number): number {
  if (cpu === undefined) return tlbTotals(k.m.s.tlb).shootdowns;
  return cpuCounters(k.m.s.tlb, cpu).shootdowns;
}

/** Fault events in the ring since sequence `since`, as their kinds. */
export function faultKindsSince(k: Kernel, since: number): string[] {
  return k.m.trace.since(since).flatMap((e) => (e.type === 'fault' ? [e.kind] : []));
}

/** Exit every live task and unlink every file; the machine must then hold no frame. */
export function teardown(k: Kernel): void {
  for (const t of [...k.m.s.tasks.values()]) {
    if (t.state === 'running' || t.state === 'blocked') k.exit(t.name);
  }
  // Children before parents: unlink longest paths first (directories after their files).
  const paths = [...k.m.s.paths.keys()].sort((a, b) => b.length - a.length);
  for (const p of paths) {
    const inode = k.m.s.paths.get(p);
    if (!inode || inode.kind === 'info' || k.m.s.mounts.has(p)) continue;
    expect(k.unlink(p).errno, `unlink ${p}`).toBeNull();
  }
  expect(checkInvariants(k.m)).toEqual([]);
  expect(leakedFrames(k.m)).toBe(0);
}

export { checkInvariants, leakedFrames, meminfo, status };

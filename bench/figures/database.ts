/**
 * Figures 4 and 5: the database scenario. One process (db0) holds a 64 MiB shared region
 * and writes every page; it forks N clients (db1..dbN); every client reads every page.
 * Three set-ups of the region (the logic of the former bench/db.tmp.ts):
 *
 * - none:   a plain MAP_SHARED|MAP_ANONYMOUS region (shmem): every client builds its own
 *           136 KiB of page tables for it.
 * - huge:   a 1 GiB MAP_HUGETLB|MAP_SHARED mapping at a 1 GiB-aligned address, of which the
 *           first 64 MiB are used: the PMD page is shared between the clients (hugetlb PMD
 *           sharing), each client only keeps a PUD.
 * - mshare: an msharefs region (2024 flavour: a 512 GiB mshare mapping, then a fixed
 *           anonymous shared mapping inside it, which goes to the host mm): every client links
 *           one PGD entry to the host's PUD page.
 *
 * Timed: `forkMs` (N forks), `readMs` (N full reads), `runMs` = both: the span Linux's
 * `ready_ms` covers in bench/native/database.c (first fork to every client having read);
 * `wallMs` adds the setup (spawn, mmap, populate). Page-table bytes are /proc/meminfo
 * PageTables (machine-wide) and db1's VmPTE.
 */
import { Kernel } from '../../src/engine/kernel';
import { meminfo, status } from '../../src/engine/mm/proc';
import { figureMain, gc, log, now } from './common';

export type DbMode = 'none' | 'huge' | 'mshare';
export const DB_MODES: readonly DbMode[] = ['none', 'huge', 'mshare'];

export interface DatabaseOptions {
  n?: number;
  mode?: DbMode;
  /** Shared region size (MiB). */
  mib?: number;
  /** Simulated RAM (bytes); default 1 GiB, enough for 3,000 clients without sharing. */
  ram?: number;
  /** Measure JS heap (needs node --expose-gc for exact numbers). */
  heap?: boolean;
  /**
   * Untimed runs that go first (same mode, N and region, each on its own machine), so the
   * timed run measures compiled engine code, as the app runs a scenario it has run before,
   * beside a kernel whose code is compiled ahead of time. Default 2: the per-client paths
   * (fork, the mshare link fault) run once per client, and V8 compiles them late; the mshare
   * run took 81-94 ms first, 34-46 ms after one untimed run, 28-31 ms after two (measured).
   * 0 = a cold run.
   */
  warmupRuns?: number;
}

export interface DatabaseResult {
  figure: 'database';
  mode: DbMode;
  n: number;
  mib: number;
  /** Untimed runs before this one (0: none; the figures are then a cold start). */
  warmupRuns: number;
  /** fork + read of the first untimed run: a fresh process, nothing compiled yet (null without one). */
  coldRunMs: number | null;
  setupMs: number;
  forkMs: number;
  readMs: number;
  runMs: number;
  wallMs: number;
  pageTablesBytes: number;
  db1VmPteBytes: number;
  db0VmPteBytes: number;
  shmemBytes: number;
  oomKills: number;
  heap: null | {
    /** heapUsed after setup, after the forks, after the reads (bytes). */
    afterSetup: number;
    afterFork: number;
    afterRead: number;
    /** Page-table pages (meminfo PageTables / 4096) at the same points. */
    ptPagesAfterFork: number;
    ptPagesAfterRead: number;
    /** The SharedArrayBuffers (RAM and frame descriptors), outside the JS heap. */
    sabBytes: number;
    exactGc: boolean;
  };
}

export const REGION_ADDR = 2 ** 40;

/** Creates db0 and its populated shared region; returns the region's address. */
export function setupDatabase(k: Kernel, mode: DbMode, mib: number): number {
  const len = mib * 2 ** 20;
  const check = (what: string, r: { errno: unknown; signal: unknown }) => {
    if (r.errno || r.signal) throw new Error(`${mode}: ${what} failed: ${JSON.stringify(r)}`);
  };
  check('spawn', k.spawn('db0'));
  let addr: number;
  if (mode === 'mshare') {
    check('mount', k.mount());
    check('open', k.open('db0', '/sys/fs/mshare/sga', true, 3));
    check('mmap region', k.mmap('db0', { addr: REGION_ADDR, len: 2 ** 39, prot: 'rw', flags: { shared: true }, fd: 3, label: 'sga' }));
    check('mmap inside', k.mmap('db0', { addr: REGION_ADDR, len, prot: 'rw', flags: { shared: true, anon: true, fixed: true } }));
    addr = REGION_ADDR;
  } else if (mode === 'huge') {
    // PMD sharing needs the whole 1 GiB PUD range inside one shared hugetlb VMA.
    check('mmap', k.mmap('db0', { addr: REGION_ADDR, len: 2 ** 30, prot: 'rw', flags: { shared: true, anon: true, hugetlb: true, noreserve: true, fixed: true }, label: 'sga' }));
    addr = REGION_ADDR;
  } else {
    check('mmap', k.mmap('db0', { addr: null, len, prot: 'rw', flags: { shared: true, anon: true }, label: 'sga' }));
    addr = k.labelAddr('db0', 'sga')!;
  }
  check('populate', k.touch('db0', addr, len, 'write'));
  return addr;
}

export function run(opts: DatabaseOptions = {}): DatabaseResult {
  const n = opts.n ?? 1500;
  const mode = opts.mode ?? 'none';
  const mib = opts.mib ?? 64;
  const warmupRuns = Math.max(0, Math.floor(opts.warmupRuns ?? 2));
  // A small machine that lives through every run, as the app always has one. The runs below
  // are separated by forced GCs; with no machine alive at that moment, the GC freed the maps
  // (object shapes) only machines use, and V8 threw away every optimized function that
  // referred to them ("weak objects" in --trace-deopt): each timed mshare run started over
  // in the interpreter (70-100 ms instead of 24-30 ms, measured).
  const keeper = warmupRuns > 0 ? liveMachine(mode) : null;
  let coldRunMs: number | null = null;
  let heap: DatabaseResult['heap'] = null;
  for (let i = 0; i < warmupRuns; i++) {
    // The last untimed run measures the JS heap, so that its forced GCs (between the phases)
    // stay out of the timed run.
    const r = timedRun({ ...opts, n, mode, mib, heap: opts.heap && i === warmupRuns - 1 }, i, null);
    coldRunMs ??= r.runMs;
    heap = r.heap;
    gc(); // drop the warm-up machine before the next is built (peak RSS)
  }
  const res = timedRun({ ...opts, n, mode, mib, heap: opts.heap && warmupRuns === 0 }, warmupRuns, coldRunMs);
  // A use after the timed run, so the keeper stays reachable (and alive) until then.
  if (keeper && keeper.m.s.tasks.size === 0) throw new Error('the live machine lost its tasks');
  return warmupRuns > 0 ? { ...res, heap } : res;
}

/** A 64 MiB machine with a two-process database of `mode` on a 4 MiB region. */
function liveMachine(mode: DbMode): Kernel {
  const k = new Kernel({ ram: 64 << 20, mshare: 2024 });
  k.m.trace.recording = false;
  const addr = setupDatabase(k, mode, 4);
  k.fork('db0', 'db1');
  k.touch('db1', addr, 4 << 20, 'read');
  return k;
}

function timedRun(opts: DatabaseOptions & { n: number; mode: DbMode; mib: number }, warmupRuns: number, coldRunMs: number | null): DatabaseResult {
  const { n, mode, mib } = opts;
  const len = mib * 2 ** 20;
  const heapUsed = () => {
    gc();
    return process.memoryUsage().heapUsed;
  };

  const k = new Kernel({ ram: opts.ram ?? 2 ** 30, mshare: 2024 });
  k.m.trace.recording = false;
  const names = Array.from({ length: n + 1 }, (_, i) => `db${i}`);
  const t0 = now();
  const addr = setupDatabase(k, mode, mib);
  const t1 = now();
  const h0 = opts.heap ? heapUsed() : 0;
  const t1b = now();
  for (let i = 1; i <= n; i++) {
    const r = k.fork('db0', names[i]);
    if (r.errno || r.signal) throw new Error(`${mode}: fork ${i} failed: ${JSON.stringify(r)}`);
  }
  const t2 = now();
  const h1 = opts.heap ? heapUsed() : 0;
  const pt1 = opts.heap ? meminfo(k.m).PageTables / 4096 : 0;
  const t2b = now();
  for (let i = 1; i <= n; i++) {
    const r = k.touch(names[i], addr, len, 'read');
    if (r.errno || r.signal) throw new Error(`${mode}: read by db${i} failed: ${JSON.stringify(r)}`);
  }
  const t3 = now();
  const h2 = opts.heap ? heapUsed() : 0;
  const mi = meminfo(k.m);
  const forkMs = t2 - t1b;
  const readMs = t3 - t2b;
  const res: DatabaseResult = {
    figure: 'database',
    mode,
    n,
    mib,
    warmupRuns,
    coldRunMs,
    setupMs: t1 - t0,
    forkMs,
    readMs,
    runMs: forkMs + readMs,
    wallMs: t1 - t0 + forkMs + readMs,
    pageTablesBytes: mi.PageTables,
    db1VmPteBytes: n >= 1 ? status(k.task('db1')!.mm).VmPTE : 0,
    db0VmPteBytes: status(k.task('db0')!.mm).VmPTE,
    shmemBytes: mi.Shmem + mi.Hugetlb,
    oomKills: k.m.s.oomKills,
    heap: opts.heap
      ? {
          afterSetup: h0,
          afterFork: h1,
          afterRead: h2,
          ptPagesAfterFork: pt1,
          ptPagesAfterRead: mi.PageTables / 4096,
          sabBytes: k.m.pm.ram.byteLength + k.m.pm.descBuf.byteLength,
          exactGc: typeof (globalThis as { gc?: unknown }).gc === 'function',
        }
      : null,
  };
  if (res.oomKills) throw new Error(`${mode} N=${n}: ${res.oomKills} OOM kills; give the machine more RAM`);
  log(`database ${mode} N=${n}${warmupRuns ? ` (after ${warmupRuns} untimed run${warmupRuns > 1 ? 's' : ''})` : ' (first run)'}: fork ${forkMs.toFixed(0)} ms, read ${readMs.toFixed(0)} ms, PageTables ${(mi.PageTables / 1024).toFixed(0)} kB`);
  return res;
}

figureMain('database', import.meta.url, run);

/**
 * The benchmark suite: `npm run bench` prints a table, `npm run bench -- --json` prints ONLY
 *   {"figures": [{"name","value","unit","baseline","baseline_value","ratio","target","meets","min","max"}]}
 * on stdout (progress and notes go to stderr).
 *
 * Every figure stands beside a baseline measured in the same run: bare typed-array code
 * (translation), the real kernel of this machine (bench/native/, C programs), or a budget
 * from the issue. `ratio` always reads "times better than the baseline" (higher is better):
 * rate / baseline rate, baseline time / time, baseline bytes / bytes (for the translation
 * figures, whose baseline runs in the same process, the median of block-by-block ratios,
 * which holds better under changing load than the ratio of the medians). `meets` is
 * ratio >= target (null without a target or without a baseline). `value` is the median of
 * the runs, `min` / `max` the extremes over them.
 *
 * Each simulator figure is bundled with esbuild into bench/.build/ (tsx-loaded code is
 * ~1.5-2x slower than bundled), with --minify-syntax so that constants imported from other
 * modules are inlined as the app's production build inlines them (the worker bundle has
 * `ctr[t*8+0]++` where the source has `ctr[cpu * NCTR + C_HITS]++`), and run with plain `node` in a fresh child process, one
 * process per run, one at a time, so no run shares a heap, a JIT state or a peak-RSS
 * counter with another. The native baselines run after them, also one at a time, except the
 * no-sharing database at N: its runs alternate with the simulator's (see `pairedNone`).
 *
 * Flags:
 *   --json           only the JSON object on stdout
 *   --quick          tiny sizes (seconds; for tests: shape, not speed)
 *   --only a,b       figure groups: translate, faults, fork, database, scaling, memory, browser
 *   --no-native      skip the real-kernel baselines (baseline fields become null)
 *   --no-browser     skip the browser figures
 *   --linux-scaling 100,500,3000
 *                    Ns the Linux database baseline runs at for the scaling figures
 *                    (default 100,500: N=3,000 alone takes 25-50 s on this machine)
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  QUICK_OPTIONS,
  runNativeBaselines,
  summarizeDatabase,
  type DatabaseJson,
  type NativeBaselineOptions,
  type NativeDatabase,
  type NativeDatabaseError,
  type NativeResult,
} from './native/baseline';
import type { TranslateResult } from './figures/translate';
import type { FaultsResult } from './figures/faults';
import type { ForkResult } from './figures/fork';
import type { DatabaseResult, DbMode } from './figures/database';
import type { BrowserResult } from './figures/browser';

// ------------------------------------------------------------------ output shape

export interface Figure {
  name: string;
  value: number | null;
  unit: string;
  baseline: string | null;
  baseline_value: number | null;
  ratio: number | null;
  target: number | null;
  meets: boolean | null;
  min: number | null;
  max: number | null;
}

export interface BenchReport {
  figures: Figure[];
}

export const FIGURE_KEYS = ['name', 'value', 'unit', 'baseline', 'baseline_value', 'ratio', 'target', 'meets', 'min', 'max'] as const;

export const GROUPS = ['translate', 'faults', 'fork', 'database', 'scaling', 'memory', 'browser'] as const;
export type Group = (typeof GROUPS)[number];

export interface BenchOptions {
  quick?: boolean;
  only?: Group[];
  native?: boolean;
  browser?: boolean;
  /** Process counts the Linux database baseline also runs at for the scaling figures (1 run each). */
  linuxScaling?: number[];
  /** Progress and notes (stderr by default). */
  log?: (msg: string) => void;
}

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..');
const BUILD = join(HERE, '.build');
const FIGURE_PROGRAMS = ['translate', 'faults', 'fork', 'database'] as const;
type Program = (typeof FIGURE_PROGRAMS)[number];

// ------------------------------------------------------------------ sizes

interface Plan {
  runs: number;
  translate: { hitOps: number; missOps: number; blocks: number; warmup: number; regionMib: number };
  faults: { anonMib: number; anonReps: number; shmemMib: number; shmemReps: number };
  fork: { mib: number; reps: number };
  db: { n: number; mib: number; runs: number; ram: number };
  scaling: { ns: number[]; runs: (n: number) => number };
  native: NativeBaselineOptions;
  /** Database Ns the native program runs beyond db.n, and how often. */
  nativeScaling: { ns: number[]; runs: number };
  browser: { n: number; mib: number; runs: number };
}

function plan(quick: boolean): Plan {
  if (quick) {
    return {
      runs: 1,
      translate: { hitOps: 64_000, missOps: 20_000, blocks: 1, warmup: 1, regionMib: 4 },
      faults: { anonMib: 4, anonReps: 1, shmemMib: 4, shmemReps: 1 },
      fork: { mib: 16, reps: 1 },
      db: { n: 20, mib: 4, runs: 1, ram: 64 << 20 },
      scaling: { ns: [10, 20], runs: () => 1 },
      native: { ...QUICK_OPTIONS, database: { n: [20], mib: 4, runs: 1 } },
      nativeScaling: { ns: [10], runs: 1 },
      browser: { n: 20, mib: 4, runs: 1 },
    };
  }
  return {
    runs: 3,
    translate: { hitOps: 4_000_000, missOps: 1_000_000, blocks: 7, warmup: 3, regionMib: 64 },
    faults: { anonMib: 256, anonReps: 5, shmemMib: 256, shmemReps: 5 },
    fork: { mib: 1024, reps: 5 },
    db: { n: 1500, mib: 64, runs: 3, ram: 2 ** 30 },
    // 3,000 is the slowest (no sharing, ~5 s): one run.
    scaling: { ns: [100, 500, 1500, 3000], runs: (n) => (n >= 3000 ? 1 : 3) },
    native: {
      runs: 3,
      faults: { mib: 256 },
      fork: { gib: 1 },
      // Linux needs ~15 s per run at 1,500 here: three runs.
      database: { n: [1500], mib: 64, runs: 3 },
    },
    // ... and one run at 100 and 500. N=3,000 takes 25-50 s here (more under load) and would
    // push the suite past 5 minutes: only with --linux-scaling 100,500,3000.
    nativeScaling: { ns: [100, 500], runs: 1 },
    // ~30 s per run in the Worker today: one run.
    browser: { n: 1500, mib: 64, runs: 1 },
  };
}

// ------------------------------------------------------------------ running figure programs

/** Bundles every figure program into bench/.build/<name>.mjs (plain node ESM). */
export function bundleFigures(): void {
  mkdirSync(BUILD, { recursive: true });
  const esbuild = join(ROOT, 'node_modules', '.bin', 'esbuild');
  const entries = FIGURE_PROGRAMS.map((p) => join(HERE, 'figures', `${p}.ts`));
  const r = spawnSync(
    esbuild,
    [...entries, '--bundle', '--minify-syntax', '--platform=node', '--format=esm', '--target=node20', `--outdir=${BUILD}`, '--out-extension:.js=.mjs', '--log-level=warning'],
    { encoding: 'utf8', cwd: ROOT },
  );
  if (r.status !== 0) throw new Error(`esbuild failed: ${r.error?.message ?? ''}${r.stderr}`);
}

/** Runs one bundled figure in a fresh node process; resolves to its one-line JSON result. */
function runProgram<T>(program: Program, opts: object, nodeFlags: string[] = []): Promise<T & { maxRssBytes: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeFlags, join(BUILD, `${program}.mjs`), JSON.stringify(opts)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0) return reject(new Error(`${program} ${JSON.stringify(opts)} exited with ${code}`));
      try {
        resolve(JSON.parse(line) as T & { maxRssBytes: number });
      } catch {
        reject(new Error(`${program}: no JSON result in ${JSON.stringify(out.slice(0, 300))}`));
      }
    });
  });
}

async function runMany<T>(program: Program, opts: object, runs: number, nodeFlags: string[] = []): Promise<Array<T & { maxRssBytes: number }>> {
  const out: Array<T & { maxRssBytes: number }> = [];
  for (let i = 0; i < runs; i++) out.push(await runProgram<T>(program, opts, nodeFlags));
  return out;
}

/** Seconds since `t0`, for the progress log. */
const since = (t0: number) => `${((Date.now() - t0) / 1000).toFixed(1)} s`;

// ------------------------------------------------------------------ aggregation

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

interface Stat {
  value: number;
  min: number;
  max: number;
}

function stat(values: number[]): Stat {
  return { value: median(values), min: Math.min(...values), max: Math.max(...values) };
}

type Better = 'higher' | 'lower';

function figure(
  name: string,
  s: Stat | null,
  unit: string,
  better: Better,
  baseline: { name: string; value: number | null; ratio?: number } | null,
  target: number | null,
): Figure {
  const bv = baseline && baseline.value !== null && Number.isFinite(baseline.value) && baseline.value > 0 ? baseline.value : null;
  let ratio: number | null = null;
  // A baseline timed in the same process, block by block, brings its own (paired) ratio.
  if (s && bv !== null && baseline?.ratio !== undefined && Number.isFinite(baseline.ratio)) ratio = baseline.ratio;
  else if (s && bv !== null && s.value > 0) ratio = better === 'higher' ? s.value / bv : bv / s.value;
  return {
    name,
    value: s ? s.value : null,
    unit,
    baseline: baseline && bv !== null ? baseline.name : null,
    baseline_value: bv,
    ratio,
    target,
    meets: target === null || ratio === null ? null : ratio >= target,
    min: s ? s.min : null,
    max: s ? s.max : null,
  };
}

const MODE_NAME: Record<DbMode, string> = { none: 'no sharing', huge: 'hugetlb PMD sharing', mshare: 'mshare' };

// ------------------------------------------------------------------ the suite

export async function runBench(options: BenchOptions = {}): Promise<BenchReport> {
  const quick = !!options.quick;
  const log = options.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const want = (g: Group) => !options.only || options.only.includes(g);
  const p = plan(quick);
  if (options.linuxScaling) p.nativeScaling.ns = options.linuxScaling;
  const figures: Figure[] = [];
  const notes: string[] = [];
  const note = (m: string) => {
    notes.push(m);
    log(`note: ${m}`);
  };

  const simGroups = want('translate') || want('faults') || want('fork') || want('database') || want('scaling') || want('memory');
  if (simGroups) {
    log('bundling figures with esbuild into bench/.build/ ...');
    bundleFigures();
  }

  // ---- simulator runs (one process each, one at a time)
  let tr: TranslateResult[] = [];
  if (want('translate')) {
    log(`translate: ${p.runs} runs`);
    const t0 = Date.now();
    tr = await runMany<TranslateResult>('translate', p.translate, p.runs);
    log(`translate: done in ${since(t0)}`);
  }
  let fa: FaultsResult[] = [];
  if (want('faults')) {
    log(`faults: ${p.runs} runs`);
    const t0 = Date.now();
    fa = await runMany<FaultsResult>('faults', p.faults, p.runs);
    log(`faults: done in ${since(t0)}`);
  }
  let fo: ForkResult[] = [];
  if (want('fork')) {
    log(`fork: ${p.runs} runs`);
    const t0 = Date.now();
    fo = await runMany<ForkResult>('fork', p.fork, p.runs);
    log(`fork: done in ${since(t0)}`);
  }
  // Database runs, keyed by mode and N. --expose-gc: the runs also measure the JS heap
  // (forced GCs happen outside the timed spans).
  type DbRun = DatabaseResult & { maxRssBytes: number };
  const db = new Map<string, DbRun[]>();
  const key = (mode: DbMode, n: number) => `${mode}:${n}`;
  const dbRun = async (mode: DbMode, n: number, runs: number) => {
    const have = db.get(key(mode, n)) ?? [];
    if (have.length >= runs) return;
    log(`database ${mode} N=${n}: ${runs - have.length} run(s)`);
    const t0 = Date.now();
    const more = await runMany<DatabaseResult>('database', { n, mode, mib: p.db.mib, ram: p.db.ram, heap: true }, runs - have.length, ['--expose-gc']);
    db.set(key(mode, n), [...have, ...more]);
    log(`database ${mode} N=${n}: done in ${since(t0)}`);
  };
  const modes: DbMode[] = ['none', 'huge', 'mshare'];
  const N = p.db.n;
  const nlog = (m: string) => log(`  [native] ${m}`);
  // The no-sharing database at N runs in pairs with Linux (below, after every other native
  // program): the other simulator loops leave it out.
  const pairing = want('database') && options.native !== false;
  const later = (mode: DbMode, n: number) => pairing && mode === 'none' && n === N;
  if (want('database') || want('memory')) {
    for (const mode of want('database') ? modes : (['none', 'mshare'] as DbMode[])) if (!later(mode, N)) await dbRun(mode, N, p.db.runs);
  }
  if (want('scaling')) {
    for (const n of p.scaling.ns) for (const mode of modes) if (!later(mode, n)) await dbRun(mode, n, p.scaling.runs(n));
  }

  // ---- browser (Playwright; skipped with a note when the UI is not ready)
  let br: BrowserResult | { skipped: string } | null = null;
  if (want('browser') && options.browser !== false) {
    log('browser figures ...');
    const t0 = Date.now();
    br = await runBrowser(p.browser, log);
    log(`browser: done in ${since(t0)}`);
    if ('skipped' in br) note(`browser figures skipped: ${br.skipped}`);
  }

  // ---- native baselines (after the simulator, one program at a time)
  let nat: NativeResult | null = null;
  const natDb = new Map<number, NativeDatabase | NativeDatabaseError>();
  const needNative = want('faults') || want('fork') || want('database') || want('scaling');
  const dbNs = [...(want('database') || want('scaling') ? ((p.native.database || {}).n ?? []) : [])].filter((n) => !(pairing && n === N));
  if (options.native === false) {
    note('native baselines skipped (--no-native)');
  } else if (needNative) {
    log('native baselines (C programs on this kernel) ...');
    const tn = Date.now();
    const r = await runNativeBaselines({
      ...p.native,
      faults: want('faults') ? p.native.faults : false,
      fork: want('fork') ? p.native.fork : false,
      database: dbNs.length ? p.native.database : false,
      log: nlog,
    });
    if ('skipped' in r) {
      note(r.skipped);
    } else {
      nat = r;
      for (const d of r.database) natDb.set(d.n, d);
      if (want('scaling') && p.nativeScaling.ns.length) {
        const r2 = await runNativeBaselines({
          faults: false,
          fork: false,
          database: { n: p.nativeScaling.ns, mib: (p.native.database || {}).mib, runs: p.nativeScaling.runs },
          log: nlog,
        });
        if (!('skipped' in r2)) for (const d of r2.database) natDb.set(d.n, d);
      }
      log(`native: done in ${since(tn)}`);
    }
  }

  // ---- the no-sharing database at N, in pairs: each simulator run is followed at once by one
  // run of the C program, and the ratio is the median of the pairs' ratios. The machine's
  // speed drifts by up to 1.8x within a bench run; the two halves of a pair see the same
  // machine (as translate's alternating blocks do). These Linux runs are also the N baseline.
  // Last, because 1,500 exiting Linux processes leave the kernel busy for a while, and no
  // figure should be measured in their wake.
  const pairedNone: number[] = [];
  const pairedLinux: DatabaseJson[] = [];
  if (pairing && nat) {
    for (let i = 0; i < p.db.runs; i++) {
      await dbRun('none', N, i + 1);
      const r = await runNativeBaselines({ faults: false, fork: false, database: { n: [N], mib: p.db.mib, runs: 1 }, raw: true, log: nlog });
      if ('skipped' in r) break;
      const d = r.raw?.database[0]?.[0];
      if (!d) {
        natDb.set(N, r.database[0]); // the program's error
        break;
      }
      // Nothing else asked of the native pass (--only database): the environment is the pairs'.
      if (!nat.env.kernel) nat = { ...nat, env: r.env, compiler: r.compiler };
      pairedLinux.push(d);
      const sim = db.get(key('none', N))![i].runMs;
      pairedNone.push(d.ready_ms / sim);
      log(`  pair ${i + 1}: simulator ${sim.toFixed(0)} ms, Linux ${d.ready_ms.toFixed(0)} ms: ${(d.ready_ms / sim).toFixed(2)}x`);
    }
  }
  const paired = pairedLinux.length === p.db.runs;
  if (paired) natDb.set(N, summarizeDatabase(pairedLinux));
  // Pairing impossible (no native baselines) or cut short: the simulator runs still happen.
  if (want('database') || want('memory') || (want('scaling') && p.scaling.ns.includes(N))) await dbRun('none', N, p.db.runs);
  if (nat) {
    const missing = want('scaling') ? p.scaling.ns.filter((n) => !natDb.has(n)) : [];
    if (missing.length) note(`no Linux database baseline at N=${missing.join(', ')} (slow; add it with --linux-scaling)`);
    if (want('scaling') && p.nativeScaling.runs === 1) note(`Linux database baselines at N=${p.nativeScaling.ns.join(', ')}: 1 run each (slow); N=${[...(paired ? [N] : []), ...dbNs].join(', ')}: ${(p.native.database || {}).runs ?? p.native.runs} runs`);
    for (const d of natDb.values()) if ('error' in d) note(`Linux database N=${d.n}: ${d.error}`);
    const env = nat.env;
    note(`native: ${nat.compiler}, kernel ${env.kernel}, THP ${env.thp_enabled}, shmem THP ${env.thp_shmem_enabled}${env.hypervisor ? ', under a hypervisor' : ''}${env.damon === 'on' ? ', DAMON on' : ''}`);
  }
  const linux = (n: number): NativeDatabase | null => {
    const d = natDb.get(n);
    return d && !('error' in d) ? d : null;
  };
  const kernelName = nat ? `Linux ${nat.env.kernel.split(' ')[0]}` : 'Linux';
  /** Linux's no-sharing database at `n` as a time baseline; at N, paired with the simulator. */
  const linuxReady = (n: number): { name: string; value: number; ratio?: number } | null => {
    const L = linux(n);
    if (!L) return null;
    if (paired && n === N) return { name: `${kernelName}, C, first fork to all read (${L.runs} runs, each right after a simulator run; paired ratio)`, value: L.readyMs.median, ratio: median(pairedNone) };
    return { name: `${kernelName}, C, first fork to all read (${L.runs} run${L.runs > 1 ? 's' : ''})`, value: L.readyMs.median };
  };

  // ---- 1. translation
  if (want('translate')) {
    const hitBare = stat(tr.map((r) => r.hitBare));
    const missBare = stat(tr.map((r) => r.missBare));
    // The ratio is the median over runs of each run's median paired (block by block) ratio.
    const lookup = (f: (r: TranslateResult) => number) => ({ name: 'bare typed-array TLB lookup (same addresses; paired ratio)', value: hitBare.value, ratio: median(tr.map(f)) });
    const walk = (f: (r: TranslateResult) => number) => ({ name: 'bare 4-level walk, same SharedArrayBuffer and addresses (paired ratio)', value: missBare.value, ratio: median(tr.map(f)) });
    figures.push(figure('translate: TLB-hit translations', stat(tr.map((r) => r.hitSim)), 'translations/s', 'higher', lookup((r) => r.hitRatio), 0.5));
    figures.push(figure('translate: TLB-miss walks', stat(tr.map((r) => r.missSim)), 'walks/s', 'higher', walk((r) => r.missRatio), 0.5));
    figures.push(figure('translate: TLB hits through touch (batched)', stat(tr.map((r) => r.hitTouch)), 'translations/s', 'higher', lookup((r) => r.hitTouchRatio), null));
    figures.push(figure('translate: TLB-miss walks through touch (batched)', stat(tr.map((r) => r.missTouch)), 'walks/s', 'higher', walk((r) => r.missTouchRatio), null));
  }

  // ---- 2. faults
  if (want('faults')) {
    const nf = nat?.faults ?? null;
    const anon = fa.map((r) => r.anonFaultsPerSec);
    const shm = fa.map((r) => r.shmemFaultsPerSec);
    const spreadStat = (xs: Array<{ median: number; min: number; max: number }>): Stat => ({
      value: median(xs.map((x) => x.median)),
      min: Math.min(...xs.map((x) => x.min)),
      max: Math.max(...xs.map((x) => x.max)),
    });
    figures.push(figure(`faults: anonymous write faults (${p.faults.anonMib} MiB)`, spreadStat(anon), 'faults/s', 'higher',
      nf ? { name: `${kernelName}, C (${nf.anonMib} MiB, wall clock)`, value: nf.anonWriteFaultsPerSec.median } : null, 1.0));
    figures.push(figure(`faults: shmem read faults, fault-around (${p.faults.shmemMib} MiB)`, spreadStat(shm), 'faults/s', 'higher',
      nf ? { name: `${kernelName}, C (${nf.shmemMib} MiB, ${nf.shmemPagesPerFault.toFixed(1)} pages/fault)`, value: nf.shmemReadFaultsPerSec.median } : null, 1.0));
    if (fa.length) note(`sim shmem fault-around: ${fa[0].shmemPagesPerFault} pages/fault; anon passes zeroed ${(fa[0].anonRecycledFraction * 100).toFixed(0)}% recycled frames`);
  }

  // ---- 3. fork
  if (want('fork')) {
    const nk = nat?.fork ?? null;
    const per = fo.flatMap((r) => [r.msPerGib.median]);
    const s: Stat = { value: median(per), min: Math.min(...fo.map((r) => r.msPerGib.min)), max: Math.max(...fo.map((r) => r.msPerGib.max)) };
    figures.push(figure(`fork: time per GiB of touched anon memory (${p.fork.mib} MiB)`, s, 'ms/GiB', 'lower',
      nk ? { name: `${kernelName}, C fork() (${nk.gib} GiB)`, value: nk.forkMsPerGib } : null, 1.0));
  }

  // ---- 4. database at N
  const dbStat = (mode: DbMode, n: number, f: (r: DbRun) => number): Stat | null => {
    const rs = db.get(key(mode, n));
    return rs && rs.length ? stat(rs.map(f)) : null;
  };
  if (want('database')) {
    const L = linux(N);
    const runsNote = (mode: DbMode) => {
      const rs = db.get(key(mode, N)) ?? [];
      const w = rs[0]?.warmupRuns ?? 0;
      const warm = w ? `after ${w} untimed run${w > 1 ? 's' : ''}, ` : '';
      return `${warm}${rs.length} run${rs.length === 1 ? '' : 's'}`;
    };
    for (const mode of modes) {
      const label = `database N=${N} ${MODE_NAME[mode]}`;
      let base: { name: string; value: number | null; ratio?: number } | null = null;
      let target: number | null = null;
      if (mode === 'none') {
        base = linuxReady(N);
        target = 2.0;
      } else if (mode === 'mshare') {
        base = { name: 'budget from the issue: 100 ms', value: 100 };
        target = 1.0;
      }
      figures.push(figure(`${label}: time (fork + read, ${runsNote(mode)})`, dbStat(mode, N, (r) => r.runMs), 'ms', 'lower', base, target));
      const cold = (db.get(key(mode, N)) ?? []).map((r) => r.coldRunMs).filter((x): x is number => x !== null);
      figures.push(figure(`${label}: time of a first run in a fresh process (nothing compiled yet)`, cold.length ? stat(cold) : null, 'ms', 'lower', null, null));
      figures.push(figure(`${label}: wall incl. setup`, dbStat(mode, N, (r) => r.wallMs), 'ms', 'lower', null, null));
      figures.push(figure(`${label}: PageTables (meminfo)`, dbStat(mode, N, (r) => r.pageTablesBytes), 'bytes', 'lower',
        L && L.pageTablesDeltaKb !== null ? { name: `${kernelName}: PageTables growth with the N alive`, value: L.pageTablesDeltaKb * 1024 } : null, null));
      figures.push(figure(`${label}: db1 VmPTE`, dbStat(mode, N, (r) => r.db1VmPteBytes), 'bytes', 'lower',
        L && L.childVmPteKb !== null ? { name: `${kernelName}: a child's VmPTE (whole process)`, value: L.childVmPteKb * 1024 } : null, null));
      figures.push(figure(`${label}: peak RSS of the run`, dbStat(mode, N, (r) => r.maxRssBytes), 'bytes', 'lower', null, null));
    }
    if (L) note(`Linux database N=${N}: first fork to last waitpid ${L.wallMs.median.toFixed(0)} ms (incl. exits), all read after ${L.readyMs.median.toFixed(0)} ms`);
  }

  // ---- 5. scaling
  if (want('scaling')) {
    const ns = p.scaling.ns;
    for (const mode of modes) {
      for (const n of ns) {
        const L = mode === 'none' ? linux(n) : null;
        figures.push(figure(`scaling ${MODE_NAME[mode]} N=${n}: time`, dbStat(mode, n, (r) => r.runMs), 'ms', 'lower',
          L ? linuxReady(n) : null, null));
        figures.push(figure(`scaling ${MODE_NAME[mode]} N=${n}: PageTables`, dbStat(mode, n, (r) => r.pageTablesBytes), 'bytes', 'lower',
          L && L.pageTablesDeltaKb !== null ? { name: `${kernelName}: PageTables growth`, value: L.pageTablesDeltaKb * 1024 } : null, null));
      }
      // The slope between the smallest and the largest N: linear growth vs flat.
      const lo = ns[0];
      const hi = ns[ns.length - 1];
      const slope = (f: (r: DbRun) => number): Stat | null => {
        const a = dbStat(mode, lo, f);
        const b = dbStat(mode, hi, f);
        if (!a || !b || hi === lo) return null;
        const v = (b.value - a.value) / (hi - lo);
        return { value: v, min: v, max: v };
      };
      figures.push(figure(`scaling ${MODE_NAME[mode]}: PageTables per added process (N ${lo}->${hi})`, slope((r) => r.pageTablesBytes), 'bytes/process', 'lower', null, null));
      figures.push(figure(`scaling ${MODE_NAME[mode]}: time per added process (N ${lo}->${hi})`, slope((r) => r.runMs), 'ms/process', 'lower', null, null));
    }
  }

  // ---- 7. memory (from the N-process database runs)
  if (want('memory')) {
    for (const mode of ['none', 'mshare'] as DbMode[]) {
      const rs = (db.get(key(mode, N)) ?? []).filter((r) => r.heap);
      const perProc = rs.map((r) => (r.heap!.afterFork - r.heap!.afterSetup) / r.n);
      figures.push(figure(`memory: JS heap per simulated process (${MODE_NAME[mode]}, N=${N})`, perProc.length ? stat(perProc) : null, 'bytes/process', 'lower', null, null));
      if (mode === 'none') {
        const perPt = rs
          .filter((r) => r.heap!.ptPagesAfterRead > r.heap!.ptPagesAfterFork)
          .map((r) => (r.heap!.afterRead - r.heap!.afterFork) / (r.heap!.ptPagesAfterRead - r.heap!.ptPagesAfterFork));
        figures.push(figure(`memory: JS heap per page-table page beyond the SharedArrayBuffer (${MODE_NAME[mode]})`, perPt.length ? stat(perPt) : null, 'bytes/page', 'lower', null, null));
        if (rs.length && !rs[0].heap!.exactGc) note('memory figures measured without --expose-gc: approximate');
        if (rs.length) note(`SharedArrayBuffers (RAM + frame descriptors) of the ${(p.db.ram / 2 ** 20).toFixed(0)} MiB machine: ${(rs[0].heap!.sabBytes / 2 ** 20).toFixed(0)} MiB, outside the JS heap`);
      }
    }
  }

  // ---- 6. browser
  if (want('browser')) {
    const ok = br && !('skipped' in br) ? br : null;
    figures.push(figure(`browser: database N=${p.browser.n} no sharing in the Worker`, ok ? ok.workerNone : null, 'ms', 'lower', null, null));
    figures.push(figure(`browser: database N=${p.browser.n} mshare in the Worker`, ok ? ok.workerMshare : null, 'ms', 'lower', null, null));
    figures.push(figure('browser: UI frame interval p50 while playing (database-mshare, 30 steps/s)', ok?.frameP50 ?? null, 'ms', 'lower', null, null));
    figures.push(figure('browser: UI frame interval p95 while playing (database-mshare, 30 steps/s)', ok?.frameP95 ?? null, 'ms', 'lower', ok?.frameP95 ? { name: 'budget from the issue: 33 ms', value: 33 } : null, 1.0));
    figures.push(figure('browser: UI frame interval p95 while running to the end at full speed', ok?.runToEndP95 ?? null, 'ms', 'lower', null, null));
    figures.push(figure('browser: page-table tree of one process with 64 MiB touched: draw time', ok?.treeDrawMs ?? null, 'ms', 'lower', null, null));
    figures.push(figure('browser: load to interactive (default scenario run and drawn)', ok?.interactiveMs ?? null, 'ms', 'lower', ok?.interactiveMs ? { name: 'budget from the issue: 1.5 s', value: 1500 } : null, 1.0));
    if (ok) for (const n of ok.notes) note(`browser: ${n}`);
  }

  lastNotes = notes;
  return { figures };
}

/** Notes of the last runBench (the table prints them; --json sends them to stderr only). */
export let lastNotes: string[] = [];

async function runBrowser(opts: { n: number; mib: number; runs: number }, log: (m: string) => void): Promise<BrowserResult | { skipped: string }> {
  // The browser figure runs under tsx in its own process: it drives Playwright, and the
  // timing happens inside Chromium.
  const tsx = join(ROOT, 'node_modules', '.bin', 'tsx');
  if (!existsSync(tsx)) return { skipped: 'tsx not installed' };
  return new Promise((resolve) => {
    const child = spawn(tsx, [join(HERE, 'figures', 'browser.ts'), JSON.stringify(opts)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => (out += d));
    child.on('error', (e) => resolve({ skipped: `could not start: ${e.message}` }));
    child.on('close', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(line) as BrowserResult | { skipped: string });
      } catch {
        resolve({ skipped: `browser figure failed (exit ${code}); see stderr above` });
      }
      void log;
    });
  });
}

// ------------------------------------------------------------------ table

function fmtNum(v: number | null, unit: string): string {
  if (v === null) return '-';
  if (unit === 'bytes' || unit.startsWith('bytes/')) {
    const a = Math.abs(v);
    if (a >= 2 ** 30) return `${(v / 2 ** 30).toFixed(2)} GiB`;
    if (a >= 2 ** 20) return `${(v / 2 ** 20).toFixed(1)} MiB`;
    if (a >= 2 ** 10) return `${(v / 2 ** 10).toFixed(1)} KiB`;
    return `${v.toFixed(1)} B`;
  }
  const a = Math.abs(v);
  if (a >= 1e9) return `${(v / 1e9).toFixed(2)}G`;
  if (a >= 1e6) return `${(v / 1e6).toFixed(2)}M`;
  if (a >= 1e4) return `${(v / 1e3).toFixed(0)}k`;
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  return v.toFixed(3);
}

function unitSuffix(unit: string): string {
  return unit === 'bytes' ? '' : unit.startsWith('bytes/') ? unit.slice(5) : ` ${unit}`;
}

export function formatTable(report: BenchReport, notes: string[] = []): string {
  const rows = report.figures.map((f) => [
    f.name,
    `${fmtNum(f.value, f.unit)}${f.value === null ? '' : unitSuffix(f.unit)}`,
    f.baseline_value === null ? '-' : `${fmtNum(f.baseline_value, f.unit)}${unitSuffix(f.unit)}`,
    f.ratio === null ? '-' : `${f.ratio.toFixed(2)}x`,
    f.target === null ? '-' : `>= ${f.target}`,
    f.meets === null ? '-' : f.meets ? 'yes' : 'NO',
    f.min === null || f.max === null || f.min === f.max ? '-' : `${fmtNum(f.min, f.unit)} .. ${fmtNum(f.max, f.unit)}`,
    f.baseline ?? '',
  ]);
  const head = ['figure', 'value', 'baseline', 'ratio', 'target', 'meets', 'min .. max', 'baseline is'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 || i === r.length - 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  const out = [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
  if (notes.length) out.push('', 'notes:', ...notes.map((n) => `- ${n}`));
  out.push('', 'ratio = times better than the baseline (higher is better); value = median of the runs.');
  return out.join('\n');
}

// ------------------------------------------------------------------ CLI

function parseArgs(argv: string[]): BenchOptions & { json: boolean } {
  const o: BenchOptions & { json: boolean } = { json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') o.json = true;
    else if (a === '--quick') o.quick = true;
    else if (a === '--no-native') o.native = false;
    else if (a === '--no-browser') o.browser = false;
    else if (a === '--linux-scaling') {
      o.linuxScaling = (argv[++i] ?? '').split(',').map((x) => Number(x.trim())).filter((x) => Number.isInteger(x) && x > 0);
    }
    else if (a === '--only' || a.startsWith('--only=')) {
      const v = a.includes('=') ? a.slice(7) : argv[++i];
      const gs = (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
      for (const g of gs) if (!(GROUPS as readonly string[]).includes(g)) throw new Error(`unknown group ${g}; groups: ${GROUPS.join(', ')}`);
      o.only = gs as Group[];
    } else if (a === '-h' || a === '--help') {
      process.stdout.write('usage: npm run bench -- [--json] [--quick] [--only translate,faults,fork,database,scaling,memory,browser] [--no-native] [--no-browser] [--linux-scaling 100,500,3000]\n');
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

const invokedDirectly = typeof process.argv[1] === 'string' && import.meta.url === pathToFileURL(process.argv[1]).href;

if (invokedDirectly) {
  (async () => {
    const args = parseArgs(process.argv.slice(2));
    const t0 = Date.now();
    const report = await runBench(args);
    const failed = report.figures.filter((f) => f.meets === false).length;
    if (args.json) {
      process.stdout.write(`${JSON.stringify(report)}\n`);
    } else {
      process.stdout.write(`${formatTable(report, lastNotes)}\n`);
      process.stdout.write(`\n${report.figures.length} figures, ${failed} below target; ${((Date.now() - t0) / 1000).toFixed(0)} s (node ${process.version}, ${readCpu()})\n`);
    }
  })().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  });
}

function readCpu(): string {
  try {
    const m = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    return m ? m[1].trim() : 'cpu unknown';
  } catch {
    return 'cpu unknown';
  }
}

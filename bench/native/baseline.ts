/**
 * Real-kernel baselines for the benchmark suite.
 *
 * Compiles the C programs beside this file (faults.c, fork.c, database.c)
 * into bench/native/build/ with the system C compiler (`cc -O2`, else
 * `gcc`), runs them, parses the one line of JSON each prints and returns
 * typed results, so the simulation can be compared with the real kernel of
 * the same machine in the same run.
 *
 *   import { runNativeBaselines } from './native/baseline';
 *   const r = await runNativeBaselines({ database: { n: [1500] } });
 *   if ('skipped' in r) console.log(r.skipped); else ...
 *
 * CLI:  npx tsx bench/native/baseline.ts [--quick] [--runs N]
 *         [--db 100,500,1500,3000] [--db-mib 64] [--db-runs N]
 *         [--faults-mib 256] [--fork-gib 1] [--no-faults] [--no-fork]
 *         [--no-db] [--raw]
 * prints the result (or {"skipped": ...}) as JSON on stdout; progress goes
 * to stderr.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/* ------------------------------------------------------------------ */
/* Types                                                               */
/* ------------------------------------------------------------------ */

export interface Spread {
  median: number;
  min: number;
  max: number;
}

/** Kernel settings that change what a fault costs, as the programs saw them. */
export interface NativeEnv {
  kernel: string;
  page_size: number;
  cpus: number;
  thp_enabled: string;
  thp_shmem_enabled: string;
  /** State of DAMON's kdamond 0 ("on"/"off"), "" if there is none. */
  damon: string;
  /** Running under a hypervisor (cpuinfo flag). */
  hypervisor: boolean;
}

/** What faults.c prints, per measured block. */
export interface FaultsBlockJson {
  mib: number;
  pages: number;
  reps: number;
  pages_per_sec: Spread;
  faults_per_sec: Spread;
  minflt: Spread;
  ms: Spread;
  cpu_ms: Spread;
  pages_per_cpu_sec: Spread;
  pages_per_fault: number;
  children_minflt?: Spread;
}

export interface FaultsJson {
  program: 'faults';
  anon: FaultsBlockJson;
  shmem: FaultsBlockJson;
  shmem_memfd: FaultsBlockJson | null;
  env: NativeEnv;
}

export interface ForkJson {
  program: 'fork';
  mib: number;
  gib: number;
  pages: number;
  reps: number;
  fork_ms: Spread;
  fork_exit_wait_ms: Spread;
  baseline_fork_ms: Spread;
  baseline_fork_exit_wait_ms: Spread;
  fork_cpu_ms: Spread;
  baseline_fork_cpu_ms: Spread;
  fork_ms_per_gib: number;
  fork_exit_wait_ms_per_gib: number;
  net_fork_ms_per_gib: number;
  net_fork_exit_wait_ms_per_gib: number;
  fork_cpu_ms_per_gib: number;
  touch_ms: number;
  parent_vmpte_kb: { before: number; after: number };
  env: NativeEnv;
}

export interface DatabaseJson {
  program: 'database';
  n: number;
  region_mib: number;
  pages: number;
  mode: 'all_alive' | 'bounded';
  max_alive: number;
  wall_ms: number;
  fork_phase_ms: number;
  ready_ms: number;
  teardown_ms: number;
  ms_per_process: number;
  page_tables_kb: {
    before: number;
    peak: number;
    after: number;
    delta: number;
    per_process: number;
  } | null;
  child_vmpte_kb: number;
  children_minflt: number;
  minflt_per_process: number;
  children_cpu_ms: number;
  parent_cpu_ms: number;
  limits: {
    rlimit_nproc: number;
    pid_max: number;
    threads_max: number;
    tasks_before: number;
    pids_cgroup_room: number;
  };
  env: NativeEnv;
}

export interface NativeFaults {
  /** Anonymous private region size written per repetition. */
  anonMib: number;
  /** Anonymous write faults per second (one fault per 4 KiB page). */
  anonWriteFaultsPerSec: Spread;
  /** The same per second of the thread's CPU time (robust to other load). */
  anonWriteFaultsPerCpuSec: Spread;
  /** Shared (shmem) region size read per repetition. */
  shmemMib: number;
  /** Shmem read, from a fresh forked mm: pages touched per second. */
  shmemReadPagesPerSec: Spread;
  /** The same per second of the reader's CPU time. */
  shmemReadPagesPerCpuSec: Spread;
  /** Shmem read: real minor faults per second (fault-around maps ~16/fault). */
  shmemReadFaultsPerSec: Spread;
  /** Real minor faults (getrusage ru_minflt) for one read of the region. */
  shmemReadMinorFaults: number;
  /** Pages mapped per real fault (≈ fault-around window, 16 by default). */
  shmemPagesPerFault: number;
  /** Same read through a second mapping of a memfd, in-process. */
  memfdReadPagesPerSec: Spread | null;
}

export interface NativeFork {
  /** Anonymous memory touched (written) before forking, in GiB. */
  gib: number;
  /** The fork() call alone, as seen by the parent. */
  forkMs: Spread;
  /** fork() + child _exit(0) + waitpid. */
  forkExitWaitMs: Spread;
  /** Median fork() time divided by gib. */
  forkMsPerGib: number;
  forkExitWaitMsPerGib: number;
  /** fork() of the same process before the region was mapped. */
  baselineForkMs: number;
  /** (forkMs - baselineForkMs) / gib. */
  netForkMsPerGib: number;
  /** The parent's CPU time in fork() (robust to other load). */
  forkCpuMs: Spread;
  forkCpuMsPerGib: number;
}

export interface NativeDatabase {
  /** Number of processes, each reading every page of the shared region. */
  n: number;
  regionMib: number;
  runs: number;
  /** First fork to last waitpid. */
  wallMs: Spread;
  /** Time until all N had read the region (they then block for the sample). */
  readyMs: Spread;
  /** /proc/meminfo PageTables with all N alive, in kB (median over runs). */
  pageTablesPeakKb: number | null;
  /** Peak minus the value before forking: the N processes' page tables. */
  pageTablesDeltaKb: number | null;
  pageTablesPerProcessKb: number | null;
  /** VmPTE of one child at the peak. */
  childVmPteKb: number | null;
  minorFaultsPerProcess: number;
  /** Summed user+system time of the N children (median over runs). */
  childrenCpuMs: number;
  /** The parent's own CPU time, mostly fork() (median over runs). */
  parentCpuMs: number;
}

export interface NativeDatabaseError {
  n: number;
  regionMib: number;
  error: string;
}

export interface NativeResult {
  kind: 'native';
  compiler: string;
  env: NativeEnv;
  /** Runs of each program; figures are medians over them. */
  runs: number;
  faults: NativeFaults | null;
  fork: NativeFork | null;
  database: Array<NativeDatabase | NativeDatabaseError>;
  elapsedMs: number;
  raw?: { faults: FaultsJson[]; fork: ForkJson[]; database: DatabaseJson[][] };
}

export interface NativeBaselineOptions {
  /** Runs of each program (median taken). Default 3. */
  runs?: number;
  /** faults.c parameters, or false to skip. */
  faults?: false | { mib?: number; reps?: number; shmemMib?: number; shmemReps?: number };
  /** fork.c parameters (mib overrides gib), or false to skip. */
  fork?: false | { gib?: number; mib?: number; reps?: number };
  /** database.c parameters, or false to skip. */
  database?:
    | false
    | {
        /** Process counts to run. Default [100, 500, 1500, 3000]. */
        n?: number[];
        /** Shared region size. Default 64. */
        mib?: number;
        /** Runs per N (default: `runs`). */
        runs?: number;
      };
  /** Compiler to use; default $CC, then cc, then gcc. */
  compiler?: string;
  /** Where binaries go; default bench/native/build. */
  buildDir?: string;
  /** Per program invocation timeout. Default 600 s. */
  timeoutMs?: number;
  /** Include every program's parsed JSON in the result. */
  raw?: boolean;
  /** Progress messages (default: none). */
  log?: (message: string) => void;
}

export type NativeProgram = 'faults' | 'fork' | 'database';

/* ------------------------------------------------------------------ */
/* Compile and run                                                     */
/* ------------------------------------------------------------------ */

export const NATIVE_DIR = dirname(fileURLToPath(import.meta.url));
export const DEFAULT_BUILD_DIR = join(NATIVE_DIR, 'build');
export const NATIVE_PROGRAMS: readonly NativeProgram[] = ['faults', 'fork', 'database'];

/** The first working C compiler among `preferred`, $CC, cc, gcc; or null. */
export function findCompiler(preferred?: string): string | null {
  const candidates = [preferred, process.env.CC, 'cc', 'gcc'].filter(
    (c): c is string => typeof c === 'string' && c.trim() !== '',
  );
  for (const c of candidates) {
    const r = spawnSync(c, ['--version'], { stdio: 'ignore', timeout: 10_000 });
    if (!r.error && r.status === 0) return c;
  }
  return null;
}

function execFileP(
  file: string,
  args: string[],
  timeoutMs: number,
): Promise<{ code: number | null; stdout: string; stderr: string; error?: Error }> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const code = error ? ((error as NodeJS.ErrnoException & { code?: unknown }).code as unknown) : 0;
        resolve({
          code: typeof code === 'number' ? code : error ? null : 0,
          stdout: String(stdout),
          stderr: String(stderr),
          error: error ?? undefined,
        });
      },
    );
  });
}

/**
 * Compiles `program` into buildDir unless an up-to-date binary exists.
 * Returns the binary's path. Throws with the compiler's output on failure.
 */
export async function compileNative(
  program: NativeProgram,
  compiler: string,
  buildDir: string = DEFAULT_BUILD_DIR,
): Promise<string> {
  const src = join(NATIVE_DIR, `${program}.c`);
  const header = join(NATIVE_DIR, 'common.h');
  const out = join(buildDir, program);
  mkdirSync(buildDir, { recursive: true });
  if (existsSync(out)) {
    const built = statSync(out).mtimeMs;
    if (built >= statSync(src).mtimeMs && built >= statSync(header).mtimeMs) return out;
  }
  // Build to a private name, then rename: concurrent callers never see a
  // half-written binary.
  const tmp = `${out}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  const r = await execFileP(
    compiler,
    ['-O2', '-std=c11', '-Wall', '-Wextra', '-o', tmp, src],
    120_000,
  );
  if (r.code !== 0) {
    rmSync(tmp, { force: true });
    throw new Error(`${compiler} failed to compile ${program}.c:\n${r.stderr || r.error?.message}`);
  }
  renameSync(tmp, out);
  return out;
}

/** Error carrying the program's own JSON error message. */
export class NativeProgramError extends Error {
  constructor(
    readonly program: string,
    message: string,
  ) {
    super(`${program}: ${message}`);
    this.name = 'NativeProgramError';
  }
}

/** Runs a compiled program and parses the one JSON line it prints. */
export async function runNativeProgram<T>(
  binary: string,
  args: string[],
  timeoutMs = 600_000,
): Promise<T> {
  const name = binary.split('/').pop() ?? binary;
  const r = await execFileP(binary, args, timeoutMs);
  const line = r.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .pop();
  let parsed: unknown;
  if (line !== undefined) {
    try {
      parsed = JSON.parse(line);
    } catch {
      parsed = undefined;
    }
  }
  if (parsed && typeof parsed === 'object' && 'error' in parsed) {
    throw new NativeProgramError(name, String((parsed as { error: unknown }).error));
  }
  if (r.code !== 0 || parsed === undefined) {
    const why = r.error?.message ?? `exit ${r.code}`;
    throw new NativeProgramError(
      name,
      `${why}; stdout=${JSON.stringify(r.stdout.slice(0, 500))} stderr=${JSON.stringify(r.stderr.slice(0, 500))}`,
    );
  }
  return parsed as T;
}

/* ------------------------------------------------------------------ */
/* Aggregation                                                         */
/* ------------------------------------------------------------------ */

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Median of per-run medians; min/max over all runs. */
function combine(spreads: Spread[]): Spread {
  return {
    median: median(spreads.map((s) => s.median)),
    min: Math.min(...spreads.map((s) => s.min)),
    max: Math.max(...spreads.map((s) => s.max)),
  };
}

/** Median, min and max of single values. */
function spreadOf(values: number[]): Spread {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

function medianOrNull(values: Array<number | null | undefined>): number | null {
  const v = values.filter((x): x is number => typeof x === 'number' && x >= 0);
  return v.length ? median(v) : null;
}

export function summarizeFaults(runs: FaultsJson[]): NativeFaults {
  const memfd = runs.map((r) => r.shmem_memfd).filter((b): b is FaultsBlockJson => b !== null);
  return {
    anonMib: runs[0].anon.mib,
    anonWriteFaultsPerSec: combine(runs.map((r) => r.anon.faults_per_sec)),
    anonWriteFaultsPerCpuSec: combine(runs.map((r) => r.anon.pages_per_cpu_sec)),
    shmemMib: runs[0].shmem.mib,
    shmemReadPagesPerSec: combine(runs.map((r) => r.shmem.pages_per_sec)),
    shmemReadPagesPerCpuSec: combine(runs.map((r) => r.shmem.pages_per_cpu_sec)),
    shmemReadFaultsPerSec: combine(runs.map((r) => r.shmem.faults_per_sec)),
    shmemReadMinorFaults: median(runs.map((r) => r.shmem.minflt.median)),
    shmemPagesPerFault: median(runs.map((r) => r.shmem.pages_per_fault)),
    memfdReadPagesPerSec: memfd.length ? combine(memfd.map((b) => b.pages_per_sec)) : null,
  };
}

export function summarizeFork(runs: ForkJson[]): NativeFork {
  const gib = runs[0].gib;
  const forkMs = combine(runs.map((r) => r.fork_ms));
  const forkExitWaitMs = combine(runs.map((r) => r.fork_exit_wait_ms));
  const baselineForkMs = median(runs.map((r) => r.baseline_fork_ms.median));
  const forkCpuMs = combine(runs.map((r) => r.fork_cpu_ms));
  return {
    gib,
    forkMs,
    forkExitWaitMs,
    forkMsPerGib: forkMs.median / gib,
    forkExitWaitMsPerGib: forkExitWaitMs.median / gib,
    baselineForkMs,
    netForkMsPerGib: (forkMs.median - baselineForkMs) / gib,
    forkCpuMs,
    forkCpuMsPerGib: forkCpuMs.median / gib,
  };
}

export function summarizeDatabase(runs: DatabaseJson[]): NativeDatabase {
  const pt = runs.map((r) => r.page_tables_kb);
  return {
    n: runs[0].n,
    regionMib: runs[0].region_mib,
    runs: runs.length,
    wallMs: spreadOf(runs.map((r) => r.wall_ms)),
    readyMs: spreadOf(runs.map((r) => r.ready_ms)),
    pageTablesPeakKb: medianOrNull(pt.map((p) => p?.peak)),
    pageTablesDeltaKb: medianOrNull(pt.map((p) => p?.delta)),
    pageTablesPerProcessKb: medianOrNull(pt.map((p) => p?.per_process)),
    childVmPteKb: medianOrNull(runs.map((r) => r.child_vmpte_kb)),
    minorFaultsPerProcess: median(runs.map((r) => r.minflt_per_process)),
    childrenCpuMs: median(runs.map((r) => r.children_cpu_ms)),
    parentCpuMs: median(runs.map((r) => r.parent_cpu_ms)),
  };
}

/* ------------------------------------------------------------------ */
/* Entry point                                                         */
/* ------------------------------------------------------------------ */

export const DEFAULT_DATABASE_N: readonly number[] = [100, 500, 1500, 3000];

/**
 * Compiles and runs the real-kernel baselines. Resolves to
 * `{ skipped: reason }` when they cannot run here (not Linux, no C
 * compiler); rejects if a program fails unexpectedly (a database N that the
 * limits forbid is reported in `database` as an error entry instead).
 */
export async function runNativeBaselines(
  opts: NativeBaselineOptions = {},
): Promise<NativeResult | { skipped: string }> {
  const started = Date.now();
  const log = opts.log ?? (() => {});
  if (process.platform !== 'linux') {
    return { skipped: `native baselines need Linux (this is ${process.platform})` };
  }
  const compiler = findCompiler(opts.compiler);
  if (!compiler) {
    return {
      skipped: 'native baselines skipped: no C compiler found (tried $CC, cc, gcc); install gcc to run them',
    };
  }
  const runs = Math.max(1, Math.floor(opts.runs ?? 3));
  const timeoutMs = opts.timeoutMs ?? 600_000;
  const buildDir = opts.buildDir ?? DEFAULT_BUILD_DIR;

  const bins = {} as Record<NativeProgram, string>;
  for (const p of NATIVE_PROGRAMS) {
    bins[p] = await compileNative(p, compiler, buildDir);
  }

  const raw = { faults: [] as FaultsJson[], fork: [] as ForkJson[], database: [] as DatabaseJson[][] };
  let env: NativeEnv | undefined;

  let faults: NativeFaults | null = null;
  if (opts.faults !== false) {
    const f = opts.faults ?? {};
    const args: string[] = [];
    if (f.mib) args.push('--mib', String(f.mib));
    if (f.reps) args.push('--reps', String(f.reps));
    if (f.shmemMib) args.push('--shmem-mib', String(f.shmemMib));
    if (f.shmemReps) args.push('--shmem-reps', String(f.shmemReps));
    for (let i = 0; i < runs; i++) {
      log(`faults run ${i + 1}/${runs}`);
      raw.faults.push(await runNativeProgram<FaultsJson>(bins.faults, args, timeoutMs));
    }
    faults = summarizeFaults(raw.faults);
    env ??= raw.faults[0].env;
  }

  let fork: NativeFork | null = null;
  if (opts.fork !== false) {
    const f = opts.fork ?? {};
    const args: string[] = [];
    if (f.mib) args.push('--mib', String(f.mib));
    else if (f.gib) args.push('--gib', String(f.gib));
    if (f.reps) args.push('--reps', String(f.reps));
    for (let i = 0; i < runs; i++) {
      log(`fork run ${i + 1}/${runs}`);
      raw.fork.push(await runNativeProgram<ForkJson>(bins.fork, args, timeoutMs));
    }
    fork = summarizeFork(raw.fork);
    env ??= raw.fork[0].env;
  }

  const database: Array<NativeDatabase | NativeDatabaseError> = [];
  if (opts.database !== false) {
    const d = opts.database ?? {};
    const ns = d.n ?? DEFAULT_DATABASE_N;
    const mib = d.mib ?? 64;
    const dbRuns = Math.max(1, Math.floor(d.runs ?? runs));
    for (const n of ns) {
      const results: DatabaseJson[] = [];
      try {
        for (let i = 0; i < dbRuns; i++) {
          log(`database N=${n} run ${i + 1}/${dbRuns}`);
          results.push(
            await runNativeProgram<DatabaseJson>(bins.database, [String(n), '--mib', String(mib)], timeoutMs),
          );
        }
        database.push(summarizeDatabase(results));
        env ??= results[0].env;
      } catch (e) {
        if (!(e instanceof NativeProgramError)) throw e;
        database.push({ n, regionMib: mib, error: e.message });
      }
      raw.database.push(results);
    }
  }

  return {
    kind: 'native',
    compiler,
    env: env ?? {
      kernel: '',
      page_size: 4096,
      cpus: 0,
      thp_enabled: '',
      thp_shmem_enabled: '',
      damon: '',
      hypervisor: false,
    },
    runs,
    faults,
    fork,
    database,
    elapsedMs: Date.now() - started,
    ...(opts.raw ? { raw } : {}),
  };
}

/** Parameters small enough for a smoke run (a few seconds in all). */
export const QUICK_OPTIONS: NativeBaselineOptions = {
  runs: 1,
  faults: { mib: 8, reps: 3 },
  fork: { mib: 64, reps: 3 },
  database: { n: [10], mib: 8 },
};

/* ------------------------------------------------------------------ */
/* CLI                                                                 */
/* ------------------------------------------------------------------ */

function parseCli(argv: string[]): NativeBaselineOptions {
  const opts: NativeBaselineOptions = {};
  const num = (flag: string, v: string | undefined): number => {
    const n = Number(v);
    if (!v || !Number.isFinite(n) || n <= 0) throw new Error(`${flag} needs a positive number`);
    return n;
  };
  let faults: { mib?: number } = {};
  let fork: { gib?: number } = {};
  const db: { n?: number[]; mib?: number; runs?: number } = {};
  let noFaults = false;
  let noFork = false;
  let noDb = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    switch (a) {
      case '--quick':
        Object.assign(opts, QUICK_OPTIONS);
        faults = { ...(QUICK_OPTIONS.faults || {}) };
        fork = { ...(QUICK_OPTIONS.fork || {}) };
        Object.assign(db, QUICK_OPTIONS.database || {});
        break;
      case '--runs':
        opts.runs = num(a, argv[++i]);
        break;
      case '--db':
        db.n = (argv[++i] ?? '').split(',').map((s) => num(a, s.trim()));
        break;
      case '--db-mib':
        db.mib = num(a, argv[++i]);
        break;
      case '--db-runs':
        db.runs = num(a, argv[++i]);
        break;
      case '--faults-mib':
        faults.mib = num(a, argv[++i]);
        break;
      case '--fork-gib':
        fork = { gib: num(a, argv[++i]) };
        break;
      case '--no-faults':
        noFaults = true;
        break;
      case '--no-fork':
        noFork = true;
        break;
      case '--no-db':
        noDb = true;
        break;
      case '--raw':
        opts.raw = true;
        break;
      case '-h':
      case '--help':
        process.stdout.write(
          'usage: npx tsx bench/native/baseline.ts [--quick] [--runs N] [--db 100,500,1500,3000]\n' +
            '       [--db-mib 64] [--db-runs N] [--faults-mib 256] [--fork-gib 1]\n' +
            '       [--no-faults] [--no-fork] [--no-db] [--raw]\n',
        );
        process.exit(0);
        break;
      default:
        throw new Error(`unknown argument ${a}`);
    }
  }
  opts.faults = noFaults ? false : faults;
  opts.fork = noFork ? false : fork;
  opts.database = noDb ? false : db;
  return opts;
}

const invokedDirectly =
  typeof process.argv[1] === 'string' && import.meta.url === pathToFileURL(process.argv[1]).href;

if (invokedDirectly) {
  (async () => {
    const opts = parseCli(process.argv.slice(2));
    opts.log = (m) => process.stderr.write(`[native] ${m}\n`);
    const result = await runNativeBaselines(opts);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  })().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}

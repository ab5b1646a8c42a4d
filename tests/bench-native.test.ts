/**
 * Smoke tests for the real-kernel baselines in bench/native/: each C program
 * is compiled and run with SMALL parameters and its JSON checked for shape
 * and plausibility (counts, orderings, positivity). Never asserts on
 * wall-clock thresholds: these run on shared CI machines. Skips cleanly when
 * there is no C compiler or the OS is not Linux.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  compileNative,
  findCompiler,
  NativeProgramError,
  QUICK_OPTIONS,
  runNativeBaselines,
  runNativeProgram,
  type DatabaseJson,
  type FaultsJson,
  type ForkJson,
  type NativeDatabase,
  type NativeProgram,
  type Spread,
} from '../bench/native/baseline';

const compiler = process.platform === 'linux' ? findCompiler() : null;
const PAGE = 4096;
const T = 120_000; // generous: a loaded CI machine must not fail these

/** a ≈ b to the 6 significant digits the programs print. */
function expectNear(a: number, b: number): void {
  expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-5 * Math.max(Math.abs(a), Math.abs(b), 1e-9));
}

function expectSpread(s: Spread, positive = true): void {
  for (const k of ['median', 'min', 'max'] as const) {
    expect(typeof s[k]).toBe('number');
    expect(Number.isFinite(s[k])).toBe(true);
    if (positive) expect(s[k]).toBeGreaterThan(0);
  }
  expect(s.min).toBeLessThanOrEqual(s.median);
  expect(s.median).toBeLessThanOrEqual(s.max);
}

describe.skipIf(!compiler)('native baselines (real kernel)', () => {
  const bins = {} as Record<NativeProgram, string>;

  beforeAll(async () => {
    for (const p of ['faults', 'fork', 'database'] as const) {
      bins[p] = await compileNative(p, compiler!);
    }
  }, T);

  it(
    'faults.c: anon write faults and shmem read faults',
    async () => {
      const mib = 8;
      const pages = (mib * 1024 * 1024) / PAGE;
      const r = await runNativeProgram<FaultsJson>(bins.faults, [
        '--mib', String(mib), '--reps', '3', '--shmem-reps', '3',
      ]);
      expect(r.program).toBe('faults');
      expect(r.env.page_size).toBe(PAGE);
      expect(r.env.cpus).toBeGreaterThan(0);
      expect(typeof r.env.kernel).toBe('string');
      expect(typeof r.env.damon).toBe('string');
      expect(typeof r.env.hypervisor).toBe('boolean');

      expect(r.anon.mib).toBe(mib);
      expect(r.anon.pages).toBe(pages);
      expect(r.anon.reps).toBe(3);
      expectSpread(r.anon.pages_per_sec);
      expectSpread(r.anon.faults_per_sec);
      expectSpread(r.anon.ms);
      expectSpread(r.anon.cpu_ms);
      expectSpread(r.anon.pages_per_cpu_sec);
      // every 4 KiB write to a fresh private mapping faults (MADV_NOHUGEPAGE)
      expect(r.anon.minflt.min).toBeGreaterThanOrEqual(pages);
      expect(r.anon.minflt.max).toBeLessThan(pages + 256);

      for (const b of [r.shmem, r.shmem_memfd]) {
        expect(b).not.toBeNull();
        expect(b!.pages).toBe(pages);
        expectSpread(b!.pages_per_sec);
        expectSpread(b!.faults_per_sec);
        expectSpread(b!.cpu_ms, false);
        expect(b!.cpu_ms.min).toBeGreaterThanOrEqual(0);
        // fault-around maps several cached pages per fault, but at most a
        // page table's worth (512); never more faults than pages (+ noise)
        expect(b!.minflt.min).toBeGreaterThanOrEqual(pages / 512);
        expect(b!.minflt.max).toBeLessThanOrEqual(pages + 64);
        expect(b!.pages_per_fault).toBeGreaterThanOrEqual(0.9);
        // pages touched >= real faults, so the rates order the same way
        expect(b!.pages_per_sec.median).toBeGreaterThanOrEqual(b!.faults_per_sec.median * 0.9);
      }
      expectSpread(r.shmem.children_minflt!);
      expect(r.shmem.children_minflt!.median).toBeGreaterThanOrEqual(r.shmem.minflt.median);
    },
    T,
  );

  it(
    'fork.c: fork of a process with touched anonymous memory',
    async () => {
      const mib = 16;
      const r = await runNativeProgram<ForkJson>(bins.fork, ['--mib', String(mib), '--reps', '3']);
      expect(r.program).toBe('fork');
      expect(r.mib).toBe(mib);
      expect(r.gib).toBeCloseTo(mib / 1024, 9);
      expect(r.pages).toBe((mib * 1024 * 1024) / PAGE);
      expect(r.reps).toBe(3);
      for (const s of [
        r.fork_ms,
        r.fork_exit_wait_ms,
        r.baseline_fork_ms,
        r.baseline_fork_exit_wait_ms,
        r.fork_cpu_ms,
        r.baseline_fork_cpu_ms,
      ]) {
        expectSpread(s);
      }
      // each run's total includes its fork(), so the order statistics do too
      expect(r.fork_exit_wait_ms.median).toBeGreaterThanOrEqual(r.fork_ms.median);
      expect(r.fork_exit_wait_ms.min).toBeGreaterThanOrEqual(r.fork_ms.min);
      expectNear(r.fork_ms_per_gib, r.fork_ms.median / r.gib);
      expect(r.fork_ms_per_gib).toBeGreaterThan(0);
      expect(r.touch_ms).toBeGreaterThan(0);
      // the touched region needs >= 8 bytes of PTE per page
      expect(r.parent_vmpte_kb.after - r.parent_vmpte_kb.before).toBeGreaterThanOrEqual(
        (r.pages * 8) / 1024,
      );
    },
    T,
  );

  it(
    'database.c: N processes read a shared region, PageTables sampled at the peak',
    async () => {
      const n = 10;
      const mib = 8;
      const pages = (mib * 1024 * 1024) / PAGE;
      const r = await runNativeProgram<DatabaseJson>(bins.database, [String(n), '--mib', String(mib)]);
      expect(r.program).toBe('database');
      expect(r.n).toBe(n);
      expect(r.region_mib).toBe(mib);
      expect(r.pages).toBe(pages);
      expect(r.mode).toBe('all_alive');
      expect(r.max_alive).toBe(n);
      expect(r.wall_ms).toBeGreaterThan(0);
      expect(r.fork_phase_ms).toBeGreaterThan(0);
      expect(r.ready_ms).toBeGreaterThanOrEqual(r.fork_phase_ms);
      expect(r.wall_ms).toBeGreaterThanOrEqual(r.ready_ms);
      expectNear(r.ms_per_process, r.wall_ms / n);
      expect(r.page_tables_kb).not.toBeNull();
      const pt = r.page_tables_kb!;
      expect(pt.before).toBeGreaterThan(0);
      expect(pt.peak).toBeGreaterThan(0);
      expect(pt.delta).toBe(pt.peak - pt.before);
      // one child's own page tables cover the whole region: >= 8 B per page
      expect(r.child_vmpte_kb).toBeGreaterThanOrEqual((pages * 8) / 1024);
      // each child faulted the region in (fault-around: <= 512 pages/fault)
      expect(r.children_minflt).toBeGreaterThanOrEqual((n * pages) / 512);
      expectNear(r.minflt_per_process, r.children_minflt / n);
      expect(r.children_cpu_ms).toBeGreaterThan(0);
      expect(r.parent_cpu_ms).toBeGreaterThan(0);
      expect(r.limits.pid_max).toBeGreaterThan(n);
    },
    T,
  );

  it(
    'database.c: bounded mode without the PageTables sample',
    async () => {
      const r = await runNativeProgram<DatabaseJson>(bins.database, [
        '6', '--mib', '4', '--no-pt-sample', '--max-alive', '2',
      ]);
      expect(r.mode).toBe('bounded');
      expect(r.n).toBe(6);
      expect(r.max_alive).toBe(2);
      expect(r.page_tables_kb).toBeNull();
      expect(r.wall_ms).toBeGreaterThan(0);
      expect(r.children_minflt).toBeGreaterThan(0);
    },
    T,
  );

  it('database.c: impossible or invalid requests give a JSON error, not a fork bomb', async () => {
    await expect(runNativeProgram(bins.database, ['200000'])).rejects.toBeInstanceOf(NativeProgramError);
    await expect(runNativeProgram(bins.database, ['200000'])).rejects.toThrow(/beyond/);
    await expect(runNativeProgram(bins.database, ['10', '--max-alive', '2'])).rejects.toThrow(
      /no-pt-sample/,
    );
    await expect(runNativeProgram(bins.faults, ['--mib', '0'])).rejects.toThrow(/invalid --mib/);
    await expect(runNativeProgram(bins.fork, ['--bogus', '1'])).rejects.toThrow(/unknown argument/);
  });

  it(
    'runNativeBaselines: typed, aggregated results with small parameters',
    async () => {
      const r = await runNativeBaselines({ ...QUICK_OPTIONS, raw: true });
      if ('skipped' in r) throw new Error(`unexpectedly skipped: ${r.skipped}`);
      expect(r.kind).toBe('native');
      expect(r.runs).toBe(1);
      expect(r.env.page_size).toBe(PAGE);

      const f = r.faults!;
      expect(f.anonMib).toBe(8);
      expectSpread(f.anonWriteFaultsPerSec);
      expectSpread(f.anonWriteFaultsPerCpuSec);
      expectSpread(f.shmemReadPagesPerSec);
      expectSpread(f.shmemReadFaultsPerSec);
      expect(f.shmemReadMinorFaults).toBeGreaterThan(0);
      expect(f.shmemPagesPerFault).toBeGreaterThanOrEqual(0.9);
      expect(f.memfdReadPagesPerSec).not.toBeNull();

      const k = r.fork!;
      expect(k.gib).toBeCloseTo(64 / 1024, 9);
      expectSpread(k.forkMs);
      expectSpread(k.forkExitWaitMs);
      expect(k.forkMsPerGib).toBeGreaterThan(0);
      expect(k.forkExitWaitMsPerGib).toBeGreaterThanOrEqual(k.forkMsPerGib);
      expect(k.baselineForkMs).toBeGreaterThan(0);
      expectSpread(k.forkCpuMs);
      expect(k.forkCpuMsPerGib).toBeGreaterThan(0);

      expect(r.database).toHaveLength(1);
      expect('error' in r.database[0]).toBe(false);
      const d = r.database[0] as NativeDatabase;
      expect(d.n).toBe(10);
      expect(d.regionMib).toBe(8);
      expectSpread(d.wallMs);
      expect(d.pageTablesPeakKb).toBeGreaterThan(0);
      expect(d.childVmPteKb).toBeGreaterThanOrEqual(16);
      expect(d.minorFaultsPerProcess).toBeGreaterThan(0);
      expect(d.childrenCpuMs).toBeGreaterThan(0);

      expect(r.raw!.faults).toHaveLength(1);
      expect(r.raw!.database[0][0].n).toBe(10);
    },
    T,
  );

  it(
    'runNativeBaselines: a database N the program refuses becomes an error entry',
    async () => {
      const r = await runNativeBaselines({ faults: false, fork: false, database: { n: [200000], runs: 1 } });
      if ('skipped' in r) throw new Error(r.skipped);
      expect(r.faults).toBeNull();
      expect(r.fork).toBeNull();
      expect(r.database).toEqual([{ n: 200000, regionMib: 64, error: expect.stringMatching(/beyond/) }]);
    },
    T,
  );
});

describe.skipIf(!!compiler)('native baselines without a C compiler', () => {
  it('runNativeBaselines reports why it skipped', async () => {
    const r = await runNativeBaselines(QUICK_OPTIONS);
    expect('skipped' in r).toBe(true);
  });
});

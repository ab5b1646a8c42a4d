/**
 * The benchmark suite's output shape: `bench/run.ts --quick --json` (tiny sizes, the whole
 * pipeline: esbuild bundles, one node process per figure, the native baselines when a C
 * compiler exists) must print ONLY one JSON object {"figures": [...]} whose rows have exactly
 * the documented keys and consistent types. Never asserts on wall-clock values: the quick
 * sizes say nothing about speed, and CI machines are noisy.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIGURE_KEYS, formatTable, type BenchReport, type Figure } from '../bench/run';

const ROOT = join(__dirname, '..');

let stdout = '';
let report: BenchReport;

beforeAll(() => {
  const r = spawnSync(join(ROOT, 'node_modules', '.bin', 'tsx'), ['bench/run.ts', '--quick', '--json', '--no-browser'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 240_000,
    env: { ...process.env, BENCH_QUIET: '1' },
  });
  if (r.status !== 0) throw new Error(`bench/run.ts --quick --json failed (${r.status}):\n${r.stderr}`);
  stdout = r.stdout;
  report = JSON.parse(stdout) as BenchReport;
}, 300_000);

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

describe('npm run bench -- --json (quick)', () => {
  it('prints only one JSON object with a figures array', () => {
    const lines = stdout.split('\n').filter((l) => l.trim() !== '');
    expect(lines).toHaveLength(1);
    expect(Object.keys(report)).toEqual(['figures']);
    expect(Array.isArray(report.figures)).toBe(true);
    expect(report.figures.length).toBeGreaterThan(20);
  });

  it('gives every figure exactly the documented keys, with consistent types', () => {
    const names = new Set<string>();
    for (const f of report.figures) {
      expect(Object.keys(f).sort()).toEqual([...FIGURE_KEYS].sort());
      expect(typeof f.name).toBe('string');
      expect(f.name.length).toBeGreaterThan(0);
      expect(names.has(f.name)).toBe(false);
      names.add(f.name);
      expect(typeof f.unit).toBe('string');
      expect(f.unit.length).toBeGreaterThan(0);
      expect(f.value === null || isNum(f.value)).toBe(true);
      // A baseline has a description and a value, or neither.
      expect(f.baseline === null).toBe(f.baseline_value === null);
      if (f.baseline !== null) expect(typeof f.baseline).toBe('string');
      if (f.baseline_value !== null) expect(isNum(f.baseline_value) && f.baseline_value > 0).toBe(true);
      // A ratio needs a value and a baseline.
      if (f.ratio !== null) {
        expect(isNum(f.ratio) && f.ratio > 0).toBe(true);
        expect(f.value).not.toBeNull();
        expect(f.baseline_value).not.toBeNull();
      }
      expect(f.target === null || isNum(f.target)).toBe(true);
      // meets: null without a target or a ratio, else ratio >= target.
      if (f.target === null || f.ratio === null) expect(f.meets).toBeNull();
      else expect(f.meets).toBe(f.ratio >= f.target);
      // min <= value <= max whenever there is a value.
      if (f.value === null) {
        expect(f.min).toBeNull();
        expect(f.max).toBeNull();
      } else {
        expect(isNum(f.min) && isNum(f.max)).toBe(true);
        expect(f.min!).toBeLessThanOrEqual(f.value);
        expect(f.value).toBeLessThanOrEqual(f.max!);
      }
    }
  });

  it('ratios read "times better than the baseline" for rates, times and bytes', () => {
    for (const f of report.figures) {
      if (f.ratio === null || f.value === null || f.baseline_value === null) continue;
      // Same-process baselines bring a paired (block-by-block) ratio instead.
      if (f.baseline?.includes('paired ratio')) continue;
      const higherIsBetter = f.unit.endsWith('/s');
      const expected = higherIsBetter ? f.value / f.baseline_value : f.baseline_value / f.value;
      expect(f.ratio).toBeCloseTo(expected, 6);
    }
  });

  it('covers every figure group of the issue', () => {
    const has = (prefix: string) => report.figures.some((f: Figure) => f.name.startsWith(prefix));
    for (const p of ['translate: TLB-hit', 'translate: TLB-miss', 'faults: anonymous', 'faults: shmem', 'fork:', 'database N=', 'scaling ', 'memory: JS heap per simulated process', 'memory: JS heap per page-table page', 'browser:']) {
      expect(has(p), p).toBe(true);
    }
    for (const mode of ['no sharing', 'hugetlb PMD sharing', 'mshare']) {
      expect(report.figures.some((f) => f.name.startsWith('database N=') && f.name.includes(mode) && f.name.includes(': time'))).toBe(true);
      expect(report.figures.some((f) => f.name.startsWith(`scaling ${mode} N=`) && f.name.endsWith(': PageTables'))).toBe(true);
    }
    // The simulator figures always have values; the targets of the issue are attached.
    for (const f of report.figures.filter((x) => !x.name.startsWith('browser:'))) expect(f.value, f.name).not.toBeNull();
    const target = (prefix: string) => report.figures.find((f) => f.name.startsWith(prefix))?.target;
    expect(target('translate: TLB-hit')).toBe(0.5);
    expect(target('translate: TLB-miss walks')).toBe(0.5);
    expect(target('faults: anonymous')).toBe(1);
    expect(target('fork:')).toBe(1);
  });

  it('database figures: a cold first run beside each timed one; no sharing paired with Linux when it runs', () => {
    for (const mode of ['no sharing', 'hugetlb PMD sharing', 'mshare']) {
      const timed = report.figures.find((f) => f.name.startsWith('database N=') && f.name.includes(`${mode}: time (`));
      const cold = report.figures.find((f) => f.name.startsWith('database N=') && f.name.includes(`${mode}: time of a first run`));
      expect(timed?.name, mode).toContain('after 2 untimed runs');
      expect(cold?.value, mode).not.toBeNull();
    }
    const none = report.figures.find((f) => f.name.startsWith('database N=') && f.name.includes('no sharing: time ('))!;
    // With a C compiler the baseline is Linux, run in pairs with the simulator.
    if (none.baseline !== null) expect(none.baseline).toContain('each right after a simulator run; paired ratio');
  });

  it('formats the same report as a table', () => {
    const t = formatTable(report, ['a note']);
    for (const f of report.figures) expect(t).toContain(f.name);
    expect(t).toContain('- a note');
  });
});

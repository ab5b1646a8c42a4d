// Performance figures for the explorer (not a test: prints numbers). Needs the built app
// served on 4173 (`npm run build && npm run preview`), then:
//   npx tsx e2e/perf-figures.ts [scenario-id]      (default: database-mshare)
// Prints: load to interactive, the run's frame intervals (p50/p95) while the scenario runs
// at full speed, and per-view draw times; then frame intervals while it plays at 30 steps/s
// from the middle, and what a console line costs at the end (Runner.append: one step).
import { chromium } from '@playwright/test';
import { launchOptions } from './browser';
import { frameIntervals } from '../bench/figures/browser-ui';

const id = process.argv[2] ?? 'database-mshare';
const browser = await chromium.launch(launchOptions);
const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
await page.addInitScript('globalThis.__name = (f) => f'); // tsx names functions; the page has no helper
page.on('pageerror', (e) => console.log('pageerror', e.message));
await page.goto('http://127.0.0.1:4173/');
await page.waitForSelector('.toolbar button');
const shell = await page.evaluate(() => performance.now());
await page.waitForFunction(() => !!window.mshareExplorer);
await page.evaluate(() => window.mshareExplorer!.ready);
await page.evaluate(() => window.mshareExplorer!.waitIdle());
const firstScenario = await page.evaluate(() => performance.now());
const marks = await page.evaluate(() => Object.fromEntries(performance.getEntriesByType('mark').map((m) => [m.name, Math.round(m.startTime)])));
const fcp = await page.evaluate(() => Math.round(performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1));
console.log(`marks (ms since navigation start): ${JSON.stringify(marks)}; first contentful paint ${fcp} ms`);
console.log(`seen by the test: toolbar ${shell.toFixed(0)} ms; default scenario run and drawn ${firstScenario.toFixed(0)} ms`);
await page.evaluate((x) => window.mshareExplorer!.loadScenario(x, { run: false }), id);
const frames = await frameIntervals(page, () =>
  page.evaluate(async () => {
    document.querySelector<HTMLButtonElement>('button[aria-label="Run to end"]')!.click();
    await new Promise((r) => setTimeout(r, 100));
    await window.mshareExplorer!.waitIdle();
  }),
);
const res = await page.evaluate(() => {
  const q = (xs: number[], f: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * f))];
  const views = Object.fromEntries(Object.entries(window.mshareExplorer!.drawTimes()).map(([k, v]) => [k, `p50 ${q(v, 0.5).toFixed(1)} p95 ${q(v, 0.95).toFixed(1)} max ${q(v, 1).toFixed(1)} ms (${v.length} draws)`]));
  return { views, pos: window.mshareExplorer!.position() };
});
const { ms, p50, p95, max } = frames;
console.log(`${id}: ${res.pos.total} steps in ${ms.toFixed(0)} ms; frame interval p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, max ${max.toFixed(1)} ms over ${frames.frames} frames`);
for (const [k, v] of Object.entries(res.views)) console.log(`  ${k}: ${v}`);
const mid = Math.floor(res.pos.total / 2);
await page.evaluate((n) => window.mshareExplorer!.goto(n), mid);
await page.selectOption('select[aria-label="Play speed (steps per second)"]', '30');
const p0 = await page.evaluate(() => window.mshareExplorer!.position().position);
const playFrames = await frameIntervals(page, async () => {
  await page.evaluate(() => document.querySelector<HTMLButtonElement>('button[aria-label="Play"]')!.click());
  await page.waitForTimeout(4000);
});
await page.evaluate(async () => {
  document.querySelector<HTMLButtonElement>('button[aria-label="Pause"]')?.click();
  await window.mshareExplorer!.waitIdle();
});
const played = { ...playFrames, steps: (await page.evaluate(() => window.mshareExplorer!.position().position)) - p0 };
console.log(`play at 30 steps/s from step ${mid}: ${played.steps} steps in 4 s; frame interval p50 ${played.p50.toFixed(1)} ms, p95 ${played.p95.toFixed(1)} ms, max ${played.max.toFixed(1)} ms over ${played.frames} frames`);
await page.evaluate(() => window.mshareExplorer!.goto(Number.MAX_SAFE_INTEGER));
for (const line of ['db0: fork as extra1', 'expect extra1 running']) {
  const ms = await page.evaluate(async (l) => {
    const t0 = performance.now();
    if (!(await window.mshareExplorer!.exec(l))) throw new Error(`console line failed: ${l}`);
    return performance.now() - t0;
  }, line);
  console.log(`console '${line}' at step ${res.pos.total}: ${ms.toFixed(0)} ms (run and drawn)`);
}
await browser.close();

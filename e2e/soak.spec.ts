// A long session in one page: thousands of steps back and forward (undo/redo), jumps on the
// timeline, view switches, console lines and scenario reloads, driven from inside the page so
// the test measures the app, not Playwright's round trips. JS heap (after a forced GC, over
// CDP), DOM nodes and, where the browser supports it, page + worker memory are measured after
// a warm-up and at the end; their growth must stay under the bounds below.
//
//   CI: 200 seeded operations after 50 of warm-up (about 2,800 steps, key bursts included:
//   more than a presenter clicks in an hour at one step every few seconds; 25-70 s).
//   SOAK_MINUTES=60 npx playwright test soak    operations for an hour of wall time.
import { expect, test, type CDPSession, type Page } from '@playwright/test';
import { launchOptions } from './browser';
import { expectNoErrors, openApp } from './app';

const minutes = Number(process.env.SOAK_MINUTES ?? '0');
const RUN_MS = minutes > 0 ? minutes * 60_000 : 40_000;
/**
 * In CI the run is a fixed number of seeded operations, not a time budget: how many steps fit
 * in 40 s depends on the machine's load, and tests never assert on wall-clock time.
 */
const CI_OPS = 200;

/** Bounds on growth between the warmed-up start and the end. */
const MAX_HEAP_GROWTH = 8 * 2 ** 20; // bytes of page JS heap, after GC
const MAX_DOM_GROWTH = 0.1; // fraction of the DOM nodes at the start (plus 100 nodes of slack)
const MAX_MEMORY_GROWTH = 64 * 2 ** 20; // bytes, page + engine worker (measureUserAgentSpecificMemory)

/**
 * The session's main script: the mshare story at small scale, ~250 steps of cheap commands on a
 * 32M machine, so a step back (checkpoint restore + replay) costs milliseconds and the soak
 * does thousands of them. Reloads switch to built-ins now and then.
 */
const SOAK_SCRIPT = `machine ram=32M mshare=2024
## The region
mount msharefs
spawn db0
db0: open /sys/fs/mshare/sga create as F
db0: mmap 0x10000000000 512G rw shared fd=F as sga
db0: mmap 0x10000000000 4M rw shared,anon,fixed
db0: touch sga 4M write
note one set of page tables for the region
## Clients
repeat 40: db0: fork as c{i}
repeat 40: c{i}: touch sga 1M read
repeat 40: c{i}: write sga+8K 7
## Private memory
repeat 40: c{i}: mmap auto 64K rw private,anon as p
repeat 40: c{i}: touch p 64K write
note every client has private pages too
## Some leave
repeat 20: c{i}: exit
expect c21 running
`;

test.use({
  viewport: { width: 1440, height: 900 },
  // measureUserAgentSpecificMemory answers at once instead of at the next GC (up to 20 s later).
  launchOptions: { ...launchOptions, args: [...(launchOptions.args ?? []), '--enable-blink-features=ForceEagerMeasureMemory'] },
});

interface Sample {
  heap: number;
  nodes: number;
  liveNodes: number;
  /** Elements in the console log: it keeps the last 300 lines (CONSOLE_CAP), so it may grow to that. */
  consoleNodes: number;
  listeners: number;
  memory: number | null;
}

async function sample(page: Page, cdp: CDPSession): Promise<Sample> {
  await page.evaluate(() => window.mshareExplorer!.waitIdle());
  for (let i = 0; i < 3; i++) await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  const { metrics } = await cdp.send('Performance.getMetrics');
  const metric = (name: string) => metrics.find((m) => m.name === name)?.value ?? -1;
  const [liveNodes, consoleNodes] = await page.evaluate(() => [
    document.getElementsByTagName('*').length,
    document.querySelector('[data-testid="console-log"]')?.getElementsByTagName('*').length ?? 0,
  ]);
  const memory = await page.evaluate(async () => {
    const p = performance as unknown as { measureUserAgentSpecificMemory?: () => Promise<{ bytes: number }> };
    if (!crossOriginIsolated || !p.measureUserAgentSpecificMemory) return null;
    try {
      return (await Promise.race([p.measureUserAgentSpecificMemory(), new Promise<null>((r) => setTimeout(() => r(null), 15_000))]))?.bytes ?? null;
    } catch {
      return null;
    }
  });
  return { heap: usedSize, nodes: metric('Nodes'), liveNodes, consoleNodes, listeners: metric('JSEventListeners'), memory };
}

/** The same state for every sample: the soak script at its end, the same selection and tabs. */
async function settle(page: Page): Promise<void> {
  await page.evaluate(() => window.mshareExplorer!.loadScenario('spawn x')); // selection: pid 1, nothing to compare
  await page.evaluate((src) => window.mshareExplorer!.loadScenario(src), SOAK_SCRIPT);
  await page.locator('#tab-inspector').click();
  await page.getByRole('tab', { name: 'Console', exact: true }).click();
}

/** Runs operations inside the page for `ms`, from a seeded generator; returns what it did. */
async function drive(page: Page, ms: number, seed: number, ops = 0): Promise<Record<string, number>> {
  return page.evaluate(async ({ ms, seed, soak, ops }) => {
    const api = window.mshareExplorer!;
    let x = seed >>> 0;
    const rand = () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    const counts: Record<string, number> = { back: 0, step: 0, goto: 0, views: 0, exec: 0, load: 0, steps: 0 };
    const click = (sel: string) => {
      const el = document.querySelector<HTMLElement>(sel);
      if (el) {
        el.click();
        counts.views++;
      }
    };
    const scenarios = [soak, soak, soak, 'mshare-basics-2024', 'fork-cow'];
    const deadline = performance.now() + ms;
    let i = 0;
    while (ops > 0 ? i < ops : performance.now() < deadline) {
      i++;
      const { position, total } = api.position();
      const r = rand();
      if (r < 0.3) {
        // Arrow keys held or tapped fast (the timeline's ← and →): a burst, then the page settles.
        const n = 5 + Math.floor(rand() * 40);
        for (let k = 0; k < n; k++) {
          const back = rand() < 0.5;
          document.body.dispatchEvent(new KeyboardEvent('keydown', { key: back ? 'ArrowLeft' : 'ArrowRight', bubbles: true }));
          counts[back ? 'back' : 'step']++;
          counts.steps++;
          await new Promise((res) => setTimeout(res, 0));
        }
        await api.waitIdle();
      } else if (r < 0.5 && position > 0) {
        await api.back();
        counts.back++;
        counts.steps++;
      } else if (r < 0.7 && position < total) {
        await api.step();
        counts.step++;
        counts.steps++;
      } else if (r < 0.8) {
        const to = Math.floor(rand() * (total + 1));
        await api.goto(to);
        counts.goto++;
        counts.steps += Math.abs(to - position);
      } else if (r < 0.97) {
        const views = ['#tab-inspector', '#tab-walk', '#tab-counters'];
        click(views[Math.floor(rand() * 3)]);
        const bottom = document.querySelectorAll<HTMLElement>('[aria-label="Console or script"] [role="tab"]');
        if (bottom.length) {
          bottom[Math.floor(rand() * bottom.length)].click();
          counts.views++;
        }
        await api.waitIdle();
      } else if (r < 0.995) {
        await api.exec(`note soak ${i}`);
        counts.exec++;
      } else {
        await api.loadScenario(scenarios[Math.floor(rand() * scenarios.length)]);
        counts.load++;
      }
    }
    return counts;
  }, { ms, seed, soak: SOAK_SCRIPT, ops });
}

test('soak: thousands of steps back and forward with view switches do not grow heap or DOM', async ({ page }, info) => {
  test.setTimeout(RUN_MS + 180_000);
  const opened = await openApp(page);
  await page.evaluate((src) => window.mshareExplorer!.loadScenario(src), SOAK_SCRIPT);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  // Warm-up: every view drawn, caches and capped logs (console, records, frame stats) full.
  const warm = await drive(page, Math.min(10_000, RUN_MS / 4), 1, minutes > 0 ? 0 : CI_OPS / 4);
  await settle(page);
  const start = await sample(page, cdp);
  const t0 = Date.now();
  const counts = await drive(page, RUN_MS, 2, minutes > 0 ? 0 : CI_OPS);
  const wall = (Date.now() - t0) / 1000;
  await settle(page);
  const end = await sample(page, cdp);

  const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
  const report = [
    `soak: ${wall.toFixed(0)} s, ${counts.steps} steps (${counts.back} back, ${counts.step} forward, ${counts.goto} jumps), ${counts.views} view switches, ${counts.exec} console lines, ${counts.load} reloads (warm-up: ${warm.steps} steps)`,
    `JS heap after GC: ${mib(start.heap)} -> ${mib(end.heap)} (${end.heap >= start.heap ? '+' : ''}${mib(end.heap - start.heap)}; bound +${mib(MAX_HEAP_GROWTH)})`,
    `DOM nodes (CDP, incl. detached): ${start.nodes} -> ${end.nodes}; in the document: ${start.liveNodes} -> ${end.liveNodes}, of which the console log (capped at 300 lines): ${start.consoleNodes} -> ${end.consoleNodes}; JS event listeners: ${start.listeners} -> ${end.listeners}`,
    start.memory !== null && end.memory !== null
      ? `page + worker memory (measureUserAgentSpecificMemory): ${mib(start.memory)} -> ${mib(end.memory)} (bound +${mib(MAX_MEMORY_GROWTH)})`
      : 'page + worker memory: not measured (measureUserAgentSpecificMemory unavailable)',
  ];
  for (const l of report) console.log(l);
  info.annotations.push({ type: 'soak', description: report.join(' | ') });

  // Seeded operations: the CI run's step count is fixed by the seed, not by the clock.
  expect(counts.steps).toBeGreaterThan(minutes > 0 ? 10_000 : 500);
  expect(end.heap - start.heap).toBeLessThan(MAX_HEAP_GROWTH);
  // Outside the console log (which may fill up to its cap) the document must not grow.
  const consoleGrowth = Math.max(0, end.consoleNodes - start.consoleNodes);
  expect(end.liveNodes - end.consoleNodes).toBeLessThan((start.liveNodes - start.consoleNodes) * (1 + MAX_DOM_GROWTH) + 100);
  expect(end.nodes - consoleGrowth).toBeLessThan(start.nodes * (1 + MAX_DOM_GROWTH) + 100);
  expect(end.listeners).toBeLessThan(start.listeners * (1 + MAX_DOM_GROWTH) + 50);
  if (start.memory !== null && end.memory !== null) expect(end.memory - start.memory).toBeLessThan(MAX_MEMORY_GROWTH);
  await expectNoErrors(opened);
});

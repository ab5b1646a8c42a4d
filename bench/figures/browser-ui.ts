/**
 * The UI half of figure 6: the built explorer (vite build into bench/.build/app) served with
 * COOP/COEP, driven by Playwright in Debian's Chromium at 1440x900.
 *
 * - Load to interactive: navigation start to the moment the explorer is usable: the engine
 *   worker answered, the default scenario ran and every view drew it (window.mshareExplorer
 *   .ready, then waitIdle()). Read from performance.now() inside the page, so it is the
 *   browser's own clock from navigation start. A fresh browser context per run (no cache).
 * - Frame times while playing: requestAnimationFrame intervals while the timeline plays the
 *   database scenario (N processes) with the Play button at 30 steps/s, from `startStep`
 *   on, for `playMs`; p50 and p95 of the intervals. Also the same while it runs to
 *   the end at full speed ("Run to end"), for information.
 */
import type { Browser, Page } from '@playwright/test';

export interface UiRun {
  interactiveMs: number;
  /** Frame intervals (ms) while playing at 30 steps/s. */
  play: FrameStats & { steps: number };
  /** Draw time (ms) of the page-table tree of one process with 64 MiB touched (slowest draw after loading it). */
  treeDrawMs: number;
  /** Frame intervals (ms) while running to the end at full speed. */
  runToEnd: FrameStats & { steps: number };
}

export interface FrameStats {
  p50: number;
  p95: number;
  max: number;
  frames: number;
  /** Milliseconds the recording lasted. */
  ms: number;
}

/**
 * requestAnimationFrame intervals in the page while `during` runs (the recorder starts
 * before and stops after it), as quantiles. Shared by the bench and e2e/perf-figures.ts.
 */
export async function frameIntervals(page: Page, during: () => Promise<void>): Promise<FrameStats> {
  await page.evaluate(() => {
    const rec = { deltas: [] as number[], on: true, t0: performance.now() };
    let last = rec.t0;
    const tick = (t: number) => {
      rec.deltas.push(t - last);
      last = t;
      if (rec.on) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
    (window as unknown as { __frameRec: typeof rec }).__frameRec = rec;
  });
  await during();
  return page.evaluate(() => {
    const rec = (window as unknown as { __frameRec: { deltas: number[]; on: boolean; t0: number } }).__frameRec;
    rec.on = false;
    const s = [...rec.deltas].sort((a, b) => a - b);
    const q = (f: number) => s[Math.min(s.length - 1, Math.floor(s.length * f))] ?? 0;
    return { p50: q(0.5), p95: q(0.95), max: q(1), frames: s.length, ms: performance.now() - rec.t0 };
  });
}

export async function measureUi(browser: Browser, url: string, scenario: string, startStep: number, playMs: number): Promise<UiRun> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  try {
    // tsx wraps named functions in __name(); the page has no such helper.
    await context.addInitScript('globalThis.__name = (f) => f');
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    await page.waitForFunction(() => !!window.mshareExplorer, undefined, { timeout: 60_000 });
    const interactiveMs = await page.evaluate(async () => {
      await window.mshareExplorer!.ready;
      await window.mshareExplorer!.waitIdle();
      return performance.now();
    });

    // The page-table tree of one process with 64 MiB touched (it is selected when loaded).
    const treeDrawMs = await page.evaluate(async () => {
      const api = window.mshareExplorer!;
      const before = api.drawTimes().tree?.length ?? 0;
      await api.loadScenario('spawn a\na: mmap auto 64M rw private,anon as r\na: touch r 64M write');
      const draws = (api.drawTimes().tree ?? []).slice(before);
      if (!draws.length) throw new Error('the page-table tree did not draw');
      return Math.max(...draws);
    });

    // Full speed to the end, from step 0.
    await page.evaluate((s) => window.mshareExplorer!.loadScenario(s, { run: false }), scenario);
    const full = await frameIntervals(page, async () => {
      await page.evaluate(async () => {
        document.querySelector<HTMLButtonElement>('button[aria-label="Run to end"]')!.click();
        await new Promise((r) => setTimeout(r, 100));
        await window.mshareExplorer!.waitIdle();
      });
    });
    const runToEnd = { ...full, steps: await page.evaluate(() => window.mshareExplorer!.position().total) };

    // Play at 30 steps/s from startStep.
    await page.evaluate((n) => window.mshareExplorer!.goto(n), startStep);
    await page.evaluate(() => window.mshareExplorer!.waitIdle());
    await page.selectOption('select[aria-label="Play speed (steps per second)"]', '30');
    const p0 = await page.evaluate(() => window.mshareExplorer!.position().position);
    const played = await frameIntervals(page, async () => {
      await page.evaluate(() => document.querySelector<HTMLButtonElement>('button[aria-label="Play"]')!.click());
      await page.waitForTimeout(playMs);
    });
    await page.evaluate(async () => {
      document.querySelector<HTMLButtonElement>('button[aria-label="Pause"]')?.click();
      await window.mshareExplorer!.waitIdle();
    });
    const play = { ...played, steps: (await page.evaluate(() => window.mshareExplorer!.position().position)) - p0 };
    if (errors.length) throw new Error(`page errors: ${errors.slice(0, 3).join('; ')}`);
    return { interactiveMs, treeDrawMs, play, runToEnd };
  } finally {
    await context.close();
  }
}

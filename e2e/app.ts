// Helpers for UI specs: open the explorer and drive it the way a user (or a test author) does.
import { expect, type Page, type TestInfo } from '@playwright/test';

export interface Opened {
  errors: string[];
}

/** Opens the app (optionally with a query such as `?scenario=fork-cow`) and waits until idle. */
export async function openApp(page: Page, query = ''): Promise<Opened> {
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  await page.goto('/' + query);
  await page.waitForFunction(() => !!window.mshareExplorer);
  await page.evaluate(() => window.mshareExplorer!.ready);
  await page.evaluate(() => window.mshareExplorer!.setAnimations(false));
  await waitIdle(page);
  return { errors };
}

export async function waitIdle(page: Page): Promise<void> {
  await page.evaluate(() => window.mshareExplorer!.waitIdle());
}

export async function position(page: Page): Promise<{ position: number; total: number }> {
  return page.evaluate(() => window.mshareExplorer!.position());
}

/** Screenshot of one panel (or the page) into the test's output folder. */
export async function shoot(page: Page, info: TestInfo, name: string, testId?: string): Promise<void> {
  const path = info.outputPath(`${name}.png`);
  if (testId) await page.getByTestId(testId).screenshot({ path });
  else await page.screenshot({ path });
}

/** The console's lines; waits for the console, which mounts once the first scenario has run. */
export async function consoleLines(page: Page): Promise<string[]> {
  const log = page.getByRole('log', { name: 'Console output' });
  await log.waitFor();
  return log.locator('li').allInnerTexts();
}

export async function expectNoErrors(opened: Opened): Promise<void> {
  expect(opened.errors).toEqual([]);
}

/** A bounding box as Playwright gives it. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** `inner` lies within `outer`, give or take `slack` pixels. */
export const inside = (inner: Box, outer: Box, slack = 0.5) =>
  inner.x >= outer.x - slack && inner.y >= outer.y - slack &&
  inner.x + inner.width <= outer.x + outer.width + slack && inner.y + inner.height <= outer.y + outer.height + slack;

export const overlap = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

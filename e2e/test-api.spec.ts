// The test API refuses what it cannot honour:
// - talk.exportPng(view, scale) takes the export menu's 1, 2 or 4 and rejects anything else
//   (scale 0 gave a 1x1 PNG, 100 an 8000x4500 one).
import { expect, test } from '@playwright/test';
import { expectNoErrors, openApp } from './app';

test('exportPng takes 1, 2 or 4 and rejects any other scale with a clear error', async ({ page }) => {
  const opened = await openApp(page, '?scenario=fork-cow');
  for (const scale of [0, 3, 100, -1, 1.5, Number.NaN]) {
    const msg = await page.evaluate((k) => window.mshareExplorer!.talk.exportPng('counters', k).then(() => 'resolved', (e: Error) => `${e.name}: ${e.message}`), scale);
    expect(msg, `scale ${scale}`).toBe(`RangeError: exportPng: scale must be 1, 2 or 4 (got ${scale})`);
  }
  const one = await page.evaluate(() => window.mshareExplorer!.talk.exportPng('counters', 1));
  const two = await page.evaluate(() => window.mshareExplorer!.talk.exportPng('counters', 2));
  expect(two.width).toBe(one.width * 2);
  await expectNoErrors(opened);
});

// Presenter-mode and timeline fixes from a review at 1280x720: each test does what the
// reviewer did (keys, clicks, the test API) and measures what is on screen.
import { expect, test, type Page } from '@playwright/test';
import { expectNoErrors, inside, openApp, waitIdle } from './app';

test.use({ viewport: { width: 1280, height: 720 } });

/** Every table box of the presenter's tree lies inside the tree's pane. */
async function treeWhole(page: Page): Promise<void> {
  const host = page.locator('[data-talk-view="tree"] .talk-host');
  const hb = (await host.boundingBox())!;
  const boxes = await host.locator('rect.pt-box').all();
  expect(boxes.length).toBeGreaterThan(0);
  for (const b of boxes) expect(inside((await b.boundingBox())!, hb), 'every table box on the slide').toBe(true);
}

test('presenter mode refits the tree as it grows while stepping: the child\'s PTE table stays on the slide', async ({ page }) => {
  const opened = await openApp(page, '?scenario=talk-fork-cow&present&step=2');
  await expect(page.getByTestId('talk-screen')).toHaveAttribute('data-mode', 'presenter');
  for (let i = 0; i < 28; i++) {
    await page.keyboard.press('ArrowRight');
    await waitIdle(page);
  }
  await expect(page.getByTestId('talk-step')).toContainText('step 30 / 30');
  await expect(page.locator('[data-talk-view="tree"] rect.pt-box')).toHaveCount(8);
  await treeWhole(page);
  await expectNoErrors(opened);
});

test('the talk pack from the gallery: stepping into chapter 1 keeps db1\'s PTE tables on the slide', async ({ page }) => {
  test.setTimeout(120_000);
  const opened = await openApp(page);
  await page.getByRole('button', { name: 'Scenarios' }).click();
  const pack = page.getByRole('dialog', { name: 'Scenario gallery' }).getByRole('list', { name: 'Talk pack' });
  await pack.getByRole('button', { name: 'Present Why page tables outgrow shared memory' }).click();
  await expect(page.getByTestId('talk-screen')).toHaveAttribute('data-mode', 'presenter');
  await waitIdle(page);
  for (let i = 0; i < 6; i++) {
    await page.keyboard.press('ArrowRight');
    await waitIdle(page);
  }
  await page.keyboard.press('Shift+ArrowRight');
  await waitIdle(page);
  await expect(page.locator('[data-talk-view="tree"] .pt-title').filter({ hasText: 'PTE ×32' })).toHaveCount(2);
  await treeWhole(page);
  await expectNoErrors(opened);
});

// Fixes from a slide-quality review of the page-table tree, the chart and the notices. Each
// test failed on the code before the fix:
// - the sharing badge read "shared ×3 · 2 parents" under a caption of three PGDs, ×1500 with
//   hugetlb and ×1501 with mshare for the same 1,501 clients, and "shared ×1" (with the shared
//   styling) next to a host panel's "2 sharers".
import { expect, test, type Page } from '@playwright/test';
import { expectNoErrors, openApp, waitIdle } from './app';

const tree = (page: Page) => page.locator('[data-talk-view="tree"]');
const node = (page: Page, level: string) => tree(page).locator(`[data-testid="pt-node"][data-level="${level}"]`);

async function goto(page: Page, step: number): Promise<void> {
  await page.evaluate((n) => window.mshareExplorer!.goto(n), step);
  await waitIdle(page);
}

test.describe('at 1920x1080', () => {
  test.use({ viewport: { width: 1920, height: 1080 } });

  test('talk-mshare-link: the badge counts linked processes like the caption and the host panel', async ({ page }) => {
    const opened = await openApp(page, '?scenario=talk-mshare-link&present&step=36');
    await waitIdle(page);
    await expect(page.getByTestId('talk-screen')).toContainText("Three processes' PGDs, and the host mm's, point at one PUD page");
    const pud = node(page, 'PUD');
    await expect(pud).toHaveCount(1);
    await expect(pud.getByTestId('pt-badge').locator('text')).toHaveText('linked by 3 processes + host mm · 2 drawn');
    await expect(pud).toHaveAttribute('data-shared', 'true');
    await expect(pud).toHaveAttribute('data-sharers', '3');
    await expect(page.locator('[data-talk-view="processes"]')).toContainText('3 sharers');

    // Step 18: db1 attached but has not faulted; only db0 links the PUD page.
    await goto(page, 18);
    await expect(pud.getByTestId('pt-badge').locator('text')).toHaveText('linked by 1 of 2 sharers + host mm');
    await expect(pud).toHaveAttribute('data-shared', 'false');
    await expect(pud).not.toHaveClass(/\bshared\b/);
    await expect(page.locator('[data-talk-view="processes"]')).toContainText('2 sharers');
    await expect(tree(page).locator('path.pt-edge.shared')).toHaveCount(0);
    await expectNoErrors(opened);
  });

  test('talk-page-tables: 1,501 processes in both the hugetlb and the mshare act', async ({ page }) => {
    test.setTimeout(180_000);
    const opened = await openApp(page, '?scenario=talk-page-tables&present&step=7524');
    await waitIdle(page);
    await expect(node(page, 'PMD').getByTestId('pt-badge').locator('text')).toHaveText('shared by 1,501 processes · 2 drawn');
    await goto(page, 12043);
    await expect(node(page, 'PUD').getByTestId('pt-badge').locator('text')).toHaveText('linked by 1,501 processes + host mm · 2 drawn');
    await expectNoErrors(opened);
  });
});

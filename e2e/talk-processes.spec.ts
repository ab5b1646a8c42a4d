// Presenter mode's processes graph, as a review of slides found it: drawn small in a third of
// its pane (14 px titles at 1080p), and a talk's "SIGSEGV killed d" with no d on the slide.
// Each test presents with the keys a speaker uses and measures what is on screen.
import { expect, test, type Page } from '@playwright/test';
import { expectNoErrors, openApp, waitIdle } from './app';

/** Opens a talk, presents it with `p` and goes to its last step with End. */
async function presentEnd(page: Page, id: string) {
  const opened = await openApp(page, `?scenario=${id}`);
  await page.keyboard.press('p');
  await expect(page.getByTestId('talk-screen')).toHaveAttribute('data-mode', 'presenter');
  await page.keyboard.press('End');
  await waitIdle(page);
  const p = await page.evaluate(() => window.mshareExplorer!.position());
  expect(p.position).toBe(p.total);
  return opened;
}

const pane = (page: Page) => page.locator('[data-talk-view="processes"]');

/** On-screen size of the processes boxes' titles (12 px in drawing units), in CSS pixels. */
async function titlePx(page: Page): Promise<number> {
  return pane(page).locator('rect.box').first().evaluate((r: SVGRectElement) => (12 * r.getBoundingClientRect().width) / r.width.baseVal.value);
}

/** The drawing's width on screen as a fraction of its pane's. */
async function widthShare(page: Page): Promise<number> {
  return pane(page).evaluate((el) => {
    const boxes = [...el.querySelectorAll('rect.box')].map((r) => r.getBoundingClientRect());
    const left = Math.min(...boxes.map((b) => b.left));
    const right = Math.max(...boxes.map((b) => b.right));
    return (right - left) / el.getBoundingClientRect().width;
  });
}

test.describe('1920x1080', () => {
  test.use({ viewport: { width: 1920, height: 1080 } });

  test('talk-owner-exit: the processes graph (the main view) is drawn large, no larger than the pane headings', async ({ page }) => {
    const opened = await presentEnd(page, 'talk-owner-exit');
    await expect.poll(() => titlePx(page), { message: 'box titles on screen (px)' }).toBeGreaterThanOrEqual(20);
    const heading = await pane(page).locator('.talk-pane-title').evaluate((h) => parseFloat(getComputedStyle(h).fontSize));
    expect(await titlePx(page)).toBeLessThanOrEqual(heading + 1);
    expect(await widthShare(page), 'drawing width / pane width').toBeGreaterThanOrEqual(0.38);
    // Every box whole inside the pane.
    const hb = (await pane(page).locator('.talk-host').boundingBox())!;
    for (const b of await pane(page).locator('rect.box').all()) {
      const r = (await b.boundingBox())!;
      expect(r.x >= hb.x - 0.5 && r.y >= hb.y - 0.5 && r.x + r.width <= hb.x + hb.width + 0.5 && r.y + r.height <= hb.y + hb.height + 0.5).toBe(true);
    }
    await expectNoErrors(opened);
  });

  test('talk-mshare-link: the processes graph under the tree is drawn large too', async ({ page }) => {
    await presentEnd(page, 'talk-mshare-link');
    await expect.poll(() => titlePx(page)).toBeGreaterThanOrEqual(20);
  });

  test('talk-owner-exit: the last step shows d, killed by SIGSEGV, under the graph; back at the talk start (Home), before the kill, it is not', async ({ page }) => {
    await presentEnd(page, 'talk-owner-exit');
    const ended = pane(page).getByTestId('talk-ended');
    await expect(ended).toBeVisible();
    await expect(ended).toContainText('d (SIGSEGV)');
    const eb = (await ended.boundingBox())!;
    const pb = (await pane(page).boundingBox())!;
    expect(eb.y + eb.height).toBeLessThanOrEqual(pb.y + pb.height + 0.5);
    expect(parseFloat(await ended.evaluate((e) => getComputedStyle(e).fontSize)) * 2).toBeGreaterThanOrEqual(20); // zoomed 2x at 1080p
    await page.keyboard.press('Home');
    await waitIdle(page);
    await expect(page.getByTestId('talk-chapter')).toContainText('1.');
    await expect(pane(page)).not.toContainText('d (SIGSEGV)');
  });
});

test.describe('1280x720', () => {
  test.use({ viewport: { width: 1280, height: 720 } });

  test('talk-mshare-link and talk-owner-exit: processes text readable on a 720p projector', async ({ page }) => {
    await presentEnd(page, 'talk-mshare-link');
    await expect.poll(() => titlePx(page)).toBeGreaterThanOrEqual(15);
    await page.keyboard.press('Escape');
    await presentEnd(page, 'talk-owner-exit');
    await expect.poll(() => titlePx(page)).toBeGreaterThanOrEqual(13.5);
  });
});

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

/** For every row of the tree's boxes: [left text's right edge, right text's left edge, right text's right edge, box's right edge]. */
const rowEdges = (page: Page, scope: string) =>
  page.locator(`${scope} svg.pt-svg`).evaluate((svg) =>
    [...svg.querySelectorAll('g.pt-node')].flatMap((n) => {
      const box = n.querySelector('rect.pt-box')!.getBoundingClientRect();
      return [...n.querySelectorAll('g.pt-row')].map((r) => {
        const l = r.querySelector('text.l')!.getBoundingClientRect();
        const t = r.querySelector('text.r')!.getBoundingClientRect();
        return { text: `${r.querySelector('text.l')!.textContent} | ${r.querySelector('text.r')!.textContent}`, lRight: l.right, rLeft: t.left, rRight: t.right, boxRight: box.right };
      });
    }));

test('a PMD row of 32 tables: the address and "→ 32 tables" never touch, in presenter mode and at the desk', async ({ page }) => {
  test.setTimeout(180_000);
  const opened = await openApp(page, '?scenario=talk-page-tables&present&step=1700');
  await expect(page.getByTestId('talk-screen')).toHaveAttribute('data-mode', 'presenter');
  await waitIdle(page);
  for (const scope of ['[data-talk-view="tree"]', '[data-testid="panel-tree"]']) {
    if (scope.includes('panel')) {
      await page.keyboard.press('Escape');
      await expect(page.getByTestId('panel-tree')).toBeVisible();
      await waitIdle(page);
    }
    const rows = await rowEdges(page, scope);
    expect(rows.map((r) => r.text)).toContain('480-511 0x7efffc000000 | → 32 tables');
    for (const r of rows) {
      expect(r.lRight + 3, `${r.text}: a gap between the texts`).toBeLessThanOrEqual(r.rLeft);
      expect(r.rRight, `${r.text}: inside its box`).toBeLessThanOrEqual(r.boxRight);
    }
  }
  // At the desk a tree wider than its panel is cut by the panel's edge, not inside a row:
  // that edge fades (more-right) and the wheel scrolls to the rest.
  const host = page.getByTestId('panel-tree').locator('.tree-host');
  const right = (await host.boundingBox())!;
  if ((await rowEdges(page, '[data-testid="panel-tree"]')).some((r) => r.boxRight > right.x + right.width)) await expect(host).toHaveClass(/more-right/);
  await expectNoErrors(opened);
});

test('talk.present rejects an unknown view by name, as the exports do; a link\'s &views=bogus falls back', async ({ page }) => {
  const opened = await openApp(page, '?scenario=talk-fork-cow');
  const present = (views: string[]) => page.evaluate((v) => window.mshareExplorer!.talk.present(v).then(() => 'ok', (e: Error) => e.message), views);
  expect(await present(['bogus'])).toBe('no view "bogus" (views: tree, chart, processes, addrspace, physmem, counters)');
  expect(await present(['tree', 'bogus'])).toContain('no view "bogus"');
  expect(await present([])).toContain('no views given');
  expect(await page.evaluate(() => window.mshareExplorer!.talk.exportPng('nope', 1).then(() => 'ok', (e: Error) => e.message))).toContain('no view "nope"');
  // A rejected call changes nothing; a good one shows what it names.
  expect((await page.evaluate(() => window.mshareExplorer!.talk.state())).mode).toBe('normal');
  expect(await present(['counters'])).toBe('ok');
  await expect(page.locator('[data-talk-view]')).toHaveCount(1);
  await expect(page.getByLabel('Presenter view 1')).toHaveValue('counters');
  // The URL form falls back to the default views rather than a blank slide.
  await page.goto('/?scenario=talk-fork-cow&present&views=bogus');
  await page.evaluate(() => window.mshareExplorer!.ready);
  await expect(page.getByTestId('talk-screen')).toHaveAttribute('data-mode', 'presenter');
  expect((await page.evaluate(() => window.mshareExplorer!.talk.state())).views.length).toBeGreaterThan(0);
  await expect(page.locator('[data-talk-view]').first()).toBeVisible();
  await expectNoErrors(opened);
});

test('End goes to the talk\'s last step, Home to its first chapter, as the hint and README say', async ({ page }) => {
  // 12,043 steps, stopping at every chapter and note on the way (navigation.ts travel).
  test.setTimeout(240_000);
  const opened = await openApp(page, '?scenario=talk-page-tables&present&views=chart');
  await expect(page.getByTestId('talk-screen')).toHaveAttribute('data-mode', 'presenter');
  const { total } = await page.evaluate(() => window.mshareExplorer!.position());
  await page.keyboard.press('End');
  await waitIdle(page);
  expect((await page.evaluate(() => window.mshareExplorer!.position())).position).toBe(total);
  await expect(page.getByTestId('talk-step')).toContainText(`step ${total.toLocaleString('en-US')} / ${total.toLocaleString('en-US')}`);
  await expect(page.getByTestId('talk-step')).toContainText('chapter 5 of 5');
  await page.keyboard.press('Home');
  await waitIdle(page);
  await expect(page.getByTestId('talk-step')).toContainText('chapter 1 of 5');
  await expect(page.getByTestId('talk-keys')).toHaveAttribute('title', /Home first chapter · End last step/);
  await expectNoErrors(opened);
});

test('owner-exit talk, last slide: the note tells of d\'s death and the views show b, who runs on', async ({ page }) => {
  const opened = await openApp(page, '?scenario=talk-owner-exit&present');
  await expect(page.getByTestId('talk-screen')).toHaveAttribute('data-mode', 'presenter');
  await page.keyboard.press('End');
  await waitIdle(page);
  await expect(page.getByTestId('talk-chapter')).toHaveText('4. The next access faults');
  // d is dead here: the note must not speak of it as linked, and it names the process on screen.
  await expect(page.getByTestId('talk-note')).not.toContainText('still linked');
  await expect(page.getByTestId('talk-note')).toContainText('SIGSEGV killed d');
  await expect(page.getByTestId('talk-note')).toContainText('b, on region one, runs on');
  await expect(page.getByRole('region', { name: 'Page tables of b' })).toBeVisible();
  await expectNoErrors(opened);
});

test('the timeline caption ends in an ellipsis with the whole text in its title', async ({ page }) => {
  const opened = await openApp(page, '?scenario=fork-cow');
  const caption = page.getByTestId('timeline-caption');
  const { total } = await page.evaluate(() => window.mshareExplorer!.position());
  for (let n = 0; n <= total && !(await caption.innerText()).includes('write-protects'); n++) {
    await page.evaluate((i) => window.mshareExplorer!.goto(i), n);
    await waitIdle(page);
  }
  const full = 'fork copies the page tables — The VMA has an anon_vma, so fork copies its page tables (R15) and write-protects the PTE in both processes (R16).';
  await expect(caption).toHaveAttribute('title', full);
  const geo = await caption.evaluate((el) => ({
    right: el.getBoundingClientRect().right, width: window.innerWidth,
    overflow: getComputedStyle(el).textOverflow, cut: el.scrollWidth > el.clientWidth,
  }));
  expect(geo.right, 'the caption ends inside the window').toBeLessThanOrEqual(geo.width);
  expect(geo.cut, 'too long for 1280 px').toBe(true);
  expect(geo.overflow, 'so it ends in an ellipsis').toBe('ellipsis');
  await expectNoErrors(opened);
});

test('the timeline\'s step and error counts have thousands separators, as presenter mode prints them', async ({ page }) => {
  const opened = await openApp(page, '?scenario=fork-cow');
  // 1,200 munmaps of an unaligned address, each an EINVAL.
  await page.evaluate(() => window.mshareExplorer!.loadScenario('spawn a\nrepeat 1200: a: munmap 0x1001 4K'));
  await waitIdle(page);
  await expect(page.getByTestId('timeline-position')).toHaveText('step 1,201 / 1,201');
  await expect(page.getByRole('status', { name: 'Problems so far' })).toHaveText('1,200 errors');
  await expect(page.getByRole('slider', { name: 'Timeline position' })).toHaveAttribute('aria-valuetext', 'step 1,201 of 1,201');
  await expectNoErrors(opened);
});

test.describe('a 960x540 slide', () => {
  test.use({ viewport: { width: 960, height: 540 } });
  test('an embed of four views keeps the whole tree in its quarter: the PTE level was cut off', async ({ page }) => {
    const opened = await openApp(page, '?scenario=talk-page-tables&embed&views=tree,chart,processes,counters&caption&step=12');
    await expect(page.getByTestId('talk-screen')).toHaveAttribute('data-mode', 'embed');
    await waitIdle(page);
    await expect(page.locator('[data-talk-view="tree"] rect.pt-box')).toHaveCount(5);
    await expect.poll(async () => {
      const host = (await page.locator('[data-talk-view="tree"] .talk-host').boundingBox())!;
      const boxes = await page.locator('[data-talk-view="tree"] rect.pt-box').all();
      for (const b of boxes) if (!inside((await b.boundingBox())!, host)) return false;
      return true;
    }, { message: 'every table box inside the tree\'s pane' }).toBe(true);
    await expectNoErrors(opened);
  });
});

test('an empty view exports why, not a blank 32x32 file; the tree\'s label no longer names the last tree', async ({ page }) => {
  const opened = await openApp(page, '?scenario=fork-cow&step=12');
  await expect(page.locator('svg.pt-svg')).toHaveAttribute('aria-label', /table pages/);
  await page.evaluate(() => window.mshareExplorer!.goto(0));
  await waitIdle(page);
  await expect(page.locator('svg.pt-svg')).toHaveAttribute('aria-label', 'Page-table tree: no process running');
  for (const view of ['tree', 'processes']) {
    const svg = await page.evaluate((v) => window.mshareExplorer!.talk.exportSvg(v), view);
    expect(svg, view).toContain('No process is running at this step.');
    expect(svg, view).toMatch(/<svg[^>]* width="480" height="80"/);
    expect(svg, view).toContain('step 0 of 32');
  }
  // A drawing again once there is one.
  await page.evaluate(() => window.mshareExplorer!.goto(12));
  await waitIdle(page);
  expect(await page.evaluate(() => window.mshareExplorer!.talk.exportSvg('tree'))).toContain('pt-box');
  await expectNoErrors(opened);
});

// Fixes from the review of the day's merged UI changes: keys after a mouse click on a drawing,
// an unrun draft replaced by a load, the timeline export keeping the selection, no sideways
// scroll when a popover opens in a narrow window.
import { readFile } from 'node:fs/promises';
import { expect, test, type Page } from '@playwright/test';
import { expectNoErrors, openApp, position, waitIdle } from './app';
import { UNLINK_RECREATE } from '../tests/fixtures/unlink-recreate';

const at = async (page: Page) => (await position(page)).position;
const goto = async (page: Page, n: number) => {
  await page.evaluate((s) => window.mshareExplorer!.goto(s), n);
  await waitIdle(page);
};

test.describe('desk', () => {
  test.use({ viewport: { width: 1440, height: 900 } });

  test('after a mouse click on a process box or a VMA the arrows still step and space plays', async ({ page }) => {
    const opened = await openApp(page);
    await goto(page, 20);
    for (const target of [page.locator('g.proc-node').first(), page.locator('g.seg.vma').first()]) {
      await target.click();
      await page.keyboard.press('ArrowRight');
      await waitIdle(page);
      expect(await at(page)).toBe(21);
      await page.keyboard.press('ArrowLeft');
      await waitIdle(page);
      expect(await at(page)).toBe(20);
    }
    await page.locator('g.proc-node').first().click();
    await page.keyboard.press(' ');
    await waitIdle(page);
    expect(await at(page)).toBeGreaterThan(20); // played (to the end)
    await expectNoErrors(opened);
  });

  test('a built-in loaded over an unrun draft: the draft leaves the Script tab and is kept aside', async ({ page }) => {
    const opened = await openApp(page);
    await page.evaluate(() => window.mshareExplorer!.loadScenario('spawn aa\naa: fork'));
    await waitIdle(page);
    await page.getByRole('tab', { name: 'Script' }).click();
    await page.getByLabel('Script editor').focus();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('\naa: fork # my draft');
    await expect(page.getByTestId('draft-hint')).toBeVisible();
    await page.evaluate(() => window.mshareExplorer!.loadScenario('fork-cow'));
    await waitIdle(page);
    await expect(page.getByTestId('draft-hint')).toHaveCount(0);
    await expect(page.getByLabel('Script editor')).not.toContainText('my draft');
    const kept = await page.evaluate(() => localStorage.getItem('mshare-explorer.session.previous') ?? '');
    expect(kept).toContain('my draft');
    await expect(page.getByTestId('notice-session').filter({ hasText: 'Your unrun draft is kept' })).toBeVisible();
    await expectNoErrors(opened);
  });

  test('the timeline export shows and keeps the selected process', async ({ page }) => {
    const opened = await openApp(page, '?scenario=talk-fork-cow');
    await page.evaluate(() => window.mshareExplorer!.setAnimations(false));
    await goto(page, 14);
    await page.locator('g.proc-node').filter({ hasText: 'child' }).first().click();
    await expect(page.getByTestId('panel-tree')).toContainText('child · mm 2');
    await page.getByRole('button', { name: /^Export/ }).click();
    const menu = page.getByRole('dialog', { name: 'Export' });
    await menu.getByLabel('View to export').selectOption('tree');
    const [dl] = await Promise.all([page.waitForEvent('download'), menu.getByRole('button', { name: /^every step/ }).click()]);
    const zip = (await readFile(await dl.path())).toString('latin1');
    // The file of step 20 (the child runs there) draws the child's tables.
    const name = zip.indexOf('talk-fork-cow-tree-step-20.svg');
    expect(name).toBeGreaterThan(0);
    const body = zip.slice(name, zip.indexOf('</svg>', name));
    expect(body).toContain('Page-table tree of child');
    await waitIdle(page);
    expect(await at(page)).toBe(14);
    await expect(page.getByTestId('panel-tree')).toContainText('child · mm 2');
    await expectNoErrors(opened);
  });
});

test.describe('narrow', () => {
  test.use({ viewport: { width: 640, height: 360 } });

  test('opening a popover that reaches past the edge does not scroll the page sideways', async ({ page }) => {
    const opened = await openApp(page);
    await page.getByRole('group', { name: 'Actions' }).getByRole('button', { name: /^mmap/ }).click();
    await expect(page.getByRole('dialog').first()).toBeVisible();
    expect(await page.evaluate(() => document.documentElement.scrollLeft + document.body.scrollLeft)).toBe(0);
    await expectNoErrors(opened);
  });
});

test.describe('presenter at 800x600', () => {
  test.use({ viewport: { width: 800, height: 600 } });

  test('the footer wraps: every control, Leave presenter mode too, is on screen', async ({ page }) => {
    const opened = await openApp(page, '?scenario=talk-fork-cow&present');
    await expect(page.getByTestId('talk-screen')).toHaveAttribute('data-mode', 'presenter');
    for (const name of ['Leave presenter mode', 'Share']) {
      const b = (await page.getByRole('button', { name }).boundingBox())!;
      expect(b.x + b.width, name).toBeLessThanOrEqual(800);
      expect(b.y + b.height, name).toBeLessThanOrEqual(600);
    }
    await expectNoErrors(opened);
  });
});

test('embed mode announces the step and caption after a step', async ({ page }) => {
  const opened = await openApp(page, '?embed&views=tree&caption&scenario=fork-cow&step=3');
  const live = page.getByTestId('talk-announcement');
  await expect(live).toHaveAttribute('aria-live', 'polite');
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('ArrowRight');
  await waitIdle(page);
  await expect(live).toHaveText(/^Step 4 of \d+/);
  await expectNoErrors(opened);
});


test('an unlinked region is shown "(deleted)" and is not offered for attaching; its new namesake is', async ({ page }) => {
  // Review 14: after unlink and re-create, two regions carried one name, and Attach… offered both.
  const opened = await openApp(page);
  await page.evaluate((src) => window.mshareExplorer!.loadScenario(src, { run: true }), UNLINK_RECREATE.join('\n'));
  await waitIdle(page);
  await page.getByRole('tab', { name: 'Counters' }).click();
  await expect(page.getByRole('table', { name: 'mshare /sys/fs/mshare/r (deleted)' })).toContainText('sharers1');
  await expect(page.getByRole('table', { name: 'mshare /sys/fs/mshare/r', exact: true })).toContainText('sharers0');
  await page.getByRole('group', { name: 'Actions' }).getByRole('button', { name: 'msharefs' }).click();
  const menu = page.getByRole('dialog', { name: 'msharefs' });
  await menu.getByRole('button', { name: 'Attach…' }).click();
  await expect(menu.getByLabel('region to attach').locator('option')).toHaveText(['/sys/fs/mshare/r']);
  await expectNoErrors(opened);
});

test('Counters: a global OOM kill counts on the victim\'s cgroup; the root shows /proc/vmstat\'s count', async ({ page }) => {
  // Review 15: the victim's cgroup read oom_kill 0, and "/" showed an oom_kill row of 0 that
  // Linux does not have (the root has no memory.events).
  const opened = await openApp(page);
  await page.evaluate(() => window.mshareExplorer!.loadScenario([
    'machine ram=32M',
    'cgroup g',
    'spawn a',
    'a: join g',
    'a: mmap auto 64M rw private,anon as x',
    'a: touch x 64M write',
  ].join('\n'), { run: true }));
  await waitIdle(page);
  await page.getByRole('tab', { name: 'Counters' }).click();
  await expect(page.getByRole('table', { name: 'cgroup g' }).getByRole('row', { name: /^oom_kill/ })).toHaveText('oom_kill1');
  const root = page.getByRole('table', { name: 'cgroup /' });
  await expect(root.getByRole('row', { name: /oom_kill/ })).toHaveText('oom_kill (/proc/vmstat)1');
  await expect(root.getByRole('row', { name: /^limit/ })).toHaveCount(0);
  await expectNoErrors(opened);
});

test('Counters: the root cgroup\'s memory.stat counts every cgroup (hierarchical), and it has no memory.current', async ({ page }) => {
  // Review 18: at the end of mshare-charge "cgroup /" read pagetables 8 kB (its own charges)
  // where PageTables was 48 kB, all of it charged to cgroups below the root.
  const opened = await openApp(page, '?scenario=mshare-charge');
  const { total } = await position(page);
  await goto(page, total);
  await page.getByRole('tab', { name: 'Counters' }).click();
  const root = page.getByRole('table', { name: 'cgroup /' });
  await expect(root.getByRole('row', { name: /memory\.current/ })).toHaveCount(0);
  const pageTables = await page.getByRole('table', { name: '/proc/meminfo' }).getByRole('row', { name: /^PageTables/ }).locator('td').textContent();
  await expect(root.getByRole('row', { name: /^pagetables/ }).locator('td')).toHaveText(pageTables!);
  await expectNoErrors(opened);
});

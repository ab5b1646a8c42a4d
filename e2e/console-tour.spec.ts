// The console's keys and help, the tour's placement, the msharefs form's mount check, the
// gallery's chapter numbers, the dark editor gutter and the unknown-scenario banner.
import { expect, test, type Locator, type Page } from '@playwright/test';
import { consoleLines, expectNoErrors, openApp, shoot, waitIdle } from './app';

test.use({ viewport: { width: 1440, height: 900 } });

function overlap(a: { x: number; y: number; width: number; height: number }, b: { x: number; y: number; width: number; height: number }): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

async function box(l: Locator) {
  const b = await l.boundingBox();
  expect(b).not.toBeNull();
  return b!;
}

async function focusConsole(page: Page): Promise<Locator> {
  const input = page.getByRole('textbox', { name: 'Console input' });
  await input.click();
  return input;
}

test('msharefs: Create region asks to mount msharefs first and mounts it from the form', async ({ page }) => {
  // fork-cow never mounts msharefs.
  const opened = await openApp(page, '?scenario=fork-cow');
  await page.getByRole('button', { name: 'msharefs', exact: true }).click();
  const menu = page.getByRole('dialog', { name: 'msharefs' });
  const attach = menu.getByRole('button', { name: 'Attach…' });
  await expect(attach).toBeDisabled();
  await expect(attach).toHaveAttribute('title', /no msharefs region/i);
  await menu.getByRole('button', { name: 'Create region…' }).click();
  await expect(menu).toContainText('Mount msharefs first');
  const create = menu.getByRole('button', { name: 'Create region' });
  await expect(create).toBeDisabled();
  await menu.getByRole('button', { name: 'Mount msharefs' }).click();
  await waitIdle(page);
  expect(await consoleLines(page)).toContain('› mount msharefs');
  await expect(menu).not.toContainText('Mount msharefs first');
  await expect(create).toBeEnabled();
  await create.click();
  await waitIdle(page);
  const lines = await consoleLines(page);
  expect(lines.some((l) => /: open \/sys\/fs\/mshare\/r1 create as r1$/.test(l))).toBe(true);
  const report = (await page.evaluate(() => window.mshareExplorer!.report())) as { mshare: unknown[] };
  expect(report.mshare).toHaveLength(1);
  // Mounted, with a region: the menu no longer offers a second mount, and Attach works.
  await page.getByRole('button', { name: 'msharefs', exact: true }).click();
  await expect(menu.getByRole('button', { name: 'Mount msharefs' })).toBeDisabled();
  await expect(menu.getByRole('button', { name: 'Attach…' })).toBeEnabled();
  await expectNoErrors(opened);
});

test('console: Enter runs the typed line with the popup open, Tab completes, Escape closes', async ({ page }, info) => {
  const opened = await openApp(page, '?scenario=fork-cow');
  const input = await focusConsole(page);
  const popup = page.locator('.console-input .cm-tooltip-autocomplete');
  await page.keyboard.type('spaw');
  await expect(popup).toBeVisible();
  // The popup opens above the input, clear of the status bar.
  const p = await box(popup);
  const line = await box(page.locator('.console-input .cm-line'));
  expect(p.y + p.height).toBeLessThanOrEqual(line.y + 1);
  expect(overlap(p, await box(page.locator('.statusbar')))).toBe(false);
  await shoot(page, info, 'console-popup');
  // Enter runs what was typed (here a typo, reported), not the highlighted completion.
  await page.keyboard.press('Enter');
  await waitIdle(page);
  await expect(popup).toHaveCount(0);
  let lines = await consoleLines(page);
  expect(lines).toContain('› spaw');
  expect(lines.some((l) => /unknown verb 'spaw'/.test(l))).toBe(true);
  await expect(input).not.toContainText('spaw'); // cleared (the placeholder shows)
  // Tab takes the completion and keeps the focus in the input.
  await page.keyboard.type('spaw');
  await expect(popup).toBeVisible();
  await page.keyboard.press('Tab');
  await expect(input).toHaveText('spawn');
  await expect(input).toBeFocused();
  await page.keyboard.type(' tabby');
  await page.keyboard.press('Enter');
  await waitIdle(page);
  lines = await consoleLines(page);
  expect(lines).toContain('› spawn tabby');
  // Escape closes the popup and leaves the line alone.
  await page.keyboard.type('spaw');
  await expect(popup).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(popup).toHaveCount(0);
  await expect(input).toHaveText('spaw');
  await expectNoErrors(opened);
});

test('console: help and ? list the verbs without touching the script', async ({ page }) => {
  const opened = await openApp(page, '?scenario=fork-cow');
  const sourceBefore = await page.evaluate(() => window.mshareExplorer!.position());
  await focusConsole(page);
  await page.keyboard.type('help');
  await page.keyboard.press('Enter');
  await waitIdle(page);
  const lines = await consoleLines(page);
  expect(lines.some((l) => /unknown verb/.test(l))).toBe(false);
  const out = lines.join('\n');
  for (const v of ['spawn NAME', 'NAME: fork', 'NAME: mmap ADDR|auto SIZE PROT FLAGS', 'mount msharefs', 'expect EXPR']) expect(out).toContain(v);
  // Not a scenario line: the script and the timeline are as they were.
  expect(await page.evaluate(() => window.mshareExplorer!.position())).toEqual(sourceBefore);
  await page.getByRole('tab', { name: 'Script' }).click();
  await expect(page.getByRole('textbox', { name: 'Script editor' })).not.toContainText('help');
  await page.getByRole('tab', { name: 'Console' }).click();
  const count = (await consoleLines(page)).length;
  await focusConsole(page);
  await page.keyboard.type('?');
  await page.keyboard.press('Enter');
  await expect.poll(async () => (await consoleLines(page)).length).toBeGreaterThan(count + 10);
  expect(await page.evaluate(() => window.mshareExplorer!.position())).toEqual(sourceBefore);
  await expectNoErrors(opened);
});

test('the tour card sits beside the panel it describes and Escape closes it', async ({ page }, info) => {
  const opened = await openApp(page);
  await page.getByRole('button', { name: 'Tour' }).click();
  const card = page.getByRole('dialog', { name: /^Tour:/ });
  const vp = page.viewportSize()!;
  for (let step = 1; step <= 6; step++) {
    await expect(card.locator('.tour-count')).toHaveText(`${step}/6`);
    const target = await box(page.locator('.tour-focus'));
    const c = await box(card);
    expect(overlap(c, target), `card ${step} covers its panel`).toBe(false);
    expect(c.x).toBeGreaterThanOrEqual(0);
    expect(c.y).toBeGreaterThanOrEqual(0);
    expect(c.x + c.width).toBeLessThanOrEqual(vp.width);
    expect(c.y + c.height).toBeLessThanOrEqual(vp.height);
    await shoot(page, info, `tour-${step}`);
    if (step < 6) await card.getByRole('button', { name: 'Next' }).click();
  }
  await page.keyboard.press('Escape');
  await expect(card).toBeHidden();
  await expect(page.locator('.tour-focus')).toHaveCount(0);
  await expectNoErrors(opened);
});

test('gallery chapters that carry their own number are not numbered twice', async ({ page }) => {
  const opened = await openApp(page);
  await page.getByRole('button', { name: 'Scenarios' }).click();
  const seen = (list: Locator) => list.getByRole('listitem').evaluateAll((items) => items.map((li, i) => {
    const n = li.hasAttribute('value') ? (li as HTMLLIElement).value : i + 1;
    return (getComputedStyle(li).listStyleType === 'none' ? '' : `${n}. `) + (li as HTMLElement).innerText;
  }));
  const numbered = await seen(page.getByRole('list', { name: 'Chapters of Copy-on-write after fork' }));
  expect(numbered).toEqual([
    '1. A process writes two private pages',
    '2. fork copies the page tables, not the pages',
    '3. The child writes: its page is copied',
    '4. The parent writes: no copy needed',
  ]);
  // Titles without a number still get one from the list.
  expect((await seen(page.getByRole('list', { name: 'Chapters of fork and copy-on-write' })))[0]).toBe('1. A private anonymous page');
  await expectNoErrors(opened);
});

test('dark theme: the script editor gutter follows the theme', async ({ page }, info) => {
  const opened = await openApp(page);
  await page.getByRole('tab', { name: 'Script' }).click();
  const gutter = page.locator('.script-editor .cm-gutters');
  const bg = () => gutter.evaluate((el) => getComputedStyle(el).backgroundColor);
  const panel2 = () => page.evaluate(() => {
    // The page's --panel-2 resolved to a colour, to compare with the gutter's.
    const probe = document.createElement('div');
    probe.style.background = 'var(--panel-2)';
    document.body.append(probe);
    const c = getComputedStyle(probe).backgroundColor;
    probe.remove();
    return c;
  });
  expect(await bg()).toBe(await panel2());
  await page.getByRole('button', { name: 'Switch to dark theme' }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await expect.poll(bg).toBe(await panel2());
  expect(await bg()).toBe('rgb(32, 37, 45)');
  // The verbs take their dark-theme colour too.
  await expect(page.locator('.script-editor .tok-verb').first()).toHaveCSS('color', 'rgb(86, 180, 233)');
  await shoot(page, info, 'script-dark');
  await expectNoErrors(opened);
});

test('an unknown ?scenario= shows a banner and opens the default', async ({ page }) => {
  const opened = await openApp(page, '?scenario=nope');
  const notice = page.getByTestId('link-notice');
  await expect(notice).toContainText("No built-in scenario named 'nope'; opened the default");
  await notice.getByRole('button', { name: 'Dismiss message' }).click();
  await expect(notice).toHaveCount(0);
  expect((await page.evaluate(() => window.mshareExplorer!.position())).total).toBeGreaterThan(10);
  await expectNoErrors(opened);
});

// Keyboard use of the toolbar's popovers, the policy switches, the header, the tour and the
// notices, driven with the keys a keyboard user presses:
// - every popover (mmap, mprotect, Touch, msharefs, Share, Export) takes the focus when it
//   opens, closes on Esc (even with the focus still on its button), gives the focus back to its
//   button when it closes, and closes when the focus leaves it (light dismiss);
// - a policy select changes nothing until Apply (an arrow key used to run a `policy` line);
// - the header is a labelled group, not a toolbar without the toolbar's keys;
// - the tour card takes the focus, Enter held on Next does not end the tour, and the focus
//   goes back to the Tour button;
// - notices are announced through live regions present from the start, and one with a button
//   stays while the focus is in it.
import { expect, test, type Locator, type Page } from '@playwright/test';
import { consoleLines, expectNoErrors, openApp, position, waitIdle } from './app';

/** What has the focus: its role-ish description, for messages. */
async function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    const a = document.activeElement as HTMLElement | null;
    return a ? `${a.tagName.toLowerCase()}${a.getAttribute('aria-label') ? `[${a.getAttribute('aria-label')}]` : ''} ${a.textContent?.trim().slice(0, 30) ?? ''}` : 'none';
  });
}

async function hasFocus(l: Locator): Promise<boolean> {
  return l.evaluate((el) => el === document.activeElement || el.contains(document.activeElement));
}

const opener = (page: Page, name: string) => page.locator('header.toolbar').getByRole('button', { name, exact: true });

/** Opens a popover from its button with the keyboard, as a user does. */
async function openWithKeys(page: Page, button: Locator): Promise<void> {
  await button.focus();
  await page.keyboard.press('Enter');
}

const POPOVERS: { button: string; dialog: string }[] = [
  { button: 'mmap', dialog: 'mmap' },
  { button: 'mprotect', dialog: 'mprotect' },
  { button: 'Touch', dialog: 'Touch' },
  { button: 'msharefs', dialog: 'msharefs' },
  { button: 'Share', dialog: 'Share' },
  { button: 'Export', dialog: 'Export' },
];

test('every toolbar popover takes the focus, closes on Esc and gives the focus back', async ({ page }) => {
  const opened = await openApp(page);
  for (const p of POPOVERS) {
    const button = opener(page, p.button);
    const dialog = page.getByRole('dialog', { name: p.dialog });
    await openWithKeys(page, button);
    await expect(dialog).toBeVisible();
    await expect.poll(() => hasFocus(dialog), `${p.dialog}: the focus is in the popover (${await focused(page)})`).toBe(true);
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
    await expect(button).toBeFocused();
    await expect(button).toHaveAttribute('aria-expanded', 'false');
  }
  await expectNoErrors(opened);
});

test('Esc right after Enter on Export closes it (the review repro); Close gives the focus back', async ({ page }) => {
  const opened = await openApp(page);
  const button = opener(page, 'Export');
  const menu = page.getByRole('dialog', { name: 'Export' });
  await button.focus();
  await page.keyboard.press('Enter');
  await page.keyboard.press('Escape');
  await expect(menu).toBeHidden();
  await expect(button).toBeFocused();

  // Esc while the focus is still on the button (a user who went back to it) closes it too.
  await page.keyboard.press('Enter');
  await expect(page.getByLabel('View to export')).toBeFocused();
  await page.keyboard.press('Shift+Tab');
  await expect(button).toBeFocused();
  await expect(menu).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(menu).toBeHidden();

  // The Close button: focus back on Export, not on <body>.
  await page.keyboard.press('Enter');
  await menu.getByRole('button', { name: 'Close' }).focus();
  await page.keyboard.press('Enter');
  await expect(menu).toBeHidden();
  await expect(button).toBeFocused();
  await expectNoErrors(opened);
});

test('msharefs: a form that replaces the menu takes the focus, and Esc still closes it', async ({ page }) => {
  const opened = await openApp(page);
  const button = opener(page, 'msharefs');
  const menu = page.getByRole('dialog', { name: 'msharefs' });
  const first: Record<string, string> = { 'Create region…': 'region name', 'Attach…': 'region to attach', 'Policies…': 'policy charge' };
  for (const [item, field] of Object.entries(first)) {
    await openWithKeys(page, button);
    const entry = menu.getByRole('button', { name: item });
    await expect(entry).toBeEnabled();
    await entry.focus();
    await page.keyboard.press('Enter');
    await expect(menu.getByLabel(field), `${item}: its first field has the focus (${await focused(page)})`).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(menu).toBeHidden();
    await expect(button).toBeFocused();
  }
  await expectNoErrors(opened);
});

test('light dismiss: Tab past Share\'s last control or a click elsewhere closes it', async ({ page }) => {
  const opened = await openApp(page);
  const share = opener(page, 'Share');
  const dialog = page.getByRole('dialog', { name: 'Share' });
  await openWithKeys(page, share);
  await expect(page.getByTestId('permalink')).toBeFocused();
  const close = dialog.getByRole('button', { name: 'Close' });
  await close.focus();
  await page.keyboard.press('Tab');
  await expect(dialog).toBeHidden();
  await expect(opener(page, 'Export')).toBeFocused(); // the focus went on, where Tab took it
  // Shift+Tab from the first control goes back to the button, and Share stays open.
  await openWithKeys(page, share);
  await expect(page.getByTestId('permalink')).toBeFocused();
  await page.keyboard.press('Shift+Tab');
  await expect(share).toBeFocused();
  await expect(dialog).toBeVisible();
  // A click elsewhere.
  await page.getByTestId('panel-tree').click({ position: { x: 5, y: 5 } });
  await expect(dialog).toBeHidden();
  // A click on the button of another popover opens that one alone.
  await share.click();
  await expect(dialog).toBeVisible();
  await opener(page, 'Export').click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('dialog', { name: 'Export' })).toBeVisible();
  await expectNoErrors(opened);
});

test('Policies: an arrow key on a select runs nothing; Apply (or Enter) runs one policy line', async ({ page }) => {
  const opened = await openApp(page);
  // At a past step, where a line that ran would drop the later steps.
  await page.evaluate(() => window.mshareExplorer!.goto(5));
  await waitIdle(page);
  const before = await position(page);
  const source = await page.evaluate(() => window.mshareExplorer!.source());
  const button = opener(page, 'msharefs');
  const menu = page.getByRole('dialog', { name: 'msharefs' });
  await openWithKeys(page, button);
  await menu.getByRole('button', { name: 'Policies…' }).focus();
  await page.keyboard.press('Enter');
  const tlb = menu.getByLabel('policy tlb_flush');
  await tlb.focus();
  const was = await tlb.inputValue();
  await page.keyboard.press(was === 'all' ? 'ArrowDown' : 'ArrowUp');
  const now = was === 'all' ? 'sharers' : 'all';
  await expect(tlb).toHaveValue(now);
  await waitIdle(page);
  // Browsing ran nothing: same script, same step, the form still open.
  expect(await page.evaluate(() => window.mshareExplorer!.source())).toBe(source);
  expect(await position(page)).toEqual(before);
  await expect(menu).toBeVisible();
  await expect(menu.locator('.preview')).toHaveText(`policy tlb_flush=${now}`);
  // Enter on the select applies.
  await page.keyboard.press('Enter');
  await expect(menu).toBeHidden();
  await waitIdle(page);
  expect(await consoleLines(page)).toContain(`› policy tlb_flush=${now}`);
  await expect(button).toBeFocused();
  expect(await position(page)).toEqual({ position: before.position + 1, total: before.position + 1 });

  // The Apply button, two switches in one line.
  await openWithKeys(page, button);
  await menu.getByRole('button', { name: 'Policies…' }).click();
  const apply = menu.getByRole('button', { name: 'Apply' });
  await expect(apply).toBeDisabled();
  await menu.getByLabel('policy charge').selectOption('owner');
  await menu.getByLabel('policy tlb_flush').selectOption(was);
  await apply.click();
  await waitIdle(page);
  expect(await consoleLines(page)).toContain(`› policy charge=owner tlb_flush=${was}`);
  await expectNoErrors(opened);
});

test('the header is a labelled group of controls, each its own Tab stop', async ({ page }) => {
  const opened = await openApp(page);
  await expect(page.getByRole('toolbar')).toHaveCount(0);
  const header = page.getByRole('group', { name: 'Actions' });
  await expect(header).toBeVisible();
  await header.getByRole('button', { name: 'Scenarios' }).focus();
  await page.keyboard.press('Tab');
  await expect(header.getByRole('button', { name: 'Spawn' })).toBeFocused();
  await expectNoErrors(opened);
});

test('the tour card takes the focus; held Enter stops at the last step; the focus returns to Tour', async ({ page }) => {
  const opened = await openApp(page);
  const tour = opener(page, 'Tour');
  const card = page.getByRole('dialog', { name: /^Tour:/ });
  await openWithKeys(page, tour);
  await expect(card.getByRole('button', { name: 'Next' })).toBeFocused();
  for (let i = 0; i < 10; i++) await page.keyboard.press('Enter');
  // Still open on the last step: Enter on Next never ran into Done.
  await expect(card).toBeVisible();
  await expect(card.locator('.tour-count')).toHaveText('6/6');
  await expect(card.getByRole('heading')).toBeFocused();
  // Done is a control of its own: Tab, Tab (Back, Done), Enter.
  await page.keyboard.press('Tab');
  await expect(card.getByRole('button', { name: 'Back' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(card.getByRole('button', { name: 'Done' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(card).toBeHidden();
  await expect(tour).toBeFocused();

  // Back on the first step disables Back: the focus goes to Next, not to <body>.
  await page.keyboard.press('Enter');
  await expect(card.getByRole('button', { name: 'Next' })).toBeFocused();
  await page.keyboard.press('Enter');
  await page.keyboard.press('Shift+Tab');
  await expect(card.getByRole('button', { name: 'Back' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(card.locator('.tour-count')).toHaveText('1/6');
  await expect(card.getByRole('button', { name: 'Next' })).toBeFocused();
  // Esc closes it, the focus back on Tour.
  await page.keyboard.press('Escape');
  await expect(card).toBeHidden();
  await expect(tour).toBeFocused();
  await expectNoErrors(opened);
});

test('notices are announced through a live region present (empty) before them', async ({ page }) => {
  const opened = await openApp(page);
  const live = page.getByTestId('notice-live').getByRole('status');
  await expect(live).toHaveCount(1);
  await expect(live).toHaveText('');
  await live.evaluate((el) => el.setAttribute('data-was-here', '1'));
  await page.getByRole('button', { name: 'Step back' }).click();
  await waitIdle(page);
  await opener(page, 'Fork').click();
  await waitIdle(page);
  await expect(page.getByTestId('notice-dropped')).toBeVisible();
  // The text went into the region that was there, not into a new one.
  await expect(live).toContainText(/Dropped \d+ later step/);
  await expect(live).toHaveAttribute('data-was-here', '1');
  // The visible notice is not a second live region.
  await expect(page.getByTestId('notice-dropped')).toHaveAttribute('role', 'group');
  await expectNoErrors(opened);
});

test('"Restored your session" stays while the focus is on its Start fresh', async ({ page }) => {
  await page.clock.install();
  const opened = await openApp(page);
  await page.evaluate(() => window.mshareExplorer!.exec('spawn kept'));
  await waitIdle(page);
  await page.reload();
  await page.evaluate(() => window.mshareExplorer!.ready);
  await waitIdle(page);
  // Docked in the console panel once it is there (before, it floats).
  await page.getByRole('textbox', { name: 'Console input' }).waitFor();
  const notice = page.getByTestId('notice-dock').getByTestId('notice-session');
  await expect(notice).toContainText('Restored your session');
  await notice.getByRole('button', { name: 'Start fresh' }).focus();
  await page.clock.fastForward('05:00');
  await expect(notice).toBeVisible();
  await expect(notice.getByRole('button', { name: 'Start fresh' })).toBeFocused();
  // The focus left: it goes after its time.
  await opener(page, 'Scenarios').focus();
  await page.clock.fastForward('05:00');
  await expect(notice).toHaveCount(0);
  await expectNoErrors(opened);
});

// Keyboard and screen-reader review: the global keys leave alone what handles its own keys,
// tablists move with the arrows, stepping is announced, and the focus never drops to <body>.
import { expect, test, type Page } from '@playwright/test';
import { expectNoErrors, openApp, position, shoot, waitIdle } from './app';

test.use({ viewport: { width: 1440, height: 900 } });

const at = async (page: Page) => (await position(page)).position;
const goto = async (page: Page, n: number) => {
  await page.evaluate((s) => window.mshareExplorer!.goto(s), n);
  await waitIdle(page);
};
/** Presses a key and waits for whatever it started to finish. */
const press = async (page: Page, key: string) => {
  await page.keyboard.press(key);
  await waitIdle(page);
};
const focusedIsBody = (page: Page) => page.evaluate(() => document.activeElement === document.body || document.activeElement === null);

test('space on an element that handles it does not play; a button has no use for the arrows, which step', async ({ page }) => {
  const opened = await openApp(page);
  await goto(page, 10);
  const play = page.getByRole('button', { name: 'Play' });

  // A process box (role=button in the SVG), focused from the keyboard: space presses it.
  await page.locator('g.proc-node').first().focus();
  await press(page, ' ');
  expect(await at(page), 'space on a process box').toBe(10);
  await expect(play).toBeVisible();
  await press(page, 'ArrowRight');
  expect(await at(page), 'ArrowRight on a process box').toBe(11);
  await press(page, 'ArrowLeft');
  expect(await at(page)).toBe(10);

  // A tree toggle: space collapses the table (its own handler), and does not play.
  const nodes = page.locator('[data-testid="pt-node"]');
  const before = await nodes.count();
  await page.locator('.pt-toggle').last().focus();
  await press(page, ' ');
  expect(await at(page)).toBe(10);
  await expect(play).toBeVisible();
  await expect(nodes).not.toHaveCount(before);

  // A VMA in the address space.
  await page.locator('g.seg.vma').first().focus();
  await press(page, ' ');
  expect(await at(page)).toBe(10);
  await expect(play).toBeVisible();

  // A <summary> opens its <details>.
  const summary = page.getByTestId('plumbing-summary');
  await summary.focus();
  await press(page, ' ');
  expect(await at(page)).toBe(10);
  await expect(play).toBeVisible();
  await expect(summary.locator('xpath=..')).toHaveAttribute('open', '');
  await expectNoErrors(opened);
});

test('from the page body the arrows step, space plays, / focuses the console; typing in the console does not', async ({ page }) => {
  const opened = await openApp(page);
  await goto(page, 10);
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await press(page, 'ArrowRight');
  expect(await at(page)).toBe(11);
  await press(page, 'ArrowLeft');
  expect(await at(page)).toBe(10);
  // Space plays (to the end, waitIdle waits for it).
  await press(page, ' ');
  expect(await at(page)).toBeGreaterThan(10);
  await goto(page, 10);
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('/');
  const input = page.getByRole('textbox', { name: 'Console input' });
  await expect(input).toBeFocused();
  await page.keyboard.type('a b');
  await press(page, 'ArrowLeft');
  await press(page, 'ArrowRight');
  expect(await at(page)).toBe(10);
  await expect(input).toHaveText('a b');
  await expectNoErrors(opened);
});

test('the arrows, Home and End move between the tabs of a tablist and do not step', async ({ page }, info) => {
  const opened = await openApp(page);
  await goto(page, 10);
  const details = page.getByRole('tablist', { name: 'Detail views' });
  const tab = (name: string) => details.getByRole('tab', { name });
  await tab('Inspector').click();
  await expect(tab('Inspector')).toHaveAttribute('tabindex', '0');
  await expect(tab('Page walk')).toHaveAttribute('tabindex', '-1');
  await expect(tab('Counters')).toHaveAttribute('tabindex', '-1');
  await press(page, 'ArrowRight');
  await expect(tab('Page walk')).toBeFocused();
  await expect(tab('Page walk')).toHaveAttribute('aria-selected', 'true');
  await expect(tab('Page walk')).toHaveAttribute('tabindex', '0');
  await expect(tab('Inspector')).toHaveAttribute('tabindex', '-1');
  await press(page, 'End');
  await expect(tab('Counters')).toBeFocused();
  await expect(tab('Counters')).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('table', { name: '/proc/meminfo' })).toBeVisible();
  await press(page, 'ArrowRight');
  await expect(tab('Inspector')).toBeFocused();
  await press(page, 'ArrowLeft');
  await expect(tab('Counters')).toBeFocused();
  await press(page, 'Home');
  await expect(tab('Inspector')).toBeFocused();
  await expect(tab('Inspector')).toHaveAttribute('aria-selected', 'true');
  expect(await at(page)).toBe(10);
  // Tab leaves the tablist from the selected tab: the others are out of the Tab order.
  await page.keyboard.press('Tab');
  await expect(tab('Page walk')).not.toBeFocused();

  const consoleTabs = page.getByRole('tablist', { name: 'Console or script' });
  const ctab = (name: string) => consoleTabs.getByRole('tab', { name });
  await ctab('Console').click();
  await expect(ctab('Script')).toHaveAttribute('tabindex', '-1');
  await press(page, 'ArrowRight');
  await expect(ctab('Script')).toBeFocused();
  await expect(ctab('Script')).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('tabpanel', { name: 'Script' })).toBeVisible();
  await press(page, 'ArrowLeft');
  await expect(ctab('Console')).toBeFocused();
  await expect(ctab('Console')).toHaveAttribute('aria-selected', 'true');
  await press(page, 'End');
  await expect(ctab('Script')).toBeFocused();
  expect(await at(page)).toBe(10);
  await shoot(page, info, 'tabs');
  await expectNoErrors(opened);
});

test('keys inside a non-modal dialog (the Tour card, the Export popover) do not step or play', async ({ page }) => {
  const opened = await openApp(page);
  await goto(page, 10);
  await page.getByRole('button', { name: 'Tour' }).click();
  const tour = page.getByRole('dialog', { name: /^Tour:/ });
  await expect(tour).toBeVisible();
  await tour.getByRole('button', { name: 'Next' }).focus();
  await expect(tour.getByRole('button', { name: 'Next' })).toBeFocused();
  await press(page, 'ArrowRight');
  await press(page, 'ArrowLeft');
  await press(page, 'ArrowLeft');
  expect(await at(page)).toBe(10);
  await page.keyboard.press('Escape');

  await page.getByRole('button', { name: /^Export/ }).click();
  const exp = page.getByRole('dialog', { name: 'Export' });
  await expect(exp).toBeVisible();
  await exp.getByRole('button').first().focus();
  await expect(exp.getByRole('button').first()).toBeFocused();
  await press(page, 'ArrowLeft');
  await press(page, 'ArrowRight');
  await press(page, 'ArrowRight');
  expect(await at(page)).toBe(10);
  // `p` there does not open presenter mode either (the talk keys ask the same question).
  await page.keyboard.press('p');
  await expect(page.getByTestId('talk-screen')).toHaveCount(0);
  await expectNoErrors(opened);
});

test('the slider says the step it shows while it is moved', async ({ page }) => {
  const opened = await openApp(page);
  const { total } = await position(page);
  await goto(page, 10);
  const slider = page.getByRole('slider', { name: 'Timeline position' });
  await slider.focus();
  // One keydown: the slider shows 11 before the keyup moves the timeline there.
  await page.keyboard.down('ArrowRight');
  await expect(slider).toHaveValue('11');
  await expect(slider).toHaveAttribute('aria-valuetext', `step 11 of ${total}`);
  await page.keyboard.up('ArrowRight');
  await waitIdle(page);
  expect(await at(page)).toBe(11);
  await expect(slider).toHaveAttribute('aria-valuetext', `step 11 of ${total}`);
  await expectNoErrors(opened);
});

test('a live region announces where stepping stopped', async ({ page }, info) => {
  const opened = await openApp(page);
  const { total } = await position(page);
  const live = page.getByTestId('step-announcement');
  await expect(live).toHaveAttribute('aria-live', 'polite');
  // Nothing for the step the page opened at.
  await expect(live).toHaveText('');
  await goto(page, 11);
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await press(page, 'ArrowRight');
  await expect(live).toHaveText(new RegExp(`^Step 12 of ${total}`));
  const caption = (await page.getByTestId('timeline-caption').textContent()) ?? '';
  if (caption) await expect(live).toContainText(caption);
  await press(page, 'ArrowLeft');
  await expect(live).toHaveText(new RegExp(`^Step 11 of ${total}`));
  await page.getByRole('button', { name: 'Step forward' }).click();
  await waitIdle(page);
  await expect(live).toHaveText(new RegExp(`^Step 12 of ${total}`));
  // Play: said once, where it stopped (the end), not on each step it played.
  await page.evaluate(() => {
    const el = document.querySelector('[data-testid="step-announcement"]')!;
    const said: string[] = [];
    (window as unknown as { said: string[] }).said = said;
    new MutationObserver(() => said.push(el.textContent ?? '')).observe(el, { subtree: true, childList: true, characterData: true });
  });
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await press(page, ' ');
  expect(await at(page)).toBe(total);
  await expect(live).toHaveText(new RegExp(`^Step ${total} of ${total}`));
  const said = await page.evaluate(() => (window as unknown as { said: string[] }).said);
  expect(new Set(said).size, said.join(' | ')).toBe(1);
  // Only one live region on the page says the step.
  await expect(page.locator('[aria-live]').filter({ hasText: /^Step \d+ of/ })).toHaveCount(1);
  // Visually hidden: no room taken.
  const box = await live.boundingBox();
  expect(box === null || (box.width <= 1 && box.height <= 1)).toBe(true);
  await shoot(page, info, 'timeline', 'timeline');
  await expectNoErrors(opened);
});

test('presenter mode announces the step and caption after stepping', async ({ page }) => {
  const opened = await openApp(page, '?scenario=talk-fork-cow');
  const { total } = await position(page);
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('p');
  await expect(page.getByTestId('talk-screen')).toHaveAttribute('data-mode', 'presenter');
  await press(page, 'Home');
  const first = await at(page);
  const live = page.getByTestId('talk-announcement');
  await expect(live).toHaveAttribute('aria-live', 'polite');
  await press(page, 'ArrowRight');
  await expect(live).toHaveText(new RegExp(`^Step ${first + 1} of ${total}: `));
  await expect(live).toContainText((await page.getByTestId('talk-chapter').textContent())!);
  await expect(page.locator('[aria-live]').filter({ hasText: /^Step \d+ of/ })).toHaveCount(1);
  await expectNoErrors(opened);
});

test('the focus moves to a neighbour when the focused timeline button is disabled', async ({ page }) => {
  const opened = await openApp(page);
  const { total } = await position(page);
  const back = page.getByRole('button', { name: 'Step back' });
  const fwd = page.getByRole('button', { name: 'Step forward' });

  // Step forward to the last step.
  await goto(page, total - 1);
  await fwd.focus();
  await press(page, 'Enter');
  expect(await at(page)).toBe(total);
  await expect(fwd).toBeDisabled();
  await expect(back).toBeFocused();

  // Step back to the first.
  await goto(page, 1);
  await back.focus();
  await press(page, ' ');
  expect(await at(page)).toBe(0);
  await expect(back).toBeDisabled();
  await expect(fwd).toBeFocused();

  // Play to the end.
  await goto(page, total - 2);
  await page.getByRole('button', { name: 'Play' }).focus();
  await press(page, 'Enter');
  expect(await at(page)).toBe(total);
  await expect(page.getByRole('button', { name: 'Play' })).toBeDisabled();
  await expect(back).toBeFocused();

  // Run to end.
  await goto(page, 3);
  await page.getByRole('button', { name: 'Run to end' }).focus();
  await press(page, 'Enter');
  expect(await at(page)).toBe(total);
  await expect(back).toBeFocused();
  expect(await focusedIsBody(page)).toBe(false);
  await expectNoErrors(opened);
});

test('Restart machine gives the focus back to the Machine… button', async ({ page }) => {
  const opened = await openApp(page);
  const opener = page.getByRole('button', { name: 'Machine…' });
  await opener.focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Machine settings' });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Restart machine' }).focus();
  await page.keyboard.press('Enter');
  await expect(dialog).toHaveCount(0);
  await waitIdle(page);
  await expect(opener).toBeFocused();
  // Cancel does too.
  await page.keyboard.press('Enter');
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(opener).toBeFocused();
  await expectNoErrors(opened);
});

test('leaving presenter mode gives the focus back to the Present button', async ({ page }) => {
  const opened = await openApp(page);
  const present = page.getByRole('button', { name: 'Present', exact: true });
  await present.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('talk-screen')).toHaveAttribute('data-mode', 'presenter');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('talk-screen')).toHaveCount(0);
  await expect(present).toBeFocused();

  // With `p` from the page, and the footer's button to leave.
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('p');
  await page.getByRole('button', { name: 'Leave presenter mode' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('talk-screen')).toHaveCount(0);
  await expect(present).toBeFocused();
  // Space on that button leaves too (not the next step).
  await page.keyboard.press('p');
  const before = await at(page);
  await page.getByRole('button', { name: 'Leave presenter mode' }).focus();
  await page.keyboard.press(' ');
  await waitIdle(page);
  await expect(page.getByTestId('talk-screen')).toHaveCount(0);
  expect(await at(page)).toBe(before);
  await expect(present).toBeFocused();
  await expectNoErrors(opened);
});

// Notices (OOM, dropped steps, restored session) never cover the console input or the
// tree's legend and never take a click meant for something else: they dock in the console
// panel, beside the log. Floating bottom right, an OOM notice sat on the input for its whole
// life at 1280x720, and Playwright's click into the input failed ("notices … intercepts
// pointer events").
import { expect, test, type Locator, type Page } from '@playwright/test';
import { consoleLines, expectNoErrors, openApp, overlap, waitIdle, type Box } from './app';

// A projector: the layout where the console shares the right column with the inspector.
test.use({ viewport: { width: 1280, height: 720 } });

const input = (page: Page) => page.getByRole('textbox', { name: 'Console input' });

async function box(l: Locator): Promise<Box> {
  const b = await l.boundingBox();
  expect(b, 'element on screen').not.toBeNull();
  return b!;
}

/** Types a line into the console as a user does: a click into the input, the keys, Enter. */
async function typeLine(page: Page, line: string): Promise<void> {
  // A short timeout: a click something else intercepts is retried until the test times out.
  await input(page).click({ timeout: 3_000 });
  await page.keyboard.type(line);
  // Enter runs the line even with the completion popup open; an Escape would blur the input
  // when the popup has not opened yet (a slow machine), and the Enter would go nowhere.
  await page.keyboard.press('Enter');
  await waitIdle(page);
}

/** The notice covers neither the input nor the tree legend, and the input takes a click and a line. */
async function expectOutOfTheWay(page: Page, notice: Locator, line: string): Promise<void> {
  // The console mounts once the page is idle after the first scenario; until then the notice
  // floats (over the "loading the console…" placeholder, which takes no input).
  await input(page).waitFor();
  await expect(notice).toBeVisible();
  const n = await box(notice);
  expect(overlap(n, await box(input(page))), 'notice over the console input').toBe(false);
  expect(overlap(n, await box(page.getByRole('list', { name: 'Tree legend' }))), 'notice over the tree legend').toBe(false);
  await typeLine(page, line);
  expect(await consoleLines(page)).toContain(`› ${line}`);
  await expect(notice).toBeVisible(); // still there: it was not in the way
}

test('the OOM notice leaves the console input free to click and type into', async ({ page }) => {
  const opened = await openApp(page);
  await typeLine(page, 'db0: mmap auto 1T rw private as big');
  await typeLine(page, 'db0: touch big 1G write');
  const notice = page.getByTestId('notice-oom');
  await expect(notice).toContainText('Out of memory: the OOM killer killed db0');
  await expectOutOfTheWay(page, notice, 'spawn after');
  await expectNoErrors(opened);
});

test('the "Dropped N later steps" notice leaves the input and the legend free', async ({ page }) => {
  const opened = await openApp(page);
  await page.getByRole('button', { name: 'Step back' }).click();
  await waitIdle(page);
  await page.getByRole('button', { name: 'Fork', exact: true }).click();
  await waitIdle(page);
  const notice = page.getByTestId('notice-dropped');
  await expect(notice).toContainText(/Dropped \d+ later step/);
  await expectOutOfTheWay(page, notice, 'spawn after');
  await expectNoErrors(opened);
});

test('the "Restored your session" notice leaves the input and the legend free', async ({ page }) => {
  const opened = await openApp(page);
  await typeLine(page, 'spawn kept');
  await page.reload();
  await page.evaluate(() => window.mshareExplorer!.ready);
  await waitIdle(page);
  const notice = page.getByTestId('notice-session');
  await expect(notice).toContainText('Restored your session');
  await expectOutOfTheWay(page, notice, 'spawn after');
  await expectNoErrors(opened);
});

test('at 1920x1080 the notice sits beside the console log, not over the views', async ({ page }) => {
  await page.setViewportSize({ width: 1920, height: 1080 });
  const opened = await openApp(page);
  await page.getByRole('button', { name: 'Step back' }).click();
  await waitIdle(page);
  await page.getByRole('button', { name: 'Fork', exact: true }).click();
  await waitIdle(page);
  const notice = page.getByTestId('notice-dropped');
  await input(page).waitFor();
  await page.screenshot({ path: test.info().outputPath('dropped-1920.png') });
  const n = await box(notice);
  for (const id of ['panel-tree', 'panel-processes', 'panel-physmem', 'panel-addrspace']) {
    expect(overlap(n, await box(page.getByTestId(id))), `notice over ${id}`).toBe(false);
  }
  await expectOutOfTheWay(page, notice, 'spawn after');
  await expectNoErrors(opened);
});

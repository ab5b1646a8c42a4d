// The Script tab: a script replaced and run is no longer the file it was loaded from (the
// name hint said "mshare-basics-2024.msh" over a user's own five lines), and a control
// character in the script is shown in the error that quotes it (a NUL read as "unknown verb
// ' garbage'", the NUL invisible).
import { expect, test, type Page } from '@playwright/test';
import { consoleLines, expectNoErrors, openApp, waitIdle } from './app';

test.use({ viewport: { width: 1280, height: 720 } });

async function replaceScript(page: Page, text: string): Promise<void> {
  await page.getByRole('tab', { name: 'Script' }).click();
  await page.getByRole('textbox', { name: 'Script editor' }).click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.press('Delete');
  for (const line of text.split('\n')) {
    await page.keyboard.type(line);
    await page.keyboard.press('Escape');
    await page.keyboard.press('Enter');
  }
}

test('a replaced script is run under its own name, not the one it replaced', async ({ page }) => {
  const opened = await openApp(page);
  await page.getByRole('tab', { name: 'Script' }).click();
  const name = page.locator('.script-actions .hint');
  await expect(name).toHaveText('mshare-basics-2024.msh');
  // Run unchanged: still that file.
  await page.getByRole('button', { name: 'Run script' }).click();
  await waitIdle(page);
  await expect(name).toHaveText('mshare-basics-2024.msh');

  await replaceScript(page, 'spawn a\na: mmap auto 8M rw private as h\na: touch h 8M write');
  await page.getByRole('button', { name: 'Run script' }).click();
  await waitIdle(page);
  await expect(name).toHaveText('script.msh');
  await page.getByRole('tab', { name: 'Console' }).click();
  expect(await consoleLines(page)).toContain('loaded script.msh (3 steps)');
  await expectNoErrors(opened);
});

test('a NUL in the script is shown as \\u0000 in the error that quotes it', async ({ page }) => {
  const opened = await openApp(page);
  await replaceScript(page, 'spawn a');
  // Pasted text can hold what a keyboard cannot type.
  await page.keyboard.insertText('\u0000garbage ;;;');
  await page.getByRole('button', { name: 'Run script' }).click();
  await waitIdle(page);
  const errors = page.getByTestId('script-errors');
  await expect(errors).toContainText("unknown verb '\\u0000garbage'");
  expect(await errors.innerText()).not.toContain('\u0000');
  await page.getByRole('tab', { name: 'Console' }).click();
  expect((await consoleLines(page)).some((l) => l.includes("unknown verb '\\u0000garbage'"))).toBe(true);
  await expectNoErrors(opened);
});

// Layout and polish fixes from a review at 1280x720 and 1920x1080: each test does what the
// reviewer did and measures what is on screen (or listens for what the console logged).
import { expect, test, type Page } from '@playwright/test';
import { expectNoErrors, openApp, waitIdle } from './app';

/** Records the page's CSP violations (the console shows them as errors; this says which directive). */
async function watchCsp(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { cspViolations: string[] };
    w.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      w.cspViolations.push(`${e.violatedDirective} on ${(e.target as Element | null)?.className ?? '?'}`);
    }, true);
  });
}

const cspViolations = (page: Page) => page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations);

/** The script editor's text (CodeMirror in a shadow root). */
const editorText = (page: Page) =>
  page.locator('.script-editor').evaluate((host) => Array.from(host.shadowRoot!.querySelectorAll('.cm-line')).map((l) => l.textContent).join('\n'));

test.describe('script editor under CSP style-src self', () => {
  test.use({ viewport: { width: 1280, height: 720 } });

  test('flagging a problem and typing over it logs no inline-style violation', async ({ page }) => {
    await watchCsp(page);
    const opened = await openApp(page, '?scenario=fork-cow');
    await page.getByRole('log', { name: 'Console output' }).waitFor();
    await page.getByRole('tab', { name: 'Script' }).click();
    await page.getByLabel('Script editor').focus();
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Enter');
    await page.keyboard.type('parent: frob 12');
    // The editor flags the unknown verb (underline and gutter marker)...
    const flagged = page.locator('.script-editor .cm-lintRange-error');
    await expect(flagged).toHaveText('frob');
    await expect(page.locator('.script-editor .cm-lint-marker-error')).toHaveCount(1);
    // ...and the user retypes the line: the selection starts in the bold, coloured task name.
    await page.keyboard.press('Home');
    await page.keyboard.press('Shift+End');
    await page.keyboard.type('parent: fork');
    await expect(flagged).toHaveCount(0);
    // And over a selection inside the flagged word, and over everything.
    await page.keyboard.type(' zork');
    await expect(flagged).toHaveText('zork');
    await page.keyboard.press('Shift+ArrowLeft');
    await page.keyboard.press('Shift+ArrowLeft');
    await page.keyboard.type('XY');
    expect((await editorText(page)).split('\n').at(-1)).toBe('parent: fork zoXY');
    await page.keyboard.press('Control+a');
    await page.keyboard.type('spawn a');
    expect(await editorText(page)).toBe('spawn a');
    // Undo brings the script back: the replacements are ordinary editor transactions.
    await page.keyboard.press('Control+z');
    await expect.poll(() => editorText(page)).toContain('## ');
    expect(await cspViolations(page)).toEqual([]);
    await expectNoErrors(opened);
  });
});

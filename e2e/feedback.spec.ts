// Feedback on what a run did and on what a line run at a past step dropped:
// - failed expects and command errors of a script that runs (Run script, a restart, a
//   built-in, play) are listed in the console and counted in the timeline's indicator,
//   once per step however often the user steps back and forth;
// - a toolbar action or a typed line at a past step says which later steps it dropped, and
//   Undo brings back the old script at the old step.
import { expect, test, type Page } from '@playwright/test';
import { consoleLines, expectNoErrors, openApp, position, shoot, waitIdle } from './app';

// A projector: what the new elements must fit.
test.use({ viewport: { width: 1280, height: 720 } });

const FAILING = `spawn a
a: mmap auto 4M rw private,anon as heap
a: touch heap 4M write
expect a.VmPTE == 0
expect a.VmRSS == 1M
`;

const indicator = (page: Page) => page.getByRole('status', { name: 'Problems so far' });

async function runInScriptTab(page: Page, source: string): Promise<void> {
  await page.getByRole('tab', { name: 'Script' }).click();
  const editor = page.getByRole('textbox', { name: 'Script editor' });
  await editor.click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.press('Delete');
  // Typed as a user types (keyboard.insertText trips the page's CSP in Chromium's editing code);
  // Escape closes the completion popup so Enter starts a new line.
  for (const line of source.trimEnd().split('\n')) {
    await page.keyboard.type(line);
    await page.keyboard.press('Escape');
    await page.keyboard.press('Enter');
  }
  await page.getByRole('button', { name: 'Run script' }).click();
  await waitIdle(page);
}

async function darkTheme(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Switch to dark theme' }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
}

/** 1-based lines of the script's steps (commands, chapters and notes; not comments or blanks). */
function stepLines(source: string): number[] {
  const out: number[] = [];
  source.split('\n').forEach((l, i) => {
    if (l.trim() && !/^\s*#(?!#)/.test(l)) out.push(i + 1);
  });
  return out;
}

test('Run script: failed expects are listed in the console and counted in the timeline, once', async ({ page }, info) => {
  const opened = await openApp(page);
  // The default scenario holds: nothing to say.
  await expect(indicator(page)).toHaveText('');
  expect((await consoleLines(page)).some((l) => /failed|error/.test(l))).toBe(false);

  await runInScriptTab(page, FAILING);
  expect(await position(page)).toEqual({ position: 5, total: 5 });
  // Seen from the Script tab, where the button was pressed.
  await expect(indicator(page)).toHaveText('2 expects failed');
  await shoot(page, info, 'indicator-light', 'timeline');
  await shoot(page, info, 'page-indicator-light');

  await page.getByRole('tab', { name: 'Console' }).click();
  const lines = await consoleLines(page);
  const at = lines.findLastIndex((l) => l.startsWith('loaded '));
  expect(lines[at]).toMatch(/^loaded .*\.msh \(5 steps\)$/);
  // Items indented under their heading.
  expect(lines.slice(at + 1)).toEqual([
    '2 expects failed:',
    '  line 4: expect a.VmPTE == 0 — a.VmPTE is 16 kB',
    '  line 5: expect a.VmRSS == 1M — a.VmRSS is 4096 kB',
  ]);

  // Stepping back over the expects: they are undone; forward again: counted, not listed again.
  await page.getByRole('button', { name: 'Step back' }).click();
  await waitIdle(page);
  await page.getByRole('button', { name: 'Step back' }).click();
  await waitIdle(page);
  await expect(indicator(page)).toHaveText('');
  await page.getByRole('button', { name: 'Step forward' }).click();
  await waitIdle(page);
  await expect(indicator(page)).toHaveText('1 expect failed');
  await page.getByRole('button', { name: 'Step forward' }).click();
  await waitIdle(page);
  await expect(indicator(page)).toHaveText('2 expects failed');
  expect(await consoleLines(page)).toEqual(lines);

  // Asked for (from the Script tab): listed again, in the console, brought forward.
  await page.getByRole('tab', { name: 'Script' }).click();
  await indicator(page).getByRole('button', { name: '2 expects failed' }).click();
  await expect(page.getByRole('tab', { name: 'Console' })).toHaveAttribute('aria-selected', 'true');
  const log = page.getByRole('log', { name: 'Console output' });
  await expect(log.locator('li').last()).toHaveText('  line 5: expect a.VmRSS == 1M — a.VmRSS is 4096 kB');
  await expect(log).toContainText('up to step 5:');
  await expectNoErrors(opened);
});

test('Restart with the other mshare flavour: the failed expects and the errors are shown, capped', async ({ page }, info) => {
  const opened = await openApp(page, '?scenario=mshare-basics-2024');
  await expect(indicator(page)).toHaveText('');
  await page.getByRole('button', { name: 'Machine…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Machine settings' });
  await dialog.getByLabel('mshare flavour').selectOption('2025');
  await dialog.getByRole('button', { name: 'Restart machine' }).click();
  await waitIdle(page);
  await expect(indicator(page)).toContainText('9 expects failed');
  await expect(indicator(page)).toContainText('4 errors');
  const lines = await consoleLines(page);
  const at = lines.findIndex((l) => l.startsWith('restarting the machine'));
  const after = lines.slice(at + 1);
  expect(after[0]).toBe('9 expects failed:');
  expect(after[1]).toMatch(/^  line \d+: expect .+ — .+ is /);
  expect(after[6]).toBe('  … and 4 more');
  expect(after[7]).toBe('4 commands ended in an error or a signal:');
  expect(after[8]).toMatch(/^  line \d+: db0: mmap 0x10000000000 512G rw shared fd=F as sga → EINVAL: /);
  // Then why (src/ui/restart-explain.ts): the script was written for the 2024 flavour.
  expect(after[12]).toMatch(/^The machine changed \(mshare 2024 → 2025\), and 9 expects that held before the restart fail on it/);
  expect(after).toHaveLength(13);
  await darkTheme(page);
  await shoot(page, info, 'indicator-dark', 'timeline');
  await shoot(page, info, 'page-indicator-dark');
  await expectNoErrors(opened);
});

test('a built-in picked in the gallery whose commands fail on purpose lists the errors, with no failed expect', async ({ page }) => {
  const opened = await openApp(page);
  await page.getByRole('button', { name: 'Scenarios' }).click();
  await page.getByRole('dialog', { name: 'Scenario gallery' }).getByRole('button', { name: 'Run a segmentation fault' }).click();
  await waitIdle(page);
  await expect(indicator(page)).toHaveText('3 errors');
  const lines = await consoleLines(page);
  expect(lines).toContain('3 commands ended in an error or a signal:');
  expect(lines).toContain('  line 6: p: write ro 1 → SIGSEGV: segmentation fault at 0x40000000');
  expect(lines.some((l) => /expects? failed/.test(l))).toBe(false);
  await expectNoErrors(opened);
});

test('play to the end of a loaded script lists its failed expects', async ({ page }) => {
  const opened = await openApp(page);
  await page.evaluate((src) => window.mshareExplorer!.loadScenario(src, { run: false }), FAILING);
  await page.getByLabel('Play speed (steps per second)').selectOption('30');
  await page.getByRole('button', { name: 'Play' }).click();
  await expect(page.getByTestId('timeline-position')).toHaveText('step 5 / 5');
  await waitIdle(page);
  await expect(indicator(page)).toHaveText('2 expects failed');
  const lines = await consoleLines(page);
  expect(lines.filter((l) => l === '2 expects failed:' || l.startsWith('  line '))).toHaveLength(3);
  await expectNoErrors(opened);
});

test('Fork at a past step: a notice says which steps were dropped, Undo restores the script and the step', async ({ page }, info) => {
  const opened = await openApp(page);
  const source = await page.evaluate(() => window.mshareExplorer!.source());
  const { total } = await position(page);
  const steps = stepLines(source);
  expect(steps).toHaveLength(total);
  await page.evaluate(() => window.mshareExplorer!.goto(17));
  await page.getByRole('button', { name: 'Fork', exact: true }).click();
  await waitIdle(page);
  expect(await position(page)).toEqual({ position: 18, total: 18 });

  const from = steps[16] + 1;
  const to = source.endsWith('\n') ? source.split('\n').length - 1 : source.split('\n').length;
  const title = `Dropped ${total - 17} later steps (lines ${from}–${to})`;
  const notice = page.getByRole('group', { name: title });
  await expect(notice).toBeVisible();
  await expect(notice).toContainText(`ran at step 17 of ${total}, so steps 18–${total} of the script are gone`);
  const lines = await consoleLines(page);
  expect(lines).toContain(`dropped ${total - 17} later steps (lines ${from}–${to}): Undo in the notice brings them back`);
  await shoot(page, info, 'dropped-light', 'notices');
  await shoot(page, info, 'page-dropped-light');

  await notice.getByRole('button', { name: 'Undo' }).click();
  await waitIdle(page);
  await expect(notice).toHaveCount(0);
  expect(await position(page)).toEqual({ position: 17, total });
  expect(await page.evaluate(() => window.mshareExplorer!.source())).toBe(source);
  await expect(page.getByTestId('timeline-position')).toHaveText(`step 17 / ${total}`);
  expect(await consoleLines(page)).toContain(`undone: the script is back to ${total} steps, at step 17`);
  await expectNoErrors(opened);
});

test('a typed line at a past step drops the same way; lines run since are named; at the end nothing is said', async ({ page }, info) => {
  const opened = await openApp(page);
  const { total } = await position(page);
  const input = page.getByRole('textbox', { name: 'Console input' });
  // At the end nothing is dropped: no notice.
  await input.click();
  await page.keyboard.type('db0: fork as tail');
  await page.keyboard.press('Enter');
  await waitIdle(page);
  expect(await position(page)).toEqual({ position: total + 1, total: total + 1 });
  await expect(page.getByTestId('notice-dropped')).toHaveCount(0);

  const source = await page.evaluate(() => window.mshareExplorer!.source());
  await page.evaluate(() => window.mshareExplorer!.goto(20));
  await input.click();
  await page.keyboard.type('db0: fork as early');
  await page.keyboard.press('Enter');
  await waitIdle(page);
  const notice = page.getByTestId('notice-dropped');
  await expect(notice).toContainText(`Dropped ${total + 1 - 20} later steps`);
  await page.keyboard.type('early: exit');
  await page.keyboard.press('Enter');
  await waitIdle(page);
  await expect(notice).toHaveCount(1);
  await expect(notice).toContainText('It also removes the 1 line run since.');
  expect(await position(page)).toEqual({ position: 22, total: 22 });
  await darkTheme(page);
  await shoot(page, info, 'dropped-dark', 'notices');
  await shoot(page, info, 'page-dropped-dark');

  await notice.getByRole('button', { name: 'Undo' }).click();
  await waitIdle(page);
  expect(await position(page)).toEqual({ position: 20, total: total + 1 });
  expect(await page.evaluate(() => window.mshareExplorer!.source())).toBe(source);
  await expectNoErrors(opened);
});

test('a typed repeat whose every iteration fails: the last is the line\'s result, the heading counts the earlier ones as such', async ({ page }) => {
  const opened = await openApp(page);
  await page.evaluate(() => window.mshareExplorer!.loadScenario('spawn a\n'));
  await waitIdle(page);
  const input = page.getByRole('textbox', { name: 'Console input' });
  await input.click();
  await page.keyboard.type('repeat 3: nobody: fork as k{i}');
  await page.keyboard.press('Enter');
  await waitIdle(page);
  await expect(indicator(page)).toHaveText('3 errors');
  const lines = await consoleLines(page);
  const at = lines.lastIndexOf('› repeat 3: nobody: fork as k{i}');
  expect(lines.slice(at + 1)).toEqual([
    'ESRCH: no running task named nobody',
    '2 commands ended in an error or a signal in the earlier iterations:',
    '  line 2: nobody: fork as k1 → ESRCH: no running task named nobody',
    '  line 2: nobody: fork as k2 → ESRCH: no running task named nobody',
  ]);
  await expectNoErrors(opened);
});

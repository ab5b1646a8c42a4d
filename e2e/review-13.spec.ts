// Review 13 of the test API and the scenario language:
// - execResult of several lines gave its parse errors as "4: unknown verb 'frok'": a column
//   and no line; now "2:4: ..." as the CLI's FILE:LINE:COL, counted in the text as given;
// - a note in a `repeat` was a timeline marker when typed and none after the same script was
//   loaded;
// - Restart machine rewrote the first line starting with "machine", a task named machine's.
import { expect, test } from '@playwright/test';
import { consoleLines, expectNoErrors, openApp, waitIdle } from './app';

test.use({ viewport: { width: 1280, height: 720 } });

test('execResult of several lines gives each parse error as LINE:COL', async ({ page }) => {
  const opened = await openApp(page, '?scenario=fork-cow');
  const before = await page.evaluate(() => window.mshareExplorer!.source());
  const r = await page.evaluate(() => window.mshareExplorer!.execResult('spawn y\ny: frok'));
  expect(r).toMatchObject({ ok: false, parsed: false, steps: 0, errors: ["2:4: unknown verb 'frok' (did you mean 'fork'?)"] });
  // Lines and columns of the text as given: a template literal's blank first line and indents.
  const t = await page.evaluate(() => window.mshareExplorer!.execResult('\n  spawn y\n  y: mmap auto 4Q rw private\n'));
  expect(t.errors).toEqual(["3:16: size '4Q': expected K, M, G or T"]);
  // An error found when the text is appended (the machine is built) is placed the same way.
  const m = await page.evaluate(() => window.mshareExplorer!.execResult('## more\n  machine ram=64M'));
  expect(m.errors).toEqual(['2:3: machine must be the first command (the machine is built: restart it to change it)']);
  // One line keeps "COL: message"; the console shows what execResult gives.
  expect((await page.evaluate(() => window.mshareExplorer!.execResult('y: frok'))).errors).toEqual(["4: unknown verb 'frok' (did you mean 'fork'?)"]);
  const lines = await consoleLines(page);
  expect(lines.some((l) => l.includes("2:4: unknown verb 'frok'"))).toBe(true);
  expect(lines.some((l) => l.includes("3:16: size '4Q'"))).toBe(true);
  expect(await page.evaluate(() => window.mshareExplorer!.source())).toBe(before);
  await expectNoErrors(opened);
});

test('a note in a repeat is the same marker typed and loaded', async ({ page }) => {
  const opened = await openApp(page);
  await page.evaluate(() => window.mshareExplorer!.loadScenario('spawn a'));
  await page.evaluate(() => window.mshareExplorer!.execResult('repeat 2: note step {i}'));
  const typed = await page.evaluate(() => window.mshareExplorer!.chart().notes);
  expect(typed).toEqual([{ title: 'step 1', index: 1, line: 2 }]);
  await page.evaluate(() => window.mshareExplorer!.loadScenario(window.mshareExplorer!.source()));
  expect(await page.evaluate(() => window.mshareExplorer!.chart().notes)).toEqual(typed);
  await expectNoErrors(opened);
});

test('Restart machine keeps the lines of a task named machine', async ({ page }) => {
  const opened = await openApp(page);
  const src = 'spawn machine\nmachine: mmap auto 4K rw private,anon as h\nmachine: touch h 4K write\nexpect machine.VmRSS == 4K\n';
  await page.evaluate((s) => window.mshareExplorer!.loadScenario(s), src);
  await page.getByRole('button', { name: 'Machine…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Machine settings' });
  await dialog.getByLabel('CPUs').selectOption('1');
  await dialog.getByRole('button', { name: 'Restart machine' }).click();
  await waitIdle(page);
  const source = await page.evaluate(() => window.mshareExplorer!.source());
  expect(source.split('\n')[0]).toMatch(/^machine .*\bcpus=1\b/);
  expect(source.split('\n').slice(1).join('\n')).toBe(src);
  expect((await consoleLines(page)).filter((l) => l.includes('machine must be the first command'))).toEqual([]);
  await expect(page.getByRole('status', { name: 'Problems so far' })).toHaveText('');
  await expectNoErrors(opened);
});

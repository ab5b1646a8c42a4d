// The test API tells a test author what a line did and refuses what it cannot honour:
// - exec(line) resolves to whether the line parsed (as before: a failed expect is true);
//   execResult(line) to what it did, `ok` only when every step worked;
// - talk.exportPng(view, scale) takes the export menu's 1, 2 or 4 and rejects anything else
//   (scale 0 gave a 1x1 PNG, 100 an 8000x4500 one).
import { expect, test } from '@playwright/test';
import { expectNoErrors, openApp } from './app';

test('execResult says whether a line worked; exec still says whether it parsed', async ({ page }) => {
  const opened = await openApp(page, '?scenario=fork-cow');
  const run = (line: string) => page.evaluate((l) => window.mshareExplorer!.execResult(l), line);

  // Works: a spawn returns the new pid.
  const spawned = await run('spawn t');
  expect(spawned).toMatchObject({ ok: true, parsed: true, errors: [], steps: 1, errno: null, signal: null, problems: { failed: 0, errors: 0 } });
  expect(typeof spawned.value).toBe('number');
  expect(await run('expect t.VmPTE == 0')).toMatchObject({ ok: true, parsed: true, expect: { ok: true } });

  // Parsed, ran, failed: exec says true, execResult says what went wrong.
  expect(await page.evaluate(() => window.mshareExplorer!.exec('expect t.VmPTE == 999'))).toBe(true);
  const failed = await run('expect t.VmPTE == 999');
  expect(failed).toMatchObject({ ok: false, parsed: true, steps: 1, problems: { failed: 1, errors: 0 } });
  expect(failed.expect?.ok).toBe(false);
  expect(failed.expect?.message).toContain('VmPTE');

  // A command on a task that is gone: ESRCH.
  await run('t: exit');
  expect(await page.evaluate(() => window.mshareExplorer!.exec('t: fork'))).toBe(true);
  const esrch = await run('t: fork');
  expect(esrch).toMatchObject({ ok: false, parsed: true, errno: 'ESRCH', signal: null, problems: { failed: 0, errors: 1 } });

  // A bad access kills the task: a signal.
  await run('spawn s');
  const segv = await run('s: write 0x1000 1');
  expect(segv).toMatchObject({ ok: false, parsed: true, signal: 'SIGSEGV' });

  // A repeat whose last iteration works but an earlier one does not: counted over all steps.
  await run('spawn a2');
  const rep = await run('repeat 2: a{i}: fork');
  expect(rep).toMatchObject({ ok: false, parsed: true, steps: 2, errno: null, problems: { failed: 0, errors: 1 } });

  // Does not parse: both say so.
  expect(await page.evaluate(() => window.mshareExplorer!.exec('frobnicate'))).toBe(false);
  const bad = await run('frobnicate');
  expect(bad).toMatchObject({ ok: false, parsed: false, steps: 0 });
  expect(bad.errors[0]).toMatch(/^\d+: /);
  await expectNoErrors(opened);
});

test('exportPng takes 1, 2 or 4 and rejects any other scale with a clear error', async ({ page }) => {
  const opened = await openApp(page, '?scenario=fork-cow');
  for (const scale of [0, 3, 100, -1, 1.5, Number.NaN]) {
    const msg = await page.evaluate((k) => window.mshareExplorer!.talk.exportPng('counters', k).then(() => 'resolved', (e: Error) => `${e.name}: ${e.message}`), scale);
    expect(msg, `scale ${scale}`).toBe(`RangeError: exportPng: scale must be 1, 2 or 4 (got ${scale})`);
  }
  const one = await page.evaluate(() => window.mshareExplorer!.talk.exportPng('counters', 1));
  const two = await page.evaluate(() => window.mshareExplorer!.talk.exportPng('counters', 2));
  expect(two.width).toBe(one.width * 2);
  await expectNoErrors(opened);
});

test('loadScenario answers an unknown built-in id as an id, and still loads ids and one-line scripts', async ({ page }) => {
  const opened = await openApp(page, '?scenario=fork-cow');
  const load = (text: string) => page.evaluate((t) => window.mshareExplorer!.loadScenario(t).then(() => 'resolved', (e: Error) => `${e.name}: ${e.message}`), text);
  const before = await page.evaluate(() => window.mshareExplorer!.source());
  // The id test-api.ts's header once used: rejected at once, nothing changed.
  expect(await load('mshare-basics')).toBe("RangeError: loadScenario: no built-in scenario named 'mshare-basics' (did you mean 'mshare-basics-2024'?)");
  expect(await page.evaluate(() => window.mshareExplorer!.source())).toBe(before);
  expect(await load('mshare-basics-2024')).toBe('resolved');
  expect(await page.evaluate(() => window.mshareExplorer!.chart().chapters.length)).toBeGreaterThan(0);
  expect(await load('machine')).toBe('resolved');
  expect(await load('spawn a')).toBe('resolved');
  expect(await page.evaluate(() => window.mshareExplorer!.source())).toContain('spawn a');
  await expectNoErrors(opened);
});

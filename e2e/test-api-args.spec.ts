// The test API refuses a wrong argument at once and in words, and changes nothing:
// - loadScenario(undefined | null | {}) reached the worker and crashed it ("The engine was
//   restarted…"); now it rejects with a TypeError;
// - exec(undefined) rejected with "Cannot read properties of undefined (reading 'trim')",
//   goto(NaN) went to step 0 and goto(2.5) to step 2.
import { expect, test, type Page } from '@playwright/test';
import { expectNoErrors, openApp } from './app';

type Call = 'loadScenario' | 'loadScenarioOpts' | 'exec' | 'execResult' | 'goto';

/** Calls the API with `arg` (passed through as is) and returns "resolved" or "Name: message". */
async function attempt(page: Page, call: Call, arg: unknown): Promise<string> {
  return page.evaluate(
    ([c, a]) => {
      const X = window.mshareExplorer!;
      const run = (): Promise<unknown> => {
        switch (c) {
          case 'loadScenario': return X.loadScenario(a as string);
          case 'loadScenarioOpts': return X.loadScenario('spawn z', a as { run?: boolean });
          case 'exec': return X.exec(a as string);
          case 'execResult': return X.execResult(a as string);
          case 'goto': return X.goto(a as number);
        }
      };
      let p: Promise<unknown>;
      try {
        p = run();
      } catch (e) {
        return `sync throw: ${String(e)}`;
      }
      return p.then(() => 'resolved', (e: unknown) => (e instanceof Error ? `${e.name}: ${e.message}` : `non-error: ${String(e)}`));
    },
    [call, arg] as const,
  );
}

/** What a refused call must leave as it was. */
async function state(page: Page) {
  return page.evaluate(() => {
    const X = window.mshareExplorer!;
    return { source: X.source(), position: X.position(), health: X.engineHealth(), talk: X.talk.state() };
  });
}

test('loadScenario refuses a non-string at once, without reaching the engine', async ({ page }) => {
  const opened = await openApp(page, '?scenario=fork-cow');
  const before = await state(page);
  // undefined, null and objects cannot be passed through evaluate's JSON as such: NaN and
  // undefined can, and the rest are built in the page.
  for (const [arg, shown] of [[undefined, 'undefined'], [null, 'null'], [{}, 'an object'], [42, '42'], [['spawn a'], 'an array']] as const) {
    const msg = await attempt(page, 'loadScenario', arg);
    expect(msg, String(shown)).toBe(`TypeError: loadScenario: expected a built-in id or scenario text (a string), got ${shown}`);
  }
  expect(await attempt(page, 'loadScenarioOpts', null)).toBe('TypeError: loadScenario: expected options { run?: boolean }, got null');
  expect(await attempt(page, 'loadScenarioOpts', { run: 'no' })).toBe('TypeError: loadScenario: expected options.run to be true or false, got "no"');
  await page.evaluate(() => window.mshareExplorer!.waitIdle());
  expect(await state(page)).toEqual(before);
  await expect(page.getByText(/engine was restarted/i)).toHaveCount(0);
  // And a string still loads.
  await page.evaluate(() => window.mshareExplorer!.loadScenario('spawn a\na: fork'));
  expect(await page.evaluate(() => window.mshareExplorer!.source())).toContain('a: fork');
  await expectNoErrors(opened);
});

test('exec, execResult and goto name what they expected', async ({ page }) => {
  const opened = await openApp(page, '?scenario=fork-cow');
  const before = await state(page);
  for (const fn of ['exec', 'execResult'] as const) {
    expect(await attempt(page, fn, undefined)).toBe(`TypeError: ${fn}: expected a scenario line (a string), got undefined`);
    expect(await attempt(page, fn, 42)).toBe(`TypeError: ${fn}: expected a scenario line (a string), got 42`);
  }
  for (const [n, shown] of [[Number.NaN, 'NaN'], [2.5, '2.5'], [Infinity, 'Infinity'], [-Infinity, '-Infinity']] as const) {
    expect(await attempt(page, 'goto', n), shown).toBe(`RangeError: goto: expected a step number (an integer), got ${shown}`);
  }
  expect(await attempt(page, 'goto', '3')).toBe('TypeError: goto: expected a step number (an integer), got "3"');
  expect(await attempt(page, 'goto', undefined)).toBe('TypeError: goto: expected a step number (an integer), got undefined');
  await page.evaluate(() => window.mshareExplorer!.waitIdle());
  expect(await state(page)).toEqual(before);
  // Out of range stays clamped, as documented: the start or the end.
  await page.evaluate(() => window.mshareExplorer!.goto(-5));
  expect((await page.evaluate(() => window.mshareExplorer!.position())).position).toBe(0);
  await page.evaluate(() => window.mshareExplorer!.goto(Number.MAX_SAFE_INTEGER));
  const end = await page.evaluate(() => window.mshareExplorer!.position());
  expect(end.position).toBe(end.total);
  await expectNoErrors(opened);
});

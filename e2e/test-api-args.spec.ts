// The test API refuses what it cannot honour, at once and in words, and runs calls in the
// order they were made:
// - loadScenario(undefined | null | {}) reached the worker and crashed it ("The engine was
//   restarted…"); now it rejects with a TypeError and nothing changes;
// - an execResult fired while a loadScenario ran came back { ok: true, steps: -34 } and its
//   line was not in source(); now it waits for the load and runs after it;
// - exec(undefined) rejected with "Cannot read properties of undefined (reading 'trim')",
//   goto(NaN) went to step 0 and goto(2.5) to step 2;
// - talk view names are exact: exportSvg('tree,bogus') and exportSvg('TREE') exported the
//   tree, present() dropped a third view and called a string "no views given".
import { expect, test, type Page } from '@playwright/test';
import { expectNoErrors, openApp } from './app';

type Call = 'loadScenario' | 'loadScenarioOpts' | 'exec' | 'execResult' | 'goto' | 'present' | 'exportSvg' | 'exportPng';

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
          case 'present': return X.talk.present(a as string[]);
          case 'exportSvg': return X.talk.exportSvg(a as string);
          case 'exportPng': return X.talk.exportPng(a as string, 1);
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

test('calls fired without awaiting run one after another, in order', async ({ page }) => {
  const opened = await openApp(page, '?scenario=fork-cow');
  const r = await page.evaluate(async () => {
    const X = window.mshareExplorer!;
    const p1 = X.loadScenario('mshare-basics-2024');
    const p2 = X.execResult('spawn conc');
    const p3 = X.exec('conc: fork as conc2');
    const [, out, parsed] = await Promise.all([p1, p2, p3]);
    await X.waitIdle();
    return { out, parsed, source: X.source(), position: X.position(), health: X.engineHealth() };
  });
  expect(r.out).toMatchObject({ ok: true, parsed: true, steps: 1, errno: null });
  expect(r.parsed).toBe(true);
  const lines = r.source.trimEnd().split('\n');
  expect(lines.slice(-2)).toEqual(['spawn conc', 'conc: fork as conc2']);
  expect(r.position.position).toBe(r.position.total);
  // A step() fired behind a goto() steps from where the goto went.
  const pos = await page.evaluate(async () => {
    const X = window.mshareExplorer!;
    void X.goto(3);
    void X.step();
    await X.waitIdle();
    return X.position().position;
  });
  expect(pos).toBe(4);
  await expect(page.getByText(/engine was restarted/i)).toHaveCount(0);
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

test('talk view names are exact; present takes an array of at most two', async ({ page }) => {
  const opened = await openApp(page, '?scenario=fork-cow');
  const list = 'tree, chart, processes, addrspace, physmem, counters';
  for (const bad of ['tree,bogus', 'TREE', ' tree', 'tree chart', '']) {
    expect(await attempt(page, 'exportSvg', bad), bad).toBe(`Error: no view "${bad}" (views: ${list})`);
    expect(await attempt(page, 'exportPng', bad), bad).toBe(`Error: no view "${bad}" (views: ${list})`);
  }
  expect(await attempt(page, 'exportSvg', undefined)).toBe(`TypeError: exportSvg: expected a view name (a string: ${list}), got undefined`);
  const before = await state(page);
  expect(await attempt(page, 'present', ['tree', 'chart', 'processes'])).toBe('RangeError: present: presenter mode shows at most 2 views, got 3 (tree, chart, processes)');
  expect(await attempt(page, 'present', 'tree')).toBe(`TypeError: present: expected an array of view names such as ['tree', 'chart'], got "tree"`);
  expect(await attempt(page, 'present', [])).toBe(`Error: present: no views given (views: ${list})`);
  expect(await attempt(page, 'present', ['Tree'])).toBe(`Error: no view "Tree" (views: ${list})`);
  expect(await attempt(page, 'present', ['tree', 'tree'])).toBe('Error: present: view "tree" given twice');
  expect(await state(page)).toEqual(before);
  // The good ones still work.
  expect(await attempt(page, 'present', ['processes', 'counters'])).toBe('resolved');
  expect((await page.evaluate(() => window.mshareExplorer!.talk.state())).views).toEqual(['processes', 'counters']);
  await page.evaluate(() => window.mshareExplorer!.talk.leave());
  expect(await page.evaluate(() => window.mshareExplorer!.talk.exportSvg('tree'))).toContain('<svg');
  await expectNoErrors(opened);
});

test('setAnimations takes true or false only: anything else throws and changes nothing', async ({ page }) => {
  // Review 20: setAnimations('no') stored the string (truthy: animations stayed on) and saved
  // it in the session.
  const opened = await openApp(page, '?scenario=fork-cow');
  await page.evaluate(() => window.mshareExplorer!.setAnimations(false));
  for (const bad of ['no', 0, undefined, null]) {
    const r = await page.evaluate((v) => {
      try {
        window.mshareExplorer!.setAnimations(v as unknown as boolean);
        return 'accepted';
      } catch (e) {
        return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      }
    }, bad);
    expect(r).toMatch(/^TypeError: setAnimations: expected true or false, got /);
  }
  const saved = await page.evaluate(() => window.mshareExplorer!.savedSession());
  expect(saved?.view.animations).toBe(false);
  await expectNoErrors(opened);
});

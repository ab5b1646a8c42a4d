// Review 9: bad input in what the page saved loses nothing. A saved session with one bad field,
// one a newer version wrote, or text that is no session at all.
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { waitIdle } from './app';

test.use({ viewport: { width: 1400, height: 900 } });

const KEY = 'mshare-explorer.session.v1';
const KEPT = 'mshare-explorer.session.previous';
const UNREADABLE = 'mshare-explorer.session.unreadable';
const MINE = 'spawn mywork\nmywork: fork\n';
const base = { v: 1, source: MINE, scriptName: 'mine.msh', position: 2, view: {}, savedAt: 1 };

/** Seeds localStorage once per context (a reload does not seed it again). */
async function seed(ctx: BrowserContext, items: Record<string, string>): Promise<void> {
  await ctx.addInitScript((items) => {
    if (sessionStorage.getItem('seeded')) return;
    sessionStorage.setItem('seeded', '1');
    for (const [k, v] of Object.entries(items)) localStorage.setItem(k, v);
  }, items);
}

async function ready(page: Page): Promise<void> {
  await page.waitForFunction(() => !!window.mshareExplorer);
  await page.evaluate(() => window.mshareExplorer!.ready);
  await waitIdle(page);
}

function watch(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  return errors;
}

const source = (page: Page) => page.evaluate(() => window.mshareExplorer!.source());
const stored = (page: Page, key: string) => page.evaluate((k) => localStorage.getItem(k), key);
/** Saves now (the test API flushes the debounced save) and returns the saved script. */
const saved = (page: Page) => page.evaluate(() => window.mshareExplorer!.savedSession()?.source ?? null);

test.describe('finding 1: a saved session with one bad field', () => {
  for (const [what, bad, say, name] of [
    ['a step of 1.5', { position: 1.5 }, /saved step \(1\.5\) was not a step number, so step 2 was used/, 'mine.msh'],
    ['a 201-character name', { scriptName: 'n'.repeat(201) }, /saved name was longer than 200 characters, so it is called session\.msh/, 'session.msh'],
    ['no name', { scriptName: undefined }, /saved name was missing, so it is called session\.msh/, 'session.msh'],
  ] as const) {
    test(`${what}: the script is restored, with a default for that field, and the notice says so`, async ({ page, context }) => {
      await seed(context, { [KEY]: JSON.stringify({ ...base, ...bad }) });
      const errors = watch(page);
      await page.goto('/');
      await ready(page);
      expect(await source(page)).toBe(MINE);
      expect(await page.evaluate(() => window.mshareExplorer!.position())).toEqual({ position: 2, total: 2 });
      const notice = page.getByTestId('notice-session').filter({ hasText: 'Restored your session' });
      await expect(notice).toContainText(`${name} at step 2`);
      await expect(notice).toContainText(say);
      // Saved again, it is the user's script, not the default scenario.
      expect(await saved(page)).toBe(MINE);
      await page.reload();
      await ready(page);
      expect(await source(page)).toBe(MINE);
      expect(errors).toEqual([]);
    });
  }

  test('v: 2 (a newer version wrote it): kept aside as it was, offered back, not written over', async ({ page, context }) => {
    const newer = JSON.stringify({ ...base, v: 2, extra: 'newer field' });
    await seed(context, { [KEY]: newer });
    const errors = watch(page);
    await page.goto('/');
    await ready(page);
    // Not restored blindly: the default scenario runs.
    expect(await source(page)).not.toBe(MINE);
    const notice = page.getByTestId('notice-session').filter({ hasText: 'saved by another version' });
    await expect(notice).toContainText('mine.msh (at step 2) was saved by a newer version of the explorer');
    await expect(notice).toContainText('The default scenario is loaded instead.');
    // Autosave has written the key since; the newer session is kept, with its own fields.
    expect(await saved(page)).not.toBe(MINE);
    expect(JSON.parse((await stored(page, KEPT))!)).toEqual([JSON.parse(newer)]);
    // Offered again on the next visit, and Restore it brings the script back.
    await page.reload();
    await ready(page);
    const offer = page.getByTestId('notice-session').filter({ hasText: 'A previous session is kept' });
    await offer.getByRole('button', { name: 'Restore it' }).click();
    await expect.poll(() => source(page)).toBe(MINE);
    await waitIdle(page);
    expect(await page.evaluate(() => window.mshareExplorer!.position())).toEqual({ position: 2, total: 2 });
    expect(errors).toEqual([]);
  });

  test('text that is no session at all is kept under session.unreadable before autosave writes the key', async ({ page, context }) => {
    const garbage = '{"v":1,"source":' + '"spawn mywork'; // cut short: not JSON
    await seed(context, { [KEY]: garbage });
    const errors = watch(page);
    await page.goto('/');
    await ready(page);
    await expect(page.getByTestId('notice-session').filter({ hasText: 'Your saved session could not be read' })).toContainText('mshare-explorer.session.unreadable');
    expect(await saved(page)).not.toBeNull();
    expect(await stored(page, UNREADABLE)).toBe(garbage);
    expect(errors).toEqual([]);
  });
});

test('finding 2: a Script-tab draft pasted past 1 MiB is said to be too large at once; the last draft that fit is saved and comes back', async ({ page }) => {
  const errors = watch(page);
  await page.goto('/');
  await ready(page);
  await page.getByRole('tab', { name: 'Script' }).click();
  const editor = page.getByRole('textbox', { name: 'Script editor' });
  await editor.click();
  await page.keyboard.press('ControlOrMeta+End');
  await page.keyboard.insertText('\nnote my important draft line\n');
  await expect(page.getByTestId('draft-hint')).toContainText('Draft: not run yet');
  const small = await page.evaluate(() => (window.mshareExplorer!.savedSession() as { draft?: string } | null)?.draft ?? '');
  expect(small).toContain('note my important draft line');

  // A paste of 1,080,000 characters: over the parser's limit.
  await editor.evaluate((el) => {
    const dt = new DataTransfer();
    dt.setData('text/plain', 'note filler\n'.repeat(90_000));
    el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
  });
  // Said at once, next to the draft state and in a notice, without pressing Run.
  await expect(page.getByTestId('draft-too-large')).toContainText('Draft too large to save');
  const notice = page.getByTestId('notice-session').filter({ hasText: 'Your draft is too large to save' });
  await expect(notice).toContainText(`the last draft that fit (${small.length.toLocaleString('en-US')} characters)`);
  // The session keeps the small draft, not nothing.
  expect(await page.evaluate(() => (window.mshareExplorer!.savedSession() as { draft?: string } | null)?.draft)).toBe(small);

  await page.reload();
  await ready(page);
  await page.getByRole('tab', { name: 'Script' }).click();
  await expect(page.getByTestId('draft-hint')).toContainText('Draft: not run yet');
  await editor.click();
  await page.keyboard.press('ControlOrMeta+End');
  await expect(editor).toContainText('note my important draft line');
  expect(errors).toEqual([]);
});

test('finding 6: the engine failing while the page opens ?scenario=: ready resolves with the scenario run to its end, queued calls run after it, and the console says it in plain words', async ({ page }) => {
  const errors = watch(page);
  // As soon as the test API exists (before the first scenario has run): crash the worker,
  // and queue a line behind the boot.
  await page.addInitScript(() => {
    const w = window as unknown as { __early: string[] };
    w.__early = [];
    const iv = setInterval(() => {
      const E = window.mshareExplorer;
      if (!E) return;
      clearInterval(iv);
      void E.crashWorkerForTest('throw').then(() => w.__early.push('crash rebuilt'));
      void E.execResult('spawn aftercrash').then((r) => w.__early.push(`line ok=${r.ok}`), (e: Error) => w.__early.push(`line rejected: ${e.message}`));
    }, 0);
  });
  await page.goto('/?scenario=fork-cow');
  await page.waitForFunction(() => !!window.mshareExplorer);
  expect(await page.evaluate(() => window.mshareExplorer!.ready.then(() => 'ready', (e: Error) => `rejected: ${e.message}`))).toBe('ready');
  await waitIdle(page);
  // The worker did fail while the page opened the scenario (not after), and was rebuilt once.
  const log = page.getByRole('log', { name: 'Console output' });
  await expect(log).toContainText('while the page was opening its first script, the engine stopped with an error: engine crash requested by a test (crashWorkerForTest); the engine was restarted and the script is opened again');
  expect(await page.evaluate(() => window.mshareExplorer!.engineHealth().failures)).toBe(1);
  // The scenario ran to its end on the rebuilt engine, and the queued line after it.
  expect(await page.evaluate(() => (window as unknown as { __early: string[] }).__early)).toContain('line ok=true');
  const src = await source(page);
  expect(src.trimEnd().endsWith('spawn aftercrash')).toBe(true);
  const { position: at, total } = await page.evaluate(() => window.mshareExplorer!.position());
  expect(at).toBe(total);
  expect(total).toBeGreaterThan(30);
  // Plain words: no class name, no "Uncaught Error" in the console or the notices.
  const text = await page.locator('body').innerText();
  expect(text).not.toMatch(/EngineLostError|Uncaught|did not start/);
  expect(errors).toEqual([]);
});

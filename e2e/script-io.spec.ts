// Scripts in and out without losing anything:
// - Open script… (a file input, or a file dropped on the Script tab or the console) loads a
//   file as a pasted script; a bad file lands in the Script tab with FILE:LINE:COL errors
//   and the session stays; binary or too large files are refused the same way.
// - Unrun edits in the Script tab are a draft saved with the session and restored on reload.
// - The msharefs forms parse all their lines before running any.
// - An action clicked during Play or Run to end drops nothing; Undo of drops is multi-level.
import { expect, test, type Page } from '@playwright/test';
import { consoleLines, expectNoErrors, openApp, position, shoot, waitIdle } from './app';

test.use({ viewport: { width: 1440, height: 900 } });

const src = (page: Page) => page.evaluate(() => window.mshareExplorer!.source());

async function load(page: Page, text: string, run = true): Promise<void> {
  await page.evaluate(([t, r]) => window.mshareExplorer!.loadScenario(t as string, { run: r as boolean }), [text, run] as const);
  await waitIdle(page);
}

async function openRegionForm(page: Page) {
  await page.getByRole('button', { name: 'msharefs', exact: true }).click();
  const menu = page.getByRole('dialog', { name: 'msharefs' });
  await menu.getByRole('button', { name: 'Create region…' }).click();
  return menu;
}

test('Create region… with a bad memory size, name or an empty name runs no line and keeps the form open', async ({ page }, info) => {
  const opened = await openApp(page);
  await load(page, 'machine ram=256M mshare=2024\nmount msharefs\nspawn db0\n');
  const before = await src(page);
  const { total } = await position(page);
  const menu = await openRegionForm(page);
  const name = menu.getByRole('textbox', { name: 'region name' });
  const memory = menu.getByRole('textbox', { name: 'region memory size' });

  await memory.fill('abc');
  await menu.getByRole('button', { name: 'Create region' }).click();
  await expect(menu.locator('#region-memory-error')).toContainText("size 'abc'");
  await expect(memory).toHaveAttribute('aria-invalid', 'true');
  await expect(memory).toHaveValue('abc');
  await shoot(page, info, 'region-bad-size');

  await memory.fill('8M');
  await name.fill('9');
  await menu.getByRole('button', { name: 'Create region' }).click();
  await expect(menu.locator('#region-name-error')).toContainText("'9': expected an ASCII letter");
  await expect(name).toHaveValue('9');

  await name.fill('');
  await menu.getByRole('button', { name: 'Create region' }).click();
  await expect(menu.locator('#region-name-error')).toHaveText('required');

  await waitIdle(page);
  expect(await src(page)).toBe(before);
  expect(await position(page)).toEqual({ position: total, total });

  // Fixed, it runs all its lines.
  await name.fill('sga');
  await menu.getByRole('button', { name: 'Create region' }).click();
  await expect(menu).toHaveCount(0);
  await waitIdle(page);
  expect(await src(page)).toContain('db0: open /sys/fs/mshare/sga create as sga');
  expect(await position(page)).toEqual({ position: total + 3, total: total + 3 });
  await expectNoErrors(opened);
});

test('Create region… places the region in a free 512 GiB slot, never over a region a script placed', async ({ page }) => {
  const opened = await openApp(page);
  // One region at 2 TiB: the old "1 TiB × (regions + 1)" slot, where the form's MAP_FIXED
  // object mmap replaced this region's written object.
  await load(page, 'machine ram=256M mshare=2024\nmount msharefs\nspawn a\na: open /sys/fs/mshare/big create as B\n'
    + 'a: mmap 0x20000000000 512G rw shared fd=B as big\na: mmap 0x20000000000 4M rw shared,anon,fixed\na: touch big 4M write\n');
  type Rep = { errors: unknown[]; mshare: { path: string; start: string; host: { VmRSS: number } }[] };
  const report = async () => (await page.evaluate(() => window.mshareExplorer!.report())) as Rep;
  const rss = async () => (await report()).mshare.find((r) => r.path === '/sys/fs/mshare/big')!.host.VmRSS;
  expect(await rss()).toBe(4096);
  const menu = await openRegionForm(page);
  await expect(menu.locator('pre.preview')).toContainText('a: mmap 0x10000000000 512G rw shared fd=r2 as r2');
  await menu.getByRole('button', { name: 'Create region' }).click();
  await expect(menu).toHaveCount(0);
  await waitIdle(page);
  const rep = await report();
  expect(rep.errors).toEqual([]);
  expect(rep.mshare.find((r) => r.path === '/sys/fs/mshare/r2')!.start).toBe('0x10000000000');
  expect(await rss()).toBe(4096);
  await expectNoErrors(opened);
});

test('a form stops at its first line that fails: no attach of a region whose object was refused', async ({ page }) => {
  const opened = await openApp(page);
  await load(page, 'machine ram=256M mshare=2025\nmount msharefs\nspawn db0\n');
  const { total } = await position(page);
  const menu = await openRegionForm(page);
  await menu.getByRole('textbox', { name: 'region memory size' }).fill('600G'); // more than the 512G region
  await menu.getByRole('button', { name: 'Create region' }).click();
  await expect(menu).toHaveCount(0);
  await waitIdle(page);
  const text = await src(page);
  expect(text).toContain('db0: ioctl r1 create_mapping 0 600G rw');
  expect(text).not.toContain('db0: mmap auto 512G');
  expect(await position(page)).toEqual({ position: total + 3, total: total + 3 });
  expect((await consoleLines(page)).join('\n')).toContain('EINVAL');
  await expectNoErrors(opened);
});

test('Attach… names the descriptor with a label even when the region file starts with a digit', async ({ page }) => {
  const opened = await openApp(page);
  await load(page, 'machine ram=256M mshare=2024\nmount msharefs\nspawn db0\ndb0: open /sys/fs/mshare/9 create as r9\ndb0: mmap 0x10000000000 512G rw shared fd=r9 as r9\nspawn db1\n');
  const { total } = await position(page);
  await page.getByRole('button', { name: 'msharefs', exact: true }).click();
  const menu = page.getByRole('dialog', { name: 'msharefs' });
  await menu.getByRole('button', { name: 'Attach…' }).click();
  await menu.getByRole('button', { name: /^Attach / }).click();
  await expect(menu).toHaveCount(0);
  await waitIdle(page);
  const s = await src(page);
  expect(s).toMatch(/^db\d: open \/sys\/fs\/mshare\/9 as r9\ndb\d: mshare_info r9\n/m);
  expect((await position(page)).total).toBe(total + 3);
  await expectNoErrors(opened);
});

const LONG = 'machine ram=256M\nspawn a\na: mmap auto 64K rw private,anon as x\nrepeat 40: a: touch x 4K write\na: fork\n';

test('an action clicked during Play drops nothing: the run goes to the end and the action is appended', async ({ page }) => {
  const opened = await openApp(page);
  await load(page, LONG, false);
  const before = await src(page);
  const { total } = await position(page);
  await page.getByRole('combobox', { name: 'Play speed (steps per second)' }).selectOption('1');
  await page.getByRole('button', { name: 'Play', exact: true }).click();
  await expect(page.getByTestId('timeline-position')).toHaveText(`step 1 / ${total}`);
  await page.getByRole('button', { name: 'Spawn', exact: true }).click();
  await waitIdle(page);
  expect(await position(page)).toEqual({ position: total + 1, total: total + 1 });
  expect(await src(page)).toBe(`${before}spawn p1\n`);
  await expect(page.getByTestId('notice-dropped')).toHaveCount(0);
  expect((await consoleLines(page)).some((l) => /dropped/i.test(l))).toBe(false);
  await expectNoErrors(opened);
});

test('an action clicked during Run to end drops nothing either', async ({ page }) => {
  const opened = await openApp(page);
  await load(page, 'machine ram=256M\nspawn a\na: mmap auto 64K rw private,anon as x\nrepeat 100000: a: read x\n', false);
  const before = await src(page);
  const { total } = await position(page);
  await page.getByRole('button', { name: 'Run to end' }).click();
  await expect(page.getByRole('progressbar', { name: 'Run progress' })).toBeVisible();
  await page.getByRole('button', { name: 'Spawn', exact: true }).click();
  await waitIdle(page);
  expect(await position(page)).toEqual({ position: total + 1, total: total + 1 });
  expect(await src(page)).toBe(`${before}spawn p1\n`);
  await expect(page.getByTestId('notice-dropped')).toHaveCount(0);
  await expectNoErrors(opened);
});

test('Undo of drops is multi-level: each Undo brings back the script before its drop, then offers the one before', async ({ page }) => {
  const opened = await openApp(page);
  const original = await src(page);
  const { total } = await position(page);
  await page.evaluate(() => window.mshareExplorer!.goto(17));
  await page.getByRole('button', { name: 'Fork', exact: true }).click();
  await waitIdle(page);
  const afterFirst = await src(page);
  await page.evaluate(() => window.mshareExplorer!.goto(10));
  await page.getByRole('button', { name: 'Thread', exact: true }).click();
  await waitIdle(page);
  expect(await position(page)).toEqual({ position: 11, total: 11 });
  const notice = page.getByTestId('notice-dropped');
  await expect(notice).toHaveCount(1);
  await expect(notice).toContainText('Dropped 8 later steps');

  await notice.getByRole('button', { name: 'Undo' }).click();
  await waitIdle(page);
  expect(await src(page)).toBe(afterFirst);
  expect(await position(page)).toEqual({ position: 10, total: 18 });
  // The first drop's Undo is offered again.
  await expect(notice).toHaveCount(1);
  await expect(notice).toContainText(`Dropped ${total - 17} later steps`);
  await notice.getByRole('button', { name: 'Undo' }).click();
  await waitIdle(page);
  expect(await src(page)).toBe(original);
  expect(await position(page)).toEqual({ position: 17, total });
  await expect(notice).toHaveCount(0);
  await expectNoErrors(opened);
});

async function ready(page: Page): Promise<void> {
  await page.waitForFunction(() => !!window.mshareExplorer);
  await page.evaluate(() => window.mshareExplorer!.ready);
  await waitIdle(page);
}

const fileInput = (page: Page) => page.getByLabel('Open script file');
const textFile = (name: string, text: string | Buffer) => ({ name, mimeType: 'text/plain', buffer: typeof text === 'string' ? Buffer.from(text, 'utf8') : text });

test('Open script… loads a file as a pasted script; one that does not parse lands in the Script tab with FILE:LINE:COL errors and the session stays', async ({ page }, info) => {
  const opened = await openApp(page);
  const before = await src(page);
  const { total } = await position(page);
  await page.getByRole('tab', { name: 'Script' }).click();
  await expect(page.getByRole('button', { name: 'Open script…' })).toBeVisible();

  await fileInput(page).setInputFiles(textFile('bad.msh', 'spawn a\na: frok\n'));
  await waitIdle(page);
  await expect(page.getByTestId('script-errors')).toContainText("bad.msh:2:4: unknown verb 'frok'");
  await expect(page.getByRole('textbox', { name: 'Script editor' })).toContainText('a: frok');
  await expect(page.getByTestId('draft-hint')).toContainText('Draft: not run yet');
  expect(await src(page)).toBe(before);
  expect(await position(page)).toEqual({ position: total, total });
  await shoot(page, info, 'open-bad-file');

  // Fixed in the Script tab, it runs under the file's name.
  await fileInput(page).setInputFiles(textFile('good.msh', '\ufeffspawn a\r\na: fork\r\n'));
  await waitIdle(page);
  expect(await src(page)).toMatch(/^spawn a\r?\na: fork\r?\n$/);
  expect(await position(page)).toEqual({ position: 2, total: 2 });
  await expect(page.getByTestId('script-name')).toHaveText('good.msh');
  await expect(page.getByTestId('draft-hint')).toHaveCount(0);
  await expect(page.getByTestId('script-errors')).toHaveCount(0);
  // The session it replaced is kept and offered back.
  await expect(page.getByTestId('notice-session')).toContainText('Opened good.msh; your previous session is kept');
  await expectNoErrors(opened);
});

test('binary and too large files are refused with FILE:LINE:COL errors; nothing is loaded', async ({ page }) => {
  const opened = await openApp(page);
  const before = await src(page);
  await page.getByRole('tab', { name: 'Script' }).click();
  const errors = page.getByTestId('script-errors');
  const lastLine = async () => {
    await page.getByRole('tab', { name: 'Console' }).click();
    const lines = await consoleLines(page);
    await page.getByRole('tab', { name: 'Script' }).click();
    return lines[lines.length - 1];
  };

  await fileInput(page).setInputFiles(textFile('core.bin', Buffer.from([0x73, 0x70, 0x0a, 0x61, 0xff, 0xfe, 0x00, 0x01])));
  await expect(errors).toContainText('core.bin:2:2: not a text file');
  await fileInput(page).setInputFiles(textFile('nul.msh', Buffer.from('spawn a\n\0\0\0', 'utf8')));
  await expect(errors).toContainText('nul.msh:2:1: not a text file: it holds NUL bytes');
  await fileInput(page).setInputFiles(textFile('big.msh', Buffer.alloc((1 << 20) + 10, 0x23)));
  await expect(errors).toContainText('big.msh:1:1: script is too large: 1048586 characters (at most 1048576)');
  await fileInput(page).setInputFiles(textFile('huge.msh', Buffer.alloc(3 * (1 << 20) + 1, 0x23)));
  await expect(errors).toContainText('huge.msh:1:1: script is too large: 3145729 bytes (at most 1048576 characters)');
  await waitIdle(page);
  expect(await src(page)).toBe(before);
  await expect(page.getByTestId('draft-hint')).toHaveCount(0);
  expect(await lastLine()).toBe('huge.msh:1:1: script is too large: 3145729 bytes (at most 1048576 characters)');
  await expectNoErrors(opened);
});

async function dropFile(page: Page, selector: string, name: string, text: string): Promise<void> {
  await page.evaluate(([sel, n, t]) => {
    const dt = new DataTransfer();
    dt.items.add(new File([t], n, { type: 'text/plain' }));
    // The Script editor lives in a shadow root.
    const host = document.querySelector(sel.split(' >>> ')[0])!;
    const el = sel.includes(' >>> ') ? host.shadowRoot!.querySelector(sel.split(' >>> ')[1])! : host;
    for (const type of ['dragenter', 'dragover', 'drop']) el.dispatchEvent(new DragEvent(type, { bubbles: true, composed: true, cancelable: true, dataTransfer: dt }));
  }, [selector, name, text] as const);
  await waitIdle(page);
}

test('a file dropped on the console or on the Script editor is opened (not pasted into the editor)', async ({ page }) => {
  const opened = await openApp(page);
  await consoleLines(page);
  await dropFile(page, '[data-testid="console-log"]', 'one.msh', 'spawn one\n');
  expect(await src(page)).toBe('spawn one\n');
  await expect(page.getByTestId('script-name')).toHaveText('one.msh');
  await page.getByRole('tab', { name: 'Script' }).click();
  await dropFile(page, '.script-editor >>> .cm-content', 'two.msh', 'spawn two\ntwo: fork\n');
  expect(await src(page)).toBe('spawn two\ntwo: fork\n');
  await expect(page.getByRole('textbox', { name: 'Script editor' })).not.toContainText('spawn one');
  await expect(page.getByRole('textbox', { name: 'Script editor' })).toContainText('two: fork');
  expect(await position(page)).toEqual({ position: 2, total: 2 });
  await expectNoErrors(opened);
});

test('an unrun edit in the Script tab is a draft: saved with the session, back after a reload with Run and Discard', async ({ page }, info) => {
  const opened = await openApp(page);
  const before = await src(page);
  await page.getByRole('tab', { name: 'Script' }).click();
  const editor = page.getByRole('textbox', { name: 'Script editor' });
  await editor.click();
  await page.keyboard.press('ControlOrMeta+End');
  await page.keyboard.type('spawn drafted');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('draft-hint')).toBeVisible();
  expect(await page.evaluate(() => (window.mshareExplorer!.savedSession() as { draft?: string } | null)?.draft)).toContain('spawn drafted');

  await page.reload();
  await ready(page);
  await page.getByRole('tab', { name: 'Script' }).click();
  const hint = page.getByTestId('draft-hint');
  await expect(hint).toContainText('Draft: not run yet');
  // CodeMirror draws the lines in view: go to the end, where the edit was.
  await editor.click();
  await page.keyboard.press('ControlOrMeta+End');
  await expect(editor).toContainText('spawn drafted');
  expect(await src(page)).toBe(before);
  await shoot(page, info, 'draft-restored');

  // Discard: the script again, and no draft after the next reload.
  await hint.getByRole('button', { name: 'Discard draft' }).click();
  await expect(hint).toHaveCount(0);
  await expect(editor).not.toContainText('spawn drafted');
  expect(await page.evaluate(() => (window.mshareExplorer!.savedSession() as { draft?: string } | null)?.draft)).toBeUndefined();

  // Typed again and run from the hint: it is the script, the draft is gone.
  await editor.click();
  await page.keyboard.press('ControlOrMeta+End');
  await page.keyboard.type('spawn ran');
  await page.keyboard.press('Escape');
  await page.getByTestId('draft-hint').getByRole('button', { name: 'Run draft' }).click();
  await waitIdle(page);
  expect(await src(page)).toContain('spawn ran');
  await expect(hint).toHaveCount(0);
  await page.reload();
  await ready(page);
  await page.getByRole('tab', { name: 'Script' }).click();
  await expect(page.getByTestId('draft-hint')).toHaveCount(0);
  expect(await src(page)).toContain('spawn ran');
  await expectNoErrors(opened);
});

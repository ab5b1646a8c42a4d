import { expect, test } from '@playwright/test';
import { consoleLines, expectNoErrors, openApp, position, shoot, waitIdle } from './app';

test.use({ viewport: { width: 1440, height: 900 } });

test('opens isolated, runs the mshare basics and draws every view', async ({ page }, info) => {
  const opened = await openApp(page);
  expect(await page.evaluate(() => window.crossOriginIsolated)).toBe(true);
  const { position: pos, total } = await position(page);
  expect(total).toBeGreaterThan(10);
  expect(pos).toBe(total);
  await expect(page.getByTestId('timeline-position')).toHaveText(`step ${total} / ${total}`);
  // Every view says what it shows.
  for (const id of ['processes', 'addrspace', 'tree', 'physmem']) {
    await expect(page.getByTestId(`panel-${id}`).locator('.caption')).not.toBeEmpty();
  }
  await expect(page.getByTestId('proc-host')).toHaveCount(1);
  await expect(page.getByTestId('vma').first()).toBeVisible();
  await shoot(page, info, 'app');
  await shoot(page, info, 'processes', 'panel-processes');
  await shoot(page, info, 'addrspace', 'panel-addrspace');
  await shoot(page, info, 'tree', 'panel-tree');
  await shoot(page, info, 'physmem', 'panel-physmem');
  await page.getByRole('tab', { name: 'Counters' }).click();
  await expect(page.getByRole('table', { name: '/proc/meminfo' })).toBeVisible();
  await shoot(page, info, 'counters');
  await expectNoErrors(opened);
});

test('the shared PUD page is drawn once with several parents after the mshare scenario', async ({ page }, info) => {
  const opened = await openApp(page, '?scenario=mshare-basics-2024');
  const shared = page.locator('[data-testid="pt-node"][data-shared="true"]');
  await expect(shared.first()).toBeVisible();
  const parents = Number(await shared.first().getAttribute('data-parents'));
  expect(parents).toBeGreaterThanOrEqual(2);
  expect(await shared.first().getAttribute('data-level')).toBe('PUD');
  // Drawn once: one node per table page.
  const pfns = await page.locator('[data-testid="pt-node"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-pfn')));
  expect(new Set(pfns).size).toBe(pfns.length);
  await shoot(page, info, 'tree-shared', 'panel-tree');
  // An entry opens in the inspector; a table collapses and expands.
  const pmd = page.locator('[data-testid="pt-node"][data-level="PMD"]').first();
  await pmd.locator('.pt-row').first().click();
  await expect(page.getByTestId('inspector')).toContainText(/Entry \d+ of PMD/);
  await expect(page.getByRole('list', { name: 'Page-table entry' }).or(page.getByLabel('Page-table entry'))).toContainText('present');
  const nodesBefore = await page.locator('[data-testid="pt-node"]').count();
  await pmd.getByRole('button', { name: /^Collapse PMD/ }).click();
  await expect(page.locator('[data-testid="pt-node"]')).toHaveCount(nodesBefore - 1);
  await page.locator('[data-testid="pt-node"][data-level="PMD"]').first().getByRole('button', { name: /^Expand PMD/ }).click();
  await expect(page.locator('[data-testid="pt-node"]')).toHaveCount(nodesBefore);
  await expectNoErrors(opened);
});

test('runs a scenario from the gallery', async ({ page }, info) => {
  const opened = await openApp(page);
  await page.getByRole('button', { name: 'Scenarios' }).click();
  const dialog = page.getByRole('dialog', { name: 'Scenario gallery' });
  await expect(dialog).toBeVisible();
  await shoot(page, info, 'gallery');
  await dialog.getByRole('button', { name: /^Run fork/ }).first().click();
  await expect(dialog).toBeHidden();
  await waitIdle(page);
  const lines = await consoleLines(page);
  expect(lines.some((l) => /loaded fork-cow\.msh/.test(l))).toBe(true);
  const { position: pos, total } = await position(page);
  expect(pos).toBe(total);
  await expectNoErrors(opened);
});

test('fork from the toolbar appends the scenario line to the console', async ({ page }) => {
  const opened = await openApp(page);
  const before = await page.getByTestId(/^proc-(mm|group)$/).count();
  const acting = (await page.locator('.toolbar .acting').innerText()).replace(/^as /, '');
  await page.getByRole('button', { name: 'Fork', exact: true }).click();
  await waitIdle(page);
  const lines = await consoleLines(page);
  expect(lines).toContain(`› ${acting}: fork`);
  await expect(page.getByTestId(/^proc-(mm|group)$/)).toHaveCount(before + 1);
  const script = await page.evaluate(() => window.mshareExplorer!.position());
  expect(script.position).toBe(script.total);
  await expectNoErrors(opened);
});

test('Spawn selects the new process, so the next toolbar action runs as it', async ({ page }) => {
  const opened = await openApp(page);
  const acting = page.locator('.toolbar .acting');
  const before = (await acting.innerText()).replace(/^as /, '');
  await page.getByRole('button', { name: 'Spawn', exact: true }).click();
  await waitIdle(page);
  const spawned = (await consoleLines(page)).filter((l) => /^› spawn /.test(l)).pop()!.replace('› spawn ', '');
  await expect(acting).toHaveText(`as ${spawned}`);
  expect(spawned).not.toBe(before);
  await page.getByRole('button', { name: 'Fork', exact: true }).click();
  await waitIdle(page);
  expect(await consoleLines(page)).toContain(`› ${spawned}: fork`);
  await expectNoErrors(opened);
});

test('clicking a page reads it and the walk view shows its translation', async ({ page }, info) => {
  const opened = await openApp(page);
  const cell = page.getByTestId('page').nth(3);
  const va = await cell.getAttribute('data-va');
  await cell.click();
  await waitIdle(page);
  const walk = page.getByTestId('walk-view');
  await expect(walk).toBeVisible();
  await expect(walk.getByTestId('walk-address')).toContainText(va!);
  await expect(walk.getByTestId('walk-level')).toHaveCount(4);
  await expect(walk.getByTestId('walk-result')).toContainText('phys');
  const lines = await consoleLines(page);
  expect(lines.some((l) => l.includes(`read ${va}`))).toBe(true);
  await shoot(page, info, 'walk');
  await expectNoErrors(opened);
});

test('steps back and forward with the keyboard and the buttons', async ({ page }) => {
  const opened = await openApp(page);
  const { total } = await position(page);
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('ArrowLeft');
  await waitIdle(page);
  expect((await position(page)).position).toBe(total - 1);
  await page.getByRole('button', { name: 'Step back' }).click();
  await waitIdle(page);
  expect((await position(page)).position).toBe(total - 2);
  await expect(page.getByTestId('timeline-position')).toHaveText(`step ${total - 2} / ${total}`);
  await page.keyboard.press('ArrowRight');
  await waitIdle(page);
  await page.getByRole('button', { name: 'Step forward' }).click();
  await waitIdle(page);
  expect((await position(page)).position).toBe(total);
  await expectNoErrors(opened);
});

test('the script editor shows parse errors at line and column', async ({ page }, info) => {
  const opened = await openApp(page);
  await page.getByRole('tab', { name: 'Script' }).click();
  const editor = page.getByRole('textbox', { name: 'Script editor' });
  await editor.click();
  await page.keyboard.press('ControlOrMeta+End');
  await page.keyboard.type('\ndb0: mmap auto 4K rw privat');
  // No Enter after the typo: with the completion popup open (it opens later on a busy machine)
  // Enter accepts "private", the line parses and no error shows.
  await page.keyboard.press('Escape');
  await page.getByRole('button', { name: 'Run script' }).click();
  const errors = page.getByTestId('script-errors');
  await expect(errors).toBeVisible();
  await expect(errors).toContainText(/:\d+:\d+/);
  await shoot(page, info, 'script-error');
  expect(opened.errors).toEqual([]);
});

test('the test API loads scenarios, reports JSON and a digest', async ({ page }) => {
  const opened = await openApp(page, '?scenario=fork-cow');
  expect(await page.evaluate(() => window.mshareExplorer!.position().total)).toBeGreaterThan(0);
  await page.evaluate(() => window.mshareExplorer!.loadScenario('spawn a\na: mmap auto 64K rw private,anon as heap\na: touch heap 64K write\na: fork as b\nexpect b.RssAnon == 64K'));
  const report = (await page.evaluate(() => window.mshareExplorer!.report())) as { ok: boolean; steps: number; processes: { name: string }[] };
  expect(report.ok).toBe(true);
  expect(report.steps).toBe(5);
  expect(report.processes.map((p) => p.name)).toEqual(['a', 'b']);
  const digest = await page.evaluate(() => window.mshareExplorer!.digest());
  expect(digest).toMatch(/^[0-9a-f]{8}$/);
  await expect(page.evaluate(() => window.mshareExplorer!.loadScenario('spawn'))).rejects.toThrow(/1:\d+/);
  await expectNoErrors(opened);
});

test('dark theme', async ({ page }, info) => {
  const opened = await openApp(page);
  await page.getByRole('button', { name: 'Switch to dark theme' }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await waitIdle(page);
  await shoot(page, info, 'app-dark');
  await expectNoErrors(opened);
});

test('a saved or system dark theme is there from the first paint, before the app has loaded', async ({ browser }) => {
  // The app's bundle is held back, so what shows is index.html's placeholder alone.
  const DARK_BG = 'rgb(20, 23, 28)';
  const LIGHT_BG = 'rgb(244, 245, 247)';
  const cases: { colorScheme: 'light' | 'dark'; saved: string | null; bg: string }[] = [
    { colorScheme: 'light', saved: 'dark', bg: DARK_BG },
    { colorScheme: 'dark', saved: null, bg: DARK_BG },
    { colorScheme: 'dark', saved: 'light', bg: LIGHT_BG },
    { colorScheme: 'light', saved: null, bg: LIGHT_BG },
  ];
  for (const c of cases) {
    const context = await browser.newContext({ colorScheme: c.colorScheme });
    const page = await context.newPage();
    if (c.saved) await page.addInitScript((t) => localStorage.setItem('mshare-explorer.theme', t), c.saved);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    await page.route(/\/assets\/index-[^/]*\.js$/, async (route) => {
      await held;
      await route.continue();
    });
    await page.goto('/', { waitUntil: 'commit' });
    await expect(page.locator('.boot-placeholder')).toBeVisible();
    expect(await page.evaluate(() => window.mshareExplorer === undefined)).toBe(true); // not loaded yet
    // Polled: the stylesheet may still be loading (a layout query does not wait for it). The
    // bundle stays held throughout, so only theme-boot.js can have set the theme.
    await expect.poll(() => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor).then((got) => ({ ...c, got }))).toEqual({ ...c, got: c.bg });
    expect(await page.evaluate(() => window.mshareExplorer === undefined)).toBe(true);
    release();
    await context.close();
  }
});

test('the console runs typed commands; / focuses it', async ({ page }) => {
  const opened = await openApp(page);
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('/');
  const input = page.getByRole('textbox', { name: 'Console input' });
  await expect(input).toBeFocused();
  await page.keyboard.type('spawn zed');
  await page.keyboard.press('Enter');
  await waitIdle(page);
  expect(await consoleLines(page)).toContain('› spawn zed');
  await page.keyboard.type('zed: mmap auto 1M rw private,anon as heap');
  await page.keyboard.press('Escape');
  await input.press('Enter');
  await waitIdle(page);
  const report = (await page.evaluate(() => window.mshareExplorer!.report())) as { processes: { name: string; maps: { label: string | null }[] }[] };
  expect(report.processes.find((p) => p.name === 'zed')?.maps.map((m) => m.label)).toEqual(['heap']);
  // A typo is reported with its column, nothing runs.
  await input.fill('zed: mmap auto 1M rw privat');
  await input.press('Escape'); // close the completion popup (Enter would accept "private")
  await input.press('Enter');
  await waitIdle(page);
  expect((await consoleLines(page)).some((l) => /^\d+: /.test(l))).toBe(true);
  await expectNoErrors(opened);
});

test('a command typed after / before the console has loaded is kept and runs', async ({ page }) => {
  // The console's code is held back, so it cannot have mounted while the keys are typed.
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  await page.route(/\/assets\/ConsolePanel-[^/]*\.js$/, async (route) => {
    await held;
    await route.continue();
  });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  await page.waitForFunction(() => !!window.mshareExplorer);
  await page.keyboard.type('/spawn earlx');
  await page.keyboard.press('Backspace');
  await page.keyboard.type('y');
  await page.keyboard.press('Enter');
  expect(await page.getByRole('textbox', { name: 'Console input' }).count()).toBe(0); // not mounted yet
  release();
  await page.evaluate(() => window.mshareExplorer!.ready);
  await waitIdle(page);
  await expect.poll(() => consoleLines(page)).toContain('› spawn early');
  await expect(page.locator('.toolbar .acting')).toHaveText('as early');
  await expect(page.getByRole('textbox', { name: 'Console input' })).toBeFocused();
  expect(errors).toEqual([]);
});

test('the mmap and touch forms keep a bad field and say what is wrong next to it; nothing runs', async ({ page }) => {
  const opened = await openApp(page);
  const src = () => page.evaluate(() => window.mshareExplorer!.source());
  const before = await src();
  await page.getByRole('button', { name: 'mmap' }).click();
  const form = page.getByRole('dialog', { name: 'mmap' });
  const sizeBox = form.getByLabel('mmap size');
  await sizeBox.fill('lots');
  await form.getByLabel('mmap label').fill('my#heap');
  await expect(form.getByLabel('mmap label')).toHaveValue('myheap'); // '#' would start a comment
  await form.getByRole('button', { name: 'mmap' }).click();
  await expect(form.locator('#mmap-size-error')).toContainText("size 'lots'");
  await expect(sizeBox).toHaveAttribute('aria-invalid', 'true');
  await expect(sizeBox).toHaveValue('lots');
  // Blanks go: "64 M" is 64M (it used to parse as size 64 and prot 'M').
  await sizeBox.fill('64 M');
  await expect(sizeBox).toHaveValue('64M');
  await expect(form.locator('#mmap-size-error')).toHaveCount(0);
  await waitIdle(page);
  expect(await src()).toBe(before);
  await form.getByRole('button', { name: 'mmap' }).click();
  await expect(form).toHaveCount(0);
  await waitIdle(page);
  expect(await src()).toMatch(/: mmap auto 64M rw private,anon as myheap\n?$/);

  await page.getByRole('button', { name: 'Touch' }).click();
  const touch = page.getByRole('dialog', { name: 'Touch' });
  await touch.getByLabel('touch length').fill('-4K');
  await touch.getByRole('button', { name: 'touch' }).click();
  await expect(touch.locator('#touch-length-error')).toBeVisible();
  await expect(touch.getByLabel('touch length')).toHaveValue('-4K');
  await expectNoErrors(opened);
});

test('mmap from the toolbar form and the tour', async ({ page }, info) => {
  const opened = await openApp(page);
  await page.getByRole('button', { name: 'mmap' }).click();
  const form = page.getByRole('dialog', { name: 'mmap' });
  await form.getByLabel('mmap size').fill('256K');
  await form.getByLabel('mmap label').fill('buf');
  await form.getByRole('button', { name: 'mmap' }).click();
  await waitIdle(page);
  expect((await consoleLines(page)).some((l) => /: mmap auto 256K rw private,anon as buf$/.test(l))).toBe(true);
  await page.getByRole('button', { name: 'Tour' }).click();
  const card = page.getByRole('dialog', { name: /^Tour:/ });
  await expect(card).toContainText('Processes and mm_structs');
  await card.getByRole('button', { name: 'Next' }).click();
  await expect(card).toContainText('Address space');
  await card.getByRole('button', { name: 'Next' }).click();
  await shoot(page, info, 'tour');
  await card.getByRole('button', { name: 'Close' }).click();
  await expect(card).toBeHidden();
  await expectNoErrors(opened);
});

test('machine settings restart the machine with 5-level paging', async ({ page }, info) => {
  const opened = await openApp(page, '?scenario=fork-cow');
  const { position: before } = await position(page);
  await page.getByRole('button', { name: 'Machine…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Machine settings' });
  await dialog.getByLabel('Paging levels').selectOption('5');
  await dialog.getByRole('button', { name: 'Restart machine' }).click();
  await waitIdle(page);
  expect((await position(page)).position).toBe(before);
  await expect(page.locator('[data-testid="pt-node"][data-level="P4D"]').first()).toBeVisible();
  const lines = await consoleLines(page);
  expect(lines.some((l) => l.includes('5-level paging'))).toBe(true);
  await shoot(page, info, 'tree-5level', 'panel-tree');
  await expectNoErrors(opened);
});

test('machine settings: PTI shows the user PCID in the walk view; shmem THP maps the SGA with 2 MiB PMD entries', async ({ page }, info) => {
  const opened = await openApp(page, '?scenario=mshare-thp');
  await page.getByRole('button', { name: 'Machine…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Machine settings' });
  await expect(dialog.getByLabel('shmem THP')).toHaveValue('advise'); // from the scenario's machine line
  await dialog.getByLabel('PTI').check();
  await dialog.getByLabel('shmem THP').selectOption('always');
  await dialog.getByRole('button', { name: 'Restart machine' }).click();
  await waitIdle(page);
  const report = (await page.evaluate(() => window.mshareExplorer!.report())) as { machine: Record<string, unknown>; meminfo: Record<string, number> };
  expect(report.machine).toMatchObject({ pti: true, shmem_thp: 'always' });
  // always: the region's 8 MiB are PMD-mapped too (M21), beside the plain mapping's 4 MiB.
  expect(report.meminfo.ShmemPmdMapped).toBe(12 * 1024);
  // A page of the plain mapping: the walk ends at a 2 MiB leaf; the TLB line names the user PCID.
  const cell = page.getByTestId('page').first();
  await cell.click();
  await waitIdle(page);
  const walk = page.getByTestId('walk-view');
  await expect(walk.getByTestId('walk-level')).toHaveCount(3);
  await expect(walk.getByLabel('Address split into table indices')).toContainText('[20:0]'); // a 2 MiB page's offset
  await cell.click();
  await waitIdle(page);
  await expect(walk).toContainText(/PCID 20(49|5[0-4]): user PCID of kernel PCID [1-6], PTI/);
  await shoot(page, info, 'walk-thp-pti', 'walk-view');
  await expectNoErrors(opened);
});

test('a line typed after going back drops the later steps from the chart and the chapter markers', async ({ page }) => {
  const opened = await openApp(page, '?scenario=mshare-basics-2024');
  await page.getByRole('tab', { name: 'Counters' }).click();
  const chart = () => page.evaluate(() => window.mshareExplorer!.chart());
  const before = await chart();
  const { total } = await position(page);
  expect(before.chapters).toHaveLength(3);
  expect(Math.max(...before.points)).toBe(total);
  // Back to the second chapter's heading: the second and third chapters are in the dropped steps.
  const cut = before.chapters[1].index;
  await page.evaluate((n) => window.mshareExplorer!.goto(n), cut);
  await page.getByRole('textbox', { name: 'Console input' }).click();
  await page.keyboard.type('spawn zed');
  await page.keyboard.press('Enter');
  await waitIdle(page);
  expect(await position(page)).toEqual({ position: cut + 1, total: cut + 1 });
  const after = await chart();
  expect(after.points.every((s) => s <= cut + 1)).toBe(true);
  expect(after.points).toContain(cut + 1);
  expect(after.chapters).toEqual([before.chapters[0]]);
  expect(after.notes).toEqual(before.notes.filter((n) => n.index < cut));
  await expect(page.locator('.tl-chapter')).toHaveCount(1);
  // Drawn: the lines end at the right end of the x axis (the current total), not past it.
  const ends = await page.getByTestId('counters').locator('svg.chart-svg').evaluate((svg) => {
    const axis = (svg.querySelector('g.axis .domain') as SVGPathElement).getBBox();
    const lines = [...svg.querySelectorAll<SVGPathElement>('.chart-line')].map((p) => p.getBBox());
    return { axis: axis.x + axis.width, lines: Math.max(...lines.map((b) => b.x + b.width)) };
  });
  expect(Math.abs(ends.lines - ends.axis)).toBeLessThan(1);
  // A chapter typed in the console gets its marker too.
  await page.evaluate(() => window.mshareExplorer!.exec('## zed arrives'));
  expect((await chart()).chapters.map((c) => [c.title, c.index])).toEqual([[before.chapters[0].title, before.chapters[0].index], ['zed arrives', cut + 1]]);
  await expect(page.locator('.tl-chapter')).toHaveCount(2);
  await expectNoErrors(opened);
});

test('the toolbar fits one row at 1280, 1440 and 1920 px; the msharefs actions are in its menu', async ({ page }, info) => {
  const opened = await openApp(page);
  const toolbar = page.getByRole('group', { name: 'Actions' });
  // One row: every item is centred on the same line.
  const rows = () => toolbar.evaluate((el) => new Set([...el.children].map((c) => {
    const r = c.getBoundingClientRect();
    return Math.round(r.top + r.height / 2);
  })).size);
  expect(await rows()).toBe(1);
  await shoot(page, info, 'toolbar-1440');
  await page.setViewportSize({ width: 1920, height: 1080 });
  expect(await rows()).toBe(1);
  // A 1280x720 projector: "Machine…" and the theme switch used to wrap onto a row of their own.
  await page.setViewportSize({ width: 1280, height: 720 });
  expect(await rows()).toBe(1);
  await shoot(page, info, 'toolbar-1280');
  await page.setViewportSize({ width: 1440, height: 900 });
  // The menu's entries: a form opens in its place and runs its lines.
  await toolbar.getByRole('button', { name: 'msharefs' }).click();
  const menu = page.getByRole('dialog', { name: 'msharefs' });
  for (const name of ['Mount msharefs', 'Create region…', 'Attach…', 'Policies…']) await expect(menu.getByRole('button', { name })).toBeVisible();
  await menu.getByRole('button', { name: 'Create region…' }).click();
  await menu.getByLabel('region name').fill('zone');
  await menu.getByRole('button', { name: 'Create region' }).click();
  await expect(menu).toBeHidden();
  await waitIdle(page);
  expect((await consoleLines(page)).some((l) => /: open \/sys\/fs\/mshare\/zone create as zone$/.test(l))).toBe(true);
  await expectNoErrors(opened);
});

test('the Counters tab shows the hugetlb pool: a reservation fills it before any fault', async ({ page }) => {
  const opened = await openApp(page);
  await page.evaluate(() => window.mshareExplorer!.loadScenario('spawn a\na: mmap 0x40000000 8M rw private,anon,hugetlb as h\na: touch h 2M write\n'));
  await waitIdle(page);
  await page.getByRole('tab', { name: 'Counters' }).click();
  const row = page.getByRole('table', { name: '/proc/meminfo' }).getByRole('row', { name: /HugePages_Total/ });
  await expect(row).toContainText('4 / 3 / 3');
  await expectNoErrors(opened);
});

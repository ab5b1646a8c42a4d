// Layout and polish fixes from a review at 1280x720 and 1920x1080: each test does what the
// reviewer did and measures what is on screen (or listens for what the console logged).
import { writeFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { expectNoErrors, inside as insideBy, openApp, overlap, shoot, waitIdle, type Box } from './app';

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

// These measurements allow a pixel of rounding.
const inside = (inner: Box, outer: Box) => insideBy(inner, outer, 1);

type Pannable = 'processes' | 'tree';

/**
 * A pan/zoom view as drawn: its host's box, the drawing's box and transform, and the
 * on-screen size of its smallest type (the processes' lines, the tree's rows).
 */
async function drawing(page: Page, id: Pannable) {
  return page.getByTestId(`panel-${id}`).locator('.view-fill').evaluate((host, small) => {
    const box = (e: Element) => {
      const r = e.getBoundingClientRect();
      return { x: r.x, y: r.y, width: r.width, height: r.height };
    };
    const g = host.querySelector<SVGGElement>('svg > g')!;
    const text = host.querySelector<SVGTextElement>(small);
    return {
      host: box(host),
      drawing: box(g),
      transform: g.getAttribute('transform') ?? '',
      textPx: text ? text.getScreenCTM()!.a * parseFloat(getComputedStyle(text).fontSize) : 0,
      more: [...host.classList].filter((c) => c.startsWith('more-')),
    };
  }, id === 'tree' ? '.pt-row text' : '.lines text');
}

/** The transform once the views have drawn the latest size (a resize redraws on the next frame). */
async function settled(page: Page, id: Pannable): Promise<string> {
  let last = '';
  await expect.poll(async () => {
    const t = (await drawing(page, id)).transform;
    const same = t === last;
    last = t;
    return same;
  }, { intervals: [150, 150, 250] }).toBe(true);
  return last;
}

const fitButton = (page: Page, id: Pannable) => page.getByRole('button', { name: id === 'tree' ? 'Fit page-table tree' : 'Fit processes graph' });

/** What Fit gives at this size: a resized view that nobody zoomed must look the same. */
async function expectFitted(page: Page, id: Pannable): Promise<void> {
  const t = await settled(page, id);
  await fitButton(page, id).click();
  expect(await settled(page, id), `${id} refitted as Fit would`).toBe(t);
}

test.describe('views refit when the window is resized', () => {
  test.use({ viewport: { width: 1280, height: 720 } });

  test('1280x720 -> 1920x1080 -> 1280x720: graph and tree fill their panels, the legend clear of the tree', async ({ page }, info) => {
    const opened = await openApp(page, '?scenario=mshare-basics-2024');
    for (const id of ['processes', 'tree'] as const) await settled(page, id);
    const small = { processes: await drawing(page, 'processes'), tree: await drawing(page, 'tree') };
    await page.setViewportSize({ width: 1920, height: 1080 });
    for (const id of ['processes', 'tree'] as const) {
      await expectFitted(page, id);
      const d = await drawing(page, id);
      expect(inside(d.drawing, d.host), `${id} inside its panel at 1920x1080`).toBe(true);
      // Not left at the old scale in a corner: it fills the panel's width or height.
      expect(Math.max(d.drawing.width / d.host.width, d.drawing.height / d.host.height), `${id} fills its panel`).toBeGreaterThan(0.6);
      expect(d.drawing.width * d.drawing.height).toBeGreaterThan(small[id].drawing.width * small[id].drawing.height);
    }
    await page.screenshot({ path: info.outputPath('resized-1920.png') });
    await page.setViewportSize({ width: 1280, height: 720 });
    for (const id of ['processes', 'tree'] as const) await expectFitted(page, id);
    const p = await drawing(page, 'processes');
    expect(inside(p.drawing, p.host), 'processes graph inside its panel at 1280x720').toBe(true);
    // The tree fits the panel neither in columns nor stacked at a readable scale: the stack
    // needs less shrinking (fit.ts preferSecond). Its top, db0's PGD, is in view, clear of the
    // legend, across the panel's width; the rest is scrolled to.
    const tree = page.getByTestId('panel-tree');
    const host = (await tree.locator('.view-fill').boundingBox())!;
    const pgd = (await tree.locator('[data-level="PGD"] rect.pt-box').first().boundingBox())!;
    expect(inside(pgd, host), 'PGD box in view').toBe(true);
    expect(overlap(pgd, (await tree.getByRole('list', { name: 'Tree legend' }).boundingBox())!), 'legend clear of the PGD box').toBe(false);
    expect((await drawing(page, 'tree')).more).toEqual(['more-below']);
    // The legend is under the tree's view, not drawn over it.
    expect(overlap(host, (await tree.getByRole('list', { name: 'Tree legend' }).boundingBox())!), 'legend clear of the tree').toBe(false);
    await page.screenshot({ path: info.outputPath('resized-1280.png') });
    await expectNoErrors(opened);
  });

  test('a view the user zoomed or panned keeps the user\'s transform; Fit hands it back', async ({ page }) => {
    const opened = await openApp(page, '?scenario=mshare-basics-2024');
    await settled(page, 'tree');
    await page.getByTestId('panel-tree').getByRole('button', { name: 'Zoom in' }).click();
    const zoomed = await settled(page, 'tree');
    // Drag the processes graph by its background.
    const host = (await page.getByTestId('panel-processes').locator('.view-fill').boundingBox())!;
    await page.mouse.move(host.x + host.width - 10, host.y + host.height - 10);
    await page.mouse.down();
    await page.mouse.move(host.x + host.width - 40, host.y + host.height - 30, { steps: 4 });
    await page.mouse.up();
    const panned = await settled(page, 'processes');
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.waitForTimeout(300);
    expect(await settled(page, 'tree')).toBe(zoomed);
    expect(await settled(page, 'processes')).toBe(panned);
    // Fit: the view is the app's again, and follows the next resize.
    await fitButton(page, 'tree').click();
    const fitted = await settled(page, 'tree');
    expect(fitted).not.toBe(zoomed);
    await page.setViewportSize({ width: 1280, height: 720 });
    await expectFitted(page, 'tree');
    expect(await settled(page, 'tree')).not.toBe(fitted);
    await expectNoErrors(opened);
  });

  test('a tree wider than its panel says so at the edge and scrolls with the wheel', async ({ page }) => {
    const opened = await openApp(page);
    // Two mappings under different PGD entries: the tree branches, so it is never stacked
    // (pt-layout.ts stackable), and its four columns are wider than the panel.
    await page.evaluate(() => window.mshareExplorer!.loadScenario([
      'spawn a',
      'a: mmap 0x10000000 8K rw private,anon,fixed as lo',
      'a: mmap 0x7f0000000000 8K rw private,anon,fixed as hi',
      'a: touch lo 8K write',
      'a: touch hi 8K write',
    ].join('\n')));
    await settled(page, 'tree');
    const before = await drawing(page, 'tree');
    expect(before.more).toContain('more-right');
    const host = before.host;
    await page.mouse.move(host.x + host.width / 2, host.y + host.height / 2);
    await page.mouse.wheel(0, 0);
    await page.keyboard.down('Shift');
    await page.mouse.wheel(0, 400);
    await page.keyboard.up('Shift');
    await settled(page, 'tree');
    const after = await drawing(page, 'tree');
    expect(after.drawing.x).toBeLessThan(before.drawing.x - 100);
    expect(after.more).toContain('more-left');
    // Scrolled, not zoomed: the type keeps its size.
    expect(after.textPx).toBeCloseTo(before.textPx, 1);
    await expectNoErrors(opened);
  });
});

/** The script editor: its visible height in lines, and the list of errors under it. */
async function scriptEditor(page: Page) {
  return page.locator('.script-editor').evaluate((host) => {
    const line = host.shadowRoot!.querySelector('.cm-line')!.getBoundingClientRect().height;
    const scroller = host.shadowRoot!.querySelector('.cm-scroller')!.getBoundingClientRect();
    const errors = document.querySelector('[data-testid="script-errors"]');
    const e = errors?.getBoundingClientRect();
    return {
      lines: scroller.height / line,
      editor: { x: scroller.x, y: scroller.y, width: scroller.width, height: scroller.height },
      errors: e ? { x: e.x, y: e.y, width: e.width, height: e.height } : null,
      errorsScroll: errors ? errors.scrollHeight > errors.clientHeight : false,
      panel: (() => {
        const p = document.querySelector('.console-panel')!.getBoundingClientRect();
        return { x: p.x, y: p.y, width: p.width, height: p.height };
      })(),
    };
  });
}

for (const size of [{ width: 1280, height: 720 }, { width: 1440, height: 900 }, { width: 1920, height: 1080 }]) {
  test.describe(`every panel keeps a usable size at ${size.width}x${size.height}`, () => {
    test.use({ viewport: size });

    test('processes graph and tree readable, the ended list one line, the script editor beside its errors', async ({ page }, info) => {
      // 1,500 processes run to the end: slow on a loaded two-core machine.
      test.setTimeout(180_000);
      // The talk's 1,500-process scenario run to the end: 3,000 ended tasks.
      const opened = await openApp(page, '?scenario=talk-page-tables');
      await page.getByRole('log', { name: 'Console output' }).waitFor();
      for (const id of ['processes', 'tree'] as const) await settled(page, id);
      for (const id of ['processes', 'tree', 'addrspace', 'physmem']) {
        const b = (await page.getByTestId(`panel-${id}`).boundingBox())!;
        expect(b.height, `${id} panel height`).toBeGreaterThanOrEqual(200);
      }
      const ended = page.getByTestId('ended-tasks');
      await expect(ended).toContainText('ended tasks');
      expect((await ended.boundingBox())!.height, 'the ended list is one line').toBeLessThan(24);
      const checkGraph = async () => {
        const p = await drawing(page, 'processes');
        expect(p.host.height, 'processes graph height').toBeGreaterThanOrEqual(150);
        expect(p.textPx, 'processes text on screen').toBeGreaterThanOrEqual(9.4);
        for (const box of await page.getByTestId('panel-processes').locator('rect.box').all()) {
          expect(inside((await box.boundingBox())!, p.host), 'every box, the host mm too, in view').toBe(true);
        }
      };
      await checkGraph();
      // Opened, the list scrolls in a few lines; the graph keeps its room.
      await ended.locator('summary').click();
      const list = ended.getByRole('list', { name: 'Ended tasks, newest first' });
      await expect(list).toBeVisible();
      expect((await list.boundingBox())!.height).toBeLessThan(110);
      expect(await list.evaluate((l) => l.scrollHeight > l.clientHeight)).toBe(true);
      await settled(page, 'processes');
      expect((await drawing(page, 'processes')).host.height).toBeGreaterThanOrEqual(120);
      await shoot(page, info, 'ended-open', 'panel-processes');
      await ended.locator('summary').click();
      await settled(page, 'processes');
      await checkGraph();
      const tree = await drawing(page, 'tree');
      expect(tree.textPx, 'tree rows on screen').toBeGreaterThanOrEqual(9.4);
      await page.screenshot({ path: info.outputPath(`app-${size.width}.png`) });

      // The script: at least four lines of editor, before and after a run that fails.
      await page.getByRole('tab', { name: 'Script' }).click();
      expect((await scriptEditor(page)).lines).toBeGreaterThanOrEqual(4);
      await page.getByLabel('Script editor').focus();
      await page.keyboard.press('Control+a');
      await page.keyboard.type('spawn a\n');
      for (let i = 1; i <= 6; i++) await page.keyboard.type(`a: frob ${i}\n`);
      await page.getByRole('button', { name: 'Run script' }).click();
      await expect(page.getByTestId('script-errors').locator('li')).toHaveCount(6);
      const s = await scriptEditor(page);
      expect(s.lines, 'editor lines beside six errors').toBeGreaterThanOrEqual(4);
      expect(s.errors!.y).toBeGreaterThanOrEqual(s.editor.y + s.editor.height - 1);
      expect(s.errors!.height, 'the errors list is bounded').toBeLessThanOrEqual(60);
      expect(s.errorsScroll, 'and scrolls').toBe(true);
      expect(inside(s.errors!, s.panel), 'errors inside the console panel').toBe(true);
      await page.screenshot({ path: info.outputPath(`script-errors-${size.width}.png`) });
      await expectNoErrors(opened);
    });
  });
}

/** The rows of a screenshot that hold ink (pixels unlike the first pixel's background), top to bottom. */
async function inkRows(page: Page, png: Buffer): Promise<number[]> {
  return page.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.naturalWidth;
    c.height = img.naturalHeight;
    const ctx = c.getContext('2d')!;
    ctx.drawImage(img, 0, 0);
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    const bg = [d[0], d[1], d[2]];
    const rows: number[] = [];
    for (let y = 0; y < c.height; y++) {
      for (let x = 0; x < c.width; x++) {
        const i = (y * c.width + x) * 4;
        if (Math.abs(d[i] - bg[0]) + Math.abs(d[i + 1] - bg[1]) + Math.abs(d[i + 2] - bg[2]) > 120) {
          rows.push(y);
          break;
        }
      }
    }
    return rows;
  }, png.toString('base64'));
}

test.describe('scenarios gallery', () => {
  test.use({ viewport: { width: 1280, height: 720 } });

  test('a chapter\'s number sits on the first line of its wrapped title', async ({ page }, info) => {
    const opened = await openApp(page);
    await page.getByRole('button', { name: 'Scenarios' }).click();
    const items = page.getByRole('list', { name: 'Talk pack' }).locator('.chapters li');
    let wrapped = 0;
    for (const li of await items.all()) {
      const button = li.getByRole('button');
      await li.scrollIntoViewIfNeeded();
      const b = (await button.boundingBox())!;
      // The first line's height, as laid out (line-height may be "normal").
      const lineHeight = await button.evaluate((e) => {
        const r = document.createRange();
        r.selectNodeContents(e);
        return r.getClientRects()[0].height;
      });
      if (b.height < 1.5 * lineHeight) continue;
      wrapped++;
      // The marker is drawn left of the list item's box: read it off the screen.
      const box = (await li.boundingBox())!;
      const png = await page.screenshot({ clip: { x: box.x - 22, y: box.y, width: 20, height: box.height } });
      const ink = await inkRows(page, png);
      expect(ink.length, `a number beside "${await button.textContent()}"`).toBeGreaterThan(3);
      const top = box.y + ink[0];
      const bottom = box.y + ink[ink.length - 1];
      expect(top, 'number starts on the first line').toBeGreaterThanOrEqual(b.y - 1);
      expect(bottom, 'and ends on it').toBeLessThanOrEqual(b.y + lineHeight + 1);
    }
    expect(wrapped, 'some chapter titles wrap at 1280 px').toBeGreaterThanOrEqual(3);
    await page.getByRole('list', { name: 'Talk pack' }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: info.outputPath('gallery-1280.png') });
    await expectNoErrors(opened);
  });
});

test.describe('the page strip says what it shows', () => {
  test.use({ viewport: { width: 1280, height: 720 } });

  test('a 64 MiB area in a 512 GiB mshare VMA: the window of pages, the VMA\'s page count and present pages, on screen and in the exports', async ({ page }, info) => {
    const opened = await openApp(page, '?scenario=mshare-basics-2024');
    const label = page.getByTestId('panel-addrspace').locator('.as-strip-label');
    const shown = await page.getByTestId('panel-addrspace').getByTestId('page').count();
    expect(shown).toBeGreaterThan(20);
    const title = `sga: showing pages 1–${shown} of 134,217,728 (16,384 of 134,217,728 present)`;
    await expect(label.locator('.as-strip-what')).toHaveText(title);
    await expect(label.locator('.as-strip-range')).toHaveText(`0x10000000000–0x${(0x10000000000 + shown * 4096).toString(16)}`);
    await expect(label).toContainText('click: read');
    // Every line of it inside the drawing.
    const svg = (await page.getByTestId('panel-addrspace').locator('svg.as-svg').boundingBox())!;
    for (const t of await label.locator('tspan').all()) expect(inside((await t.boundingBox())!, svg), await t.textContent() ?? '').toBe(true);
    // ▶ moves the window, and the label with it.
    await page.getByRole('button', { name: 'Next pages' }).click();
    await expect(label.locator('.as-strip-what')).toHaveText(`sga: showing pages 129–${128 + shown} of 134,217,728 (16,384 of 134,217,728 present)`);
    await page.getByRole('button', { name: 'Previous pages' }).click();
    await shoot(page, info, 'addrspace-1280', 'panel-addrspace');
    const exported = await page.evaluate(() => window.mshareExplorer!.talk.exportSvg('addrspace'));
    expect(exported).toContain('(16,384 of 134,217,728 present)');
    expect(exported).toMatch(/showing pages 1–\d+ of 134,217,728/);
    expect(exported).toContain('0x10000000000–0x');
    expect(exported).not.toContain('click: read');
    const png = await page.evaluate(() => window.mshareExplorer!.talk.exportPng('addrspace', 1));
    expect(png.width).toBeGreaterThan(100);
    writeFileSync(info.outputPath('addrspace-export.png'), Buffer.from(png.base64, 'base64'));
    await expectNoErrors(opened);
  });
});

test.describe('smaller things', () => {
  test.use({ viewport: { width: 1280, height: 720 } });

  test('a killed task\'s address space says it was killed and its mm is gone', async ({ page }, info) => {
    // Step 5: p maps a read-only page; step 6: p writes to it and is killed by SIGSEGV.
    const opened = await openApp(page, '?scenario=segfault&step=5');
    await expect(page.getByTestId('panel-addrspace').getByRole('heading')).toHaveText('Address space of p');
    await page.evaluate(() => window.mshareExplorer!.step());
    await waitIdle(page);
    expect((await page.evaluate(() => window.mshareExplorer!.position())).position).toBe(6);
    await expect(page.getByTestId('panel-addrspace').getByRole('heading')).toHaveText('Address space of p');
    await expect(page.getByTestId('panel-addrspace').locator('.as-strip-label')).toHaveText('p was killed by SIGSEGV: its mm is gone, nothing is mapped.');
    await shoot(page, info, 'killed', 'panel-addrspace');
    await expectNoErrors(opened);
  });

  test('presenter mode before the first chapter: "Start" and "before chapter 1 of 5", not "chapter 0 of 5"', async ({ page }) => {
    const opened = await openApp(page, '?scenario=talk-page-tables&step=1&present&views=chart');
    await expect(page.getByTestId('talk-screen')).toHaveAttribute('data-mode', 'presenter');
    for (const step of [1, 0]) {
      await page.evaluate((n) => window.mshareExplorer!.goto(n), step);
      await expect(page.getByTestId('talk-chapter')).toHaveText('Start');
      await expect(page.getByTestId('talk-step')).toContainText(`step ${step} / `);
      await expect(page.getByTestId('talk-step')).toContainText('· before chapter 1 of 5');
    }
    await page.keyboard.press('Shift+ArrowRight');
    await waitIdle(page);
    await expect(page.getByTestId('talk-step')).toContainText('· chapter 1 of 5');
    await expectNoErrors(opened);
  });

  test('1,500 processes: every one can be compared with, and the peak labels clear the chapter lines', async ({ page }, info) => {
    test.setTimeout(180_000);
    const opened = await openApp(page, '?scenario=talk-page-tables');
    const select = page.getByLabel('Compare with process');
    expect(await select.locator('option').count()).toBe(1 + 1500);
    await select.selectOption({ label: 'ms1500' });
    await expect(page.getByTestId('panel-tree').locator('svg.pt-svg')).toHaveAttribute('aria-label', /ms1500/);
    // The presenter chart at the end: three peaks, none crossed by a chapter's line.
    await page.evaluate(() => window.mshareExplorer!.talk.present(['chart']));
    await expect(page.locator('svg.talk-chart .tc-peak')).toHaveCount(3);
    await waitIdle(page);
    const geo = await page.locator('svg.talk-chart').evaluate((svg) => {
      const box = (e: Element) => {
        const r = e.getBoundingClientRect();
        return { x: r.x, y: r.y, width: r.width, height: r.height };
      };
      return {
        peaks: [...svg.querySelectorAll('.tc-peak')].map((p) => ({ text: p.textContent, box: box(p) })),
        lines: [...svg.querySelectorAll('.tc-chapters line')].map(box),
      };
    });
    expect(geo.peaks.map((p) => p.text)).toEqual(['205M', '11.7M', '6M']);
    for (const p of geo.peaks) for (const l of geo.lines) expect(overlap(p.box, { ...l, x: l.x - 1, width: l.width + 2 }), `${p.text} clear of a chapter line`).toBe(false);
    await page.screenshot({ path: info.outputPath('presenter-chart.png') });
    await expectNoErrors(opened);
  });

  test('a 5,000-character console line wraps inside the panel', async ({ page }) => {
    const opened = await openApp(page);
    await page.getByRole('log', { name: 'Console output' }).waitFor();
    await page.evaluate(() => window.mshareExplorer!.exec(`note ${'x'.repeat(5000)}`));
    await waitIdle(page);
    const log = page.getByRole('log', { name: 'Console output' });
    const line = log.locator('li').filter({ hasText: 'xxxxxxxxxx' }).first();
    await expect(line).toBeVisible();
    const geo = await log.evaluate((l) => ({ scroll: l.scrollWidth, client: l.clientWidth }));
    expect(geo.scroll, 'no sideways scroll').toBeLessThanOrEqual(geo.client + 1);
    const lb = (await log.boundingBox())!;
    const b = (await line.boundingBox())!;
    expect(b.x + b.width).toBeLessThanOrEqual(lb.x + lb.width + 1);
    expect(b.height, 'wrapped onto many lines').toBeGreaterThan(100);
    await expectNoErrors(opened);
  });
});

test.describe('presenter mode at 1280x720', () => {
  test.use({ viewport: { width: 1280, height: 720 } });

  test('a projected graph and tree are whole: nobody scrolls a slide', async ({ page }) => {
    test.setTimeout(180_000);
    // The 1,500 clients' graph (three boxes stacked) in the lower, shorter pane.
    const opened = await openApp(page, '?scenario=talk-page-tables&present&views=tree,processes');
    await expect(page.getByTestId('talk-screen')).toHaveAttribute('data-mode', 'presenter');
    await waitIdle(page);
    for (const [view, boxes] of [['processes', 'rect.box'], ['tree', 'rect.pt-box']] as const) {
      const pane = page.locator(`[data-talk-view="${view}"] .talk-host`);
      await expect(pane.locator(boxes).first()).toBeVisible();
      const host = (await pane.boundingBox())!;
      for (const b of await pane.locator(boxes).all()) expect(inside((await b.boundingBox())!, host), `${view}: every box on the slide`).toBe(true);
    }
    await expectNoErrors(opened);
  });
});

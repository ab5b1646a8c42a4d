// Layout and polish fixes from a review at 1280x720 and 1920x1080: each test does what the
// reviewer did and measures what is on screen (or listens for what the console logged).
import { expect, test, type Page } from '@playwright/test';
import { expectNoErrors, openApp } from './app';

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

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

const inside = (inner: Box, outer: Box, slack = 1) =>
  inner.x >= outer.x - slack && inner.y >= outer.y - slack &&
  inner.x + inner.width <= outer.x + outer.width + slack && inner.y + inner.height <= outer.y + outer.height + slack;

const overlap = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

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
    // The legend is under the tree's view, not drawn over it.
    const tree = page.getByTestId('panel-tree');
    const host = (await tree.locator('.view-fill').boundingBox())!;
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
    const opened = await openApp(page, '?scenario=mshare-basics-2024');
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

// Layout: text inside its boxes, presenter views inside the screen, presenter wording, exports
// without controls, panel captions readable in full. Each test measures what is on screen.
import { expect, test, type Locator, type Page } from '@playwright/test';
import { expectNoErrors, inside, openApp, overlap, shoot, waitIdle, type Box } from './app';


/** For every process box: its rect and the on-screen boxes of its texts (title and lines). */
async function procBoxes(page: Page): Promise<{ id: string; box: Box; texts: { text: string; box: Box }[] }[]> {
  return page.locator('g.proc-node').evaluateAll((nodes) =>
    nodes.map((n) => {
      const r = n.querySelector('rect.box')!.getBoundingClientRect();
      return {
        id: n.getAttribute('aria-label') ?? '',
        box: { x: r.x, y: r.y, width: r.width, height: r.height },
        texts: Array.from(n.querySelectorAll('text')).map((t) => {
          const b = t.getBoundingClientRect();
          return { text: t.textContent ?? '', box: { x: b.x, y: b.y, width: b.width, height: b.height } };
        }),
      };
    }),
  );
}

async function expectTextInsideBoxes(page: Page): Promise<void> {
  const nodes = await procBoxes(page);
  expect(nodes.length).toBeGreaterThan(0);
  for (const n of nodes) {
    for (const t of n.texts) {
      expect(inside(t.box, n.box), `"${t.text}" inside the box of ${n.id}: ${JSON.stringify(t.box)} in ${JSON.stringify(n.box)}`).toBe(true);
    }
  }
}

test.describe('1,500-process scenarios: box text fits, the ×N label clears its arrow', () => {
  test.use({ viewport: { width: 1920, height: 1080 } });
  test.setTimeout(180_000);

  test('database-oom: the group box holds "1397 identical processes / each: PTE … · RSS …"', async ({ page }, info) => {
    const opened = await openApp(page, '?scenario=database-oom');
    await expect(page.getByTestId('proc-group')).toHaveCount(1);
    await expect(page.getByTestId('proc-group').locator('.lines')).toContainText('identical processes');
    await expectTextInsideBoxes(page);
    await shoot(page, info, 'oom-processes', 'panel-processes');
    await expectNoErrors(opened);
  });

  test('database-no-sharing: "RSS 64M" is inside its box', async ({ page }, info) => {
    const opened = await openApp(page, '?scenario=database-no-sharing');
    await expect(page.getByTestId('proc-mm').first().locator('.lines')).toContainText('RSS');
    await expectTextInsideBoxes(page);
    await shoot(page, info, 'no-sharing-processes', 'panel-processes');
    await expectNoErrors(opened);
  });

  test('database-mshare in presenter mode: text fits, ×1500 clear of its dashed arrow', async ({ page }, info) => {
    const opened = await openApp(page, '?scenario=database-mshare&present&views=processes');
    await expect(page.getByTestId('talk-screen')).toHaveAttribute('data-mode', 'presenter');
    await expectTextInsideBoxes(page);
    const label = page.locator('[data-talk-view="processes"] text.proc-edge-label');
    await expect(label).toHaveText(/^×\d+$/);
    // Clear of its own line and arrowhead, and nearer to them than to any other edge (review 15:
    // "×20" sat beside another process's edge and arrowhead). The label may sit in the bend of its
    // own edge, inside the edge's bounding box, when the other side is taken: distances are to
    // the path as drawn (the arrowhead: about 11 units back from the tip, 6.5 either side).
    const geo = await label.evaluate((t) => {
      const svg = (t as SVGTextElement).ownerSVGElement!;
      const l = t.getBoundingClientRect();
      const dist = (p: SVGPathElement): number => {
        const m = p.getScreenCTM()!;
        const n = p.getTotalLength();
        let d = Infinity;
        const at = (x: number, y: number) => {
          const sx = m.a * x + m.c * y + m.e;
          const sy = m.b * x + m.d * y + m.f;
          const dx = sx < l.left ? l.left - sx : sx > l.right ? sx - l.right : 0;
          const dy = sy < l.top ? l.top - sy : sy > l.bottom ? sy - l.bottom : 0;
          d = Math.min(d, Math.hypot(dx, dy));
        };
        for (let s = 0; s <= n; s += 0.5) {
          const q = p.getPointAtLength(s);
          at(q.x, q.y);
          const back = n - s;
          if (back <= 11) for (const side of [-1, 1]) at(q.x + side * 6.5 * (back / 11), q.y);
        }
        return d;
      };
      const id = t.getAttribute('data-edge');
      const paths = Array.from(svg.querySelectorAll<SVGPathElement>('path.proc-edge'));
      return {
        label: { x: l.x, y: l.y, width: l.width, height: l.height },
        own: dist(paths.find((p) => p.getAttribute('data-edge') === id)!),
        others: paths.filter((p) => p.getAttribute('data-edge') !== id).map(dist),
      };
    });
    expect(geo.own, 'off its own line and arrowhead').toBeGreaterThanOrEqual(2);
    for (const d of geo.others) expect(d, `nearer its own edge (${geo.own.toFixed(1)} px) than another`).toBeGreaterThan(geo.own + 4);
    // And of every other edge and box.
    const others = await page.locator('[data-talk-view="processes"]').evaluate((pane) =>
      Array.from(pane.querySelectorAll('rect.box')).map((r) => {
        const b = r.getBoundingClientRect();
        return { x: b.x, y: b.y, width: b.width, height: b.height };
      }),
    );
    for (const b of others) expect(overlap(geo.label, b)).toBe(false);
    await shoot(page, info, 'mshare-presenter');
    await expectNoErrors(opened);
  });
});

const SIZES = [
  { width: 1280, height: 720 },
  { width: 1440, height: 900 },
  { width: 1920, height: 1080 },
];

async function rect(l: Locator): Promise<Box> {
  const b = await l.boundingBox();
  expect(b).not.toBeNull();
  return b!;
}

for (const size of SIZES) {
  test.describe(`presenter mode at ${size.width}x${size.height}`, () => {
    test.use({ viewport: size });

    test('the chosen views fit the screen under the caption', async ({ page }, info) => {
      const opened = await openApp(page, '?scenario=fork-cow&step=12&present&views=tree,chart');
      const screen = { x: 0, y: 0, ...size };
      const caption = await rect(page.getByTestId('talk-caption'));
      const footer = await rect(page.locator('.talk-footer'));
      const check = async (views: string[]) => {
        for (const v of views) {
          const pane = page.locator(`[data-talk-view="${v}"]`);
          const p = await rect(pane);
          expect(inside(p, screen), `${v} pane inside the screen`).toBe(true);
          expect(p.y).toBeGreaterThanOrEqual(caption.y + caption.height - 0.5);
          expect(p.y + p.height).toBeLessThanOrEqual(footer.y + 0.5);
          expect(p.height).toBeGreaterThan(120);
          const content =
            v === 'chart' ? pane.locator('svg.talk-chart') :
            v === 'addrspace' ? pane.locator('svg.as-svg') :
            v === 'counters' ? pane.getByTestId('talk-counters') :
            v === 'physmem' ? pane.locator('canvas') : null;
          if (content) expect(inside(await rect(content), p), `${v} drawing inside its pane`).toBe(true);
          if (v === 'chart') {
            // The x axis and its labels are on screen, inside the pane.
            for (const t of await pane.locator('.tc-axis text').all()) expect(inside(await rect(t), p)).toBe(true);
          }
        }
      };
      await check(['tree', 'chart']);
      await shoot(page, info, `tree-chart-${size.width}`);
      for (const pair of [['addrspace', 'counters'], ['processes', 'physmem'], ['chart']]) {
        await page.evaluate((views) => window.mshareExplorer!.talk.present(views), pair);
        await expect(page.locator('[data-talk-view]')).toHaveCount(pair.length);
        await page.waitForTimeout(100);
        await waitIdle(page);
        await check(pair);
        await shoot(page, info, `${pair.join('-')}-${size.width}`);
      }
      await expectNoErrors(opened);
    });
  });
}

test.describe('presenter mode: the tree without a processes view', () => {
  test.use({ viewport: { width: 1440, height: 900 } });

  test('says how to go on in presenter terms, and shows a process as soon as one runs', async ({ page }, info) => {
    const opened = await openApp(page, '?scenario=fork-cow&step=0&present&views=tree,chart');
    const empty = page.getByTestId('talk-empty');
    await expect(empty).toBeVisible();
    await expect(empty).not.toContainText('processes view');
    await expect(empty).toContainText('→');
    await shoot(page, info, 'tree-step0');
    // Step on until the first process runs: it is chosen without any processes view.
    for (let i = 0; i < 6 && (await page.locator('[data-talk-view="tree"] [data-testid="pt-node"]').count()) === 0; i++) {
      await page.keyboard.press('ArrowRight');
      await waitIdle(page);
    }
    await expect(page.locator('[data-talk-view="tree"] [data-testid="pt-node"]').first()).toBeVisible();
    await expect(empty).toHaveCount(0);
    await expect(page.locator('[data-talk-view="tree"] .talk-pane-title')).toContainText('Page tables of');
    // Later, parent and child side by side (the pair the scenario compares).
    await page.evaluate(() => window.mshareExplorer!.goto(12));
    await expect(page.locator('[data-talk-view="tree"] .talk-pane-title')).toHaveText(/Page tables of \S+ and \S+/);
    await shoot(page, info, 'tree-step12');
    await expectNoErrors(opened);
  });
});

test.describe('exports leave out controls', () => {
  test.use({ viewport: { width: 1440, height: 900 } });

  test('no collapse buttons in the tree, no click hint in the address space', async ({ page }) => {
    const opened = await openApp(page, '?scenario=fork-cow');
    // On screen they are there...
    await expect(page.locator('[data-testid="panel-tree"] .pt-toggle').first()).toBeVisible();
    await expect(page.getByTestId('panel-addrspace').locator('.as-strip-label')).toContainText('click: read');
    // ...in the exports not.
    const tree = await page.evaluate(() => window.mshareExplorer!.talk.exportSvg('tree'));
    expect(tree).toContain('PGD');
    expect(tree).not.toContain('pt-toggle');
    expect(tree).not.toMatch(/>[−+]</);
    expect(tree).not.toContain('role="button"');
    const as = await page.evaluate(() => window.mshareExplorer!.talk.exportSvg('addrspace'));
    expect(as).toContain('present)');
    expect(as).not.toContain('click: read');
    expect(as).not.toContain('shift-click');
    // The same off screen (presenter mode shows other views) and in the PNG's source.
    await page.evaluate(() => window.mshareExplorer!.talk.present(['chart']));
    const off = await page.evaluate(() => window.mshareExplorer!.talk.exportSvg('tree'));
    expect(off).toContain('PGD');
    expect(off).not.toMatch(/>[−+]</);
    const png = await page.evaluate(() => window.mshareExplorer!.talk.exportPng('addrspace', 1));
    expect(png.width).toBeGreaterThan(100);
    // The live views still have their controls after the export.
    await page.evaluate(() => window.mshareExplorer!.talk.leave());
    await expect(page.locator('[data-testid="panel-tree"] .pt-toggle').first()).toBeVisible();
    await expectNoErrors(opened);
  });
});

for (const size of [{ width: 1440, height: 900 }, { width: 1280, height: 720 }]) {
  test.describe(`panel captions at ${size.width}x${size.height}`, () => {
    test.use({ viewport: size });

    test('every caption is readable in full: not cut, not ellipsised, inside its panel', async ({ page }, info) => {
      const opened = await openApp(page, '?scenario=mshare-basics-2024');
      const heads = await page.locator('.panel').evaluateAll((panels) =>
        panels.flatMap((p) => {
          const c = p.querySelector<HTMLElement>(':scope > .panel-head > .caption');
          if (!c) return [];
          const pr = p.getBoundingClientRect();
          const cr = c.getBoundingClientRect();
          const cs = getComputedStyle(c);
          return [{
            panel: p.getAttribute('data-testid'),
            text: c.textContent ?? '',
            clipped: c.scrollWidth > c.clientWidth + 1 || c.scrollHeight > c.clientHeight + 1,
            ellipsis: cs.textOverflow === 'ellipsis' && cs.whiteSpace === 'nowrap',
            lineHeight: parseFloat(cs.lineHeight) || parseFloat(cs.fontSize) * 1.3,
            caption: { x: cr.x, y: cr.y, width: cr.width, height: cr.height },
            box: { x: pr.x, y: pr.y, width: pr.width, height: pr.height },
          }];
        }),
      );
      expect(heads.map((h) => h.panel)).toEqual(expect.arrayContaining(['panel-processes', 'panel-tree', 'panel-addrspace', 'panel-physmem']));
      for (const h of heads) {
        expect(h.text.length).toBeGreaterThan(20);
        expect(h.clipped, `${h.panel} caption clipped`).toBe(false);
        expect(h.ellipsis, `${h.panel} caption ellipsised`).toBe(false);
        expect(inside(h.caption, h.box), `${h.panel} caption inside its panel`).toBe(true);
        // Wrapped, but not into a tall column: at most three lines.
        expect(h.caption.height).toBeLessThanOrEqual(h.lineHeight * 3 + 2);
      }
      await shoot(page, info, `captions-${size.width}`);
      await expectNoErrors(opened);
    });
  });
}

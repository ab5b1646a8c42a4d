// Review 15, the drawings: the address-space strip's zero page against a page that is not
// present, and its legend; the tree's zero-page rows; the tree at 1280x800.
import { expect, test, type Page } from '@playwright/test';
import { expectNoErrors, inside, openApp } from './app';

/** WCAG contrast of two CSS colours as the browser computes them (canvas resolves any syntax). */
async function ratio(page: Page, a: string, b: string): Promise<number> {
  return page.evaluate(([x, y]) => {
    const ctx = document.createElement('canvas').getContext('2d', { willReadFrequently: true })!;
    const lum = (c: string) => {
      ctx.clearRect(0, 0, 1, 1);
      ctx.fillStyle = '#000';
      ctx.fillStyle = c;
      ctx.fillRect(0, 0, 1, 1);
      const [r, g, bl] = [...ctx.getImageData(0, 0, 1, 1).data].slice(0, 3).map((v) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
    };
    const [p, q] = [lum(x), lum(y)];
    return (Math.max(p, q) + 0.05) / (Math.min(p, q) + 0.05);
  }, [a, b] as const);
}

/** A strip cell's drawn colours (its fill is set inline from the frame use, its edge by main.css). */
async function cell(page: Page, va: string) {
  return page.locator(`[data-testid="panel-addrspace"] rect.page[data-va="${va}"]`).evaluate((r) => {
    const s = getComputedStyle(r);
    return { cls: r.getAttribute('class') ?? '', fill: s.fill, stroke: s.stroke, opacity: s.opacity, panel: getComputedStyle(r.closest('.panel')!).backgroundColor };
  });
}

test.describe('1280x800', () => {
  test.use({ viewport: { width: 1280, height: 800 } });

  test('address-space strip: the zero page is a filled, outlined cell, a page not present an empty slot; the legend says which', async ({ page }, info) => {
    // zero-page step 23: 255 of buf's 256 pages map the zero page; fork-cow step 7: 1 of 4 present.
    const opened = await openApp(page, '?scenario=zero-page&step=23');
    for (const theme of ['light', 'dark'] as const) {
      if (theme === 'dark') await page.getByRole('button', { name: 'Switch to dark theme' }).click();
      await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
      const zero = await cell(page, '0x40000000');
      expect(zero.cls).toContain('u-zero');
      // Its fill or its edge stands out from the panel (3:1, WCAG's for graphics; the light grey
      // fill is 1.7:1 on white, so there the dark edge does it), and it is drawn at full strength.
      const seen = Math.max(await ratio(page, zero.fill, zero.panel), await ratio(page, zero.stroke, zero.panel));
      expect(seen, `${theme}: zero page ${zero.fill} edged ${zero.stroke} on ${zero.panel}`).toBeGreaterThanOrEqual(3);
      expect(zero.opacity).toBe('1');
      const legend = page.getByRole('list', { name: 'Page cells' });
      await expect(legend).toContainText('zero page');
      await expect(legend).toContainText('not present');
      await page.getByTestId('panel-addrspace').screenshot({ path: info.outputPath(`strip-zero-${theme}.png`) });
    }
    await page.getByRole('button', { name: 'Switch to light theme' }).click();
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
    await expectNoErrors(opened);
    const again = await openApp(page, '?scenario=fork-cow&step=7');
    const absent = await cell(page, '0x40001000');
    expect(absent.cls).not.toContain('present');
    // Not present: the panel's own colour inside an outline, where the zero page is filled.
    expect(await ratio(page, absent.fill, absent.panel)).toBeCloseTo(1, 2);
    await expect(page.getByRole('list', { name: 'VMA kinds' })).toContainText('mshare');
    await page.getByTestId('panel-addrspace').screenshot({ path: info.outputPath('strip-absent.png') });
    await expectNoErrors(again);
  });

  // Review 15: the columns ran past the panel at the readable scale, "shared by 2 processes"
  // cut to "shared by 2" (to a sliver comparing a with b) and the leaf row cut, a third of the
  // panel empty below. Stacked, the whole tree is in view, the badge and the leaf row too.
  for (const compare of [null, 'b'] as const) {
    test(`hugetlb-pmd-share${compare ? ` compared with ${compare}` : ''}: the tree, its sharing badge and leaf row in view at a readable scale`, async ({ page }, info) => {
      const opened = await openApp(page, `?scenario=hugetlb-pmd-share&step=${compare ? 17 : 12}`);
      const tree = page.getByTestId('panel-tree');
      if (compare) await tree.getByLabel(/compare with/i).selectOption({ label: compare });
      await expect(tree.locator('g.pt-node')).toHaveCount(compare ? 5 : 3);
      await page.waitForTimeout(300);
      const host = (await tree.locator('.view-fill').boundingBox())!;
      const badge = tree.locator('g.pt-badge:not([display="none"])');
      await expect(badge.locator('text')).toHaveText(compare ? 'shared by 2 processes' : 'shared by 2 processes · 1 drawn');
      for (const el of [badge, ...(await tree.locator('rect.pt-box').all()), tree.locator('[data-level="PMD"] g.pt-row text.r')]) {
        const b = (await el.boundingBox())!;
        expect(inside(b, host), `${JSON.stringify(b)} in ${JSON.stringify(host)}`).toBe(true);
      }
      await expect(tree.locator('[data-level="PMD"] g.pt-row text.r')).toHaveText('32× 2M hugetlb → 0x200,… RW');
      // Readable: the rows' type at 9.5 px or more (10.5 px at the readable 0.9).
      const rowPx = await tree.locator('g.pt-row text.l').first().evaluate((t) => (t as SVGTextElement).getBoundingClientRect().height);
      expect(rowPx).toBeGreaterThanOrEqual(10);
      await expect(tree.locator('.tree-host')).not.toHaveClass(/more-(right|below)/);
      await tree.screenshot({ path: info.outputPath(`hugetlb-tree${compare ? '-cmp' : ''}.png`) });
      await expectNoErrors(opened);
    });
  }
});

test.describe('1366x768', () => {
  test.use({ viewport: { width: 1366, height: 768 } });

  // Review 18: a panel under 300 px high fits neither drawing whole; the columns were kept and
  // cut at the right (the badge and two levels out of view). The stack needs less shrinking:
  // drawn at the readable scale, everything is in view across, the last box's foot below.
  test('hugetlb-pmd-share compared with b: stacked, the sharing badge and every box in view across', async ({ page }, info) => {
    const opened = await openApp(page, '?scenario=hugetlb-pmd-share&step=17');
    const tree = page.getByTestId('panel-tree');
    await tree.getByLabel(/compare with/i).selectOption({ label: 'b' });
    await expect(tree.locator('g.pt-node')).toHaveCount(5);
    await page.waitForTimeout(300);
    const host = (await tree.locator('.view-fill').boundingBox())!;
    const badge = tree.locator('g.pt-badge:not([display="none"])');
    await expect(badge.locator('text')).toHaveText('shared by 2 processes');
    for (const el of [badge, ...(await tree.locator('rect.pt-box').all())]) {
      const b = (await el.boundingBox())!;
      expect(b.x >= host.x - 1 && b.x + b.width <= host.x + host.width + 1, `${JSON.stringify(b)} across ${JSON.stringify(host)}`).toBe(true);
    }
    const bb = (await badge.boundingBox())!;
    expect(bb.y >= host.y && bb.y + bb.height <= host.y + host.height).toBe(true);
    await expect(tree.locator('.tree-host')).not.toHaveClass(/more-right/);
    await tree.screenshot({ path: info.outputPath('hugetlb-tree-1366.png') });
    await expectNoErrors(opened);
  });

  // Review 20: fork-cow ends compared with the child; one stack of both chains did not fit and
  // the columns drawn instead hid the PTE level (which frame each process maps, RO or RW).
  test('fork-cow at its end: the parent\'s and the child\'s chains side by side, every table and its PTE row in view', async ({ page }, info) => {
    const opened = await openApp(page, '?scenario=fork-cow');
    const tree = page.getByTestId('panel-tree');
    await expect(tree.getByLabel(/compare with/i)).toHaveValue(/.+/);
    await expect(tree.locator('g.pt-node')).toHaveCount(8);
    await page.waitForTimeout(300);
    const host = (await tree.locator('.view-fill').boundingBox())!;
    for (const box of await tree.locator('rect.pt-box').all()) {
      const b = (await box.boundingBox())!;
      expect(inside(b, host, 1), `${JSON.stringify(b)} in ${JSON.stringify(host)}`).toBe(true);
    }
    await expect(tree.locator('.tree-host')).not.toHaveClass(/more-/);
    await expect(tree.locator('[data-level="PTE"]')).toHaveCount(2);
    await tree.screenshot({ path: info.outputPath('fork-cow-tree-1366.png') });
    await expectNoErrors(opened);
  });
});

test.describe('1280x800, stacked trees that grew', () => {
  test.use({ viewport: { width: 1280, height: 800 } });
  // A stacked tree is drawn because it fits whole; fitted while it was small (loading a step
  // replays the steps before it), it must be fitted again as tables are added.
  for (const [id, step] of [['mshare-basics-2024', 28], ['fork-cow', 25]] as const) {
    test(`${id} step ${step}: every table in view`, async ({ page }) => {
      const opened = await openApp(page, `?scenario=${id}&step=${step}`);
      const tree = page.getByTestId('panel-tree');
      await page.waitForTimeout(300);
      const host = (await tree.locator('.view-fill').boundingBox())!;
      const boxes = await tree.locator('rect.pt-box').all();
      expect(boxes.length).toBeGreaterThanOrEqual(4);
      for (const b of boxes) expect(inside((await b.boundingBox())!, host)).toBe(true);
      await expect(tree.locator('.tree-host')).not.toHaveClass(/more-(right|below)/);
      await expectNoErrors(opened);
    });
  }
});

test('zero-page: a PTE run that maps the zero page over and over says "all → 0x100", its tooltip "all pfn 0x100"', async ({ page }) => {
  const opened = await openApp(page, '?scenario=zero-page&step=23');
  const rows = page.getByTestId('panel-tree').locator('[data-level="PTE"] g.pt-row');
  await expect(rows.locator('text.r')).toHaveText(['2× zero all → 0x100 RO', 'anon → 0x109 RW', '253× zero all → 0x100 RO']);
  await expect(rows.nth(2).locator('title')).toHaveText(/253 × 4K \(zero 253\), all pfn 0x100, read-only$/);
  await expectNoErrors(opened);
});

// Accessibility review, visual side: the layout at 200 % zoom and other narrow windows, Space on
// the drawings' buttons, reduced motion, text contrast, the editors' focus ring, the process
// boxes' and VMAs' names and pressed state, and a focused node panned into view.
import { expect, test, type Page } from '@playwright/test';
import { expectNoErrors, inside, openApp, waitIdle, type Box } from './app';

const PANELS = ['panel-processes', 'panel-physmem', 'panel-addrspace', 'panel-tree', 'details'] as const;

async function panelBox(page: Page, testId: string): Promise<Box> {
  return page.getByTestId(testId).evaluate((p) => {
    const r = p.getBoundingClientRect();
    return { x: r.x + scrollX, y: r.y + scrollY, width: r.width, height: r.height };
  });
}

/** Panels placed in the document (page coordinates, so a scrolled page compares too). */
async function layoutOf(page: Page) {
  return page.evaluate(() => {
    const box = (el: Element) => {
      const r = el.getBoundingClientRect();
      return { x: r.x + scrollX, y: r.y + scrollY, width: r.width, height: r.height };
    };
    const doc = document.scrollingElement!;
    return {
      scrollHeight: doc.scrollHeight,
      scrollWidth: doc.scrollWidth,
      innerWidth,
      innerHeight,
      columns: getComputedStyle(document.querySelector('.grid')!).gridTemplateColumns.split(' ').length,
      console: box(document.querySelector('.console-panel')!),
      canvas: box(document.querySelector('.pm-canvas')!),
      pmHost: box(document.querySelector('.pm-host')!),
    };
  });
}

const narrow = [
  { name: '640x360 at 2x (1280x720 at 200 %)', viewport: { width: 640, height: 360 }, deviceScaleFactor: 2, columns: 1 },
  { name: '800x600', viewport: { width: 800, height: 600 }, deviceScaleFactor: 1, columns: 2 },
];

for (const size of narrow) {
  test.describe(`narrow window ${size.name}`, () => {
    test.use({ viewport: size.viewport, deviceScaleFactor: size.deviceScaleFactor });

    test('the panels reflow and the page scrolls: every panel usable, nothing clipped', async ({ page }, info) => {
      const opened = await openApp(page);
      await page.getByRole('log', { name: 'Console output' }).waitFor();
      const l = await layoutOf(page);
      expect(l.columns).toBe(size.columns);
      expect(l.scrollHeight, 'the page scrolls to the panels below').toBeGreaterThan(l.innerHeight);
      expect(l.scrollWidth, 'and never sideways').toBeLessThanOrEqual(l.innerWidth + 1);
      const boxes = [];
      for (const id of PANELS) {
        const b = await panelBox(page, id);
        boxes.push({ id, b });
        expect(b.width, `${id} width`).toBeGreaterThanOrEqual(280);
        expect(b.height, `${id} height`).toBeGreaterThanOrEqual(id === 'panel-addrspace' ? 200 : 250);
        expect(b.y + b.height, `${id} within the document`).toBeLessThanOrEqual(l.scrollHeight);
      }
      expect(l.console.height).toBeGreaterThanOrEqual(250);
      boxes.push({ id: 'console', b: l.console });
      for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
          const [a, b] = [boxes[i].b, boxes[j].b];
          const apart = a.x + a.width <= b.x + 1 || b.x + b.width <= a.x + 1 || a.y + a.height <= b.y + 1 || b.y + b.height <= a.y + 1;
          expect(apart, `${boxes[i].id} and ${boxes[j].id} do not overlap`).toBe(true);
        }
      }
      // The frame map whole inside its host (which clips): not cut off at the bottom.
      expect(l.canvas.height).toBeGreaterThan(100);
      expect(inside(l.canvas, l.pmHost, 1), `frame map ${JSON.stringify(l.canvas)} inside ${JSON.stringify(l.pmHost)}`).toBe(true);
      // The tree and the graph draw at a usable size.
      const tree = page.getByTestId('panel-tree').locator('svg.pt-svg');
      expect((await tree.boundingBox())!.height).toBeGreaterThanOrEqual(200);
      expect((await tree.boundingBox())!.width).toBeGreaterThanOrEqual(280);
      // Every panel can be scrolled to: the console comes into view.
      await page.getByRole('log', { name: 'Console output' }).scrollIntoViewIfNeeded();
      await expect(page.getByRole('log', { name: 'Console output' })).toBeInViewport();
      await page.evaluate(() => scrollTo(0, 0));
      await page.screenshot({ path: info.outputPath(`narrow-${size.viewport.width}.png`), fullPage: true });
      await expectNoErrors(opened);
    });
  });
}

for (const viewport of [{ width: 1280, height: 720 }, { width: 1920, height: 1080 }, { width: 1024, height: 768 }]) {
  test.describe(`desk layout ${viewport.width}x${viewport.height}`, () => {
    test.use({ viewport });

    test('three columns, the whole app on one screen', async ({ page }, info) => {
      const opened = await openApp(page);
      await page.getByRole('log', { name: 'Console output' }).waitFor();
      const l = await layoutOf(page);
      expect(l.columns).toBe(3);
      expect(l.scrollHeight).toBe(l.innerHeight);
      expect(l.scrollWidth).toBe(l.innerWidth);
      await page.screenshot({ path: info.outputPath(`desk-${viewport.width}.png`) });
      await expectNoErrors(opened);
    });
  });
}

test.describe('buttons in the drawings', () => {
  // A page that scrolls (the narrow layout), so a Space that is not prevented would scroll it.
  test.use({ viewport: { width: 800, height: 600 } });

  test('Space presses a process box, a VMA and a collapse button like Enter, and the page does not scroll', async ({ page }) => {
    const opened = await openApp(page);
    const before = await page.evaluate(() => window.mshareExplorer!.position());
    const db1 = page.getByRole('button', { name: /^process db1 pid 2\b/ });
    const db0 = page.getByRole('button', { name: /^process db0 pid 1\b/ });
    await expect(db0).toHaveAttribute('aria-pressed', 'true');
    await expect(db1).toHaveAttribute('aria-pressed', 'false');
    await db1.focus();
    const y = await page.evaluate(() => scrollY);
    await page.keyboard.press(' ');
    await waitIdle(page);
    await expect(db1).toHaveAttribute('aria-pressed', 'true');
    await expect(db0).toHaveAttribute('aria-pressed', 'false');
    await expect(page.getByRole('heading', { name: 'Address space of db1' })).toBeVisible();
    expect(await page.evaluate(() => scrollY), 'Space did not scroll the page').toBe(y);

    const vma = page.getByRole('button', { name: /^VMA sga / });
    await expect(vma).toHaveAttribute('aria-pressed', 'false');
    await vma.focus();
    const y2 = await page.evaluate(() => scrollY);
    await page.keyboard.press(' ');
    await expect(vma).toHaveAttribute('aria-pressed', 'true');
    await expect(vma).toHaveClass(/selected/);
    expect(await page.evaluate(() => scrollY)).toBe(y2);

    const toggle = page.getByRole('button', { name: /^Collapse PTE / }).first();
    const name = (await toggle.getAttribute('aria-label'))!;
    await toggle.focus();
    const y3 = await page.evaluate(() => scrollY);
    await page.keyboard.press(' ');
    await expect(page.getByRole('button', { name: name.replace('Collapse', 'Expand') })).toBeFocused();
    expect(await page.evaluate(() => scrollY)).toBe(y3);
    // Enter still presses them.
    await db0.focus();
    await page.keyboard.press('Enter');
    await expect(db0).toHaveAttribute('aria-pressed', 'true');
    expect(await page.evaluate(() => window.mshareExplorer!.position())).toEqual(before);
    await expectNoErrors(opened);
  });

  test('a process box\'s name holds the lines drawn in it; the host\'s too', async ({ page }) => {
    const opened = await openApp(page);
    const nodes = await page.locator('g.proc-node').evaluateAll((gs) =>
      gs.map((g) => ({ label: g.getAttribute('aria-label') ?? '', texts: Array.from(g.querySelectorAll('text')).map((t) => t.textContent ?? '') })),
    );
    expect(nodes.length).toBe(3);
    for (const n of nodes) {
      for (const t of n.texts) {
        const spoken = t.replace(/\s+·\s+/g, ', ').replace(/\s+/g, ' ').trim();
        expect(n.label, `"${t}" in the name`).toContain(spoken);
      }
    }
    await expect(page.getByRole('button', { name: 'process db0 pid 1, mm 1, PTE 0, RSS 0, 1 mshare VMA' })).toBeVisible();
    await expect(page.getByRole('button', { name: /^mshare host host mm 2, mshare:sga, 2 sharers, owner db0, PTE/ })).toBeVisible();
    await expectNoErrors(opened);
  });

  test('a group of identical processes says how many', async ({ page }) => {
    const opened = await openApp(page);
    await page.evaluate(() => window.mshareExplorer!.loadScenario('spawn p\nrepeat 6: p: fork as c{i}'));
    await waitIdle(page);
    const group = page.getByTestId('proc-group');
    await expect(group).toHaveCount(1);
    await expect(group).toHaveAttribute('aria-label', /identical processes/);
    await expectNoErrors(opened);
  });
});

test.describe('keyboard focus in a zoomed drawing', () => {
  test.use({ viewport: { width: 1280, height: 720 } });

  test('Tab to a collapse button beyond the tree panel\'s edge pans the tree to show it', async ({ page }, info) => {
    const opened = await openApp(page);
    const svg = page.getByTestId('panel-tree').locator('svg.pt-svg');
    const view = (await svg.boundingBox())!;
    // db1's PGD, last in the stacked tree (at 1280x720 neither drawing fits; the stack needs
    // less shrinking): its button starts below the panel's edge.
    const target = page.getByRole('button', { name: /^Collapse PGD 0xc/ });
    expect(inside((await target.boundingBox())!, view)).toBe(false);
    await page.getByRole('button', { name: 'Fit' }).last().focus();
    let found = false;
    for (let i = 0; i < 40 && !found; i++) {
      await page.keyboard.press('Tab');
      found = await target.evaluate((t) => document.activeElement === t);
    }
    expect(found, 'Tab reaches db1\'s PGD button').toBe(true);
    const b = (await target.boundingBox())!;
    expect(inside(b, view), `the focused button ${JSON.stringify(b)} inside the tree ${JSON.stringify(view)}`).toBe(true);
    expect(b.x + b.width).toBeLessThanOrEqual(1280);
    // The panel itself was not scrolled (its header stays put).
    expect(await page.getByTestId('panel-tree').evaluate((p) => p.scrollLeft + p.scrollTop)).toBe(0);
    await page.getByTestId('panel-tree').screenshot({ path: info.outputPath('tree-focus-panned.png') });
    await expectNoErrors(opened);
  });
});

/** The WCAG contrast ratio of two CSS colours as the browser computes them (any syntax: canvas resolves it). */
async function contrastPairs(page: Page): Promise<{ what: string; fg: string; bg: string; ratio: number }[]> {
  return page.evaluate(() => {
    const ctx = document.createElement('canvas').getContext('2d', { willReadFrequently: true })!;
    const rgb = (c: string): [number, number, number] => {
      ctx.clearRect(0, 0, 1, 1);
      ctx.fillStyle = '#000';
      ctx.fillStyle = c;
      ctx.fillRect(0, 0, 1, 1);
      const d = ctx.getImageData(0, 0, 1, 1).data;
      return [d[0], d[1], d[2]];
    };
    const lum = (c: [number, number, number]) => {
      const [r, g, b] = c.map((v) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const ratio = (a: string, b: string) => {
      const [x, y] = [lum(rgb(a)), lum(rgb(b))];
      return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
    };
    const out: { what: string; fg: string; bg: string; ratio: number }[] = [];
    const add = (what: string, fgEl: Element, bgColour: string) => {
      const fg = getComputedStyle(fgEl).fill;
      out.push({ what, fg, bg: bgColour, ratio: ratio(fg, bgColour) });
    };
    const panelBg = (el: Element) => getComputedStyle(el.closest('.panel')!).backgroundColor;
    for (const t of document.querySelectorAll('.proc-edge-label')) add(`edge label ${t.textContent}`, t, panelBg(t));
    for (const b of document.querySelectorAll('.pt-badge')) {
      if (b.getAttribute('display') === 'none') continue;
      add(`badge "${b.querySelector('text')!.textContent}"`, b.querySelector('text')!, getComputedStyle(b.querySelector('rect')!).fill);
    }
    for (const n of document.querySelectorAll('.pt-node')) {
      const head = getComputedStyle(n.querySelector('.pt-head')!).fill;
      const lvl = n.getAttribute('data-level');
      add(`${lvl} subtitle`, n.querySelector('.pt-sub')!, head);
      add(`${lvl} toggle`, n.querySelector('.pt-toggle')!, head);
      add(`${lvl} title`, n.querySelector('.pt-title')!, head);
    }
    return out;
  });
}

test.describe('text contrast', () => {
  test.use({ viewport: { width: 1920, height: 1080 } });

  test('edge labels, sharing badges and table headers reach 4.5:1 in both themes', async ({ page }, info) => {
    const opened = await openApp(page);
    // Four fork children of one parent, all attached to the region: a group box and its "×N" edge.
    await page.evaluate(() => window.mshareExplorer!.loadScenario([
      'machine ram=512M mshare=2024', 'mount msharefs', 'spawn db0',
      'db0: open /sys/fs/mshare/sga create as F', 'db0: mmap 0x10000000000 512G rw shared fd=F as sga',
      'db0: mmap 0x10000000000 1M rw shared,anon,fixed', 'db0: touch sga 64K write',
      'repeat 6: db0: fork as db{i}', 'repeat 6: db{i}: touch sga 4K read',
    ].join('\n')));
    await waitIdle(page);
    await page.getByRole('button', { name: /^process db0 pid 1\b/ }).click();
    await waitIdle(page);
    for (const theme of ['light', 'dark'] as const) {
      if (theme === 'dark') await page.getByRole('button', { name: 'Switch to dark theme' }).click();
      await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
      const pairs = await contrastPairs(page);
      const kinds = ['edge label', 'badge', 'PGD subtitle', 'PUD subtitle', 'PMD subtitle', 'PTE subtitle', 'PTE toggle', 'PGD toggle'];
      for (const k of kinds) expect(pairs.some((p) => p.what.startsWith(k)), `${k} drawn (${theme})`).toBe(true);
      for (const p of pairs) expect(p.ratio, `${theme}: ${p.what} ${p.fg} on ${p.bg}`).toBeGreaterThanOrEqual(4.5);
      await page.getByTestId('panel-tree').screenshot({ path: info.outputPath(`contrast-tree-${theme}.png`) });
      await page.getByTestId('panel-processes').screenshot({ path: info.outputPath(`contrast-processes-${theme}.png`) });
    }
    await expectNoErrors(opened);
  });
});

test.describe('editors', () => {
  test.use({ viewport: { width: 1280, height: 720 } });

  test('the console and the script editor show a focus ring like the other controls', async ({ page }, info) => {
    const opened = await openApp(page);
    await page.getByRole('log', { name: 'Console output' }).waitFor();
    const accent = await page.evaluate(() => {
      const b = document.createElement('button');
      document.body.append(b);
      const c = getComputedStyle(b).getPropertyValue('color');
      b.style.color = 'var(--accent)';
      const a = getComputedStyle(b).color;
      b.remove();
      return a !== c ? a : '';
    });
    const ring = (sel: string) => page.locator(sel).evaluate((e) => {
      const s = getComputedStyle(e);
      return { style: s.outlineStyle, width: parseFloat(s.outlineWidth), colour: s.outlineColor };
    });
    await page.keyboard.press('/');
    await expect(page.locator('.console-input .cm-editor')).toHaveClass(/cm-focused/);
    const c = await ring('.console-input .cm-editor');
    expect(c.style).toBe('solid');
    expect(c.width).toBeGreaterThanOrEqual(2);
    if (accent) expect(c.colour).toBe(accent);
    await page.locator('.bottom').screenshot({ path: info.outputPath('console-focus.png') });

    await page.getByRole('tab', { name: 'Script' }).click();
    await page.getByLabel('Script editor').focus();
    await expect(page.locator('.script-editor .cm-editor')).toHaveClass(/cm-focused/);
    const s = await ring('.script-editor .cm-editor');
    expect(s.style).toBe('solid');
    expect(s.width).toBeGreaterThanOrEqual(2);
    await page.locator('.bottom').screenshot({ path: info.outputPath('script-focus.png') });
    await expectNoErrors(opened);
  });
});

/** Opens the app without openApp's setAnimations(false): what a user with the system setting sees. */
async function openAsIs(page: Page): Promise<string[]> {
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  await page.waitForFunction(() => !!window.mshareExplorer);
  await page.evaluate(() => window.mshareExplorer!.ready);
  await waitIdle(page);
  return errors;
}

/** A walk, fresh table pages in the tree and a fresh page in the strip; their animations. */
async function animated(page: Page, n: number) {
  const anim = (sel: string) => page.locator(sel).first().evaluate((e) => {
    const s = getComputedStyle(e);
    return { name: s.animationName, duration: s.animationDuration };
  });
  const exec = async (line: string) => {
    expect(await page.evaluate((l) => window.mshareExplorer!.execResult(l), line)).toMatchObject({ ok: true });
    await waitIdle(page);
  };
  await page.getByRole('tab', { name: 'Page walk' }).click();
  await page.getByLabel('Address to walk').fill('0x10000000000');
  await page.getByLabel('Address to walk').press('Enter');
  await expect(page.getByTestId('walk-level').first()).toBeVisible();
  const walk = await anim('.walk-levels li');
  // A VMA of its own, far from the others: its first touch allocates a PUD, a PMD and a PTE table.
  await exec(`db0: mmap ${0x7f0000000000 + n * 0x8000000000} 64K rw private,anon as t${n}`);
  await exec(`db0: touch t${n} 4K write`);
  await expect(page.locator('.pt-node.fresh').first()).toBeAttached();
  const node = await anim('.pt-node.fresh .pt-box');
  // The strip shows the new VMA's pages; the next page faults in fresh.
  await page.getByRole('button', { name: new RegExp(`^VMA t${n} `) }).click();
  await exec(`db0: touch t${n}+4K 4K write`);
  await expect(page.locator('.page.fresh').first()).toBeAttached();
  const fresh = await anim('.page.fresh');
  return { walk, node, page: fresh };
}

test.describe('reduced motion', () => {
  test.use({ viewport: { width: 1280, height: 720 }, reducedMotion: 'reduce' });

  test('the system setting turns the walk-in and the flashes off, even with animations on', async ({ page }) => {
    const errors = await openAsIs(page);
    expect(await page.evaluate(() => document.documentElement.classList.contains('no-anim')), 'animations off by default').toBe(true);
    const still = { name: 'none', duration: '0s' };
    expect(await animated(page, 0)).toEqual({ walk: still, node: still, page: still });
    // A saved session may turn animations on: the system setting still wins.
    await page.evaluate(() => window.mshareExplorer!.setAnimations(true));
    await expect(page.locator('.walk-levels')).toHaveClass(/animate/);
    expect(await animated(page, 1)).toEqual({ walk: still, node: still, page: still });
    expect(errors).toEqual([]);
  });
});

test.describe('no motion preference', () => {
  test.use({ viewport: { width: 1280, height: 720 }, reducedMotion: 'no-preference' });

  test('animations stay on by default', async ({ page }) => {
    const errors = await openAsIs(page);
    expect(await page.evaluate(() => document.documentElement.classList.contains('no-anim'))).toBe(false);
    const a = await animated(page, 0);
    expect([a.walk.name, a.node.name, a.page.name]).toEqual(['walk-in', 'flash-node', 'flash-page']);
    expect(errors).toEqual([]);
  });
});

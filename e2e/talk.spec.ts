// Talk mode: presenter keys, permalinks, bad links, embed mode, SVG/PNG/timeline export, the talk pack.
import { readFile } from 'node:fs/promises';
import { expect, test, type Page } from '@playwright/test';
import { expectNoErrors, openApp, position, shoot, waitIdle } from './app';
import { encodeLink, MAX_LINK_CHARS } from '../src/ui/talk/link-codec';

test.use({ viewport: { width: 1440, height: 900 } });

const talk = (page: Page) => page.getByTestId('talk-screen');
const digest = (page: Page) => page.evaluate(() => window.mshareExplorer!.digest());

/** Width and height from a PNG's IHDR chunk. */
function pngSize(bytes: Buffer): { width: number; height: number } {
  expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

test.describe('presenter mode at 1920x1080', () => {
  test.use({ viewport: { width: 1920, height: 1080 } });

  test('p opens it; arrows, space, Home/End and Shift+arrows step the timeline; the type is large', async ({ page }, info) => {
    const opened = await openApp(page, '?scenario=talk-fork-cow');
    const { total } = await position(page);
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('p');
    await expect(talk(page)).toHaveAttribute('data-mode', 'presenter');
    await expect(page.getByRole('group', { name: 'Actions' })).toHaveCount(0);
    await expect(page.getByTestId('timeline')).toHaveCount(0);
    await expect(page.locator('[data-talk-view]')).toHaveCount(2);
    const at = async () => (await position(page)).position;
    const press = async (key: string) => {
      await page.keyboard.press(key);
      await waitIdle(page);
    };
    await press('Home');
    const first = await at();
    expect(first).toBeLessThan(4);
    await expect(page.getByTestId('talk-chapter')).toHaveText('1. A process writes two private pages');
    await press('ArrowRight');
    expect(await at()).toBe(first + 1);
    await press('Space');
    expect(await at()).toBe(first + 2);
    await press('ArrowLeft');
    expect(await at()).toBe(first + 1);
    await press('PageDown');
    expect(await at()).toBe(first + 2);
    await press('Shift+ArrowRight');
    await expect(page.getByTestId('talk-chapter')).toHaveText('2. fork copies the page tables, not the pages');
    await press('ArrowRight');
    await press('ArrowRight');
    await expect(page.getByTestId('talk-note')).toContainText('own PUD, PMD and PTE pages');
    await press('End');
    await expect(page.getByTestId('talk-chapter')).toHaveText('4. The parent writes: no copy needed');
    expect(await at()).toBe(total);
    await press('Shift+ArrowLeft');
    await expect(page.getByTestId('talk-chapter')).toHaveText('4. The parent writes: no copy needed');
    const last = await at();
    expect(last).toBeLessThan(total);
    await press('Shift+ArrowLeft');
    await expect(page.getByTestId('talk-chapter')).toHaveText('3. The child writes: its page is copied');
    await press('Shift+ArrowRight');
    expect(await at()).toBe(last);
    await press('ArrowRight');
    await press('ArrowRight');
    // Readable from the back of the room: caption and tree text measured on screen.
    const sizes = await page.evaluate(() => {
      const px = (el: Element | null) => (el ? el.getBoundingClientRect().height : 0);
      return {
        chapter: parseFloat(getComputedStyle(document.querySelector('[data-testid="talk-chapter"]')!).fontSize),
        note: parseFloat(getComputedStyle(document.querySelector('[data-testid="talk-note"]')!).fontSize),
        treeTitle: px(document.querySelector('[data-talk-view="tree"] .pt-title')),
        treeRow: px(document.querySelector('[data-talk-view="tree"] .pt-row text')),
        edge: (() => {
          const e = document.querySelector('[data-talk-view="tree"] .pt-edge') as SVGPathElement | null;
          const m = e?.getScreenCTM();
          return e && m ? parseFloat(getComputedStyle(e).strokeWidth) * m.a : 0;
        })(),
      };
    });
    expect(sizes.chapter).toBeGreaterThanOrEqual(40);
    expect(sizes.note).toBeGreaterThanOrEqual(28);
    expect(sizes.treeTitle).toBeGreaterThanOrEqual(16);
    expect(sizes.treeRow).toBeGreaterThanOrEqual(13);
    expect(sizes.edge).toBeGreaterThanOrEqual(2.5);
    await shoot(page, info, 'presenter-fork-cow');
    await press('Escape');
    await expect(talk(page)).toHaveCount(0);
    await expect(page.getByRole('group', { name: 'Actions' })).toBeVisible();
    // The button too.
    await page.getByRole('button', { name: 'Present' }).click();
    await expect(talk(page)).toHaveAttribute('data-mode', 'presenter');
    await page.getByRole('button', { name: 'Leave presenter mode' }).click();
    await expect(talk(page)).toHaveCount(0);
    await expectNoErrors(opened);
  });

  test('the talk pack opens in presenter mode from the gallery, with its chapters listed', async ({ page }, info) => {
    const opened = await openApp(page);
    await page.getByRole('button', { name: 'Scenarios' }).click();
    const dialog = page.getByRole('dialog', { name: 'Scenario gallery' });
    const pack = dialog.getByRole('list', { name: 'Talk pack' });
    for (const title of ['Why page tables outgrow shared memory', 'Copy-on-write after fork', 'How mshare links a PGD entry to a shared PUD page', 'What happens when the creator exits', 'Who pays: charging policies']) {
      await expect(pack.getByRole('heading', { name: title })).toBeVisible();
    }
    await expect(dialog.getByRole('list', { name: 'Chapters of fork and copy-on-write' })).toContainText('The first write copies');
    await expect(pack.getByRole('list', { name: 'Chapters of How mshare links a PGD entry to a shared PUD page' }).getByRole('listitem')).toHaveCount(4);
    await shoot(page, info, 'gallery-talk-pack');
    await pack.getByRole('button', { name: 'Present How mshare links a PGD entry to a shared PUD page' }).click();
    await expect(talk(page)).toHaveAttribute('data-mode', 'presenter');
    await waitIdle(page);
    await expect(page.getByTestId('talk-chapter')).toHaveText('1. The creator makes a region');
    await page.keyboard.press('End');
    await waitIdle(page);
    await page.keyboard.press('Shift+ArrowRight');
    await waitIdle(page);
    await expect(page.locator('[data-talk-view="tree"] [data-testid="pt-node"][data-shared="true"]').first()).toBeVisible();
    await shoot(page, info, 'presenter-mshare-link');
    await expectNoErrors(opened);
  });
});

test('a permalink opened in a fresh page rebuilds the state: digest, step, machine, views', async ({ page, context }) => {
  const opened = await openApp(page, '?scenario=fork-cow');
  await page.evaluate(() => window.mshareExplorer!.goto(9));
  // Machine settings: 5-level paging (replays to the same step).
  await page.getByRole('button', { name: 'Machine…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Machine settings' });
  await dialog.getByLabel('Paging levels').selectOption('5');
  await dialog.getByRole('button', { name: 'Restart machine' }).click();
  await waitIdle(page);
  await page.getByRole('tab', { name: 'Counters' }).click();
  const before = { digest: await digest(page), pos: await position(page), tree: await page.locator('svg.pt-svg').getAttribute('aria-label') };
  expect(before.pos.position).toBe(9);
  // Presenter mode with the tree and the counters; Share from its footer.
  await page.keyboard.press('p');
  await page.getByLabel('Presenter view 2').selectOption('counters');
  await page.getByRole('contentinfo', { name: 'Presenter controls' }).getByRole('button', { name: 'Share', exact: true }).click();
  const input = page.getByTestId('permalink');
  await expect(input).toHaveValue(/#v=1&z=/);
  const link = await input.inputValue();
  expect(page.url()).toBe(link);
  expect(link.length).toBeLessThan(4000);

  const fresh = await context.newPage();
  const opened2 = await openApp(fresh, link.slice(link.indexOf('#')));
  await expect(talk(fresh)).toHaveAttribute('data-mode', 'presenter');
  expect(await fresh.locator('[data-talk-view]').evaluateAll((els) => els.map((e) => e.getAttribute('data-talk-view')))).toEqual(['tree', 'counters']);
  expect(await digest(fresh)).toBe(before.digest);
  expect(await position(fresh)).toEqual(before.pos);
  await expect(fresh.locator('[data-talk-view="tree"] [data-testid="pt-node"][data-level="P4D"]').first()).toBeVisible();
  await expect(fresh.getByTestId('link-notice')).toHaveCount(0);
  // Leaving presenter mode shows the desk layout as it was: the Counters tab, the same tree.
  await fresh.keyboard.press('Escape');
  await expect(fresh.getByRole('tab', { name: 'Counters' })).toHaveAttribute('aria-selected', 'true');
  await expect(fresh.locator('svg.pt-svg')).toHaveAttribute('aria-label', before.tree!);
  // A 1,500-process scenario is a short link too.
  await fresh.evaluate(() => window.mshareExplorer!.loadScenario('talk-page-tables', { run: false }));
  const big = await fresh.evaluate(() => window.mshareExplorer!.talk.permalink());
  expect(big.length).toBeLessThan(2500);
  // A script that does not compress into a link: Share says so and offers the file instead.
  let seed = 7;
  const letter = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return String.fromCharCode(97 + (seed >>> 16) % 26);
  };
  const noise = Array.from({ length: 24 }, () => `note ${Array.from({ length: 4000 }, letter).join('')}`).join('\n') + '\nspawn a\n';
  await fresh.evaluate((src) => window.mshareExplorer!.loadScenario(src, { run: false }), noise);
  await fresh.getByRole('button', { name: 'Share', exact: true }).click();
  await expect(fresh.getByTestId('share-error')).toContainText(/too long for a link: [\d,]+ characters compressed, the limit is 32,768/);
  await expect(fresh.getByRole('button', { name: 'Download the script' })).toBeVisible();
  await expectNoErrors(opened);
  await expectNoErrors(opened2);
});

test('corrupt, oversized, newer-format and unparsable links show a message and the default scenario (pasted: leave the page as it is)', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const unparsable = await encodeLink({ script: 'spawn\nbogus line', step: 0 });
  const hostile = await encodeLink({ script: 'note "<img src=x onerror=window.__pwned=1>"\nspawn a\n', name: '<script>window.__pwned=2</script>', step: 2, views: { mode: 'presenter', views: ['tree'] } });
  const cases: [string, RegExp][] = [
    ['#v=1&z=garbage_not_deflate', /damaged/],
    ['#v=1&z=' + 'A'.repeat(MAX_LINK_CHARS + 10), /too large/],
    ['#v=2&z=AAAA', /newer version/],
    ['#' + unparsable, /does not parse \(line 1:/],
  ];
  // The first opened in a fresh page: the default scenario. The others pasted into the open
  // page (hashchange): the page is left as it is (boot-robustness.spec.ts has more).
  await openApp(page, cases[0][0]);
  const basics = await position(page);
  for (const [i, [hash, message]] of cases.entries()) {
    if (i > 0) {
      await page.evaluate(() => window.mshareExplorer!.goto(3));
      await page.evaluate((h) => (location.hash = h), hash);
    }
    const notice = page.getByTestId('link-notice');
    await expect(notice).toContainText(message);
    await expect(notice).toContainText(i === 0 ? 'default scenario' : 'Your script is unchanged');
    const at = i === 0 ? basics : { ...basics, position: 3 };
    await expect(page.getByTestId('timeline-position')).toHaveText(`step ${at.position} / ${at.total}`);
    await waitIdle(page);
    expect(await position(page)).toEqual(at);
  }
  await page.getByTestId('link-notice').getByRole('button', { name: 'Dismiss message' }).click();
  await expect(page.getByTestId('link-notice')).toHaveCount(0);
  // Only data: markup in a link is shown as text, never run.
  await page.evaluate((h) => (location.hash = h), '#' + hostile);
  await expect(page.getByTestId('talk-note')).toHaveText('<img src=x onerror=window.__pwned=1>');
  await waitIdle(page);
  expect(await position(page)).toEqual({ position: 2, total: 2 });
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  expect(errors).toEqual([]);
});

test('embed mode shows only the chosen views, steps with keys and autoplays', async ({ page }) => {
  const opened = await openApp(page, '?embed&views=chart&scenario=fork-cow');
  await expect(talk(page)).toHaveAttribute('data-mode', 'embed');
  expect(await page.locator('[data-talk-view]').evaluateAll((els) => els.map((e) => e.getAttribute('data-talk-view')))).toEqual(['chart']);
  for (const chrome of ['timeline', 'talk-caption', 'console-log']) await expect(page.getByTestId(chrome)).toHaveCount(0);
  await expect(page.getByRole('group', { name: 'Actions' })).toHaveCount(0);
  await expect(page.locator('footer')).toHaveCount(0);
  const { total } = await position(page);
  await page.locator('body').click({ position: { x: 300, y: 300 } });
  await page.keyboard.press('ArrowLeft');
  await waitIdle(page);
  expect((await position(page)).position).toBe(total - 1);
  await page.goto('about:blank');
  await openApp(page, '?embed&views=tree,processes&caption&scenario=fork-cow&autoplay=200');
  expect(await page.locator('[data-talk-view]').evaluateAll((els) => els.map((e) => e.getAttribute('data-talk-view')))).toEqual(['tree', 'processes']);
  await expect(page.getByTestId('talk-caption')).toBeVisible();
  await page.waitForFunction(() => {
    const p = window.mshareExplorer!.position();
    return p.position === p.total;
  });
  await expectNoErrors(opened);
});

test('export: every view as SVG that parses, PNG at the requested size, the timeline as a zip, the JSON report', async ({ page }) => {
  const opened = await openApp(page, '?scenario=talk-mshare-link');
  const styleTags = await page.locator('style').count();
  // Every view: a standalone SVG document with its own elements, colours inlined.
  const checks = await page.evaluate(async () => {
    const api = window.mshareExplorer!.talk;
    const out: Record<string, unknown> = {};
    for (const v of ['tree', 'processes', 'addrspace', 'physmem', 'chart', 'counters']) {
      const text = await api.exportSvg(v);
      const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
      const root = doc.documentElement;
      out[v] = {
        root: root.localName,
        ns: root.namespaceURI,
        errors: doc.getElementsByTagName('parsererror').length,
        width: Number(root.getAttribute('width')),
        styled: doc.querySelectorAll('[style]').length,
        fills: doc.querySelectorAll('[fill]').length,
        fonts: doc.querySelectorAll('[font-family]').length,
        ptNodes: doc.querySelectorAll('g.pt-node').length,
        shared: doc.querySelectorAll('g.pt-node[data-shared="true"]').length,
        procNodes: doc.querySelectorAll('g.proc-node').length,
        vmas: doc.querySelectorAll('g.seg.vma').length,
        image: doc.querySelectorAll('image').length,
        lines: doc.querySelectorAll('path.tc-line').length,
        values: doc.querySelectorAll('text.counter-value').length,
        background: doc.querySelector('rect.export-background')?.getAttribute('fill') ?? null,
      };
    }
    return { out, livePtNodes: document.querySelectorAll('[data-testid="pt-node"]').length };
  });
  type Check = Record<string, number | string | null>;
  const c = checks.out as Record<string, Check>;
  for (const v of Object.keys(c)) {
    expect(c[v].root, v).toBe('svg');
    expect(c[v].ns, v).toBe('http://www.w3.org/2000/svg');
    expect(c[v].errors, v).toBe(0);
    expect(c[v].styled, v).toBe(0);
    expect(c[v].fills as number, v).toBeGreaterThan(0);
    expect(c[v].fonts as number, v).toBeGreaterThan(0);
    expect(c[v].background, v).toMatch(/^#[0-9a-f]{6}$/);
  }
  expect(c.tree.ptNodes).toBe(checks.livePtNodes);
  expect(c.tree.shared as number).toBeGreaterThanOrEqual(1);
  expect(c.processes.procNodes as number).toBeGreaterThanOrEqual(4);
  expect(c.addrspace.vmas as number).toBeGreaterThanOrEqual(1);
  expect(c.physmem.image).toBe(1);
  expect(c.chart.lines as number).toBeGreaterThanOrEqual(2);
  expect(c.counters.values as number).toBeGreaterThanOrEqual(4);
  // Building them added no <style> to the page.
  expect(await page.locator('style').count()).toBe(styleTags);

  // The Export menu: SVG and PNG 2x downloads of the tree.
  await page.getByRole('button', { name: /^Export/ }).click();
  const menu = page.getByRole('dialog', { name: 'Export' });
  await menu.getByLabel('View to export').selectOption('tree');
  const [svgDl] = await Promise.all([page.waitForEvent('download'), menu.getByRole('button', { name: 'SVG' }).click()]);
  expect(svgDl.suggestedFilename()).toMatch(/^talk-mshare-link-tree-step-\d+\.svg$/);
  const svgText = await readFile(await svgDl.path(), 'utf8');
  const svgWidth = Number(/<svg[^>]* width="(\d+)"/.exec(svgText)![1]);
  const svgHeight = Number(/<svg[^>]* height="(\d+)"/.exec(svgText)![1]);
  const [pngDl] = await Promise.all([page.waitForEvent('download'), menu.getByRole('button', { name: 'PNG 2x' }).click()]);
  expect(pngSize(await readFile(await pngDl.path()))).toEqual({ width: svgWidth * 2, height: svgHeight * 2 });
  // 1x and 4x of the physical memory.
  const pm = await page.evaluate(async () => {
    const api = window.mshareExplorer!.talk;
    const svg = await api.exportSvg('physmem');
    const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
    const w = Number(doc.documentElement.getAttribute('width'));
    const h = Number(doc.documentElement.getAttribute('height'));
    const one = await api.exportPng('physmem', 1);
    const counters = new DOMParser().parseFromString(await api.exportSvg('counters'), 'image/svg+xml').documentElement;
    const four = await api.exportPng('counters', 4);
    return { w, h, one: one.base64, cw: Number(counters.getAttribute('width')), ch: Number(counters.getAttribute('height')), four: four.base64 };
  });
  expect(pngSize(Buffer.from(pm.one, 'base64'))).toEqual({ width: pm.w, height: pm.h });
  expect(pngSize(Buffer.from(pm.four, 'base64'))).toEqual({ width: pm.cw * 4, height: pm.ch * 4 });

  // The timeline: one SVG per chapter and note, zipped; the machine is back where it was.
  const posBefore = await position(page);
  const [zipDl] = await Promise.all([page.waitForEvent('download'), menu.getByRole('button', { name: /^chapters and notes/ }).click()]);
  expect(zipDl.suggestedFilename()).toBe('talk-mshare-link-tree-timeline.zip');
  const zip = await readFile(await zipDl.path());
  expect(zip.subarray(0, 4).toString('latin1')).toBe('PK\u0003\u0004');
  const files = zip.readUInt16LE(zip.length - 22 + 10);
  expect(files).toBeGreaterThanOrEqual(10);
  expect(zip.toString('latin1')).toContain('talk-mshare-link-tree-step-00.svg');
  await expect(menu.getByTestId('export-status')).toContainText(`(${files} SVGs)`);
  await waitIdle(page);
  expect(await position(page)).toEqual(posBefore);

  // The JSON report of the current step.
  const [jsonDl] = await Promise.all([page.waitForEvent('download'), menu.getByRole('button', { name: 'JSON report of this step' }).click()]);
  const report = JSON.parse(await readFile(await jsonDl.path(), 'utf8')) as { ok: boolean; steps: number };
  expect(report.ok).toBe(true);
  expect(report.steps).toBe(posBefore.position);
  await expectNoErrors(opened);
});

// The counters chart: one sample per step, step functions, power-of-two tick labels; the
// presenter chart's labels agree with its lines at the current step, its chapter numbers
// never overlap one another or the series labels.
import { copyFile, mkdir } from 'node:fs/promises';
import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { expectNoErrors, openApp, position, waitIdle } from './app';
import { size } from '../src/ui/format';

test.use({ viewport: { width: 1440, height: 900 } });

const chart = (page: Page) => page.evaluate(() => window.mshareExplorer!.chart());

/** A screenshot in the test's output folder (and in $CHART_SHOTS, to look at). */
async function shot(page: Page, info: TestInfo, name: string, selector?: string): Promise<void> {
  const path = info.outputPath(`${name}.png`);
  if (selector) await page.locator(selector).first().screenshot({ path });
  else await page.screenshot({ path });
  const dir = process.env.CHART_SHOTS;
  if (dir) {
    await mkdir(dir, { recursive: true });
    await copyFile(path, `${dir}/${name}.png`);
  }
}

interface Box {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}
const overlap = (a: Box, b: Box) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;

/** The vertices of an SVG path made of M/L/H/V commands (what d3's line and step curves write). */
function vertices(d: string): [number, number][] {
  const out: [number, number][] = [];
  let x = 0;
  let y = 0;
  for (const m of d.matchAll(/([MLHV])([^MLHVZ]*)/g)) {
    const n = m[2].split(/[\s,]+/).filter(Boolean).map(Number);
    if (m[1] === 'H') x = n[0];
    else if (m[1] === 'V') y = n[0];
    else [x, y] = n;
    out.push([x, y]);
  }
  return out;
}

test('fork-cow: one chart point per step, a step function that jumps at the fork', async ({ page }, info) => {
  const opened = await openApp(page, '?scenario=fork-cow');
  await page.getByRole('tab', { name: 'Counters' }).click();
  await waitIdle(page);
  const { total } = await position(page);
  const c = await chart(page);
  expect(total).toBeGreaterThan(20);
  expect(c.points).toEqual(Array.from({ length: total + 1 }, (_, i) => i));
  // The fork runs on the step after its chapter heading: PageTables jumps after that step only.
  const heading = c.chapters.find((m) => /fork/.test(m.title))!;
  const fork = heading.index + 2; // the sample after the fork step (index heading + 1)
  const pt = c.series.map((p) => p.pageTables);
  expect(pt[fork] - pt[fork - 1]).toBeGreaterThanOrEqual(12 * 1024);
  expect(pt[fork - 1]).toBe(pt[fork - 2]);
  // Nothing else moves PageTables as much: the old chart drew a diagonal from 0 to 32 here.
  const jumps = pt.slice(1).map((v, i) => v - pt[i]);
  expect(Math.max(...jumps)).toBe(pt[fork] - pt[fork - 1]);

  // Drawn as a step function: horizontal and vertical segments only, a vertical one at the fork.
  const drawn = await page.getByTestId('counters').locator('svg.chart-svg').evaluate((svg) => {
    const axis = (svg.querySelector('g.axis .domain') as SVGPathElement).getBBox();
    const line = svg.querySelector<SVGPathElement>('.chart-line[data-series="pageTables"]')!;
    const left = [...svg.querySelectorAll('g.axis')][1];
    return { x0: axis.x, x1: axis.x + axis.width, d: line.getAttribute('d') ?? '', ticks: [...left.querySelectorAll('.tick text')].map((t) => t.textContent ?? '') };
  });
  const v = vertices(drawn.d);
  expect(v.length).toBeGreaterThan(2);
  for (let i = 1; i < v.length; i++) {
    const dx = Math.abs(v[i][0] - v[i - 1][0]);
    const dy = Math.abs(v[i][1] - v[i - 1][1]);
    expect(Math.min(dx, dy), `segment ${i} of ${drawn.d}`).toBeLessThan(0.01);
  }
  const xFork = drawn.x0 + ((drawn.x1 - drawn.x0) * fork) / total;
  const rises = v.slice(1).filter((p, i) => Math.abs(p[0] - v[i][0]) < 0.01 && p[1] < v[i][1] - 1).map((p) => p[0]);
  // Within a pixel: d3 draws the axis's domain half a pixel right of the scale (crisp 1 px
  // lines), so the rise is 0.5 px left of xFork, and "< 0.5" held only by float rounding.
  expect(rises.some((x) => Math.abs(x - xFork) < 1)).toBe(true);
  // Tick labels at round binary sizes: 0, 8K, 16K, 24K, 32K.
  expect(drawn.ticks[0]).toBe('0');
  for (const t of drawn.ticks) expect(t).toMatch(/^(0|\d+[KMG])$/);
  const bytes = drawn.ticks.slice(1).map((t) => Number(t.slice(0, -1)) * 1024 ** ('KMG'.indexOf(t.slice(-1)) + 1));
  expect(Math.log2(bytes[0]) % 1).toBe(0);
  bytes.forEach((b, i) => expect(b).toBe(bytes[0] * (i + 1)));
  await shot(page, info, 'panel-chart-fork-cow', '[data-testid="counters"] .chart-host');

  // Back to the middle and forward again: still one point per step, none lost or doubled.
  await page.evaluate(() => window.mshareExplorer!.goto(5));
  await page.evaluate(() => window.mshareExplorer!.goto(15));
  expect((await chart(page)).points).toEqual(Array.from({ length: total + 1 }, (_, i) => i));
  await expectNoErrors(opened);
});

test('mshare-basics: Shmem stays 0 until the first touch of the region', async ({ page }) => {
  const opened = await openApp(page, '?scenario=mshare-basics-2025');
  const c = await chart(page);
  const { total } = await position(page);
  expect(c.points).toHaveLength(total + 1);
  const first = c.series.findIndex((p) => p.shmem > 0);
  expect(first).toBeGreaterThan(0);
  // Everything before it (mount, open, ftruncate, create_mapping, mmap) allocated nothing.
  for (let i = 0; i < first; i++) expect(c.series[i].shmem).toBe(0);
  // And Shmem arrives in one jump (64M), not a ramp over the steps before.
  expect(c.series[first].shmem).toBeGreaterThanOrEqual(64 * 1024 * 1024);
  await expectNoErrors(opened);
});

test.describe('presenter chart at 1920x1080', () => {
  test.use({ viewport: { width: 1920, height: 1080 } });

  /** The values the presenter chart prints at the right, by series name. */
  async function labels(page: Page): Promise<Record<string, string>> {
    const pairs = await page.locator('svg.talk-chart').evaluate((svg) =>
      [...svg.querySelectorAll('.tc-name')].map((n) => [n.textContent ?? '', n.parentElement!.querySelector('.tc-value')!.textContent ?? '']),
    );
    return Object.fromEntries(pairs);
  }

  const KEYS: Record<string, 'pageTables' | 'shmem' | 'anon'> = { PageTables: 'pageTables', Shmem: 'shmem', AnonPages: 'anon' };

  test('labels and line ends agree at the current step', async ({ page }, info) => {
    const opened = await openApp(page, '?scenario=fork-cow&step=12&present&views=tree,chart');
    await expect(page.getByTestId('talk-screen')).toHaveAttribute('data-mode', 'presenter');
    await page.evaluate(() => window.mshareExplorer!.goto(12));
    await shot(page, info, 'presenter-fork-cow-step-12');
    for (const step of [2, 12, 9, 8, 20]) {
      await page.evaluate((n) => window.mshareExplorer!.goto(n), step);
      expect((await position(page)).position).toBe(step);
      const { series } = await chart(page);
      const at = series.find((p) => p.step === step)!;
      expect(at, `sample at step ${step}`).toBeTruthy();
      const got = await labels(page);
      expect(Object.keys(got)).toContain('PageTables');
      for (const [name, value] of Object.entries(got)) expect(value, `${name} at step ${step}`).toBe(size(at[KEYS[name]]));
      // Step 2 is the reviewer's case: it read "PageTables 0" beside a line drawn up to 64M.
      if (step === 2) expect(got.PageTables).not.toBe('0');
      // The coloured PageTables line ends at the current step, at the labelled value.
      const end = await page.locator('svg.talk-chart').evaluate((svg) => {
        const p = svg.querySelector<SVGPathElement>('path.tc-line.tc-pageTables')!;
        const now = svg.querySelector<SVGLineElement>('line.tc-now')!;
        const axis = svg.querySelectorAll<SVGGElement>('.tc-axis')[1];
        const ticks = [...axis.querySelectorAll<SVGGElement>('.tick')].map((t) => ({ label: t.textContent ?? '', y: t.transform.baseVal.consolidate()!.matrix.f }));
        return { d: p.getAttribute('d') ?? '', now: Number(now.getAttribute('x1')), ticks };
      });
      const v = vertices(end.d);
      const lastV = v[v.length - 1];
      expect(Math.abs(lastV[0] - end.now), `line end at step ${step}`).toBeLessThan(0.5);
      // y of the value from the axis ticks (linear): 0 and the top tick.
      const t0 = end.ticks[0];
      const tn = end.ticks[end.ticks.length - 1];
      const topBytes = Number(tn.label.slice(0, -1)) * 1024 ** ('KMG'.indexOf(tn.label.slice(-1)) + 1);
      const yAt = t0.y + ((tn.y - t0.y) * at.pageTables) / topBytes;
      expect(Math.abs(lastV[1] - yAt), `line height at step ${step}`).toBeLessThan(1);
    }
    // Back from step 20: the steps ahead stay as a faint grey continuation, not in colour.
    await page.evaluate(() => window.mshareExplorer!.goto(12));
    const ahead = await page.locator('svg.talk-chart path.tc-ahead').evaluateAll((ps) => ps.map((p) => ({ stroke: p.getAttribute('stroke'), opacity: Number(p.getAttribute('stroke-opacity')) })));
    expect(ahead.length).toBeGreaterThanOrEqual(1);
    for (const a of ahead) expect(a.opacity).toBeLessThan(0.6);
    await shot(page, info, 'presenter-fork-cow-back-to-12');
    await expectNoErrors(opened);
  });

  test('chapter numbers of a long scenario overlap neither each other nor the series labels', async ({ page }, info) => {
    test.setTimeout(120_000);
    const opened = await openApp(page, '?scenario=database-mshare&present&views=chart');
    await expect(page.getByTestId('talk-screen')).toHaveAttribute('data-mode', 'presenter');
    const { total } = await position(page);
    expect(total).toBeGreaterThan(2000);
    await page.evaluate((n) => window.mshareExplorer!.goto(n), total);
    await shot(page, info, 'presenter-database-mshare');
    const boxes = await page.locator('svg.talk-chart').evaluate((svg) => {
      const box = (e: SVGGraphicsElement) => {
        const r = e.getBoundingClientRect();
        return { x0: r.left, x1: r.right, y0: r.top, y1: r.bottom };
      };
      const visible = (e: Element) => getComputedStyle(e).display !== 'none' && e.getAttribute('display') !== 'none';
      return {
        chapters: [...svg.querySelectorAll<SVGTextElement>('.tc-chapters text')].filter(visible).map(box),
        lines: svg.querySelectorAll('.tc-chapters line').length,
        legend: [...svg.querySelectorAll<SVGTextElement>('.tc-name, .tc-value, .tc-peak, .tc-title')].map(box),
      };
    });
    expect(boxes.lines).toBe(3);
    expect(boxes.chapters.length).toBeGreaterThanOrEqual(2);
    for (let i = 0; i < boxes.chapters.length; i++) {
      for (let j = i + 1; j < boxes.chapters.length; j++) expect(overlap(boxes.chapters[i], boxes.chapters[j]), `chapters ${i} and ${j}`).toBe(false);
      for (const l of boxes.legend) expect(overlap(boxes.chapters[i], l), `chapter ${i} and a label`).toBe(false);
    }
    await expectNoErrors(opened);
  });
});

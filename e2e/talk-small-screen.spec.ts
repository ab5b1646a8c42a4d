import { expect, test, type Page } from '@playwright/test';
import { expectNoErrors, inside, openApp, shoot, waitIdle, type Box } from './app';

// Review 7, finding 3: presenter mode on a 960x540 screen cut off the last Counters rows of
// talk-charge (the cgroup users that "did not grow") with nothing to scroll, and drew the
// PageTables chart of talk-page-tables with 6 px type.

async function present(page: Page, scenario: string): Promise<void> {
  const opened = await openApp(page, `?scenario=${scenario}`);
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('p');
  await expect(page.getByTestId('talk-screen')).toHaveAttribute('data-mode', 'presenter');
  await waitIdle(page);
  await expectNoErrors(opened);
}

/**
 * Each counters row: whether it shows whole, inside the box that clips it (the table's scroll
 * container in its pane, else the pane) and the screen, after scrolling that box to it when the
 * box scrolls.
 */
async function counterRows(page: Page) {
  return page.getByTestId('talk-counters').evaluate((table) => {
    const box = (e: Element) => {
      const r = e.getBoundingClientRect();
      return { x: r.x, y: r.y, width: r.width, height: r.height };
    };
    const pane = table.closest('[data-talk-view]')!;
    let host: HTMLElement = pane as HTMLElement;
    for (let e = table.parentElement; e && e !== pane; e = e.parentElement) {
      if (/^(auto|scroll)$/.test(getComputedStyle(e).overflowY)) {
        host = e;
        break;
      }
    }
    const scrolls = host !== pane && host.scrollHeight > host.clientHeight + 1;
    return {
      scrolls,
      tabIndex: host.tabIndex,
      rows: [...table.querySelectorAll('tr')].map((tr) => {
        const before = box(tr);
        if (scrolls) host.scrollTop = tr.offsetTop - 4;
        const row = { name: tr.querySelector('th')?.textContent ?? '', before, after: box(tr), host: box(host) };
        host.scrollTop = 0;
        return row;
      }),
    };
  });
}

test.describe('presenter mode at 960x540', () => {
  test.use({ viewport: { width: 960, height: 540 } });

  test('talk-charge, last step: every Counters row is on the screen or its pane scrolls to it', async ({ page }, info) => {
    await present(page, 'talk-charge');
    await page.keyboard.press('End');
    await waitIdle(page);
    await expect(page.getByTestId('talk-chapter')).toContainText('charge=owner');
    const screen: Box = { x: 0, y: 0, width: 960, height: 540 };
    const got = await counterRows(page);
    const names = got.rows.map((r) => r.name);
    expect(names).toContain('cgroup users: memory.current');
    expect(names).toContain('cgroup users: pagetables');
    for (const r of got.rows) {
      const shown = got.scrolls ? r.after : r.before;
      expect(inside(shown, r.host, 1) && inside(shown, screen, 1), `${r.name} on the screen`).toBe(true);
    }
    // A pane that scrolls can be reached from the keyboard (Tab, then the arrows).
    if (got.scrolls) expect(got.tabIndex).toBe(0);
    await shoot(page, info, 'talk-charge-960-end');
  });

  test('talk-page-tables, chapter 2: the chart\'s text is at least 10 px on the screen, inside its pane', async ({ page }, info) => {
    await present(page, 'talk-page-tables');
    await page.keyboard.press('Home');
    await waitIdle(page);
    await page.keyboard.press('Shift+ArrowRight');
    await waitIdle(page);
    await expect(page.getByTestId('talk-chapter')).toHaveText(/^2\. /);
    const pane = page.locator('[data-talk-view="chart"]');
    const texts = await pane.locator('svg.talk-chart').evaluate((svg) =>
      [...svg.querySelectorAll<SVGTextElement>('text')]
        .filter((t) => (t.textContent ?? '').trim() !== '' && t.getAttribute('display') !== 'none' && getComputedStyle(t).display !== 'none')
        .map((t) => {
          const r = t.getBoundingClientRect();
          return {
            text: t.textContent ?? '',
            // The font size as drawn: its size in the SVG times the SVG's scale on the screen.
            px: parseFloat(getComputedStyle(t).fontSize) * (t.getScreenCTM()?.a ?? 0),
            box: { x: r.x, y: r.y, width: r.width, height: r.height },
          };
        }),
    );
    expect(texts.length).toBeGreaterThan(10);
    const paneBox = (await pane.boundingBox())!;
    for (const t of texts) {
      expect(t.px, `"${t.text}" drawn at ${t.px.toFixed(1)} px`).toBeGreaterThanOrEqual(10);
      expect(inside(t.box, paneBox, 1), `"${t.text}" inside the chart's pane`).toBe(true);
    }
    await shoot(page, info, 'talk-page-tables-960-ch2');
  });
});

test.describe('presenter mode at 800x450', () => {
  test.use({ viewport: { width: 800, height: 450 } });

  test('Counters taller than their pane scroll, and Tab then the arrows reach the last row', async ({ page }, info) => {
    await present(page, 'talk-charge');
    await page.keyboard.press('End');
    await waitIdle(page);
    const { position: at } = await page.evaluate(() => window.mshareExplorer!.position());
    const got = await counterRows(page);
    expect(got.scrolls).toBe(true);
    const host = page.getByTestId('talk-counters-scroll');
    for (const r of got.rows) expect(inside(r.after, r.host, 1), `${r.name} reached by scrolling`).toBe(true);
    await page.keyboard.press('Tab');
    await expect(host).toBeFocused();
    await expect(host).toHaveAttribute('role', 'region');
    const last = host.locator('tr').last();
    for (let i = 0; i < 20; i++) {
      const [r, h] = [(await last.boundingBox())!, (await host.boundingBox())!];
      if (inside(r, h, 1)) break;
      await page.keyboard.press('ArrowDown');
      await page.waitForTimeout(50);
    }
    expect(inside((await last.boundingBox())!, (await host.boundingBox())!, 1)).toBe(true);
    // The arrows that scroll are no talk keys: the slide stayed where it was.
    expect((await page.evaluate(() => window.mshareExplorer!.position())).position).toBe(at);
    await shoot(page, info, 'talk-charge-800x450-scrolled');
  });
});

// Fixes from a slide-quality review of the page-table tree, the chart and the notices. Each
// test failed on the code before the fix:
// - the sharing badge read "shared ×3 · 2 parents" under a caption of three PGDs, ×1500 with
//   hugetlb and ×1501 with mshare for the same 1,501 clients, and "shared ×1" (with the shared
//   styling) next to a host panel's "2 sharers";
// - PTE rows said "2× anon" with no frame and no RO/RW, under notes about shared and copied frames;
// - at 1280x720 the OOM notice ran past its dock, cut mid-sentence, over the console log.
import { expect, test, type Page } from '@playwright/test';
import { expectNoErrors, inside, openApp, overlap, waitIdle } from './app';

const tree = (page: Page) => page.locator('[data-talk-view="tree"]');
const node = (page: Page, level: string) => tree(page).locator(`[data-testid="pt-node"][data-level="${level}"]`);

async function goto(page: Page, step: number): Promise<void> {
  await page.evaluate((n) => window.mshareExplorer!.goto(n), step);
  await waitIdle(page);
}

test.describe('at 1920x1080', () => {
  test.use({ viewport: { width: 1920, height: 1080 } });

  test('talk-mshare-link: the badge counts linked processes like the caption and the host panel', async ({ page }) => {
    const opened = await openApp(page, '?scenario=talk-mshare-link&present&step=36');
    await waitIdle(page);
    await expect(page.getByTestId('talk-screen')).toContainText("Three processes' PGDs, and the host mm's, point at one PUD page");
    const pud = node(page, 'PUD');
    await expect(pud).toHaveCount(1);
    await expect(pud.getByTestId('pt-badge').locator('text')).toHaveText('linked by 3 processes + host mm · 2 drawn');
    await expect(pud).toHaveAttribute('data-shared', 'true');
    await expect(pud).toHaveAttribute('data-sharers', '3');
    await expect(page.locator('[data-talk-view="processes"]')).toContainText('3 sharers');

    // Step 18: db1 attached but has not faulted; only db0 links the PUD page.
    await goto(page, 18);
    await expect(pud.getByTestId('pt-badge').locator('text')).toHaveText('linked by 1 of 2 sharers + host mm');
    await expect(pud).toHaveAttribute('data-shared', 'false');
    await expect(pud).not.toHaveClass(/\bshared\b/);
    await expect(page.locator('[data-talk-view="processes"]')).toContainText('2 sharers');
    await expect(tree(page).locator('path.pt-edge.shared')).toHaveCount(0);
    await expectNoErrors(opened);
  });

  test('talk-page-tables: 1,501 processes in both the hugetlb and the mshare act', async ({ page }) => {
    test.setTimeout(180_000);
    const opened = await openApp(page, '?scenario=talk-page-tables&present&step=7524');
    await waitIdle(page);
    await expect(node(page, 'PMD').getByTestId('pt-badge').locator('text')).toHaveText('shared by 1,501 processes · 2 drawn');
    // Stopped at the hugetlb peak: its "11.7M" label sits beside the step line, not under it.
    const peak = page.locator('text.tc-peak', { hasText: '11.7M' });
    const pb = (await peak.boundingBox())!;
    const nowX = Number(await page.locator('line.tc-now').getAttribute('x1'));
    const svgX = (await page.locator('svg.talk-chart').boundingBox())!.x;
    expect(svgX + nowX < pb.x || svgX + nowX > pb.x + pb.width, 'step line through the peak label').toBe(true);
    await goto(page, 12043);
    await expect(node(page, 'PUD').getByTestId('pt-badge').locator('text')).toHaveText('linked by 1,501 processes + host mm · 2 drawn');
    await expectNoErrors(opened);
  });

  test('talk-fork-cow: PTE rows name the frames and RO/RW, so the sharing and the copy show', async ({ page }) => {
    const opened = await openApp(page, '?scenario=talk-fork-cow&present&step=12');
    await waitIdle(page);
    const rows = async () => Promise.all((await node(page, 'PTE').all()).map((n) => n.locator('.pt-row text.r').allTextContents()));
    // After fork: parent and child point at the same two frames, read-only on both sides.
    let [parent, child] = await rows();
    expect(parent).toHaveLength(1);
    expect(parent[0]).toMatch(/^2× anon → 0x[0-9a-f]+-0x[0-9a-f]+ RO$/);
    expect(child).toEqual(parent);
    // The child's write: a new frame, writable; the second page still the shared one, RO.
    await goto(page, 19);
    [parent, child] = await rows();
    const [first, second] = parent[0].match(/0x[0-9a-f]+/g)!;
    expect(child).toHaveLength(2);
    expect(child[0]).toMatch(/^anon → 0x[0-9a-f]+ RW$/);
    expect(child[0]).not.toContain(first);
    expect(child[1]).toBe(`anon → ${second} RO`);
    await expectNoErrors(opened);
  });
});

test.describe('at 1280x720', () => {
  test.use({ viewport: { width: 1280, height: 720 } });

  test('the OOM notice fits its dock above the console log, and "Show all" reaches the whole text', async ({ page }) => {
    const opened = await openApp(page, '?scenario=oom-mshare');
    await waitIdle(page);
    // Docked once the console is mounted (Notices.tsx); measured there.
    await page.getByRole('textbox', { name: 'Console input' }).waitFor();
    const notice = page.getByTestId('notice-oom');
    const dock = page.getByTestId('notice-dock');
    await expect(dock.getByTestId('notice-oom')).toBeVisible();
    const log = page.locator('.console-log');
    const nb = (await notice.boundingBox())!;
    expect(inside(nb, (await dock.boundingBox())!), 'the notice whole inside its dock').toBe(true);
    expect(overlap(nb, (await log.boundingBox())!), 'notice over the console log').toBe(false);
    // The text is clamped; "Show all" opens it, and the dock scrolls to its end.
    const p = notice.locator('p');
    const text = (await p.textContent())!;
    expect(text).toMatch(/The simulation goes on/);
    await notice.getByRole('button', { name: 'Show all' }).click();
    expect(await p.evaluate((el) => el.scrollHeight <= el.clientHeight + 1)).toBe(true);
    await dock.evaluate((el) => { el.scrollTop = el.scrollHeight; });
    const pb = (await p.boundingBox())!;
    const db = (await dock.boundingBox())!;
    expect(pb.y + pb.height).toBeLessThanOrEqual(db.y + db.height + 0.5);
    expect(overlap(db, (await log.boundingBox())!), 'dock over the console log').toBe(false);
    await notice.getByRole('button', { name: 'Show less' }).click();
    await expectNoErrors(opened);
  });
});

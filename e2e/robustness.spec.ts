// Robustness (issue 8): the engine worker fails and comes back at the same step; OOM inside the
// simulation is reported, not a crash; a machine too large for the browser is refused before
// it is allocated; the session survives a reload and "Start fresh" forgets it; untrusted text
// never becomes HTML and nothing is fetched from elsewhere; Node and Chromium compute the same
// state digests. Figures (recovery times) are printed and attached to the test results.
import { expect, test, type Page } from '@playwright/test';
import { BUILTINS } from '../src/scenario/builtins';
import { Runner } from '../src/scenario/runner';
import { stateDigest } from '../src/engine/snapshot';
import { consoleLines, expectNoErrors, openApp, position, waitIdle } from './app';

test.use({ viewport: { width: 1440, height: 900 } });

type Mode = 'throw' | 'reject' | 'hang' | 'terminate';

/** Position, total and digest as the page sees them (the source through the Script tab's store copy). */
async function snapshotOf(page: Page): Promise<{ position: number; total: number; digest: string }> {
  return page.evaluate(async () => {
    const api = window.mshareExplorer!;
    return { ...api.position(), digest: await api.digest() };
  });
}

async function crash(page: Page, mode: Mode): Promise<{ wall: number; ms: number; position: number; replayed: boolean; reason: string }> {
  return page.evaluate(async (m) => {
    const t0 = performance.now();
    const r = await window.mshareExplorer!.crashWorkerForTest(m);
    await window.mshareExplorer!.waitIdle();
    return { ...r, wall: performance.now() - t0 };
  }, mode);
}

test.describe('the engine worker fails and comes back', () => {
  for (const mode of ['throw', 'reject', 'hang', 'terminate'] as const) {
    test(`${mode}: noticed, announced, restarted and rebuilt at the same step with the same script`, async ({ page }, info) => {
      const opened = await openApp(page, '?scenario=mshare-basics-2024');
      // A session with history: a console line, then three steps back.
      expect(await page.evaluate(() => window.mshareExplorer!.exec('spawn robust'))).toBe(true);
      const { total } = await position(page);
      await page.evaluate((n) => window.mshareExplorer!.goto(n), total - 3);
      const before = await snapshotOf(page);
      expect(before.position).toBe(total - 3);
      // The watchdog: 1.5 s without an answer is a hang (30 s in normal use).
      if (mode === 'hang' || mode === 'terminate') await page.evaluate(() => window.mshareExplorer!.setWatchdogForTest(1500));
      const r = await crash(page, mode);
      const after = await snapshotOf(page);
      expect(after).toEqual(before); // same step, same total (the console line kept), same state
      expect(r.replayed).toBe(true);
      expect(r.position).toBe(before.position);
      // Said in plain words, in the page.
      const notice = page.getByTestId('notice-engine');
      await expect(notice).toBeVisible();
      await expect(notice).toContainText(/The engine was restarted in \d+\.\d s/);
      await expect(notice).toContainText(`replayed to step ${before.position}`);
      await expect(page.getByTestId('engine-status')).toHaveText('engine restarted');
      // And it goes on: a step forward works on the new worker.
      await page.evaluate(() => window.mshareExplorer!.step());
      expect((await position(page)).position).toBe(before.position + 1);
      const line = `worker ${mode}: detected and rebuilt to step ${r.position} in ${r.ms.toFixed(0)} ms (from the crash request: ${r.wall.toFixed(0)} ms) — ${r.reason}`;
      console.log(line);
      info.annotations.push({ type: 'recovery', description: line });
      // The rebuild itself is quick for this scenario: bounded well below the test timeout.
      expect(r.ms).toBeLessThan(10_000);
      await expectNoErrors(opened);
    });
  }

  test('recovery time on a large session (database-mshare, 1,500 processes)', async ({ page }, info) => {
    test.setTimeout(120_000);
    const opened = await openApp(page, '?scenario=database-mshare');
    const before = await snapshotOf(page);
    expect(before.position).toBe(before.total);
    const r = await crash(page, 'throw');
    expect(await snapshotOf(page)).toEqual(before);
    const line = `worker throw on database-mshare: rebuilt to step ${r.position} in ${r.ms.toFixed(0)} ms (from the crash request: ${r.wall.toFixed(0)} ms)`;
    console.log(line);
    info.annotations.push({ type: 'recovery', description: line });
    await expectNoErrors(opened);
  });

  test('a crash at step 0 says the script was reloaded, not "replayed to step 0"', async ({ page }) => {
    const opened = await openApp(page, '?scenario=fork-cow');
    await page.evaluate(() => window.mshareExplorer!.goto(0));
    const r = await crash(page, 'reject');
    expect(r.position).toBe(0);
    const notice = page.getByTestId('notice-engine');
    await expect(notice).toContainText('Your script was reloaded at its start');
    await expect(notice).not.toContainText('replayed to step');
    await expectNoErrors(opened);
  });

  test('a crash loop stops replaying: the script is loaded at step 0 and kept', async ({ page }) => {
    const opened = await openApp(page, '?scenario=fork-cow');
    const { total } = await position(page);
    for (let i = 0; i < 2; i++) expect((await crash(page, 'reject')).replayed).toBe(true);
    const third = await crash(page, 'reject');
    expect(third.replayed).toBe(false);
    expect(await position(page)).toEqual({ position: 0, total });
    await expect(page.getByTestId('notice-engine')).toContainText('loaded at step 0');
    await expectNoErrors(opened);
  });
});

test('OOM inside the simulation: a notice says who was killed and why', async ({ page }) => {
  const opened = await openApp(page);
  await page.evaluate(() => window.mshareExplorer!.loadScenario([
    'machine ram=16M',
    'spawn small',
    'small: mmap auto 1M rw private,anon as s',
    'small: touch s 1M write',
    'spawn hog',
    'hog: mmap auto 64M rw private,anon as x',
    'hog: touch x 32M write',
    'expect hog killed SIGKILL',
    'expect small running',
  ].join('\n')));
  const notice = page.getByTestId('notice-oom');
  await expect(notice).toBeVisible();
  await expect(notice).toContainText('Out of memory: the OOM killer killed hog');
  await expect(notice).toContainText(/hog \(pid \d+\): out of memory/);
  await expect(notice).toContainText(/resident and .* of page tables/);
  await expect(notice).toContainText('The simulation goes on');
  // The page itself is fine: the run finished, every expect held.
  const report = (await page.evaluate(() => window.mshareExplorer!.report())) as { ok: boolean };
  expect(report.ok).toBe(true);
  // Many kills in one run gather in one notice.
  await page.evaluate(() => window.mshareExplorer!.loadScenario('oom-mshare'));
  await expect(page.getByTestId('notice-oom')).toContainText(/killed \d+ processes|killed p\d+/);
  await expect(page.getByTestId('notice-oom')).toContainText('memory cgroup plain out of memory');
  await expectNoErrors(opened);
});

test('a machine too large for the browser is refused before allocation, naming the limit', async ({ page }) => {
  const opened = await openApp(page);
  const { total } = await position(page);
  // At step 1, so a refused load that went on to run the old script (load with run) would show.
  await page.evaluate(() => window.mshareExplorer!.goto(1));
  const err = await page.evaluate(() => window.mshareExplorer!.loadScenario('machine ram=4G\nspawn a').then(() => 'loaded', (e: Error) => e.message));
  expect(err).toBe('1:9: machine ram=4G: the browser simulates at most 2G of RAM (one SharedArrayBuffer, plus checkpoints); use ram=2G or less, or run it with npm run sim');
  await expect(page.getByTestId('script-errors')).toContainText('at most 2G of RAM');
  // Nothing changed: the previous machine is still there, at the same step, and the limit itself works.
  await waitIdle(page);
  expect(await position(page)).toEqual({ position: 1, total });
  await page.evaluate(() => window.mshareExplorer!.loadScenario('machine ram=2G\nspawn a\na: mmap auto 4M rw private,anon as x\na: touch x 4M write\nexpect a.RssAnon == 4M'));
  const report = (await page.evaluate(() => window.mshareExplorer!.report())) as { ok: boolean };
  expect(report.ok).toBe(true);
  await expectNoErrors(opened);
});

test.describe('the session survives a reload', () => {
  test('script, step and view settings come back; Start fresh forgets them', async ({ page }) => {
    const opened = await openApp(page, '?scenario=threads');
    expect(await page.evaluate(() => window.mshareExplorer!.exec('spawn kept'))).toBe(true);
    const { total } = await position(page);
    await page.evaluate((n) => window.mshareExplorer!.goto(n), total - 4);
    await page.getByRole('tab', { name: 'Counters' }).click();
    const saved = await page.evaluate(() => window.mshareExplorer!.savedSession());
    expect(saved?.position).toBe(total - 4);
    expect(saved?.source).toContain('spawn kept');
    expect(saved?.view.rightTab).toBe('counters');
    const before = await snapshotOf(page);

    await page.goto('/');
    await page.evaluate(() => window.mshareExplorer!.ready);
    await waitIdle(page);
    expect(await snapshotOf(page)).toEqual(before);
    await expect(page.getByRole('tab', { name: 'Counters' })).toHaveAttribute('aria-selected', 'true');
    await expect(page.getByTestId('notice-session')).toContainText('Restored your session');
    expect((await consoleLines(page)).some((l) => l.includes('restored your session: threads.msh'))).toBe(true);

    // Start fresh: the default scenario, default views, and a reload no longer restores.
    page.once('dialog', (d) => void d.accept());
    await page.getByTestId('start-fresh').click();
    await waitIdle(page);
    await expect(page.getByRole('tab', { name: 'Inspector' })).toHaveAttribute('aria-selected', 'true');
    const fresh = await page.evaluate(() => window.mshareExplorer!.savedSession());
    expect(fresh?.source).not.toContain('spawn kept');
    await page.reload();
    await page.evaluate(() => window.mshareExplorer!.ready);
    await waitIdle(page);
    const now = await position(page);
    expect(now.position).toBe(now.total);
    expect((await page.evaluate(() => window.mshareExplorer!.savedSession()))?.source).not.toContain('spawn kept');
    expect(opened.errors).toEqual([]);
  });

  test('a link wins over the saved session, which is offered back', async ({ page }) => {
    const opened = await openApp(page, '?scenario=fork-cow');
    expect(await page.evaluate(() => window.mshareExplorer!.exec('spawn mine'))).toBe(true);
    const mine = await snapshotOf(page);
    await page.evaluate(() => window.mshareExplorer!.savedSession());
    await page.goto('/?scenario=zero-page');
    await page.evaluate(() => window.mshareExplorer!.ready);
    await waitIdle(page);
    const notice = page.getByTestId('notice-session');
    await expect(notice).toContainText('your previous session is kept');
    expect((await consoleLines(page)).some((l) => /loaded zero-page\.msh/.test(l))).toBe(true);
    await notice.getByRole('button', { name: 'Restore it' }).click();
    await expect.poll(() => snapshotOf(page)).toEqual(mine);
    expect(opened.errors).toEqual([]);
  });
});

test('untrusted text stays text, and every request stays on this origin', async ({ page, baseURL }) => {
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  const opened = await openApp(page);
  const payload = [
    '## <img src=x onerror="window.__pwned=1">',
    'spawn a',
    'note <script>window.__pwned=2</script><b id=bold>bold</b>',
    'a: mmap auto 64K rw private,anon as x',
    'note "<iframe src=https://example.com></iframe>"',
  ].join('\n');
  await page.evaluate((s) => window.mshareExplorer!.loadScenario(s), payload);
  expect(await page.evaluate(() => window.mshareExplorer!.exec('note <svg onload=window.__pwned=3></svg>'))).toBe(true);
  // A pasted script with errors: the error messages quote it, as text.
  await page.evaluate(() => window.mshareExplorer!.loadScenario('spawn <img src=y onerror="window.__pwned=4">').catch(() => null));
  await page.getByRole('tab', { name: 'Script' }).click();
  await expect(page.getByTestId('script-errors')).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  expect(await page.locator('img[src="x"], img[src="y"], #bold, iframe, svg[onload]').count()).toBe(0);
  // The text is there, literally.
  await expect(page.locator('body')).toContainText('<script>window.__pwned=2</script>');
  // All requests: this origin only (or data:/blob: URLs made here).
  const origin = new URL(baseURL!).origin;
  const foreign = requests.filter((u) => !(u.startsWith(origin + '/') || u.startsWith('data:') || u.startsWith('blob:')));
  expect(foreign).toEqual([]);
  expect(requests.length).toBeGreaterThan(3);
  await expectNoErrors(opened);
});

test('determinism: Node and Chromium compute the same state digests', async ({ page }, info) => {
  test.setTimeout(120_000);
  const opened = await openApp(page);
  const ids = ['fork-cow', 'zero-page', 'shared-file-fork', 'threads', 'hugetlb-pmd-share', 'mshare-basics-2024', 'mshare-basics-2025', 'mshare-owner-exit', 'oom-mshare', 'mshare-charge'];
  const rows: string[] = [];
  for (const id of ids) {
    const b = BUILTINS.find((x) => x.id === id);
    expect(b, id).toBeTruthy();
    const built = Runner.fromSource(b!.source, `${id}.msh`);
    if (!built.ok) throw new Error(`${id}: ${JSON.stringify(built.errors)}`);
    const r = built.runner;
    r.runToEnd();
    const end = stateDigest(r.kernel.m);
    const mid = Math.floor(r.total / 2);
    r.goto(mid);
    const middle = stateDigest(r.kernel.m);
    await page.evaluate((src) => window.mshareExplorer!.loadScenario(src), b!.source);
    const browserEnd = await page.evaluate(() => window.mshareExplorer!.digest());
    await page.evaluate((n) => window.mshareExplorer!.goto(n), mid);
    const browserMid = await page.evaluate(() => window.mshareExplorer!.digest());
    expect({ id, end: browserEnd, mid: browserMid }).toEqual({ id, end, mid: middle });
    rows.push(`${id}: ${end} (step ${r.total}), ${middle} (step ${mid})`);
  }
  info.annotations.push({ type: 'digests', description: rows.join('; ') });
  await expectNoErrors(opened);
});

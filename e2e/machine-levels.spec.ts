// Machine… → paging 5-level → Restart: the tree's caption names the machine's levels (it said
// "PGD → PUD → PMD → PTE" above PML5 and P4D nodes), and the default scenario's PageTables
// expect, written for 4-level paging, is explained where it fails instead of standing as an
// unexplained red failure. The figure itself stays the simulation's own (160 kB: one P4D page
// more for each of the three mms).
import { expect, test } from '@playwright/test';
import { consoleLines, expectNoErrors, openApp, waitIdle } from './app';

test.use({ viewport: { width: 1280, height: 720 } });

test('restart with 5-level paging: caption follows the levels, the changed figure is explained', async ({ page }) => {
  const opened = await openApp(page);
  const caption = page.getByTestId('panel-tree').locator('.caption').first();
  await expect(caption).toContainText('PGD → PUD → PMD → PTE → frames');
  await page.getByRole('button', { name: 'Machine…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Machine settings' });
  await expect(dialog).toContainText('5-level paging adds a P4D table page to every process');
  await dialog.getByLabel('Paging levels').selectOption('5');
  await dialog.getByRole('button', { name: 'Restart machine' }).click();
  await waitIdle(page);
  await expect(page.locator('[data-testid="pt-node"][data-level="PML5"]').first()).toBeVisible();
  await expect(caption).toContainText('PML5 → P4D → PUD → PMD → PTE → frames');
  await expect(caption).not.toContainText('PGD');

  const lines = await consoleLines(page);
  // Honest numbers: the failure is listed with what was found ...
  expect(lines.some((l) => /meminfo\.PageTables == 148K.*160 kB/.test(l))).toBe(true);
  // ... and, right after it, why.
  const why = lines.find((l) => l.startsWith('The machine changed'));
  expect(why).toContain('paging 4 → 5 levels');
  expect(why).toContain('1 expect that held before the restart fails');
  expect(why).toContain('one more table page (a P4D, 4 KiB)');
  expect(lines.indexOf(why!)).toBe(lines.length - 1);

  // Back to 4 levels: everything holds again, and nothing needs explaining.
  await page.getByRole('button', { name: 'Machine…' }).click();
  await dialog.getByLabel('Paging levels').selectOption('4');
  await dialog.getByRole('button', { name: 'Restart machine' }).click();
  await waitIdle(page);
  await expect(caption).toContainText('PGD → PUD → PMD → PTE → frames');
  await expect(page.getByRole('status', { name: 'Problems so far' })).toHaveText('');
  expect((await consoleLines(page)).filter((l) => l.startsWith('The machine changed'))).toHaveLength(1);
  await expectNoErrors(opened);
});

test('the Machine dialog shows the running machine\'s values, also ones its lists lack, and applies what it shows', async ({ page }) => {
  const opened = await openApp(page);
  await page.evaluate(() => window.mshareExplorer!.loadScenario('machine ram=16M cpus=3 tlb=8\nspawn a\n'));
  await waitIdle(page);
  await page.getByRole('button', { name: 'Machine…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Machine settings' });
  await expect(dialog.getByLabel('RAM')).toHaveValue('16');
  await expect(dialog.getByLabel('RAM').locator('option:checked')).toHaveText('16 MiB');
  await expect(dialog.getByLabel('CPUs')).toHaveValue('3');
  await expect(dialog.getByLabel('TLB entries')).toHaveValue('8');
  // Choosing a listed value (the one a hidden value used to make look chosen already) works.
  await dialog.getByLabel('CPUs').selectOption('1');
  await dialog.getByRole('button', { name: 'Restart machine' }).click();
  await waitIdle(page);
  const machine = (await page.evaluate(() => window.mshareExplorer!.source())).split('\n').find((l) => l.startsWith('machine '))!;
  expect(machine).toMatch(/\bram=16M\b/);
  expect(machine).toMatch(/\bcpus=1\b/);
  expect(machine).toMatch(/\btlb=8\b/);
  await expectNoErrors(opened);
});

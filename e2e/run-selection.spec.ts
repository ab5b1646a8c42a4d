// A run selects a process as soon as one exists. A load clears the selection and the pick
// came only when the run ended: for the seconds a gallery Run of the 1,500-process database
// takes, the header said "no process" and the address space and page-table tree said
// "Select a process…" while db0 was already there.
import { expect, test } from '@playwright/test';
import { expectNoErrors, openApp, position, waitIdle } from './app';

test.use({ viewport: { width: 1280, height: 720 } });

test('a gallery Run shows db0 while it runs, then the usual pick at the end', async ({ page }) => {
  const opened = await openApp(page);
  await page.getByRole('button', { name: 'Scenarios' }).click();
  const dialog = page.getByRole('dialog', { name: 'Scenario gallery' });
  await dialog.getByRole('button', { name: 'Run the 1,500-process database, without sharing' }).click();
  // The new script is loaded and the selection cleared (the old script had a db0 too: its
  // label proves nothing; actions.ts logs this line right after clearing) ...
  await expect(page.getByRole('log', { name: 'Console output' })).toContainText('loaded database-no-sharing.msh', { timeout: 10_000 });
  // ... and mid-run (the forks come first and are quick; the touches take seconds) the label names db0.
  const acting = page.locator('.toolbar .acting');
  await expect(acting).toHaveText('as db0', { timeout: 5_000 });
  const mid = await position(page);
  expect(mid.position, 'still running').toBeLessThan(mid.total);
  await expect(page.getByTestId('panel-addrspace')).not.toContainText('Select a process');
  await expect(page.getByTestId('panel-addrspace')).toContainText('Address space of db0');
  await waitIdle(page);
  const end = await position(page);
  expect(end.position).toBe(end.total);
  // The end picks from the whole state as before (db0, compared with a process it forked).
  await expect(acting).toHaveText('as db0');
  await expect(page.getByRole('combobox', { name: 'Compare with process' })).not.toHaveValue('');
  await expectNoErrors(opened);
});

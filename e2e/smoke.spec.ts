import { expect, test, type Page } from '@playwright/test';
import { hex32, smokePattern } from '../src/worker/smoke-api';

function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  return errors;
}

test('the page is cross-origin isolated and reads the SharedArrayBuffer the worker wrote', async ({ page }, testInfo) => {
  const errors = collectErrors(page);
  await page.goto('/');

  await expect(page).toHaveTitle('mshare explorer');
  expect(await page.evaluate(() => window.crossOriginIsolated)).toBe(true);
  await expect(page.getByTestId('coi-status')).toHaveText('true');
  await expect(page.getByTestId('coi-help')).toHaveCount(0);

  await expect(page.getByTestId('sab-value')).toHaveText(hex32(smokePattern(0)));
  await expect(page.getByTestId('sab-pattern')).toHaveText('yes');
  await expect(page.getByTestId('sab-shared')).toHaveText('yes');
  await expect(page.getByTestId('smoke-error')).toHaveCount(0);
  // On the status bar it is one short word; a click unfolds the figures.
  const summary = page.getByTestId('plumbing-summary');
  await expect(summary).toHaveText('shared memory ✓');
  await expect(page.getByTestId('sab-value')).toBeHidden();
  await summary.click();
  await expect(page.getByTestId('sab-value')).toBeVisible();

  await page.screenshot({ path: testInfo.outputPath('smoke.png'), fullPage: true });
  expect(errors).toEqual([]);
});

test('the Content-Security-Policy blocks inline scripts and eval', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('plumbing-summary')).toHaveText('shared memory ✓');

  const meta = page.locator('meta[http-equiv="Content-Security-Policy"]');
  await expect(meta).toHaveCount(1);
  const csp = await meta.getAttribute('content');
  const scriptSrc = csp!.split(';').map((d) => d.trim()).find((d) => d.startsWith('script-src '));
  expect(scriptSrc).toBe("script-src 'self'");
  expect(csp).not.toContain('unsafe-inline');
  expect(csp).not.toContain('unsafe-eval');

  // page.evaluate runs through DevTools, which CSP does not govern, so make the page itself
  // compile code: an inline <script> element, and a string timer (eval-like, compiled later
  // in a task of its own).
  const outcome = await page.evaluate(async () => {
    const flags = window as unknown as Record<string, unknown>;
    const violations: string[] = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      violations.push(`${e.effectiveDirective} ${e.blockedURI}`);
    });
    const script = document.createElement('script');
    script.textContent = 'window.__cspInlineRan = true;';
    document.head.append(script);
    setTimeout('window.__cspEvalRan = true;', 0);
    for (let waited = 0; violations.length < 2 && waited < 3000; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return {
      inlineRan: flags.__cspInlineRan === true,
      evalRan: flags.__cspEvalRan === true,
      violations: violations.sort(),
    };
  });

  expect(outcome.inlineRan).toBe(false);
  expect(outcome.evalRan).toBe(false);
  expect(outcome.violations).toEqual(['script-src eval', 'script-src-elem inline']);
});

import { test } from '@playwright/test';
import { openApp } from '../../../e2e/app';
test.use({ viewport: { width: 1440, height: 900 } });
test('probe', async ({ page }) => {
  await openApp(page, '?scenario=mshare-basics-2024');
  const r = await page.evaluate(async () => {
    const api = window.mshareExplorer!;
    const out: string[] = [];
    for (const op of ['back', 'back', 'step', 'step', 'back']) {
      const t0 = performance.now();
      await (api as any)[op]();
      out.push(`${op} ${(performance.now() - t0).toFixed(0)}`);
    }
    const d = api.drawTimes();
    const q = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]?.toFixed(1);
    out.push(Object.entries(d).map(([k, v]) => `${k}:${q(v)}(${v.length})`).join(' '));
    const f = api.frameTimes(); out.push('frame p50 ' + q(f));
    return out.join('\n');
  });
  console.log(r);
});

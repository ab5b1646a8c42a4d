import { defineConfig } from '@playwright/test';
import { launchOptions } from './e2e/browser';

const port = Number(process.env.PW_PORT ?? 4173);
const ci = !!process.env.CI;

// `npm run test:e2e` builds dist/ first; this serves it the way a user's `npm run preview` would.
export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  workers: ci ? 1 : 2,
  retries: 0,
  forbidOnly: ci,
  reporter: 'list',
  use: {
    browserName: 'chromium',
    baseURL: `http://127.0.0.1:${port}`,
    launchOptions,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
  },
  webServer: {
    command: `npx vite preview --host 127.0.0.1 --port ${port} --strictPort`,
    url: `http://127.0.0.1:${port}`,
    reuseExistingServer: !ci,
    timeout: 60_000,
  },
});

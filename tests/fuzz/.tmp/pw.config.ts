import { defineConfig } from '@playwright/test';
import { launchOptions } from '../../../e2e/browser';
const port = 4273;
export default defineConfig({
  testDir: '../../../e2e',
  outputDir: '/tmp/exp/test-results',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  workers: 1,
  retries: 0,
  reporter: 'list',
  use: { browserName: 'chromium', baseURL: `http://127.0.0.1:${port}`, launchOptions, screenshot: 'only-on-failure', trace: 'retain-on-failure' },
  webServer: { command: `npx vite preview --outDir /tmp/exp/dist --host 127.0.0.1 --port ${port} --strictPort`, cwd: '/work/main', url: `http://127.0.0.1:${port}`, reuseExistingServer: true, timeout: 60_000 },
});

// Launch options for every Playwright browser in this project.
import type { LaunchOptions } from '@playwright/test';
import { chromiumPath } from '../scripts/chromium.mjs';

const executablePath = chromiumPath();

export const launchOptions: LaunchOptions = {
  // Without a system Chromium, Playwright's own download (scripts/ensure-browser.mjs).
  ...(executablePath ? { executablePath } : {}),
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-quic',
  ],
};

// Where a system Chromium for Playwright lives. Shared by scripts/ensure-browser.mjs and
// e2e/browser.ts, so the check and the launch agree.
import { existsSync } from 'node:fs';

export const SYSTEM_CHROMIUM_PATHS = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

/** PLAYWRIGHT_CHROMIUM if set (an explicit choice, even if the file is missing), else the first
 *  system path that exists, else undefined (Playwright's own download). */
export function chromiumPath() {
  const fromEnv = process.env.PLAYWRIGHT_CHROMIUM;
  if (fromEnv) return fromEnv;
  return SYSTEM_CHROMIUM_PATHS.find((p) => existsSync(p));
}

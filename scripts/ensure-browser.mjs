#!/usr/bin/env node
// Makes sure Playwright has a Chromium to launch, and says which one.
//   1. PLAYWRIGHT_CHROMIUM, /usr/bin/chromium or /usr/bin/chromium-browser;
//   2. as root on Debian/Ubuntu: apt-get install chromium fonts-liberation;
//   3. otherwise (or if apt gave nothing): npx playwright install chromium.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { chromiumPath } from './chromium.mjs';

function fail(message) {
  console.error(`ensure-browser: ${message}`);
  process.exit(1);
}

function run(command, args, env = process.env) {
  console.log(`ensure-browser: $ ${command} ${args.join(' ')}`);
  const r = spawnSync(command, args, { stdio: 'inherit', env });
  return r.status === 0;
}

function version(path) {
  const r = spawnSync(path, ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

function useSystem(path) {
  console.log(`ensure-browser: using ${path} (${version(path) ?? 'version unknown'})`);
  process.exit(0);
}

async function playwrightChromium() {
  const { chromium } = await import('playwright-core');
  const path = chromium.executablePath();
  return existsSync(path) ? path : undefined;
}

let path = chromiumPath();
if (path) {
  // Only PLAYWRIGHT_CHROMIUM can name a missing file: an explicit choice, so no fallback.
  if (!existsSync(path)) fail(`PLAYWRIGHT_CHROMIUM=${path} does not exist. Point it at a Chromium binary or unset it.`);
  useSystem(path);
}

const isRoot = process.getuid?.() === 0;
const isDebian = existsSync('/etc/debian_version');
if (isRoot && isDebian) {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (run('apt-get', ['update'], env) && run('apt-get', ['install', '-y', 'chromium', 'fonts-liberation'], env)) {
    path = chromiumPath();
    if (path) useSystem(path);
  }
  console.error('ensure-browser: apt did not provide a chromium; trying Playwright\'s download.');
}

const already = await playwrightChromium();
if (already) {
  console.log(`ensure-browser: using Playwright's Chromium at ${already}`);
  process.exit(0);
}
if (run('npx', ['playwright', 'install', 'chromium'])) {
  const downloaded = await playwrightChromium();
  if (downloaded) {
    console.log(`ensure-browser: using Playwright's Chromium at ${downloaded}`);
    process.exit(0);
  }
}

fail(
  'no Chromium found. Install one (Debian: `sudo apt-get install chromium fonts-liberation`), ' +
    'or set PLAYWRIGHT_CHROMIUM=/path/to/chromium, or run `npx playwright install chromium`.',
);

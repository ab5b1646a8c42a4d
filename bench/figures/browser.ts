/**
 * Figure 6: the browser (Playwright driving Debian's Chromium with e2e/browser.ts's launch
 * options). Run under tsx by bench/run.ts (it drives a browser; the timing happens inside
 * Chromium).
 *
 * - The database scenario in the Worker: the engine worker (src/worker/engine.worker.ts) and a
 *   small page (browser-page.ts) are bundled with esbuild into bench/.build/browser/ and
 *   served with COOP/COEP from a local server; the page runs the built-in database scenarios
 *   (no sharing, mshare) with play(Infinity), acknowledging every update at once.
 * - UI frame times while playing and load-to-interactive need the UI; while src/App.tsx does
 *   not use the engine worker they are reported as skipped.
 *
 * Prints ONE JSON line: a BrowserResult, or {"skipped": reason}.
 */
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { WorkerRun } from './browser-page';

export interface BrowserStat {
  value: number;
  min: number;
  max: number;
}

export interface BrowserResult {
  /** play() time of the database scenario in the Worker (median of runs). */
  workerNone: BrowserStat | null;
  workerMshare: BrowserStat | null;
  frameP50: number | null;
  frameP95: number | null;
  interactiveMs: number | null;
  notes: string[];
}

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
const OUT = join(HERE, '..', '.build', 'browser');

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function bundle(): void {
  mkdirSync(OUT, { recursive: true });
  const esbuild = join(ROOT, 'node_modules', '.bin', 'esbuild');
  const common = ['--bundle', '--format=esm', '--platform=browser', '--target=es2022', '--log-level=warning'];
  for (const [entry, out] of [
    [join(ROOT, 'src', 'worker', 'engine.worker.ts'), 'engine.worker.js'],
    [join(HERE, 'browser-page.ts'), 'page.js'],
  ] as const) {
    const r = spawnSync(esbuild, [entry, ...common, `--outfile=${join(OUT, out)}`], { encoding: 'utf8', cwd: ROOT });
    if (r.status !== 0) throw new Error(`esbuild ${out}: ${r.stderr || r.error?.message}`);
  }
  writeFileSync(
    join(OUT, 'index.html'),
    '<!doctype html><html><head><meta charset="utf-8"><title>bench</title></head><body><script type="module" src="./page.js"></script></body></html>\n',
  );
}

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.map': 'application/json' };

function serve(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent((req.url ?? '/').split('?')[0])).replace(/^(\.\.[/\\])+/, '');
    const file = join(OUT, path === '/' ? 'index.html' : path);
    if (!file.startsWith(OUT) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cache-Control': 'no-store',
    });
    res.end(readFileSync(file));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      resolve({ server, url: `http://127.0.0.1:${port}/` });
    });
  });
}

/** The built-in scenario, resized for N clients and an M MiB region (expects dropped then). */
function scenario(id: string, n: number, mib: number, source: string): string {
  if (n === 1500 && mib === 64) return source;
  void id;
  return source
    .split('\n')
    .filter((l) => !/^\s*expect\b/.test(l))
    .map((l) => l.replace(/\brepeat 1500\b/, `repeat ${n}`).replace(/\b64M\b/g, `${mib}M`))
    .join('\n');
}

export async function run(opts: { n?: number; mib?: number; runs?: number } = {}): Promise<BrowserResult | { skipped: string }> {
  const n = opts.n ?? 1500;
  const mib = opts.mib ?? 64;
  const runs = opts.runs ?? 3;
  const notes: string[] = [];
  if (!existsSync(join(ROOT, 'src', 'worker', 'engine.worker.ts'))) return { skipped: 'src/worker/engine.worker.ts does not exist yet' };

  let sources: { none: string; mshare: string };
  try {
    const b = await import('../../src/scenario/builtins/index');
    const none = b.findBuiltin('database-no-sharing');
    const msh = b.findBuiltin('database-mshare');
    if (!none || !msh) return { skipped: 'built-in database scenarios not found' };
    sources = { none: scenario(none.id, n, mib, none.source), mshare: scenario(msh.id, n, mib, msh.source) };
  } catch (e) {
    return { skipped: `cannot load the built-in scenarios: ${String(e).slice(0, 200)}` };
  }

  try {
    bundle();
  } catch (e) {
    return { skipped: `cannot bundle the engine worker: ${String(e).slice(0, 300)}` };
  }

  const { chromium } = await import('@playwright/test');
  const { launchOptions } = await import('../../e2e/browser');
  const { server, url } = await serve();
  const browser = await chromium.launch(launchOptions);
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    await page.waitForSelector('body[data-ready="1"]', { state: 'attached', timeout: 30_000 });
    if (!(await page.evaluate(() => window.crossOriginIsolated))) return { skipped: 'the bench page is not cross-origin isolated' };
    const measure = async (src: string, label: string): Promise<BrowserStat | null> => {
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        const r = (await page.evaluate(
          (s) => (window as unknown as { runScenario: (s: string) => Promise<unknown> }).runScenario(s),
          src,
        )) as WorkerRun;
        if (!r.ok) {
          notes.push(`${label} in the Worker failed: ${r.error ?? r.state}`);
          return null;
        }
        if (r.failedExpects.length) notes.push(`${label}: ${r.failedExpects.length} expect(s) failed, first: ${r.failedExpects[0]}`);
        times.push(r.playMs);
        process.stderr.write(`  browser: ${label} play ${r.playMs.toFixed(0)} ms (${r.steps} steps, ${r.updates} updates)\n`);
      }
      return { value: median(times), min: Math.min(...times), max: Math.max(...times) };
    };
    const workerNone = await measure(sources.none, 'database no sharing');
    const workerMshare = await measure(sources.mshare, 'database mshare');
    if (errors.length) notes.push(`page errors: ${errors.slice(0, 3).join('; ')}`);
    notes.push(`Worker timings: play(Infinity) of the built-in scenario with N=${n}, ${mib} MiB, ${runs} runs (incl. publishing updates and checking its expects)`);

    const app = readFileSync(join(ROOT, 'src', 'App.tsx'), 'utf8');
    const uiReady = /engine\.worker/.test(app);
    if (!uiReady) notes.push('UI frame times and load-to-interactive skipped: the UI is not ready (src/App.tsx does not use the engine worker yet)');
    else notes.push('UI frame times and load-to-interactive not measured yet: the UI exists now, a harness for it is still to be written');
    return { workerNone, workerMshare, frameP50: null, frameP95: null, interactiveMs: null, notes };
  } finally {
    await browser.close();
    server.close();
  }
}

const entry = process.argv[1];
if (typeof entry === 'string' && import.meta.url === pathToFileURL(entry).href) {
  const opts = process.argv[2] ? JSON.parse(process.argv[2]) : {};
  run(opts).then(
    (r) => process.stdout.write(`${JSON.stringify(r)}\n`),
    (e: unknown) => {
      process.stdout.write(`${JSON.stringify({ skipped: `browser figure failed: ${String(e).slice(0, 300)}` })}\n`);
    },
  );
}

/**
 * Figure 6: the browser (Playwright driving Debian's Chromium with e2e/browser.ts's launch
 * options). Run under tsx by bench/run.ts (it drives a browser; the timing happens inside
 * Chromium).
 *
 * - The database scenario in the Worker: the engine worker (src/worker/engine.worker.ts) and a
 *   small page (browser-page.ts) are bundled with esbuild into bench/.build/browser/ and
 *   served with COOP/COEP from a local server; the page runs the built-in database scenarios
 *   (no sharing, mshare) with play(Infinity), acknowledging every update at once.
 * - The UI (browser-ui.ts): the app built by vite into bench/.build/app and served the same
 *   way; load to interactive, and frame intervals while the database scenario plays.
 *
 * Prints ONE JSON line: a BrowserResult, or {"skipped": reason}.
 */
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
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
  frameP50: BrowserStat | null;
  frameP95: BrowserStat | null;
  interactiveMs: BrowserStat | null;
  /** Slowest draw of the page-table tree of one process with 64 MiB touched. */
  treeDrawMs: BrowserStat | null;
  /** Frame interval p95 while running to the end at full speed (information, no target). */
  runToEndP95: BrowserStat | null;
  notes: string[];
}

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
const OUT = join(HERE, '..', '.build', 'browser');
const APP = join(HERE, '..', '.build', 'app');

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

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
};

function serve(root: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent((req.url ?? '/').split('?')[0])).replace(/^(\.\.[/\\])+/, '');
    const file = join(root, path === '/' ? 'index.html' : path);
    if (!file.startsWith(root) || !existsSync(file) || !statSync(file).isFile()) {
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

/** Builds the app into bench/.build/app (the same build `npm run build` makes, elsewhere). */
function buildApp(): void {
  const vite = join(ROOT, 'node_modules', '.bin', 'vite');
  const r = spawnSync(vite, ['build', '--outDir', APP, '--emptyOutDir', '--logLevel', 'error'], { encoding: 'utf8', cwd: ROOT });
  if (r.status !== 0) throw new Error(`vite build: ${(r.stderr || r.error?.message || '').slice(0, 300)}`);
}

type UiFigures = Pick<BrowserResult, 'frameP50' | 'frameP95' | 'interactiveMs' | 'runToEndP95' | 'treeDrawMs'>;

/**
 * The UI figures over `runs` fresh contexts: load to interactive, then the built-in
 * database-mshare scenario (N=1,500 as shipped) played at 30 steps/s and run to the end.
 */
async function measureUiRuns(browser: import('@playwright/test').Browser, source: string, runs: number, notes: string[]): Promise<UiFigures> {
  const none: UiFigures = { frameP50: null, frameP95: null, interactiveMs: null, runToEndP95: null, treeDrawMs: null };
  try {
    buildApp();
  } catch (e) {
    notes.push(`UI figures skipped: cannot build the app: ${String(e).slice(0, 300)}`);
    return none;
  }
  const { server, url } = await serve(APP);
  try {
    const { measureUi } = await import('./browser-ui');
    const { parseScript } = await import('../../src/scenario/parser');
    const parsed = parseScript(source);
    if (!parsed.ok) throw new Error('the database-mshare scenario does not parse');
    // Play from the last `repeat` (the clients' reads): all 1,500 processes exist by then.
    const cmds = parsed.script.commands;
    let last = cmds.length - 1;
    while (last > 0 && cmds[last].kind !== 'repeat') last--;
    const startStep = cmds.slice(0, last).reduce((n, c) => n + (c.kind === 'repeat' ? c.count : 1), 0);
    const rs = [];
    for (let i = 0; i < Math.max(runs, 3); i++) {
      const r = await measureUi(browser, url, source, startStep, 6000);
      process.stderr.write(`  browser: UI interactive ${r.interactiveMs.toFixed(0)} ms; tree of 64 MiB drawn in ${r.treeDrawMs.toFixed(1)} ms; playing ${r.play.steps} steps: frame p50 ${r.play.p50.toFixed(1)} p95 ${r.play.p95.toFixed(1)} ms; run to end (${r.runToEnd.steps} steps, ${r.runToEnd.ms.toFixed(0)} ms): p95 ${r.runToEnd.p95.toFixed(1)} ms\n`);
      rs.push(r);
    }
    const st = (v: number[]): BrowserStat => ({ value: median(v), min: Math.min(...v), max: Math.max(...v) });
    notes.push(`UI: the built app at 1440x900, ${rs.length} fresh contexts; interactive = navigation start to the default scenario run and drawn; frames = requestAnimationFrame intervals while database-mshare (N=1,500) plays at 30 steps/s for 6 s from its last repeat (the reads, with all 1,500 processes alive) (and, for information, while it runs to the end at full speed)`);
    return {
      interactiveMs: st(rs.map((r) => r.interactiveMs)),
      frameP50: st(rs.map((r) => r.play.p50)),
      frameP95: st(rs.map((r) => r.play.p95)),
      runToEndP95: st(rs.map((r) => r.runToEnd.p95)),
      treeDrawMs: st(rs.map((r) => r.treeDrawMs)),
    };
  } catch (e) {
    notes.push(`UI figures failed: ${String(e).slice(0, 300)}`);
    return none;
  } finally {
    server.close();
  }
}

export async function run(opts: { n?: number; mib?: number; runs?: number } = {}): Promise<BrowserResult | { skipped: string }> {
  const n = opts.n ?? 1500;
  const mib = opts.mib ?? 64;
  const runs = opts.runs ?? 3;
  const notes: string[] = [];
  if (!existsSync(join(ROOT, 'src', 'worker', 'engine.worker.ts'))) return { skipped: 'src/worker/engine.worker.ts does not exist yet' };

  let sources: { none: string; mshare: string; mshareUi: string };
  try {
    const b = await import('../../src/scenario/builtins/index');
    const none = b.findBuiltin('database-no-sharing');
    const msh = b.findBuiltin('database-mshare');
    if (!none || !msh) return { skipped: 'built-in database scenarios not found' };
    sources = { none: scenario(none.id, n, mib, none.source), mshare: scenario(msh.id, n, mib, msh.source), mshareUi: msh.source };
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
  const { server, url } = await serve(OUT);
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

    const ui = await measureUiRuns(browser, sources.mshareUi, runs, notes);
    return { workerNone, workerMshare, ...ui, notes };
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

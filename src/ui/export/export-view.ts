/**
 * Exporting a view: as a standalone SVG (svg-inline.ts) or a PNG at 1x/2x/4x (the SVG drawn
 * onto a canvas). The view drawn on screen is used when it is mounted (so collapse state,
 * the compared process and presenter zoom are what you see); otherwise a copy is mounted
 * off screen for the export and removed after. Physical memory and the counters are drawn
 * from the machine state directly (the live physical memory is a canvas, the counters a
 * table).
 */
import { FRAME_USE_NAMES } from '../../engine/abi';
import { readConsistent } from '../engine-client';
import { drawn } from '../frame-loop';
import { FRAME_USE_COLOURS, rgb } from '../palette';
import { count } from '../format';
import { store } from '../store';
import { createPtTree } from '../views/pttree';
import { createProcesses } from '../views/processes';
import { createAddrSpace } from '../views/addrspace';
import { COLS } from '../views/physmem';
import { createBigChart } from '../talk/big-chart';
import { counterRows } from '../talk/counters';
import { VIEW_TITLES, type TalkViewId } from '../talk/views';
import { parseColour, standaloneSvg, type StandaloneSvg } from './svg-inline';

const SVG_NS = 'http://www.w3.org/2000/svg';
const XLINK_NS = 'http://www.w3.org/1999/xlink';

/** Largest PNG we draw: a canvas side and area every current browser allows. */
export const MAX_PNG_SIDE = 16_384;
export const MAX_PNG_PIXELS = 64 * 2 ** 20;

/** Exportable views (the talk view ids). */
export const EXPORT_VIEWS: readonly TalkViewId[] = ['tree', 'processes', 'addrspace', 'physmem', 'chart', 'counters'];

/** The live SVG of a view, if one is on screen (presenter panes first). */
function liveSvg(view: TalkViewId): SVGSVGElement | null {
  const sel: Partial<Record<TalkViewId, string>> = {
    tree: 'svg.pt-svg',
    processes: 'svg.proc-svg',
    addrspace: 'svg.as-svg',
    chart: 'svg.talk-chart, svg.chart-svg',
  };
  const q = sel[view];
  if (!q) return null;
  const all = Array.from(document.querySelectorAll<SVGSVGElement>(q)).filter((s) => !s.closest('.export-offscreen'));
  return all.find((s) => s.closest(`[data-talk-view="${view}"]`)) ?? all[0] ?? null;
}

interface Mounted {
  svg: SVGSVGElement;
  destroy(): void;
}

/** Mounts a view off screen, draws it until it has read a consistent state. */
async function mountOffscreen(view: TalkViewId): Promise<Mounted> {
  const host = document.createElement('div');
  host.className = 'export-offscreen';
  document.body.append(host);
  const W = 1280;
  const H = 720;
  const v =
    view === 'tree' ? createPtTree(host, () => {}) :
    view === 'processes' ? createProcesses(host) :
    view === 'addrspace' ? createAddrSpace(host, () => {}) :
    createBigChart(host);
  v.resize(W, H);
  for (let i = 0; i < 120 && !v.draw(); i++) await drawn();
  const svg = host.querySelector('svg');
  if (!svg) {
    v.destroy();
    host.remove();
    throw new Error(`the ${view} view drew nothing`);
  }
  return { svg, destroy: () => { v.destroy(); host.remove(); } };
}

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

function caption(view: TalkViewId): { title: string; description: string } {
  const s = store.getState();
  return {
    title: `${VIEW_TITLES[view]} — ${s.scriptName || 'script'}, step ${count(s.position)} of ${count(s.total)}`,
    description: `Exported from mshare explorer (${location.origin}${location.pathname}).`,
  };
}

/** Runs `fn` with CSS animations off, so no half-flashed colour is captured. */
async function stillFrame<T>(fn: () => Promise<T> | T): Promise<T> {
  const root = document.documentElement;
  const had = root.classList.contains('no-anim');
  root.classList.add('no-anim');
  try {
    return await fn();
  } finally {
    if (!had) root.classList.remove('no-anim');
  }
}

/** The current state of `view` as a standalone SVG document. */
export async function exportSvg(view: TalkViewId): Promise<StandaloneSvg> {
  if (view === 'physmem') return physmemSvg();
  if (view === 'counters') return countersSvg();
  return stillFrame(async () => {
    const live = liveSvg(view);
    const m = live ? null : await mountOffscreen(view);
    try {
      const svg = live ?? m!.svg;
      const viewport = view === 'tree' || view === 'processes' ? svg.querySelector<SVGGElement>(':scope > g') : null;
      if (viewport && isBlank(viewport)) return emptySvg(view);
      return standaloneSvg(svg, { viewport, background: cssVar('--panel', '#ffffff'), ...caption(view) });
    } finally {
      m?.destroy();
    }
  });
}

function isBlank(g: SVGGElement): boolean {
  const b = g.getBBox();
  return b.width === 0 || b.height === 0;
}

/**
 * A view with nothing drawn (step 0, or every process gone) exports why, in words, as the
 * screen says it: a blank 32x32 file said nothing, and a timeline zip starts with one.
 */
function emptySvg(view: TalkViewId): StandaloneSvg {
  const s = store.getState();
  const running = s.snapshot?.tasks.some((t) => t.state === 'running') ?? false;
  const why = !running ? 'No process is running at this step.' : view === 'tree' ? 'No process is selected.' : 'Nothing to draw at this step.';
  const width = 480;
  const height = 80;
  const { doc, root } = newDoc(width, height, view);
  const fg = parseColour(cssVar('--fg', '#1d2330'))?.hex ?? '#1d2330';
  const muted = parseColour(cssVar('--muted', '#5b6372'))?.hex ?? '#5b6372';
  const h = el(doc, 'text', { x: 20, y: 32, 'font-family': FONT, 'font-size': '16px', 'font-weight': 600, fill: fg });
  h.textContent = `${VIEW_TITLES[view]}, step ${count(s.position)} of ${count(s.total)}`;
  const t = el(doc, 'text', { x: 20, y: 58, 'font-family': FONT, 'font-size': '14px', fill: muted, class: 'export-empty' });
  t.textContent = why;
  root.append(h, t);
  return serialise(doc, width, height);
}

// ---------------------------------------------------------------- physical memory

function el<K extends keyof SVGElementTagNameMap>(doc: XMLDocument, tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const e = doc.createElementNS(SVG_NS, tag) as SVGElementTagNameMap[K];
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

function newDoc(width: number, height: number, view: TalkViewId): { doc: XMLDocument; root: SVGSVGElement } {
  const doc = document.implementation.createDocument(SVG_NS, 'svg', null);
  const root = doc.documentElement as unknown as SVGSVGElement;
  root.setAttribute('version', '1.1');
  root.setAttribute('width', String(width));
  root.setAttribute('height', String(height));
  root.setAttribute('viewBox', `0 0 ${width} ${height}`);
  root.setAttributeNS('http://www.w3.org/2000/xmlns/', 'xmlns:xlink', XLINK_NS);
  const c = caption(view);
  const t = el(doc, 'title', {});
  t.textContent = c.title;
  const d = el(doc, 'desc', {});
  d.textContent = c.description;
  root.append(t, d, el(doc, 'rect', { x: 0, y: 0, width, height, fill: parseColour(cssVar('--panel', '#ffffff'))?.hex ?? '#ffffff', class: 'export-background' }));
  return { doc, root };
}

const FONT = "system-ui, 'Liberation Sans', 'DejaVu Sans', sans-serif";
const MONO = "ui-monospace, 'DejaVu Sans Mono', 'Liberation Mono', monospace";

function serialise(doc: XMLDocument, width: number, height: number): StandaloneSvg {
  return { text: '<?xml version="1.0" encoding="UTF-8"?>\n' + new XMLSerializer().serializeToString(doc) + '\n', width, height };
}

/** Physical memory: the frame map as an embedded PNG (nearest-neighbour upscaled) and a legend. */
async function physmemSvg(): Promise<StandaloneSvg> {
  const snap = store.getState().snapshot;
  if (!snap) throw new Error('no machine yet');
  let map: { pixels: Uint8ClampedArray; rows: number } | null = null;
  for (let i = 0; i < 120 && !map; i++) {
    map = readConsistent(snap.generation, (b) => {
      const rows = Math.ceil(b.nframes / COLS);
      const px = new Uint8ClampedArray(COLS * rows * 4);
      const free = rgb(parseColour(cssVar('--free-frame', '#e9ecf1'))?.hex ?? '#e9ecf1');
      for (let f = 0; f < COLS * rows; f++) {
        const use = f < b.nframes ? b.desc.use[f] : 0;
        const [r, g, bl] = use === 0 ? free : rgb(FRAME_USE_COLOURS[use] || '#ff00ff');
        px.set([r, g, bl, 255], f * 4);
      }
      return { pixels: px, rows };
    });
    if (!map) await drawn();
  }
  if (!map) throw new Error('the machine kept changing; try again when it is idle');
  const k = Math.max(1, Math.min(4, Math.floor(1024 / map.rows)));
  const src = document.createElement('canvas');
  src.width = COLS;
  src.height = map.rows;
  src.getContext('2d')!.putImageData(new ImageData(map.pixels as Uint8ClampedArray<ArrayBuffer>, COLS, map.rows), 0, 0);
  const big = document.createElement('canvas');
  big.width = COLS * k;
  big.height = map.rows * k;
  const ctx = big.getContext('2d')!;
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(src, 0, 0, big.width, big.height);
  const png = big.toDataURL('image/png');

  const pad = 16;
  const head = 28;
  const legendH = 26;
  const width = big.width + 2 * pad;
  const height = head + big.height + legendH + 2 * pad;
  const { doc, root } = newDoc(width, height, 'physmem');
  const fg = parseColour(cssVar('--fg', '#1d2330'))?.hex ?? '#1d2330';
  const label = el(doc, 'text', { x: pad, y: pad + 14, 'font-family': FONT, 'font-size': '14px', 'font-weight': 600, fill: fg });
  label.textContent = `Physical memory: ${snap.nframes.toLocaleString('en-US')} frames of 4 KiB, 1 MiB a row, ${percentFree(snap.meminfo.MemFree, snap.meminfo.MemTotal)} free`;
  const img = el(doc, 'image', { x: pad, y: pad + head, width: big.width, height: big.height, 'image-rendering': 'optimizeSpeed', preserveAspectRatio: 'none', class: 'frames' });
  img.setAttribute('href', png);
  img.setAttributeNS(XLINK_NS, 'xlink:href', png);
  root.append(label, img);
  const uses = ['kernel', 'zero', 'pgd', 'pud', 'pmd', 'pte', 'anon', 'shmem', 'hugetlb'];
  let x = pad;
  const y = pad + head + big.height + 10;
  for (const u of uses) {
    const i = FRAME_USE_NAMES.indexOf(u as never);
    if (i < 0) continue;
    root.append(el(doc, 'rect', { x, y, width: 12, height: 12, rx: 2, fill: FRAME_USE_COLOURS[i] || '#999999', class: `legend-${u}` }));
    const t = el(doc, 'text', { x: x + 16, y: y + 11, 'font-family': FONT, 'font-size': '12px', fill: fg });
    t.textContent = u;
    root.append(t);
    x += 16 + u.length * 7.5 + 12;
  }
  return serialise(doc, width, height);
}

/** Counters: the talk counters as a two-column SVG table. */
function countersSvg(): StandaloneSvg {
  const s = store.getState();
  if (!s.snapshot) throw new Error('no machine yet');
  const rows = counterRows(s.snapshot, [s.selection.pid, s.compare]);
  const pad = 20;
  const rowH = 30;
  const width = 720;
  const height = pad * 2 + 36 + rows.length * rowH;
  const { doc, root } = newDoc(width, height, 'counters');
  const fg = parseColour(cssVar('--fg', '#1d2330'))?.hex ?? '#1d2330';
  const muted = parseColour(cssVar('--muted', '#5b6372'))?.hex ?? '#5b6372';
  const border = parseColour(cssVar('--border', '#d8dce3'))?.hex ?? '#d8dce3';
  const h = el(doc, 'text', { x: pad, y: pad + 18, 'font-family': FONT, 'font-size': '18px', 'font-weight': 600, fill: fg });
  h.textContent = `Counters at step ${count(s.position)} of ${count(s.total)}`;
  root.append(h);
  rows.forEach(([k, v], i) => {
    const y = pad + 36 + i * rowH;
    root.append(el(doc, 'line', { x1: pad, x2: width - pad, y1: y + rowH, y2: y + rowH, stroke: border, 'stroke-width': 1 }));
    const a = el(doc, 'text', { x: pad, y: y + 21, 'font-family': FONT, 'font-size': '16px', fill: muted, class: 'counter-name' });
    a.textContent = k;
    const b = el(doc, 'text', { x: width - pad, y: y + 21, 'font-family': MONO, 'font-size': '16px', 'font-weight': 600, fill: fg, 'text-anchor': 'end', class: 'counter-value' });
    b.textContent = v;
    root.append(a, b);
  });
  return serialise(doc, width, height);
}

// ---------------------------------------------------------------- PNG

export interface PngResult {
  blob: Blob;
  width: number;
  height: number;
  /** The scale used: less than asked when the image would pass MAX_PNG_SIDE / MAX_PNG_PIXELS. */
  scale: number;
}

/** Draws an SVG document onto a canvas at `scale` and encodes it as PNG. */
export async function svgToPng(svg: StandaloneSvg, scale: number): Promise<PngResult> {
  let k = scale;
  const fits = (f: number) => svg.width * f <= MAX_PNG_SIDE && svg.height * f <= MAX_PNG_SIDE && svg.width * svg.height * f * f <= MAX_PNG_PIXELS;
  while (k > 0.25 && !fits(k)) k /= 2;
  const width = Math.max(1, Math.round(svg.width * k));
  const height = Math.max(1, Math.round(svg.height * k));
  const url = URL.createObjectURL(new Blob([svg.text], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    // Chromium rasterises an SVG image at the size it is drawn: vector-sharp at any scale.
    canvas.getContext('2d')!.drawImage(img, 0, 0, width, height);
    const blob = await new Promise<Blob>((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('the PNG could not be encoded'))), 'image/png'));
    return { blob, width, height, scale: k };
  } finally {
    URL.revokeObjectURL(url);
  }
}

/**
 * The PNG scales the export menu offers and README promises. A test author's typo used to be
 * drawn as asked (scale 0: a 1x1 PNG, 100: 8000x4500 and a long wait): refused instead.
 */
export const PNG_SCALES: readonly number[] = [1, 2, 4];

export async function exportPng(view: TalkViewId, scale: number): Promise<PngResult> {
  if (!PNG_SCALES.includes(scale)) throw new RangeError(`exportPng: scale must be 1, 2 or 4 (got ${String(scale)})`);
  return svgToPng(await exportSvg(view), scale);
}

/**
 * The free share for the heading: whole percent, except that a machine with frames in use never
 * reads "100% free" (nor a machine with some free "0% free"): one decimal there, or "< 0.1%".
 */
export function percentFree(free: number, total: number): string {
  const p = total > 0 ? (free / total) * 100 : 0;
  const whole = Math.round(p);
  if ((whole === 100 && free < total) || (whole === 0 && free > 0)) {
    const tenth = Math.floor(p * 10) / 10;
    if (free < total && tenth >= 100) return '99.9%';
    if (free > 0 && p < 0.1) return '< 0.1%';
    return `${whole === 0 ? Math.max(0.1, tenth).toFixed(1) : tenth.toFixed(1)}%`;
  }
  return `${whole}%`;
}


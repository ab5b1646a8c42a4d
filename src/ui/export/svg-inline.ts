/**
 * A live SVG view -> a standalone SVG document. The live views are styled by the page's
 * stylesheet (classes and CSS variables); a file opened in Inkscape or another browser has
 * none of that, so every element's computed paint, stroke and font are written onto its
 * copy as presentation attributes (fill="#d55e00" stroke-width="2.4" font-family="..."),
 * colours resolved to #rrggbb plus an opacity. Inherited properties are written only where
 * they differ from the parent's, so files stay small.
 *
 * Everything happens on a detached clone: nothing is added to the live DOM (no <style>, no
 * style attribute; the page's CSP forbids inline styles there). Views with a pan/zoom
 * viewport get the whole drawing (its bounding box), not only the part on screen.
 */

const SVG_NS = 'http://www.w3.org/2000/svg';

/** Inherited properties: written where they differ from the parent. */
const INHERITED = [
  'fill', 'fill-opacity', 'fill-rule', 'stroke', 'stroke-width', 'stroke-opacity', 'stroke-dasharray',
  'stroke-dashoffset', 'stroke-linecap', 'stroke-linejoin', 'font-family', 'font-size', 'font-weight',
  'font-style', 'text-anchor', 'dominant-baseline', 'letter-spacing', 'visibility', 'paint-order',
] as const;

export interface Rgba {
  hex: string;
  alpha: number;
}

const probeCache = new Map<string, Rgba | null>();

const clamp255 = (n: number) => Math.max(0, Math.min(255, Math.round(n)));
const toHex = (r: number, g: number, b: number) => '#' + [r, g, b].map((x) => clamp255(x).toString(16).padStart(2, '0')).join('');

/** A computed CSS colour as #rrggbb and alpha; null for none/transparent/unknown. */
export function parseColour(value: string): Rgba | null {
  const v = value.trim();
  if (!v || v === 'none' || v === 'transparent') return null;
  if (/^#[0-9a-f]{6}$/i.test(v)) return { hex: v.toLowerCase(), alpha: 1 };
  let m = /^rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:\s*[,/]\s*([\d.]+%?))?\s*\)$/i.exec(v);
  if (m) {
    const a = m[4] === undefined ? 1 : m[4].endsWith('%') ? parseFloat(m[4]) / 100 : parseFloat(m[4]);
    return a === 0 ? null : { hex: toHex(+m[1], +m[2], +m[3]), alpha: a };
  }
  m = /^color\(srgb\s+([-\d.e]+)\s+([-\d.e]+)\s+([-\d.e]+)(?:\s*\/\s*([\d.]+%?))?\s*\)$/i.exec(v);
  if (m) {
    const a = m[4] === undefined ? 1 : m[4].endsWith('%') ? parseFloat(m[4]) / 100 : parseFloat(m[4]);
    return a === 0 ? null : { hex: toHex(+m[1] * 255, +m[2] * 255, +m[3] * 255), alpha: a };
  }
  // Anything else (oklab(), a named colour, ...): let a canvas resolve it, once per value.
  if (probeCache.has(v)) return probeCache.get(v)!;
  let out: Rgba | null = null;
  try {
    const c = document.createElement('canvas');
    c.width = c.height = 1;
    const ctx = c.getContext('2d', { willReadFrequently: true })!;
    ctx.fillStyle = v;
    ctx.fillRect(0, 0, 1, 1);
    const [r, g, b, a] = ctx.getImageData(0, 0, 1, 1).data;
    out = a === 0 ? null : { hex: toHex(r, g, b), alpha: a / 255 };
  } catch {
    out = null;
  }
  probeCache.set(v, out);
  return out;
}

const round = (n: number) => String(Math.round(n * 1000) / 1000);

/** The presentation attributes for one element, from its computed style. */
function attrsOf(cs: CSSStyleDeclaration): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of INHERITED) out.set(p, cs.getPropertyValue(p).trim());
  for (const paint of ['fill', 'stroke'] as const) {
    const raw = out.get(paint)!;
    if (/^url\(/.test(raw)) continue;
    const c = parseColour(raw);
    const op = parseFloat(out.get(`${paint}-opacity`) || '1');
    if (!c) {
      out.set(paint, 'none');
      continue;
    }
    out.set(paint, c.hex);
    out.set(`${paint}-opacity`, round((Number.isFinite(op) ? op : 1) * c.alpha));
  }
  const sw = parseFloat(out.get('stroke-width') || '');
  if (Number.isFinite(sw)) out.set('stroke-width', round(sw));
  const fs = parseFloat(out.get('font-size') || '');
  if (Number.isFinite(fs)) out.set('font-size', `${round(fs)}px`);
  if (out.get('letter-spacing') === 'normal') out.set('letter-spacing', '0');
  return out;
}

/** Marks what is on screen only (buttons, how-to hints): views set it, exports drop it. */
export const EXPORT_OMIT = '[data-export="omit"], .ui-only';

/**
 * Removes the interactive-only parts of an exported copy: elements marked EXPORT_OMIT, and
 * the role and tabindex that make the rest of a drawing a control.
 */
export function stripInteractive(root: Element): void {
  for (const e of Array.from(root.querySelectorAll(EXPORT_OMIT))) e.remove();
  for (const e of Array.from(root.querySelectorAll('[role="button"]'))) {
    e.removeAttribute('role');
    e.removeAttribute('tabindex');
  }
}

export interface StandaloneOptions {
  /** The whole drawing inside this pan/zoom viewport group (its transform dropped). */
  viewport?: SVGGElement | null;
  /** Background colour (any CSS colour); none when omitted. */
  background?: string;
  title?: string;
  description?: string;
  padding?: number;
}

export interface StandaloneSvg {
  text: string;
  width: number;
  height: number;
}

/**
 * Serialises `live` as a standalone SVG document. The caller makes sure the view has drawn
 * (and that animations are off, so no half-flashed colour is captured).
 */
export function standaloneSvg(live: SVGSVGElement, opts: StandaloneOptions = {}): StandaloneSvg {
  const clone = live.cloneNode(true) as SVGSVGElement;
  const origs = [live, ...Array.from(live.querySelectorAll<Element>('*'))];
  const copies = [clone, ...Array.from(clone.querySelectorAll<Element>('*'))];
  const computed = new Map<Element, Map<string, string>>();
  origs.forEach((o, i) => {
    const c = copies[i];
    if (o.tagName === 'title' || o.tagName === 'desc') return;
    const mine = attrsOf(getComputedStyle(o));
    computed.set(o, mine);
    const parent = o === live ? undefined : computed.get(o.parentElement as Element);
    for (const [k, v] of mine) {
      if (!v) continue;
      if (!parent || parent.get(k) !== v) c.setAttribute(k, v);
    }
    const cs = getComputedStyle(o);
    const opacity = parseFloat(cs.opacity);
    if (Number.isFinite(opacity) && opacity < 1) c.setAttribute('opacity', round(opacity));
    if (cs.display === 'none') c.setAttribute('display', 'none');
    c.removeAttribute('style');
    c.removeAttribute('tabindex');
  });

  // The drawing's extent.
  const pad = opts.padding ?? 16;
  let box: { x: number; y: number; width: number; height: number };
  if (opts.viewport) {
    const b = opts.viewport.getBBox();
    box = { x: b.x - pad, y: b.y - pad, width: b.width + 2 * pad, height: b.height + 2 * pad };
    const vpIndex = origs.indexOf(opts.viewport);
    if (vpIndex >= 0) copies[vpIndex].removeAttribute('transform');
  } else {
    const vb = live.viewBox?.baseVal;
    const w = parseFloat(live.getAttribute('width') ?? '') || (vb && vb.width) || live.clientWidth || live.getBBox().width;
    const h = parseFloat(live.getAttribute('height') ?? '') || (vb && vb.height) || live.clientHeight || live.getBBox().height;
    box = vb && vb.width ? { x: vb.x, y: vb.y, width: vb.width, height: vb.height } : { x: 0, y: 0, width: w, height: h };
  }
  const width = Math.max(1, Math.ceil(box.width));
  const height = Math.max(1, Math.ceil(box.height));
  clone.setAttribute('xmlns', SVG_NS);
  clone.setAttribute('version', '1.1');
  clone.setAttribute('width', String(width));
  clone.setAttribute('height', String(height));
  clone.setAttribute('viewBox', `${round(box.x)} ${round(box.y)} ${width} ${height}`);
  clone.removeAttribute('class');
  clone.removeAttribute('role');

  const doc = clone.ownerDocument;
  const first = clone.firstChild;
  if (opts.title) {
    const t = doc.createElementNS(SVG_NS, 'title');
    t.textContent = opts.title;
    clone.insertBefore(t, first);
  }
  if (opts.description) {
    const d = doc.createElementNS(SVG_NS, 'desc');
    d.textContent = opts.description;
    clone.insertBefore(d, first);
  }
  const bg = opts.background ? parseColour(opts.background) : null;
  if (bg) {
    const r = doc.createElementNS(SVG_NS, 'rect');
    r.setAttribute('x', round(box.x));
    r.setAttribute('y', round(box.y));
    r.setAttribute('width', String(width));
    r.setAttribute('height', String(height));
    r.setAttribute('fill', bg.hex);
    r.setAttribute('class', 'export-background');
    clone.insertBefore(r, first);
  }
  stripInteractive(clone);
  const text = '<?xml version="1.0" encoding="UTF-8"?>\n' + new XMLSerializer().serializeToString(clone) + '\n';
  return { text, width, height };
}

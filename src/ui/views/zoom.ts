/**
 * A pan/zoom behaviour for an SVG with one viewport group (a small XYPanZoom-like factory).
 */
import { select, type Selection } from 'd3-selection';
import { zoom, zoomIdentity, type ZoomBehavior } from 'd3-zoom';

export interface PanZoom {
  /** Fits a content box of `w` x `h` into the SVG (never zooming in past `maxScale`). */
  fit(w: number, h: number, maxScale?: number, minScale?: number): void;
  zoomBy(k: number): void;
  /** The SVG's size in CSS pixels (from the view's ResizeObserver). */
  setSize(width: number, height: number): void;
  destroy(): void;
}

export function panZoom(svg: SVGSVGElement, viewport: SVGGElement, extent: [number, number] = [0.05, 4]): PanZoom {
  const sel = select(svg) as Selection<SVGSVGElement, unknown, null, undefined>;
  const behaviour: ZoomBehavior<SVGSVGElement, unknown> = zoom<SVGSVGElement, unknown>()
    .scaleExtent(extent)
    .on('zoom', (e) => viewport.setAttribute('transform', e.transform.toString()));
  sel.call(behaviour).on('dblclick.zoom', null);
  const r = { width: 0, height: 0 };
  return {
    setSize(width, height) {
      r.width = width;
      r.height = height;
    },
    fit(w, h, maxScale = 1, minScale = extent[0]) {
      if (!r.width || !r.height || !w || !h) return;
      const pad = 16;
      // Whole content when it fits at a readable scale; else readable and anchored top-left.
      const k = Math.max(minScale, Math.min(maxScale, (r.width - 2 * pad) / w, (r.height - 2 * pad) / h));
      const kk = Math.max(extent[0], k);
      const x = Math.max(pad, (r.width - w * kk) / 2);
      sel.call(behaviour.transform, zoomIdentity.translate(x, pad).scale(kk));
    },
    zoomBy(k) {
      sel.call(behaviour.scaleBy, k);
    },
    destroy() {
      sel.on('.zoom', null);
    },
  };
}

/**
 * A pan/zoom behaviour for an SVG with one viewport group (a small XYPanZoom-like factory).
 *
 * Scrolling (wheel, two-finger trackpad) moves the drawing, shift+scroll sideways;
 * ctrl/cmd+scroll and pinch zoom, as do the views' +/- buttons; dragging pans. A fit
 * (fit.ts) keeps the drawing readable, so a large one is scrolled through, not shrunk to
 * illegible type.
 *
 * Keyboard focus moving to a control of the drawing (a process box, a tree's collapse button)
 * that lies outside the view pans the drawing to bring it, with its focus ring, into view.
 *
 * The behaviour remembers whether the user moved the drawing since the last fit: a view
 * refits itself when its box is resized only if not (a chosen zoom is the user's).
 */
import { select, type Selection } from 'd3-selection';
import { zoom, zoomIdentity, zoomTransform, type ZoomBehavior } from 'd3-zoom';
import { edgesPast, FIT_PAD, fitTransform, scrollBy, type FitLimits, type Size } from './fit';

export interface PanZoom {
  /** The drawing's size in its own units, after each draw: what a fit fits and scrolling scrolls through. */
  setContent(w: number, h: number): void;
  /** Fits the drawing into the SVG (fit.ts: readable, at most `limits.maxScale`). */
  fit(limits: Omit<FitLimits, 'screenScale'>): void;
  zoomBy(k: number): void;
  /** The SVG's size in CSS pixels (from the view's ResizeObserver); true when it changed. */
  setSize(width: number, height: number): boolean;
  /** Whether the user zoomed, panned or scrolled since the last fit. */
  userMoved(): boolean;
  destroy(): void;
}

const LINE_PX = 16;

export function panZoom(svg: SVGSVGElement, viewport: SVGGElement, extent: [number, number] = [0.05, 4]): PanZoom {
  const sel = select(svg) as Selection<SVGSVGElement, unknown, null, undefined>;
  let moved = false;
  const r = { width: 0, height: 0 };
  const behaviour: ZoomBehavior<SVGSVGElement, unknown> = zoom<SVGSVGElement, unknown>()
    .scaleExtent(extent)
    // The view's size as the ResizeObserver last gave it. d3's default reads the SVG's size on
    // every transform, which forces a layout of the whole drawing after each update: 779 ms of
    // 2.7 s stepping a script of 1,500 ungrouped processes went there (review 18).
    .extent(function (this: SVGSVGElement) {
      return r.width > 0 ? [[0, 0], [r.width, r.height]] : [[0, 0], [this.clientWidth, this.clientHeight]];
    })
    // The wheel zooms only with ctrl/cmd (a trackpad pinch sends ctrl+wheel); without, it scrolls (below).
    .filter((e: MouseEvent) => (e.type === 'wheel' ? e.ctrlKey || e.metaKey : !e.ctrlKey && !e.button))
    .on('zoom', (e) => {
      viewport.setAttribute('transform', e.transform.toString());
      showMore();
      // A sourceEvent means a gesture (drag, pinch, ctrl+wheel); fits and scrolls have none.
      if (e.sourceEvent) moved = true;
    });
  sel.call(behaviour).on('dblclick.zoom', null);
  let content: Size | null = null;
  const view = (): Size => ({ w: r.width, h: r.height });
  /**
   * Marks the host with the edges the drawing runs past (more-left, more-right, more-above,
   * more-below): main.css fades those edges, so a cut-off tree says there is more to scroll to.
   */
  const showMore = () => {
    const host = svg.parentElement;
    if (!host) return;
    const t = zoomTransform(svg);
    const past = content && r.width > 0 ? edgesPast(view(), content, { x: t.x, y: t.y, k: t.k }) : null;
    host.classList.toggle('more-left', !!past?.left);
    host.classList.toggle('more-right', !!past?.right);
    host.classList.toggle('more-above', !!past?.above);
    host.classList.toggle('more-below', !!past?.below);
  };

  sel.on('wheel.scroll', (e: WheelEvent) => {
    if (e.ctrlKey || e.metaKey || !content || !r.width) return;
    const unit = e.deltaMode === 1 ? LINE_PX : e.deltaMode === 2 ? r.height : 1;
    // A mouse wheel with shift scrolls sideways (Chrome already swaps the deltas on some systems).
    const dx = (e.shiftKey && !e.deltaX ? e.deltaY : e.deltaX) * unit;
    const dy = (e.shiftKey && !e.deltaX ? 0 : e.deltaY) * unit;
    const t = zoomTransform(svg);
    const next = scrollBy(view(), content, { x: t.x, y: t.y, k: t.k }, -dx, -dy);
    e.preventDefault();
    if (next.x === t.x && next.y === t.y) return;
    sel.call(behaviour.transform, zoomIdentity.translate(next.x, next.y).scale(next.k));
    moved = true;
  }, { passive: false } as AddEventListenerOptions);

  /**
   * Focus on a part of the drawing out of view (Tab past the panel's edge): pan just enough to
   * show it with a margin (FIT_PAD) for its focus ring, as a page scrolls a focused link into
   * view. Larger than the view: its top left corner shown.
   */
  sel.on('focusin.reveal', (e: FocusEvent) => {
    const el = e.target;
    if (!(el instanceof SVGGraphicsElement) || el === svg || !r.width || !r.height) return;
    // Keyboard focus only: a click lands on what is already in view, and the drawing stays put.
    if (!el.matches(':focus-visible')) return;
    const s = svg.getBoundingClientRect();
    const b = el.getBoundingClientRect();
    const px = s.width / r.width || 1;
    const left = (b.left - s.left) / px;
    const top = (b.top - s.top) / px;
    const w = b.width / px;
    const h = b.height / px;
    const axis = (pos: number, len: number, viewLen: number): number => {
      if (pos < FIT_PAD || len + 2 * FIT_PAD > viewLen) return FIT_PAD - pos;
      if (pos + len > viewLen - FIT_PAD) return viewLen - FIT_PAD - (pos + len);
      return 0;
    };
    const dx = axis(left, w, r.width);
    const dy = axis(top, h, r.height);
    // The browser may have scrolled the panel (an overflow: hidden box) to the element: undo that, the pan shows it.
    for (let p = svg.parentElement; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflow === 'hidden' && (p.scrollLeft || p.scrollTop)) p.scrollTo(0, 0);
    }
    if (Math.abs(dx) < 0.5 && Math.abs(dy) < 0.5) return;
    const t = zoomTransform(svg);
    sel.call(behaviour.transform, zoomIdentity.translate(t.x + dx, t.y + dy).scale(t.k));
    moved = true;
  });

  /**
   * How large one drawing pixel is on screen: 1 in the desk layout, about 2 in presenter mode
   * (whose panes scale the views' hosts with a transform). Read once per resize, never while drawing.
   */
  const screenScale = (): number => {
    const b = svg.getBoundingClientRect();
    return r.width > 0 && b.width > 0 ? b.width / r.width : 1;
  };
  let scale = 1;

  return {
    setSize(width, height) {
      if (width === r.width && height === r.height) return false;
      r.width = width;
      r.height = height;
      scale = screenScale();
      showMore();
      return true;
    },
    setContent(w, h) {
      content = w > 0 && h > 0 ? { w, h } : null;
      showMore();
    },
    fit(limits) {
      if (!r.width || !r.height || !content) return;
      const t = fitTransform(view(), content, { ...limits, minScale: Math.max(extent[0], limits.minScale), screenScale: scale });
      sel.call(behaviour.transform, zoomIdentity.translate(t.x, t.y).scale(t.k));
      moved = false;
    },
    zoomBy(k) {
      sel.call(behaviour.scaleBy, k);
      moved = true;
    },
    userMoved: () => moved,
    destroy() {
      sel.on('.zoom', null).on('wheel.scroll', null).on('focusin.reveal', null);
    },
  };
}

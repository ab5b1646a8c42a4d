/**
 * Where a pan/zoom view puts its drawing (pure: no DOM, unit-tested in tests/ui/fit.test.ts).
 *
 * A fitted drawing is as large as fits, but never smaller than readable: below that it stays
 * readable, anchored at the top left, and the rest is a scroll (or drag) away. A review found
 * fitted page-table trees with 6-7 px labels and a processes graph with 4 px text at 1280x720.
 */

export interface Size {
  w: number;
  h: number;
}

export interface Transform {
  x: number;
  y: number;
  k: number;
}

/** The margin around a fitted drawing, in screen pixels. */
export const FIT_PAD = 12;

/**
 * The smallest on-screen scale a fit goes down to: the views' smallest type (10.5 px: tree
 * rows and subtitles, the processes' lines) then shows at about 9.5 px, their titles at 11.
 */
export const READABLE_SCALE = 0.9;

/**
 * The smallest scale a `whole` fit may use: a slide shows the whole structure even when its
 * type gets small. At the tree's own 0.55, a 960x540 embed of four views cut the tree's PTE
 * level off (a 470 px pane for a drawing about 940 px wide).
 */
export const WHOLE_MIN_SCALE = 0.3;

export interface FitLimits {
  /** The largest scale (a small drawing is not blown up past it). */
  maxScale: number;
  /** The smallest scale in drawing units, whatever the screen. */
  minScale: number;
  /** How large one drawing pixel is on screen (presenter mode zooms the views' hosts). */
  screenScale?: number;
  /**
   * The whole drawing, down to WHOLE_MIN_SCALE, readable or not: presenter and embed mode,
   * where nobody scrolls a projected slide (their CSS zoom keeps the type large instead).
   */
  whole?: boolean;
}

/** The smallest scale a fit may use: readable on screen, and not below `minScale` (unless `whole`). */
export function fitFloor(l: FitLimits): number {
  if (l.whole) return Math.min(l.minScale, WHOLE_MIN_SCALE);
  return Math.max(l.minScale, READABLE_SCALE / Math.max(0.01, l.screenScale ?? 1));
}

/**
 * The transform that fits `content` into `view`: centred across when it fits, from the left
 * edge when it does not; always from the top (trees and graphs are read top down). A drawing
 * that fits only in the margins is centred in the view: anchored at FIT_PAD, a processes graph
 * 0.3 px wider than the view less one margin lost its right border with no fade (review 15);
 * a drawing that does not fit runs past by most of a margin, and that edge fades.
 */
export function fitTransform(view: Size, content: Size, l: FitLimits): Transform {
  const floor = fitFloor(l);
  const whole = wholeScale(view, content);
  const k = Math.max(floor, Math.min(l.maxScale, whole));
  const w = content.w * k;
  // 1 px either side for the boxes' borders, drawn half outside the drawing's size.
  return { k, x: w + 2 <= view.w ? (view.w - w) / 2 : FIT_PAD, y: FIT_PAD };
}

/** The edges of the view the drawing at `t` runs past (by more than a pixel): where there is more to scroll to. */
export function edgesPast(view: Size, content: Size, t: Transform): { left: boolean; right: boolean; above: boolean; below: boolean } {
  return {
    left: t.x < -1,
    above: t.y < -1,
    right: t.x + content.w * t.k > view.w + 1,
    below: t.y + content.h * t.k > view.h + 1,
  };
}

/**
 * One scroll step: moves the drawing by (dx, dy) screen pixels, as far as there is drawing
 * to show in that direction (a margin of FIT_PAD at its far edges). A drawing dragged out of
 * those bounds is never made to jump back, only kept from going further.
 */
export function scrollBy(view: Size, content: Size, t: Transform, dx: number, dy: number): Transform {
  const axis = (pos: number, d: number, viewLen: number, len: number): number => {
    if (len + 2 * FIT_PAD <= viewLen) return pos;
    const lower = Math.min(viewLen - FIT_PAD - len, pos);
    const upper = Math.max(FIT_PAD, pos);
    return Math.max(lower, Math.min(upper, pos + d));
  };
  return { k: t.k, x: axis(t.x, dx, view.w, content.w * t.k), y: axis(t.y, dy, view.h, content.h * t.k) };
}

/**
 * Whether to draw the second of two drawings of one thing rather than the first (the usual
 * one): when the first does not fit `view` whole at `floor` (the readable scale) and the second
 * does. The page-table tree's columns at 1280x800 were cut at the readable scale, their last
 * level and the sharing badge the hugetlb scenario is about off the panel's right edge, with a
 * third of its height empty below; stacked, the same tree fits. When neither fits, the one that
 * needs less shrinking to fit whole: at 1366x768 (a panel under 300 px high) a stacked tree of
 * five tables did not fit, and the columns drawn instead ran off the right with the badge and
 * two levels out of view, where the stack showed all but the bottom of its last table.
 */
export function preferSecond(view: Size, first: Size, second: Size, floor: number): boolean {
  const a = wholeScale(view, first);
  const b = wholeScale(view, second);
  return a < floor && (b >= floor || b > a);
}

/** The scale at which `content` fits `view` whole, inside the margins. */
function wholeScale(view: Size, content: Size): number {
  return Math.min((view.w - 2 * FIT_PAD) / content.w, (view.h - 2 * FIT_PAD) / content.h);
}

/**
 * Where the pan/zoom views put their drawings (src/ui/views/fit.ts): as large as fits, never
 * below readable (then from the top left, the rest scrolled to), and scrolling stops at the
 * drawing's far edges.
 */
import { describe, expect, it } from 'vitest';
import { edgesPast, FIT_PAD, fitFloor, fitTransform, READABLE_SCALE, WHOLE_MIN_SCALE, scrollBy } from '../../src/ui/views/fit';

const tree = { maxScale: 1, minScale: 0.55 };

describe('fitTransform', () => {
  it('shows a small drawing whole, centred across, at most at maxScale', () => {
    const t = fitTransform({ w: 1000, h: 600 }, { w: 400, h: 200 }, tree);
    expect(t.k).toBe(1);
    expect(t.x).toBe(300);
    expect(t.y).toBe(FIT_PAD);
  });

  it('shrinks a drawing to fit while it stays readable', () => {
    const t = fitTransform({ w: 1000 + 2 * FIT_PAD, h: 900 }, { w: 1100, h: 300 }, tree);
    expect(t.k).toBeCloseTo(1000 / 1100);
    expect(t.x).toBeCloseTo(FIT_PAD);
  });

  it('never goes below readable: a four-level tree in a 1280x720 panel is scrolled, not shrunk to 6 px type', () => {
    const t = fitTransform({ w: 616, h: 220 }, { w: 1142, h: 260 }, tree);
    expect(t.k).toBe(READABLE_SCALE);
    // From the left edge: the PGDs are on screen, the rest to the right.
    expect(t.x).toBe(FIT_PAD);
    expect(edgesPast({ w: 616, h: 220 }, { w: 1142, h: 260 }, t)).toEqual({ left: false, right: true, above: false, below: true });
  });

  it('counts the screen: a host zoomed 2x (presenter mode) may go down to its own minimum', () => {
    expect(fitFloor({ ...tree, screenScale: 2 })).toBe(0.55);
    expect(fitFloor({ ...tree, screenScale: 1 })).toBe(READABLE_SCALE);
    expect(fitFloor({ ...tree, screenScale: 1.25 })).toBeCloseTo(READABLE_SCALE / 1.25);
  });
});

describe('scrollBy', () => {
  const view = { w: 600, h: 300 };
  const content = { w: 1200, h: 250 };

  it('moves across as far as the drawing goes, and not down when it fits in height', () => {
    const start = fitTransform(view, content, tree);
    const a = scrollBy(view, content, start, -200, -50);
    expect(a).toEqual({ k: start.k, x: start.x - 200, y: start.y });
    const end = scrollBy(view, content, a, -5000, 0);
    expect(end.x).toBeCloseTo(view.w - FIT_PAD - content.w * start.k);
    expect(edgesPast(view, content, end).right).toBe(false);
    const back = scrollBy(view, content, end, 5000, 0);
    expect(back.x).toBe(FIT_PAD);
  });

  it('never makes a drawing dragged past its bounds jump back', () => {
    const dragged = { k: 1, x: 200, y: 40 };
    expect(scrollBy(view, content, dragged, 30, 0).x).toBe(200);
    expect(scrollBy(view, content, dragged, -30, 0).x).toBe(170);
  });
});

describe('presenter mode (whole)', () => {
  it('fits the whole drawing down to its own minimum: nobody scrolls a projected slide', () => {
    const view = { w: 470, h: 160 };
    const graph = { w: 300, h: 245 };
    const t = fitTransform(view, graph, { maxScale: 1.5, minScale: 0.5, screenScale: 1.33, whole: true });
    expect(t.k).toBeCloseTo((160 - 2 * FIT_PAD) / 245);
    expect(edgesPast(view, graph, t)).toEqual({ left: false, right: false, above: false, below: false });
    // The desk layout at that size: readable, the rest scrolled to.
    expect(fitTransform(view, graph, { maxScale: 1.5, minScale: 0.5, screenScale: 1 }).k).toBe(READABLE_SCALE);
  });

  it('goes below the view\'s own minimum, down to WHOLE_MIN_SCALE: a 4-view embed at 960x540 kept the tree\'s PTE level', () => {
    // The tree's pane then: about 470 px for a drawing about 940 px wide (its minimum is 0.55).
    const view = { w: 468, h: 228 };
    const tree = { w: 940, h: 120 };
    const t = fitTransform(view, tree, { maxScale: 1, minScale: 0.55, whole: true });
    expect(t.k).toBeCloseTo((468 - 2 * FIT_PAD) / 940);
    expect(edgesPast(view, tree, t).right).toBe(false);
    // Never below WHOLE_MIN_SCALE, however large the drawing.
    expect(fitTransform(view, { w: 5000, h: 120 }, { maxScale: 1, minScale: 0.55, whole: true }).k).toBe(WHOLE_MIN_SCALE);
  });
});

describe('a drawing that fits only in the margins', () => {
  // Review 15, oom-mshare step 110 at 1280x800: the processes graph (364 units at the readable
  // 0.9) in a 339.3 px view, drawn from x = 12: its right end at 339.6, the host box's right
  // border cut, and no fade (edgesPast allows a pixel).
  it('is centred in the view, whole, rather than cut by a fraction of a pixel', () => {
    const view = { w: 339.3, h: 400 };
    const graph = { w: 364, h: 300 };
    const t = fitTransform(view, graph, { maxScale: 1.5, minScale: 0.5 });
    expect(t.k).toBe(READABLE_SCALE);
    expect(t.x).toBeGreaterThanOrEqual(1);
    expect(t.x + graph.w * t.k).toBeLessThanOrEqual(view.w - 1);
    expect(edgesPast(view, graph, t).right).toBe(false);
  });

  it('one that does not fit still starts at the margin and fades where it runs past', () => {
    const view = { w: 300, h: 400 };
    const graph = { w: 364, h: 300 };
    const t = fitTransform(view, graph, { maxScale: 1.5, minScale: 0.5 });
    expect(t.x).toBe(FIT_PAD);
    expect(edgesPast(view, graph, t).right).toBe(true);
  });
});

/**
 * The processes graph's layout (src/ui/views/proc-model.ts): every box is as wide as its
 * text, and an edge's ×N label sits beside the edge's tail, clear of its arrowhead.
 */
import { describe, expect, it } from 'vitest';
import { buildModel } from '../../src/engine/model';
import { Runner } from '../../src/scenario/runner';
import { findBuiltin } from '../../src/scenario/builtins/index';
import { boxWidth, buildProcGraph, estimateText, LABEL_GAP, NODE_W, PAD_X, type Measure } from '../../src/ui/views/proc-model';

function graphOf(id: string, measure?: Measure) {
  const b = findBuiltin(id);
  if (!b) throw new Error(id);
  const r = Runner.fromSource(b.source, id, { checkpointEvery: 0, checkpointOverhead: Infinity });
  if (!r.ok) throw new Error(id);
  r.runner.runToEnd();
  return buildProcGraph(buildModel(r.runner.kernel, 1), measure);
}

describe('process boxes', () => {
  it('are at least NODE_W and wide enough for their longest line', () => {
    expect(boxWidth('a', ['b'], estimateText)).toBe(NODE_W);
    const long = 'each: PTE 136K · RSS 64M and then some more text';
    expect(boxWidth('t', [long], estimateText)).toBeGreaterThanOrEqual(estimateText(long, 'line') + 2 * PAD_X);
  });

  it('hold every line in database-mshare (1,500 processes), with a wide font too', { timeout: 120_000 }, () => {
    const wide: Measure = (t, k) => estimateText(t, k) * 1.25;
    for (const measure of [estimateText, wide]) {
      const g = graphOf('database-mshare', measure);
      expect(g.nodes.some((n) => n.kind === 'group')).toBe(true);
      for (const n of g.nodes) {
        expect(PAD_X + measure(n.title, 'title')).toBeLessThanOrEqual(n.w - PAD_X + 0.01);
        for (const l of n.lines) expect(PAD_X + measure(l, 'line')).toBeLessThanOrEqual(n.w - PAD_X + 0.01);
      }
      // Boxes in a row do not overlap; the graph holds them all.
      for (const a of g.nodes) for (const b of g.nodes) {
        if (a !== b && a.y === b.y) expect(a.x + a.w <= b.x || b.x + b.w <= a.x).toBe(true);
        expect(a.x + a.w).toBeLessThanOrEqual(g.width);
      }
      const labelled = g.edges.filter((e) => e.label);
      expect(labelled.length).toBeGreaterThan(0);
      for (const e of labelled) {
        expect(e.label).toMatch(/^×\d+$/);
        // Right of the tail by more than half an arrowhead, in the upper part of the gap (the head is at the bottom).
        expect(e.lx! - e.x1).toBeGreaterThanOrEqual(LABEL_GAP);
        expect(e.ly!).toBeGreaterThan(e.y1);
        expect(e.ly!).toBeLessThanOrEqual(e.y1 + (e.y2 - e.y1) / 2);
      }
      // mshare edges into one host end at different points.
      const ends = g.edges.filter((e) => e.kind === 'mshare').map((e) => `${e.to}:${e.x2}`);
      expect(new Set(ends).size).toBe(ends.length);
    }
  });
});

describe('process trees wrap below the hosts when a width is given', () => {
  function graphOfSource(src: string, maxWidth?: number) {
    const r = Runner.fromSource(src, 't.msh', { checkpointEvery: 0, checkpointOverhead: Infinity });
    if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
    r.runner.runToEnd();
    return buildProcGraph(buildModel(r.runner.kernel, 1), estimateText, maxWidth);
  }
  const src = `${findBuiltin('mshare-basics-2024')!.source}
spawn p1
p1: fork
spawn p2
`;
  const nodeOf = (g: ReturnType<typeof graphOfSource>, title: string) => g.nodes.find((n) => n.title.startsWith(title + ' '))!;

  it('without a width every root stays in the top row, beside the mshare clients', () => {
    const g = graphOfSource(src);
    const host = g.nodes.find((n) => n.kind === 'host')!;
    expect(nodeOf(g, 'p1').y).toBe(nodeOf(g, 'db0').y);
    expect(nodeOf(g, 'p1').y).toBeLessThan(host.y);
  });

  it('in a narrow panel, trees without mshare go below the hosts, wrapped, and nothing overlaps', () => {
    const g = graphOfSource(src, 400);
    const host = g.nodes.find((n) => n.kind === 'host')!;
    const [db0, db1, p1, child, p2] = ['db0', 'db1', 'p1', 'p1.1', 'p2'].map((t) => nodeOf(g, t));
    expect(db1.y).toBe(db0.y); // the mshare clients keep their row above the host
    expect(p1.y).toBeGreaterThan(host.y);
    expect(child.y).toBeGreaterThan(p1.y); // the fork below its parent
    expect(p1.x).toBe(0);
    expect(p2.y).toBeGreaterThan(host.y);
    for (const a of g.nodes) for (const b of g.nodes) {
      const apart = a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y;
      if (a !== b) expect(apart, `${a.title} / ${b.title}`).toBe(true);
    }
    expect(g.width).toBeLessThanOrEqual(Math.max(400, ...g.nodes.filter((n) => n.y <= host.y).map((n) => n.x + n.w)));
  });
});

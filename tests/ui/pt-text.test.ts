/**
 * The page-table tree's boxes are as wide as their text (src/ui/views/pt-text.ts): a review
 * found "480-511 0x7efffc000000" running into "→ 32 tables" in a fixed 222 px box.
 */
import { describe, expect, it } from 'vitest';
import type { PtModel, PtNode, PtRow } from '../../src/ui/views/pt-model';
import { layoutPt } from '../../src/ui/views/pt-layout';
import { NODE_MIN_W, nodeWidth, ROW_GAP, ROW_LEFT_X, ROW_RIGHT_PAD, rowText, rowTextWidth } from '../../src/ui/views/pt-text';

function node(pfn: number, depth: number, rows: PtRow[], group = [pfn]): PtNode {
  return {
    pfn, depth, levelName: ['PGD', 'PUD', 'PMD', 'PTE'][depth], owner: 1, share: 0, parents: [-1], rows,
    present: rows.length, truncated: 0, shared: false, sharing: { kind: 'none', count: 0, processes: 1, host: false, drawn: 0 }, foreign: false, collapsed: false, roots: ['db0'], group,
  };
}

const model = (...nodes: PtNode[]): PtModel => ({ roots: [], nodes: new Map(nodes.map((n) => [n.pfn, n])), order: nodes.map((n) => n.pfn), levels: 4 });

/** The talk-page-tables PMD row the review photographed. */
const pmdRow: PtRow = { first: 480, last: 511, va: 0x7efffc000000, flags: 'P RW US', child: 0x104, tables: 32 };

describe('page-table box width', () => {
  it('a PMD row of 32 identical tables: the address and the arrow keep a gap', () => {
    const n = node(0x103, 2, [pmdRow]);
    const w = nodeWidth(model(n));
    const [l, r] = rowText(pmdRow);
    expect([l, r]).toEqual(['480-511 0x7efffc000000', '→ 32 tables']);
    // The left text ends, then a gap, before the right text (anchored at its end) begins.
    expect(ROW_LEFT_X + rowTextWidth(l) + ROW_GAP).toBeLessThanOrEqual(w - ROW_RIGHT_PAD - rowTextWidth(r));
    expect(w).toBeGreaterThan(NODE_MIN_W);
    expect(layoutPt(model(n)).nodeW).toBe(w);
  });

  it('short rows keep the old 222 px boxes', () => {
    const row: PtRow = { first: 0, last: 0, va: 0, flags: 'P', child: 0x102 };
    expect(nodeWidth(model(node(0x101, 0, [row])))).toBe(NODE_MIN_W);
  });

  it('the columns move apart with the boxes, and edges start at the wider box\'s edge', () => {
    const pmd = node(0x103, 2, [pmdRow]);
    const pte = { ...node(0x104, 3, []), parents: [0x103] };
    const l = layoutPt(model(pmd, pte));
    const [a, b] = l.nodes;
    expect(a.w).toBe(l.nodeW);
    expect(b.x - a.x).toBeGreaterThan(a.w);
    expect(l.edges[0].from.x).toBe(a.x + a.w);
    expect(l.width).toBeGreaterThanOrEqual(b.x + b.w);
  });

  it('a wide column leaves the other columns at their own width (PTE rows name frames, RO/RW)', () => {
    const pgd = node(0x101, 0, [{ first: 2, last: 2, va: 2 ** 40, flags: 'P', child: 0x104 }]);
    const leaf = { count: 512, pageBytes: 4096, firstPfn: 0x106, lastPfn: 0x305, contiguous: true, oneFrame: false, uses: { shmem: 512 }, writable: 512 };
    const pte = { ...node(0x104, 3, [{ first: 0, last: 511, va: 2 ** 40, flags: 'P RW US', leaf }]), parents: [0x101] };
    const l = layoutPt(model(pgd, pte));
    expect(l.colW[0]).toBe(NODE_MIN_W);
    expect(l.colW[3]).toBeGreaterThan(NODE_MIN_W);
    expect(l.nodes[1].w).toBe(l.colW[3]);
    expect(l.width).toBe(l.nodes[1].x + l.nodes[1].w);
  });
});

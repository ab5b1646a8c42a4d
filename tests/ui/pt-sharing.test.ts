/**
 * One meaning for "shared" in the page-table tree (pt-model.ts Sharing, pt-text.ts badgeText):
 * the processes whose page tables point at a table page, the same for hugetlb and mshare.
 * A review found "shared ×3 · 2 parents" under a caption "Three PGDs", ×1500 (hugetlb) next to
 * ×1501 (mshare) for the same 1,501 clients, "2 sharers" next to "shared ×1", and the shared
 * styling on a PUD page one process used.
 */
import { describe, expect, it } from 'vitest';
import type { LeafRun, PtNode, PtRow } from '../../src/ui/views/pt-model';
import { sharingOf } from '../../src/ui/views/pt-model';
import { badgeText, badgeTitle, leafTarget, leafTitle, rowText } from '../../src/ui/views/pt-text';
import { layoutPt, BADGE_ABOVE } from '../../src/ui/views/pt-layout';
import { buildPtModel } from '../../src/ui/views/pt-model';
import { hugetlbPmdSharerMms } from '../../src/ui/views/pmd-sharers';
import { buildModel } from '../../src/engine/model';
import type { Kernel } from '../../src/engine/kernel';
import { fileMap, kernel, okv } from '../engine/helpers';

function node(pfn: number, depth: number, share: number, parents: number[], use: string, owner: number, hosts = new Map<number, { sharers: number }>()): PtNode {
  const n: PtNode = {
    pfn, depth, levelName: ['PGD', 'PUD', 'PMD', 'PTE'][depth], owner, share, parents, rows: [],
    present: 1, truncated: 0, shared: false, sharing: { kind: 'none', count: 0, processes: 1, host: false, drawn: 0 },
    foreign: false, collapsed: false, roots: ['db0'], group: [pfn],
  };
  n.sharing = sharingOf(n, use, hosts);
  n.shared = n.sharing.processes > 1;
  return n;
}

describe('sharing: one count for hugetlb and mshare', () => {
  it('1,501 processes read as 1,501 in both acts of talk-page-tables', () => {
    // hugetlb: pt_share_count counts the sharers beyond the first.
    const pmd = node(0x300, 2, 1500, [0x200], 'pmd', 5);
    // mshare: the PUD page's count is the number of linked processes; the host's PGD points too.
    const pud = node(0x400, 1, 1501, [0x101], 'pud', 9, new Map([[9, { sharers: 1501 }]]));
    expect(pmd.sharing.processes).toBe(1501);
    expect(pud.sharing.processes).toBe(1501);
    expect(badgeText(pmd)).toBe('shared by 1,501 processes · 1 drawn');
    expect(badgeText(pud)).toBe('linked by 1,501 processes + host mm · 1 drawn');
    expect(badgeTitle(pmd)).toContain('pt_share_count 1500');
    expect(badgeTitle(pud)).toContain('pt_share_count 1501');
  });

  it('talk-mshare-link chapter 4: three linked, two drawn', () => {
    const pud = node(0x103, 1, 3, [0x101, 0xf909], 'pud', 2, new Map([[2, { sharers: 3 }]]));
    expect(pud.shared).toBe(true);
    expect(badgeText(pud)).toBe('linked by 3 processes + host mm · 2 drawn');
  });

  it('every parent drawn: no "drawn" count', () => {
    const pud = node(0x103, 1, 2, [0x101, 0xf909], 'pud', 2, new Map([[2, { sharers: 2 }]]));
    expect(badgeText(pud)).toBe('linked by 2 processes + host mm');
  });

  it('one process linked, two attached (mshare-charge end, talk-mshare-link step 18): not shared, says so', () => {
    const pud = node(0x104, 1, 1, [0x102], 'pud', 3, new Map([[3, { sharers: 2 }]]));
    expect(pud.shared).toBe(false);
    expect(pud.sharing.processes).toBe(1);
    expect(badgeText(pud)).toBe('linked by 1 of 2 sharers + host mm');
    expect(badgeTitle(pud)).toMatch(/will link on first fault/);
  });

  it('a table one process uses has no badge', () => {
    const pmd = node(0x105, 2, 0, [0x104], 'pmd', 1);
    expect(pmd.shared).toBe(false);
    expect(badgeText(pmd)).toBeNull();
  });

  it('a stacked badge stays clear of the box above it', () => {
    const hosts = new Map([[3, { sharers: 2 }], [4, { sharers: 2 }]]);
    const pgd = node(0x102, 0, 0, [-1], 'pgd', 2);
    pgd.rows = [{ first: 2, last: 2, va: 2 ** 40, flags: 'P', child: 0x104 }, { first: 4, last: 4, va: 2 ** 41, flags: 'P', child: 0xfd09 }];
    const a = node(0x104, 1, 1, [0x102], 'pud', 3, hosts);
    const b = node(0xfd09, 1, 1, [0x102], 'pud', 4, hosts);
    const l = layoutPt({ roots: [], nodes: new Map([pgd, a, b].map((n) => [n.pfn, n])), order: [0x102, 0x104, 0xfd09], levels: 4 });
    const [, pa, pb] = l.nodes;
    expect(pb.y - BADGE_ABOVE).toBeGreaterThan(pa.y + pa.h);
  });
});

describe('leaf rows name the frame and RO/RW', () => {
  const leaf = (o: Partial<LeafRun>): LeafRun => ({ count: 1, pageBytes: 4096, firstPfn: 0x1a3, lastPfn: 0x1a3, contiguous: true, oneFrame: false, uses: { anon: 1 }, writable: 0, ...o });
  const row = (l: LeafRun): PtRow => ({ first: 0, last: l.count - 1, va: 0x7f0000000000, flags: 'P US', leaf: l });

  it('after fork both sides read the same frames, read-only', () => {
    expect(rowText(row(leaf({ count: 2, lastPfn: 0x1a4, uses: { anon: 2 } })))[1]).toBe('2× anon → 0x1a3-0x1a4 RO');
  });
  it('after the copy the writer names its own frame, RW', () => {
    expect(rowText(row(leaf({ firstPfn: 0x2f0, lastPfn: 0x2f0, writable: 1 })))[1]).toBe('anon → 0x2f0 RW');
  });
  it('frames that are not consecutive are marked', () => {
    expect(leafTarget(leaf({ count: 3, lastPfn: 0x900, contiguous: false, writable: 3 }))).toBe('→ 0x1a3,… RW');
  });
  // Review 15: read faults on untouched anonymous memory all map the zero page (R8); the row
  // read "253× zero → 0x100,… RO" and the tooltip "pfn 0x100 to 0x100 (not consecutive)".
  it('a run that maps one frame over and over says so', () => {
    const zero = leaf({ count: 253, firstPfn: 0x100, lastPfn: 0x100, contiguous: false, oneFrame: true, uses: { zero: 253 } });
    expect(rowText({ ...row(zero), first: 3, last: 255 })[1]).toBe('253× zero all → 0x100 RO');
    const title = leafTitle({ ...row(zero), first: 3, last: 255 }, 1);
    expect(title).toContain('253 × 4K (zero 253), all pfn 0x100, read-only');
    expect(title).not.toContain('not consecutive');
  });
  it('frames that come back to the first one are still "not consecutive", not "all"', () => {
    const l = leaf({ count: 3, firstPfn: 0x100, lastPfn: 0x100, contiguous: false, oneFrame: false, uses: { anon: 3 } });
    expect(leafTarget(l)).toBe('→ 0x100,… RO');
    expect(leafTitle(row(l), 1)).toContain('pfn 0x100 to 0x100 (not consecutive)');
  });
  // Review 15: "PTE ×32" read "16384 × 4K (shmem 512)", the total scaled and its breakdown not.
  it('a grouped table node scales the pages and their breakdown by use alike', () => {
    const l = leaf({ count: 512, firstPfn: 0x106, lastPfn: 0x305, uses: { shmem: 512 }, writable: 512 });
    expect(leafTitle(row(l), 32)).toBe('entries 0-511 at 0x7f0000000000: P US → 16,384 × 4K (shmem 16,384): 512 in each of 32 tables, pfn 0x106 to 0x305 in the first table, read-write');
    expect(leafTitle(row(l), 1)).toBe('entries 0-511 at 0x7f0000000000: P US → 512 × 4K (shmem 512), pfn 0x106 to 0x305, read-write');
  });
});

describe('hugetlb PMD sharing counts processes, not PUD entries (pmd-sharers.ts)', () => {
  // Built from a real kernel: the tree reads the page tables from the RAM buffer as the UI does.
  const HP = '/dev/hugepages/db';
  const G = 2 ** 30;
  const hugeMap = (addr: number) => fileMap(HP, addr, G, 'rw', true, { noreserve: true });
  const treeOf = (k: Kernel, names: string[]) => {
    const snap = buildModel(k, 1, false);
    const roots = names.map((n) => {
      const mm = snap.mms.find((x) => x.id === k.task(n)!.mm!.id)!;
      return { label: n, mm: mm.id, pgd: mm.pgd };
    });
    const pmdMms = hugetlbPmdSharerMms(k.m.pm.u32, k.m.pm.d.share, snap.mms, snap.levels);
    return buildPtModel(k.m.pm.u32, k.m.pm.d, roots, snap.levels, new Set(), new Map(), pmdMms);
  };
  const pmdNode = (model: ReturnType<typeof treeOf>) => [...model.nodes.values()].find((n) => n.levelName === 'PMD' && n.share > 0)!;

  it('one process mapping one file unit twice: "2 PUD entries of 1 process", still drawn as shared', () => {
    const k = kernel();
    okv(k.file(HP, G));
    okv(k.spawn('c'));
    okv(k.mmap('c', hugeMap(4 * G)));
    okv(k.mmap('c', hugeMap(8 * G)));
    okv(k.write('c', 4 * G, 1));
    okv(k.read('c', 8 * G, 2));
    const n = pmdNode(treeOf(k, ['c']));
    expect(n.sharing).toMatchObject({ kind: 'hugetlb', count: 1, processes: 1, entries: 2 });
    expect(n.shared).toBe(true);
    expect(badgeText(n)).toBe('shared by 2 PUD entries of 1 process');
    expect(badgeTitle(n)).toContain('2 PUD entries point here, in 1 process');
  });

  it('a second process joins: 3 entries in 2 processes, the one drawn process named as drawn', () => {
    const k = kernel();
    okv(k.file(HP, G));
    okv(k.spawn('c'));
    okv(k.spawn('d'));
    for (const a of [4 * G, 8 * G]) okv(k.mmap('c', hugeMap(a)));
    okv(k.mmap('d', hugeMap(4 * G)));
    okv(k.write('c', 4 * G, 1));
    okv(k.read('c', 8 * G, 2));
    okv(k.read('d', 4 * G, 2));
    const n = pmdNode(treeOf(k, ['d']));
    expect(n.sharing).toMatchObject({ count: 2, processes: 2, entries: 3 });
    expect(badgeText(n)).toBe('shared by 3 PUD entries of 2 processes · 1 drawn');
    const both = pmdNode(treeOf(k, ['c', 'd']));
    expect(badgeText(both)).toBe('shared by 3 PUD entries of 2 processes');
  });

  it('one entry per process reads as before', () => {
    const k = kernel();
    okv(k.file(HP, G));
    for (const p of ['c', 'd', 'e']) {
      okv(k.spawn(p));
      okv(k.mmap(p, hugeMap(4 * G)));
      okv(k.read(p, 4 * G, 2));
    }
    const n = pmdNode(treeOf(k, ['c', 'd', 'e']));
    expect(n.sharing).toMatchObject({ count: 2, processes: 3, entries: 3 });
    expect(badgeText(n)).toBe('shared by 3 processes');
  });
});

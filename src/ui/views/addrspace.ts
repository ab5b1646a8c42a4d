/**
 * The address space of the selected process (SVG): VMAs on a gap-compressed axis (each VMA
 * gets width by the log of its size, each hole a fixed narrow break with its size), coloured
 * by kind, mshare VMAs marked; below, a strip of the pages of the selected VMA read from the
 * page tables, coloured by the use of the frame each maps (an mshare VMA's pages are shmem or
 * anon, not orange), hollow where nothing is mapped. Clicking a page reads it (shift: writes
 * it) through the console.
 */
import { select } from 'd3-selection';
import { FRAME_USE_NAMES, type VmaModel } from '../../engine/abi';
import { readConsistent } from '../engine-client';
import { hex, size } from '../format';
import { FRAME_USE_COLOURS, VMA_COLOURS } from '../palette';
import { select as selectUi, store } from '../store';
import { countPresent, walkVa } from './walk';
import { emptyStripText, stripRange, stripTitle } from './strip-label';
import { pressesButton } from './press-key';

const SVG_NS = 'http://www.w3.org/2000/svg';
const GAP_W = 30;
const BAR_Y = 20;
const BAR_H = 46;
const STRIP_Y = 104;
const CELL_H = 18;
/** The drawing's height in CSS pixels (its width follows the container). */
export const AS_HEIGHT = STRIP_Y + CELL_H + 26;

export interface AddrSpaceView {
  draw(): boolean;
  resize(w: number, h: number): void;
  /** Moves the page window by `pages` (negative: back). */
  shift(pages: number): void;
  destroy(): void;
}

export interface PageClick {
  va: number;
  write: boolean;
}

interface Seg {
  kind: 'vma' | 'gap';
  x: number;
  w: number;
  start: number;
  end: number;
  vma?: VmaModel;
}

/** Gap-compressed layout of `vmas` in `width` pixels. */
export function layoutVmas(vmas: VmaModel[], width: number): Seg[] {
  const sorted = [...vmas].sort((a, b) => a.startNum - b.startNum);
  const gaps = sorted.length + 1;
  const weights = sorted.map((v) => Math.log2(Math.max(4096, v.endNum - v.startNum)) - 10);
  const total = weights.reduce((a, b) => a + b, 0) || 1;
  const avail = Math.max(40, width - gaps * GAP_W);
  const segs: Seg[] = [];
  let x = 0;
  let prevEnd = 0;
  sorted.forEach((v, i) => {
    segs.push({ kind: 'gap', x, w: GAP_W, start: prevEnd, end: v.startNum });
    x += GAP_W;
    const w = (weights[i] / total) * avail;
    segs.push({ kind: 'vma', x, w, start: v.startNum, end: v.endNum, vma: v });
    x += w;
    prevEnd = v.endNum;
  });
  return segs;
}

export function createAddrSpace(container: HTMLElement, onPage: (p: PageClick) => void): AddrSpaceView {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('class', 'as-svg');
  container.append(svg);
  const root = select(svg);
  const barG = root.append('g').attr('transform', 'translate(8,0)');
  const stripG = root.append('g').attr('transform', `translate(8,${STRIP_Y})`);
  const stripLabel = root.append('text').attr('class', 'as-strip-label').attr('x', 8).attr('y', STRIP_Y - 8);
  let windowStart = -1;
  let boxWidth = 0;
  let windowVma = '';

  const view: AddrSpaceView = {
    draw() {
      const s = store.getState();
      const snap = s.snapshot;
      if (!snap) return true;
      const width = Math.max(200, boxWidth - 16);
      svg.setAttribute('width', String(width + 16));
      svg.setAttribute('height', String(AS_HEIGHT));
      const task = snap.tasks.find((t) => t.pid === s.selection.pid);
      const mm = task && snap.mms.find((m) => m.id === task.mm);
      const vmas = mm?.vmas ?? [];
      svg.setAttribute('aria-label', task ? `Address space of ${task.name}: ${vmas.length} VMAs` : 'Address space: no process selected');
      const segs = layoutVmas(vmas, width);
      const selVma = s.selection.vma && mm && s.selection.vma.mm === mm.id ? vmas.find((v) => v.startNum === s.selection.vma!.start) : undefined;

      const g = barG.selectAll<SVGGElement, Seg>('g.seg').data(segs, (d) => `${d.kind}${d.start}`).join((enter) => {
        const e = enter.append('g');
        e.append('rect').attr('class', 'body');
        e.append('text').attr('class', 'name');
        e.append('text').attr('class', 'meta');
        e.append('text').attr('class', 'addr');
        return e;
      });
      g.attr('class', (d) => `seg ${d.kind}${d.vma?.kind ? ' ' + d.vma.kind : ''}${d.vma && selVma === d.vma ? ' selected' : ''}`)
        .attr('transform', (d) => `translate(${d.x},0)`)
        .attr('data-testid', (d) => (d.kind === 'vma' ? 'vma' : null))
        .attr('role', (d) => (d.kind === 'vma' ? 'button' : null))
        .attr('tabindex', (d) => (d.kind === 'vma' ? 0 : null))
        .attr('aria-label', (d) => (d.vma ? `VMA ${d.vma.label ?? ''} ${d.vma.start}-${d.vma.end} ${d.vma.perms} ${d.vma.kind}` : null))
        .attr('aria-pressed', (d) => (d.vma ? String(selVma === d.vma) : null));
      g.select('rect.body')
        .attr('y', (d) => (d.kind === 'gap' ? BAR_Y + BAR_H / 2 - 1 : BAR_Y))
        .attr('height', (d) => (d.kind === 'gap' ? 2 : BAR_H))
        .attr('width', (d) => Math.max(1, d.w - (d.kind === 'vma' ? 1 : 0)))
        .style('fill', (d) => (d.vma ? VMA_COLOURS[d.vma.kind] : null));
      const fits = (d: Seg, chars: number) => d.w > chars * 6.6 + 8;
      g.select('text.name').attr('x', 5).attr('y', BAR_Y + 16)
        .text((d) => {
          if (!d.vma) return d.end - d.start > 0 && d.w > 10 ? '' : '';
          const t = `${d.vma.label ?? d.vma.path ?? '[anon]'}`;
          return fits(d, t.length) ? t : fits(d, 3) ? t.slice(0, Math.max(1, Math.floor((d.w - 8) / 6.6) - 1)) + '…' : '';
        });
      g.select('text.meta').attr('x', 5).attr('y', BAR_Y + 31)
        .text((d) => {
          if (!d.vma) return '';
          const t = `${size(d.end - d.start)} ${d.vma.perms} ${d.vma.kind}${d.vma.hostMm !== null ? ` → host mm ${d.vma.hostMm}` : ''}`;
          return fits(d, t.length) ? t : fits(d, 10) ? `${size(d.end - d.start)} ${d.vma.perms}` : '';
        });
      g.select('text.addr').attr('x', (d) => (d.kind === 'gap' ? d.w / 2 : 0)).attr('y', (d) => (d.kind === 'gap' ? BAR_Y + BAR_H / 2 - 6 : BAR_Y + BAR_H + 13))
        .attr('text-anchor', (d) => (d.kind === 'gap' ? 'middle' : 'start'))
        .text((d) => (d.kind === 'gap' ? (d.end > d.start ? '//' : '') : d.w > 90 ? hex(d.start) : ''));
      g.on('click', (_e, d) => {
        if (d.vma && mm) selectUi({ vma: { mm: mm.id, start: d.vma.startNum } });
      }).on('keydown', (e: KeyboardEvent, d) => {
        // A role=button: Enter and Space press it (Space would otherwise scroll the page).
        if (pressesButton(e) && d.vma && mm) {
          e.preventDefault();
          selectUi({ vma: { mm: mm.id, start: d.vma.startNum } });
        }
      });

      // The page strip of the selected VMA (or the first one).
      const v = selVma ?? vmas[0];
      if (!v || !mm || !task) {
        stripG.selectAll('*').remove();
        stripLabel.text(emptyStripText(task));
        return true;
      }
      const key = `${mm.id}:${v.startNum}`;
      if (key !== windowVma) {
        windowVma = key;
        windowStart = v.startNum;
      }
      const cellW = 7;
      const n = Math.max(8, Math.min(Math.floor(width / cellW), (v.endNum - windowStart) / 4096));
      const read = readConsistent(snap.generation, (b) => {
        const out: { va: number; use: number; present: boolean; rw: boolean; pfn: number }[] = [];
        for (let i = 0; i < n; i++) {
          const va = windowStart + i * 4096;
          if (va >= v.endNum) break;
          const w = walkVa(b.u32, mm.pgd, va, snap.levels);
          out.push({ va, present: w.pfn !== null, rw: w.writable, pfn: w.pfn ?? -1, use: w.pfn !== null ? b.desc.use[w.pfn] : 0 });
        }
        return { pages: out, present: countPresent(b.u32, mm.pgd, v.startNum, v.endNum, snap.levels) };
      });
      if (!read) return false;
      const { pages } = read;
      const strip = { name: v.label ?? v.path ?? 'VMA', vmaStart: v.startNum, vmaEnd: v.endNum, windowStart, shown: pages.length, present: read.present };
      // Above the strip what it shows of the VMA; under it the addresses, and (screen only:
      // exports leave out [data-export="omit"], export/svg-inline.ts) how to use it.
      stripLabel.text(null);
      stripLabel.append('tspan').attr('class', 'as-strip-what').text(stripTitle(strip));
      stripLabel.append('tspan').attr('class', 'as-strip-range').attr('x', 8).attr('y', STRIP_Y + CELL_H + 14).text(stripRange(strip));
      stripLabel.append('tspan').attr('class', 'as-strip-hint ui-only').attr('data-export', 'omit').text(' · click: read · shift-click: write');
      // Pages that faulted in the latest update flash once.
      const fresh = new Set<number>();
      for (const e of s.lastEvents) if (e.type === 'fault' && e.pid === task.pid) fresh.add(Math.floor(e.addr / 4096) * 4096);
      const cells = stripG.selectAll<SVGRectElement, (typeof pages)[number]>('rect.page').data(pages, (p) => String(p.va)).join('rect');
      // The frame's use as a class too (.page.u-zero: main.css draws the zero page apart from a
      // page that is not present, which it resembled).
      cells.attr('class', (p) => `page${p.present ? ` present u-${FRAME_USE_NAMES[p.use]}` : ''}${p.present && !p.rw ? ' ro' : ''}${fresh.has(p.va) ? ' fresh' : ''}${s.selection.addr !== null && Math.floor(s.selection.addr / 4096) * 4096 === p.va ? ' selected' : ''}`)
        .attr('data-testid', 'page')
        .attr('data-va', (p) => hex(p.va))
        .attr('x', (_p, i) => i * cellW)
        .attr('width', cellW - 1)
        .attr('height', CELL_H)
        .style('fill', (p) => (p.present ? FRAME_USE_COLOURS[p.use] || '#999' : null))
        .on('click', (e: MouseEvent, p) => onPage({ va: p.va, write: e.shiftKey }));
      cells.selectAll('title').data((p) => [p]).join('title')
        .text((p) => `${hex(p.va)}: ${p.present ? `${p.rw ? 'writable' : 'read-only'} → pfn ${hex(p.pfn)} (${FRAME_USE_NAMES[p.use]})` : 'not present'}`);
      return true;
    },
    shift(pages) {
      const s = store.getState();
      const snap = s.snapshot;
      const task = snap?.tasks.find((t) => t.pid === s.selection.pid);
      const mm = task && snap?.mms.find((m) => m.id === task.mm);
      const v = mm?.vmas.find((x) => `${mm.id}:${x.startNum}` === windowVma);
      if (!v) return;
      windowStart = Math.max(v.startNum, Math.min(v.endNum - 4096, windowStart + pages * 4096));
      view.draw();
    },
    resize(w: number) {
      boxWidth = w;
    },
    destroy() {
      svg.remove();
    },
  };
  return view;
}

/**
 * Presenter and embed mode: the chosen views fill the screen, no chrome. Presenter mode adds
 * the chapter title and note as a caption in large type and a dim footer (position, view
 * pickers, share, exit); embed mode shows only the views (and the caption with `&caption`).
 *
 * The d3 views are the same factories the normal layout uses, mounted in a host with CSS
 * zoom (about 2 on a 1080p projector), which scales their type and lines together; the
 * chart is a projector-sized chart of its own (big-chart.ts).
 */
import { useEffect, useRef, useState } from 'react';
import { createPtTree, TREE_MAX_SCALE, type PtEmptyReason } from '../views/pttree';
import { autoSelect } from '../actions';
import { createProcesses, PRESENTER_MAX_SCALE } from '../views/processes';
import { FIT_PAD } from '../views/fit';
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { TaskModel } from '../../engine/abi';
import { AS_HEIGHT, createAddrSpace } from '../views/addrspace';
import { createPhysMem } from '../views/physmem';
import { useView } from '../use-view';
import { counterRows } from './counters';
import { store, useUi, useUiShallow } from '../store';
import { count } from '../format';
import { CHART_MIN_HEIGHT, createBigChart } from './big-chart';
import { nextStep, prevStep } from './navigation';
import { captionAt, chapterHeading, chapterProgress } from './navigation-pure';
import { exitPresenter } from './presenter-actions';
import { talkStore, useTalk, type TalkLayout } from './talk-store';
import { TALK_VIEWS, VIEW_TITLES, type TalkViewId } from './views';
import { TalkNotice } from './TalkNotice';
import { keepComparing } from './auto-compare';
import { SharePopover } from './SharePopover';
import { LiveRegion, stepAnnouncement, useStepAnnouncement } from '../components/LiveRegion';
import './talk.css';

/** The zoom of the d3 views: 1 at 540 px of height, 2 on a 1080p projector. */
function useZoom(): number {
  const [h, setH] = useState(() => window.innerHeight);
  useEffect(() => {
    const on = () => setH(window.innerHeight);
    window.addEventListener('resize', on);
    return () => window.removeEventListener('resize', on);
  }, []);
  return Math.max(1, Math.min(2.5, Math.round((h / 540) * 20) / 20));
}

/**
 * What the empty tree says in presenter and embed mode: there is no processes view to select
 * in (TalkScreen keeps a running process selected), so it only ever says there is none yet.
 */
function talkEmptyText(reason: PtEmptyReason, presenter: boolean): string {
  if (reason === 'none-running') return presenter ? 'No process is running at this step yet: press → to step on.' : 'No process is running at this step.';
  return presenter ? 'No process is chosen: pick one in the normal layout (Esc), then come back with p.' : 'No process is chosen.';
}

function TreeView() {
  const [empty, setEmpty] = useState<PtEmptyReason | null>(null);
  const presenter = useTalk((s) => s.mode) === 'presenter';
  // The whole tree on the slide, however large: nobody scrolls a projected view.
  const { ref } = useView((el) => createPtTree(el, (msg, reason) => setEmpty(msg ? reason ?? 'none-selected' : null), { whole: true, onContent: (w, h) => setContent('tree', { w, h }) }), (s) => [s.generation, s.selection.pid, s.selection.table, s.selection.pte, s.compare, s.theme], 'talk-tree');
  useEffect(() => () => setContent('tree', undefined), []);
  return (
    <>
      <div className="talk-host fill-svg" ref={ref} />
      {empty && <p className="talk-empty" data-testid="talk-empty">{talkEmptyText(empty, presenter)}</p>}
    </>
  );
}

/**
 * Keeps a running process selected while presenter or embed mode is up (no processes view
 * to pick one in): the one the desk layout would pick (actions.ts autoSelect), again when
 * the selected one exits or the timeline moves to before it existed.
 */
function keepSelecting(): () => void {
  autoSelect();
  return store.subscribe((s, p) => {
    if (s.snapshot !== p.snapshot) autoSelect();
  });
}

interface Size {
  w: number;
  h: number;
}
/**
 * The tree's and the processes graph's drawing sizes (drawing pixels), and the counters
 * table's height (CSS pixels, with the margin above it), for the heights their panes get.
 */
interface PaneContent {
  tree?: Size;
  processes?: Size;
  counters?: Size;
}
const paneContent = createStore<PaneContent>(() => ({}));
const setContent = (id: keyof PaneContent, size: Size | undefined) => {
  const o = paneContent.getState()[id];
  if (o?.w !== size?.w || o?.h !== size?.h) paneContent.setState({ [id]: size });
};

/** The ended tasks presenter and embed mode show, newest first, then how many more. */
const ENDED_SHOWN = 6;

/**
 * The tasks that ended (exited or killed), newest first, under the graph: a killed task
 * leaves the graph, and the slide's "SIGSEGV killed d" needs d on it.
 */
function EndedStrip({ ended }: { ended: TaskModel[] }) {
  const newest = ended.slice(-ENDED_SHOWN).reverse();
  const more = ended.length - newest.length;
  return (
    <p className="talk-ended" data-testid="talk-ended" aria-label="Ended tasks, newest first">
      <span className="talk-ended-head">ended:</span>{' '}
      {newest.map((t, i) => (
        <span key={t.pid} className={`talk-ended-task ${t.state}`}>
          {i > 0 && ', '}
          <b>{t.name}</b> ({t.signal ?? t.state})
        </span>
      ))}
      {more > 0 && <span className="talk-ended-more">, and {count(more)} more</span>}
    </p>
  );
}

function ProcessesView() {
  const { ref } = useView((el) => createProcesses(el, { whole: true, onContent: (w, h) => setContent('processes', { w, h }) }), (s) => [s.generation, s.selection.pid, s.selection.mm, s.compare, s.snapshot], 'talk-processes');
  const ended = useUiShallow((s) => s.snapshot?.tasks.filter((t) => t.state === 'exited' || t.state === 'killed') ?? []);
  useEffect(() => () => setContent('processes', undefined), []);
  return (
    <>
      <div className="talk-host fill-svg" ref={ref} />
      {ended.length > 0 && <EndedStrip ended={ended} />}
    </>
  );
}

function AddrSpaceView() {
  const { ref } = useView((el) => createAddrSpace(el, () => {}), (s) => [s.generation, s.selection.pid, s.selection.vma, s.selection.addr, s.theme], 'talk-addrspace');
  return <div className="talk-host" ref={ref} />;
}

function PhysMemView() {
  const { ref } = useView((el) => createPhysMem(el, () => {}), (s) => [s.generation, s.selection.frame, s.theme], 'talk-physmem');
  return <div className="talk-host talk-physmem" ref={ref} />;
}

function ChartView() {
  const { ref } = useView(createBigChart, (s) => [s.series, s.position, s.total, s.chapters, s.theme], 'talk-chart');
  // fill-svg: the chart's viewBox is scaled into the host, so it fits even below its minimum size.
  return <div className="talk-host fill-svg" ref={ref} />;
}

/**
 * The counters table. Its height goes to the stacked layout (rowTemplate), which gives its pane
 * that much when it can. When the pane is still shorter (a small screen) it scrolls, and then
 * takes the focus from Tab so the arrows scroll it: cut off without a scroll bar, the last rows
 * (at talk-charge's end, the cgroup users that "did not grow") were not on the slide at all.
 */
function CountersView() {
  const snap = useUi((s) => s.snapshot);
  const pids = useUiShallow((s) => [s.selection.pid, s.compare]);
  const hostRef = useRef<HTMLDivElement | null>(null);
  const tableRef = useRef<HTMLTableElement | null>(null);
  const [scrolls, setScrolls] = useState(false);
  useEffect(() => {
    const host = hostRef.current;
    const table = tableRef.current;
    if (!host || !table) return;
    const measure = () => {
      // Its rows and the margin above them (talk.css gives it none below).
      const margin = parseFloat(getComputedStyle(table).marginTop) || 0;
      setContent('counters', { w: table.offsetWidth, h: table.offsetHeight + margin });
      setScrolls(host.scrollHeight > host.clientHeight + 1);
    };
    const ro = new ResizeObserver(measure);
    ro.observe(host);
    ro.observe(table);
    return () => {
      ro.disconnect();
      setContent('counters', undefined);
    };
    // Once there is a table to measure (no snapshot, no table).
  }, [!snap]);
  if (!snap) return null;
  return (
    <div className="talk-host talk-scroll" ref={hostRef} data-testid="talk-counters-scroll"
      {...(scrolls ? { tabIndex: 0, role: 'region', 'aria-label': 'Counters (scrolls)' } : {})}>
      <table className="talk-counters" aria-label="Counters" data-testid="talk-counters" ref={tableRef}>
        <tbody>
          {counterRows(snap, pids).map(([k, v]) => (
            <tr key={k}><th scope="row">{k}</th><td>{v}</td></tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const VIEWS: Record<TalkViewId, () => React.JSX.Element | null> = {
  tree: TreeView,
  chart: ChartView,
  processes: ProcessesView,
  addrspace: AddrSpaceView,
  physmem: PhysMemView,
  counters: CountersView,
};

/** What a pane's heading says: the view and whom it shows. */
function usePaneTitle(id: TalkViewId): string {
  return useUi((s) => {
    const name = (pid: number | null) => s.snapshot?.tasks.find((t) => t.pid === pid)?.name;
    const a = name(s.selection.pid);
    const b = name(s.compare);
    if (id === 'tree') return a ? `Page tables of ${a}${b ? ` and ${b}` : ''}` : VIEW_TITLES.tree;
    if (id === 'addrspace') return a ? `Address space of ${a}` : VIEW_TITLES.addrspace;
    if (id === 'chart') return 'Memory over the timeline';
    return VIEW_TITLES[id];
  });
}

/** The content-box size of an element, kept up to date. */
function useSize(ref: React.RefObject<HTMLElement | null>): { w: number; h: number } {
  const [size, setSize] = useState({ w: 0, h: 0 });
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver((entries) => {
      const r = entries[entries.length - 1].contentRect;
      setSize((o) => (o.w === r.width && o.h === r.height ? o : { w: r.width, h: r.height }));
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, [ref]);
  return size;
}

/** A stacked pane's share of the height when nothing else decides it: the tree 3, another view 2. */
const weight = (v: TalkViewId) => (v === 'tree' ? 3 : 2);

/**
 * The rows of two stacked panes. The tree gets 3 parts to another view's 2; but when the
 * tree's and the processes graph's drawing sizes are known, each pane gets the height at which
 * its drawing fills the pane's width (or reaches its largest scale), both shrunk alike when
 * that is more than there is and the rest shared 3:2. At 3:2 the processes graph (wide and
 * short) was drawn with 14 px text in a third of its pane's width at 1080p.
 *
 * Either way no pane gets less than it needs to be read (`leastHeight`): the chart the height
 * its type stays legible at, the counters their whole table. At 960x540 the 2:3 share left the
 * chart 96 px, drawn with 6 px type, and the counters' last rows below the pane's edge. On a
 * screen too small for both, each gets that share of the room (the counters then scroll).
 */
function rowTemplate(views: TalkViewId[], main: Size, zoom: number, content: PaneContent, ended: boolean, gap: number): string {
  const even = views.map((v) => `minmax(0, ${weight(v)}fr)`).join(' ');
  if (views.length !== 2 || main.h <= 0 || main.w <= 0) return even;
  const room = main.h - gap;
  // A pane's heading and borders (talk.css .talk-pane-title: its font, about 1.3 lines, and padding).
  const heading = Math.min(26, Math.max(15, 0.024 * window.innerHeight)) * 1.3 + Math.min(14, Math.max(7, 0.013 * window.innerHeight)) + 6;
  const fitted = fittedHeight(views, main, zoom, content, ended, room, heading);
  const ha = fitted ?? (room * weight(views[0])) / (weight(views[0]) + weight(views[1]));
  const least = views.map((v) => leastHeight(v, content, heading)) as [number, number];
  const floored = least[0] + least[1] > room ? (room * least[0]) / (least[0] + least[1]) : Math.max(least[0], Math.min(room - least[1], ha));
  if (fitted === null && floored === ha) return even;
  return `minmax(0, ${Math.round(floored)}px) minmax(0, 1fr)`;
}

/** The height of a pane below which its view cannot be read: the chart's type shrinks, the counters' rows are cut off. */
function leastHeight(v: TalkViewId, content: PaneContent, heading: number): number {
  if (v === 'chart') return heading + CHART_MIN_HEIGHT;
  if (v === 'counters' && content.counters) return heading + content.counters.h;
  return 0;
}

/** The first pane's height from the tree's and the processes graph's drawing sizes; null when they are not both known. */
function fittedHeight(views: TalkViewId[], main: Size, zoom: number, content: PaneContent, ended: boolean, room: number, heading: number): number | null {
  const pad = 2 * FIT_PAD * zoom;
  const needs = views.map((v) => {
    const c = v === 'tree' || v === 'processes' ? content[v] : undefined;
    if (!c || c.w <= 0 || c.h <= 0) return null;
    const cap = v === 'tree' ? TREE_MAX_SCALE : PRESENTER_MAX_SCALE;
    const scale = Math.min(zoom * cap, (main.w - 4 - pad) / c.w);
    return { fixed: heading + pad + (v === 'processes' && ended ? 30 * zoom : 0), drawing: c.h * scale };
  });
  if (needs.some((n) => !n)) return null;
  const [a, b] = needs as { fixed: number; drawing: number }[];
  const want = a.fixed + a.drawing + b.fixed + b.drawing;
  let ha: number;
  if (want <= room) {
    const w = weight(views[0]) / (weight(views[0]) + weight(views[1]));
    ha = a.fixed + a.drawing + (room - want) * w;
  } else {
    const f = Math.max(0, (room - a.fixed - b.fixed) / (a.drawing + b.drawing));
    ha = a.fixed + a.drawing * f;
  }
  return Math.round(Math.max(0.25 * room, Math.min(0.75 * room, ha)));
}

function Pane({ id, zoom, titled }: { id: TalkViewId; zoom: number; titled: boolean }) {
  const View = VIEWS[id];
  const title = usePaneTitle(id);
  const zoomRef = useRef<HTMLDivElement | null>(null);
  const avail = useSize(zoomRef).h;
  // Zoom the d3 views (they draw in CSS pixels with small type); the chart, physical memory
  // and the counters size their type themselves.
  // A transform, not CSS zoom: the views' ResizeObservers then see the scaled-down size
  // and fit their drawings to it. The address space has a fixed height: zoomed no more
  // than fits the pane (less than 1 on a small screen).
  let z = id === 'tree' || id === 'processes' || id === 'addrspace' ? zoom : 1;
  if (id === 'addrspace' && avail > 0) z = Math.max(0.5, Math.min(z, Math.floor((avail / (AS_HEIGHT + 4)) * 20) / 20));
  return (
    <section className={`talk-pane talk-pane-${id}`} data-talk-view={id} aria-label={title}>
      {titled && <h2 className="talk-pane-title">{title}</h2>}
      <div className="talk-zoom" ref={zoomRef}>
        <div className="talk-scale" style={z === 1 ? undefined : { width: `${100 / z}%`, height: `${100 / z}%`, transform: `scale(${z})` }}>
          <View />
        </div>
      </div>
    </section>
  );
}

function Caption({ big }: { big: boolean }) {
  const { chapters, notes, position, total, last } = useUiShallow((s) => ({
    chapters: s.chapters, notes: s.notes, position: s.position, total: s.total, last: s.records[s.records.length - 1],
  }));
  const c = captionAt(chapters, notes, position);
  const lastText = last && last.index === position - 1 && last.kind !== 'note' && last.kind !== 'chapter' ? last.text : '';
  return (
    <header className={`talk-caption${big ? ' big' : ''}`} data-testid="talk-caption">
      <h1 className="talk-chapter" data-testid="talk-chapter">{chapterHeading(c)}</h1>
      <p className="talk-note" data-testid="talk-note">{c.note?.title ?? ''}</p>
      {big && (
        <p className="talk-step" data-testid="talk-step">
          <span>step {count(position)} / {count(total)}</span>
          {c.chapterCount > 0 && <span> · {chapterProgress(c)}</span>}
          {lastText && <code className="talk-last">{lastText}</code>}
        </p>
      )}
    </header>
  );
}

/** Presenter and embed mode's live region: the step and the caption, read where stepping stops. */
function CaptionAnnouncement() {
  const { chapters, notes, position, total, busy } = useUiShallow((s) => ({
    chapters: s.chapters, notes: s.notes, position: s.position, total: s.total, busy: s.playing || s.running,
  }));
  const text = useStepAnnouncement(position, busy, () => {
    const c = captionAt(chapters, notes, position);
    const caption = [chapterHeading(c), c.note?.title].filter(Boolean).join(' — ');
    return stepAnnouncement(count(position), count(total), caption);
  });
  return <LiveRegion text={text} testId="talk-announcement" />;
}

/** The keys (keys.ts), as README lists them; ellipsized on a narrow screen, whole in the title. */
const KEYS_HINT = '→ Space next · ← back · Shift+→/← chapter · Home first chapter · End last step · f full screen · Esc leave';

function Footer() {
  const views = useTalk((s) => s.views);
  const layout = useTalk((s) => s.layout);
  const [shareOpen, setShareOpen] = useState(false);
  const setView = (i: number, v: string) => {
    const next = [...views];
    if (v === '') next.splice(i, 1);
    else next[i] = v as TalkViewId;
    talkStore.setState({ views: next.filter((x, j) => next.indexOf(x) === j).slice(0, 2) });
  };
  return (
    <footer className="talk-footer" aria-label="Presenter controls">
      <button type="button" onClick={() => void prevStep()} aria-label="Previous step">◀</button>
      <button type="button" onClick={() => void nextStep()} aria-label="Next step">▶</button>
      {[0, 1].map((i) => (
        <label key={i}>
          {i === 0 ? 'left' : 'right'}{' '}
          <select aria-label={`Presenter view ${i + 1}`} value={views[i] ?? ''} onChange={(e) => setView(i, e.target.value)}>
            {i === 1 && <option value="">none</option>}
            {TALK_VIEWS.map((v) => (
              <option key={v} value={v}>{VIEW_TITLES[v]}</option>
            ))}
          </select>
        </label>
      ))}
      <label>
        layout{' '}
        <select aria-label="Presenter layout" value={layout} onChange={(e) => talkStore.setState({ layout: e.target.value as TalkLayout })}>
          <option value="auto">auto</option>
          <option value="columns">side by side</option>
          <option value="rows">stacked</option>
        </select>
      </label>
      <span className="grow" data-testid="talk-keys" title={KEYS_HINT}>{KEYS_HINT}</span>
      <div className="popover-wrap">
        <button type="button" onClick={() => setShareOpen(!shareOpen)} aria-expanded={shareOpen}>Share</button>
        {shareOpen && <SharePopover close={() => setShareOpen(false)} up />}
      </div>
      <button type="button" onClick={exitPresenter}>Leave presenter mode</button>
    </footer>
  );
}

export function TalkScreen() {
  const mode = useTalk((s) => s.mode);
  const views = useTalk((s) => s.views);
  const caption = useTalk((s) => s.caption);
  const zoom = useZoom();
  const layout = useTalk((s) => s.layout);
  const presenter = mode === 'presenter';
  // Wide views (the tree, the address space) get the full width, stacked; others side by side.
  const rows = layout === 'rows' || (layout === 'auto' && views.length === 2 && views.some((v) => v === 'tree' || v === 'addrspace'));
  const ref = useRef<HTMLDivElement | null>(null);
  const mainRef = useRef<HTMLElement | null>(null);
  const mainSize = useSize(mainRef);
  // The grid's gap (talk.css --talk-gap: it follows the screen's height), read with the size.
  const gap = mainSize.h > 0 && mainRef.current ? parseFloat(getComputedStyle(mainRef.current).rowGap) || 0 : 0;
  const content = useStore(paneContent);
  const anyEnded = useUi((s) => !!s.snapshot?.tasks.some((t) => t.state === 'exited' || t.state === 'killed'));
  useEffect(() => {
    // Keys go to the window; keep the focus off the (now unmounted) chrome.
    ref.current?.focus();
  }, [mode]);
  useEffect(() => {
    const a = keepSelecting();
    const b = keepComparing();
    return () => {
      a();
      b();
    };
  }, []);
  return (
    <div className={`talk-screen ${mode}`} data-testid="talk-screen" data-mode={mode} ref={ref} tabIndex={-1}>
      {(presenter || caption) && <Caption big={presenter} />}
      <main ref={mainRef} className={`talk-panes panes-${views.length}${rows ? ' rows' : ''}`} style={rows ? { gridTemplateRows: rowTemplate(views, mainSize, presenter ? zoom : Math.min(zoom, 1.5), content, anyEnded, gap) } : undefined}>
        {views.map((v) => (
          <Pane key={v} id={v} zoom={presenter ? zoom : Math.min(zoom, 1.5)} titled={presenter} />
        ))}
      </main>
      {presenter && <Footer />}
      {/* Embeds too: a slide's viewer who pauses or steps hears where it stopped. */}
      <CaptionAnnouncement />
      <TalkNotice />
    </div>
  );
}

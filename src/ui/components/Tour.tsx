/**
 * A short tour of the views: a card next to each panel in turn, the panel outlined. Offered
 * once on first open (not to automated browsers), and from the toolbar's Tour button.
 */
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { store, useUi } from '../store';

const STEPS: { target: string; title: string; text: string }[] = [
  { target: 'panel-processes', title: 'Processes and mm_structs', text: 'Each box is an mm_struct with the tasks that use it (threads share one). Grey arrows are forks; orange ones attach a VMA to an mshare host mm, which no task owns. Click a process to select it everywhere; shift-click to compare.' },
  { target: 'panel-addrspace', title: 'Address space', text: 'The selected process\'s VMAs, holes compressed. Below: the pages of the selected VMA as the page tables map them. Click a page to read it, shift-click to write it: the line goes to the console and the fault (if any) happens.' },
  { target: 'panel-tree', title: 'Page-table tree', text: 'PGD → PUD → PMD → PTE read from the real table pages in RAM. A table linked from several processes (an mshare PUD, a hugetlb PMD) is drawn once with all its parents and marked shared. Identical PTE tables are grouped. Scroll to zoom, drag to pan.' },
  { target: 'panel-physmem', title: 'Physical memory', text: 'All of RAM, one pixel per 4 KiB frame, coloured by use. Page tables are the orange family: watch them flood memory when 1,500 processes map the same area without sharing.' },
  { target: 'details', title: 'Inspector, page walk, counters', text: 'The selection in full; the MMU\'s walk of one address level by level; /proc/meminfo, status, TLB and cgroup counters with a chart over the timeline.' },
  { target: 'timeline', title: 'Timeline and console', text: 'Step (← →), play (space), scrub; chapters and notes are captions. Every action is one scenario line in the console (press / to type); the Script tab holds the whole session, editable and re-runnable.' },
];

const GAP = 12;
const MARGIN = 8;

/**
 * The card's corner: beside the target, never on it (the card is there to explain what the
 * reader is looking at). The side with the most room among those the card fits on, else the
 * roomiest; along that side aligned with the target's start, kept inside the window.
 */
function place(t: DOMRect, w: number, h: number): { left: number; top: number } {
  const vw = window.innerWidth;
  const vh = window.innerHeight;
  const sides = [
    { room: vw - t.right, need: w, at: { left: t.right + GAP, top: t.top } },
    { room: t.left, need: w, at: { left: t.left - GAP - w, top: t.top } },
    { room: vh - t.bottom, need: h, at: { left: t.left, top: t.bottom + GAP } },
    { room: t.top, need: h, at: { left: t.left, top: t.top - GAP - h } },
  ].sort((a, b) => b.room - a.room);
  const { at } = sides.find((s) => s.room >= s.need + GAP + MARGIN) ?? sides[0];
  const clamp = (v: number, size: number, max: number) => Math.max(MARGIN, Math.min(max - size - MARGIN, v));
  return { left: clamp(at.left, w, vw), top: clamp(at.top, h, vh) };
}

export function Tour() {
  const step = useUi((s) => s.tourStep);
  const [pos, setPos] = useState<{ left: number; top: number } | null>(null);
  const [resized, setResized] = useState(0);
  const card = useRef<HTMLElement | null>(null);
  const heading = useRef<HTMLHeadingElement | null>(null);
  const next = useRef<HTMLButtonElement | null>(null);
  /** Where the focus was when the tour opened (the Tour button), to give it back. */
  const opener = useRef<Element | null>(null);
  const [offer, setOffer] = useState(false);
  useEffect(() => {
    let seen = true;
    try {
      seen = localStorage.getItem('mshare-explorer.toured') === '1';
    } catch {
      /* storage off: do not nag */
    }
    if (!seen && !navigator.webdriver) setOffer(true);
  }, []);
  // Placed before paint, from the card's size with this step's text.
  useLayoutEffect(() => {
    document.querySelectorAll('.tour-focus').forEach((e) => e.classList.remove('tour-focus'));
    if (step === null) return;
    const el = document.querySelector(`[data-testid="${STEPS[step].target}"]`);
    el?.classList.add('tour-focus');
    const c = card.current?.getBoundingClientRect();
    setPos(el && c ? place(el.getBoundingClientRect(), c.width, c.height) : null);
  }, [step, resized]);
  // The focus goes into the card when it opens (to Next), and stays in it from step to step:
  // a control that went away or turned disabled (Next on the last step, Back on the first)
  // hands it to Next, or on the last step to the heading, so Enter held on Next never runs
  // into Done.
  const open = step !== null;
  useLayoutEffect(() => {
    if (!open) return;
    const active = document.activeElement;
    // From the offer's "Start tour" (gone with the offer): none, the Tour button then.
    opener.current = active && active !== document.body && !card.current?.contains(active) ? active : null;
  }, [open]);
  useEffect(() => {
    if (step === null) return;
    const active = document.activeElement;
    if (active instanceof HTMLElement && card.current?.contains(active) && !(active as HTMLButtonElement).disabled) return;
    (next.current ?? heading.current)?.focus();
  }, [step]);
  useEffect(() => {
    if (step === null) return;
    const onResize = () => setResized((n) => n + 1);
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && close();
    window.addEventListener('resize', onResize);
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('resize', onResize);
      window.removeEventListener('keydown', onKey);
    };
  }, [step]);
  const close = () => {
    // Back to the Tour button (or whatever opened the tour) when the focus was in the card
    // or nowhere; not when the user had moved on elsewhere.
    const active = document.activeElement;
    const inCard = !active || active === document.body || !!card.current?.contains(active);
    const back = opener.current instanceof HTMLElement && opener.current.isConnected ? opener.current : document.querySelector<HTMLElement>('[data-tour-opener]');
    store.setState({ tourStep: null });
    setOffer(false);
    try {
      localStorage.setItem('mshare-explorer.toured', '1');
    } catch {
      /* ignore */
    }
    if (inCard) back?.focus();
  };
  if (step === null) {
    if (!offer) return null;
    return (
      <aside className="tour-offer" aria-label="Tour offer">
        <span>New here? A one-minute tour of the views.</span>
        <button type="button" className="primary" onClick={() => { setOffer(false); store.setState({ tourStep: 0 }); }}>Start tour</button>
        <button type="button" onClick={close}>No thanks</button>
      </aside>
    );
  }
  const s = STEPS[step];
  const last = step === STEPS.length - 1;
  return (
    <aside ref={card} className="tour-card" role="dialog" aria-label={`Tour: ${s.title}`} style={pos ?? { left: 100, top: 100 }}>
      <h3 ref={heading} tabIndex={-1}>{s.title} <span className="tour-count">{step + 1}/{STEPS.length}</span></h3>
      <p>{s.text}</p>
      <div className="row">
        <button type="button" onClick={() => store.setState({ tourStep: Math.max(0, step - 1) })} disabled={step === 0}>Back</button>
        {/* Keyed apart: Done is a new control, not Next relabelled under the focus. */}
        {!last ? (
          <button key="next" ref={next} type="button" className="primary" onClick={() => store.setState({ tourStep: step + 1 })}>Next</button>
        ) : (
          <button key="done" type="button" className="primary" onClick={close}>Done</button>
        )}
        <button type="button" onClick={close}>Close</button>
      </div>
    </aside>
  );
}

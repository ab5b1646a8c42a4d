/**
 * A short tour of the views: a card next to each panel in turn, the panel outlined. Offered
 * once on first open (not to automated browsers), and from the toolbar's Tour button.
 */
import { useEffect, useLayoutEffect, useState } from 'react';
import { store, useUi } from '../store';

const STEPS: { target: string; title: string; text: string }[] = [
  { target: 'panel-processes', title: 'Processes and mm_structs', text: 'Each box is an mm_struct with the tasks that use it (threads share one). Grey arrows are forks; orange ones attach a VMA to an mshare host mm, which no task owns. Click a process to select it everywhere; shift-click to compare.' },
  { target: 'panel-addrspace', title: 'Address space', text: 'The selected process\'s VMAs, holes compressed. Below: the pages of the selected VMA as the page tables map them. Click a page to read it, shift-click to write it: the line goes to the console and the fault (if any) happens.' },
  { target: 'panel-tree', title: 'Page-table tree', text: 'PGD → PUD → PMD → PTE read from the real table pages in RAM. A table linked from several processes (an mshare PUD, a hugetlb PMD) is drawn once with all its parents and marked shared. Identical PTE tables are grouped. Scroll to zoom, drag to pan.' },
  { target: 'panel-physmem', title: 'Physical memory', text: 'All of RAM, one pixel per 4 KiB frame, coloured by use. Page tables are the orange family: watch them flood memory when 1,500 processes map the same area without sharing.' },
  { target: 'details', title: 'Inspector, page walk, counters', text: 'The selection in full; the MMU\'s walk of one address level by level; /proc/meminfo, status, TLB and cgroup counters with a chart over the timeline.' },
  { target: 'timeline', title: 'Timeline and console', text: 'Step (← →), play (space), scrub; chapters and notes are captions. Every action is one scenario line in the console (press / to type); the Script tab holds the whole session, editable and re-runnable.' },
];

export function Tour() {
  const step = useUi((s) => s.tourStep);
  const [rect, setRect] = useState<DOMRect | null>(null);
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
  useLayoutEffect(() => {
    document.querySelectorAll('.tour-focus').forEach((e) => e.classList.remove('tour-focus'));
    if (step === null) return;
    const el = document.querySelector(`[data-testid="${STEPS[step].target}"]`);
    el?.classList.add('tour-focus');
    setRect(el ? el.getBoundingClientRect() : null);
  }, [step]);
  const close = () => {
    store.setState({ tourStep: null });
    setOffer(false);
    try {
      localStorage.setItem('mshare-explorer.toured', '1');
    } catch {
      /* ignore */
    }
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
  const left = rect ? Math.min(window.innerWidth - 340, Math.max(8, rect.left + 12)) : 100;
  const top = rect ? Math.min(window.innerHeight - 200, Math.max(8, rect.top + 40)) : 100;
  return (
    <aside className="tour-card" role="dialog" aria-label={`Tour: ${s.title}`} style={{ left, top }}>
      <h3>{s.title} <span className="tour-count">{step + 1}/{STEPS.length}</span></h3>
      <p>{s.text}</p>
      <div className="row">
        <button type="button" onClick={() => store.setState({ tourStep: Math.max(0, step - 1) })} disabled={step === 0}>Back</button>
        {step < STEPS.length - 1 ? (
          <button type="button" className="primary" onClick={() => store.setState({ tourStep: step + 1 })}>Next</button>
        ) : (
          <button type="button" className="primary" onClick={close}>Done</button>
        )}
        <button type="button" onClick={close}>Close</button>
      </div>
    </aside>
  );
}

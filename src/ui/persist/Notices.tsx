/**
 * The notice stack and the session controls (status bar). Every string is rendered as text
 * by React; nothing here builds HTML.
 *
 * Where the stack goes: into the console panel's dock (NoticeDock) whenever the console is
 * mounted, else (before it mounts, presenter and embed modes) floating bottom right. Floating
 * over the desk, an OOM or "Dropped N later steps" notice sat on the console input for its
 * whole life (8-15 s, or until dismissed), so a click into the input hit the notice, and the
 * notices covered the tree's legend. Docked, they take room from the console log instead of
 * covering anything.
 */
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { createPortal } from 'react-dom';
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import { engineStatus, onEngineStatus, type EngineStatus } from '../engine-client';
import { dismiss, updateNotice, useNotices, type Notice } from './notices';
import { startFresh } from './session';
import './notices.css';

/** The console panel's dock element while the console is mounted. */
const dockStore = createStore<{ el: HTMLElement | null }>(() => ({ el: null }));

/** Stable, so React calls it only on mount (the element) and unmount (null), not every render. */
const setDock = (el: HTMLDivElement | null): void => dockStore.setState({ el });

/** The place in the console panel the notices go while it is mounted. */
export function NoticeDock() {
  return <div className="notice-dock" data-testid="notice-dock" ref={setDock} />;
}

/**
 * One notice. Its text is clamped to a few lines (notices.css) so the notice fits the dock
 * whole, above the console log: at 1280x720 an OOM notice's paragraph ran past the dock's
 * bottom, cut mid-sentence, with the log drawn right under the cut. "Show all" unclamps it
 * (the dock then scrolls); the full text is in the DOM either way, for screen readers.
 */
function NoticeItem({ n }: { n: Notice }) {
  const [open, setOpen] = useState(false);
  const [clipped, setClipped] = useState(false);
  const p = useRef<HTMLParagraphElement>(null);
  useLayoutEffect(() => {
    const el = p.current;
    if (!el) return;
    const check = () => setClipped(el.scrollHeight > el.clientHeight + 1);
    check();
    const ro = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(check);
    ro?.observe(el);
    return () => ro?.disconnect();
  }, [n.text, open]);
  const hold = useHold(n);
  return (
    // A labelled group, not a live region: the live regions are NoticeAnnouncer's, present
    // (empty) before any notice, as screen readers announce text added to a region they
    // know, not a region that arrives already filled.
    <section
      className={`notice n-${n.kind}`}
      role="group"
      aria-label={n.title}
      data-testid={`notice-${n.kind}`}
      onFocus={() => hold('focus', true)}
      onBlur={(e) => { if (!e.currentTarget.contains(e.relatedTarget)) hold('focus', false); }}
      onMouseEnter={() => hold('hover', true)}
      onMouseLeave={() => hold('hover', false)}
    >
      <button type="button" className="n-close" aria-label="Dismiss" onClick={() => dismiss(n.id)}>×</button>
      <h3>{n.title}</h3>
      {n.text && <p ref={p} className={open ? 'n-text' : 'n-text clamped'}>{n.text}</p>}
      {(n.actions.length > 0 || clipped || open) && (
        <div className="n-actions">
          {(clipped || open) && (
            <button type="button" className="n-more" aria-expanded={open} onClick={() => setOpen(!open)}>{open ? 'Show less' : 'Show all'}</button>
          )}
          {n.actions.map((a) => (
            <button type="button" key={a.label} onClick={() => { dismiss(n.id); void a.run(); }}>{a.label}</button>
          ))}
        </div>
      )}
    </section>
  );
}

/**
 * A notice that goes by itself stays while the focus is in it or the pointer is over it (one
 * reaching for "Start fresh" or "Undo" must not lose it under them), and gets its full time
 * again when both have left.
 */
function useHold(n: Notice): (why: 'focus' | 'hover', on: boolean) => void {
  const held = useRef({ focus: false, hover: false, ttl: 0 });
  return (why, on) => {
    const h = held.current;
    const was = h.focus || h.hover;
    h[why] = on;
    const is = h.focus || h.hover;
    if (!was && is && n.ttl > 0) {
      h.ttl = n.ttl;
      updateNotice(n.id, { ttl: 0 });
    } else if (was && !is && h.ttl > 0) {
      updateNotice(n.id, { ttl: h.ttl });
      h.ttl = 0;
    }
  };
}

/** How many recent announcements each live region keeps (older ones are removed silently). */
const KEPT = 3;

interface Said {
  key: string;
  text: string;
}

/**
 * The notices' live regions, always in the page and empty until a notice comes: each new
 * notice (and each new title of one, as the OOM and "Dropped" notices count on) adds its
 * words here, where screen readers announce them; an engine failure in the alert region,
 * the rest politely. Visually hidden: the notice itself is what one sees.
 */
function NoticeAnnouncer({ notices }: { notices: Notice[] }) {
  const seen = useRef(new Set<string>());
  const [said, setSaid] = useState<{ polite: Said[]; urgent: Said[] }>({ polite: [], urgent: [] });
  useEffect(() => {
    const fresh = notices.filter((n) => !seen.current.has(`${n.id}:${n.title}`));
    if (fresh.length === 0) return;
    for (const n of fresh) seen.current.add(`${n.id}:${n.title}`);
    const words = (n: Notice): Said => ({ key: `${n.id}:${n.title}`, text: n.text ? `${n.title}. ${n.text}` : n.title });
    setSaid((s) => ({
      polite: [...s.polite, ...fresh.filter((n) => !n.urgent).map(words)].slice(-KEPT),
      urgent: [...s.urgent, ...fresh.filter((n) => n.urgent).map(words)].slice(-KEPT),
    }));
  }, [notices]);
  return (
    <div className="notice-live" data-testid="notice-live">
      <div role="status" aria-live="polite" aria-label="Notices">{said.polite.map((a) => <p key={a.key}>{a.text}</p>)}</div>
      <div role="alert" aria-live="assertive" aria-label="Urgent notices">{said.urgent.map((a) => <p key={a.key}>{a.text}</p>)}</div>
    </div>
  );
}

export function Notices() {
  const notices = useNotices();
  const dock = useStore(dockStore, (s) => s.el);
  const stack = notices.length === 0 ? null : (
    <div className={dock ? 'notices docked' : 'notices'} data-testid="notices">
      {notices.map((n) => <NoticeItem key={n.id} n={n} />)}
    </div>
  );
  // The announcer first and always: the same element for the page's whole life.
  return (
    <>
      <NoticeAnnouncer notices={notices} />
      {stack && (dock ? createPortal(stack, dock) : stack)}
    </>
  );
}

function statusText(s: EngineStatus): string {
  switch (s.state) {
    case 'starting': return 'engine starting';
    case 'ok': return 'engine ok';
    case 'restarting': return 'engine restarting…';
    case 'recovered': return 'engine restarted';
  }
}

/** Status-bar controls: the engine's health and "Start fresh". */
export function SessionBar() {
  const [status, setStatus] = useState<EngineStatus>(engineStatus());
  useEffect(() => onEngineStatus(setStatus), []);
  return (
    <span className="session-bar">
      <span data-testid="engine-status">{statusText(status)}</span>
      <button
        type="button"
        data-testid="start-fresh"
        title="Forget the saved script, step and view settings and load the default scenario"
        onClick={() => {
          if (confirm('Start fresh? The saved script, its step and your view settings are forgotten.')) void startFresh();
        }}
      >
        Start fresh
      </button>
    </span>
  );
}

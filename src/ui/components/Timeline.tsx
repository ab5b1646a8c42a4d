import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { gotoStep, pause, play, runToEnd, stepBack, stepForward } from '../actions';
import { store, useUi, useUiShallow } from '../store';
import { count } from '../format';
import { Icon } from './Icons';
import { ProblemIndicator } from './ProblemIndicator';
import { LiveRegion, stepAnnouncement, useStepAnnouncement } from './LiveRegion';

const SPEEDS = [1, 2, 4, 10, 30, 100, 1000];

function latest<T extends { index: number }>(list: T[], position: number): T | undefined {
  let best: T | undefined;
  for (const m of list) if (m.index < position) best = m;
  return best;
}

export function Timeline() {
  const { position, total, running, playing, speed, chapters, notes } = useUiShallow((s) => ({
    position: s.position, total: s.total, running: s.running, playing: s.playing, speed: s.speed, chapters: s.chapters, notes: s.notes,
  }));
  const last = useUi((s) => s.records[s.records.length - 1]);
  const [scrub, setScrub] = useState<number | null>(null);
  useEffect(() => setScrub(null), [position]);
  const chapter = latest(chapters, position);
  const note = latest(notes, position);
  const showNote = note && (!chapter || note.index > chapter.index);
  // The caption is ellipsized on a narrow window (main.css); the whole text is its title.
  const lastText = !chapter && !showNote && last ? last.text : '';
  const captionText = `${chapter?.title ?? ''}${showNote ? `${chapter ? ' — ' : ''}${note.title}` : ''}${lastText}`;
  const shown = scrub ?? position;

  // The live region: where stepping landed, once the timeline is at rest (not on play's ticks).
  const busy = playing || running;
  const announced = useStepAnnouncement(position, busy, () => stepAnnouncement(count(position), count(total), captionText));

  // A control the focus was on that the step disabled (Step forward, Play or Run to end at
  // the last step, Step back at the first): the focus goes to its neighbour, not to <body>.
  const stepBackRef = useRef<HTMLButtonElement | null>(null);
  const stepFwdRef = useRef<HTMLButtonElement | null>(null);
  const sliderRef = useRef<HTMLInputElement | null>(null);
  const lastFocused = useRef<HTMLButtonElement | null>(null);
  const atStart = position === 0;
  const atEnd = position >= total;
  useLayoutEffect(() => {
    const was = lastFocused.current;
    if (!was?.disabled) return;
    const active = document.activeElement;
    if (active !== was && active !== document.body && active !== null) return;
    const next = [was === stepBackRef.current ? stepFwdRef.current : stepBackRef.current, sliderRef.current].find((b) => b && !b.disabled);
    next?.focus();
  }, [atStart, atEnd, busy]);

  return (
    <section className="timeline" aria-label="Timeline" data-testid="timeline">
      <div
        className="tl-controls"
        onFocus={(e) => {
          // Keyboard focus only: after a mouse click on Run to end, moving the focus to Step back
          // made the next Space step back instead of doing nothing.
          lastFocused.current = e.target instanceof HTMLButtonElement && e.target.matches(':focus-visible') ? e.target : null;
        }}
        onBlur={(e) => {
          // Blurred because it was disabled: kept, for the effect above. Otherwise the user moved on.
          if (!(e.target instanceof HTMLButtonElement && e.target.disabled)) lastFocused.current = null;
        }}
      >
        <button type="button" onClick={() => void gotoStep(0)} aria-label="Go to start" title="Go to start"><Icon name="start" /></button>
        <button type="button" ref={stepBackRef} onClick={() => void stepBack()} aria-label="Step back" title="Step back (←)" disabled={position === 0}><Icon name="back" /></button>
        {playing || running ? (
          <button type="button" className="primary" onClick={pause} aria-label="Pause" title="Pause (space)"><Icon name="pause" /></button>
        ) : (
          <button type="button" className="primary" onClick={() => void play()} aria-label="Play" title="Play (space)" disabled={position >= total}><Icon name="play" /></button>
        )}
        <button type="button" ref={stepFwdRef} onClick={() => void stepForward()} aria-label="Step forward" title="Step forward (→)" disabled={position >= total}><Icon name="step" /></button>
        <button type="button" onClick={() => void runToEnd()} aria-label="Run to end" title="Run to the end" disabled={position >= total}><Icon name="end" /></button>
        <label className="inline">
          speed{' '}
          <select aria-label="Play speed (steps per second)" value={speed} onChange={(e) => store.setState({ speed: Number(e.target.value) })}>
            {SPEEDS.map((s) => (
              <option key={s} value={s}>{s === 1000 ? 'max' : `${s}/s`}</option>
            ))}
          </select>
        </label>
      </div>
      <div className="tl-track">
        <div className="tl-chapters" aria-hidden="true">
          {chapters.map((c) => (
            <span key={c.index} className={`tl-chapter${chapter === c ? ' current' : ''}`} style={{ left: `${(c.index / Math.max(1, total)) * 100}%` }} title={c.title} />
          ))}
        </div>
        <input
          type="range"
          min={0}
          max={total}
          ref={sliderRef}
          value={shown}
          aria-label="Timeline position"
          aria-valuetext={`step ${count(shown)} of ${count(total)}`}
          onChange={(e) => setScrub(Number(e.target.value))}
          onPointerUp={(e) => void gotoStep(Number((e.target as HTMLInputElement).value))}
          onKeyUp={(e) => {
            if (e.key.startsWith('Arrow') || e.key === 'Home' || e.key === 'End' || e.key.startsWith('Page')) void gotoStep(Number((e.target as HTMLInputElement).value));
          }}
          onKeyDown={(e) => e.stopPropagation()}
        />
        {running && <progress className="tl-progress" max={Math.max(1, total)} value={position} aria-label="Run progress" />}
      </div>
      <div className="tl-status">
        <span className="tl-pos" data-testid="timeline-position">step {count(position)} / {count(total)}</span>
        <ProblemIndicator />
        <span className="tl-caption" data-testid="timeline-caption" title={captionText || undefined}>
          {chapter && <strong>{chapter.title}</strong>}
          {showNote && <span className="tl-note">{chapter ? ' — ' : ''}{note.title}</span>}
          {lastText && <span>{lastText}</span>}
        </span>
      </div>
      <LiveRegion text={announced} testId="step-announcement" />
    </section>
  );
}

/** The query part of the URL formats (boot.ts lists them all); pure, unit-tested. */
import { parseViewList } from './views';

export interface StartOptions {
  embed: boolean;
  present: boolean;
  views: ReturnType<typeof parseViewList>;
  step: number | null;
  autoplay: number | null;
  loop: boolean;
  caption: boolean;
  scenario: string | null;
}

/**
 * The speeds the timeline's selector offers (steps per second; 1000 is "max"), the same list
 * as src/ui/components/Timeline.tsx. `&autoplay=` plays at the nearest of them, so the
 * selector shows the speed that plays (at 0.0001 it played 1 step in 2.8 hours and said "1/s").
 */
export const PLAY_SPEEDS = [1, 2, 4, 10, 30, 100, 1000] as const;
/** Presenter mode shows at most this many views (embed mode up to four). */
export const PRESENTER_VIEWS = 2;

/** A whole number of any length: one past the script's end goes to the end, as goto() does. */
const STEP = /^\d+$/;

/** The selector's speed nearest to `speed` (by ratio), for a finite positive speed. */
export function nearestSpeed(speed: number): number {
  let best: number = PLAY_SPEEDS[0];
  for (const s of PLAY_SPEEDS) if (Math.abs(Math.log(s / speed)) < Math.abs(Math.log(best / speed))) best = s;
  return best;
}

export function readStartOptions(search: string): StartOptions {
  const q = new URLSearchParams(search);
  const num = (k: string): number | null => {
    const v = q.get(k);
    if (v === null || !STEP.test(v.trim())) return null;
    return Math.min(Number(v), Number.MAX_SAFE_INTEGER);
  };
  const autoplayRaw = q.get('autoplay');
  const speed = autoplayRaw === null ? null : autoplayRaw.trim() === '' ? 4 : Number(autoplayRaw);
  const embed = q.has('embed');
  const present = q.has('present');
  const views = parseViewList(q.get('views'));
  return {
    embed,
    present,
    views: present && !embed ? views.slice(0, PRESENTER_VIEWS) : views,
    step: num('step'),
    autoplay: speed === null ? null : Number.isFinite(speed) && speed > 0 ? nearestSpeed(speed) : 4,
    loop: q.has('loop'),
    caption: q.has('caption'),
    scenario: q.get('scenario'),
  };
}

/** Quotes a URL value for a notice (shortened). */
const shown = (v: string) => (v.length > 40 ? `${v.slice(0, 40)}…` : v);

/**
 * What readStartOptions had to ignore or change, for the reader: a step that is not a step
 * number, an autoplay speed it changed, presenter views past the second. (An unknown
 * ?scenario= is reported where it is looked up, boot.ts.)
 */
export function startOptionProblems(search: string): string[] {
  const q = new URLSearchParams(search);
  const out: string[] = [];
  const step = q.get('step');
  if (step !== null && !STEP.test(step.trim())) out.push(`'?step=${shown(step)}' is not a step number (a whole number from 0), so it was ignored.`);
  const raw = q.get('autoplay');
  if (raw !== null && raw.trim() !== '') {
    const speed = Number(raw);
    if (!Number.isFinite(speed) || speed <= 0) out.push(`'?autoplay=${shown(raw)}' is not a speed (steps per second), so it plays at 4 steps/s.`);
    else if (speed < PLAY_SPEEDS[0] || speed > PLAY_SPEEDS[PLAY_SPEEDS.length - 1]) {
      const s = nearestSpeed(speed);
      out.push(`'?autoplay=${shown(raw)}' is outside the speeds the player offers (1 to 1000 steps/s), so it plays at ${s === 1000 ? 'the maximum speed' : `${s} step${s === 1 ? '' : 's'}/s`}.`);
    }
  }
  const views = parseViewList(q.get('views'));
  if (q.has('present') && !q.has('embed') && views.length > PRESENTER_VIEWS) {
    out.push(`Presenter mode shows at most ${PRESENTER_VIEWS} views: showing ${views.slice(0, PRESENTER_VIEWS).join(' and ')}, not ${views.slice(PRESENTER_VIEWS).join(' or ')}.`);
  }
  return out;
}

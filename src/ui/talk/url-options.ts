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

export function readStartOptions(search: string): StartOptions {
  const q = new URLSearchParams(search);
  const num = (k: string): number | null => {
    const v = q.get(k);
    if (v === null || !/^\d{1,8}$/.test(v.trim())) return null;
    return Number(v);
  };
  const autoplayRaw = q.get('autoplay');
  const speed = autoplayRaw === null ? null : autoplayRaw.trim() === '' ? 4 : Number(autoplayRaw);
  return {
    embed: q.has('embed'),
    present: q.has('present'),
    views: parseViewList(q.get('views')),
    step: num('step'),
    autoplay: speed === null ? null : Number.isFinite(speed) && speed > 0 ? Math.min(1000, speed) : 4,
    loop: q.has('loop'),
    caption: q.has('caption'),
    scenario: q.get('scenario'),
  };
}


/** Small media icons as inline SVG (the fonts on a Linux box often lack ⏮ ⏸ ⏭). */
const paths: Record<string, string> = {
  start: 'M3 2h2v12H3zM14 2v12L6 8z',
  back: 'M12 2v12L4 8z',
  play: 'M4 2v12l10-6z',
  pause: 'M3 2h4v12H3zM9 2h4v12H9z',
  step: 'M2 2v12l8-6zM11 2h2v12h-2z',
  end: 'M1 2v12l6-6zM7 2v12l6-6zM13 2h2v12h-2z',
};

export function Icon({ name }: { name: keyof typeof paths }) {
  return (
    <svg className="icon" viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" focusable="false">
      <path d={paths[name]} />
    </svg>
  );
}

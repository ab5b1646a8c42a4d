import { useEffect, useRef } from 'react';
import { loadScript } from '../actions';
import { GALLERY } from '../scenarios/gallery';
import { store, useUi } from '../store';

export function Gallery() {
  const open = useUi((s) => s.galleryOpen);
  const ref = useRef<HTMLDialogElement | null>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} className="dialog gallery" aria-label="Scenario gallery" onClose={() => store.setState({ galleryOpen: false })}>
      <h2>Scenarios</h2>
      <p>Built-in scenarios. Running one replaces the current script; the timeline can step back through it.</p>
      <ul className="cards">
        {GALLERY.map((g) => (
          <li key={g.id} className="card" data-testid={`scenario-${g.id}`}>
            <h3>{g.title}</h3>
            <p>{g.description}</p>
            <button type="button" className="primary" aria-label={`Run ${g.title}`} onClick={() => {
              store.setState({ galleryOpen: false });
              void loadScript(g.source, `${g.id}.msh`);
            }}>Run</button>
          </li>
        ))}
      </ul>
      <div className="row"><button type="button" onClick={() => store.setState({ galleryOpen: false })}>Close</button></div>
    </dialog>
  );
}

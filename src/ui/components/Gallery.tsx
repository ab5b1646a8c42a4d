import { useEffect, useRef } from 'react';
import { gotoStep, loadScript } from '../actions';
import { GALLERY, TALK_PACK, type GalleryEntry } from '../scenarios/gallery';
import { store, useUi } from '../store';
import { chapters, talkPack } from '../talk/pack';
import { enterPresenter } from '../talk/presenter-actions';
import type { TalkViewId } from '../talk/views';

/** Loads a built-in at step 0 and goes to the start of chapter `i` (just after its heading). */
async function openChapter(g: GalleryEntry, i: number): Promise<void> {
  store.setState({ galleryOpen: false });
  if (!(await loadScript(g.source, `${g.id}.msh`, false))) return;
  const c = store.getState().chapters[i];
  if (c) await gotoStep(c.index + 1);
}

async function present(g: GalleryEntry, views: TalkViewId[]): Promise<void> {
  store.setState({ galleryOpen: false });
  if (!(await loadScript(g.source, `${g.id}.msh`, false))) return;
  const first = store.getState().chapters[0];
  if (first) await gotoStep(first.index + 1);
  enterPresenter(views);
}

function Chapters({ g }: { g: GalleryEntry }) {
  const list = chapters(g.source);
  if (!list.length) return null;
  return (
    <ol className="chapters" aria-label={`Chapters of ${g.title}`}>
      {list.map((c, i) => {
        // A title numbered by its author ("1. A database…") keeps that number as the list's
        // marker instead of getting a second one in front of it.
        const own = /^(\d+)\.\s+(.*)$/.exec(c);
        return (
          <li key={i} value={own ? Number(own[1]) : undefined}><button type="button" className="link" onClick={() => void openChapter(g, i)}>{own ? own[2] : c}</button></li>
        );
      })}
    </ol>
  );
}

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
      <p>Built-in scenarios. Running one replaces the current script; the timeline can step back through it. A chapter opens the scenario at that chapter.</p>
      <h3 className="pack-title">Talk pack: ready for presenter mode</h3>
      <ul className="pack" aria-label="Talk pack">
        {talkPack().map(({ entry: g, views }) => (
          <li key={g.id} className="card" data-testid={`talk-${g.id}`}>
            <h3>{g.title}</h3>
            <p>{g.description}</p>
            <Chapters g={g} />
            <div className="row">
              <button type="button" className="primary" aria-label={`Present ${g.title}`} onClick={() => void present(g, views)}>Present</button>
              <button type="button" aria-label={`Run ${g.title}`} onClick={() => {
                store.setState({ galleryOpen: false });
                void loadScript(g.source, `${g.id}.msh`);
              }}>Run</button>
            </div>
          </li>
        ))}
      </ul>
      <h3 className="pack-title">All scenarios</h3>
      <ul className="cards">
        {GALLERY.filter((g) => !TALK_PACK.some((p) => p.id === g.id)).map((g) => (
          <li key={g.id} className="card" data-testid={`scenario-${g.id}`}>
            <h3>{g.title}</h3>
            <p>{g.description}</p>
            <Chapters g={g} />
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

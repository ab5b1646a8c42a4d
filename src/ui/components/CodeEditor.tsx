/**
 * A CodeMirror 6 editor in React, created once per mount; `onReady` hands out the view.
 *
 * The editor lives in an open shadow root: CodeMirror's style-mod then installs its styles
 * with adoptedStyleSheets instead of <style> tags, which the page's CSP (style-src 'self')
 * blocks. Our editor styles come in through a same-origin <link> (editor.css).
 *
 * Typing over a selection is a CodeMirror transaction (editor/type-over.ts): Chrome's own
 * editing would add inline styles there, which the CSP refuses.
 *
 * The page's theme does not reach into the shadow root by selector, so the editor follows it
 * itself: CodeMirror's dark flag (caret, selection) and data-theme on .cm-root (our colours).
 */
import { useEffect, useRef } from 'react';
import { Compartment, EditorState, type Extension } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import editorCss from '../editor/editor.css?url';
import { typeOverSelection } from '../editor/type-over';
import { store, type Theme } from '../store';

export function CodeEditor(props: { doc: string; extensions: Extension[]; label: string; onReady?: (v: EditorView) => void; className?: string }) {
  const host = useRef<HTMLDivElement | null>(null);
  useEffect(() => {
    const el = host.current!;
    const shadow = el.shadowRoot ?? el.attachShadow({ mode: 'open' });
    shadow.replaceChildren();
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = editorCss;
    const parent = document.createElement('div');
    parent.className = 'cm-root';
    shadow.append(link, parent);
    const dark = new Compartment();
    const darkFlag = (t: Theme) => EditorView.darkTheme.of(t === 'dark');
    parent.dataset.theme = store.getState().theme;
    const view = new EditorView({
      root: shadow,
      parent,
      state: EditorState.create({
        doc: props.doc,
        extensions: [...props.extensions, typeOverSelection, dark.of(darkFlag(store.getState().theme)), EditorView.contentAttributes.of({ 'aria-label': props.label })],
      }),
    });
    const unsubscribe = store.subscribe((s, p) => {
      if (s.theme === p.theme) return;
      parent.dataset.theme = s.theme;
      view.dispatch({ effects: dark.reconfigure(darkFlag(s.theme)) });
    });
    props.onReady?.(view);
    return () => {
      unsubscribe();
      view.destroy();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  return <div className={props.className} ref={host} />;
}

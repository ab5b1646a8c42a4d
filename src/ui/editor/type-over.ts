/**
 * Typing over a selection goes through CodeMirror, not the browser's editing.
 *
 * When the replaced text starts inside a styled token (a bold, coloured task name; a flagged
 * range), Chrome keeps that "typing style" for the new text by wrapping it in
 * <span style="color: …; font-weight: …">: an inline style attribute, which the page's CSP
 * (style-src 'self') blocks and logs as a console error, every time. CodeMirror redraws the
 * line right after, so the span only ever existed to be refused. Replacing the selection as a
 * transaction leaves the DOM to CodeMirror. Typing at a caret (nothing selected) goes into the
 * text node as it is and is left to the browser; so is IME composition.
 */
import type { Extension } from '@codemirror/state';
import { EditorView } from '@codemirror/view';

function targetRange(e: InputEvent, view: EditorView): { from: number; to: number } {
  const r = e.getTargetRanges()[0];
  if (r) {
    try {
      const a = view.posAtDOM(r.startContainer, r.startOffset);
      const b = view.posAtDOM(r.endContainer, r.endOffset);
      return { from: Math.min(a, b), to: Math.max(a, b) };
    } catch {
      // A range outside the content (should not happen): fall back to the selection.
    }
  }
  const m = view.state.selection.main;
  return { from: m.from, to: m.to };
}

export const typeOverSelection: Extension = EditorView.domEventHandlers({
  beforeinput(e, view) {
    if (e.inputType !== 'insertText' || e.isComposing || view.composing || !e.data) return false;
    const { from, to } = targetRange(e, view);
    if (from === to) return false;
    const text = e.data;
    const insert = () => view.state.update({
      changes: { from, to, insert: text },
      selection: { anchor: from + text.length },
      scrollIntoView: true,
      userEvent: 'input.type',
    });
    e.preventDefault();
    // Input handlers (bracket closing and the like) get their say, as with a DOM change.
    if (!view.state.facet(EditorView.inputHandler).some((h) => h(view, from, to, text, insert))) view.dispatch(insert());
    return true;
  },
});

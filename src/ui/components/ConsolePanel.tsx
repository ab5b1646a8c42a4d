import { useEffect, useRef, useState } from 'react';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { keymap, placeholder, EditorView, lineNumbers, highlightActiveLine } from '@codemirror/view';
import { acceptCompletion, closeCompletion, completionKeymap, completionStatus } from '@codemirror/autocomplete';
import { Prec } from '@codemirror/state';
import { lintGutter } from '@codemirror/lint';
import { CodeEditor } from './CodeEditor';
import { scenarioSupport } from '../editor/scenario-lang';
import { loadScript, runLine } from '../actions';
import { EngineLostError, engineReady } from '../engine-client';
import { log, store, useUi, type ConsoleTab } from '../store';
import { consoleMounted } from '../console-focus';
import { tablistKeys } from '../keyboard';
import { NoticeDock } from '../persist';
import { visibleErrors } from '../visible';
import { helpLines, isHelp } from '../console-help';
import type { ScriptError } from '../../worker/api';
import { clearDraft, draftStore, draftTooLarge, setDraft, useDraft } from '../script-draft';
import { count } from '../format';
import { MAX_SCRIPT_CHARS } from '../../scenario/constants';
import { openScriptFile } from '../open-script';
import './script-io.css';


/**
 * The script editor's parse check. A check the worker died during has nothing to report (the
 * engine notice says what happened; the next edit checks again): left to reject, CodeMirror's
 * linter logged the EngineLostError to the console.
 */
async function check(src: string): Promise<ScriptError[]> {
  try {
    return visibleErrors((await (await engineReady()).check(src)) as ScriptError[]);
  } catch (e) {
    if (e instanceof EngineLostError) return [];
    throw e;
  }
}

function ConsoleTab() {
  const lines = useUi((s) => s.console);
  const logRef = useRef<HTMLOListElement | null>(null);
  const historyRef = useRef<{ items: string[]; at: number }>({ items: [], at: 0 });
  useEffect(() => {
    const el = logRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [lines]);
  // Lines run one after the other, in the order they were entered: the lines typed before the
  // console mounted (console-focus.ts) and those typed while an earlier one still runs.
  const turnRef = useRef<Promise<unknown>>(Promise.resolve());
  const enter = (text: string): Promise<unknown> => {
    const h = historyRef.current;
    h.items.push(text);
    h.at = h.items.length;
    const run = () => {
      if (!isHelp(text)) return runLine(text);
      // Answered here: help is not a scenario line, so it must not land in the script.
      log('cmd', text.trim());
      for (const l of helpLines()) log('info', l);
    };
    const done = turnRef.current.then(run);
    // A line that failed (the engine lost: its notice says so) does not keep the next from its turn.
    turnRef.current = done.catch(() => {});
    return done;
  };
  // Enter runs the line as typed, even with the completion popup open (Tab takes a completion).
  const submit = (view: EditorView): boolean => {
    closeCompletion(view);
    const text = view.state.doc.toString();
    if (!text.trim()) return true;
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: '' } });
    void enter(text);
    return true;
  };
  const recall = (view: EditorView, dir: -1 | 1): boolean => {
    if (completionStatus(view.state) === 'active') return false;
    const h = historyRef.current;
    if (!h.items.length) return false;
    h.at = Math.max(0, Math.min(h.items.length, h.at + dir));
    const text = h.items[h.at] ?? '';
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text }, selection: { anchor: text.length } });
    return true;
  };
  return (
    <div className="console">
      <ol className="console-log" role="log" aria-label="Console output" ref={logRef} data-testid="console-log">
        {lines.map((l) => (
          <li key={l.id} className={`cl-${l.kind}`}>{l.kind === 'cmd' ? <><span className="prompt">›</span> {l.text}</> : l.text}</li>
        ))}
      </ol>
      <CodeEditor
        className="console-input"
        label="Console input"
        doc=""
        onReady={(v) => consoleMounted({
          focus: () => v.focus(),
          setText: (text) => v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: text }, selection: { anchor: text.length } }),
        }, (line) => void enter(line))}
        extensions={[
          Prec.highest(keymap.of([
            { key: 'Enter', run: submit },
            // With a popup Tab completes and keeps the focus here; without one it falls through
            // and moves the focus on, as elsewhere on the page.
            { key: 'Tab', run: (v) => (completionStatus(v.state) !== null ? (acceptCompletion(v), true) : false) },
            { key: 'ArrowUp', run: (v) => recall(v, -1) },
            { key: 'ArrowDown', run: (v) => recall(v, 1) },
            { key: 'Escape', run: (v) => (completionStatus(v.state) ? false : (v.contentDOM.blur(), true)) },
          ])),
          keymap.of([...completionKeymap, ...defaultKeymap]),
          placeholder('type a command, e.g.  db1: fork   (Tab completes, ↑ recalls)'),
          // Above the input: below it, the popup ran under the status bar.
          ...scenarioSupport(undefined, { above: true }),
        ]}
      />
    </div>
  );
}

function ScriptTab() {
  const source = useUi((s) => s.source);
  const errors = useUi((s) => s.scriptErrors);
  const name = useUi((s) => s.scriptName);
  const draft = useDraft((d) => d.text);
  const draftName = useDraft((d) => d.name);
  const viewRef = useRef<EditorView | null>(null);
  const fileRef = useRef<HTMLInputElement | null>(null);
  // The editor shows the draft when there is one, else the script (src/ui/script-draft.ts).
  // A script changed from outside (a console line, a load) replaces what it shows only when
  // there is no unrun draft: the draft stays, and Discard shows the script.
  const sync = () => {
    const v = viewRef.current;
    if (!v) return;
    // As the editor holds it (CodeMirror reads \r\n as \n): a file's CRLF text is no edit.
    const want = v.state.toText(draftStore.getState().text ?? store.getState().source).toString();
    if (v.state.doc.toString() !== want) v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: want } });
  };
  useEffect(() => {
    if (draftStore.getState().text === source) clearDraft();
    sync();
  }, [source, draft]);
  const run = async (runIt: boolean) => {
    const text = viewRef.current?.state.doc.toString() ?? '';
    // Edited text is no longer the file it was loaded from: replaced wholesale and run, it
    // still showed (and exported, and was restored as) "mshare-basics-2024.msh".
    const as = draftStore.getState().name ?? (text === source && name ? name : 'script.msh');
    // Run, it is the script: no draft any more. Not parsed, it stays a draft, with its errors.
    if (await loadScript(text, as, runIt)) {
      clearDraft();
      sync();
    }
  };
  const discard = () => {
    clearDraft();
    store.setState({ scriptErrors: [] });
    log('info', 'discarded the draft: the Script tab shows the script again');
  };
  return (
    <div className="script">
      <div className="script-actions">
        <button type="button" className="primary" onClick={() => void run(true)}>Run script</button>
        <button type="button" onClick={() => void run(false)}>Load at step 0</button>
        <button type="button" onClick={() => fileRef.current?.click()} title="Open a script file (.msh or .txt); you can also drop one on this panel">Open script…</button>
        <input ref={fileRef} type="file" accept=".msh,.txt,text/plain" hidden aria-label="Open script file" onChange={(e) => {
          const f = e.currentTarget.files?.[0];
          e.currentTarget.value = ''; // the same file again is a change too
          if (f) void openScriptFile(f);
        }} />
        <span className="hint" title={draftName ?? name} data-testid="script-name">{draftName ?? name}</span>
        {/* In the button row, not a row of its own: in the short console of a wide window a
            row more pushed the errors list out of the panel. */}
        {draft !== null && (
          <span className="draft-hint" role="status" data-testid="draft-hint" title="The timeline shows the script run last. Run runs this draft; Discard shows that script again.">
            {draftTooLarge(draft) ? (
              // Said at once, not only when Run fails: the session keeps the last draft that fit.
              <span className="draft-too-large" data-testid="draft-too-large" title={`${count(draft.length)} characters; a script may have at most ${count(MAX_SCRIPT_CHARS)} (1 MiB). A reload brings back the last draft that fit.`}>
                <strong>Draft too large to save</strong> <span className="muted">(over 1 MiB): a reload brings back the last draft that fit.</span>
              </span>
            ) : (
              <span><strong>Draft: not run yet.</strong> <span className="muted">The timeline shows the script run last.</span></span>
            )}
            <button type="button" aria-label="Run draft" onClick={() => void run(true)}>Run</button>
            <button type="button" aria-label="Discard draft" onClick={discard}>Discard</button>
          </span>
        )}
      </div>
      <CodeEditor
        className="script-editor"
        label="Script editor"
        doc={draftStore.getState().text ?? source}
        onReady={(v) => (viewRef.current = v)}
        extensions={[
          lineNumbers(), highlightActiveLine(), history(), lintGutter(),
          keymap.of([...completionKeymap, ...defaultKeymap, ...historyKeymap]), ...scenarioSupport(check),
          // Every edit is the draft (saved with the session); back to the script's text, none.
          EditorView.updateListener.of((u) => {
            if (!u.docChanged) return;
            const text = u.state.doc.toString();
            if (text === u.state.toText(store.getState().source).toString()) clearDraft();
            else if (text !== draftStore.getState().text) setDraft(text);
          }),
        ]}
      />
      {errors.length > 0 && (
        <ul className="script-errors" aria-label="Script errors" data-testid="script-errors">
          {errors.map((e, i) => (
            <li key={i}>
              <button type="button" className="link" onClick={() => {
                const v = viewRef.current;
                if (!v || e.line > v.state.doc.lines) return;
                const l = v.state.doc.line(e.line);
                v.dispatch({ selection: { anchor: Math.min(l.to, l.from + e.col - 1) }, scrollIntoView: true });
                v.focus();
              }}>{e.file}:{e.line}:{e.col}</button>: {e.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** In the store, so the timeline's problem indicator can bring the console forward. */
const setTab = (tab: ConsoleTab) => store.setState({ consoleTab: tab });
const TAB_IDS: readonly ConsoleTab[] = ['console', 'script'];
const tabId = (t: ConsoleTab) => `console-tab-${t}`;
const panelId = (t: ConsoleTab) => `console-tabpanel-${t}`;

/** Whether a drag carries files (not text dragged within or into an editor). */
const hasFiles = (e: DragEvent) => !!e.dataTransfer && Array.from(e.dataTransfer.types).includes('Files');

/**
 * A script file dropped anywhere on the panel (the Script tab, the console) is opened as
 * Open script… opens one. Listened for in the capture phase on the panel, before the editors:
 * CodeMirror would otherwise insert the file's text at the drop point.
 */
function useFileDrop(ref: React.RefObject<HTMLElement | null>, setOver: (over: boolean) => void) {
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const over = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      e.stopPropagation();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
      setOver(true);
    };
    const leave = (e: DragEvent) => {
      if (!el.contains(e.relatedTarget as Node | null)) setOver(false);
    };
    const drop = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      e.stopPropagation();
      setOver(false);
      const files = Array.from(e.dataTransfer?.files ?? []);
      if (!files.length) return;
      if (files.length > 1) log('info', `${files.length} files dropped: opening the first, ${files[0].name}`);
      void openScriptFile(files[0]);
    };
    el.addEventListener('dragenter', over, true);
    el.addEventListener('dragover', over, true);
    el.addEventListener('dragleave', leave, true);
    el.addEventListener('drop', drop, true);
    return () => {
      el.removeEventListener('dragenter', over, true);
      el.removeEventListener('dragover', over, true);
      el.removeEventListener('dragleave', leave, true);
      el.removeEventListener('drop', drop, true);
    };
  }, [ref, setOver]);
}

export function ConsolePanel() {
  const tab = useUi((s) => s.consoleTab);
  const ref = useRef<HTMLElement | null>(null);
  const [dropping, setDropping] = useState(false);
  useFileDrop(ref, setDropping);
  useEffect(() => store.subscribe((s, p) => {
    if (s.scriptErrors.length && s.scriptErrors !== p.scriptErrors) setTab('script');
  }), []);
  return (
    <section ref={ref} className={`panel console-panel${dropping ? ' dropping' : ''}`} aria-label="Console and script">
      {/* The ARIA tabs pattern: one tab in the Tab order, the arrows, Home and End move between them. */}
      <div role="tablist" aria-label="Console or script" className="tabs" onKeyDown={tablistKeys(TAB_IDS, tab, setTab, tabId)}>
        {TAB_IDS.map((t) => (
          <button key={t} role="tab" type="button" id={tabId(t)} aria-selected={tab === t} aria-controls={panelId(t)} tabIndex={tab === t ? 0 : -1}
            onClick={() => setTab(t)}>{t === 'console' ? 'Console' : 'Script'}</button>
        ))}
        <span className="caption">Every action is one scenario line; the session is a script you can edit and re-run. Press / to type.</span>
      </div>
      {/* Notices dock here (src/ui/persist/Notices.tsx): beside the log, never over the input. */}
      <div className="console-main">
        <NoticeDock />
        <div className="panel-body">
          <div hidden={tab !== 'console'} className="fill" role="tabpanel" id={panelId('console')} aria-labelledby={tabId('console')}><ConsoleTab /></div>
          <div hidden={tab !== 'script'} className="fill" role="tabpanel" id={panelId('script')} aria-labelledby={tabId('script')}><ScriptTab /></div>
        </div>
      </div>
    </section>
  );
}

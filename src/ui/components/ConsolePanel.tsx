import { useEffect, useRef } from 'react';
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
  // Enter runs the line as typed, even with the completion popup open (Tab takes a completion).
  const submit = (view: EditorView): boolean => {
    closeCompletion(view);
    const text = view.state.doc.toString();
    if (!text.trim()) return true;
    const h = historyRef.current;
    h.items.push(text);
    h.at = h.items.length;
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: '' } });
    if (isHelp(text)) {
      // Answered here: help is not a scenario line, so it must not land in the script.
      log('cmd', text.trim());
      for (const l of helpLines()) log('info', l);
    } else void runLine(text);
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
        }, () => submit(v))}
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
  const viewRef = useRef<EditorView | null>(null);
  // Show the latest script when it changes from outside (console lines, loading).
  useEffect(() => {
    const v = viewRef.current;
    if (v && v.state.doc.toString() !== source) v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: source } });
  }, [source]);
  const run = async (runIt: boolean) => {
    const text = viewRef.current?.state.doc.toString() ?? '';
    // Edited text is no longer the file it was loaded from: replaced wholesale and run, it
    // still showed (and exported, and was restored as) "mshare-basics-2024.msh".
    await loadScript(text, text === source && name ? name : 'script.msh', runIt);
  };
  return (
    <div className="script">
      <div className="script-actions">
        <button type="button" className="primary" onClick={() => void run(true)}>Run script</button>
        <button type="button" onClick={() => void run(false)}>Load at step 0</button>
        <span className="hint" title={name} data-testid="script-name">{name}</span>
      </div>
      <CodeEditor
        className="script-editor"
        label="Script editor"
        doc={source}
        onReady={(v) => (viewRef.current = v)}
        extensions={[lineNumbers(), highlightActiveLine(), history(), lintGutter(), keymap.of([...completionKeymap, ...defaultKeymap, ...historyKeymap]), ...scenarioSupport(check)]}
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

export function ConsolePanel() {
  const tab = useUi((s) => s.consoleTab);
  useEffect(() => store.subscribe((s, p) => {
    if (s.scriptErrors.length && s.scriptErrors !== p.scriptErrors) setTab('script');
  }), []);
  return (
    <section className="panel console-panel" aria-label="Console and script">
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

/**
 * UI state: a zustand vanilla store (usable from d3 views and tests without React) and its
 * React hooks. Durable state (the machine) lives in the worker; this holds what the page
 * shows of it (the latest snapshot) and ephemeral UI state (selection, view options).
 */
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import type { ModelSnapshot } from '../engine/abi';
import type { TraceEvent } from '../engine/trace';
import type { Marker, ProblemCounts, ScriptError, SeriesPoint, StepRecord } from '../worker/api';

export interface Selection {
  pid: number | null;
  mm: number | null;
  /** A VMA by its mm and start address. */
  vma: { mm: number; start: number } | null;
  /** A page-table page (pfn). */
  table: number | null;
  /** An entry: the table's pfn and the entry index. */
  pte: { table: number; index: number } | null;
  frame: number | null;
  /** The address the page walk shows (in `pid`'s address space). */
  addr: number | null;
}

export interface ConsoleLine {
  id: number;
  kind: 'cmd' | 'out' | 'err' | 'info';
  text: string;
}

export type RightTab = 'inspector' | 'walk' | 'counters';
export type ConsoleTab = 'console' | 'script';
export type Theme = 'light' | 'dark';

export interface UiState {
  isolated: boolean;
  ready: boolean;
  snapshot: ModelSnapshot | null;
  generation: number;
  /**
   * How many updates that start a new script (a load: the worker's `reset`) the page has
   * applied. It changes with the first snapshot of a loaded script, which can arrive before
   * `source` does (the worker runs a loaded script at once).
   */
  loads: number;
  position: number;
  total: number;
  /** The worker is running steps (play or a long run). */
  running: boolean;
  /** The user pressed play (as opposed to a run to the end). */
  playing: boolean;
  speed: number;
  source: string;
  scriptName: string;
  chapters: Marker[];
  notes: Marker[];
  /** The most recent step records (last RECORD_CAP), by index. */
  records: StepRecord[];
  events: TraceEvent[];
  /** The events of the latest update only (what just happened: the views highlight it). */
  lastEvents: TraceEvent[];
  series: SeriesPoint[];
  console: ConsoleLine[];
  /** The bottom panel's tab (the timeline's problem indicator switches it to the console). */
  consoleTab: ConsoleTab;
  scriptErrors: ScriptError[];
  /** Failed expects and command errors of the steps run up to the position (src/ui/run-report.ts lists them). */
  problems: ProblemCounts;
  selection: Selection;
  /** A second process drawn next to the selected one in the page-table tree. */
  compare: number | null;
  theme: Theme;
  animations: boolean;
  rightTab: RightTab;
  galleryOpen: boolean;
  /** The tour's current step, null when not touring. */
  tourStep: number | null;
  progress: { done: number; goal: number } | null;
}

export const RECORD_CAP = 400;
export const EVENT_CAP = 600;
export const CONSOLE_CAP = 300;

export const emptySelection: Selection = { pid: null, mm: null, vma: null, table: null, pte: null, frame: null, addr: null };

/** The saved choice, else the system's. public/theme-boot.js chooses the same before the first paint. */
function initialTheme(): Theme {
  try {
    const saved = localStorage.getItem('mshare-explorer.theme');
    if (saved === 'light' || saved === 'dark') return saved;
  } catch {
    /* storage may be off */
  }
  return typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

/** Animations on unless the system asks for reduced motion (main.css also stills them under that query). */
export function initialAnimations(): boolean {
  return !(typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches);
}

export const store = createStore<UiState>(() => ({
  isolated: globalThis.crossOriginIsolated === true,
  ready: false,
  snapshot: null,
  generation: 0,
  loads: 0,
  position: 0,
  total: 0,
  running: false,
  playing: false,
  speed: 4,
  source: '',
  scriptName: '',
  chapters: [],
  notes: [],
  records: [],
  events: [],
  lastEvents: [],
  series: [],
  console: [],
  consoleTab: 'console',
  scriptErrors: [],
  problems: { failed: 0, errors: 0 },
  selection: emptySelection,
  compare: null,
  theme: initialTheme(),
  animations: initialAnimations(),
  rightTab: 'inspector',
  galleryOpen: false,
  tourStep: null,
  progress: null,
}));

export function useUi<T>(selector: (s: UiState) => T): T {
  return useStore(store, selector);
}

export function useUiShallow<T>(selector: (s: UiState) => T): T {
  return useStore(store, useShallow(selector));
}

/**
 * The chart's series with new samples merged in by step (src/worker/api.ts Update.samples):
 * a sample replaces the point of its step (a replay, a step back and a different future),
 * the others keep their order. Both lists ascend by step; `samples` out of order is sorted
 * first, the last one of a step winning. Returns `series` itself when nothing is added.
 */
export function mergeSeries(series: SeriesPoint[], samples: readonly SeriesPoint[]): SeriesPoint[] {
  if (samples.length === 0) return series;
  let add = samples;
  for (let i = 1; i < add.length; i++) {
    if (add[i].step <= add[i - 1].step) {
      const byStep = new Map<number, SeriesPoint>();
      for (const p of samples) byStep.set(p.step, p);
      add = [...byStep.values()].sort((a, b) => a.step - b.step);
      break;
    }
  }
  // A run: every new sample after the last point (the common case).
  if (series.length === 0 || add[0].step > series[series.length - 1].step) return series.concat(add);
  const out: SeriesPoint[] = [];
  let i = 0;
  let j = 0;
  while (i < series.length || j < add.length) {
    if (j >= add.length || (i < series.length && series[i].step < add[j].step)) out.push(series[i++]);
    else {
      if (i < series.length && series[i].step === add[j].step) i++;
      out.push(add[j++]);
    }
  }
  return out;
}

let consoleId = 0;
export function log(kind: ConsoleLine['kind'], text: string): void {
  const line = { id: ++consoleId, kind, text };
  store.setState((s) => ({ console: [...s.console.slice(-(CONSOLE_CAP - 1)), line] }));
}

export function select(patch: Partial<Selection>): void {
  store.setState((s) => ({ selection: { ...s.selection, ...patch } }));
}

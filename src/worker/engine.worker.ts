/**
 * The engine worker: runs scenarios with the Runner (through runner-port.ts) and implements
 * the EngineApi of api.ts. See api.ts for what crosses the boundary and the buffer contract.
 */
import * as Comlink from 'comlink';
import { buildModel } from '../engine/model';
import { smaps as procSmaps } from '../engine/mm/proc';
import { findVma } from '../engine/mm/vma';
import { stateDigest } from '../engine/snapshot';
import { TLB_W, tlbEntryPcid, tlbEntryPerm, tlbEntryPfn, tlbEntryVpn, tlbSlot } from '../engine/hw/tlb';
import { userPcid } from '../engine/hw/cpu';
import { parseScript } from '../scenario/parser';
import type { Kernel } from '../engine/kernel';
import {
  ACK_WAIT_MS, CTL_ACK, CTL_GEN, CTL_SEQ, CTL_WORDS, MAX_EVENTS_PER_UPDATE, MAX_STEPS_PER_UPDATE,
  type EngineApi, type ExecResult, type LoadResult, type MachineSettings, type Marker,
  type RunOutcome, type SeriesPoint, type SharedBuffers, type Update,
} from './api';
import { counterSample, createRunner, type RunnerPort, type StepRecord } from './runner-port';
import { SnapshotEncoder } from './snapshot-patch';
import { explainAllocationFailure, refuseInBrowser } from './browser-limits';
import { workerTestHooks } from './test-hooks';
import { scriptMarkers, withMachineLine } from './script-text';

const SLICE_MS = 12;
/**
 * A play or run publishes at most this often (a play slower than 1000/PUBLISH_MS steps a
 * second publishes every step). Each update makes the page redraw every view, which costs
 * tens of milliseconds at 1,500 processes: at 30 updates a second the page did nothing else
 * and dropped most frames. ~6 a second still looks alive, and every step record still goes
 * out (Update.steps), so the timeline and the console miss nothing.
 */
const PUBLISH_MS = 150;
const EMPTY_SCRIPT = '# empty machine\n';

const ctl = new Int32Array(new SharedArrayBuffer(CTL_WORDS * 4));
let onUpdate: ((u: Update) => void) | null = null;
let runner: RunnerPort = mustCreate(EMPTY_SCRIPT, 'empty.msh');
let source = EMPTY_SCRIPT;
let file = 'empty.msh';
let generation = 0;
/**
 * The generation of the last update sent to the page; -1 before the first. generation() and
 * idle() answer this one, not `generation`: the page waits until its store holds what they
 * answer, so they must only ever name a generation the page has been (or is being) sent. A
 * load that fails publishes nothing, and answering the unpublished starting generation made
 * the page wait for it forever (a permalink or saved session that did not parse hung the boot).
 */
let published = -1;
let epoch = 0;
let sharedKernel: Kernel | null = null;
let traceSeq = 0;
let pending: StepRecord[] = [];
let pendingCount = 0;
/**
 * The chart's samples not yet published, ascending by step: one per step run (runStep), plus
 * the position's after a load or a step back (publish). A few numbers each, never capped
 * while a page listens (it publishes them at least every PUBLISH_MS).
 */
let samples: SeriesPoint[] = [];
/** Without a page to publish to, keep at most this many (the newest). */
const SAMPLE_CAP = 100_000;
let playToken = 0;
let playing: Promise<RunOutcome> | null = null;
/** The record of the last step run (exec returns it). */
let lastRecord: StepRecord | null = null;
/** An exec that adds more steps than this runs them as a play (in slices) rather than at once. */
const INLINE_STEPS = 64;

function mustCreate(src: string, f: string): RunnerPort {
  const r = createRunner(src, f);
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('; '));
  return r.runner;
}

function sharedBuffers(): SharedBuffers {
  const k = runner.kernel;
  if (k !== sharedKernel) {
    sharedKernel = k;
    epoch++;
  }
  return { ram: k.m.pm.ram, desc: k.m.pm.descBuf, nframes: k.m.pm.nframes, epoch };
}

// ---------------------------------------------------------------- the seqlock (see api.ts)

function beginWrite(): void {
  if ((Atomics.load(ctl, CTL_SEQ) & 1) === 0) Atomics.add(ctl, CTL_SEQ, 1);
}

function endWrite(): void {
  generation++;
  Atomics.store(ctl, CTL_GEN, generation);
  if (Atomics.load(ctl, CTL_SEQ) & 1) Atomics.add(ctl, CTL_SEQ, 1);
}

function runStep(): StepRecord | null {
  const r = runner.step();
  if (r) {
    lastRecord = r;
    pendingCount++;
    pending.push(r);
    if (pending.length > MAX_STEPS_PER_UPDATE * 2) pending = pending.slice(-MAX_STEPS_PER_UPDATE);
    // The values after this step: the chart draws every step, not one point per update.
    samples.push(counterSample(runner.kernel, runner.position));
    if (samples.length > SAMPLE_CAP * 2) samples = samples.slice(-SAMPLE_CAP);
  }
  return r;
}

// ---------------------------------------------------------------- publishing

let lastShared: SharedBuffers | null = null;
/** Snapshots go out as patches against the previous update's (snapshot-patch.ts). */
const snapshots = new SnapshotEncoder();

function publish(reset = false): void {
  if (!onUpdate) return; // nobody to send to: the encoder must not move past what the page has
  const k = runner.kernel;
  const shared = sharedBuffers();
  const rebuilt = shared.epoch !== lastShared?.epoch;
  lastShared = shared;
  if (reset || rebuilt) snapshots.reset();
  const trace = k.m.trace;
  if (traceSeq > trace.seq) traceSeq = 0;
  let events = trace.since(traceSeq);
  traceSeq = trace.seq;
  // The newest events, plus any OOM kill among the older ones (the page reports each kill).
  if (events.length > MAX_EVENTS_PER_UPDATE) events = [...events.slice(0, -MAX_EVENTS_PER_UPDATE).filter((e) => e.type === 'oom-kill').slice(-32), ...events.slice(-MAX_EVENTS_PER_UPDATE)];
  const point = counterSample(k, runner.position);
  // Every update carries the position's sample (a load, a step back run no step).
  if (samples.length === 0 || samples[samples.length - 1].step !== point.step) samples.push(point);
  const u: Update = {
    generation,
    position: runner.position,
    total: runner.total,
    running: playing !== null,
    // buildModel reuses the models of unchanged tasks and mms, so the patch holds only changes.
    snapshot: snapshots.encode(buildModel(k, generation)),
    steps: pending.slice(-MAX_STEPS_PER_UPDATE),
    stepCount: pendingCount,
    events,
    samples,
    point,
    problems: runner.problemCounts,
    ...(rebuilt ? { shared } : {}),
    ...(reset ? { reset: true } : {}),
  };
  pending = [];
  pendingCount = 0;
  samples = [];
  published = generation;
  onUpdate?.(u);
}

/** Waits until the page acknowledged `gen` (it drew it) or ACK_WAIT_MS passed. */
async function waitAck(gen: number): Promise<void> {
  const deadline = performance.now() + ACK_WAIT_MS;
  for (;;) {
    const seen = Atomics.load(ctl, CTL_ACK);
    if (seen >= gen) return;
    const left = deadline - performance.now();
    if (left <= 0) return;
    const w = (Atomics as unknown as AtomicsWaitAsync).waitAsync(ctl, CTL_ACK, seen, left);
    if (w.async) await w.value;
  }
}

interface AtomicsWaitAsync {
  waitAsync(a: Int32Array, i: number, v: number, t: number): { async: false; value: string } | { async: true; value: Promise<string> };
}

const yieldLoop = () => new Promise<void>((r) => setTimeout(r, 0));
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- script markers

function markers(src: string): { chapters: Marker[]; notes: Marker[] } {
  const parsed = parseScript(src, file);
  return parsed.ok ? scriptMarkers(parsed.script) : { chapters: [], notes: [] };
}

function loadInfo(): LoadResult {
  return { ok: true, total: runner.total, source, ...markers(source) };
}

// ---------------------------------------------------------------- running

function stopPlay(): void {
  playToken++;
}

/** `deferred`: the first step waits for the next turn of the event loop (see load). */
async function play(stepsPerSecond: number, until?: number, deferred = false): Promise<RunOutcome> {
  stopPlay();
  while (playing) await playing;
  const token = ++playToken;
  const goal = Math.min(until ?? runner.total, runner.total);
  const fast = !Number.isFinite(stepsPerSecond) || stepsPerSecond > 240;
  const run = async (): Promise<RunOutcome> => {
    if (deferred) await yieldLoop();
    publish();
    // A slow play shows its first step at once; a fast run's first update comes after
    // PUBLISH_MS like the others.
    let published = fast ? performance.now() : -Infinity;
    while (runner.position < goal && token === playToken) {
      const t0 = performance.now();
      beginWrite();
      if (fast) {
        const end = t0 + SLICE_MS;
        while (runner.position < goal && performance.now() < end) runStep();
      } else runStep();
      endWrite();
      // Publish a few times a second (PUBLISH_MS), whatever the speed; a slow play's steps
      // are that far apart anyway. The goal reached: always.
      if (performance.now() - published >= PUBLISH_MS || runner.position >= goal) {
        publish();
        published = performance.now();
        await waitAck(generation);
      }
      if (fast) await yieldLoop();
      else await sleep(Math.max(0, 1000 / stepsPerSecond - (performance.now() - t0)));
    }
    return { state: runner.position >= goal ? 'done' : 'paused', position: runner.position };
  };
  let current: Promise<RunOutcome> | null = null;
  const p: Promise<RunOutcome> = (async () => {
    try {
      return await run();
    } finally {
      if (playing === current) playing = null;
      publish();
    }
  })();
  current = p;
  playing = p;
  return p;
}

async function halt(): Promise<void> {
  stopPlay();
  while (playing) await playing;
}

const api: EngineApi = {
  init(cb) {
    onUpdate = cb;
    // A new page (or a reloaded one): its decoder holds nothing yet.
    snapshots.reset();
    const shared = sharedBuffers();
    lastShared = shared;
    return { shared, ctl: ctl.buffer as SharedArrayBuffer };
  },

  load(src, f = 'scenario.msh', run = false) {
    stopPlay();
    const big = refuseInBrowser(src, f);
    if (big) return { ok: false, errors: [big] };
    const r = createRunner(src, f);
    if (!r.ok) return { ok: false, errors: explainAllocationFailure(r.errors) };
    beginWrite();
    runner = r.runner;
    source = src;
    file = f;
    pending = [];
    pendingCount = 0;
    samples = [];
    traceSeq = 0;
    endWrite();
    publish(true);
    // Straight on to the run, without a round trip through the page, which is busy drawing
    // the load then (measured: the run started ~90 ms later when the page asked for it).
    // An idle() that follows joins it (play registers as `playing` before any later message
    // could see a gap); the steps start after this answer has gone out. An exception in the
    // run reaches the page through idle().
    if (run) play(Infinity, undefined, true).catch(() => {});
    return loadInfo();
  },

  step() {
    stopPlay();
    beginWrite();
    const r = runStep();
    endWrite();
    publish();
    return r;
  },

  back() {
    api.goto(runner.position - 1);
  },

  goto(n) {
    stopPlay();
    beginWrite();
    const before = runner.position;
    const target = Math.max(0, Math.min(runner.total, Math.floor(Number.isFinite(n) ? n : 0)));
    if (target > before) {
      // Forward, step by step (what Runner.goto does), so each step's record and sample go out.
      while (runner.position < target) if (!runStep()) break;
    } else runner.goto(target);
    if (runner.position < before) {
      pending = [];
      pendingCount = 0;
      // Samples of the steps undone are another timeline's; publish adds the position's.
      samples = samples.filter((p) => p.step <= runner.position);
    }
    endWrite();
    publish();
  },

  play,

  pause() {
    stopPlay();
  },

  async exec(line) {
    const text = line.trim();
    const check = parseScript(text, 'console');
    if (!check.ok) return { ok: false, errors: check.errors };
    if (check.script.commands.length === 0) return { ok: true, record: null, line: 0, dropped: 0, steps: 0 };
    await halt();
    // Runner.append: one parse, no rebuild, no replay. The line becomes the step after the
    // current position; if the user went back, the steps after it are dropped first (the
    // console acts on the state it shows, like typing after an undo).
    const mine = runner;
    const r = mine.append(text + '\n');
    // Lines counted in the text, as the check's: its first line is the script's r.line.
    if (!r.ok) return { ok: false, errors: r.errors.map((e) => ({ ...e, file: 'console', line: e.line - r.line + 1 })) };
    const first = mine.total - r.added; // the line's first step
    source = runner.source;
    lastRecord = null;
    if (r.added > INLINE_STEPS) {
      // `repeat 1500: ...` typed in the console: run in slices (progress shows, pause works).
      await play(Infinity);
    } else {
      beginWrite();
      while (runner.position < runner.total) runStep();
      endWrite();
      publish();
    }
    // Counted on this runner: a load during a sliced play replaces `runner`, not what ran here.
    const res: ExecResult = { ok: true, record: lastRecord, line: r.line, dropped: r.dropped, steps: mine.position - first };
    return res;
  },

  async restart(s: MachineSettings) {
    await halt();
    const pos = runner.position;
    const machine = `machine ram=${Math.round(s.ram / 2 ** 20)}M cpus=${s.cpus} tlb=${s.tlb} pcid=${s.pcid ? 'on' : 'off'}${s.pti ? ' pti=on' : ''} levels=${s.levels} mshare=${s.mshare}${s.shmemThp && s.shmemThp !== 'never' ? ` shmem_thp=${s.shmemThp}` : ''}`;
    const parsed = parseScript(source, file);
    // The loaded script always parses; were it not to, the new machine line goes first.
    const res = api.load(parsed.ok ? withMachineLine(source, parsed.script, machine) : `${machine}\n${source}`, file);
    if (res.ok && pos > 0) await play(Infinity, pos);
    return res.ok ? loadInfo() : res;
  },

  getSource: () => source,
  generation: () => published,
  check(src) {
    const r = parseScript(src, file);
    return r.ok ? [] : r.errors;
  },
  getSnapshot: () => buildModel(runner.kernel, generation),
  report: () => runner.report(),
  problems: (from, to, limit) => runner.problems(from, to, limit),
  digest: () => stateDigest(runner.kernel.m),

  tlbProbe(pid, va) {
    const m = runner.kernel.m;
    const t = m.s.tasks.get(pid);
    if (!t?.mm) return null;
    const cpu = m.s.cpus[t.cpu];
    const slot = cpu.asidMm.indexOf(t.mm.id);
    // The user PCID (R26): the tag the task's accesses fill the TLB with.
    const pcid = m.s.config.pcid ? (slot >= 0 ? userPcid(m, slot) : -2) : 0;
    const vpn = Math.floor(va / 4096);
    // A stale ASID's entries are flushed before the task runs again: not a hit.
    const live = m.s.config.pcid ? slot >= 0 && !cpu.asidStale[slot] : cpu.mm === t.mm;
    const i = tlbSlot(m.s.tlb, t.cpu, vpn, Math.max(0, pcid));
    const hit = live && tlbEntryVpn(m.s.tlb, i) === vpn && tlbEntryPcid(m.s.tlb, i) === pcid;
    return { cpu: t.cpu, pcid, hit, pfn: hit ? tlbEntryPfn(m.s.tlb, i) : null, writable: hit && (tlbEntryPerm(m.s.tlb, i) & TLB_W) !== 0 };
  },

  smaps(mmId, start) {
    const m = runner.kernel.m;
    const mm = m.s.mms.get(mmId);
    const v = mm && findVma(mm, start);
    return v ? procSmaps(m, v) : null;
  },

  async idle() {
    while (playing) await playing;
    return published;
  },
};

Comlink.expose(Object.assign(api, workerTestHooks));

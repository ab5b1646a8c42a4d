/**
 * The engine worker: runs scenarios with the Runner (through runner-port.ts) and implements
 * the EngineApi of api.ts. See api.ts for what crosses the boundary and the buffer contract.
 */
import * as Comlink from 'comlink';
import { buildModel } from '../engine/model';
import { meminfo, smaps as procSmaps } from '../engine/mm/proc';
import { findVma } from '../engine/mm/vma';
import { stateDigest } from '../engine/snapshot';
import { tlbSlot } from '../engine/hw/tlb';
import { parseScript } from '../scenario/parser';
import type { Kernel } from '../engine/kernel';
import {
  ACK_WAIT_MS, CTL_ACK, CTL_GEN, CTL_SEQ, CTL_WORDS, MAX_EVENTS_PER_UPDATE, MAX_STEPS_PER_UPDATE,
  type EngineApi, type ExecResult, type LoadResult, type MachineSettings, type Marker,
  type RunOutcome, type SharedBuffers, type Update,
} from './api';
import { createRunner, type RunnerPort, type StepRecord } from './runner-port';

const SLICE_MS = 12;
const PUBLISH_MS = 80;
const EMPTY_SCRIPT = '# empty machine\n';

const ctl = new Int32Array(new SharedArrayBuffer(CTL_WORDS * 4));
let onUpdate: ((u: Update) => void) | null = null;
let runner: RunnerPort = mustCreate(EMPTY_SCRIPT, 'empty.msh');
let source = EMPTY_SCRIPT;
let file = 'empty.msh';
let generation = 0;
let epoch = 0;
let sharedKernel: Kernel | null = null;
let traceSeq = 0;
let pending: StepRecord[] = [];
let pendingCount = 0;
let playToken = 0;
let playing: Promise<RunOutcome> | null = null;

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
    pendingCount++;
    pending.push(r);
    if (pending.length > MAX_STEPS_PER_UPDATE * 2) pending = pending.slice(-MAX_STEPS_PER_UPDATE);
  }
  return r;
}

// ---------------------------------------------------------------- publishing

let lastShared: SharedBuffers | null = null;

function publish(reset = false): void {
  const k = runner.kernel;
  const shared = sharedBuffers();
  const rebuilt = shared.epoch !== lastShared?.epoch;
  lastShared = shared;
  const trace = k.m.trace;
  if (traceSeq > trace.seq) traceSeq = 0;
  let events = trace.since(traceSeq);
  traceSeq = trace.seq;
  if (events.length > MAX_EVENTS_PER_UPDATE) events = events.slice(-MAX_EVENTS_PER_UPDATE);
  const mi = meminfo(k.m);
  const u: Update = {
    generation,
    position: runner.position,
    total: runner.total,
    running: playing !== null,
    snapshot: buildModel(k, generation),
    steps: pending.slice(-MAX_STEPS_PER_UPDATE),
    stepCount: pendingCount,
    events,
    point: { step: runner.position, pageTables: mi.PageTables, shmem: mi.Shmem, memFree: mi.MemFree, anon: mi.AnonPages },
    ...(rebuilt ? { shared } : {}),
    ...(reset ? { reset: true } : {}),
  };
  pending = [];
  pendingCount = 0;
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
  const chapters: Marker[] = [];
  const notes: Marker[] = [];
  if (!parsed.ok) return { chapters, notes };
  let index = 0;
  for (const c of parsed.script.commands) {
    if (c.kind === 'chapter') chapters.push({ title: c.title, index, line: c.line });
    if (c.kind === 'note') notes.push({ title: c.caption, index, line: c.line });
    index += c.kind === 'repeat' ? c.count : 1;
  }
  return { chapters, notes };
}

function loadInfo(): LoadResult {
  return { ok: true, total: runner.total, source, ...markers(source) };
}

// ---------------------------------------------------------------- running

function stopPlay(): void {
  playToken++;
}

async function play(stepsPerSecond: number, until?: number): Promise<RunOutcome> {
  stopPlay();
  while (playing) await playing;
  const token = ++playToken;
  const goal = Math.min(until ?? runner.total, runner.total);
  const fast = !Number.isFinite(stepsPerSecond) || stepsPerSecond > 240;
  const run = async (): Promise<RunOutcome> => {
    publish();
    let published = performance.now();
    while (runner.position < goal && token === playToken) {
      const t0 = performance.now();
      beginWrite();
      if (fast) {
        const end = t0 + SLICE_MS;
        while (runner.position < goal && performance.now() < end) runStep();
      } else runStep();
      endWrite();
      // A fast run publishes a few times a second (each update is a snapshot the page must
      // take in); a slow play publishes every step.
      if (!fast || performance.now() - published >= PUBLISH_MS || runner.position >= goal) {
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

function lineCount(src: string): number {
  return src.split('\n').length;
}

const api: EngineApi = {
  init(cb) {
    onUpdate = cb;
    const shared = sharedBuffers();
    lastShared = shared;
    return { shared, ctl: ctl.buffer as SharedArrayBuffer };
  },

  load(src, f = 'scenario.msh') {
    stopPlay();
    const r = createRunner(src, f);
    if (!r.ok) return { ok: false, errors: r.errors };
    beginWrite();
    runner = r.runner;
    source = src;
    file = f;
    pending = [];
    pendingCount = 0;
    traceSeq = 0;
    endWrite();
    publish(true);
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
    runner.goto(n);
    if (runner.position < before) {
      pending = [];
      pendingCount = 0;
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
    if (check.script.commands.length === 0) return { ok: true, record: null, line: 0 };
    await halt();
    if (runner.position < runner.total) await play(Infinity);
    const at = lineCount(source) + (source.endsWith('\n') ? 0 : 1);
    const padded = '\n'.repeat(at - 1) + text;
    const next = (source.endsWith('\n') ? source : source + '\n') + text + '\n';
    if (runner.append) {
      beginWrite();
      const r = runner.append(padded);
      if (!r.ok) {
        endWrite();
        publish();
        return { ok: false, errors: r.errors.map((e) => ({ ...e, line: 1 })) };
      }
    } else {
      // Without Runner.append: rebuild from the longer script and replay to the same step,
      // in chunks (progress shows, pause works).
      const r = createRunner(next, file);
      if (!r.ok) return { ok: false, errors: r.errors.filter((e) => e.line >= at).map((e) => ({ ...e, line: 1 })) };
      const pos = runner.position;
      beginWrite();
      runner = r.runner;
      source = next;
      endWrite();
      const done = await play(Infinity, pos);
      if (done.state !== 'done') return { ok: false, errors: [{ file: 'console', line: 1, col: 1, message: 'cancelled while replaying the script' }] };
      beginWrite();
    }
    source = next;
    let record: StepRecord | null = null;
    while (runner.position < runner.total) record = runStep();
    endWrite();
    publish();
    const res: ExecResult = { ok: true, record, line: at };
    return res;
  },

  async restart(s: MachineSettings) {
    await halt();
    const pos = runner.position;
    const machine = `machine ram=${Math.round(s.ram / 2 ** 20)}M cpus=${s.cpus} tlb=${s.tlb} pcid=${s.pcid ? 'on' : 'off'} levels=${s.levels} mshare=${s.mshare}`;
    const lines = source.split('\n');
    const at = lines.findIndex((l) => /^\s*machine\b/.test(l));
    if (at >= 0) lines[at] = machine;
    else lines.unshift(machine);
    const res = api.load(lines.join('\n'), file);
    if (res.ok && pos > 0) await play(Infinity, pos);
    return res.ok ? loadInfo() : res;
  },

  getSource: () => source,
  generation: () => generation,
  check(src) {
    const r = parseScript(src, file);
    return r.ok ? [] : r.errors;
  },
  getSnapshot: () => buildModel(runner.kernel, generation),
  report: () => runner.report(),
  digest: () => stateDigest(runner.kernel.m),

  tlbProbe(pid, va) {
    const m = runner.kernel.m;
    const t = m.s.tasks.get(pid);
    if (!t?.mm) return null;
    const cpu = m.s.cpus[t.cpu];
    const slot = cpu.asidMm.indexOf(t.mm.id);
    const pcid = m.s.config.pcid ? (slot >= 0 ? slot + 1 : -2) : 0;
    const vpn = Math.floor(va / 4096);
    const live = m.s.config.pcid ? slot >= 0 : cpu.mm === t.mm;
    const i = tlbSlot(m.s.tlb, t.cpu, vpn, Math.max(0, pcid));
    const hit = live && m.s.tlb.vpn[i] === vpn && m.s.tlb.pcid[i] === pcid;
    return { cpu: t.cpu, pcid, hit, pfn: hit ? m.s.tlb.pfn[i] : null, writable: hit && (m.s.tlb.perm[i] & 1) !== 0 };
  },

  smaps(mmId, start) {
    const m = runner.kernel.m;
    const mm = m.s.mms.get(mmId);
    const v = mm && findVma(mm, start);
    return v ? procSmaps(m, v) : null;
  },

  async idle() {
    while (playing) await playing;
    return generation;
  },
};

Comlink.expose(api);

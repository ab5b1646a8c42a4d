/**
 * The permalink codec: the state of a session (script, step, machine, views) <-> the URL
 * fragment `v=1&z=PAYLOAD`, where PAYLOAD is base64url(deflate-raw(UTF-8 JSON)).
 *
 * Pure and DOM-free (CompressionStream exists in browsers and Node >= 18), so it is unit
 * tested in Node (tests/talk/link-codec.test.ts).
 *
 * Safety: a link is data, never code. The payload is only JSON.parse'd and then checked
 * field by field into a fresh LinkState (unknown keys dropped, wrong types rejected); the
 * script in it is later only *parsed* as scenario text by the worker. Bounds:
 * - the fragment may hold at most MAX_LINK_CHARS characters (checked before decoding);
 * - decompression stops as soon as the output passes MAX_JSON_BYTES (a zip bomb is cut off);
 * - a `v` above LINK_VERSION is refused as "newer format", with its own message;
 * - machine settings of the right types but outside what the explorer runs (the `machine`
 *   line's limits of src/scenario/constants.ts, and the browser's RAM cap) are dropped with a
 *   warning naming them: the script then runs on the machine its own `machine` line describes.
 */
import { MAX_CPUS, MAX_TLB, MIN_CPUS, MIN_RAM, MIN_TLB, RAM_ALIGN } from '../../scenario/constants';
import { BROWSER_MAX_RAM } from '../../worker/browser-ram';

/** The format this build writes and the newest it reads. */
export const LINK_VERSION = 1;
/** Longest fragment (after `#`) we make or open. A 1,500-process scenario needs ~1 KB. */
export const MAX_LINK_CHARS = 32_768;
/** Longest decompressed JSON we accept. */
export const MAX_JSON_BYTES = 1 << 19;
/** Highest step number a link may name (the runner's own limit is far above real scripts). */
export const MAX_STEP = 10_000_000;

export interface LinkMachine {
  ram: number;
  cpus: number;
  levels: 4 | 5;
  mshare: 2024 | 2025;
  tlb: number;
  pcid: boolean;
  /** Absent in links made before PTI was modelled: off. */
  pti?: boolean;
  /** Absent in links made before shmem THP was modelled: never. */
  shmemThp?: 'never' | 'advise' | 'always';
}

/** What the page shows besides the machine: layout and selection. */
export interface LinkViews {
  /** `presenter` opens presenter mode; `normal` (or absent) the usual layout. */
  mode?: 'normal' | 'presenter';
  /** The views presenter mode shows (talk view ids), in order. */
  views?: string[];
  /** The right column's tab in the normal layout. */
  tab?: 'inspector' | 'walk' | 'counters';
  /** Selected process, the one compared with it, the address the page walk shows. */
  pid?: number | null;
  compare?: number | null;
  addr?: number | null;
}

export interface LinkState {
  /** The scenario text (parsed by the worker, never evaluated). */
  script: string;
  /** File name shown in the UI, e.g. `fork-cow.msh`. */
  name?: string;
  /** Steps run (0 = nothing). */
  step: number;
  machine?: LinkMachine;
  views?: LinkViews;
}

export type LinkErrorKind = 'corrupt' | 'too-large' | 'newer' | 'invalid';

export class LinkError extends Error {
  constructor(readonly kind: LinkErrorKind, message: string) {
    super(message);
    this.name = 'LinkError';
  }
}

/** `warnings`: what was left out of the link, for the reader (its machine settings out of range). */
export type DecodeResult = { ok: true; state: LinkState; warnings?: string[] } | { ok: false; error: LinkError };

/** How every message about a link opened at load ends (a link pasted into an open page ends otherwise). */
export const LINK_FALLBACK = ' The default scenario is shown instead.';
const FALLBACK = LINK_FALLBACK;

/** The message a reader sees for each failure (the text of the in-page notice). */
export function linkErrorMessage(kind: LinkErrorKind, detail = ''): string {
  switch (kind) {
    case 'corrupt':
      return `This link is damaged: its data could not be decoded${detail ? ` (${detail})` : ''}. It may have been cut short when it was copied.` + FALLBACK;
    case 'too-large':
      return `This link is too large${detail ? ` (${detail})` : ''}. Links hold at most ${MAX_LINK_CHARS.toLocaleString('en-US')} characters of data.` + FALLBACK;
    case 'newer':
      return `This link was made by a newer version of mshare explorer${detail ? ` (${detail})` : ''}; this version reads link format ${LINK_VERSION}. Open it with an up-to-date explorer.` + FALLBACK;
    case 'invalid':
      return `This link does not describe a session${detail ? `: ${detail}` : ''}.` + FALLBACK;
  }
}

function fail(kind: LinkErrorKind, detail = ''): never {
  throw new LinkError(kind, linkErrorMessage(kind, detail));
}

// ---------------------------------------------------------------- base64url

export function toBase64Url(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64Url(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) fail('corrupt', 'not base64url');
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

// ---------------------------------------------------------------- deflate-raw

async function pump(stream: CompressionStream | DecompressionStream, input: Uint8Array, limit: number): Promise<Uint8Array> {
  const writer = stream.writable.getWriter();
  // Errors surface on the reader; the writer's promises must not reject unhandled.
  writer.write(input as Uint8Array<ArrayBuffer>).catch(() => {});
  writer.close().catch(() => {});
  const reader = stream.readable.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      fail('too-large', `more than ${limit.toLocaleString('en-US')} bytes once unpacked`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

export function deflateRaw(data: Uint8Array): Promise<Uint8Array> {
  return pump(new CompressionStream('deflate-raw'), data, Number.MAX_SAFE_INTEGER);
}

export async function inflateRaw(data: Uint8Array, limit = MAX_JSON_BYTES): Promise<Uint8Array> {
  try {
    return await pump(new DecompressionStream('deflate-raw'), data, limit);
  } catch (e) {
    if (e instanceof LinkError) throw e;
    return fail('corrupt', 'not deflate data');
  }
}

// ---------------------------------------------------------------- validation

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isInt = (x: unknown, lo: number, hi: number): x is number => typeof x === 'number' && Number.isInteger(x) && x >= lo && x <= hi;

/** A byte count as the `machine` line writes it (`512M`, `2G`), or in bytes when it is neither. */
function bytes(n: number): string {
  for (const [unit, size] of [['G', 2 ** 30], ['M', 2 ** 20], ['K', 2 ** 10]] as const) if (n >= size && n % size === 0) return `${n / size}${unit}`;
  return `${n} byte${n === 1 ? '' : 's'}`;
}

/** What is wrong with settings of the right types: the `machine` line's limits and the browser's RAM cap. */
export function machineProblems(m: LinkMachine): string[] {
  const out: string[] = [];
  if (m.ram < MIN_RAM || m.ram > BROWSER_MAX_RAM || m.ram % RAM_ALIGN !== 0) out.push(`ram ${bytes(m.ram)} (expected ${bytes(MIN_RAM)} to ${bytes(BROWSER_MAX_RAM)} in the browser, a multiple of ${bytes(RAM_ALIGN)})`);
  if (m.cpus < MIN_CPUS || m.cpus > MAX_CPUS) out.push(`cpus ${m.cpus} (expected ${MIN_CPUS} to ${MAX_CPUS})`);
  if (m.tlb < MIN_TLB || m.tlb > MAX_TLB || (m.tlb & (m.tlb - 1)) !== 0) out.push(`tlb ${m.tlb} (expected a power of two from ${MIN_TLB} to ${MAX_TLB})`);
  if (m.pti && !m.pcid) out.push('pti on with pcid off (pti needs pcid)');
  return out;
}

function machineOf(x: unknown, warnings: string[]): LinkMachine | undefined {
  if (x === undefined) return undefined;
  if (!isObj(x)) fail('invalid', 'machine is not an object');
  const { ram, cpus, levels, mshare, tlb, pcid, pti, shmemThp } = x;
  if (shmemThp !== undefined && shmemThp !== 'never' && shmemThp !== 'advise' && shmemThp !== 'always') fail('invalid', 'bad machine settings');
  if (!isInt(ram, 1, 2 ** 40) || !isInt(cpus, 1, 4096) || (levels !== 4 && levels !== 5) || (mshare !== 2024 && mshare !== 2025) || !isInt(tlb, 1, 1 << 20) || typeof pcid !== 'boolean' || (pti !== undefined && typeof pti !== 'boolean')) {
    fail('invalid', 'bad machine settings');
  }
  const m: LinkMachine = { ram, cpus, levels, mshare, tlb, pcid, ...(pti ? { pti: true } : {}), ...(shmemThp && shmemThp !== 'never' ? { shmemThp } : {}) };
  const wrong = machineProblems(m);
  if (wrong.length === 0) return m;
  warnings.push(`This link's machine settings are outside what the explorer runs: ${wrong.join(', ')}. They were left out: the script runs on the machine its own machine line describes (or the default one), so the state may differ from where the link was made.`);
  return undefined;
}

function viewsOf(x: unknown): LinkViews | undefined {
  if (x === undefined) return undefined;
  if (!isObj(x)) fail('invalid', 'views is not an object');
  const out: LinkViews = {};
  if (x.mode === 'normal' || x.mode === 'presenter') out.mode = x.mode;
  if (Array.isArray(x.views)) out.views = x.views.filter((v): v is string => typeof v === 'string' && /^[a-z]{1,20}$/.test(v)).slice(0, 4);
  if (x.tab === 'inspector' || x.tab === 'walk' || x.tab === 'counters') out.tab = x.tab;
  for (const k of ['pid', 'compare', 'addr'] as const) {
    const v = x[k];
    if (v === null || isInt(v, 0, Number.MAX_SAFE_INTEGER)) out[k] = v;
  }
  return out;
}

/**
 * Checks a parsed payload and copies what is known of it into a fresh LinkState; what it
 * leaves out for the reader to know about (machine settings out of range) goes to `warnings`.
 */
export function validateState(x: unknown, warnings: string[] = []): LinkState {
  if (!isObj(x)) fail('invalid', 'not an object');
  if (typeof x.script !== 'string') fail('invalid', 'no script');
  if (!isInt(x.step, 0, MAX_STEP)) fail('invalid', 'bad step number');
  const state: LinkState = { script: x.script, step: x.step };
  if (typeof x.name === 'string') state.name = x.name.replace(/[^\w.+-]/g, '_').slice(0, 80);
  const machine = machineOf(x.machine, warnings);
  if (machine) state.machine = machine;
  const views = viewsOf(x.views);
  if (views) state.views = views;
  return state;
}

// ---------------------------------------------------------------- the fragment

/** Whether a URL fragment (with or without `#`) is one of our links (of any version). */
export function isLinkFragment(hash: string): boolean {
  const h = hash.replace(/^#/, '');
  return /^v=[^&]*(&|$)/.test(h) || /(^|&)z=/.test(h);
}

/** The fragment (without `#`) for `state`; throws LinkError('too-large') past MAX_LINK_CHARS. */
export async function encodeLink(state: LinkState): Promise<string> {
  const json = JSON.stringify(validateState(state));
  const packed = await deflateRaw(new TextEncoder().encode(json));
  const fragment = `v=${LINK_VERSION}&z=${toBase64Url(packed)}`;
  if (fragment.length > MAX_LINK_CHARS) {
    throw new LinkError('too-large', `This script is too long for a link: ${fragment.length.toLocaleString('en-US')} characters compressed, the limit is ${MAX_LINK_CHARS.toLocaleString('en-US')}. Save the script as a file instead (Export → Script).`);
  }
  return fragment;
}

/** Decodes a fragment (with or without `#`). Never throws; never evaluates anything. */
export async function decodeLink(hash: string): Promise<DecodeResult> {
  try {
    const h = hash.replace(/^#/, '');
    if (h.length > MAX_LINK_CHARS) fail('too-large', `${h.length.toLocaleString('en-US')} characters`);
    const params = new URLSearchParams(h);
    const v = params.get('v');
    if (v === null || !/^\d{1,6}$/.test(v)) fail('corrupt', 'no format version');
    const version = Number(v);
    if (version > LINK_VERSION) fail('newer', `link format ${version}`);
    if (version < 1) fail('corrupt', `unknown link format ${version}`);
    const z = params.get('z');
    if (!z) fail('corrupt', 'no data');
    const bytes = await inflateRaw(fromBase64Url(z));
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      return fail('corrupt', 'not UTF-8 text');
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return fail('corrupt', 'not JSON');
    }
    const warnings: string[] = [];
    const state = validateState(parsed, warnings);
    return warnings.length ? { ok: true, state, warnings } : { ok: true, state };
  } catch (e) {
    if (e instanceof LinkError) return { ok: false, error: e };
    return { ok: false, error: new LinkError('corrupt', linkErrorMessage('corrupt')) };
  }
}

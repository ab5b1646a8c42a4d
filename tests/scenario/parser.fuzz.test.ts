/**
 * The parser on hostile input: arbitrary text, token soup, and mutations of valid scripts.
 * Whatever comes in, parseScript returns; on failure every error is positioned inside the
 * script, at most one per line, in line order, and never an internal error; on success the
 * script survives print -> parse unchanged. Fixed seeds keep CI deterministic.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VERBS } from '../../src/scenario/constants';
import { parseScript, type ParseResult } from '../../src/scenario/parser';
import { printScript } from '../../src/scenario/printer';
import { placed, script } from './arbitraries';
import { strip } from './helpers';

const RUNS = 2000;

function check(src: string): void {
  let r: ParseResult;
  try {
    r = parseScript(src, 'f.msh');
  } catch (e) {
    throw new Error(`parseScript threw ${String(e)} on ${JSON.stringify(src)}`);
  }
  const lines = src.split('\n');
  if (!r.ok) {
    expect(r.errors.length).toBeGreaterThan(0);
    let lastLine = 0;
    for (const e of r.errors) {
      expect(e.file).toBe('f.msh');
      expect(e.line).toBeGreaterThan(lastLine); // one per line, in order
      lastLine = e.line;
      expect(e.line).toBeLessThanOrEqual(lines.length);
      expect(e.col).toBeGreaterThanOrEqual(1);
      expect(e.col).toBeLessThanOrEqual(lines[e.line - 1].length + 1);
      expect(e.message.length).toBeGreaterThan(0);
      expect(e.message).not.toMatch(/^internal/);
    }
    return;
  }
  // Accepted input has a canonical form that reads back the same.
  const printed = printScript(r.script);
  const again = parseScript(printed);
  if (!again.ok) throw new Error(`printed form of ${JSON.stringify(src)} does not parse: ${JSON.stringify(again.errors)}`);
  expect(again.script.commands.map(strip)).toEqual(r.script.commands.map(strip));
  expect(printScript(again.script)).toBe(printed);
}

/** Pieces that hit the grammar's corners more often than random characters would. */
const piece = fc.oneof(
  fc.constantFrom(...VERBS),
  fc.constantFrom(
    ' ', ' ', '\t', '\n', '\r\n', ':', '"', '\\', '\\"', '\\n', '#', '## ', '=', ',', '+', '.', '/', '{i}', '{', '}',
    '0', '1', '4096', '0x', '0x7f00', '_', 'K', 'M', 'G', 'T', 'Q', 'k', '64M', '1.5',
    'db1', 'db1:', 'db{i}:', 'repeat 3:', 'expect', 'last', 'last.start', 'meminfo.', 'cgroup.', 'mshare./sys/fs/mshare/a.',
    'same-page', 'a:x', 'VmPTE', 'EINVAL', 'SIGSEGV', '==', '<=', '!', 'auto', 'rw', 'none', 'private,anon', 'as', 'fd=',
    'file=/x', 'cpu=', 'ram=', 'tlb=', 'killed', 'create', 'constructor', '__proto__', 'toString', 'hasOwnProperty',
    '\u0000', '\u00a0', '\u2028', '\ud800', 'é', '🙂',
  ),
  fc.string({ unit: 'binary', maxLength: 4 }),
);
const soup = fc.array(piece, { maxLength: 60 }).map((p) => p.join(''));

/** One edit of a text at a random place. */
type Mutation = (s: string) => string;
const at = (s: string, f: number) => Math.floor(f * (s.length + 1));
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 1, max: 12 }))
    .map(([f, n]): Mutation => (s) => s.slice(0, at(s, f)) + s.slice(at(s, f) + n)),
  fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), piece)
    .map(([f, p]): Mutation => (s) => s.slice(0, at(s, f)) + p + s.slice(at(s, f))),
  fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }))
    .map(([f, c]): Mutation => (s) => s.slice(0, at(s, f)) + c + s.slice(at(s, f) + 1)),
  fc.tuple(fc.nat(), fc.nat()).map(([i, j]): Mutation => (s) => {
    const lines = s.split('\n');
    const a = i % lines.length;
    const b = j % lines.length;
    [lines[a], lines[b]] = [lines[b], lines[a]];
    return lines.join('\n');
  }),
  fc.nat().map((i): Mutation => (s) => {
    const lines = s.split('\n');
    const a = i % lines.length;
    return [...lines.slice(0, a + 1), lines[a], ...lines.slice(a + 1)].join('\n');
  }),
  fc.double({ min: 0, max: 1, noNaN: true }).map((f): Mutation => (s) => s.slice(0, at(s, f))),
);

describe('parser fuzz (fixed seeds)', () => {
  it('never throws on arbitrary text', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 400 }), check), { seed: 1, numRuns: RUNS });
  });

  it('never throws on token soup', () => {
    fc.assert(fc.property(soup, check), { seed: 2, numRuns: RUNS });
  });

  it('never throws on mutated valid scripts', () => {
    const mutated = fc.tuple(script(12), fc.array(mutation, { minLength: 1, maxLength: 4 })).map(([cmds, ms]) =>
      ms.reduce((s, m) => m(s), printScript({ commands: cmds.map(placed), chapters: [] })));
    fc.assert(fc.property(mutated, check), { seed: 3, numRuns: RUNS });
  });
});

import { describe, expect, it } from 'vitest';
import { lineOutcome } from '../../src/ui/line-outcome';

const none = { failed: 0, errors: 0 };
const rec = (extra: object) => ({ index: 0, line: 1, text: 'x', kind: 'cmd', result: null, ...extra });

describe('lineOutcome', () => {
  it('a parse error: not parsed, not ok, the errors as COL: message', () => {
    const o = lineOutcome({ ok: false, errors: [{ file: 'f', line: 1, col: 3, message: 'bad' }] }, none, none);
    expect(o).toMatchObject({ ok: false, parsed: false, errors: ['3: bad'], steps: 0 });
  });
  it('a failed expect: parsed, not ok, with what was found', () => {
    const o = lineOutcome({ ok: true, record: rec({ kind: 'expect', expect: { ok: false, message: 'VmPTE is 0 kB' } }), line: 9, dropped: 0, steps: 1 }, none, { failed: 1, errors: 0 });
    expect(o).toMatchObject({ ok: false, parsed: true, expect: { ok: false, message: 'VmPTE is 0 kB' }, problems: { failed: 1, errors: 0 } });
  });
  it('an errno: parsed, not ok, errno and detail of the command', () => {
    const result = { value: null, errno: 'ESRCH', signal: null, detail: 'no task t' };
    const o = lineOutcome({ ok: true, record: rec({ result }), line: 9, dropped: 0, steps: 1 }, { failed: 2, errors: 5 }, { failed: 2, errors: 6 });
    expect(o).toMatchObject({ ok: false, errno: 'ESRCH', detail: 'no task t', problems: { failed: 0, errors: 1 } });
  });
  it('a command that worked: ok, with its value', () => {
    const result = { value: 7, errno: null, signal: null };
    expect(lineOutcome({ ok: true, record: rec({ result }), line: 9, dropped: 0, steps: 1 }, none, none)).toMatchObject({ ok: true, value: 7, expect: null });
  });
});

describe('lineOutcome steps', () => {
  it('are the steps the worker ran for the line (a paused repeat ran fewer than it has)', () => {
    const result = { value: 3, errno: null, signal: null };
    expect(lineOutcome({ ok: true, record: rec({ result }), line: 9, dropped: 0, steps: 1200 }, none, none).steps).toBe(1200);
    expect(lineOutcome({ ok: false, errors: [] }, none, none).steps).toBe(0);
  });
});

describe('lineOutcome parse errors of several lines (review 13)', () => {
  const bad = (line: number, col: number) => ({ ok: false as const, errors: [{ file: 'console', line, col, message: "unknown verb 'frok'" }] });
  it('name the line, as the CLI does, when the text holds several', () => {
    expect(lineOutcome(bad(2, 4), none, none, 'spawn y\ny: frok').errors).toEqual(["2:4: unknown verb 'frok'"]);
  });
  it('count lines and columns in the text as given, before it was trimmed', () => {
    // A template literal: a blank first line and indentation.
    expect(lineOutcome(bad(2, 6), none, none, '\n  spawn y\n  y: frok\n').errors).toEqual(["3:6: unknown verb 'frok'"]);
    expect(lineOutcome(bad(1, 4), none, none, '\n  y: frok\n  spawn y').errors).toEqual(["2:6: unknown verb 'frok'"]);
  });
  it('keep "COL: message" for one line', () => {
    expect(lineOutcome(bad(1, 4), none, none, 'y: frok\n').errors).toEqual(["4: unknown verb 'frok'"]);
    expect(lineOutcome(bad(1, 4), none, none, '\n\n  y: frok').errors).toEqual(["6: unknown verb 'frok'"]);
  });
});

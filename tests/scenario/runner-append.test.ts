/**
 * Runner.append: lines appended to a running script behave exactly as if the script had had
 * them from the start (same steps, same digest, same line numbers in records, failures and
 * errors), parse errors are positioned on the lines after the existing text and change
 * nothing, and appending before the end drops the future first.
 */
import { describe, expect, it } from 'vitest';
import { countLines, Runner, type RunnerOptions } from '../../src/scenario/runner';
import { parseScript } from '../../src/scenario/parser';
import { stateDigest } from '../../src/engine/snapshot';
import { checkInvariants } from '../../src/engine/invariants';
import { findBuiltin } from '../../src/scenario/builtins/index';

function build(src: string, opts?: RunnerOptions): Runner {
  const r = Runner.fromSource(src, 't.msh', opts);
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.line}:${e.col}: ${e.message}`).join('\n'));
  return r.runner;
}

function straight(src: string): Runner {
  const r = build(src);
  r.runToEnd();
  return r;
}

/** What a user can observe of a finished run. */
function observed(r: Runner) {
  return {
    digest: stateDigest(r.kernel.m),
    total: r.total,
    position: r.position,
    records: r.records.map((x) => `${x.index} ${x.line} ${x.kind} ${x.text} ${x.chapter ?? ''} ${x.result?.errno ?? ''}${x.result?.signal ?? ''}${x.expect?.ok ?? ''}`),
    failures: r.failures,
    errors: r.errors,
    chapters: r.script.chapters.map((c) => `${c.line} ${c.index} ${c.title}`),
    last: r.last,
  };
}

function expectOk(res: ReturnType<Runner['append']>): { added: number; line: number; dropped: number } {
  if (!res.ok) throw new Error(res.errors.map((e) => `${e.line}:${e.col}: ${e.message}`).join('\n'));
  return res;
}

const SMALL = `machine ram=64M
## setup
spawn a
a: mmap 0x40000000 64K rw private,anon as heap
a: write heap 42
`;

describe('append then step = the line was there from the start', () => {
  for (const id of ['fork-cow', 'mshare-basics-2024', 'mshare-basics-2025', 'threads', 'segfault', 'mshare-owner-exit', 'zero-page']) {
    it(`${id}: the second half appended one line at a time, each run as it comes`, () => {
      const src = findBuiltin(id)!.source;
      const lines = src.split('\n');
      const half = Math.floor(lines.length / 2);
      const head = lines.slice(0, half).join('\n') + '\n';
      const r = build(head);
      r.runToEnd();
      for (let i = half; i < lines.length; i++) {
        if (i === lines.length - 1 && lines[i] === '') continue; // the text's final newline
        // A console line: one line of text, newline included.
        const res = expectOk(r.append(lines[i] + '\n'));
        expect(res.line).toBe(i + 1);
        expect(r.position).toBe(r.total - res.added);
        r.runToEnd();
      }
      const ref = straight(src);
      expect(observed(r)).toEqual(observed(ref));
      expect(r.source).toBe(src.endsWith('\n') ? src : src + '\n');
      expect(countLines(r.source!)).toBe(countLines(src));
      expect(checkInvariants(r.kernel.m)).toEqual([]);
    });
  }

  it('several lines at once, a repeat with {i}, a chapter and a failing expect', () => {
    const more = `## forks
repeat 5: a: fork as c{i}
repeat 5: c{i}: write heap 7
expect c3.RssAnon == 4K
expect c3.RssAnon == 8K
c9: read heap
`;
    const r = build(SMALL);
    r.runToEnd();
    const res = expectOk(r.append(more));
    expect(res).toEqual({ ok: true, added: 1 + 5 + 5 + 3, line: 6, dropped: 0 });
    r.runToEnd();
    const ref = straight(SMALL + more);
    expect(observed(r)).toEqual(observed(ref));
    expect(r.failures.map((f) => f.line)).toEqual([10]);
    expect(r.errors.map((e) => `${e.line} ${e.errno}`)).toEqual(['11 ESRCH']);
    expect(r.script.chapters.map((c) => c.title)).toEqual(['setup', 'forks']);
  });

  it('appended steps not yet run are the future too: the next append replaces them', () => {
    const r = build(SMALL);
    r.runToEnd();
    expect(expectOk(r.append('a: fork as b\n'))).toMatchObject({ added: 1, line: 6, dropped: 0 });
    expect(expectOk(r.append('a: fork as c\n'))).toMatchObject({ added: 1, line: 6, dropped: 1 });
    expect(r.source).toBe(SMALL + 'a: fork as c\n');
    r.runToEnd();
    expect(observed(r)).toEqual(observed(straight(SMALL + 'a: fork as c\n')));
  });

  it('a text without a final newline: the next line starts a new one', () => {
    const src = SMALL.trimEnd();
    const r = build(src);
    r.runToEnd();
    const res = expectOk(r.append('a: read heap'));
    expect(res.line).toBe(6);
    r.runToEnd();
    expect(r.records.at(-1)!.line).toBe(6);
    expect(r.last?.value).toBe(42);
    expect(r.source).toBe(src + '\na: read heap');
    expect(countLines(r.source!)).toBe(6);
  });

  it('appended comments and blank lines are lines too, but no steps', () => {
    const r = build(SMALL);
    r.runToEnd();
    expect(expectOk(r.append('# a comment\n\n'))).toMatchObject({ added: 0, line: 6 });
    expect(expectOk(r.append('a: read heap'))).toMatchObject({ added: 1, line: 8 });
    r.runToEnd();
    expect(r.records.at(-1)!.line).toBe(8);
  });

  it('a runner built from a Script continues after its last command line', () => {
    const parsed = parseScript(SMALL + '\n\n# end\n');
    if (!parsed.ok) throw new Error('parse');
    const r = new Runner(parsed.script);
    r.runToEnd();
    expect(r.source).toBeNull();
    expect(expectOk(r.append('a: read heap')).line).toBe(6);
    r.runToEnd();
    expect(r.last?.value).toBe(42);
    // The caller's Script is not changed.
    expect(parsed.script.commands.length).toBe(5);
  });

  it('the console after a long run: one append costs one step, not a replay', () => {
    const src = `spawn a
a: mmap 0x40000000 4M rw private,anon as heap
repeat 300: a: fork as c{i}
repeat 300: c{i}: touch heap 64K write
`;
    const r = build(src);
    r.runToEnd();
    const steps = r.kernel.m.trace.counts['frame-alloc'] ?? 0;
    expectOk(r.append('c1: write heap 9'));
    expect(r.step()?.result?.errno).toBeNull();
    // One write to a page c1 already owns: no replay allocated the 300 processes again.
    expect((r.kernel.m.trace.counts['frame-alloc'] ?? 0) - steps).toBeLessThan(5);
  });
});

describe('errors are positioned and change nothing', () => {
  it('parse errors carry the line after the existing text and the column in it', () => {
    const r = build(SMALL);
    r.runToEnd();
    const before = observed(r);
    const res = r.append('a: read heap\na: mmap 0x1000 4K rw privat,anon\nb: frobnicate');
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.errors.map((e) => [e.file, e.line])).toEqual([['t.msh', 7], ['t.msh', 8]]);
    // Where the text would have started: the worker counts the errors' lines in the text from it.
    expect(res.line).toBe(6);
    expect(res.errors[0].message).toMatch(/privat/);
    expect(observed(r)).toEqual(before);
    expect(r.source).toBe(SMALL);
    // The same errors as the whole script would have.
    const whole = parseScript(SMALL + 'a: read heap\na: mmap 0x1000 4K rw privat,anon\nb: frobnicate', 't.msh');
    expect(whole.ok).toBe(false);
    if (!whole.ok) expect(res.errors).toEqual(whole.errors);
  });

  it('machine is refused after the start, with its position', () => {
    const r = build(SMALL);
    r.runToEnd();
    const res = r.append('a: read heap\n  machine ram=128M');
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.errors).toHaveLength(1);
    expect(res.errors[0]).toMatchObject({ line: 7, col: 3 });
    expect(res.line).toBe(6);
    expect(res.errors[0].message).toMatch(/machine must be the first command/);
    expect(r.total).toBe(5);
    // Even at step 0 of a script with only a chapter: the machine is built.
    const r2 = build('## just a title\n');
    const res2 = r2.append('machine ram=32M');
    expect(res2.ok).toBe(false);
  });

  it('repeat and {i} errors as in a file', () => {
    const r = build(SMALL);
    r.runToEnd();
    const res = r.append('repeat 0: a: fork\nspawn x{i}');
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.errors.map((e) => e.line)).toEqual([6, 7]);
  });

  it('a failed append before the end does not drop the future', () => {
    const r = build(SMALL);
    r.runToEnd();
    r.goto(2);
    expect(r.append('a: bogus').ok).toBe(false);
    expect(r.total).toBe(5);
    expect(r.source).toBe(SMALL);
    r.runToEnd();
    expect(observed(r)).toEqual(observed(straight(SMALL)));
  });
});

describe('append before the end drops the future', () => {
  it('after goto back: the steps after the position go, the new line runs on the state shown', () => {
    const src = SMALL + 'a: write heap 43\na: fork as b\n# trailing comment\nb: read heap\n';
    const r = build(src, { checkpointEvery: 2, checkpointOverhead: Infinity });
    r.runToEnd();
    r.goto(4);
    const res = expectOk(r.append('a: read heap'));
    expect(res).toEqual({ ok: true, added: 1, line: 5, dropped: 4 });
    expect(r.total).toBe(5);
    expect(r.position).toBe(4);
    expect(r.source).toBe('machine ram=64M\n## setup\nspawn a\na: mmap 0x40000000 64K rw private,anon as heap\na: read heap');
    r.runToEnd();
    // The read sees the state at step 4 (before the write of 42).
    expect(r.last?.value).toBe(0);
    expect(observed(r)).toEqual(observed(straight(r.source!)));
    expect(r.checkpointPositions().every((p) => p <= 4)).toBe(true);
  });

  it('inside a repeat: the repeat keeps the iterations run and its line says so', () => {
    const src = SMALL + 'repeat 10: a: fork as c{i}   # ten children\nexpect c10 running\n';
    const r = build(src);
    r.runToEnd();
    r.goto(5 + 4); // four forks run
    const res = expectOk(r.append('expect c4 running\nexpect c5 running'));
    expect(res).toEqual({ ok: true, added: 2, line: 7, dropped: 7 });
    expect(r.source).toBe(SMALL + 'repeat 4: a: fork as c{i}   # ten children\nexpect c4 running\nexpect c5 running');
    expect(r.commandAt(8)?.text).toBe('a: fork as c4');
    r.runToEnd();
    expect(r.failures.map((f) => f.line)).toEqual([8]);
    expect(observed(r)).toEqual(observed(straight(r.source!)));
  });

  it('inside a repeat after its first iteration: repeat 1 stays a valid line', () => {
    const r = build(SMALL + 'repeat 3: a: fork as c{i}\n');
    r.runToEnd();
    r.goto(6);
    expectOk(r.append('c1: read heap'));
    expect(r.source).toBe(SMALL + 'repeat 1: a: fork as c{i}\nc1: read heap');
    r.runToEnd();
    expect(r.last?.value).toBe(42);
    expect(observed(r)).toEqual(observed(straight(r.source!)));
  });

  it('at step 0 the machine line stays (the machine is built from it)', () => {
    const r = build(SMALL);
    r.runToEnd();
    r.goto(0);
    const res = expectOk(r.append('spawn z'));
    // The machine step (not run yet at step 0) stays ahead; the other four go.
    expect(res).toEqual({ ok: true, added: 1, line: 2, dropped: 4 });
    expect(r.source).toBe('machine ram=64M\nspawn z');
    expect(r.total).toBe(2);
    r.runToEnd();
    expect(observed(r)).toEqual(observed(straight(r.source!)));
    expect(r.kernel.m.s.config.ram).toBe(64 << 20);
  });

  it('a chapter after the position goes from the chapter index too', () => {
    const src = SMALL + '## later\na: read heap\n';
    const r = build(src);
    r.runToEnd();
    r.goto(3);
    expectOk(r.append('## instead\nspawn q'));
    expect(r.script.chapters.map((c) => `${c.title}@${c.index}:${c.line}`)).toEqual(['setup@1:2', 'instead@3:4']);
    r.runToEnd();
    expect(observed(r)).toEqual(observed(straight(r.source!)));
  });

  it('stepping back and appending again and again stays equal to the text it leaves', () => {
    const r = build(SMALL, { checkpointEvery: 1, checkpointOverhead: Infinity });
    r.runToEnd();
    const lines = ['a: fork as b', 'b: write heap 1', 'a: read heap', 'b: read heap', 'a: munmap heap 4K'];
    for (let i = 0; i < 12; i++) {
      r.goto(Math.max(3, r.position - (i % 3)));
      expectOk(r.append(lines[i % lines.length]));
      r.runToEnd();
      expect(observed(r)).toEqual(observed(straight(r.source!)));
    }
  });
});

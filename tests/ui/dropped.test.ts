/**
 * src/ui/dropped.ts: which script lines a line run at a past step removed, checked against
 * what Runner.append really keeps, and the notice's words.
 */
import { describe, expect, it } from 'vitest';
import { dropNotice, dropSummary, droppedLines, lineCount } from '../../src/ui/dropped';
import { Runner, countLines } from '../../src/scenario/runner';

/** Runs `src` to `position`, appends `line` as the console does, and returns what the UI sees. */
function appendAt(src: string, position: number, line: string) {
  const r = Runner.fromSource(src, 't.msh', { keepRecords: false });
  if (!r.ok) throw new Error('parse');
  const runner = r.runner;
  runner.goto(position);
  const res = runner.append(line + '\n');
  if (!res.ok) throw new Error('append');
  return { res, after: runner.source ?? '' };
}

const SCRIPT = `spawn a
a: mmap auto 1M rw private,anon as heap
# a comment between commands
a: touch heap 1M write
a: fork as b
expect b.VmRSS == 1M
`;

describe('dropped lines', () => {
  it('counts lines as the Runner does', () => {
    for (const t of ['', 'a', 'a\n', 'a\nb', 'a\nb\n', '\n\n']) expect(lineCount(t)).toBe(countLines(t));
  });

  it('at a command boundary: the lines after the last step kept, comments included', () => {
    const { res, after } = appendAt(SCRIPT, 2, 'a: fork');
    expect(res.dropped).toBe(3);
    expect(droppedLines(SCRIPT, after, res.line)).toEqual({ from: 3, to: 6 });
  });

  it('inside a repeat: its line was shortened, so it counts as changed too', () => {
    const src = 'spawn a\nrepeat 10: spawn c{i}\nexpect a running\n';
    const { res, after } = appendAt(src, 5, 'spawn z');
    expect(res.dropped).toBe(7);
    expect(after.split('\n')[1]).toBe('repeat 4: spawn c{i}');
    expect(droppedLines(src, after, res.line)).toEqual({ from: 2, to: 3 });
  });

  it('the rest of a final repeat: only its line changed', () => {
    const src = 'spawn a\nrepeat 10: spawn c{i}\n';
    const { res, after } = appendAt(src, 3, 'spawn z');
    expect(res.dropped).toBe(8);
    expect(droppedLines(src, after, res.line)).toEqual({ from: 2, to: 2 });
  });

  it('the machine line stays even at step 0', () => {
    const src = 'machine ram=64M\nspawn a\na: fork\n';
    const { res, after } = appendAt(src, 0, 'spawn z');
    expect(after.startsWith('machine ram=64M\nspawn z')).toBe(true);
    expect(droppedLines(src, after, res.line)).toEqual({ from: 2, to: 3 });
  });
});

describe('drop notice words', () => {
  const drop = { command: 'db0: fork', position: 17, total: 34, dropped: 17, lines: { from: 21, to: 39 } };

  it('says how many steps and which lines went, and where Undo goes back to', () => {
    expect(dropSummary(drop)).toBe('dropped 17 later steps (lines 21–39)');
    const n = dropNotice(drop, 0);
    expect(n.title).toBe('Dropped 17 later steps (lines 21–39)');
    expect(n.text).toBe('“db0: fork” ran at step 17 of 34, so steps 18–34 of the script are gone. Undo puts the script back as it was, at step 17.');
  });

  it('singular, and the lines run since', () => {
    const one = { ...drop, position: 33, dropped: 1, lines: { from: 39, to: 39 } };
    expect(dropSummary(one)).toBe('dropped 1 later step (line 39)');
    expect(dropNotice(one, 0).text).toContain('so step 34 of the script is gone');
    expect(dropNotice(drop, 1).text).toMatch(/It also removes the 1 line run since\.$/);
    expect(dropNotice(drop, 3).text).toMatch(/the 3 lines run since\.$/);
    expect(dropSummary({ ...drop, lines: null })).toBe('dropped 17 later steps');
  });

  it('prints step counts with thousands separators and line numbers plain, as the timeline does', () => {
    const big = { command: 'a: fork', position: 1200, total: 100044, dropped: 98844, lines: { from: 1201, to: 1202 } };
    expect(dropSummary(big)).toBe('dropped 98,844 later steps (lines 1201–1202)');
    expect(dropNotice(big, 0).text).toContain('ran at step 1,200 of 100,044, so steps 1,201–100,044 of the script are gone');
  });
});

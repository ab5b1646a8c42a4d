/**
 * The console lines and the indicator text for failed expects and command errors
 * (src/ui/problems.ts): wording, singular and plural, the cap and its "… and N more".
 */
import { describe, expect, it } from 'vitest';
import { LISTED_PER_KIND, errorsText, failedText, problemLines } from '../../src/ui/problems';
import type { CommandError, FailedExpect } from '../../src/worker/api';

const failure = (line: number): FailedExpect => ({ step: line - 1, line, text: `expect a.VmPTE == ${line}`, message: 'a.VmPTE is 16 kB' });
const error = (line: number): CommandError => ({ step: line - 1, line, command: 'db0: mmap 0x10000000000 512G rw shared fd=F as sga', errno: 'EINVAL', signal: null, detail: 'set the size with ftruncate first' });

describe('problem feedback', () => {
  it('says nothing when everything held', () => {
    expect(problemLines({ failed: 0, errors: 0 }, { failed: [], errors: [] })).toEqual([]);
    expect(failedText(0)).toBeNull();
    expect(errorsText(0)).toBeNull();
  });

  it('names the line, the text and the message of each failed expect, in red', () => {
    const lines = problemLines({ failed: 2, errors: 0 }, { failed: [failure(4), failure(5)], errors: [] });
    expect(lines).toEqual([
      { kind: 'err', text: '2 expects failed:' },
      { kind: 'err', text: '  line 4: expect a.VmPTE == 4 — a.VmPTE is 16 kB' },
      { kind: 'err', text: '  line 5: expect a.VmPTE == 5 — a.VmPTE is 16 kB' },
    ]);
  });

  it('lists command errors (errno or signal, with the detail) in the plain colour', () => {
    const segv: CommandError = { step: 5, line: 6, command: 'p: write ro 1', errno: null, signal: 'SIGSEGV' };
    const lines = problemLines({ failed: 0, errors: 2 }, { failed: [], errors: [error(6), segv] });
    expect(lines.map((l) => l.kind)).toEqual(['info', 'info', 'info']);
    expect(lines[0].text).toBe('2 commands ended in an error or a signal:');
    expect(lines[1].text).toBe('  line 6: db0: mmap 0x10000000000 512G rw shared fd=F as sga → EINVAL: set the size with ftruncate first');
    expect(lines[2].text).toBe('  line 6: p: write ro 1 → SIGSEGV');
  });

  it('a typed repeat says its list is the earlier iterations (the last one is the line\'s result)', () => {
    const lines = problemLines({ failed: 1, errors: 2 }, { failed: [failure(2)], errors: [error(2), error(2)] }, 'in the earlier iterations');
    expect(lines[0].text).toBe('1 expect failed in the earlier iterations:');
    expect(lines.find((l) => l.kind === 'info')!.text).toBe('2 commands ended in an error or a signal in the earlier iterations:');
  });

  it('caps each list and counts the rest, also those the worker did not list', () => {
    const listed = Array.from({ length: LISTED_PER_KIND + 3 }, (_, i) => failure(i + 1));
    const lines = problemLines({ failed: 1200, errors: 1 }, { failed: listed, errors: [error(9)] });
    const red = lines.filter((l) => l.kind === 'err');
    expect(red).toHaveLength(1 + LISTED_PER_KIND + 1);
    expect(red[0].text).toBe('1,200 expects failed:');
    expect(red[red.length - 1].text).toBe(`  … and ${(1200 - LISTED_PER_KIND).toLocaleString('en-US')} more`);
    expect(lines.filter((l) => l.kind === 'info')[0].text).toBe('1 command ended in an error or a signal:');
  });

  it('words the indicator in singular and plural', () => {
    expect(failedText(1)).toBe('1 expect failed');
    expect(failedText(9)).toBe('9 expects failed');
    expect(errorsText(1)).toBe('1 error');
    expect(errorsText(4)).toBe('4 errors');
    // With thousands separators, as presenter mode prints step counts ("12,043").
    expect(errorsText(100009)).toBe('100,009 errors');
    expect(failedText(1000)).toBe('1,000 expects failed');
  });
});

/**
 * Small review fixes in pure functions: what an ended task's address space says, the
 * presenter's chapter count before the first chapter, and a chart peak label kept clear of
 * the chapter line through it.
 */
import { describe, expect, it } from 'vitest';
import { emptyStripText } from '../../src/ui/views/strip-label';
import { captionAt, chapterHeading, chapterProgress } from '../../src/ui/talk/navigation-pure';
import { clearOfLines } from '../../src/ui/talk/big-chart';

describe('emptyStripText', () => {
  it('a killed or exited task has no mm any more; "no mappings yet" is for a task that runs', () => {
    expect(emptyStripText({ name: 'p', state: 'killed', signal: 'SIGSEGV' })).toBe('p was killed by SIGSEGV: its mm is gone, nothing is mapped.');
    expect(emptyStripText({ name: 'q', state: 'exited', signal: null })).toBe('q has exited: its mm is gone, nothing is mapped.');
    expect(emptyStripText({ name: 'r', state: 'running', signal: null })).toBe('r has no mappings yet.');
    expect(emptyStripText(undefined)).toMatch(/^Select a process/);
  });
});

describe('presenter chapter count', () => {
  const chapters = [{ title: '1. one', index: 1, line: 2 }, { title: '2. two', index: 5, line: 7 }, { title: '3. three', index: 9, line: 12 }];
  it('before the first chapter: "Start", "before chapter 1 of 3", never "chapter 0 of 3"', () => {
    for (const pos of [0, 1]) {
      const c = captionAt(chapters, [], pos);
      expect(chapterHeading(c)).toBe('Start');
      expect(chapterProgress(c)).toBe('before chapter 1 of 3');
    }
    const c = captionAt(chapters, [], 6);
    expect(chapterHeading(c)).toBe('2. two');
    expect(chapterProgress(c)).toBe('chapter 2 of 3');
    expect(chapterProgress(captionAt([], [], 3))).toBe('');
  });
});

describe('clearOfLines', () => {
  const opts = { gap: 4, minX: 0, maxX: 1000 };
  it('leaves a label no line crosses where it is', () => {
    expect(clearOfLines(300, 40, [100, 500], opts)).toBe(300);
  });
  it('moves a label a chapter line runs through to the nearer side of it', () => {
    // The "205M" over the first peak: the chapter 2 line at the peak's x, a little right of centre.
    const c = clearOfLines(400, 40, [405], opts);
    expect(c).toBe(405 - 4 - 20);
    expect(clearOfLines(400, 40, [395], opts)).toBe(395 + 4 + 20);
  });
  it('never onto another line or out of the plot; stays put when there is no room', () => {
    expect(clearOfLines(400, 40, [405, 380], opts)).toBe(405 + 4 + 20);
    expect(clearOfLines(10, 40, [12], { ...opts, minX: 0 })).toBe(12 + 4 + 20);
    expect(clearOfLines(400, 40, [380, 405, 430], opts)).toBe(380 - 4 - 20);
    expect(clearOfLines(400, 40, [380, 405, 430], { gap: 4, minX: 360, maxX: 450 })).toBe(400);
  });
});

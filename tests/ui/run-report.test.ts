/**
 * src/ui/run-report.ts: each step's problems are listed once per script (the high-water
 * mark), whatever the stepping back and forth; a load or a typed line that dropped the
 * future starts the count again from there.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ProblemList } from '../../src/worker/api';

const asked: [number, number][] = [];
vi.mock('../../src/ui/engine-client', () => ({
  getEngine: () => ({
    problems: async (from: number, to: number): Promise<ProblemList> => {
      asked.push([from, to]);
      // One failed expect on each odd step.
      const failed = [];
      for (let s = from; s < to; s++) if (s % 2 === 1) failed.push({ step: s, line: s + 1, text: `expect step ${s}`, message: 'no' });
      return { failed, errors: [] };
    },
  }),
}));

const { store } = await import('../../src/ui/store');
const { markReported, reportNewProblems, resetReported } = await import('../../src/ui/run-report');

/** The machine at `position` after the odd-step failures of steps 0..position-1. */
function at(position: number): void {
  store.setState({ position, problems: { failed: Math.floor(position / 2), errors: 0 } });
}

const lines = () => store.getState().console.map((l) => l.text);

describe('run report', () => {
  beforeEach(() => {
    asked.length = 0;
    store.setState({ console: [] });
    resetReported();
    at(0);
  });

  it('lists the problems of the steps a run added, once', async () => {
    at(4);
    await reportNewProblems();
    expect(asked).toEqual([[0, 4]]);
    expect(lines()).toEqual(['2 expects failed:', '  line 2: expect step 1 — no', '  line 4: expect step 3 — no']);
    // Back and forth over the same steps: nothing new to say.
    at(2);
    await reportNewProblems();
    at(4);
    await reportNewProblems();
    expect(lines()).toHaveLength(3);
    // Further on: only the new steps.
    at(6);
    await reportNewProblems();
    expect(asked).toEqual([[0, 4], [4, 6]]);
    expect(lines().slice(3)).toEqual(['1 expect failed:', '  line 6: expect step 5 — no']);
  });

  it('is quiet when the new steps held, and asks the worker nothing', async () => {
    store.setState({ position: 3, problems: { failed: 0, errors: 0 } });
    await reportNewProblems();
    expect(asked).toEqual([]);
    expect(lines()).toEqual([]);
  });

  it('a load reports the new script from its start; a typed line marks what the console showed', async () => {
    at(4);
    await reportNewProblems();
    resetReported();
    await reportNewProblems();
    expect(asked).toEqual([[0, 4], [0, 4]]);
    // A typed line at step 2 dropped the rest and ran one step: the console showed it.
    at(3);
    markReported();
    at(4);
    await reportNewProblems();
    expect(asked.slice(2)).toEqual([[3, 4]]);
  });
});

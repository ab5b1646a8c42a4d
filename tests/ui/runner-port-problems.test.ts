/**
 * What the worker tells the page about failed expects and command errors (RunnerPort,
 * src/worker/runner-port.ts): counts over the steps run so far, lists by step range.
 */
import { describe, expect, it } from 'vitest';
import { createRunner } from '../../src/worker/runner-port';

const SCRIPT = `spawn a
a: mmap auto 4M rw private,anon as heap
a: touch heap 4M write
expect a.VmPTE == 0
b: fork
expect a.VmRSS == 1M
`;

describe('runner port problems', () => {
  it('counts the failed expects and errors of the steps run, and lists them by step range', () => {
    const r = createRunner(SCRIPT, 'x.msh');
    if (!r.ok) throw new Error('parse');
    const port = r.runner;
    expect(port.problemCounts).toEqual({ failed: 0, errors: 0 });
    while (port.step());
    expect(port.problemCounts).toEqual({ failed: 2, errors: 1 });
    const all = port.problems(0, port.position, 10);
    expect(all.failed.map((f) => [f.step, f.line, f.text])).toEqual([[3, 4, 'expect a.VmPTE == 0'], [5, 6, 'expect a.VmRSS == 1M']]);
    expect(all.errors.map((e) => [e.line, e.command, e.errno])).toEqual([[5, 'b: fork', 'ESRCH']]);
    expect(port.problems(4, 6, 10).failed.map((f) => f.line)).toEqual([6]);
    expect(port.problems(0, 6, 1).failed).toHaveLength(1);
    // Stepping back undoes them.
    port.goto(4);
    expect(port.problemCounts).toEqual({ failed: 1, errors: 0 });
    expect(port.problems(0, 6, 10).failed).toHaveLength(1);
  });
});

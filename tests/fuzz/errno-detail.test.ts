/**
 * Every errno a script meets says why: random stories (fixed seed) and the built-in scenarios
 * run to the end, and each error entry with an errno carries a detail. A bare "EINVAL" for
 * `mmap auto 4K rw shared,private` or a misaligned munmap told the user nothing.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Runner } from '../../src/scenario/runner';
import { builtinSources, story } from './scripts';

function bareErrnos(source: string): string[] {
  const built = Runner.fromSource(source, 'x.msh', { checkpointEvery: 0, recordTrace: false, keepRecords: false });
  if (!built.ok) return [];
  built.runner.runToEnd();
  return built.runner.errors.filter((e) => e.errno !== null && !e.detail).map((e) => `${e.command} -> ${e.errno}`);
}

describe('errno details', () => {
  it('every errno in random stories and the built-ins has a detail', () => {
    const bare = new Set<string>();
    for (const s of builtinSources) for (const b of bareErrnos(s)) bare.add(b);
    fc.assert(fc.property(story(30), (s) => {
      for (const b of bareErrnos(s)) bare.add(b);
    }), { seed: 0xde7a11, numRuns: 60 });
    expect([...bare]).toEqual([]);
  }, 120_000);
});

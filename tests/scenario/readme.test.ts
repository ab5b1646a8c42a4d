/**
 * The README's scenario example is what new users copy first: it must parse and run with
 * every expect holding (it once used `shared anon fixed`, which the parser rightly refuses).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Runner } from '../../src/scenario/runner';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
/** Fenced blocks without a language tag: the scenario-language examples. */
function untaggedBlocks(md: string): string[] {
  const out: string[] = [];
  let open: { tag: string; lines: string[] } | null = null;
  for (const line of md.split('\n')) {
    const fence = /^```(\S*)\s*$/.exec(line);
    if (!fence) {
      open?.lines.push(line);
      continue;
    }
    if (open) {
      if (open.tag === '') out.push(open.lines.join('\n'));
      open = null;
    } else open = { tag: fence[1], lines: [] };
  }
  return out;
}
const blocks = untaggedBlocks(readme);

describe('README scenario examples', () => {
  it('there is at least one', () => {
    expect(blocks.length).toBeGreaterThan(0);
  });
  for (const [i, src] of blocks.entries()) {
    it(`example ${i + 1} parses and runs with every expect holding`, () => {
      const built = Runner.fromSource(src, 'README.md', { checkpointEvery: 0, recordTrace: false, keepRecords: false });
      if (!built.ok) throw new Error(built.errors.map((e) => `${e.line}:${e.col}: ${e.message}`).join('\n'));
      built.runner.runToEnd();
      expect(built.runner.errors).toEqual([]);
      expect(built.runner.failures).toEqual([]);
    });
  }
});

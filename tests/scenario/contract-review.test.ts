/**
 * Review 2 of the scenario language against SCENARIO.md and README: 5-level addresses a
 * double cannot hold, `last.value` past 2^53 compared with numbers, repeat iterations that do
 * not parse, and binary files given to the CLI.
 */
import { describe, expect, it } from 'vitest';
import { formatError } from '../../src/scenario/parser';
import { Runner } from '../../src/scenario/runner';

function run(src: string): Runner {
  const built = Runner.fromSource(src, 't.msh', { checkpointEvery: 0, recordTrace: false, keepRecords: false });
  if (!built.ok) throw new Error(built.errors.map(formatError).join('\n'));
  built.runner.runToEnd();
  return built.runner;
}

describe('levels=5: a byte address above 2^53 that a double cannot hold', () => {
  it('is EFAULT with a detail that says why and which multiples work', () => {
    const r = run(`machine levels=5
spawn a
a: mmap 0xffffffffffe000 4K rw private,anon,fixed as top
a: write top+5 "hello"
a: mmap 0x50000000000000 4K rw private,anon,fixed as mid
a: read mid+2 1
a: write top+8 "hello"
a: read top+8 5
expect last == "hello"
`);
    expect(r.failures).toEqual([]);
    expect(r.errors.map((e) => [e.line, e.errno, e.detail])).toEqual([
      [4, 'EFAULT', "top+5 = 0xffffffffffe005 cannot be held exactly: above 2^53 the simulator's addresses are doubles, and there they must be multiples of 8"],
      [6, 'EFAULT', "mid+2 = 0x50000000000002 cannot be held exactly: above 2^53 the simulator's addresses are doubles, and there they must be multiples of 4"],
    ]);
  });
});

describe('last.value past 2^53 (an exact hex string) compares with numbers', () => {
  it('exactly, with every operator, as `last` and as `last.value`', () => {
    // "hellowor" little-endian is 0x726f776f6c6c6568 = 8245940763182785896.
    const r = run(`spawn a
a: mmap auto 64K rw private,anon as x
a: write x "hellowor"
a: read x 8
expect last.value == "0x726f776f6c6c6568"
expect last.value != 5
expect last.value > 5
expect last.value >= 5
expect last >= 0x7000000000000000
expect last.value < 0x7ff0000000000000
expect last.value <= 0x8000000000000000
expect last.value == 5
expect last.value < 5
expect last > 0x7400000000000000
`);
    expect(r.failures.map((f) => [f.line, f.message])).toEqual([
      [12, 'last.value is 8245940763182785896 (0x726f776f6c6c6568)'],
      [13, 'last.value is 8245940763182785896 (0x726f776f6c6c6568)'],
      [14, 'last is 8245940763182785896 (0x726f776f6c6c6568)'],
    ]);
  });
});

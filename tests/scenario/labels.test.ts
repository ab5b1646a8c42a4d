/**
 * VMA labels (`mmap ... as LABEL`): the newest mapping given a name owns it, a label follows
 * its VMA through splits (the lowest piece is meant), fork copies them, and an mshare region
 * or an object inside one takes the name from the task's older VMAs too.
 */
import { describe, expect, it } from 'vitest';
import { checkInvariants } from '../../src/engine/invariants';
import { formatError } from '../../src/scenario/parser';
import { Runner } from '../../src/scenario/runner';
import { buildReport } from '../../src/scenario/report';

function run(src: string): Runner {
  const built = Runner.fromSource(src, 't.msh', { checkpointEvery: 0, recordTrace: false, keepRecords: false });
  if (!built.ok) throw new Error(built.errors.map(formatError).join('\n'));
  built.runner.runToEnd();
  expect(checkInvariants(built.runner.kernel.m)).toEqual([]);
  return built.runner;
}

/** Every expect held and no command failed. */
function clean(r: Runner): void {
  expect(r.failures).toEqual([]);
  expect(r.errors).toEqual([]);
}

/** `label` of each VMA of `task` in the JSON report, by start. */
function labels(r: Runner, task: string): Record<string, string | null> {
  const p = buildReport(r).processes.find((x) => x.name === task)!;
  return Object.fromEntries(p.maps.map((m) => [m.start, m.label ?? null]));
}

describe('a label used twice names the newest mapping', () => {
  it('the review repro: the second `as h` wins, the first mapping loses the name', () => {
    const r = run(`spawn a
a: mmap 0x100000000 1M rw private,anon as h
a: mmap 0x200000000 1M rw private,anon as h
a: write h 2
a: read 0x200000000
expect last == 2
a: read 0x100000000
expect last == 0
`);
    clean(r);
    expect(labels(r, 'a')).toEqual({ '0x100000000': null, '0x200000000': 'h' });
  });

  it('also when the newer mapping lies lower, and after munmap and mmap again of the name', () => {
    const r = run(`spawn a
a: mmap 0x200000000 1M rw private,anon as h
a: mmap 0x100000000 1M rw shared,anon as h
a: write h 7
a: read 0x100000000
expect last == 7
a: munmap h 1M
a: mmap 0x300000000 64K rw private,anon as h
a: write h 9
a: read 0x300000000
expect last == 9
a: read 0x200000000
expect last == 0
`);
    clean(r);
  });

  it('a repeat body with a fixed name acts on the mapping of its own iteration', () => {
    const r = run(`spawn a
repeat 3: a: mmap 0x{i}00000000 64K rw private,anon as buf
a: write buf 5
a: read 0x300000000
expect last == 5
`);
    clean(r);
    expect(labels(r, 'a')).toEqual({ '0x100000000': null, '0x200000000': null, '0x300000000': 'buf' });
  });
});

describe('a label follows its VMA', () => {
  it('through a split: both pieces carry it and the name means the lowest', () => {
    const r = run(`spawn a
a: mmap 0x100000000 1M rw private,anon as h
a: mprotect h+512K 4K r
a: write h+1020K 3
a: read 0x1000ff000
expect last == 3
a: munmap h 4K
a: write h 4
a: read 0x100001000
expect last == 4
`);
    clean(r);
    expect(Object.values(labels(r, 'a'))).toEqual(['h', 'h', 'h']);
  });

  it('into a forked child, where it means the same address', () => {
    const r = run(`spawn a
a: mmap 0x100000000 1M rw private,anon as h
a: mmap 0x200000000 1M rw private,anon as h
a: fork as b
b: write h 6
b: read 0x200000000
expect last == 6
b: mmap 0x300000000 4K rw private,anon as h
b: write h 8
a: read h
expect last == 0
`);
    clean(r);
    expect(labels(r, 'b')).toEqual({ '0x100000000': null, '0x200000000': null, '0x300000000': 'h' });
    expect(labels(r, 'a')).toEqual({ '0x100000000': null, '0x200000000': 'h' });
  });
});

describe('mshare regions', () => {
  it('attaching a region as h takes the name from the older mapping', () => {
    const r = run(`mount msharefs
spawn a
a: mmap 0x100000000 1M rw private,anon as h
a: open /sys/fs/mshare/r create as F
a: mmap 0x10000000000 512G rw shared fd=F as h
a: mmap h 4K rw shared,anon,fixed
a: write h 1
a: read 0x10000000000
expect last == 1
`);
    expect(r.failures).toEqual([]);
    expect(labels(r, 'a')).toEqual({ '0x100000000': null, '0x10000000000': 'h' });
  });

  it('an object created inside a region as h: the task\'s older h gives the name up', () => {
    const r = run(`mount msharefs
spawn a
a: mmap 0x100000000 1M rw private,anon as h
a: open /sys/fs/mshare/r create as F
a: mmap 0x10000000000 512G rw shared fd=F as sga
a: mmap 0x10000000000 64M rw shared,anon,fixed as h
a: write h+4K 1
a: read 0x10000001000
expect last == 1
a: read 0x100000000
expect last == 0
`);
    clean(r);
    expect(labels(r, 'a')['0x100000000']).toBeNull();
  });

  it('2024: a second process reaches the creator\'s labelled object by name', () => {
    const r = run(`machine mshare=2024
mount msharefs
spawn a
spawn b
a: open /sys/fs/mshare/r create as F
a: mmap 0x10000000000 512G rw shared fd=F as sga
a: mmap sga+2M 2M rw shared,anon,fixed as obj
b: open /sys/fs/mshare/r as G
b: mmap 0x10000000000 512G rw shared fd=G
b: write obj 7
a: read 0x10000200000
expect last == 7
b: write nothere 1
expect last == EFAULT
`);
    expect(r.failures).toEqual([]);
  });
});

/**
 * Review 13 of the scenario language, the CLI and the test API: columns of errors in a
 * `repeat` body whose `{i}` changes the line's length, the timeline markers of a loaded
 * script, the machine line a restart writes, ...
 */
import { describe, expect, it } from 'vitest';
import { formatError, parseScript } from '../../src/scenario/parser';
import type { Script } from '../../src/scenario/ast';
import { Runner } from '../../src/scenario/runner';
import { scriptMarkers, withMachineLine } from '../../src/worker/script-text';
import { errors } from './helpers';

function parsed(src: string): Script {
  const r = parseScript(src, 't.msh');
  if (!r.ok) throw new Error(r.errors.map(formatError).join('\n'));
  return r.script;
}

describe('an error in a repeat body with {i} in a number', () => {
  it('names the column in the line as written, whatever length {i} takes', () => {
    // `{i}Q` is at column 29 of line 2 and `off={i}Q`'s value at 81 of line 3; every `{i}`
    // before them became one digit, and a column of the substituted text was 2 short for each.
    expect(errors(`spawn a
repeat 5: a: write 0x{i}000 {i}Q
repeat 5: a: mmap 0x{i}0000 4K rw private,anon,fixed as l{i}{i}{i}{i}{i}{i} off={i}Q
`)).toEqual([
      "t.msh:2:29: with {i}=5: value '5Q': expected K, M, G or T",
      "t.msh:3:81: with {i}=5: offset '5Q': expected K, M, G or T",
    ]);
  });

  it('as the check of exactness past 2^53 does, and with i of several digits', () => {
    // The address starts at column 23 (after `a{i}: read `); with i=11 the substituted text
    // is one shorter before it.
    expect(errors('repeat 20: a{i}: read 0x800000000000{i}\n')).toEqual([
      "t.msh:1:23: with {i}=11: address '0x80000000000011' cannot be held exactly (more than 53 significant bits)",
    ]);
    // i=1000 is one longer than `{i}`: the value `{i}Q` is at column 31 as written.
    expect(errors('repeat 1000: a{i}: write x{i} {i}Q\n')).toEqual([
      "t.msh:1:31: with {i}=1000: value '1000Q': expected K, M, G or T",
    ]);
  });
});

describe('the timeline markers of a loaded script', () => {
  const src = `spawn a
## Part one
repeat 2: note step {i}
a: mmap auto 4K rw private,anon as h
repeat 3: a: write h+{i} 1
note "done #{i}"
repeat 2: note "at {i}"
`;

  it('have a note in a repeat, once, at its first step, captioned as its first iteration', () => {
    expect(scriptMarkers(parsed(src))).toEqual({
      chapters: [{ title: 'Part one', index: 1, line: 2 }],
      notes: [
        { title: 'step 1', index: 2, line: 3 },
        { title: 'done #{i}', index: 8, line: 6 },
        { title: 'at 1', index: 9, line: 7 },
      ],
    });
  });

  it('are the ones the typed lines get from their step records (one per command, its first step)', () => {
    const built = Runner.fromSource(src, 't.msh', { checkpointEvery: 0, recordTrace: false, keepRecords: true });
    if (!built.ok) throw new Error('does not parse');
    built.runner.runToEnd();
    // As actions.ts `appended` reads them after a typed line.
    const lines = new Set<number>();
    const notes = [];
    for (const r of built.runner.records) {
      if (r.kind !== 'note' || r.note === undefined || lines.has(r.line)) continue;
      lines.add(r.line);
      notes.push({ title: r.note, index: r.index, line: r.line });
    }
    expect(scriptMarkers(parsed(src)).notes).toEqual(notes);
  });
});

describe("Restart machine's new machine line", () => {
  const line = 'machine ram=64M cpus=1 tlb=64 pcid=on levels=4 mshare=2024';

  it('replaces only the machine command, not a line of a task named machine', () => {
    for (const task of ['machine', 'machine.1', 'machine-x']) {
      const src = `spawn ${task}\n${task}: mmap auto 4K rw private,anon as h\n${task}: touch h 4K write\nexpect ${task}.VmRSS == 4K\n`;
      const out = withMachineLine(src, parsed(src), line);
      expect(out).toBe(`${line}\n${src}`);
      expect(parseScript(out, 't.msh').ok).toBe(true);
    }
  });

  it('replaces the machine command where it stands, after chapters and notes too', () => {
    const src = '## Start\n  machine ram=32M   # small\nspawn machine\nmachine: fork\n';
    expect(withMachineLine(src, parsed(src), line)).toBe(`## Start\n${line}\nspawn machine\nmachine: fork\n`);
  });
});

describe('README: a file under /dev/hugepages/ is a hugetlbfs file', () => {
  it('sized in whole 2 MiB pages, mapped with 2 MiB pages; elsewhere a tmpfs file', () => {
    const built = Runner.fromSource(`file /dev/hugepages/db 4M
file /dev/shm/db 4M
spawn a
a: mmap auto 4M rw shared file=/dev/hugepages/db as h
a: touch h 4M write
expect a.HugetlbPages == 4M
expect a.VmPTE == 8K
a: mmap auto 4M rw shared file=/dev/shm/db as s
a: touch s 4M write
expect a.HugetlbPages == 4M
expect a.RssShmem == 4M
file /dev/hugepages/odd 3M
a: open /dev/hugepages/grown create as F
a: ftruncate F 3M
a: ftruncate F 6M
`, 't.msh', { checkpointEvery: 0, recordTrace: false, keepRecords: false });
    if (!built.ok) throw new Error('does not parse');
    built.runner.runToEnd();
    expect(built.runner.failures).toEqual([]);
    expect(built.runner.errors.map((e) => [e.line, e.errno])).toEqual([[12, 'EINVAL'], [14, 'EINVAL']]);
  });
});

describe('mmap anon with fd= (ksys_mmap_pgoff ignores the fd with MAP_ANONYMOUS)', () => {
  it('maps anonymous memory; the descriptor, named or numbered, is not looked up', () => {
    const built = Runner.fromSource(`file /dev/shm/f 8K
spawn a
a: open /dev/shm/f as F
a: mmap auto 4K rw shared,anon fd=F as s
a: mmap auto 4K rw shared,anon fd=99 as t
a: mmap auto 4K rw private,anon fd=NOSUCH as p
a: touch s 4K write
a: touch t 4K write
a: touch p 4K write
expect a.RssShmem == 8K
expect a.RssAnon == 4K
expect a.RssFile == 0
a: mmap auto 4K rw shared fd=NOSUCH
`, 't.msh', { checkpointEvery: 0, recordTrace: false, keepRecords: false });
    if (!built.ok) throw new Error('does not parse');
    built.runner.runToEnd();
    expect(built.runner.failures).toEqual([]);
    // Without anon the name is looked up as before.
    expect(built.runner.errors.map((e) => [e.line, e.errno, e.detail])).toEqual([[13, 'EBADF', "a has no descriptor named 'NOSUCH'"]]);
  });
});

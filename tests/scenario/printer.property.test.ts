import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Command } from '../../src/scenario/ast';
import { formatError, parseScript } from '../../src/scenario/parser';
import { printCommand, printScript } from '../../src/scenario/printer';
import { command, placed, script, type Bare } from './arbitraries';
import { strip } from './helpers';

function parseOrThrow(src: string): Command[] {
  const r = parseScript(src);
  if (!r.ok) throw new Error(`${r.errors.map(formatError).join('\n')}\n--- source ---\n${src}`);
  return r.script.commands;
}

describe('printer round trip: parse(print(ast)) == ast', () => {
  it('holds for random scripts', () => {
    fc.assert(
      fc.property(script(), (cmds: Bare[]) => {
        const text = printScript({ commands: cmds.map(placed), chapters: [] });
        const back = parseOrThrow(text);
        expect(back.map(strip)).toEqual(cmds.map((c) => strip(placed(c))));
      }),
      { seed: 20250819, numRuns: 400 },
    );
  });

  it('holds command by command, and printing is a fixed point', () => {
    fc.assert(
      fc.property(command, (c: Bare) => {
        const line = printCommand(placed(c));
        expect(line).not.toContain('\n');
        const [back] = parseOrThrow(line);
        expect(strip(back)).toEqual(strip(placed(c)));
        expect(printCommand(back)).toBe(line);
        expect(back.text).toBe(line); // canonical lines have nothing to trim
      }),
      { seed: 42, numRuns: 2000 },
    );
  });

  it('round-trips chapter titles holding quotes, `#`, backslashes and inner blanks', () => {
    for (const title of ['Step #2', 'the "fork"', '"quoted"', 'a \\ b', '#', 'x  #y', 'tab\there', '" # "']) {
      const line = printCommand(placed({ kind: 'chapter', title } as Bare));
      const [back] = parseOrThrow(line);
      expect(back).toMatchObject({ kind: 'chapter', title });
      expect(printCommand(back)).toBe(line);
    }
    expect(printCommand(placed({ kind: 'chapter', title: 'Step #2' } as Bare))).toBe('## "Step #2"');
    expect(printCommand(placed({ kind: 'chapter', title: 'Plain title' } as Bare))).toBe('## Plain title');
  });

  it('keeps chapter indexes', () => {
    const r = parseScript('spawn a\n## One\na: exit\n## Two\n');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const again = parseScript(printScript(r.script));
    expect(again.ok && again.script.chapters).toEqual(r.script.chapters);
  });

  it('prints canonical text', () => {
    const src = [
      'machine  cpus=2 ram=0x10000000 pcid=on',
      'db0:mmap auto 0x4000000 wr anon,private   as heap # comment',
      'db0: write heap+4096 0x10',
      'db0: uffd register heap 2M missing',
      'mount msharefs /sys/fs/mshare',
      'note "plain"',
      'note "a # b"',
      'expect last.start == 4096',
      'expect meminfo.HugePages_Free == 1K',
      'expect mshare./m/s.sharers >= 1K',
      'repeat 2 : db{i}: read 0x1000 8',
    ].join('\n');
    expect(printScript({ commands: parseOrThrow(src), chapters: [] })).toBe([
      'machine ram=256M cpus=2 pcid=on',
      'db0: mmap auto 64M rw anon,private as heap',
      'db0: write heap+4K 16',
      'db0: uffd register heap 2M',
      'mount msharefs',
      'note plain',
      'note "a # b"',
      'expect last.start == 0x1000',
      'expect meminfo.HugePages_Free == 1024',
      'expect mshare./m/s.sharers >= 1024',
      'repeat 2: db{i}: read 0x1000 8',
      '',
    ].join('\n'));
  });
});

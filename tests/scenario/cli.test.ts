/**
 * `npm run sim` end to end: spawns `npx tsx src/cli/sim.ts` like a user would. Every built-in
 * scenario exits 0; parse errors exit 2 with FILE:LINE:COL; a failing expect exits 1;
 * --json prints only JSON; no input produces a stack trace.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BUILTINS } from '../../src/scenario/builtins/index';
import { decodeScriptFile } from '../../src/scenario/script-file';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TMP = mkdtempSync(join(tmpdir(), 'sim-cli-'));

interface Run { code: number; stdout: string; stderr: string }

function sim(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile('npx', ['tsx', 'src/cli/sim.ts', ...args], { cwd: ROOT, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

function file(name: string, content: string | Buffer): string {
  const p = join(TMP, name);
  writeFileSync(p, content);
  return p;
}

/** A Node stack frame line: what must never reach the user. */
const STACK = /^\s+at .+[:(]/m;

describe('built-in scenarios through the CLI', () => {
  // Two at a time: the machine has two cores and the database ones take seconds each.
  it('every built-in exits 0 with every expect held', async () => {
    const queue = [...BUILTINS];
    const results: [string, Run][] = [];
    const worker = async () => {
      for (let b = queue.shift(); b; b = queue.shift()) results.push([b.id, await sim(`builtin:${b.id}`)]);
    };
    await Promise.all([worker(), worker()]);
    for (const [id, r] of results) {
      expect({ id, code: r.code, stderr: r.stderr }).toEqual({ id, code: 0, stderr: '' });
      expect(r.stdout).toContain('every expect held');
    }
    expect(results).toHaveLength(BUILTINS.length);
  }, 900_000);

  it('--json prints only the JSON report', async () => {
    const r = await sim('builtin:mshare-basics-2024', '--json');
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.stdout);
    expect(rep.ok).toBe(true);
    expect(rep.failures).toEqual([]);
    expect(rep.mshare[0].host).toEqual({ VmRSS: 65536, VmPTE: 136 });
  }, 60_000);
});

describe('exit status', () => {
  it('0, quietly, when the reader closes the pipe early (sim --json | head)', async () => {
    // 400 processes: a report far larger than a pipe's buffer, so the write meets EPIPE.
    const p = file('big.msh', 'spawn a\na: mmap auto 1M rw private,anon as heap\nrepeat 400: a: fork\n');
    const r = await new Promise<Run>((resolve) => {
      execFile('bash', ['-c', `npx tsx src/cli/sim.ts '${p}' --json | head -c 100 >/dev/null; exit "\${PIPESTATUS[0]}"`], { cwd: ROOT }, (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
      });
    });
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
  }, 60_000);

  it('2 for a parse error, with FILE:LINE:COL: message and nothing run', async () => {
    const p = file('bad.msh', 'spawn a\na: mmapp auto 4K rw private,anon\nrepeat 0: spawn b\n');
    const r = await sim(p);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`${p}:2:4: unknown verb 'mmapp' (did you mean 'mmap'?)\n${p}:3:8: repeat count '0': expected 1 to 100000\n`);
    const j = await sim(p, '--json');
    expect(j.code).toBe(2);
    expect(j.stdout).toBe('');
  }, 60_000);

  it('2 for a binary file, refused once as the browser refuses it (not one unknown verb a line)', async () => {
    // Not UTF-8 on line 2, column 3; NUL bytes on line 2, column 3.
    const bin = file('core.bin', Buffer.from([0x73, 0x70, 0x0a, 0x41, 0x42, 0xff, 0xfe, 0x0a, 0x80, 0x0a]));
    const nul = file('nul2.msh', Buffer.from('spawn a\na:\0read 0\n'));
    const r = await sim(bin);
    expect(r).toEqual({ code: 2, stdout: '', stderr: `${bin}:2:3: not a text file: these bytes are not UTF-8 text (a script is plain text, as Export → Script saves it)\n` });
    const n = await sim(nul, '--json');
    expect(n).toEqual({ code: 2, stdout: '', stderr: `${nul}:2:3: not a text file: it holds NUL bytes (a script is plain text, as Export → Script saves it)\n` });
    // The same decision and position as Open script… (src/ui/open-script.ts uses it).
    expect(decodeScriptFile(new Uint8Array([0x73, 0x70, 0x0a, 0x41, 0x42, 0xff]))).toEqual({ line: 2, col: 3, message: expect.stringMatching(/^not a text file/) });
  }, 60_000);

  it('2 when the machine cannot be built', async () => {
    // The parser refuses a RAM size the engine could not build, at the value's column.
    const p = file('machine.msh', 'machine ram=17M\nspawn a\n');
    const r = await sim(p);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:1:13: ram '17M': expected a multiple of 2M`));
    expect(r.stderr).not.toMatch(STACK);
  }, 60_000);

  it('1 when an expect fails; the report lists it and the script ran to the end', async () => {
    const p = file('fail.msh', 'spawn a\nexpect a exited\nspawn b\nexpect b running\n');
    const r = await sim(p);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${p}:2: expect a exited: a is running`);
    expect(r.stdout).toContain('4/4 steps');
    const j = await sim(p, '--json');
    expect(j.code).toBe(1);
    const rep = JSON.parse(j.stdout);
    expect(rep.ok).toBe(false);
    expect(rep.failures).toEqual([expect.objectContaining({ line: 2, text: 'expect a exited', message: 'a is running' })]);
  }, 60_000);

  it('0 for a script whose syscalls fail but whose expects hold', async () => {
    const p = file('errs.msh', 'spawn a\na: munmap 0x1001 4K\nexpect last == EINVAL\n');
    const r = await sim(p, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).errors).toEqual([expect.objectContaining({ line: 2, command: 'a: munmap 0x1001 4K', errno: 'EINVAL' })]);
  }, 60_000);

  it('usage: --help and --list exit 0; bad arguments exit 2 with a message', async () => {
    const help = await sim('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/usage/);
    const list = await sim('--list');
    expect(list.code).toBe(0);
    for (const b of BUILTINS) expect(list.stdout).toContain(`builtin:${b.id}`);
    for (const args of [[], ['--bogus'], ['builtin:nope'], [join(TMP, 'missing.msh')], ['a.msh', 'b.msh']]) {
      const r = await sim(...args);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stderr).toMatch(/^sim: /);
      expect(r.stderr).not.toMatch(STACK);
    }
  }, 120_000);
});

describe('no stack trace on garbage', () => {
  it('random bytes, NULs, a huge line, a directory: exit 2, positioned errors or a one-line message', async () => {
    let seed = 12345;
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) & 0xff);
    const bytes = Buffer.from(Array.from({ length: 4000 }, rnd));
    const inputs = [
      file('random.msh', bytes),
      file('nul.msh', Buffer.from('spawn a\0\0\na: \0read 0\n')),
      file('huge.msh', 'spawn ' + 'x'.repeat(100_000) + '\n'),
      file('deep.msh', 'expect ' + '('.repeat(5000) + '\n'),
      TMP,
    ];
    for (const p of inputs) {
      const r = await sim(p, '--json');
      expect({ p, code: r.code }).toEqual({ p, code: 2 });
      expect(r.stdout).toBe('');
      expect(r.stderr).not.toMatch(STACK);
      expect(r.stderr).not.toMatch(/internal error/);
      expect(r.stderr.length).toBeGreaterThan(0);
    }
  }, 120_000);
});

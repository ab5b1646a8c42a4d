/**
 * Scripts a reviewer ran against the SCENARIO.md contract that went wrong, each now a test:
 * millions of failures inside the limits, tens of thousands of tasks, a forgotten
 * `mount msharefs`, a byte-order mark, raw control characters, an owner that has exited.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatError, parseScript } from '../../src/scenario/parser';
import { MAX_LISTED, Runner } from '../../src/scenario/runner';
import { buildReport, textReport } from '../../src/scenario/report';
import { buildModel } from '../../src/engine/model';
import { UNLINK_RECREATE } from '../fixtures/unlink-recreate';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function run(src: string): Runner {
  const built = Runner.fromSource(src, 't.msh', { checkpointEvery: 100, recordTrace: false, keepRecords: false });
  if (!built.ok) throw new Error(built.errors.map(formatError).join('\n'));
  built.runner.runToEnd();
  return built.runner;
}

describe('failures and errors are listed up to MAX_LISTED, counted beyond', () => {
  it('3,000 failing commands: 1,000 listed, 2,000 counted, in the JSON and the text report', () => {
    const r = run('spawn a\nrepeat 3000: nobody: run\n');
    const rep = buildReport(r);
    expect(MAX_LISTED).toBe(1000);
    expect(rep.errors).toHaveLength(1000);
    expect(rep.errors_omitted).toBe(2000);
    expect(rep.ok).toBe(true); // errors are results, not failed expects
    expect(textReport(rep, 't.msh')).toContain('... and 2000 more errors');
  });

  it('1,500 failed expects: the verdict counts all of them; going back restores the counts', () => {
    const r = run('spawn a\nrepeat 1500: expect a.VmPTE > 1G\n');
    let rep = buildReport(r);
    expect(rep.ok).toBe(false);
    expect(rep.failures).toHaveLength(1000);
    expect(rep.failures_omitted).toBe(500);
    expect(textReport(rep, 't.msh')).toContain('1500 expect(s) FAILED');
    r.goto(301); // step 0 spawns; steps 1..300 are 300 failures
    rep = buildReport(r);
    expect(rep.failures).toHaveLength(300);
    expect(rep.failures_omitted).toBeUndefined();
    r.runToEnd();
    expect(buildReport(r).failures_omitted).toBe(500);
  });
});

describe('many tasks', () => {
  it('the report of 20,000 tasks is linear: one pass for the pins, not one per task', () => {
    const r = run('machine ram=256M\nrepeat 20000: spawn s{i}\n');
    const rep = buildReport(r);
    expect(rep.processes).toHaveLength(20000);
    expect(rep.processes.every((p) => p.state === 'running')).toBe(true);
  });

  it('an OOM storm (spawns past RAM) kills the biggest, keeps going, and every survivor is consistent', () => {
    // 16 MiB of RAM: each spawn takes a PGD page; past the end the OOM killer makes room.
    const r = run('machine ram=16M\nrepeat 5000: spawn s{i}\n');
    const rep = buildReport(r);
    expect(rep.oom_kills).toBeGreaterThan(0);
    const alive = rep.processes.filter((p) => p.state === 'running').length;
    const killed = rep.processes.filter((p) => p.state === 'killed').length;
    expect(alive + killed).toBe(5000);
    expect(killed).toBe(rep.oom_kills);
  });
});

describe('/sys is sysfs', () => {
  it('creating under /sys without msharefs mounted is EACCES, with a hint; after the mount it works', () => {
    const r = run([
      'spawn a',
      'a: open /sys/fs/mshare/x create as F',
      'expect last == EACCES',
      'file /sys/foo 4K',
      'expect last == EACCES',
      'mount msharefs',
      'a: open /sys/fs/mshare/y create as G',
      'expect last >= 0',
    ].join('\n'));
    const rep = buildReport(r);
    expect(rep.failures).toEqual([]);
    expect(rep.errors[0]).toMatchObject({ line: 2, errno: 'EACCES' });
    expect(String(rep.errors[0].detail)).toContain('mount msharefs');
  });
});

describe('input bytes', () => {
  it('a UTF-8 byte-order mark at the start is not part of the first verb', () => {
    const p = parseScript('\ufeffspawn a\n');
    expect(p.ok).toBe(true);
  });

  it('control characters in an error message are shown as \\xNN', () => {
    const p = parseScript('spawn \x1b[31mRED\x1b[0m\n', 'e.msh');
    expect(p.ok).toBe(false);
    if (p.ok) return;
    const line = formatError(p.errors[0]);
    expect(line).not.toContain('\x1b');
    expect(line).toContain('\\x1b[31mRED');
  });

  it('a non-ASCII name is refused saying that only ASCII letters are meant', () => {
    const p = parseScript('spawn été\n');
    expect(p.ok).toBe(false);
    if (!p.ok) expect(p.errors[0].message).toContain('expected an ASCII letter');
  });
});

describe('a string written reads back as a string', () => {
  it('read gives the bytes as a number and as text; expect last == "str" compares the text', () => {
    const r = run([
      'spawn a',
      'a: mmap auto 4K rw private as p',
      'a: write p "hello"',
      'a: read p 5',
      'expect last == "hello"',
      'expect last.text == "hello"',
      'expect last == 478560413032', // the same five bytes, little-endian
      'a: read p 8',
      'expect last == "hello"', // up to the first NUL
      'expect last != "hell"',
    ].join('\n'));
    expect(buildReport(r).failures).toEqual([]);
  });
});

describe('mshare owner in the report', () => {
  it('is null once the owner has exited (2025 flavour), not pid 0', () => {
    const r = run([
      'machine mshare=2025',
      'mount msharefs',
      'spawn own',
      'own: open /sys/fs/mshare/r create as F',
      'own: ftruncate F 512G',
      'own: exit',
    ].join('\n'));
    const rep = buildReport(r);
    expect(rep.mshare).toHaveLength(1);
    expect(rep.mshare[0].owner).toBeNull();
  });
});

describe('an unlinked file is named as /proc names it, and its name means the new file', () => {
  it('expect mshare.PATH reads the region the path names now, not the unlinked one b still maps', () => {
    const r = run([...UNLINK_RECREATE,
      'expect mshare./sys/fs/mshare/r.sharers == 0',
      'expect mshare./sys/fs/mshare/r.rss == 0',
    ].join('\n'));
    const rep = buildReport(r);
    expect(rep.failures).toEqual([]);
  });

  it('the report and maps say " (deleted)" for the unlinked region, as d_path does', () => {
    const rep = buildReport(run(UNLINK_RECREATE.join('\n')));
    expect(rep.mshare.map((g) => [g.path, g.sharers, g.host.VmRSS])).toEqual([
      ['/sys/fs/mshare/r (deleted)', 1, 4096],
      ['/sys/fs/mshare/r', 0, 0],
    ]);
    const b = rep.processes.find((p) => p.name === 'b')!;
    expect(b.maps.map((e) => e.mshare)).toContain('/sys/fs/mshare/r (deleted)');
  });

  it('the unlinked region\'s host mm is named " (deleted)" too, not as its namesake\'s host', () => {
    const r = run(UNLINK_RECREATE.join('\n'));
    const snap = buildModel(r.kernel, 1);
    const hosts = snap.mms.filter((m) => m.host !== null).map((m) => m.host).sort();
    expect(hosts).toEqual(['/sys/fs/mshare/r', '/sys/fs/mshare/r (deleted)']);
  });

  it('a mapping of an unlinked tmpfs file shows its path with " (deleted)"', () => {
    const rep = buildReport(run([
      'spawn a',
      'a: open /dev/shm/x create as F',
      'a: ftruncate F 1M',
      'a: mmap auto 1M rw shared fd=F as m',
      'unlink /dev/shm/x',
    ].join('\n')));
    const a = rep.processes.find((p) => p.name === 'a')!;
    expect(a.maps.map((e) => e.path)).toEqual(['/dev/shm/x (deleted)']);
  });
});

describe('the CLI reads a relative path from where npm was run', () => {
  it('resolves FILE against INIT_CWD', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-cwd-'));
    writeFileSync(join(dir, 'x.msh'), 'spawn a\n');
    const res = await new Promise<{ code: number; stdout: string }>((resolve) => {
      // node itself, not npx: npm exec would set INIT_CWD to its own directory.
      execFile(process.execPath, ['--import', 'tsx', 'src/cli/sim.ts', 'x.msh'], { cwd: ROOT, env: { ...process.env, INIT_CWD: dir } }, (err, stdout) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout });
      });
    });
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('x.msh: 1/1 steps');
  });
});

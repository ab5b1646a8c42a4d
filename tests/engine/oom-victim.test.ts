/**
 * The OOM killer's choice of victim, as mm/oom_kill.c makes it:
 * - oom_badness() is get_mm_rss() plus page-table pages: hugetlb pages are in no RSS counter
 *   (R22), so a task holding only hugetlb memory scores almost nothing;
 * - oom_evaluate_task() skips a task only when `points < chosen_points`, and for_each_process
 *   visits tasks in creation order: of equal scores, the youngest dies;
 * - a memory cgroup's OOM visits the cgroup's tasks, threads included, in the order they
 *   entered it (mem_cgroup_scan_tasks, css_task_iter over css_set->tasks, appended at the
 *   tail by fork and by a move): of equal scores, the one that entered last dies.
 */
import { describe, expect, it } from 'vitest';
import { Runner } from '../../src/scenario/runner';
import { buildReport } from '../../src/scenario/report';
import { M, anon, consistent, fileMap, kernel, okv, teardown } from './helpers';

function run(src: string): Map<string, string> {
  const r = Runner.fromSource(src, 'oom.msh');
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
  r.runner.runToEnd();
  return new Map(buildReport(r.runner).processes.map((p) => [p.name, p.state]));
}

describe('OOM victim selection', () => {
  it('hugetlb pages do not count in the badness: the task with anonymous RSS dies, not the hugetlb mapper', () => {
    const states = run(`machine ram=64M
spawn h
h: mmap 0x40000000 32M rw shared,anon,hugetlb as hp
h: touch hp 32M write
spawn q
q: mmap auto 64M rw private,anon as y
q: touch y 40M write
`);
    expect(states.get('h')).toBe('running');
    expect(states.get('q')).toBe('killed');
  });

  it('of tasks with equal badness the youngest is killed', () => {
    const states = run(`machine ram=32M
repeat 3: spawn p{i}
repeat 3: p{i}: mmap auto 8M rw private,anon as x
repeat 3: p{i}: touch x 8M write
spawn d
d: mmap auto 8M rw private,anon as x
d: touch x 8M write
`);
    expect([states.get('p1'), states.get('p2'), states.get('p3')]).toEqual(['running', 'running', 'killed']);
  });

  it('in a memory cgroup, of tasks with equal badness the one that joined last dies, not the youngest', () => {
    const equal = (order: string) => `machine ram=64M
cgroup cg limit=10M
spawn a
spawn b
${order}
a: mmap auto 4M rw private,anon as x
b: mmap auto 4M rw private,anon as x
a: touch x 4M write
b: touch x 4M write
spawn c
c: join cg
c: mmap auto 4M rw private,anon as x
c: touch x 4M write
`;
    // b joined first, a second: a is visited later and dies, though b is younger.
    let states = run(equal('b: join cg\na: join cg'));
    expect([states.get('a'), states.get('b')]).toEqual(['killed', 'running']);
    // Joined in creation order: the same as the global rule, the younger b dies.
    states = run(equal('a: join cg\nb: join cg'));
    expect([states.get('a'), states.get('b')]).toEqual(['running', 'killed']);
    // A thread a creates after b joined enters the cgroup last: a's last visit is the latest.
    states = run(equal('a: join cg\nb: join cg\na: thread as a.t'));
    expect([states.get('a'), states.get('b')]).toEqual(['killed', 'running']);
    // Joining the cgroup one is already in keeps one's place.
    states = run(equal('b: join cg\na: join cg\nb: join cg'));
    expect([states.get('a'), states.get('b')]).toEqual(['killed', 'running']);
  });
});

describe('memory.max lowered below memory.current (memory_max_write)', () => {
  // memory_max_write() stores the max, then loops while usage > max: nothing is reclaimable
  // without swap, so mem_cgroup_out_of_memory() kills until usage fits or no task is left;
  // the write itself succeeds.
  it('kills the largest task of the cgroup at once, and only as many as needed to fit', () => {
    const k = kernel({ ram: 128 * M });
    okv(k.cgroup('g'));
    for (const [name, size] of [['a', 6 * M], ['b', M]] as const) {
      okv(k.spawn(name));
      okv(k.join(name, 'g'));
      const va = okv(k.mmap(name, anon(null, 8 * M)));
      okv(k.touch(name, va, size, 'write'));
    }
    const cg = k.m.s.cgroups.get('g')!;
    expect(cg.current).toBeGreaterThan(7 * M);
    const kills = k.m.s.oomKills;
    okv(k.cgroup('g', 2 * M));
    expect(k.task('a')!.state).toBe('killed');
    expect(k.task('b')!.state).toBe('running');
    expect(cg.current).toBeLessThanOrEqual(2 * M);
    expect(cg.oomKills).toBe(1);
    expect(k.m.s.oomKills).toBe(kills + 1);
    consistent(k);
    teardown(k);
  });

  it('a global OOM counts oom_kill on the victim\'s cgroup, which has no limit of its own', () => {
    const k = kernel({ ram: 32 * M });
    okv(k.cgroup('g'));
    okv(k.spawn('a'));
    okv(k.join('a', 'g'));
    const va = okv(k.mmap('a', anon(null, 64 * M)));
    const r = k.touch('a', va, 64 * M, 'write');
    expect(r.signal).toBe('SIGKILL');
    expect(k.task('a')!.state).toBe('killed');
    expect(k.m.s.oomKills).toBe(1);
    expect(k.m.s.cgroups.get('g')!.oomKills).toBe(1);
    expect(k.m.s.cgroups.get('/')!.oomKills).toBe(0); // no memory.events on the root
    consistent(k);
    teardown(k);
  });

  it('gives up when no task is left to kill (shmem stays charged), and the write still succeeds', () => {
    const k = kernel({ ram: 128 * M });
    okv(k.cgroup('g'));
    okv(k.file('/f', 2 * M));
    okv(k.spawn('a'));
    okv(k.join('a', 'g'));
    const va = okv(k.mmap('a', fileMap('/f', null, 2 * M, 'rw', true)));
    okv(k.touch('a', va, 2 * M, 'write')); // tmpfs pages, charged to g, outlive a
    const cg = k.m.s.cgroups.get('g')!;
    const r = k.cgroup('g', 0);
    expect(r.errno).toBeNull();
    expect(k.task('a')!.state).toBe('killed');
    expect(cg.oomKills).toBe(1);
    expect(cg.current).toBeGreaterThanOrEqual(2 * M); // the file's pages: nothing could free them
    expect(cg.limit).toBe(0);
    consistent(k);
    teardown(k);
  });
});

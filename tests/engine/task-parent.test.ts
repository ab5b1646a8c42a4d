/**
 * A task's parent as /proc/PID/status's PPid shows it: the parent process's tgid.
 * - clone(CLONE_THREAD) sets the new thread's real_parent to the creator's real_parent
 *   (kernel/fork.c copy_process), so a thread's PPid is its process's parent;
 * - fork from a thread makes that thread the real_parent, and PPid is its tgid
 *   (task_tgid_nr_ns(real_parent) in proc_pid_status).
 */
import { describe, expect, it } from 'vitest';
import { kernel, okv, teardown } from './helpers';

describe('parent (PPid)', () => {
  it('a thread has its process\'s parent; a child forked by a thread has the process as parent', () => {
    const k = kernel();
    okv(k.spawn('a'));
    okv(k.fork('a', 'b'));
    okv(k.thread('b', 'bt'));
    okv(k.thread('bt', 'bt2'));
    okv(k.fork('bt2', 'c'));
    const pid = (n: string) => k.task(n)!.pid;
    const parent = (n: string) => k.task(n)!.parent;
    expect(parent('a')).toBe(0);
    expect(parent('b')).toBe(pid('a'));
    expect(parent('bt')).toBe(pid('a'));
    expect(parent('bt2')).toBe(pid('a'));
    expect(k.task('bt2')!.tgid).toBe(pid('b'));
    expect(parent('c')).toBe(pid('b'));
    teardown(k);
  });
});

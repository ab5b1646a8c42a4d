/**
 * The OOM notice (src/ui/persist/oom.ts) against store updates as the worker sends them.
 * A loaded script runs at once in the worker, so its first update can already hold a kill:
 * that kill is news, even though the script (source) changed in the same update and its
 * position is below the old script's. (The e2e OOM test missed its notice on a busy machine.)
 */
import { afterEach, describe, expect, it } from 'vitest';
import { store } from '../../src/ui/store';
import { noticeStore } from '../../src/ui/persist/notices';
import { watchOom } from '../../src/ui/persist/oom';

const REASON = 'out of memory: killed process 2 (hog) anon-rss:12288kB, file-rss:0kB, shmem-rss:0kB, pgtables:44kB';
const task = (pid: number, name: string, killed: boolean) => ({ pid, name, state: killed ? 'killed' : 'running', killReason: killed ? REASON : null });
const snap = (tasks: ReturnType<typeof task>[]) => ({ tasks, oomKills: tasks.filter((t) => t.state === 'killed').length }) as never;
const oomTitles = () => noticeStore.getState().notices.filter((n) => n.kind === 'oom').map((n) => n.title);

let stop: (() => void) | null = null;
afterEach(() => {
  stop?.();
  noticeStore.setState({ notices: [] });
});

describe('OOM notice', () => {
  it('a new script whose first update already holds a kill announces it', () => {
    store.setState({ source: 'old', position: 34, snapshot: snap([task(1, 'db0', false)]) });
    stop = watchOom();
    store.setState({ source: 'new', position: 9, snapshot: snap([task(1, 'small', false), task(2, 'hog', true)]) });
    expect(oomTitles()).toEqual(['Out of memory: the OOM killer killed hog']);
  });

  it('a line added after a kill does not announce the old kill again; stepping back is quiet', () => {
    store.setState({ source: 'a', position: 0, snapshot: snap([task(1, 'small', false)]) });
    stop = watchOom();
    store.setState({ source: 'a', position: 9, snapshot: snap([task(1, 'small', false), task(2, 'hog', true)]) });
    expect(oomTitles()).toHaveLength(1);
    noticeStore.setState({ notices: [] });
    store.setState({ source: 'a\nspawn x', position: 10, snapshot: snap([task(1, 'small', false), task(2, 'hog', true), task(3, 'x', false)]) });
    expect(oomTitles()).toEqual([]);
    store.setState({ source: 'a\nspawn x', position: 5, snapshot: snap([task(1, 'small', false), task(2, 'hog', true)]) });
    expect(oomTitles()).toEqual([]);
  });
});

import type { BuiltinScenario } from './types';

/** clone(CLONE_VM): threads share one mm, so one set of page tables and counters. */
export const threads: BuiltinScenario = {
  id: 'threads',
  title: 'threads sharing an mm',
  description: 'A thread shares its creator\'s mm_struct: the same VMAs, page tables and RSS counters. A forked process gets its own mm.',
  source: `## One mm, two tasks
spawn p
p: mmap 0x40000000 64K rw private,anon as buf
p: thread as t
t: write buf 5
note The thread's write fault fills the shared mm's page tables: p sees the value at once.
p: read buf
expect last == 5
expect p.RssAnon == 4K
expect t.RssAnon == 4K
expect t.VmPTE == 12K
expect same-page p:buf t:buf

## fork makes a second mm
p: fork as c
c: write buf 6
expect different-page p:buf c:buf
p: read buf
expect last == 5
expect meminfo.AnonPages == 8K

## A thread exits, the mm stays
t: exit
expect t exited
expect p running
expect p.RssAnon == 4K
p: read buf
expect last == 5
`,
};

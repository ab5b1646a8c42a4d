import type { BuiltinScenario } from './types';

/** R14: an access outside every VMA or against its protections is SIGSEGV; the task dies. */
export const segfault: BuiltinScenario = {
  id: 'segfault',
  title: 'a segmentation fault',
  description: 'An access outside every VMA, or one the VMA forbids, ends in SIGSEGV (R14): the task is killed, its memory freed, and later commands for it return ESRCH.',
  source: `## A write to a read-only mapping
spawn p
p: mmap 0x40000000 4K r private,anon as ro
p: read ro
expect last == 0
p: write ro 1
note The VMA forbids writes: access_error(), SIGSEGV (ACCERR).
expect last == SIGSEGV
expect p killed SIGSEGV
expect meminfo.PageTables == 0

## An address nothing maps
spawn q
q: read 0x1000
note No VMA covers 0x1000: SIGSEGV (MAPERR).
expect last == SIGSEGV
expect q killed SIGSEGV

## A dead task cannot run
q: read 0x1000
expect last == ESRCH
spawn r
r: mmap 0x40000000 8K rw private,anon as buf
r: write buf 3
r: read buf+4K
expect last == 0
expect r running
expect r.RssAnon == 4K
`,
};

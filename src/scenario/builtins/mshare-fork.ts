import type { BuiltinScenario } from './types';

/** M17, M7, M9: fork of an attached process replicates the VMA; the child links on its first fault. */
export const mshareFork: BuiltinScenario = {
  id: 'mshare-fork',
  title: 'fork of an attached process',
  description: 'fork() of a process attached to an mshare region copies the msharefs VMA but no page tables (it is a shared file VMA without an anon_vma): the child links to the host\'s PUD page on its first fault.',
  source: `## An attached process
mount msharefs
spawn a
a: open /sys/fs/mshare/sga create as F
a: mmap 0x10000000000 512G rw shared fd=F as sga
a: mmap 0x10000000000 8M rw shared,anon,fixed
a: touch sga 8M write
expect mshare./sys/fs/mshare/sga.sharers == 1

## fork
a: fork as c
note The child has the msharefs VMA and no page tables for it (M17).
expect c.VmPTE == 0
expect c.VmSize == 512G
expect mshare./sys/fs/mshare/sga.sharers == 2

## The first fault links
c: read sga+4M
note The fault copies the host's PGD entry into c (M7): nothing allocated, the access retried.
expect c.VmPTE == 0
expect c.VmRSS == 0
expect same-page a:sga+4M c:sga+4M
expect same-page a:sga c:sga
c: write sga 5
a: read sga
expect last == 5
note PageTables: three PGDs (a, c and the host) and the host's 24 KiB for 8 MiB.
expect meminfo.PageTables == 36K
`,
};

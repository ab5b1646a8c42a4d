import type { BuiltinScenario } from './types';

/** M10 and the mprotect toggle: EINVAL in v3; global (every sharer) in the 2022-23 design intent. */
export const mshareMprotect: BuiltinScenario = {
  id: 'mshare-mprotect',
  title: 'protections shared across processes',
  description: 'With shared page tables, protections live in the host: under mprotect=global one process\'s mprotect changes what every sharer may do (the database\'s wish); v3 refuses it (mprotect=einval).',
  source: `## A region two processes share
mount msharefs
spawn a
a: open /sys/fs/mshare/sga create as F
a: mmap 0x10000000000 512G rw shared fd=F as sga
a: mmap 0x10000000000 2M rw shared,anon,fixed
a: touch sga 2M write
spawn b
b: open /sys/fs/mshare/sga as F
b: mmap 0x10000000000 512G rw shared fd=F as sga
b: write sga 1
expect last == 8

## v3: EINVAL
policy mprotect=einval
a: mprotect sga 2M r
expect last == EINVAL

## mprotect=global
policy mprotect=global
a: mprotect sga 2M r
note The host VMA and PTEs become read-only, and every CPU's TLB is flushed (M11).
expect last == 0
b: read sga
expect last == 1
b: write sga 2
note b never called mprotect, yet its write faults against the host VMA: SIGSEGV.
expect last == SIGSEGV
expect b killed SIGSEGV
expect a running
expect mshare./sys/fs/mshare/sga.sharers == 1
`,
};

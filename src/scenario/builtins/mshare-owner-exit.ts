import type { BuiltinScenario } from './types';

/** M15 and the owner_exit toggle: the region outlives its creator (keep) or is emptied (unmap, v3). */
export const mshareOwnerExit: BuiltinScenario = {
  id: 'mshare-owner-exit',
  title: 'the creator exits',
  description: 'What happens to an mshare region when the process that created it exits: with owner_exit=keep it lives on for the others; with owner_exit=unmap (PATCH v3) it is unmapped and the others get SIGSEGV.',
  source: `## owner_exit=keep
mount msharefs
policy owner_exit=keep
spawn a
a: open /sys/fs/mshare/one create as F
a: mmap 0x10000000000 512G rw shared fd=F as r
a: mmap 0x10000000000 2M rw shared,anon,fixed
a: write r 11
spawn b
b: open /sys/fs/mshare/one as F
b: mmap 0x10000000000 512G rw shared fd=F as r
a: exit
note The region has no owner now, but its host mm and pages stay for b.
b: read r
expect last == 11
expect b running
expect mshare./sys/fs/mshare/one.rss == 4K

## owner_exit=unmap
policy owner_exit=unmap
spawn c
c: open /sys/fs/mshare/two create as F
c: mmap 0x20000000000 512G rw shared fd=F as r
c: mmap 0x20000000000 2M rw shared,anon,fixed
c: write r 22
spawn d
d: open /sys/fs/mshare/two as F
d: mmap 0x20000000000 512G rw shared fd=F as r
d: read r
expect last == 22
c: exit
note exit_mshare(): the whole host range is unmapped and its pages freed (M15).
expect mshare./sys/fs/mshare/two.rss == 0
d: read r
note d's read went through its link to the host's (now empty) PUD page; the fault found no host VMA, so SIGSEGV killed d (M8).
expect last == SIGSEGV
expect d killed SIGSEGV
expect b running
`,
};

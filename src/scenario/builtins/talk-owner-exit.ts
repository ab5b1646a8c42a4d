import type { BuiltinScenario } from './types';

/** Talk pack: M15 and the owner_exit policy; the region outlives its creator (keep) or is emptied (unmap). */
export const talkOwnerExit: BuiltinScenario = {
  id: 'talk-owner-exit',
  title: 'What happens when the creator exits',
  description: 'Two regions, two answers to an open question. With owner_exit=keep the region lives on for the process still attached; with owner_exit=unmap (PATCH v3) it is emptied and the next access is SIGSEGV.',
  source: `machine ram=128M
## 1. A region and a second user
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
b: read r
note a created the region and wrote 11; b attached and reads it through the host's tables.
expect last == 11

## 2. owner_exit=keep: the region outlives its creator
a: exit
note a exits. The region has no owner now, but its host mm and pages stay for b.
b: read r
expect last == 11
expect b running
expect mshare./sys/fs/mshare/one.rss == 4K

## 3. owner_exit=unmap: the region goes with its creator
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
note c exits: the whole host range is unmapped and its pages freed.
expect mshare./sys/fs/mshare/two.rss == 0

## 4. The next access faults
d: read r
note d's read went through its link to the host's PUD page, now empty: no host VMA, so SIGSEGV killed d. b, on region one, runs on.
expect last == SIGSEGV
expect d killed SIGSEGV
expect b running
`,
};

import type { BuiltinScenario } from './types';

/** Talk pack: M12 and the charge policy; who pays for pages and page tables faulted into the host mm. */
export const talkCharge: BuiltinScenario = {
  id: 'talk-charge',
  title: 'Who pays: charging policies',
  description: 'Memory faulted into an mshare region is allocated in the host mm, which no task runs, so whose cgroup pays? charge=faulter bills the task that faulted (Yznaga\'s PATCH v1, January 2025); charge=owner bills the region\'s owner (PATCH v3, August 2025).',
  source: `machine ram=128M
## 1. Two cgroups
mount msharefs
cgroup owners
cgroup users
spawn a
a: join owners
spawn b
b: join users
note a creates the regions (cgroup owners); b only uses them (cgroup users).

## 2. charge=faulter: the task that faults pays
policy charge=faulter
a: open /sys/fs/mshare/one create as F
a: mmap 0x10000000000 512G rw shared fd=F as one
a: mmap 0x10000000000 4M rw shared,anon,fixed
b: open /sys/fs/mshare/one as F
b: mmap 0x10000000000 512G rw shared fd=F as one
b: touch one 4M write
note b faulted: 4 MiB of shmem and the host's PUD, PMD and 2 PTE pages are billed to users.
expect cgroup.users.current == 4112K
expect cgroup.users.pagetables == 16K
note owners paid only for the host mm's PGD, allocated when a created the region.
expect cgroup.owners.current == 4K
expect b.VmRSS == 0

## 3. charge=owner: the region's owner pays
policy charge=owner
a: open /sys/fs/mshare/two create as G
a: mmap 0x20000000000 512G rw shared fd=G as two
a: mmap 0x20000000000 4M rw shared,anon,fixed
b: open /sys/fs/mshare/two as G
b: mmap 0x20000000000 512G rw shared fd=G as two
b: touch two 4M write
note The same faults by b, billed to the owner's cgroup: users did not grow.
expect cgroup.users.current == 4112K
expect cgroup.owners.pagetables == 24K
expect cgroup.owners.current == 4120K
`,
};

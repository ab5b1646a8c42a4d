import type { BuiltinScenario } from './types';

/** M12 and the charge toggle: who pays for pages and page tables faulted into the host mm. */
export const mshareCharge: BuiltinScenario = {
  id: 'mshare-charge',
  title: 'accounting: charge=faulter vs charge=owner',
  description: 'Memory faulted into an mshare region is allocated in the host mm, which no task runs. charge=faulter bills the faulting task\'s cgroup (Yznaga\'s PATCH v1, January 2025, and this machine\'s default); charge=owner bills the region owner\'s (PATCH v3, August 2025).',
  source: `## Two cgroups
mount msharefs
cgroup owners
cgroup users
spawn a
a: join owners
spawn b
b: join users

## charge=faulter
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
note owners paid only for the host mm's PGD, allocated when a created the file.
expect cgroup.owners.current == 4K
expect b.VmRSS == 0
expect mshare./sys/fs/mshare/one.rss == 4M

## charge=owner
policy charge=owner
a: open /sys/fs/mshare/two create as G
a: mmap 0x20000000000 512G rw shared fd=G as two
a: mmap 0x20000000000 4M rw shared,anon,fixed
b: open /sys/fs/mshare/two as G
b: mmap 0x20000000000 512G rw shared fd=G as two
b: touch two 4M write
note The same faults by b, billed to the owner's cgroup (set_active_memcg, M12).
expect cgroup.users.current == 4112K
note owners: two host PGDs, the second host's PUD, PMD and 2 PTE pages, and 4 MiB of shmem.
expect cgroup.owners.pagetables == 24K
expect cgroup.owners.current == 4120K
`,
};

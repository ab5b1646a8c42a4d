import type { BuiltinScenario } from './types';

/** R12, R15: a shared file mapping is not copied at fork; the child faults it in lazily, same frames. */
export const sharedFileFork: BuiltinScenario = {
  id: 'shared-file-fork',
  title: 'shared file mapping after fork',
  description: 'fork() copies no page tables for a MAP_SHARED file mapping (no anon_vma, R15): the child starts with none and faults the same page-cache pages in lazily.',
  source: `## A tmpfs file mapped shared
file /data 8M
spawn p
p: mmap 0x40000000 8M rw shared file=/data as data
p: touch data 8M read
note tmpfs pages are shmem (RssShmem); four PTE pages map 8 MiB.
expect p.RssShmem == 8M
expect p.VmPTE == 24K
expect meminfo.Shmem == 8M

## fork copies nothing
p: fork as c
note vma_needs_copy() is false for a shared file VMA: the child gets the VMA, not the tables.
expect c.VmPTE == 0
expect c.VmRSS == 0
expect c.VmSize == 8M

## The child faults lazily
c: read data
note One read fault maps the page and, by fault-around, its 15 neighbours (64 KiB).
expect c.RssShmem == 64K
expect c.VmPTE == 12K
expect same-page p:data c:data
c: write data+4M 99
p: read data+4M
expect last == 99
expect same-page p:data+4M c:data+4M
expect meminfo.Shmem == 8M
`,
};

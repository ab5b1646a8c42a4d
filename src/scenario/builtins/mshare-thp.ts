import type { BuiltinScenario } from './types';

/** M21: THP in an mshare region only with shmem_thp=always; MADV_HUGEPAGE on the msharefs VMA does nothing. */
export const mshareThp: BuiltinScenario = {
  id: 'mshare-thp',
  title: 'mshare and transparent huge pages',
  description: 'With shmem_thp=advise, MADV_HUGEPAGE turns a plain shared mapping into 2 MiB PMD mappings, but on an msharefs VMA it changes nothing: faults in the region are handled against the host mm\'s VMA, which never gets the flag (M21). Only shmem_thp=always, or an ioctl, would give a region huge pages.',
  source: `machine shmem_thp=advise
## A plain shared mapping takes the advice
spawn a
a: mmap auto 4M rw shared,anon as plain
a: madvise plain 4M hugepage
a: touch plain 4M write
note Two 2 MiB folios, two PMD entries, no PTE page.
expect meminfo.ShmemPmdMapped == 4M
expect a.VmPTE == 8K

## An msharefs region does not
mount msharefs
a: open /sys/fs/mshare/sga create as F
a: mmap 0x10000000000 512G rw shared fd=F as sga
a: mmap 0x10000000000 8M rw shared,anon,fixed
a: madvise sga 8M hugepage
expect last.value == 0
note madvise succeeded, but on a's msharefs VMA: the pages are faulted in through the host's VMA, which has no VM_HUGEPAGE (M21).
a: touch sga 8M write
expect meminfo.ShmemPmdMapped == 4M
note The host's tables: a PUD page, a PMD page and four PTE pages of 4 KiB entries.
expect mshare./sys/fs/mshare/sga.pte == 24K
`,
};

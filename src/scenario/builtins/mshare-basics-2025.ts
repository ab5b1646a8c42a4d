import type { BuiltinScenario } from './types';

/** §2 (PATCH v3): ftruncate sets the size, ioctl places objects, attach anywhere 512 GiB-aligned. */
export const mshare2025: BuiltinScenario = {
  id: 'mshare-basics-2025',
  title: 'mshare basics (2025 PATCH v3)',
  description: 'The latest posted API: ftruncate sets the region size (a multiple of 512 GiB), ioctl(MSHAREFS_CREATE_MAPPING) places memory in the host mm, and processes attach with mmap, the kernel choosing the address.',
  source: `machine mshare=2025
## Create the region
mount msharefs
spawn db0
db0: open /sys/fs/mshare/sga create as F
db0: ftruncate F 512G
db0: ioctl F create_mapping 0 64M rw
note CREATE_MAPPING runs an mmap in the host mm (M3); no process table changes.
db0: mmap auto 512G rw shared fd=F as sga
expect last.addr > 0
db0: touch sga 64M write
expect db0.VmPTE == 0
expect mshare./sys/fs/mshare/sga.pte == 136K
expect mshare./sys/fs/mshare/sga.rss == 64M

## A second process
spawn db1
db1: open /sys/fs/mshare/sga as F
db1: mshare_info F
expect last.size == 512G
db1: mmap auto 512G rw shared fd=F as sga
db1: touch sga 64M read
expect db1.VmPTE == 0
expect db1.VmRSS == 0
expect same-page db0:sga+4M db1:sga+4M
expect mshare./sys/fs/mshare/sga.sharers == 2

## What v3 refuses
db1: mprotect sga 4K r
note mprotect on an msharefs VMA is EINVAL in v3 (mprotect=einval, the 2025 default).
expect last == EINVAL
db1: munmap sga 4K
note Partial munmap: EINVAL (vm_ops->may_split).
expect last == EINVAL
db1: mmap auto 512G rw private fd=F
expect last == EINVAL
expect meminfo.PageTables == 148K
`,
};

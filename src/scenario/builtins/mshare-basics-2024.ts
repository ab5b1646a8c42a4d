import type { BuiltinScenario } from './types';

/** §0, M1-M10, M18 in the LSFMM 2024 (2022 v2) design: msharefs file, mmap fixes the range. */
export const mshare2024: BuiltinScenario = {
  id: 'mshare-basics-2024',
  title: 'mshare basics (2024 design)',
  description: 'The msharefs design discussed at LSFMM 2024: the creator maps a file on msharefs over a 512 GiB-aligned range, what it maps inside moves into a host mm, and other processes attach at the same address. Their page tables for the region are the host\'s.',
  source: `machine mshare=2024
## Create the region
mount msharefs
spawn db0
db0: open /sys/fs/mshare/sga create as F
db0: mmap 0x10000000000 512G rw shared fd=F as sga
note The first mmap fixes start and size: one 512 GiB slot, one PGD entry.
db0: mmap 0x10000000000 64M rw shared,anon,fixed
note A mapping inside the region is created in the host mm, not in db0's.
db0: touch sga 64M write
expect db0.VmPTE == 0
expect db0.VmRSS == 0
expect mshare./sys/fs/mshare/sga.pte == 136K
expect mshare./sys/fs/mshare/sga.rss == 64M

## Another process attaches
spawn db1
db1: open /sys/fs/mshare/sga as F
db1: mshare_info F
expect last.start == 0x10000000000
expect last.size == 512G
db1: mmap 0x10000000000 512G rw shared fd=F as sga
note Attaching creates one VMA and no page-table entries (M4).
expect db1.VmPTE == 0
db1: touch sga 64M read
note The first fault copies the host's PGD entry into db1 (M7); after that db1 walks the host's tables.
expect db1.VmPTE == 0
expect db1.VmRSS == 0
expect same-page db0:sga db1:sga
expect same-page db0:sga+60M db1:sga+60M
expect mshare./sys/fs/mshare/sga.sharers == 2

## Page tables counted once
note PageTables: three PGDs (db0, db1, the host) and the host's 136 KiB.
expect meminfo.PageTables == 148K
expect mshare./sys/fs/mshare/sga.pte == 136K
`,
};

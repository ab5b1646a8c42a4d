import type { BuiltinScenario } from './types';

/** Talk pack: msharefs (2024 design) and the lazy link of a PGD entry to the host's PUD page (M4, M7). */
export const talkMshareLink: BuiltinScenario = {
  id: 'talk-mshare-link',
  title: 'How mshare links a PGD entry to a shared PUD page',
  description: 'The creator fills an msharefs region; a second process attaches with no page-table entries, and its first fault copies the host\'s PGD entry. After that the PUD page has several parents and exists once.',
  source: `machine ram=256M mshare=2024
## 1. The creator makes a region
mount msharefs
spawn db0
db0: open /sys/fs/mshare/sga create as F
db0: mmap 0x10000000000 512G rw shared fd=F as sga
note The region is one 512 GiB slot: exactly the range one PGD entry covers.
db0: mmap 0x10000000000 8M rw shared,anon,fixed
db0: touch sga 8M write
note Its pages, and the PUD, PMD and PTE pages that map them, belong to a host mm that no task runs.
expect db0.VmPTE == 0
expect mshare./sys/fs/mshare/sga.pte == 24K
expect meminfo.PageTables == 32K

## 2. A second process attaches
spawn db1
db1: open /sys/fs/mshare/sga as F
db1: mmap 0x10000000000 512G rw shared fd=F as sga
note Attaching adds one VMA to db1 and no page-table entries.
expect db1.VmPTE == 0
expect meminfo.PageTables == 36K

## 3. The first fault links the PGD entry
db1: read sga
note The fault copies the host's PGD entry into db1's PGD: db1 now walks the host's PUD page.
expect same-page db0:sga db1:sga
expect db1.VmPTE == 0
expect meminfo.PageTables == 36K

## 4. One PUD page, many parents
db1: touch sga 8M read
spawn db2
db2: open /sys/fs/mshare/sga as F
db2: mmap 0x10000000000 512G rw shared fd=F as sga
db2: touch sga 8M read
note Three processes' PGDs, and the host mm's, point at one PUD page; no process has a table of its own.
expect mshare./sys/fs/mshare/sga.sharers == 3
expect db2.VmPTE == 0
expect meminfo.PageTables == 40K
`,
};

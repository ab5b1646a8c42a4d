import type { BuiltinScenario } from './types';

/**
 * Talk pack, §5: the 1,500-process database three ways in one timeline (no sharing, hugetlb
 * PMD sharing, mshare), each act's clients exiting before the next, so the PageTables chart
 * shows the three peaks side by side: 205 MiB, 11.7 MiB, 6 MiB.
 */
export const talkPageTables: BuiltinScenario = {
  id: 'talk-page-tables',
  title: 'Why page tables outgrow shared memory',
  description: 'A database with one 64 MiB SGA and 1,500 clients, three ways in one timeline: without sharing, with hugetlb, with mshare. The PageTables chart shows the three peaks side by side: 205 MiB, 11.7 MiB, 6 MiB.',
  source: `machine ram=512M mshare=2024
## 1. A database: one 64 MiB SGA, 1,500 clients
note The SGA is shared memory. Every client maps it and reads all of it.
spawn db0
db0: mmap auto 64M rw shared,anon as sga
db0: touch sga 64M write
note 16,384 pages of 4 KiB need 32 PTE pages, a PMD and a PUD: 136 KiB of page tables.
expect db0.VmPTE == 136K
repeat 1500: db0: fork as db{i}
note fork copies no tables for a shared mapping: every client starts with only its PGD.
repeat 1500: db{i}: touch sga 64M read
note Every client filled its own copy of those 136 KiB.
expect db1500.VmPTE == 136K
expect same-page db1:sga db1500:sga

## 2. Page tables outgrow the memory they map
note 205 MiB of page tables for 64 MiB of shared data: more than three times the data.
expect meminfo.PageTables == 210140K
expect meminfo.Shmem == 64M
repeat 1500: db{i}: exit
db0: exit
note The clients exit and their page tables go with them.
expect meminfo.PageTables == 0

## 3. With hugetlb: 2 MiB pages and one shared PMD page
spawn huge0
huge0: mmap 0x40000000 1G rw shared,anon,hugetlb,noreserve as sga   # noreserve: no 1 GiB reservation at mmap, pages as touched
huge0: touch sga 64M write
repeat 1500: huge0: fork as huge{i}
repeat 1500: huge{i}: touch sga 64M read
note No PTE level, and one PMD page shared by all: what each client keeps is its PUD page.
expect huge1500.VmPTE == 8K
expect same-page huge1:sga+2M huge1500:sga+2M
expect meminfo.PageTables == 12012K
repeat 1500: huge{i}: exit
huge0: exit
expect meminfo.PageTables == 0

## 4. With mshare: one set of page tables
mount msharefs
spawn ms0
ms0: open /sys/fs/mshare/sga create as F
ms0: mmap 0x10000000000 512G rw shared fd=F as sga
ms0: mmap 0x10000000000 64M rw shared,anon,fixed
ms0: touch sga 64M write
repeat 1500: ms0: fork as ms{i}
repeat 1500: ms{i}: touch sga 64M read
note Every client links one PGD entry to the host's PUD page: its VmPTE stays 0.
expect ms1500.VmPTE == 0
expect same-page ms1:sga ms1500:sga
expect mshare./sys/fs/mshare/sga.sharers == 1501

## 5. Side by side
note PageTables at each peak: 205 MiB without sharing, 11.7 MiB with hugetlb, 6 MiB with mshare.
expect meminfo.PageTables == 6M
`,
};

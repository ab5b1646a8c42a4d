import type { BuiltinScenario } from './types';

/** §5 with hugetlb PMD sharing: 2 MiB leaves, one shared PMD page, one PUD page per process. */
export const databaseHugetlb: BuiltinScenario = {
  id: 'database-hugetlb',
  title: 'the 1,500-process database with hugetlb PMD sharing',
  description: 'The same clients with the SGA in hugetlb memory covering a whole 1 GiB unit: 2 MiB leaves remove the PTE level and the one PMD page is shared (H4). What remains per process is its PUD page.',
  source: `machine ram=512M
## The SGA in huge pages
spawn db0
db0: mmap 0x40000000 1G rw shared,anon,hugetlb,noreserve as sga   # noreserve: no 1 GiB reservation at mmap, pages as touched
db0: touch sga 64M write
expect db0.VmPTE == 8K

## 1,500 clients
repeat 1500: db0: fork as db{i}
repeat 1500: db{i}: touch sga 64M read
note Each client owns a PUD page and points it at db0's PMD page; every VmPTE counts the shared PMD page (H8).
expect db1.VmPTE == 8K
expect db1500.VmPTE == 8K
expect same-page db1:sga+2M db1500:sga+2M
expect meminfo.Hugetlb == 64M

## Page tables
note 1,501 PGDs + 1,501 PUD pages + 1 shared PMD page.
expect meminfo.PageTables == 12012K
`,
};

import type { BuiltinScenario } from './types';

/** §5 with shmem THP: 2 MiB folios remove the PTE level, but every process keeps its own PMD page. */
export const databaseShmemThp: BuiltinScenario = {
  id: 'database-shmem-thp',
  title: 'the 1,500-process database with shmem THP',
  description: 'The same clients with shmem_thp=always: each 2 MiB of the SGA is one folio mapped by one PMD entry, so no PTE pages at all; but nothing is shared below the PGD, so every client still owns a PUD and a PMD page. The "why not just use huge pages?" answer: 8 KiB of VmPTE per process instead of 136 KiB, where mshare makes it 0.',
  source: `machine ram=512M shmem_thp=always
## The SGA in shmem huge pages
spawn db0
db0: mmap auto 64M rw shared,anon as sga
db0: touch sga 64M write
note shmem_get_unmapped_area placed the SGA 2 MiB-aligned; every fault mapped a 2 MiB folio with one PMD entry.
expect meminfo.ShmemPmdMapped == 64M
expect db0.VmPTE == 8K

## 1,500 clients
repeat 1500: db0: fork as db{i}
repeat 1500: db{i}: touch sga 64M read
note Each client maps the same 32 folios with 32 PMD entries of its own: a PUD page and a PMD page per process, nothing shared.
expect db1.VmPTE == 8K
expect db1500.VmPTE == 8K
expect same-page db1:sga+2M db1500:sga+2M

## Page tables
note 1,501 PGDs + 1,501 PUD pages + 1,501 PMD pages: 17.6 MiB, against 205 MiB without huge pages and 6 MiB with mshare.
expect meminfo.PageTables == 18012K
`,
};

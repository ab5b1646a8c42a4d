import type { BuiltinScenario } from './types';

/** §5: 1,500 processes each mapping a 64 MiB shared area keep 1,500 copies of its page tables. */
export const databaseNoSharing: BuiltinScenario = {
  id: 'database-no-sharing',
  title: 'the 1,500-process database, without sharing',
  description: 'The Oracle case scaled down: one 64 MiB shared area (the SGA), 1,500 processes reading all of it. Each keeps its own 136 KiB of page tables; together they are three times the area itself.',
  source: `machine ram=512M
## The SGA
spawn db0
db0: mmap auto 64M rw shared,anon as sga
db0: touch sga 64M write
note Shared anonymous memory is shmem. 16,384 pages need 32 PTE pages, 1 PMD and 1 PUD: 136 KiB.
expect db0.VmPTE == 136K
expect meminfo.Shmem == 64M

## 1,500 clients
repeat 1500: db0: fork as db{i}
note fork copies no tables for a shared mapping (R15): every client starts with only its PGD.
expect db1.VmPTE == 0
repeat 1500: db{i}: touch sga 64M read
note Every client faults the same 16,384 pages into its own page tables.
expect db1.VmPTE == 136K
expect db1500.VmPTE == 136K
expect db1500.RssShmem == 64M
expect same-page db1:sga db1500:sga+0

## Page tables outgrow the memory they map
note 1,501 x (136 KiB + a 4 KiB PGD) = 205 MiB of page tables for 64 MiB of data (§5: N > 511 is past break-even).
expect meminfo.Shmem == 64M
expect meminfo.PageTables == 210140K
expect meminfo.PageTables > 192M
`,
};

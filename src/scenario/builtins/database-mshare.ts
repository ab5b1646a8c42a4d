import type { BuiltinScenario } from './types';

/** §5 with mshare: the region's page tables exist once, in the host mm, whatever the number of processes. */
export const databaseMshare: BuiltinScenario = {
  id: 'database-mshare',
  title: 'the 1,500-process database with mshare',
  description: 'The same 64 MiB SGA and 1,500 clients, the SGA in an msharefs region: every client links one PGD entry to the host\'s PUD page. The region\'s page tables exist once: 136 KiB instead of 200 MiB.',
  source: `machine ram=512M mshare=2024
## The SGA in an mshare region
mount msharefs
spawn db0
db0: open /sys/fs/mshare/sga create as F
db0: mmap 0x10000000000 512G rw shared fd=F as sga
db0: mmap 0x10000000000 64M rw shared,anon,fixed
db0: touch sga 64M write
expect mshare./sys/fs/mshare/sga.pte == 136K

## 1,500 clients
repeat 1500: db0: fork as db{i}
note A forked child inherits the msharefs VMA without tables (M17) and links on its first fault.
expect db1.VmPTE == 0
repeat 1500: db{i}: touch sga 64M read
expect db1.VmPTE == 0
expect db1500.VmPTE == 0
expect db1500.VmRSS == 0
expect same-page db1:sga db1500:sga
expect mshare./sys/fs/mshare/sga.sharers == 1501
expect mshare./sys/fs/mshare/sga.rss == 64M

## Page tables counted once
note 1,501 PGDs, the host's PGD and its 136 KiB: 6 MiB in all, against 205 MiB without sharing.
expect meminfo.PageTables == 6M
`,
};

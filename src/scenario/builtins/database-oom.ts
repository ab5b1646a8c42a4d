import type { BuiltinScenario } from './types';

/** The same database on a smaller machine: page tables alone exhaust RAM and the OOM killer fires. */
export const databaseOom: BuiltinScenario = {
  id: 'database-oom',
  title: 'the 1,500-process database runs out of memory',
  description: 'The same 1,500 clients on a 256 MiB machine: the 64 MiB area fits, its 1,500 copies of page tables do not. The OOM killer starts killing clients, the Oracle crash in miniature.',
  source: `machine ram=256M
## The SGA
spawn db0
db0: mmap auto 64M rw shared,anon as sga
db0: touch sga 64M write
expect db0.VmPTE == 136K

## 1,500 clients on 256 MiB
repeat 1500: db0: fork as db{i}
repeat 1500: db{i}: touch sga 64M read
note Client 1,393 finds no free memory: from then on almost every client's page tables cost another process its life.

## The OOM killer fired
note 104 processes killed. Every full client has the same badness (RSS plus page tables); on a tie Linux kills the youngest, so each new client's tables cost the client before it its life.
expect db0 running
expect db1391 running
expect db1392 killed SIGKILL
expect db1393 killed SIGKILL
note A kill frees 35 pages (34 table pages and a PGD); a client needs 34, so every 35th client finds room without a kill.
expect db1394 running
expect db1498 killed SIGKILL
expect db1499 running
expect db1500 running
expect db1500.VmPTE == 136K
expect meminfo.Shmem == 64M
expect meminfo.PageTables > 180M
`,
};

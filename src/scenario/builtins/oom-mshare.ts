import type { BuiltinScenario } from './types';

/** The OOM question (§4): page tables can OOM a cgroup without sharing; with mshare they are paid once. */
export const oomMshare: BuiltinScenario = {
  id: 'oom-mshare',
  title: 'the OOM killer with and without mshare',
  description: 'Twenty clients of a 16 MiB area in a cgroup limited to 16.25 MiB. Without sharing, each client adds 40 KiB of page tables and the cgroup\'s OOM killer starts killing them. With mshare the tables are paid once and every client survives.',
  source: `## Without sharing
cgroup plain limit=16640K
spawn p0
p0: join plain
p0: mmap auto 16M rw shared,anon as sga
p0: touch sga 16M write
repeat 20: p0: fork as p{i}
repeat 20: p{i}: touch sga 16M read
note Each client needs 8 PTE pages, a PMD and a PUD page (40 KiB); the limit leaves room for three clients' tables. From the fourth on, almost every client's tables cost the youngest full client its life (equal badness: Linux kills the youngest).
note A kill also frees the victim's PGD, one page more than a client needs: after six kills p10 fits without one, so the next client kills p10, not p9, which survives.
expect p2 running
expect p3 killed SIGKILL
expect p9 running
expect p10 killed SIGKILL
expect p19 killed SIGKILL
expect p20 running
expect p20.VmPTE == 40K

## With mshare
mount msharefs
cgroup shared limit=16640K
spawn m0
m0: join shared
m0: open /sys/fs/mshare/sga create as F
m0: mmap 0x10000000000 512G rw shared fd=F as sga
m0: mmap 0x10000000000 16M rw shared,anon,fixed
m0: touch sga 16M write
repeat 20: m0: fork as m{i}
repeat 20: m{i}: touch sga 16M read
note The clients link to the host's tables: no allocation, no OOM.
expect m0 running
expect m1 running
expect m20 running
expect m20.VmPTE == 0
expect mshare./sys/fs/mshare/sga.sharers == 21
`,
};

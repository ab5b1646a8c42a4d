/** The scenario the app runs on first open when no built-in with "mshare" in its id exists. */
export const DEFAULT_SCENARIO = `## mshare basics: one set of page tables for many processes
machine ram=256M cpus=2
note db0 creates an msharefs region (the LSFMM 2024 design) and fills 8 MiB of it
mount msharefs
spawn db0
db0: open /sys/fs/mshare/sga create as sga
db0: mmap 0x10000000000 512G rw shared fd=sga as sga
db0: mmap 0x10000000000 8M rw shared,anon,fixed
db0: touch sga 8M write
## Two more processes attach
note db1 and db2 map the same file: their PGD entry points at the host's PUD page
spawn db1
db1: open /sys/fs/mshare/sga as sga
db1: mshare_info sga
db1: mmap 0x10000000000 512G rw shared fd=sga as sga
db1: read sga
spawn db2
db2: open /sys/fs/mshare/sga as sga
db2: mmap 0x10000000000 512G rw shared fd=sga as sga
db2: write sga+4K 42
## Private memory for comparison
note a private heap is not shared: db1 gets its own PUD, PMD and PTE pages for it
db1: mmap auto 1M rw private,anon as heap
db1: touch heap 1M write
db0: fork as db3
expect mshare./sys/fs/mshare/sga.sharers == 4
expect db1.VmPTE < 64K
`;

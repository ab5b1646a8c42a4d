/*
 * fork.c - real-kernel cost of fork() for a process with touched anonymous
 * memory.
 *
 *   fork [--gib G | --mib M] [--reps R]
 *
 * Maps G GiB (default 1) MAP_PRIVATE|MAP_ANONYMOUS with MADV_NOHUGEPAGE and
 * writes one byte per 4 KiB page, so every page is present and mapped by a
 * 4 KiB PTE. Then R times (after one untimed warm-up): fork(); the child
 * _exit(0)s at once; the parent waits. Timed separately:
 *   fork_ms            - the fork() call as seen by the parent (copying the
 *                        page tables: copy_page_range, COW write-protect)
 *   fork_exit_wait_ms  - fork() + child exit (tearing those tables down) +
 *                        waitpid
 *   fork_cpu_ms        - the parent's CPU time (CLOCK_THREAD_CPUTIME_ID) in
 *                        fork(): insensitive to preemption by other load
 * The same is measured before the region is mapped (baseline_*) so the
 * per-GiB cost can be reported both gross and net of the fixed fork cost.
 *
 * Prints ONE line of JSON on stdout.
 */
#include "common.h"

#include <sys/mman.h>
#include <sys/wait.h>

static const char *PROG = "fork";

static long vm_pte_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return -1;
    char line[256];
    long v = -1;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, "VmPTE:", 6)) {
            v = strtol(line + 6, NULL, 10);
            break;
        }
    fclose(f);
    return v;
}

/* One fork of the current process; returns fork() and total time in ns. */
static void one_fork(uint64_t *fork_ns, uint64_t *total_ns, uint64_t *cpu)
{
    fflush(stdout);
    uint64_t c0 = cpu_ns(), t0 = now_ns();
    pid_t pid = fork();
    if (pid == 0)
        _exit(0);
    uint64_t t1 = now_ns(), c1 = cpu_ns();
    if (pid < 0)
        die_json(PROG, "fork failed: %s", strerror(errno));
    int st;
    if (waitpid(pid, &st, 0) != pid)
        die_json(PROG, "waitpid failed: %s", strerror(errno));
    uint64_t t2 = now_ns();
    *fork_ns = t1 - t0;
    *total_ns = t2 - t0;
    *cpu = c1 - c0;
}

static void run_forks(int reps, double *fork_ms, double *total_ms,
                      double *cpu_ms)
{
    uint64_t f, t, c;
    one_fork(&f, &t, &c); /* warm-up */
    for (int r = 0; r < reps; r++) {
        one_fork(&f, &t, &c);
        fork_ms[r] = (double)f / 1e6;
        total_ms[r] = (double)t / 1e6;
        cpu_ms[r] = (double)c / 1e6;
    }
}

int main(int argc, char **argv)
{
    long mib = 1024, reps = 9;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (i + 1 >= argc)
            die_json(PROG, "unknown or incomplete argument '%s'", a);
        if (!strcmp(a, "--gib"))
            mib = parse_pos(PROG, a, argv[++i]) * 1024;
        else if (!strcmp(a, "--mib"))
            mib = parse_pos(PROG, a, argv[++i]);
        else if (!strcmp(a, "--reps"))
            reps = parse_pos(PROG, a, argv[++i]);
        else
            die_json(PROG, "unknown argument '%s'", a);
    }
    if (reps > 1000)
        die_json(PROG, "too many reps");
    long avail = meminfo_kb("MemAvailable");
    if (avail > 0 && mib * 1024 > avail * 3 / 4)
        die_json(PROG, "%ld MiB requested but only %ld MiB available", mib,
                 avail / 1024);

    double *bf = calloc((size_t)reps, sizeof(double));
    double *bt = calloc((size_t)reps, sizeof(double));
    double *ff = calloc((size_t)reps, sizeof(double));
    double *ft = calloc((size_t)reps, sizeof(double));
    double *bc = calloc((size_t)reps, sizeof(double));
    double *fc = calloc((size_t)reps, sizeof(double));

    long pte0 = vm_pte_kb();
    run_forks((int)reps, bf, bt, bc);

    size_t len = (size_t)mib * 1024 * 1024, pages = len / BENCH_PAGE;
    char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        die_json(PROG, "mmap of %ld MiB failed: %s", mib, strerror(errno));
    madvise(p, len, MADV_NOHUGEPAGE);
    uint64_t t0 = now_ns();
    for (size_t i = 0; i < pages; i++)
        ((volatile char *)p)[i * BENCH_PAGE] = 1;
    uint64_t touch_ns = now_ns() - t0;
    long pte1 = vm_pte_kb();

    run_forks((int)reps, ff, ft, fc);
    munmap(p, len);

    struct stats sbf = stats_of(bf, (size_t)reps);
    struct stats sbt = stats_of(bt, (size_t)reps);
    struct stats sff = stats_of(ff, (size_t)reps);
    struct stats sft = stats_of(ft, (size_t)reps);
    struct stats sbc = stats_of(bc, (size_t)reps);
    struct stats sfc = stats_of(fc, (size_t)reps);
    double gib = (double)mib / 1024.0;

    printf("{\"program\":\"fork\",\"mib\":%ld,\"gib\":%.6g,\"pages\":%zu,"
           "\"reps\":%ld,",
           mib, gib, pages, reps);
    json_stats(stdout, "fork_ms", sff);
    putchar(',');
    json_stats(stdout, "fork_exit_wait_ms", sft);
    putchar(',');
    json_stats(stdout, "baseline_fork_ms", sbf);
    putchar(',');
    json_stats(stdout, "baseline_fork_exit_wait_ms", sbt);
    putchar(',');
    json_stats(stdout, "fork_cpu_ms", sfc);
    putchar(',');
    json_stats(stdout, "baseline_fork_cpu_ms", sbc);
    printf(",\"fork_ms_per_gib\":%.6g,\"fork_exit_wait_ms_per_gib\":%.6g,"
           "\"net_fork_ms_per_gib\":%.6g,\"net_fork_exit_wait_ms_per_gib\":%.6g,"
           "\"fork_cpu_ms_per_gib\":%.6g,"
           "\"touch_ms\":%.6g,\"parent_vmpte_kb\":{\"before\":%ld,\"after\":%ld},",
           sff.median / gib, sft.median / gib, (sff.median - sbf.median) / gib,
           (sft.median - sbt.median) / gib, sfc.median / gib,
           (double)touch_ns / 1e6, pte0, pte1);
    json_env(stdout);
    printf("}\n");
    return 0;
}

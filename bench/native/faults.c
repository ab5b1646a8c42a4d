/*
 * faults.c - real-kernel page-fault throughput baselines.
 *
 *   faults [--mib N] [--reps R] [--shmem-mib M] [--shmem-reps S]
 *
 * anon:   mmap(MAP_PRIVATE|MAP_ANONYMOUS) N MiB, write one byte per 4 KiB
 *         page (timed with CLOCK_MONOTONIC), munmap. Every write is a
 *         fault that allocates and zeroes a page. R timed repetitions after
 *         one untimed warm-up. MADV_NOHUGEPAGE keeps the faults at 4 KiB
 *         whatever the THP setting.
 * shmem:  a MAP_SHARED|MAP_ANONYMOUS region (shmem) of M MiB is populated
 *         once by this process writing every page (untimed). Then, S times,
 *         a forked child - a fresh mm with no PTEs for the region, since
 *         fork does not copy the page tables of shared mappings - reads one
 *         byte of every page and reports its time and its own ru_minflt
 *         delta through a pipe. Every page is already in the page cache,
 *         so each fault is a read fault with fault-around (typically 16
 *         pages mapped per fault). pages_per_sec counts pages touched;
 *         faults_per_sec counts the real minor faults.
 * shmem_memfd: the same read, in-process: a memfd populated through one
 *         mapping, then a second, fresh mapping of it is read and unmapped
 *         (a cross-check without fork in the way).
 *
 * Prints ONE line of JSON on stdout.
 */
#include "common.h"

#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>

static const char *PROG = "faults";

static long minflt_self(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_minflt;
}

static long minflt_children(void)
{
    struct rusage ru;
    getrusage(RUSAGE_CHILDREN, &ru);
    return ru.ru_minflt;
}

static void *map_or_die(size_t len, int prot, int flags, int fd)
{
    void *p = mmap(NULL, len, prot, flags, fd, 0);
    if (p == MAP_FAILED)
        die_json(PROG, "mmap of %zu bytes failed: %s", len, strerror(errno));
    /* Keep every fault a 4 KiB fault regardless of THP/mTHP settings. */
    madvise(p, len, MADV_NOHUGEPAGE);
    return p;
}

static void write_pages(volatile char *p, size_t pages)
{
    for (size_t i = 0; i < pages; i++)
        p[i * BENCH_PAGE] = (char)i;
}

static unsigned long read_pages(const volatile char *p, size_t pages)
{
    unsigned long sum = 0;
    for (size_t i = 0; i < pages; i++)
        sum += (unsigned char)p[i * BENCH_PAGE];
    return sum;
}

struct sample {
    uint64_t ns;     /* CLOCK_MONOTONIC */
    uint64_t cpu_ns; /* CLOCK_THREAD_CPUTIME_ID */
    long minflt;
};

/* One anonymous write pass over a fresh mapping. */
static struct sample anon_pass(size_t pages)
{
    size_t len = pages * BENCH_PAGE;
    char *p = map_or_die(len, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS, -1);
    long f0 = minflt_self();
    uint64_t c0 = cpu_ns(), t0 = now_ns();
    write_pages(p, pages);
    uint64_t t1 = now_ns(), c1 = cpu_ns();
    long f1 = minflt_self();
    munmap(p, len);
    return (struct sample){t1 - t0, c1 - c0, f1 - f0};
}

/* A forked child reads every page of the (populated) shared region. */
static struct sample shmem_child_pass(const char *region, size_t pages,
                                      long *children_minflt)
{
    int fds[2];
    if (pipe(fds) != 0)
        die_json(PROG, "pipe failed: %s", strerror(errno));
    fflush(stdout);
    long c0 = minflt_children();
    pid_t pid = fork();
    if (pid < 0)
        die_json(PROG, "fork failed: %s", strerror(errno));
    if (pid == 0) {
        close(fds[0]);
        struct sample s;
        long f0 = minflt_self();
        uint64_t c0 = cpu_ns(), t0 = now_ns();
        unsigned long sum = read_pages(region, pages);
        uint64_t t1 = now_ns(), c1 = cpu_ns();
        long f1 = minflt_self();
        s.ns = t1 - t0;
        s.cpu_ns = c1 - c0;
        s.minflt = f1 - f0;
        if (sum == 0xdeadbeefUL) /* keep the reads alive */
            s.minflt = -s.minflt;
        ssize_t w = write(fds[1], &s, sizeof s);
        _exit(w == (ssize_t)sizeof s ? 0 : 1);
    }
    close(fds[1]);
    struct sample s = {0, 0, 0};
    ssize_t r = read(fds[0], &s, sizeof s);
    close(fds[0]);
    int st;
    waitpid(pid, &st, 0);
    if (r != (ssize_t)sizeof s || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
        die_json(PROG, "shmem reader child failed");
    *children_minflt = minflt_children() - c0;
    return s;
}

/* A fresh second mapping of a populated memfd is read in-process. */
static struct sample memfd_pass(int fd, size_t pages)
{
    size_t len = pages * BENCH_PAGE;
    char *p = map_or_die(len, PROT_READ, MAP_SHARED, fd);
    long f0 = minflt_self();
    uint64_t c0 = cpu_ns(), t0 = now_ns();
    unsigned long sum = read_pages(p, pages);
    uint64_t t1 = now_ns(), c1 = cpu_ns();
    long f1 = minflt_self();
    munmap(p, len);
    struct sample s = {t1 - t0, c1 - c0, f1 - f0};
    if (sum == 0xdeadbeefUL)
        s.minflt++;
    return s;
}

static void print_block(const char *key, size_t mib, size_t pages, int reps,
                        struct sample *s, const char *extra)
{
    double *pps = calloc((size_t)reps, sizeof(double));
    double *fps = calloc((size_t)reps, sizeof(double));
    double *flt = calloc((size_t)reps, sizeof(double));
    double *ms = calloc((size_t)reps, sizeof(double));
    double *cms = calloc((size_t)reps, sizeof(double));
    double *cpps = calloc((size_t)reps, sizeof(double));
    for (int i = 0; i < reps; i++) {
        double csec = (double)(s[i].cpu_ns ? s[i].cpu_ns : 1) / 1e9;
        cms[i] = (double)s[i].cpu_ns / 1e6;
        cpps[i] = (double)pages / csec;
        double sec = (double)s[i].ns / 1e9;
        pps[i] = (double)pages / sec;
        fps[i] = (double)s[i].minflt / sec;
        flt[i] = (double)s[i].minflt;
        ms[i] = (double)s[i].ns / 1e6;
    }
    struct stats sp = stats_of(pps, (size_t)reps);
    struct stats sf = stats_of(fps, (size_t)reps);
    struct stats sm = stats_of(flt, (size_t)reps);
    struct stats st = stats_of(ms, (size_t)reps);
    struct stats sc = stats_of(cms, (size_t)reps);
    struct stats scp = stats_of(cpps, (size_t)reps);
    printf("\"%s\":{\"mib\":%zu,\"pages\":%zu,\"reps\":%d,", key, mib, pages,
           reps);
    json_stats(stdout, "pages_per_sec", sp);
    putchar(',');
    json_stats(stdout, "faults_per_sec", sf);
    putchar(',');
    json_stats(stdout, "minflt", sm);
    putchar(',');
    json_stats(stdout, "ms", st);
    putchar(',');
    json_stats(stdout, "cpu_ms", sc);
    putchar(',');
    json_stats(stdout, "pages_per_cpu_sec", scp);
    printf(",\"pages_per_fault\":%.4g%s}",
           sm.median > 0 ? (double)pages / sm.median : 0.0, extra);
    free(pps);
    free(fps);
    free(flt);
    free(ms);
    free(cms);
    free(cpps);
}

int main(int argc, char **argv)
{
    long mib = 256, reps = 7, shmem_mib = -1, shmem_reps = -1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (i + 1 >= argc)
            die_json(PROG, "unknown or incomplete argument '%s'", a);
        if (!strcmp(a, "--mib"))
            mib = parse_pos(PROG, a, argv[++i]);
        else if (!strcmp(a, "--reps"))
            reps = parse_pos(PROG, a, argv[++i]);
        else if (!strcmp(a, "--shmem-mib"))
            shmem_mib = parse_pos(PROG, a, argv[++i]);
        else if (!strcmp(a, "--shmem-reps"))
            shmem_reps = parse_pos(PROG, a, argv[++i]);
        else
            die_json(PROG, "unknown argument '%s'", a);
    }
    if (shmem_mib < 0)
        shmem_mib = mib;
    if (shmem_reps < 0)
        shmem_reps = reps;
    if (mib > 65536 || shmem_mib > 65536 || reps > 1000 || shmem_reps > 1000)
        die_json(PROG, "parameters too large");

    size_t pages = (size_t)mib * 1024 * 1024 / BENCH_PAGE;
    size_t spages = (size_t)shmem_mib * 1024 * 1024 / BENCH_PAGE;
    size_t slen = spages * BENCH_PAGE;

    /* anon write faults */
    struct sample *anon = calloc((size_t)reps, sizeof *anon);
    anon_pass(pages); /* warm-up: page allocator, PTE page caches */
    for (long r = 0; r < reps; r++)
        anon[r] = anon_pass(pages);

    /* shmem read faults from a forked child */
    char *region = map_or_die(slen, PROT_READ | PROT_WRITE,
                              MAP_SHARED | MAP_ANONYMOUS, -1);
    write_pages(region, spages); /* populate the page cache, untimed */
    struct sample *shm = calloc((size_t)shmem_reps, sizeof *shm);
    double *cflt = calloc((size_t)shmem_reps, sizeof(double));
    for (long r = 0; r < shmem_reps; r++) {
        long c = 0;
        shm[r] = shmem_child_pass(region, spages, &c);
        cflt[r] = (double)c;
    }
    struct stats sc = stats_of(cflt, (size_t)shmem_reps);
    munmap(region, slen);

    /* shmem read faults through a second mapping of a memfd */
    int fd = memfd_create("faults-bench", MFD_CLOEXEC);
    struct sample *mfd = NULL;
    if (fd >= 0 && ftruncate(fd, (off_t)slen) == 0) {
        char *w = map_or_die(slen, PROT_READ | PROT_WRITE, MAP_SHARED, fd);
        write_pages(w, spages);
        mfd = calloc((size_t)shmem_reps, sizeof *mfd);
        for (long r = 0; r < shmem_reps; r++)
            mfd[r] = memfd_pass(fd, spages);
        munmap(w, slen);
    }
    if (fd >= 0)
        close(fd);

    printf("{\"program\":\"faults\",");
    print_block("anon", (size_t)mib, pages, (int)reps, anon, "");
    putchar(',');
    char extra[256];
    snprintf(extra, sizeof extra,
             ",\"children_minflt\":{\"median\":%.6g,\"min\":%.6g,"
             "\"max\":%.6g}",
             sc.median, sc.min, sc.max);
    print_block("shmem", (size_t)shmem_mib, spages, (int)shmem_reps, shm,
                extra);
    putchar(',');
    if (mfd)
        print_block("shmem_memfd", (size_t)shmem_mib, spages, (int)shmem_reps,
                    mfd, "");
    else
        printf("\"shmem_memfd\":null");
    putchar(',');
    json_env(stdout);
    printf("}\n");
    return 0;
}

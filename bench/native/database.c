/*
 * database.c - the "1,500 database processes" case, WITHOUT page-table
 * sharing, on the real kernel.
 *
 *   database [N] [--mib M] [--no-pt-sample] [--max-alive K] [--timeout S]
 *
 * A shared region of M MiB (default 64; MAP_SHARED|MAP_ANONYMOUS, i.e.
 * shmem) is populated once by this process. Then N processes (default 1500)
 * are forked; each reads one byte of every 4 KiB page of the whole region
 * (building its own PTEs for it: fork does not copy the page tables of
 * shared mappings), then exits. The parent waits for all of them.
 *
 * Default mode "all_alive": each child, after its reads, signals readiness
 * on a pipe and blocks on a second pipe. When all N are ready the parent
 * samples PageTables in /proc/meminfo (the peak: N private copies of the
 * region's page tables) and VmPTE of one child, then releases them all by
 * closing the pipe. The blocked children sleep, so this is not a fork bomb;
 * the limits are checked first and a JSON error is printed if N processes
 * cannot exist at once.
 *
 * --no-pt-sample: children exit right after reading (no peak sample);
 * with --max-alive K at most K children exist at a time.
 *
 * wall_ms runs from just before the first fork to the last waitpid;
 * children_cpu_ms (their summed user+system time) and parent_cpu_ms (this
 * process, mostly fork()) are less sensitive to other load on the machine.
 * Prints ONE line of JSON on stdout.
 */
#include "common.h"

#include <dirent.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

static const char *PROG = "database";

/* Tasks (threads) on the system, from /proc/loadavg's "running/total". */
static long total_tasks(void)
{
    char line[256];
    read_line("/proc/loadavg", line, sizeof line);
    char *slash = strchr(line, '/');
    return slash ? strtol(slash + 1, NULL, 10) : -1;
}

/* Threads whose /proc entry belongs to uid (RLIMIT_NPROC counts threads). */
static long tasks_of_uid(uid_t uid)
{
    DIR *d = opendir("/proc");
    if (!d)
        return -1;
    long n = 0;
    struct dirent *e;
    char path[300];
    while ((e = readdir(d))) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        struct stat st;
        snprintf(path, sizeof path, "/proc/%s", e->d_name);
        if (stat(path, &st) != 0 || st.st_uid != uid)
            continue;
        snprintf(path, sizeof path, "/proc/%s/task", e->d_name);
        struct stat ts;
        /* a task dir's link count is 2 + number of threads */
        n += (stat(path, &ts) == 0 && ts.st_nlink > 2) ? (long)ts.st_nlink - 2
                                                       : 1;
    }
    closedir(d);
    return n;
}

/* pids cgroup limit headroom (max - current), or -1 if unlimited/unknown. */
static long pids_cgroup_headroom(char *where, size_t wlen)
{
    FILE *f = fopen("/proc/self/cgroup", "r");
    if (!f)
        return -1;
    char line[512], v1[400] = "", v2[400] = "";
    int have_v1 = 0, have_v2 = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (!c2)
            continue;
        *c2 = '\0';
        const char *ctrl = c1 + 1, *path = c2 + 1;
        if (strlen(path) >= sizeof v1)
            continue;
        if (!strcmp(ctrl, "pids")) {
            strcpy(v1, path);
            have_v1 = 1;
        } else if (!strcmp(ctrl, "") && !strncmp(line, "0", 1)) {
            strcpy(v2, path);
            have_v2 = 1;
        }
    }
    fclose(f);
    char dir[512], buf[64];
    if (have_v1)
        snprintf(dir, sizeof dir, "/sys/fs/cgroup/pids%s", v1);
    else if (have_v2)
        snprintf(dir, sizeof dir, "/sys/fs/cgroup%s", v2);
    else
        return -1;
    /* walk up: any ancestor's limit applies */
    long best = -1;
    for (;;) {
        char p[600];
        snprintf(p, sizeof p, "%s/pids.max", dir);
        read_line(p, buf, sizeof buf);
        if (buf[0] && strcmp(buf, "max") != 0) {
            long max = strtol(buf, NULL, 10);
            snprintf(p, sizeof p, "%s/pids.current", dir);
            read_line(p, buf, sizeof buf);
            long cur = buf[0] ? strtol(buf, NULL, 10) : 0;
            long room = max - cur;
            if (best < 0 || room < best) {
                best = room;
                snprintf(where, wlen, "%s", dir);
            }
        }
        char *slash = strrchr(dir, '/');
        if (!slash || slash - dir <= (long)strlen("/sys/fs/cgroup"))
            break;
        *slash = '\0';
    }
    return best;
}

static long proc_vmpte_kb(pid_t pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    long v = -1;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, "VmPTE:", 6)) {
            v = strtol(line + 6, NULL, 10);
            break;
        }
    fclose(f);
    return v;
}

static long read_long_file(const char *path)
{
    char buf[64];
    read_line(path, buf, sizeof buf);
    return buf[0] ? strtol(buf, NULL, 10) : -1;
}

/* Child-side failure before/while forking: release and reap, then die. */
static pid_t *g_pids;
static long g_forked;
static int g_go_w = -1;

static void abort_run(const char *fmt, const char *detail)
{
    if (g_go_w >= 0)
        close(g_go_w); /* releases every blocked child */
    g_go_w = -1;
    for (long i = 0; i < g_forked; i++) {
        if (g_pids[i] > 0) {
            kill(g_pids[i], SIGKILL);
            waitpid(g_pids[i], NULL, 0);
        }
    }
    die_json(PROG, fmt, detail);
}

int main(int argc, char **argv)
{
    long n = 1500, mib = 64, max_alive = 0, timeout_s = 300;
    int sample = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--no-pt-sample")) {
            sample = 0;
        } else if (!strcmp(a, "--mib") && i + 1 < argc) {
            mib = parse_pos(PROG, a, argv[++i]);
        } else if (!strcmp(a, "--max-alive") && i + 1 < argc) {
            max_alive = parse_pos(PROG, a, argv[++i]);
        } else if (!strcmp(a, "--timeout") && i + 1 < argc) {
            timeout_s = parse_pos(PROG, a, argv[++i]);
        } else if (a[0] >= '0' && a[0] <= '9') {
            n = parse_pos(PROG, "N", a);
        } else {
            die_json(PROG, "unknown or incomplete argument '%s'", a);
        }
    }
    if (max_alive && sample)
        die_json(PROG, "--max-alive needs --no-pt-sample (the PageTables "
                       "peak sample needs all N children alive at once)");
    if (n > 100000)
        die_json(PROG, "N=%ld is beyond what this benchmark supports", n);
    if (mib > 4096)
        die_json(PROG, "--mib %ld is too large", mib);
    long alive = sample ? n : (max_alive ? (max_alive < n ? max_alive : n) : n);

    /* ---- preflight: can `alive` extra processes exist at once? ---- */
    const long margin = 64;
    long tasks = total_tasks();
    long pid_max = read_long_file("/proc/sys/kernel/pid_max");
    long threads_max = read_long_file("/proc/sys/kernel/threads-max");
    struct rlimit rl;
    getrlimit(RLIMIT_NPROC, &rl);
    long nproc_lim = rl.rlim_cur == RLIM_INFINITY ? -1 : (long)rl.rlim_cur;
    long mine = -1;
    if (nproc_lim >= 0 && geteuid() != 0) { /* root is exempt */
        mine = tasks_of_uid(getuid());
        if (mine >= 0 && mine + alive + margin > nproc_lim)
            die_json(PROG,
                     "RLIMIT_NPROC=%ld too low: %ld of this user's tasks + "
                     "%ld children would exceed it",
                     nproc_lim, mine, alive);
    }
    if (pid_max > 0 && tasks >= 0 && tasks + alive + margin > pid_max)
        die_json(PROG, "pid_max=%ld too low for %ld more processes (%ld tasks "
                       "exist)", pid_max, alive, tasks);
    if (threads_max > 0 && tasks >= 0 && tasks + alive + margin > threads_max)
        die_json(PROG, "threads-max=%ld too low for %ld more processes",
                 threads_max, alive);
    char cg[600] = "";
    long cg_room = pids_cgroup_headroom(cg, sizeof cg);
    if (cg_room >= 0 && alive + margin > cg_room)
        die_json(PROG, "pids cgroup %s allows only %ld more tasks, need %ld",
                 cg, cg_room, alive + margin);
    /* memory: PTE pages (2 kB per MiB of region) + kernel stack, task, mm,
     * upper page-table levels and a few COWed user pages: ~256 kB more */
    long kb_per_child = mib * 2 + 256;
    long avail = meminfo_kb("MemAvailable");
    if (avail > 0 && alive * kb_per_child > avail / 2)
        die_json(PROG, "%ld processes need ~%ld MiB, only %ld MiB available",
                 alive, alive * kb_per_child / 1024, avail / 1024);

    /* ---- the shared region, populated once ---- */
    size_t len = (size_t)mib * 1024 * 1024, pages = len / BENCH_PAGE;
    char *region = mmap(NULL, len, PROT_READ | PROT_WRITE,
                        MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (region == MAP_FAILED)
        die_json(PROG, "mmap failed: %s", strerror(errno));
    madvise(region, len, MADV_NOHUGEPAGE);
    for (size_t i = 0; i < pages; i++)
        region[i * BENCH_PAGE] = (char)i;

    int ready[2] = {-1, -1}, go[2] = {-1, -1};
    if (sample && (pipe(ready) != 0 || pipe(go) != 0))
        die_json(PROG, "pipe failed: %s", strerror(errno));
    g_go_w = sample ? go[1] : -1;
    g_pids = calloc((size_t)n, sizeof *g_pids);
    if (!g_pids)
        die_json(PROG, "out of memory");

    long pt_before = meminfo_kb("PageTables");
    struct rusage ru0;
    getrusage(RUSAGE_CHILDREN, &ru0);
    fflush(stdout);
    fflush(stderr);

    uint64_t t0 = now_ns();
    long live = 0;
    for (long i = 0; i < n; i++) {
        if (!sample && max_alive && live >= max_alive) {
            if (waitpid(-1, NULL, 0) > 0)
                live--;
        }
        pid_t pid = fork();
        if (pid < 0) {
            char msg[128];
            snprintf(msg, sizeof msg, "%ld of %ld: %s", i, n, strerror(errno));
            abort_run("fork failed after %s", msg);
        }
        if (pid == 0) {
            unsigned long sum = 0;
            const volatile char *p = region;
            for (size_t k = 0; k < pages; k++)
                sum += (unsigned char)p[k * BENCH_PAGE];
            if (sample) {
                close(ready[0]);
                close(go[1]);
                char c = (char)(sum | 1);
                if (write(ready[1], &c, 1) != 1)
                    _exit(3);
                while (read(go[0], &c, 1) > 0) /* EOF = released */
                    ;
            }
            _exit(0);
        }
        g_pids[i] = pid;
        g_forked = i + 1;
        live++;
    }
    uint64_t t_forked = now_ns();

    long pt_peak = -1, child_vmpte = -1;
    uint64_t t_ready = t_forked;
    if (sample) {
        close(ready[1]);
        close(go[0]);
        long got = 0;
        uint64_t deadline = t0 + (uint64_t)timeout_s * 1000000000ULL;
        char buf[4096];
        while (got < n) {
            struct pollfd pfd = {ready[0], POLLIN, 0};
            int pr = poll(&pfd, 1, 1000);
            if (pr > 0) {
                ssize_t r = read(ready[0], buf, sizeof buf);
                if (r <= 0)
                    abort_run("children died before signalling ready%s", "");
                got += r;
            } else if (pr < 0 && errno != EINTR) {
                abort_run("poll failed%s", "");
            }
            int st;
            pid_t dead = waitpid(-1, &st, WNOHANG);
            if (dead > 0) {
                for (long i = 0; i < n; i++)
                    if (g_pids[i] == dead)
                        g_pids[i] = 0;
                abort_run("a child exited before being released%s", "");
            }
            if (now_ns() > deadline)
                abort_run("timed out waiting for children to be ready%s", "");
        }
        t_ready = now_ns();
        pt_peak = meminfo_kb("PageTables");
        child_vmpte = proc_vmpte_kb(g_pids[n - 1]);
        close(go[1]); /* release them all */
        g_go_w = -1;
    }
    uint64_t t_released = now_ns();
    long failed = 0;
    int st;
    pid_t w;
    while ((w = waitpid(-1, &st, 0)) > 0 || (w < 0 && errno == EINTR))
        if (w > 0 && !(WIFEXITED(st) && WEXITSTATUS(st) == 0))
            failed++;
    uint64_t t_done = now_ns();
    long pt_after = meminfo_kb("PageTables");
    struct rusage ru1;
    getrusage(RUSAGE_CHILDREN, &ru1);
    munmap(region, len);
    if (failed)
        die_json(PROG, "%ld of %ld children failed", failed, n);

    double minflt = (double)(ru1.ru_minflt - ru0.ru_minflt);
#define TV_MS(tv) ((double)(tv).tv_sec * 1e3 + (double)(tv).tv_usec / 1e3)
    double child_cpu_ms = TV_MS(ru1.ru_utime) + TV_MS(ru1.ru_stime) -
                          TV_MS(ru0.ru_utime) - TV_MS(ru0.ru_stime);
    struct rusage rs;
    getrusage(RUSAGE_SELF, &rs);
    double self_cpu_ms = TV_MS(rs.ru_utime) + TV_MS(rs.ru_stime);
    printf("{\"program\":\"database\",\"n\":%ld,\"region_mib\":%ld,"
           "\"pages\":%zu,\"mode\":\"%s\",\"max_alive\":%ld,",
           n, mib, pages, sample ? "all_alive" : "bounded", alive);
    printf("\"wall_ms\":%.6g,\"fork_phase_ms\":%.6g,\"ready_ms\":%.6g,"
           "\"teardown_ms\":%.6g,\"ms_per_process\":%.6g,",
           (double)(t_done - t0) / 1e6, (double)(t_forked - t0) / 1e6,
           (double)(t_ready - t0) / 1e6, (double)(t_done - t_released) / 1e6,
           (double)(t_done - t0) / 1e6 / (double)n);
    if (sample && pt_before >= 0 && pt_peak >= 0)
        printf("\"page_tables_kb\":{\"before\":%ld,\"peak\":%ld,\"after\":%ld,"
               "\"delta\":%ld,\"per_process\":%.6g},",
               pt_before, pt_peak, pt_after, pt_peak - pt_before,
               (double)(pt_peak - pt_before) / (double)n);
    else
        printf("\"page_tables_kb\":null,");
    printf("\"child_vmpte_kb\":%ld,\"children_minflt\":%.0f,"
           "\"minflt_per_process\":%.6g,\"children_cpu_ms\":%.6g,"
           "\"parent_cpu_ms\":%.6g,",
           child_vmpte, minflt, minflt / (double)n, child_cpu_ms, self_cpu_ms);
    printf("\"limits\":{\"rlimit_nproc\":%ld,\"pid_max\":%ld,"
           "\"threads_max\":%ld,\"tasks_before\":%ld,\"pids_cgroup_room\":%ld},",
           nproc_lim, pid_max, threads_max, tasks, cg_room);
    json_env(stdout);
    printf("}\n");
    return 0;
}

/*
 * Shared helpers for the real-kernel baselines in bench/native/.
 *
 * Each program prints exactly ONE line of JSON to stdout (results or
 * {"program":..., "error":...}) and nothing else; diagnostics go to stderr.
 * Header-only so every program still builds with a single
 *   cc -O2 -std=c11 -o build/X X.c
 */
#ifndef MSHARE_BENCH_NATIVE_COMMON_H
#define MSHARE_BENCH_NATIVE_COMMON_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BENCH_PAGE 4096UL

static inline uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* CPU time (user + system) consumed by the calling thread: unlike the
 * monotonic clock it does not count time spent preempted by other load. */
static inline uint64_t cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

struct stats {
    double median, min, max;
};

/* Sorts v in place. Median of an even count is the mean of the middle two. */
static inline struct stats stats_of(double *v, size_t n)
{
    struct stats s = {0, 0, 0};
    if (n == 0)
        return s;
    qsort(v, n, sizeof *v, cmp_double);
    s.min = v[0];
    s.max = v[n - 1];
    s.median = (n % 2) ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
    return s;
}

/* Writes a JSON string literal (with quotes) for s. */
static inline void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

static inline void json_stats(FILE *f, const char *key, struct stats s)
{
    fprintf(f, "\"%s\":{\"median\":%.6g,\"min\":%.6g,\"max\":%.6g}", key,
            s.median, s.min, s.max);
}

/* Prints {"program":P,"error":MSG} and exits with status 2. */
static inline void die_json(const char *program, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    printf("{\"program\":");
    json_str(stdout, program);
    printf(",\"error\":");
    json_str(stdout, msg);
    printf("}\n");
    fflush(stdout);
    exit(2);
}

/* First line of a small text file, trailing newline stripped; "" if absent. */
static inline void read_line(const char *path, char *buf, size_t len)
{
    buf[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    if (!fgets(buf, (int)len, f))
        buf[0] = '\0';
    fclose(f);
    size_t l = strlen(buf);
    while (l && (buf[l - 1] == '\n' || buf[l - 1] == ' '))
        buf[--l] = '\0';
}

/* The selected value of a sysfs "a [b] c" setting, or "" if unavailable. */
static inline void sysfs_choice(const char *path, char *out, size_t len)
{
    char line[256];
    out[0] = '\0';
    read_line(path, line, sizeof line);
    char *l = strchr(line, '['), *r = l ? strchr(l, ']') : NULL;
    if (l && r && (size_t)(r - l - 1) < len) {
        memcpy(out, l + 1, (size_t)(r - l - 1));
        out[r - l - 1] = '\0';
    } else if (strlen(line) < len) {
        strcpy(out, line); /* a plain value */
    }
}

/* A field of /proc/meminfo in kB, or -1 if unreadable. */
static inline long meminfo_kb(const char *field)
{
    FILE *f = fopen("/proc/meminfo", "r");
    if (!f)
        return -1;
    char line[256];
    size_t fl = strlen(field);
    long v = -1;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, field, fl) == 0 && line[fl] == ':') {
            v = strtol(line + fl + 1, NULL, 10);
            break;
        }
    }
    fclose(f);
    return v;
}

/* Whether /proc/cpuinfo lists flag (e.g. "hypervisor": running in a VM). */
static inline int cpu_has_flag(const char *flag)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return 0;
    static char line[8192];
    int found = 0;
    size_t fl = strlen(flag);
    while (!found && fgets(line, sizeof line, f)) {
        if (strncmp(line, "flags", 5) != 0)
            continue;
        for (char *p = strstr(line, flag); p; p = strstr(p + 1, flag))
            if (p > line && p[-1] == ' ' && (p[fl] == ' ' || p[fl] == '\n' || !p[fl]))
                found = 1;
        break;
    }
    fclose(f);
    return found;
}

/* Kernel context that changes what a fault costs; printed as "env":{...}. */
static inline void json_env(FILE *f)
{
    char thp[64], shm[64], rel[128] = "";
    sysfs_choice("/sys/kernel/mm/transparent_hugepage/enabled", thp, sizeof thp);
    sysfs_choice("/sys/kernel/mm/transparent_hugepage/shmem_enabled", shm,
                 sizeof shm);
    read_line("/proc/sys/kernel/osrelease", rel, sizeof rel);
    fprintf(f, "\"env\":{\"kernel\":");
    json_str(f, rel);
    fprintf(f, ",\"page_size\":%ld,\"cpus\":%ld,\"thp_enabled\":",
            sysconf(_SC_PAGESIZE), sysconf(_SC_NPROCESSORS_ONLN));
    json_str(f, thp);
    fprintf(f, ",\"thp_shmem_enabled\":");
    json_str(f, shm);
    /* A running DAMON monitor (kdamond) walks rmaps and clears Accessed
     * bits in the background: a source of noise worth recording. */
    char damon[32];
    read_line("/sys/kernel/mm/damon/admin/kdamonds/0/state", damon,
              sizeof damon);
    fprintf(f, ",\"damon\":");
    json_str(f, damon);
    fprintf(f, ",\"hypervisor\":%s}", cpu_has_flag("hypervisor") ? "true"
                                                                    : "false");
}

/* Parses a positive integer argument or dies with a JSON error. */
static inline long parse_pos(const char *program, const char *name,
                             const char *s)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || v <= 0)
        die_json(program, "invalid %s: '%s' (want a positive integer)", name,
                 s);
    return v;
}

#endif

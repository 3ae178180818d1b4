/* Helpers shared by lifecycles.c and memory.c: clocks, /proc readers, failure counts.
 * Everything read from /proc/net is the calling process's network namespace; /proc/slabinfo,
 * /proc/meminfo and /sys/kernel/slab are machine-wide. */
#ifndef KBENCH_H
#define KBENCH_H

#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>

static inline void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "kbench: ");
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(2);
}

static inline double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline void sleep_s(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (time_t)s) * 1e9)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* Reads a whole (small) file into a static-size buffer; returns the length or -1. */
static inline long slurp(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, size - 1, f);
    fclose(f);
    buf[n] = 0;
    return (long)n;
}

/* A field of /proc/net/sockstat, e.g. sockstat("TCP:", "tw"). -1 if absent. */
static inline long sockstat(const char *proto, const char *field)
{
    char buf[4096];
    if (slurp("/proc/net/sockstat", buf, sizeof buf) < 0)
        return -1;
    for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
        if (strncmp(line, proto, strlen(proto)) != 0)
            continue;
        char *tok, *save;
        for (tok = strtok_r(line + strlen(proto), " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
            char *val = strtok_r(NULL, " ", &save);
            if (!val)
                break;
            if (strcmp(tok, field) == 0)
                return atol(val);
        }
    }
    return -1;
}

/* A TcpExt counter of /proc/net/netstat (names line followed by values line). -1 if absent. */
static inline long netstat(const char *name)
{
    static char buf[65536];
    if (slurp("/proc/net/netstat", buf, sizeof buf) < 0)
        return -1;
    char *names = strstr(buf, "TcpExt:");
    if (!names)
        return -1;
    char *values = strstr(names + 7, "TcpExt:");
    if (!values)
        return -1;
    char *nend = strchr(names, '\n');
    if (nend)
        *nend = 0;
    char *vend = strchr(values, '\n');
    if (vend)
        *vend = 0;
    char *ns, *vs;
    char *n = strtok_r(names + 7, " ", &ns);
    char *v = strtok_r(values + 7, " ", &vs);
    while (n && v) {
        if (strcmp(n, name) == 0)
            return atol(v);
        n = strtok_r(NULL, " ", &ns);
        v = strtok_r(NULL, " ", &vs);
    }
    return -1;
}

/* A /proc/meminfo line in bytes (the file says kB). -1 if absent. */
static inline long long meminfo(const char *key)
{
    char buf[8192];
    if (slurp("/proc/meminfo", buf, sizeof buf) < 0)
        return -1;
    size_t kl = strlen(key);
    for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
        if (strncmp(line, key, kl) == 0 && line[kl] == ':')
            return atoll(line + kl + 1) * 1024;
    return -1;
}

/* One line of /proc/slabinfo (SLUB: objsize is the slot size, alignment and metadata included). */
struct slab {
    char name[64];
    long active, num, objsize, perslab, pages, slabs;
};

struct slabs {
    int n;
    struct slab s[1024];
};

static inline void read_slabinfo(struct slabs *out)
{
    FILE *f = fopen("/proc/slabinfo", "r");
    if (!f)
        die("cannot read /proc/slabinfo: %s (root needed)", strerror(errno));
    char line[1024];
    out->n = 0;
    while (fgets(line, sizeof line, f) && out->n < (int)(sizeof out->s / sizeof out->s[0])) {
        struct slab *s = &out->s[out->n];
        long limit, batch, shared, active_slabs, sharedavail;
        if (sscanf(line, "%63s %ld %ld %ld %ld %ld : tunables %ld %ld %ld : slabdata %ld %ld %ld", s->name,
                   &s->active, &s->num, &s->objsize, &s->perslab, &s->pages, &limit, &batch, &shared,
                   &active_slabs, &s->slabs, &sharedavail) == 12)
            out->n++;
    }
    fclose(f);
}

static inline const struct slab *find_slab(const struct slabs *ss, const char *name)
{
    for (int i = 0; i < ss->n; i++)
        if (strcmp(ss->s[i].name, name) == 0)
            return &ss->s[i];
    return NULL;
}

/* Sum over all caches of active objects x slot size, and of slab pages. */
static inline void slab_totals(const struct slabs *ss, long long *objects, long long *pages)
{
    long page = sysconf(_SC_PAGESIZE);
    *objects = *pages = 0;
    for (int i = 0; i < ss->n; i++) {
        *objects += (long long)ss->s[i].active * ss->s[i].objsize;
        *pages += (long long)ss->s[i].slabs * ss->s[i].pages * page;
    }
}

/* SLUB merges caches of the same size and flags; /proc/slabinfo then lists them under one name.
 * Writes the other names of the cache called `name` (from the symlinks of /sys/kernel/slab). */
static inline void slab_aliases(const char *name, char *out, size_t size)
{
    char path[PATH_MAX], target[PATH_MAX], other[PATH_MAX];
    out[0] = 0;
    snprintf(path, sizeof path, "/sys/kernel/slab/%s", name);
    ssize_t n = readlink(path, target, sizeof target - 1);
    if (n < 0)
        return; /* not merged, or no sysfs */
    target[n] = 0;
    DIR *d = opendir("/sys/kernel/slab");
    if (!d)
        return;
    struct dirent *e;
    size_t used = 0;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || e->d_name[0] == ':' || strcmp(e->d_name, name) == 0)
            continue;
        snprintf(path, sizeof path, "/sys/kernel/slab/%s", e->d_name);
        ssize_t m = readlink(path, other, sizeof other - 1);
        if (m < 0)
            continue;
        other[m] = 0;
        if (strcmp(other, target) == 0 && used + strlen(e->d_name) + 3 < size)
            used += (size_t)snprintf(out + used, size - used, "%s%s", used ? ", " : "", e->d_name);
    }
    closedir(d);
}

/* CPU seconds (user + system) used so far by ksoftirqd on `cpu`, -1 if not found. Loopback's
 * softirq work mostly runs in the sending process's context (charged to its sys time); what the
 * kernel defers to ksoftirqd is not in our getrusage. */
static inline double ksoftirqd_seconds(int cpu)
{
    char want[32], path[300], buf[1024];
    snprintf(want, sizeof want, "ksoftirqd/%d\n", cpu);
    DIR *d = opendir("/proc");
    if (!d)
        return -1;
    struct dirent *e;
    double result = -1;
    while ((e = readdir(d))) {
        if (e->d_name[0] < '1' || e->d_name[0] > '9')
            continue;
        snprintf(path, sizeof path, "/proc/%s/comm", e->d_name);
        if (slurp(path, buf, sizeof buf) < 0 || strcmp(buf, want) != 0)
            continue;
        snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
        if (slurp(path, buf, sizeof buf) < 0)
            break;
        char *p = strrchr(buf, ')'); /* fields after the command name; utime is field 14, stime 15 */
        unsigned long long ut = 0, st = 0;
        if (p && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) == 2)
            result = (double)(ut + st) / sysconf(_SC_CLK_TCK);
        break;
    }
    closedir(d);
    return result;
}

/* Raises RLIMIT_NOFILE towards `want` (the hard limit too, with CAP_SYS_RESOURCE); returns the soft
 * limit obtained, which may be less than asked. */
static inline rlim_t raise_nofile(rlim_t want)
{
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    if (rl.rlim_cur >= want)
        return rl.rlim_cur;
    struct rlimit up = {want, rl.rlim_max > want ? rl.rlim_max : want};
    if (setrlimit(RLIMIT_NOFILE, &up) == 0)
        return want;
    rl.rlim_cur = rl.rlim_max; /* no CAP_SYS_RESOURCE (as in some containers): up to the hard limit */
    setrlimit(RLIMIT_NOFILE, &rl);
    getrlimit(RLIMIT_NOFILE, &rl);
    return rl.rlim_cur;
}

/* Failures by errno. Codes >= ERRNO_MAX are our own (protocol) failures. */
#define ERRNO_MAX 4096
enum { FAIL_EARLY_EOF = ERRNO_MAX, FAIL_EXTRA_DATA, FAIL_KINDS };
static long failures[FAIL_KINDS];
static long failed_total;

static inline void fail(int code)
{
    if (code < 0 || code >= FAIL_KINDS)
        code = 0;
    failures[code]++;
    failed_total++;
}

static inline void print_failures(const char *prefix)
{
    if (!failed_total)
        return;
    printf("%s failures by errno:", prefix);
    for (int i = 0; i < FAIL_KINDS; i++) {
        if (!failures[i])
            continue;
        if (i == FAIL_EARLY_EOF)
            printf(" EOF-before-all-data=%ld", failures[i]);
        else if (i == FAIL_EXTRA_DATA)
            printf(" unexpected-data=%ld", failures[i]);
        else
            printf(" %s(%d)=%ld", strerrorname_np(i) ? strerrorname_np(i) : "?", i, failures[i]);
    }
    printf("\n");
}

#endif

/* Kernel memory per ESTABLISHED TCP socket and per TIME_WAIT entry on loopback, for comparison
 * with TcpActors' `established` and `timewait` whole-run benchmarks.
 *
 * 1. Baseline: /proc/slabinfo and /proc/meminfo Slab with one listener (0.0.0.0:P, backlog 4096).
 * 2. Opens N connections, both ends on this machine's loopback: blocking connect() to 127.0.0.2 ..
 *    127.0.0.(A+1) port P, then accept(); exchanges one request of R bytes and one response of S
 *    bytes (like the simulator's benchmark, which sends requests and then idles), and adds both
 *    sockets to an epoll set (EPOLLIN) as a server would. Each destination address gives the default
 *    ephemeral port range (28,232 ports) again, so N up to about A x 28,000 connections fit.
 *    Both ends are in one process if RLIMIT_NOFILE can be raised to 2N; if not (no CAP_SYS_RESOURCE
 *    in a container), the connections are spread over worker processes that each stay under the
 *    limit (one epoll set each), opening one after the other on the shared listener.
 * 3. After 0.5 s (delayed ACKs sent, queues empty): slab deltas -> bytes per ESTABLISHED socket and
 *    per connection (two sockets).
 * 4. Closes every client first (those sockets go to TIME_WAIT), then reads EOF on every server
 *    socket and closes it (LAST_ACK -> CLOSED); the workers exit; after 0.5 s: slab deltas -> bytes
 *    per TIME_WAIT entry.
 * 5. With -w W (seconds, default 0): waits up to W s for the TIME_WAIT entries to expire (60 s) and
 *    reports what their expiry gave back.
 *
 * Slab figures are machine-wide: other work on the machine moves them too (least the dedicated
 * caches TCP, tw_sock_TCP, sock_inode_cache). A process that lists /proc/PID/fd (lsof, a supervisor)
 * adds a proc inode, a dentry and an LSM blob per listed fd; the ESTABLISHED figures are also given
 * without them. SLUB merges caches of equal size and flags, so a line says which other caches share
 * a name. "objects" = active objects x slot size; "pages" = slab pages (includes partly used slabs);
 * meminfo Slab = what the kernel says slabs hold. */
#include "kbench.h"

#include <arpa/inet.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>

struct snapshot {
    struct slabs slabs;
    long long objects, pages, meminfo_slab;
    long inuse, tw;
};

static struct snapshot base, est, tw, expired;

static void take(struct snapshot *s)
{
    read_slabinfo(&s->slabs);
    slab_totals(&s->slabs, &s->objects, &s->pages);
    s->meminfo_slab = meminfo("Slab");
    s->inuse = sockstat("TCP:", "inuse");
    s->tw = sockstat("TCP:", "tw");
}

static void usage(void)
{
    fprintf(stderr, "usage: memory [-n connections=100000] [-a server-addresses=8 (127.0.0.2 ..)] [-p port=6000]\n"
                    "              [-q request-bytes=100] [-s response-bytes=100] [-w seconds-to-wait-for-expiry=0]\n");
    exit(2);
}

static void full_io(int fd, char *buf, long size, int writing, const char *what)
{
    long done = 0;
    while (done < size) {
        ssize_t n = writing ? send(fd, buf + done, (size_t)(size - done), MSG_NOSIGNAL)
                            : recv(fd, buf + done, (size_t)(size - done), 0);
        if (n <= 0)
            die("%s: %s", what, n == 0 ? "unexpected EOF" : strerror(errno));
        done += n;
    }
}

/* Lines "label: cache +objects x slot = per unit", for caches whose change is at least 4 bytes per
 * unit, biggest first. */
static void by_cache(const char *label, const struct snapshot *from, const struct snapshot *to, long units,
                     const char *unit)
{
    struct row {
        const struct slab *s;
        long long bytes;
        long objects;
    } rows[1024];
    int n = 0;
    for (int i = 0; i < to->slabs.n; i++) {
        const struct slab *a = find_slab(&from->slabs, to->slabs.s[i].name);
        long objects = to->slabs.s[i].active - (a ? a->active : 0);
        long long bytes = (long long)objects * to->slabs.s[i].objsize;
        if (llabs(bytes) >= 4LL * units)
            rows[n++] = (struct row){&to->slabs.s[i], bytes, objects};
    }
    for (int i = 1; i < n; i++) /* insertion sort, biggest first */
        for (int j = i; j > 0 && rows[j].bytes > rows[j - 1].bytes; j--) {
            struct row t = rows[j];
            rows[j] = rows[j - 1];
            rows[j - 1] = t;
        }
    for (int i = 0; i < n; i++) {
        char aliases[512], note[600] = "";
        slab_aliases(rows[i].s->name, aliases, sizeof aliases);
        if (aliases[0])
            snprintf(note, sizeof note, " (cache shared with %s)", aliases);
        printf("kernel memory: %s: slab %s %+ld objects x %ld B = %+.1f MB = %.0f B per %s%s\n", label,
               rows[i].s->name, rows[i].objects, rows[i].s->objsize, rows[i].bytes / 1e6,
               (double)rows[i].bytes / units, unit, note);
    }
}

/* A worker holds `count` connections (both ends) in its own process: RLIMIT_NOFILE may not be
 * raisable (no CAP_SYS_RESOURCE in a container), so N connections are spread over processes that
 * each stay under the limit. Workers open their connections one after the other (they share the
 * listener), tell the parent "r" through `up`, wait for "c" on `down`, close everything and exit. */
static int worker(int lfd, long first, long count, int addrs, int port, long req, long resp, int up, int down)
{
    int *cfd = malloc(sizeof(int) * (size_t)count), *sfd = malloc(sizeof(int) * (size_t)count);
    char *buf = calloc(1, (size_t)(req > resp ? req : resp) + 1);
    int epfd = epoll_create1(EPOLL_CLOEXEC); /* one epoll set per process, as a server would have */
    if (!cfd || !sfd || !buf || epfd < 0)
        die("worker: out of memory or epoll_create1: %s", strerror(errno));
    for (long i = 0; i < count; i++) {
        struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port),
                                 .sin_addr.s_addr = htonl(0x7f000002u + (unsigned)((first + i) % addrs))};
        int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (c < 0)
            die("socket() after %ld connections: %s", first + i, strerror(errno));
        if (connect(c, (struct sockaddr *)&to, sizeof to) != 0)
            die("connect() after %ld connections: %s%s", first + i, strerror(errno),
                errno == EADDRNOTAVAIL ? " (ephemeral ports exhausted: use more addresses, -a)" : "");
        int s = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        if (s < 0)
            die("accept() after %ld connections: %s", first + i, strerror(errno));
        if (req)
            full_io(c, buf, req, 1, "client send"), full_io(s, buf, req, 0, "server recv");
        if (resp)
            full_io(s, buf, resp, 1, "server send"), full_io(c, buf, resp, 0, "client recv");
        struct epoll_event ev = {.events = EPOLLIN};
        ev.data.fd = c;
        if (epoll_ctl(epfd, EPOLL_CTL_ADD, c, &ev) != 0)
            die("epoll_ctl: %s", strerror(errno));
        ev.data.fd = s;
        if (epoll_ctl(epfd, EPOLL_CTL_ADD, s, &ev) != 0)
            die("epoll_ctl: %s", strerror(errno));
        cfd[i] = c;
        sfd[i] = s;
    }
    char cmd = 'r';
    if (write(up, &cmd, 1) != 1 || read(down, &cmd, 1) != 1 || cmd != 'c')
        die("worker: lost the parent");
    for (long i = 0; i < count; i++)
        close(cfd[i]); /* active close: the client's side goes to TIME_WAIT */
    for (long i = 0; i < count; i++) {
        ssize_t r = recv(sfd[i], buf, 1, 0);
        if (r != 0)
            die("server %ld: expected EOF, got %zd (%s)", first + i, r, r < 0 ? strerror(errno) : "data");
        close(sfd[i]); /* LAST_ACK, then CLOSED when the client's ACK comes */
    }
    return 0;
}

int main(int argc, char **argv)
{
    long n = 100000, req = 100, resp = 100;
    int addrs = 8, port = 6000, wait = 0, opt;
    while ((opt = getopt(argc, argv, "n:a:p:q:s:w:h")) != -1) {
        switch (opt) {
        case 'n': n = atol(optarg); break;
        case 'a': addrs = atoi(optarg); break;
        case 'p': port = atoi(optarg); break;
        case 'q': req = atol(optarg); break;
        case 's': resp = atol(optarg); break;
        case 'w': wait = atoi(optarg); break;
        default: usage();
        }
    }
    if (n < 1 || addrs < 1 || addrs > 250 || req < 0 || resp < 0 || wait < 0)
        usage();
    signal(SIGPIPE, SIG_IGN);
    long limit = (long)raise_nofile((rlim_t)(2 * n + 64));
    long per_worker = (limit - 64) / 2;
    if (per_worker < 1)
        die("RLIMIT_NOFILE %ld is too small", limit);
    if (per_worker > n)
        per_worker = n;
    int workers = (int)((n + per_worker - 1) / per_worker);

    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in any = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port),
                              .sin_addr.s_addr = htonl(INADDR_ANY)};
    if (bind(lfd, (struct sockaddr *)&any, sizeof any) != 0 || listen(lfd, 4096) != 0)
        die("listen on port %d: %s", port, strerror(errno));

    sleep_s(0.2);
    take(&base);
    double t0 = now_s();
    pid_t *pids = calloc((size_t)workers, sizeof *pids);
    int *downs = calloc((size_t)workers, sizeof *downs);
    for (int w = 0; w < workers; w++) {
        long first = w * per_worker, count = n - first < per_worker ? n - first : per_worker;
        int up[2], down[2];
        if (pipe(up) != 0 || pipe(down) != 0)
            die("pipe: %s", strerror(errno));
        fflush(stdout);
        pid_t pid = fork();
        if (pid < 0)
            die("fork: %s", strerror(errno));
        if (pid == 0) {
            close(up[0]);
            close(down[1]);
            for (int k = 0; k < w; k++)
                close(downs[k]);
            exit(worker(lfd, first, count, addrs, port, req, resp, up[1], down[0]));
        }
        close(up[1]);
        close(down[0]);
        pids[w] = pid;
        downs[w] = down[1];
        char ack;
        if (read(up[0], &ack, 1) != 1) /* one worker at a time: they share the listener */
            die("worker %d failed while opening its connections", w);
        close(up[0]);
    }
    double opened = now_s() - t0;
    sleep_s(0.5);
    take(&est);

    for (int w = 0; w < workers; w++)
        if (write(downs[w], "c", 1) != 1)
            die("worker %d is gone", w);
    for (int w = 0; w < workers; w++) {
        int status;
        if (waitpid(pids[w], &status, 0) != pids[w] || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
            die("worker %d failed while closing", w);
    }
    sleep_s(0.5);
    take(&tw);

    long sockets = est.inuse - base.inuse;
    printf("kernel memory: %ld connections opened in %.1f s = %ld ESTABLISHED sockets (sockstat TCP inuse %+ld), "
           "request %ld B and response %ld B exchanged on each, sockets in one epoll set per process, "
           "%d process(es) of up to %ld connections (RLIMIT_NOFILE %ld), servers 127.0.0.2-127.0.0.%d:%d\n",
           n, opened, 2 * n, sockets, req, resp, workers, per_worker, limit, addrs + 1, port);
    by_cache("ESTABLISHED", &base, &est, 2 * n, "socket");
    printf("kernel memory: ESTABLISHED, all slab caches: objects %+.1f MB = %.0f B per socket = %.0f B per connection\n",
           (est.objects - base.objects) / 1e6, (double)(est.objects - base.objects) / (2 * n),
           (double)(est.objects - base.objects) / n);
    printf("kernel memory: ESTABLISHED, all slab caches: slab pages %+.1f MB = %.0f B per socket = %.0f B per connection\n",
           (est.pages - base.pages) / 1e6, (double)(est.pages - base.pages) / (2 * n),
           (double)(est.pages - base.pages) / n);
    printf("kernel memory: ESTABLISHED, /proc/meminfo Slab %+.1f MB = %.0f B per socket = %.0f B per connection\n",
           (est.meminfo_slab - base.meminfo_slab) / 1e6, (double)(est.meminfo_slab - base.meminfo_slab) / (2 * n),
           (double)(est.meminfo_slab - base.meminfo_slab) / n);
    /* Something outside this program may list /proc/PID/fd of every process (this workplace's
     * supervisor does, within a second or two): each listed fd costs a proc inode, its dentry and its
     * LSM blob, which are not the socket's. Count them from proc_inode_cache and take them off. */
    const struct slab *pa = find_slab(&base.slabs, "proc_inode_cache"), *pb = find_slab(&est.slabs, "proc_inode_cache");
    const struct slab *de = find_slab(&est.slabs, "dentry"), *li = find_slab(&est.slabs, "lsm_inode_cache");
    if (pa && pb && pb->active > pa->active) {
        long proc = pb->active - pa->active;
        long long observer = (long long)proc * (pb->objsize + (de ? de->objsize : 0) + (li ? li->objsize : 0));
        printf("kernel memory: ESTABLISHED, all slab caches less %ld /proc/PID/fd entries made by an observer "
               "(proc inode + dentry + lsm blob, %.1f MB): objects %+.1f MB = %.0f B per socket = %.0f B per connection\n",
               proc, observer / 1e6, (est.objects - base.objects - observer) / 1e6,
               (double)(est.objects - base.objects - observer) / (2 * n), (double)(est.objects - base.objects - observer) / n);
        printf("kernel memory: ESTABLISHED, /proc/meminfo Slab less the same: %+.1f MB = %.0f B per socket = %.0f B per connection\n",
               (est.meminfo_slab - base.meminfo_slab - observer) / 1e6,
               (double)(est.meminfo_slab - base.meminfo_slab - observer) / (2 * n),
               (double)(est.meminfo_slab - base.meminfo_slab - observer) / n);
    }

    long entries = tw.tw - base.tw;
    const struct slab *twa = find_slab(&est.slabs, "tw_sock_TCP"), *twb = find_slab(&tw.slabs, "tw_sock_TCP");
    printf("kernel memory: %ld TIME_WAIT entries (sockstat TCP tw %+ld, inuse %+ld vs before any connection) "
           "after closing all %ld connections from the client side\n",
           entries, entries, tw.inuse - base.inuse, n);
    if (entries <= 0)
        die("no TIME_WAIT entries: is net.ipv4.tcp_max_tw_buckets 0?");
    if (twa && twb)
        printf("kernel memory: TIME_WAIT, the entry itself: slab tw_sock_TCP %+ld objects x %ld B = %.0f B per entry\n",
               twb->active - twa->active, twb->objsize,
               (double)(twb->active - twa->active) * twb->objsize / entries);
    by_cache("TIME_WAIT vs before any connection", &base, &tw, entries, "entry");
    printf("kernel memory: TIME_WAIT vs before any connection, all slab caches: objects %+.1f MB = %.0f B per entry "
           "(also counts bind buckets the entries hold and anything left behind)\n",
           (tw.objects - base.objects) / 1e6, (double)(tw.objects - base.objects) / entries);
    printf("kernel memory: TIME_WAIT vs before any connection, /proc/meminfo Slab %+.1f MB = %.0f B per entry "
           "(also counts partly used slabs the closed sockets left)\n",
           (tw.meminfo_slab - base.meminfo_slab) / 1e6, (double)(tw.meminfo_slab - base.meminfo_slab) / entries);

    if (wait > 0) {
        double t = now_s();
        while (sockstat("TCP:", "tw") > base.tw && now_s() - t < wait)
            sleep_s(1);
        sleep_s(1);
        take(&expired);
        long left = expired.tw - base.tw;
        printf("kernel memory: TIME_WAIT expiry after %.0f s (%ld entries left): by cache, what the expiry gave back:\n",
               now_s() - t + 1, left);
        by_cache("TIME_WAIT given back at expiry", &expired, &tw, entries, "entry");
        printf("kernel memory: TIME_WAIT given back at expiry, all slab caches: objects %.1f MB = %.0f B per entry\n",
               (tw.objects - expired.objects) / 1e6, (double)(tw.objects - expired.objects) / entries);
        printf("kernel memory: TIME_WAIT given back at expiry, all slab caches: slab pages %.1f MB = %.0f B per entry\n",
               (tw.pages - expired.pages) / 1e6, (double)(tw.pages - expired.pages) / entries);
        printf("kernel memory: TIME_WAIT given back at expiry, /proc/meminfo Slab %.1f MB = %.0f B per entry\n",
               (tw.meminfo_slab - expired.meminfo_slab) / 1e6,
               (double)(tw.meminfo_slab - expired.meminfo_slab) / entries);
    }
    return 0;
}

/* Complete TCP connection lifecycles on loopback, as fast as the kernel allows, for comparison
 * with TcpActors' `lifecycles` whole-run benchmark. One thread, one epoll set, client and server
 * in this process (run.sh pins it to one CPU with taskset and puts it in its own network namespace).
 *
 * One lifecycle: non-blocking connect -> client sends a request of R bytes -> server accepts,
 * reads the request, writes a response of S bytes -> client reads the response and closes first
 * (so the client's side goes to TIME_WAIT) -> server reads EOF and closes (LAST_ACK -> CLOSED).
 * C lifecycles are kept in flight: a new connect starts as soon as a client closes.
 *
 * Ports: clients connect to 127.0.0.2 .. 127.0.0.(A+1) port P (one listener on 0.0.0.0:P, backlog
 * 4096). Each destination address gives the 28,232 ephemeral ports of the default range again, and
 * net.ipv4.tcp_tw_reuse=2 (the default: reuse on loopback only) lets connect() take over a
 * TIME_WAIT 4-tuple once it is tcp_tw_reuse_delay (1 s) old. With A=4 there are 112,928 4-tuples,
 * fewer than net.ipv4.tcp_max_tw_buckets (131,072 here), so TIME_WAIT never overflows (an overflow
 * would skip TIME_WAIT and flatter the kernel); both counters are printed at the end.
 *
 * Counts: a lifecycle is completed when the server closes after serving it and reading the EOF.
 * Failures are counted by errno.
 *
 * Output: one line `kernel lifecycles: N completed (F failed) in T s wall = X lifecycles/s; CPU
 * user U s sys S s (getrusage)`, then a line of derived figures and counters, then failures by
 * errno if any. -v prints the rate every second on stderr. */
#include "kbench.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>

enum role { FREE = 0, LISTENER, CLIENT, SERVER };
enum state { CONNECTING, SENDING, RECEIVING, WAIT_EOF };

struct conn {
    unsigned char role, state;
    int done; /* bytes sent or received in the current state */
};

static struct conn *conns; /* indexed by fd */
static int nconns;
static int epfd, lfd;
static long req_size = 100, resp_size = 100;
static char *buf;
static size_t buf_size;
static struct sockaddr_in *dests;
static int ndests;
static unsigned long next_dest;
static long completed, clients_open, servers_open;

static void usage(void)
{
    fprintf(stderr,
            "usage: lifecycles [-d seconds=10] [-c concurrency=50] [-q request-bytes=100] [-s response-bytes=100]\n"
            "                  [-a server-addresses=4 (127.0.0.2 ..)] [-p port=5000] [-v]\n");
    exit(2);
}

static void watch(int fd, unsigned events)
{
    struct epoll_event ev = {.events = events, .data.fd = fd};
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) != 0)
        die("epoll_ctl(ADD): %s", strerror(errno));
}

static void start_client(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        fail(errno);
        return;
    }
    if (fd >= nconns)
        die("fd %d beyond table", fd);
    const struct sockaddr_in *to = &dests[next_dest++ % ndests];
    if (connect(fd, (const struct sockaddr *)to, sizeof *to) != 0 && errno != EINPROGRESS) {
        fail(errno);
        close(fd);
        return;
    }
    conns[fd] = (struct conn){.role = CLIENT, .state = CONNECTING};
    clients_open++;
    /* Edge-triggered: one ADD per socket, no MODs; close() removes it. */
    watch(fd, EPOLLIN | EPOLLOUT | EPOLLET);
}

static void close_conn(int fd)
{
    if (conns[fd].role == CLIENT)
        clients_open--;
    else if (conns[fd].role == SERVER)
        servers_open--;
    conns[fd].role = FREE;
    close(fd);
}

static void client_event(int fd, unsigned events)
{
    struct conn *c = &conns[fd];
    if (c->state == CONNECTING) {
        if (events & (EPOLLERR | EPOLLHUP)) {
            int err = 0;
            socklen_t len = sizeof err;
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
            fail(err ? err : ECONNABORTED);
            close_conn(fd);
            return;
        }
        if (!(events & EPOLLOUT))
            return;
        c->state = SENDING;
        c->done = 0;
    }
    if (c->state == SENDING) {
        while (c->done < req_size) {
            ssize_t n = send(fd, buf, req_size - c->done, MSG_NOSIGNAL);
            if (n < 0) {
                if (errno == EAGAIN)
                    return;
                fail(errno);
                close_conn(fd);
                return;
            }
            c->done += n;
        }
        c->state = RECEIVING;
        c->done = 0;
    }
    if (c->state == RECEIVING) {
        while (c->done < resp_size) {
            ssize_t n = recv(fd, buf, resp_size - c->done, 0);
            if (n < 0) {
                if (errno == EAGAIN)
                    return;
                fail(errno);
                close_conn(fd);
                return;
            }
            if (n == 0) {
                fail(FAIL_EARLY_EOF);
                close_conn(fd);
                return;
            }
            c->done += n;
        }
        close_conn(fd); /* active close: this side keeps the TIME_WAIT */
    }
}

static void server_event(int fd, unsigned events)
{
    struct conn *c = &conns[fd];
    if (events & EPOLLERR) {
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
        fail(err ? err : ECONNABORTED);
        close_conn(fd);
        return;
    }
    if (c->state == RECEIVING) {
        if (!(events & (EPOLLIN | EPOLLHUP | EPOLLRDHUP)))
            return;
        while (c->done < req_size) {
            ssize_t n = recv(fd, buf, req_size - c->done, 0);
            if (n < 0) {
                if (errno == EAGAIN)
                    return;
                fail(errno);
                close_conn(fd);
                return;
            }
            if (n == 0) {
                fail(FAIL_EARLY_EOF);
                close_conn(fd);
                return;
            }
            c->done += n;
        }
        c->state = SENDING;
        c->done = 0;
    }
    if (c->state == SENDING) {
        while (c->done < resp_size) {
            ssize_t n = send(fd, buf, resp_size - c->done, MSG_NOSIGNAL);
            if (n < 0) {
                if (errno == EAGAIN)
                    return; /* registered with EPOLLOUT too: we are told when there is room */
                fail(errno);
                close_conn(fd);
                return;
            }
            c->done += n;
        }
        c->state = WAIT_EOF;
        /* The client's FIN may already be here: fall through and try. */
    }
    if (c->state == WAIT_EOF) {
        char extra[64];
        ssize_t n = recv(fd, extra, sizeof extra, 0);
        if (n < 0) {
            if (errno == EAGAIN)
                return;
            fail(errno);
            close_conn(fd);
        } else if (n > 0) {
            fail(FAIL_EXTRA_DATA);
            close_conn(fd);
        } else {
            completed++;
            close_conn(fd);
        }
    }
}

static void accept_all(void)
{
    for (;;) {
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EAGAIN)
                return;
            if (errno == EINTR || errno == ECONNABORTED) {
                fail(errno);
                continue;
            }
            fail(errno);
            return;
        }
        if (fd >= nconns)
            die("fd %d beyond table", fd);
        conns[fd] = (struct conn){.role = SERVER, .state = RECEIVING};
        servers_open++;
        watch(fd, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET);
    }
}

int main(int argc, char **argv)
{
    double duration = 10;
    int concurrency = 50, port = 5000, verbose = 0;
    ndests = 4;
    int opt;
    while ((opt = getopt(argc, argv, "d:c:q:s:a:p:vh")) != -1) {
        switch (opt) {
        case 'd': duration = atof(optarg); break;
        case 'c': concurrency = atoi(optarg); break;
        case 'q': req_size = atol(optarg); break;
        case 's': resp_size = atol(optarg); break;
        case 'a': ndests = atoi(optarg); break;
        case 'p': port = atoi(optarg); break;
        case 'v': verbose = 1; break;
        default: usage();
        }
    }
    if (duration <= 0 || concurrency < 1 || req_size < 1 || resp_size < 1 || ndests < 1 || ndests > 250)
        usage();

    signal(SIGPIPE, SIG_IGN);
    nconns = (int)raise_nofile((rlim_t)concurrency * 2 + 4200);
    if (nconns < concurrency * 2 + 64)
        die("RLIMIT_NOFILE is %d: too few file descriptors for concurrency %d", nconns, concurrency);
    conns = calloc((size_t)nconns, sizeof *conns);
    buf_size = (size_t)(req_size > resp_size ? req_size : resp_size);
    buf = calloc(1, buf_size);
    dests = calloc((size_t)ndests, sizeof *dests);
    if (!conns || !buf || !dests)
        die("out of memory");
    memset(buf, 'x', buf_size);
    for (int i = 0; i < ndests; i++) {
        dests[i].sin_family = AF_INET;
        dests[i].sin_port = htons((unsigned short)port);
        dests[i].sin_addr.s_addr = htonl(0x7f000002u + (unsigned)i); /* 127.0.0.2 + i, on lo (127/8) */
    }

    lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in any = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port),
                              .sin_addr.s_addr = htonl(INADDR_ANY)};
    if (bind(lfd, (struct sockaddr *)&any, sizeof any) != 0 || listen(lfd, 4096) != 0)
        die("listen on port %d: %s", port, strerror(errno));
    epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0)
        die("epoll_create1: %s", strerror(errno));
    conns[lfd].role = LISTENER;
    watch(lfd, EPOLLIN | EPOLLET);

    int cpu = -1;
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) == 1)
        cpu = sched_getcpu();
    double softirq0 = cpu >= 0 ? ksoftirqd_seconds(cpu) : -1;
    long recycled0 = netstat("TWRecycled"), overflow0 = netstat("TCPTimeWaitOverflow");
    long listen_drops0 = netstat("ListenDrops");
    struct rusage ru0, ru1;
    getrusage(RUSAGE_SELF, &ru0);

    enum { MAX_EVENTS = 256 };
    struct epoll_event events[MAX_EVENTS];
    double start = now_s(), deadline = start + duration, drain_limit = deadline + 10;
    double next_report = start + 1;
    long last_completed = 0;
    int stopping = 0;
    for (;;) {
        double t = now_s();
        if (!stopping && t >= deadline)
            stopping = 1;
        if (!stopping)
            while (clients_open < concurrency) {
                long before = failed_total;
                start_client();
                if (failed_total != before)
                    break; /* a failing connect: try again after the next wait, not in a hot loop */
            }
        else if (clients_open == 0 && servers_open == 0)
            break;
        else if (t >= drain_limit) {
            fprintf(stderr, "kbench: %ld clients and %ld servers still open 10 s after the end\n", clients_open,
                    servers_open);
            break;
        }
        if (verbose && t >= next_report) {
            fprintf(stderr, "  %5.1f s: %ld lifecycles/s, sockstat tw %ld\n", t - start,
                    completed - last_completed, sockstat("TCP:", "tw"));
            last_completed = completed;
            next_report += 1;
        }
        int n = epoll_wait(epfd, events, MAX_EVENTS, 100);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            die("epoll_wait: %s", strerror(errno));
        }
        for (int i = 0; i < n; i++) {
            int fd = events[i].data.fd;
            switch (conns[fd].role) {
            case LISTENER: accept_all(); break;
            case CLIENT: client_event(fd, events[i].events); break;
            case SERVER: server_event(fd, events[i].events); break;
            default: break; /* closed earlier in this batch */
            }
        }
    }
    double wall = now_s() - start;
    getrusage(RUSAGE_SELF, &ru1);
    double user = (ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec) + (ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec) / 1e6;
    double sys = (ru1.ru_stime.tv_sec - ru0.ru_stime.tv_sec) + (ru1.ru_stime.tv_usec - ru0.ru_stime.tv_usec) / 1e6;
    double softirq1 = cpu >= 0 ? ksoftirqd_seconds(cpu) : -1;

    printf("kernel lifecycles: %ld completed (%ld failed) in %.2f s wall = %.0f lifecycles/s; "
           "CPU user %.2f s sys %.2f s (getrusage)\n",
           completed, failed_total, wall, completed / wall, user, sys);
    char softirq[96] = "ksoftirqd: not measured (not pinned to one CPU)";
    if (softirq0 >= 0 && softirq1 >= 0)
        snprintf(softirq, sizeof softirq, "ksoftirqd/%d +%.2f s CPU (not in getrusage)", cpu, softirq1 - softirq0);
    printf("kernel lifecycles: %.0f per CPU second (user+sys); %s; TIME_WAIT at end %ld (/proc/net/sockstat tw); "
           "TWRecycled +%ld (TIME_WAIT 4-tuples reused by connect); TCPTimeWaitOverflow +%ld; ListenDrops +%ld; "
           "context switches %ld voluntary (waits in epoll_wait) %ld involuntary (preempted); "
           "concurrency %d, request %ld B, response %ld B, servers 127.0.0.2-127.0.0.%d:%d\n",
           completed / (user + sys), softirq, sockstat("TCP:", "tw"), netstat("TWRecycled") - recycled0,
           netstat("TCPTimeWaitOverflow") - overflow0, netstat("ListenDrops") - listen_drops0, ru1.ru_nvcsw - ru0.ru_nvcsw,
           ru1.ru_nivcsw - ru0.ru_nivcsw, concurrency,
           req_size, resp_size, ndests + 1, port);
    print_failures("kernel lifecycles:");
    return 0;
}

/* openloop: a fixed-rate (open-loop) HTTP/1.1 load generator for `make bench`.
 *
 * Requests are due at start + i / rate whatever happens to earlier ones, and each latency is
 * measured from that *intended* time, so a stalled server shows up in the tail instead of
 * silently slowing the client down (coordinated omission). A pool of keep-alive connections
 * carries them, one request at a time each; a request due while every connection is busy waits
 * in a queue, and that wait is part of its latency.
 *
 * Written in C with epoll and a timerfd because the generator shares two cores with the servers
 * it measures: it must cost a small fraction of what they do per request. Its own CPU time is
 * reported so that the harness can show it.
 *
 * Usage: openloop -p PORT -r RATE -d SECONDS -c CONNECTIONS [-w MS] [-H 'Name: value']... PATH
 * Prints one JSON object on stdout. With -w, also a time line of the run on stderr: one line per
 * window of MS milliseconds of intended send time, "window <start ms> <requests> <max us>
 * <p99 us>", so that periodic stalls show their period (stdout is unchanged).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define MAX_HEADERS 16
#define BUF_SIZE 65536
/* How long answers still in flight are awaited after the last request is due. */
#define DRAIN_NS 2000000000LL

typedef struct {
    int fd;
    int busy;
    int64_t intended_ns; /* when the request on it was due */
    size_t len;          /* bytes read into buf */
    char buf[BUF_SIZE];
} conn_t;

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static struct sockaddr_in target;

static int open_conn(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    /* Blocking connect on loopback is immediate; the socket is non-blocking afterwards. */
    if (connect(fd, (struct sockaddr *)&target, sizeof target) < 0) {
        close(fd);
        return -1;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

/* Length of a complete response at the start of buf, 0 when more bytes are needed, -1 when it
 * cannot be parsed. Handles Content-Length, chunked bodies and bodiless statuses. */
static long response_length(const char *buf, size_t len, int *status) {
    const char *end = memmem(buf, len, "\r\n\r\n", 4);
    if (end == NULL) return len >= BUF_SIZE ? -1 : 0;
    size_t head = (size_t)(end - buf) + 4;
    if (len < 12 || memcmp(buf, "HTTP/1.", 7) != 0) return -1;
    *status = atoi(buf + 9);
    long content_length = -1;
    int chunked = 0;
    for (const char *line = memchr(buf, '\n', head) + 1; line < end; line = memchr(line, '\n', end - line + 2) + 1) {
        if (strncasecmp(line, "content-length:", 15) == 0) content_length = strtol(line + 15, NULL, 10);
        else if (strncasecmp(line, "transfer-encoding:", 18) == 0 && memmem(line, end - line, "chunked", 7)) chunked = 1;
    }
    if (*status == 204 || *status == 304 || (*status >= 100 && *status < 200)) return (long)head;
    if (!chunked) {
        if (content_length < 0) return -1; /* read-until-close is not used by the servers measured */
        return len >= head + (size_t)content_length ? (long)(head + content_length) : 0;
    }
    size_t pos = head;
    for (;;) {
        const char *crlf = memmem(buf + pos, len - pos, "\r\n", 2);
        if (crlf == NULL) return 0;
        long size = strtol(buf + pos, NULL, 16);
        pos = (size_t)(crlf - buf) + 2;
        if (size == 0) { /* no trailers expected: the terminating CRLF follows */
            return len >= pos + 2 ? (long)(pos + 2) : 0;
        }
        if (len < pos + (size_t)size + 2) return 0;
        pos += (size_t)size + 2;
    }
}

int main(int argc, char **argv) {
    int port = 0, connections = 16;
    double rate = 0, duration = 0;
    const char *headers[MAX_HEADERS];
    int n_headers = 0, opt;
    double window_ms = 0;
    while ((opt = getopt(argc, argv, "p:r:d:c:w:H:")) != -1) {
        switch (opt) {
        case 'p': port = atoi(optarg); break;
        case 'r': rate = atof(optarg); break;
        case 'd': duration = atof(optarg); break;
        case 'c': connections = atoi(optarg); break;
        case 'w': window_ms = atof(optarg); break;
        case 'H':
            if (n_headers == MAX_HEADERS) { fprintf(stderr, "openloop: too many -H\n"); return 2; }
            headers[n_headers++] = optarg;
            break;
        default: return 2;
        }
    }
    if (optind != argc - 1 || port <= 0 || rate <= 0 || duration <= 0 || connections <= 0) {
        fprintf(stderr, "usage: openloop -p PORT -r RATE -d SECONDS -c CONNECTIONS [-w MS] [-H 'N: v']... PATH\n");
        return 2;
    }
    char request[8192];
    int rlen = snprintf(request, sizeof request, "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n", argv[optind], port);
    for (int i = 0; i < n_headers; i++) rlen += snprintf(request + rlen, sizeof request - rlen, "%s\r\n", headers[i]);
    rlen += snprintf(request + rlen, sizeof request - rlen, "\r\n");
    if (rlen >= (int)sizeof request) { fprintf(stderr, "openloop: request too long\n"); return 2; }

    target.sin_family = AF_INET;
    target.sin_port = htons((uint16_t)port);
    target.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

    long total = (long)(rate * duration);
    uint32_t *latencies = calloc((size_t)total, sizeof *latencies);
    int64_t *queue = calloc((size_t)total, sizeof *queue); /* intended times of waiting requests */
    conn_t *conns = calloc((size_t)connections, sizeof *conns);
    /* With -w: each answered request's window (by intended time), to print the time line. */
    uint32_t *windows = window_ms > 0 ? calloc((size_t)total, sizeof *windows) : NULL;
    if (window_ms > 0 && !windows) { fprintf(stderr, "openloop: out of memory\n"); return 1; }
    if (!latencies || !queue || !conns) { fprintf(stderr, "openloop: out of memory\n"); return 1; }

    int ep = epoll_create1(0);
    int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = UINT32_MAX};
    epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev);
    long connect_errors = 0, read_errors = 0, write_errors = 0;
    for (int i = 0; i < connections; i++) {
        conns[i].fd = open_conn();
        if (conns[i].fd < 0) { connect_errors++; continue; }
        ev.events = EPOLLIN;
        ev.data.u32 = (uint32_t)i;
        epoll_ctl(ep, EPOLL_CTL_ADD, conns[i].fd, &ev);
    }
    if (connect_errors == connections) { fprintf(stderr, "openloop: cannot connect to port %d\n", port); return 1; }

    long scheduled = 0, sent = 0, completed = 0, q_head = 0, q_tail = 0, max_backlog = 0;
    long by_class[6] = {0};
    int64_t interval = (int64_t)(1e9 / rate);
    int64_t start = now_ns() + 1000000; /* 1 ms to settle */
    int64_t last_due = start + (total - 1) * interval;
    int64_t deadline = last_due + DRAIN_NS;
    struct epoll_event events[256];

    while (completed + read_errors + write_errors < total) {
        int64_t now = now_ns();
        if (now > deadline) break;
        /* Everything due by now joins the queue, then idle connections take from it. */
        while (scheduled < total && start + scheduled * interval <= now) queue[q_tail++] = start + scheduled++ * interval;
        if (q_tail - q_head > max_backlog) max_backlog = q_tail - q_head;
        for (int i = 0; i < connections && q_head < q_tail; i++) {
            conn_t *c = &conns[i];
            if (c->busy) continue;
            if (c->fd < 0) {
                c->fd = open_conn();
                if (c->fd < 0) { connect_errors++; continue; }
                ev.events = EPOLLIN;
                ev.data.u32 = (uint32_t)i;
                epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
            }
            c->intended_ns = queue[q_head++];
            c->busy = 1;
            c->len = 0;
            sent++;
            /* A request this small fits the socket buffer of an idle connection in one write. */
            if (write(c->fd, request, (size_t)rlen) != rlen) {
                write_errors++;
                c->busy = 0;
                close(c->fd);
                c->fd = -1;
            }
        }
        struct itimerspec next = {0};
        int64_t wake = scheduled < total ? start + scheduled * interval : deadline;
        next.it_value.tv_sec = wake / 1000000000LL;
        next.it_value.tv_nsec = wake % 1000000000LL;
        timerfd_settime(tfd, TFD_TIMER_ABSTIME, &next, NULL);
        int n = epoll_wait(ep, events, 256, -1);
        for (int k = 0; k < n; k++) {
            uint32_t id = events[k].data.u32;
            if (id == UINT32_MAX) {
                uint64_t expirations;
                if (read(tfd, &expirations, sizeof expirations) < 0) { /* spurious wake-up */ }
                continue;
            }
            conn_t *c = &conns[id];
            ssize_t got = read(c->fd, c->buf + c->len, BUF_SIZE - c->len);
            if (got < 0 && (errno == EAGAIN || errno == EINTR)) continue;
            int status = 0;
            long whole = got > 0 ? response_length(c->buf, c->len + (size_t)got, &status) : -1;
            if (got > 0) c->len += (size_t)got;
            if (whole == 0) continue;
            if (whole < 0 || !c->busy) { /* closed, broken or unsolicited: count it, reconnect later */
                if (c->busy) read_errors++;
                c->busy = 0;
                epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
                close(c->fd);
                c->fd = -1;
                continue;
            }
            int64_t latency_us = (now_ns() - c->intended_ns) / 1000;
            if (windows) windows[completed] = (uint32_t)((c->intended_ns - start) / (int64_t)(window_ms * 1e6));
            latencies[completed++] = latency_us > UINT32_MAX ? UINT32_MAX : (uint32_t)latency_us;
            by_class[status / 100 < 6 ? status / 100 : 0]++;
            c->busy = 0;
            c->len = 0;
        }
    }
    int64_t wall = now_ns() - start;
    long unanswered = sent - completed - read_errors - write_errors;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
    if (windows && completed) {
        /* Before the latencies are sorted: group them by window, sort each group. */
        uint32_t n_windows = 0;
        for (long i = 0; i < completed; i++) if (windows[i] + 1 > n_windows) n_windows = windows[i] + 1;
        uint32_t *group = malloc((size_t)completed * sizeof *group);
        for (uint32_t w = 0; group && w < n_windows; w++) {
            long n = 0;
            for (long i = 0; i < completed; i++) if (windows[i] == w) group[n++] = latencies[i];
            if (n == 0) { fprintf(stderr, "window %.0f 0 0 0\n", w * window_ms); continue; }
            qsort(group, (size_t)n, sizeof *group, cmp_u32);
            fprintf(stderr, "window %.0f %ld %u %u\n", w * window_ms, n, group[n - 1], group[(size_t)(0.99 * (n - 1) + 0.5)]);
        }
        free(group);
    }
    qsort(latencies, (size_t)completed, sizeof *latencies, cmp_u32);
#define PCT(p) (completed ? latencies[(size_t)((p) * (completed - 1) + 0.5)] : 0)
    double sum = 0;
    for (long i = 0; i < completed; i++) sum += latencies[i];
    printf("{\"rate\": %.1f, \"duration_s\": %.3f, \"connections\": %d, \"scheduled\": %ld, \"sent\": %ld, "
           "\"completed\": %ld, \"achieved_rps\": %.1f, \"max_backlog\": %ld, "
           "\"status\": {\"1xx\": %ld, \"2xx\": %ld, \"3xx\": %ld, \"4xx\": %ld, \"5xx\": %ld, \"other\": %ld}, "
           "\"errors\": {\"connect\": %ld, \"read\": %ld, \"write\": %ld, \"unanswered\": %ld, \"unsent\": %ld}, "
           "\"latency_us\": {\"p50\": %u, \"p90\": %u, \"p99\": %u, \"p999\": %u, \"max\": %u, \"mean\": %.1f}, "
           "\"cpu_s\": %.3f, \"wall_s\": %.3f}\n",
           rate, duration, connections, scheduled, sent, completed, completed / (wall / 1e9), max_backlog,
           by_class[1], by_class[2], by_class[3], by_class[4], by_class[5], by_class[0],
           connect_errors, read_errors, write_errors, unanswered, total - sent,
           PCT(0.50), PCT(0.90), PCT(0.99), PCT(0.999), completed ? latencies[completed - 1] : 0,
           completed ? sum / completed : 0.0, cpu, wall / 1e9);
    return 0;
}

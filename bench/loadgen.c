/* loadgen: an open-loop HTTP/1.1 load generator for the bench scripts
 * (loopback only).
 *
 *   loadgen -r RATE -d SECONDS [-c CONNS] [-w WARMUP] [-s SEED] [-t TIMEOUT]
 *           [-H 'Name: value']... [-p PATHS_FILE] http://127.0.0.1:PORT/path
 *
 * wrk keeps every connection busy: it measures a server at saturation, where a
 * request's latency is mostly its wait in the queue and, on a machine whose
 * cores wrk shares with the server, the wait for a core. loadgen offers a fixed
 * rate instead, as a population of users does: requests arrive at random
 * (Poisson, seeded, RATE per second on average), each goes out on a random
 * idle one of CONNS keep-alive connections, and its latency is counted from its
 * arrival, not from its send. A request that waits for a free connection (the
 * server is slower than the arrivals) has that wait in its latency: the figures
 * do not hide a stalled server the way a closed loop does ("coordinated
 * omission").
 *
 * GET only. The paths are the lines of PATHS_FILE, in turn, or the URL's path.
 * Requests arriving in the first WARMUP seconds (default 1) are sent but not
 * measured. After SECONDS no request arrives; those waiting are still sent, and
 * loadgen waits for the answers up to TIMEOUT seconds (default 10), which is
 * also the longest wait for one answer.
 *
 * Prints one line of key=value pairs: offered and achieved (answered) rates,
 * measured requests answered, failed (connection lost, no answer within
 * TIMEOUT) and not completed at the end, non-2xx answers, latency percentiles
 * in ms, and loadgen's own CPU time per request sent. A failed or uncompleted
 * request counts in the percentiles with a latency of TIMEOUT: a server that
 * drops requests must not look faster for it. Exit status: 0 when every request was answered
 * (whatever the status code), 1 on bad usage or when the server cannot be reached, 2 when some
 * requests failed or were not completed. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 1024
#define MAX_PATHS 1000000
#define MAX_HEADERS 16
#define MAX_HEAD 16384         /* an answer's status line and headers */
#define MAX_SAMPLES 50000000L  /* measured requests (8 bytes each) */
#define MAX_WAITING (1L << 22) /* arrived requests waiting for a connection */

typedef struct request {
    char *text;
    size_t len;
} request;

typedef struct conn {
    int fd;
    bool busy;
    int64_t due;        /* arrival time of the request in flight (ns) */
    const request *req; /* the request in flight */
    size_t sent;        /* bytes of it written */
    char head[MAX_HEAD];
    size_t head_len;
    bool in_body;
    int64_t body_left;
    int status;
    bool close_after; /* the answer said Connection: close */
    int64_t sent_at;
    unsigned gen; /* bumped at each (re)connection */
} conn;

static struct sockaddr_in server;
static request *requests;
static size_t nrequests, next_request;
static conn *conns;
static int nconns, epfd;
static int *idle; /* stack of idle connection indices */
static int nidle;
static int64_t *waiting; /* ring of arrival times waiting for a connection */
static long wait_head, wait_len;
static int64_t *samples;
static long nsamples, sample_cap;
static int64_t measure_from; /* arrivals before this are not measured */
static int64_t last_answer;  /* when the last measured answer came */
static long failed, non2xx, answered, sent_total;
static int64_t timeout_ns;
static uint64_t arrivals_rng, picks_rng;

/* One measured request's latency (or TIMEOUT for one that failed). */
static void sample(int64_t latency_ns)
{
    if (nsamples < sample_cap)
        samples[nsamples++] = latency_ns;
}

static void die(const char *what)
{
    fprintf(stderr, "loadgen: %s\n", what);
    exit(1);
}

static void die_errno(const char *what)
{
    fprintf(stderr, "loadgen: %s: %s\n", what, strerror(errno));
    exit(1);
}

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* xorshift64*: seeded, repeatable sequences. */
static uint64_t next_random(uint64_t *state)
{
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    return *state * 2685821657736338717ULL;
}

static double uniform01(void)
{
    return ((double)(next_random(&arrivals_rng) >> 11) + 0.5) / 9007199254740992.0; /* (0, 1) */
}

static int64_t next_gap_ns(double rate)
{
    return (int64_t)(-log(uniform01()) / rate * 1e9);
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n, size);
    if (!p)
        die("out of memory");
    return p;
}

/* Parses http://A.B.C.D:PORT/path; the address must be a loopback one. */
static const char *parse_url(const char *url, char *host, size_t host_cap)
{
    if (strncmp(url, "http://", 7) != 0)
        die("the URL must start with http://");
    const char *h = url + 7;
    const char *colon = strchr(h, ':');
    if (!colon || (size_t)(colon - h) >= host_cap)
        die("the URL must name an address and a port: http://127.0.0.1:PORT/");
    memcpy(host, h, (size_t)(colon - h));
    host[colon - h] = '\0';
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (end == colon + 1 || port < 1 || port > 65535 || (*end && *end != '/'))
        die("bad port in the URL");
    server.sin_family = AF_INET;
    server.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &server.sin_addr) != 1)
        die("the URL's host must be a numeric IPv4 address");
    if ((ntohl(server.sin_addr.s_addr) >> 24) != 127)
        die("load is only sent to a loopback address (127.0.0.0/8)");
    return *end ? end : "/";
}

static void add_request(const char *path, const char *host, char **headers, int nheaders)
{
    size_t len = strlen(path) + strlen(host) + 64;
    for (int i = 0; i < nheaders; i++)
        len += strlen(headers[i]) + 2;
    char *t = xcalloc(1, len);
    int n =
        snprintf(t, len, "GET %s HTTP/1.1\r\nHost: %s:%u\r\n", path, host, ntohs(server.sin_port));
    for (int i = 0; i < nheaders; i++)
        n += snprintf(t + n, len - (size_t)n, "%s\r\n", headers[i]);
    n += snprintf(t + n, len - (size_t)n, "\r\n");
    requests[nrequests].text = t;
    requests[nrequests].len = (size_t)n;
    nrequests++;
}

static void load_paths(const char *file, const char *host, char **headers, int nheaders)
{
    FILE *f = fopen(file, "r");
    if (!f)
        die_errno(file);
    char line[4096];
    while (fgets(line, sizeof line, f)) {
        size_t n = strcspn(line, "\r\n");
        if (n == 0)
            continue;
        if (line[n] == '\0' && !feof(f))
            die("a path is longer than 4,095 bytes");
        line[n] = '\0';
        if (line[0] != '/' || strpbrk(line, " \t"))
            die("each line of the paths file must be a path starting with /, without spaces");
        if (nrequests == MAX_PATHS)
            die("too many paths (at most 1,000,000)");
        add_request(line, host, headers, nheaders);
    }
    fclose(f);
    if (nrequests == 0)
        die("the paths file is empty");
}

static void watch(int fd, uint32_t id, uint32_t events, int op)
{
    struct epoll_event ev = {.events = events, .data.u32 = id};
    if (epoll_ctl(epfd, op, fd, &ev) != 0)
        die_errno("epoll_ctl");
}

/* Loopback connects at once: a blocking connect, then non-blocking I/O. */
static void conn_open(int i)
{
    conn *c = &conns[i];
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (c->fd < 0)
        die_errno("socket");
    if (connect(c->fd, (struct sockaddr *)&server, sizeof server) != 0)
        die_errno("connect");
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
    c->busy = false;
    c->head_len = 0;
    c->in_body = false;
    c->close_after = false;
    c->gen++;
    watch(c->fd, (uint32_t)i, EPOLLIN | EPOLLRDHUP, EPOLL_CTL_ADD);
    idle[nidle++] = i;
}

/* The connection is lost (or must close): the request in flight, if any,
 * fails; a fresh connection takes the slot. */
static void conn_reset(int i, bool request_failed)
{
    conn *c = &conns[i];
    if (c->busy && request_failed && c->due >= measure_from) {
        failed++;
        sample(timeout_ns);
    }
    close(c->fd); /* also leaves the epoll set */
    bool was_idle = !c->busy;
    if (was_idle) { /* take it off the idle stack: conn_open pushes it again */
        for (int k = 0; k < nidle; k++)
            if (idle[k] == i) {
                idle[k] = idle[--nidle];
                break;
            }
    }
    conn_open(i);
}

static void conn_write(int i)
{
    conn *c = &conns[i];
    while (c->sent < c->req->len) {
        /* MSG_NOSIGNAL: a connection the server has reset must fail the
         * request, not kill loadgen with SIGPIPE */
        ssize_t n = send(c->fd, c->req->text + c->sent, c->req->len - c->sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN) {
            watch(c->fd, (uint32_t)i, EPOLLIN | EPOLLOUT | EPOLLRDHUP, EPOLL_CTL_MOD);
            return;
        }
        if (n <= 0) {
            conn_reset(i, true);
            return;
        }
        c->sent += (size_t)n;
    }
}

/* On a random idle connection: users' requests come from all of them. Taking
 * the last one freed would put a light load on a few connections, and so on
 * one of the server's threads (each connection is served by one). */
static void send_request(int64_t due)
{
    int k = (int)(next_random(&picks_rng) % (uint64_t)nidle);
    int i = idle[k];
    idle[k] = idle[--nidle];
    conn *c = &conns[i];
    c->busy = true;
    c->due = due;
    c->req = &requests[next_request];
    next_request = (next_request + 1) % nrequests;
    c->sent = 0;
    c->head_len = 0;
    c->in_body = false;
    c->sent_at = now_ns();
    sent_total++;
    conn_write(i);
}

static void request_done(int i)
{
    conn *c = &conns[i];
    if (c->due >= measure_from) {
        last_answer = now_ns();
        answered++;
        sample(last_answer - c->due);
        if (c->status < 200 || c->status > 299)
            non2xx++;
    }
    c->busy = false;
    if (c->close_after) {
        conn_reset(i, false);
        return;
    }
    idle[nidle++] = i;
}

/* Status line and headers complete (head ends with one CRLF): the status,
 * the body's length, and whether the server closes the connection after. */
static bool parse_head(conn *c)
{
    c->head[c->head_len] = '\0';
    if (c->head_len < 12 || strncmp(c->head, "HTTP/1.", 7) != 0)
        return false;
    c->status = atoi(c->head + 9);
    c->body_left = (c->status == 204 || c->status == 304) ? 0 : -1;
    c->close_after = false;
    char *line = strstr(c->head, "\r\n") + 2;
    while (*line) {
        char *eol = strstr(line, "\r\n");
        *eol = '\0';
        if (strncasecmp(line, "Content-Length:", 15) == 0)
            c->body_left = strtoll(line + 15, NULL, 10);
        else if (strncasecmp(line, "Transfer-Encoding:", 18) == 0)
            return false; /* chunked answers: not needed by the benches */
        else if (strncasecmp(line, "Connection:", 11) == 0 && strcasestr(line + 11, "close"))
            c->close_after = true;
        line = eol + 2;
    }
    return c->body_left >= 0;
}

/* Reads what the server sent, one read per readiness event (epoll is
 * level-triggered: it reports the rest); bodies are counted, not kept. */
static void conn_read(int i)
{
    static char buf[65536];
    conn *c = &conns[i];
    const unsigned gen = c->gen;
    ssize_t n = read(c->fd, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;   /* level-triggered: epoll reports it again */
    if (n <= 0) { /* closed: an idle keep-alive close is not a failure */
        conn_reset(i, true);
        return;
    }
    size_t off = 0;
    while (off < (size_t)n) {
        if (!c->busy) { /* bytes nobody asked for */
            conn_reset(i, true);
            return;
        }
        if (!c->in_body) {
            size_t take = (size_t)n - off;
            if (take > MAX_HEAD - 1 - c->head_len)
                take = MAX_HEAD - 1 - c->head_len;
            memcpy(c->head + c->head_len, buf + off, take);
            size_t before = c->head_len;
            c->head_len += take;
            c->head[c->head_len] = '\0';
            char *end = strstr(c->head, "\r\n\r\n");
            if (!end) {
                if (c->head_len == MAX_HEAD - 1) {
                    conn_reset(i, true);
                    return;
                }
                off += take;
                continue;
            }
            size_t head_end = (size_t)(end - c->head) + 4;
            c->head_len = head_end - 2; /* keep one CRLF for parse_head */
            if (!parse_head(c)) {
                fprintf(stderr, "loadgen: an answer without Content-Length "
                                "(chunked or malformed) is not supported\n");
                exit(1);
            }
            off += head_end - before;
            c->in_body = true;
        }
        size_t take = (size_t)n - off;
        if ((int64_t)take > c->body_left)
            take = (size_t)c->body_left;
        c->body_left -= (int64_t)take;
        off += take;
        if (c->body_left == 0) {
            request_done(i);
            if (c->gen != gen)
                return; /* reconnected after Connection: close */
        }
    }
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static double pct_ms(double p)
{
    if (nsamples == 0)
        return 0;
    long k = (long)ceil(p / 100.0 * (double)nsamples) - 1;
    if (k < 0)
        k = 0;
    if (k >= nsamples)
        k = nsamples - 1;
    return (double)samples[k] / 1e6;
}

static void usage(void)
{
    fprintf(stderr, "usage: loadgen -r RATE -d SECONDS [-c CONNS] [-w WARMUP] [-s SEED] "
                    "[-t TIMEOUT]\n"
                    "               [-H 'Name: value']... [-p PATHS_FILE] "
                    "http://127.0.0.1:PORT/path\n");
    exit(1);
}

int main(int argc, char **argv)
{
    double rate = 0, seconds = 0, warmup = 1, timeout = 10;
    long seed = 1;
    const char *paths_file = NULL;
    char *headers[MAX_HEADERS];
    int nheaders = 0, opt;
    nconns = 16;
    while ((opt = getopt(argc, argv, "r:d:c:w:s:t:H:p:")) != -1) {
        switch (opt) {
        case 'r':
            rate = atof(optarg);
            break;
        case 'd':
            seconds = atof(optarg);
            break;
        case 'c':
            nconns = atoi(optarg);
            break;
        case 'w':
            warmup = atof(optarg);
            break;
        case 's':
            seed = atol(optarg);
            break;
        case 't':
            timeout = atof(optarg);
            break;
        case 'H':
            if (nheaders == MAX_HEADERS || strchr(optarg, '\r') || strchr(optarg, '\n'))
                die("at most 16 headers, each on one line");
            headers[nheaders++] = optarg;
            break;
        case 'p':
            paths_file = optarg;
            break;
        default:
            usage();
        }
    }
    if (optind != argc - 1)
        usage();
    if (!(rate > 0) || !(seconds > 0) || warmup < 0 || warmup >= seconds || !(timeout > 0) ||
        nconns < 1 || nconns > MAX_CONNS)
        die("need -r RATE > 0, -d SECONDS > WARMUP >= 0, 1 <= -c CONNS <= 1024, "
            "-t TIMEOUT > 0");
    if (rate * seconds * 1.2 > (double)MAX_SAMPLES)
        die("RATE x SECONDS is too large (at most ~45 million requests)");

    char host[64];
    const char *url_path = parse_url(argv[optind], host, sizeof host);
    requests = xcalloc(paths_file ? MAX_PATHS : 1, sizeof *requests);
    if (paths_file)
        load_paths(paths_file, host, headers, nheaders);
    else
        add_request(url_path, host, headers, nheaders);

    conns = xcalloc((size_t)nconns, sizeof *conns);
    idle = xcalloc((size_t)nconns, sizeof *idle);
    waiting = xcalloc(MAX_WAITING, sizeof *waiting);
    sample_cap = (long)(rate * (seconds - warmup) * 1.2) + 4096;
    samples = xcalloc((size_t)sample_cap, sizeof *samples);
    arrivals_rng = 0x9E3779B97F4A7C15ULL ^ (uint64_t)seed;
    if (arrivals_rng == 0)
        arrivals_rng = 1;
    picks_rng = arrivals_rng ^ 0xD1B54A32D192ED03ULL;

    /* sleeps end on time: the default 50 us of timer slack would be added to
     * every latency, which counts from the arrival */
    prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
    epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0)
        die_errno("epoll_create1");
    for (int i = 0; i < nconns; i++)
        conn_open(i);

    struct rusage ru0, ru1;
    getrusage(RUSAGE_SELF, &ru0);
    const int64_t start = now_ns();
    const int64_t stop = start + (int64_t)(seconds * 1e9);
    timeout_ns = (int64_t)(timeout * 1e9);
    measure_from = start + (int64_t)(warmup * 1e9);
    int64_t next_due = start + next_gap_ns(rate);
    int64_t last_scan = start, drain_until = 0;
    bool arriving = true;
    long overflowed = 0;
    struct epoll_event events[256];

    for (;;) {
        int64_t now = now_ns();
        while (arriving && next_due <= now) {
            if (next_due >= stop) {
                arriving = false;
                drain_until = now + timeout_ns;
                break;
            }
            if (wait_len == MAX_WAITING) {
                overflowed++;
            } else {
                waiting[(wait_head + wait_len) % MAX_WAITING] = next_due;
                wait_len++;
            }
            next_due += next_gap_ns(rate);
        }
        if (arriving && now >= stop) { /* the next arrival is past the end */
            arriving = false;
            drain_until = now + timeout_ns;
        }
        while (wait_len > 0 && nidle > 0) {
            int64_t due = waiting[wait_head];
            wait_head = (wait_head + 1) % MAX_WAITING;
            wait_len--;
            send_request(due);
        }
        if (now - last_scan > 100000000) { /* answers overdue: give up on them */
            last_scan = now;
            for (int i = 0; i < nconns; i++)
                if (conns[i].busy && now - conns[i].sent_at > timeout_ns)
                    conn_reset(i, true);
        }
        int busy = nconns - nidle;
        if (!arriving && ((wait_len == 0 && busy == 0) || now >= drain_until))
            break;
        /* sleep until the next arrival (to the nanosecond: epoll_pwait2), or
         * 100 ms while draining */
        int64_t sleep_ns = arriving ? next_due - now : 100000000;
        if (sleep_ns > 100000000)
            sleep_ns = 100000000;
        struct timespec ts = {.tv_sec = sleep_ns / 1000000000, .tv_nsec = sleep_ns % 1000000000};
        int n = epoll_pwait2(epfd, events, 256, &ts, NULL);
        if (n < 0 && errno != EINTR)
            die_errno("epoll_pwait2");
        for (int k = 0; k < n; k++) {
            uint32_t id = events[k].data.u32;
            int i = (int)id;
            if (events[k].events & EPOLLOUT) {
                watch(conns[i].fd, id, EPOLLIN | EPOLLRDHUP, EPOLL_CTL_MOD);
                if (conns[i].busy)
                    conn_write(i);
            }
            if (events[k].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
                conn_read(i);
        }
        if (!arriving && n == 0 && now_ns() >= drain_until)
            break;
    }
    /* what was still waiting or in flight at the deadline (arrivals dropped
     * when the waiting ring was full are all counted: they only happen when
     * the server is hopelessly behind) */
    long incomplete = overflowed;
    for (long k = 0; k < wait_len; k++)
        if (waiting[(wait_head + k) % MAX_WAITING] >= measure_from)
            incomplete++;
    for (int i = 0; i < nconns; i++)
        if (conns[i].busy && conns[i].due >= measure_from)
            incomplete++;
    for (long k = 0; k < incomplete; k++)
        sample(timeout_ns);
    getrusage(RUSAGE_SELF, &ru1);
    double cpu_us = (double)(ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec + ru1.ru_stime.tv_sec -
                             ru0.ru_stime.tv_sec) *
                        1e6 +
                    (double)(ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec + ru1.ru_stime.tv_usec -
                             ru0.ru_stime.tv_usec);

    qsort(samples, (size_t)nsamples, sizeof *samples, cmp_i64);
    /* answers per second from the first measured arrival to the last answer:
     * the server's throughput, also when it fell behind the arrivals */
    double measured_s = (double)(last_answer - measure_from) / 1e9;
    if (measured_s < seconds - warmup)
        measured_s = seconds - warmup;
    printf("loadgen: offered=%.0f/s achieved=%.0f/s conns=%d measured=%ld failed=%ld "
           "non2xx=%ld incomplete=%ld p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f "
           "p999_ms=%.3f max_ms=%.3f cpu_us_per_req=%.1f\n",
           rate, (double)answered / measured_s, nconns, answered, failed, non2xx, incomplete,
           pct_ms(50), pct_ms(90), pct_ms(99), pct_ms(99.9),
           nsamples ? (double)samples[nsamples - 1] / 1e6 : 0.0,
           cpu_us / (double)(sent_total ? sent_total : 1));
    return (failed || incomplete) ? 2 : 0;
}

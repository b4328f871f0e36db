/* hl7_load: MLLP load generator for bench/hl7.sh (loopback only).
 *
 *   hl7_load PORT MESSAGES [CONNS] [WINDOW] [PREFIX] [MODE]
 *
 * Sends MESSAGES PAM FR messages in total, spread over CONNS connections
 * (default 1): pairs of ADT^A28 (a new identity, random traits, its own IPP)
 * then ADT^A01 (an admission of that patient, with its ZBE). Each connection
 * keeps at most WINDOW messages unacknowledged (default 256; 1 = the strict
 * "send, wait for the ACK" of original-mode senders). MODE "reconnect" opens
 * a new connection for every message (the only mode in which node-hl7-server
 * 2.5.0 acknowledges correctly, see docs/benchmarks.md). PREFIX keeps runs
 * apart in one database (MSH-10 and IPPs).
 *
 * Prints one line: sent, acks by code, acks whose MSA-2 is not the expected
 * control id (in order), ACKs received for nothing outstanding (extra),
 * seconds, messages/s, and ACK latency p50/p99 (ms).
 * Stops by itself: every socket operation is bounded by a 30 s stall. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAXC 64

typedef struct conn {
    int fd;
    long first, count; /* message indices [first, first + count) */
    long sent, acked;
    char out[256 * 1024];
    size_t out_len, out_off;
    char in[65536];
    size_t in_len;
} conn;

static int port;
static const char *prefix = "B";
static double *sent_at;
static double *lat;
static long nlat;
static long aa, ae, ar, mismatched, extra;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* A pronounceable random name, so that identities differ (no duplicates). */
static void name(uint64_t *s, char *out, int syll)
{
    static const char *const c[] = {"B", "C", "D", "F", "G", "L", "M",
                                    "N", "P", "R", "S", "T", "V"};
    static const char *const v[] = {"A", "E", "I", "O", "U", "OU", "AN", "ER"};
    out[0] = '\0';
    for (int i = 0; i < syll; i++) {
        strcat(out, c[rng(s) % 13]);
        strcat(out, v[rng(s) % 8]);
    }
}

/* Message i: even = A28 of patient i/2, odd = A01 of the same patient. */
static size_t build(long i, char *out, size_t cap)
{
    long p = i / 2;
    uint64_t s = (uint64_t)p * 2654435761u + 12345;
    char fam[64], giv[64];
    name(&s, fam, 3);
    name(&s, giv, 2);
    int y = 1930 + (int)(rng(&s) % 70), m = 1 + (int)(rng(&s) % 12), d = 1 + (int)(rng(&s) % 28);
    char sex = rng(&s) % 2 ? 'M' : 'F';
    const char *ev = i % 2 ? "A01" : "A28";
    const char *st = i % 2 ? "ADT_A01" : "ADT_A05";
    int n =
        snprintf(out + 1, cap - 3,
                 "MSH|^~\\&|GAM|BENCH|PARCOURS|PARCOURS|20261101120000||ADT^%s^%s|%s%ld|P|"
                 "2.5^FRA^2.11|||||FRA|UNICODE UTF-8|FR||2.11^IHE_FRANCE-2.11-PAM\r"
                 "EVN||20261101120000\r"
                 "PID|1||%s%ld^^^BENCH&1.2.250.1.999.9&ISO^PI||%s^%s^%s^^^^L||%04d%02d%02d|%c|||"
                 "1 rue du Test^^RENNES^^35000^FRA^H\r",
                 ev, st, prefix, i, prefix, p, fam, giv, giv, y, m, d, sex);
    if (i % 2)
        n += snprintf(out + 1 + n, cap - 3 - (size_t)n,
                      "PV1|1|I|^^^BENCH&1.2.250.1.999.9&M^O^^||||||||||||||||V%s%ld\r"
                      "ZBE|MV%s%ld^BENCH|20261101113000||INSERT|N||Medecine^^^^^BENCH^UF^^^1|"
                      "Medecine^^^^^BENCH^UF^^^1|HMS\r",
                      prefix, p, prefix, p);
    out[0] = 0x0b;
    out[1 + n] = 0x1c;
    out[2 + n] = 0x0d;
    return (size_t)n + 3;
}

static int dial(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        perror("hl7_load: connect");
        exit(1);
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

/* Reads ACK frames; checks MSA-2 against the next expected control id. */
static void on_frames(conn *c, bool reconnect)
{
    char *p = c->in, *end = c->in + c->in_len;
    for (;;) {
        char *sb = memchr(p, 0x0b, (size_t)(end - p));
        char *eb = sb ? memchr(sb, 0x1c, (size_t)(end - sb)) : NULL;
        if (!eb)
            break;
        *eb = '\0';
        if (c->acked >= c->sent) {
            /* an ACK for nothing outstanding (a server repeating earlier ACKs) */
            extra++;
            p = eb + 1 + (eb + 1 < end && eb[1] == 0x0d);
            continue;
        }
        long idx = c->first + c->acked;
        char want[64];
        snprintf(want, sizeof want, "MSA|AA|%s%ld", prefix, idx);
        char *msa = strstr(sb, "MSA|");
        if (msa && strncmp(msa, "MSA|AA|", 7) == 0)
            aa++;
        else if (msa && strncmp(msa, "MSA|AE|", 7) == 0)
            ae++;
        else
            ar++;
        if (!msa || strncmp(msa + 7, want + 7, strlen(want + 7)) != 0 ||
            (msa[7 + strlen(want + 7)] != '\r' && msa[7 + strlen(want + 7)] != '|' &&
             msa[7 + strlen(want + 7)] != '\0'))
            mismatched++;
        lat[nlat++] = now_s() - sent_at[idx];
        c->acked++;
        p = eb + 1 + (eb + 1 < end && eb[1] == 0x0d);
        if (reconnect)
            break; /* one ACK per connection */
    }
    size_t rest = (size_t)(end - p);
    memmove(c->in, p, rest);
    c->in_len = rest;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: hl7_load PORT MESSAGES [CONNS] [WINDOW] [PREFIX] [reconnect]\n");
        return 2;
    }
    port = atoi(argv[1]);
    long total = atol(argv[2]);
    int nconn = argc > 3 ? atoi(argv[3]) : 1;
    long window = argc > 4 ? atol(argv[4]) : 256;
    if (argc > 5)
        prefix = argv[5];
    bool reconnect = argc > 6 && strcmp(argv[6], "reconnect") == 0;
    if (nconn < 1 || nconn > MAXC || total < 1 || window < 1)
        return 2;
    if (reconnect)
        window = 1;
    sent_at = calloc((size_t)total, sizeof *sent_at);
    lat = calloc((size_t)total, sizeof *lat);
    conn *cs = calloc((size_t)nconn, sizeof *cs);
    long per = total / nconn;
    for (int k = 0; k < nconn; k++) {
        cs[k].first = k * per;
        cs[k].count = k == nconn - 1 ? total - k * per : per;
        /* pairs stay on one connection: A01 follows its A28 */
        cs[k].fd = reconnect ? -1 : dial();
    }
    double t0 = now_s(), last_progress = t0;
    long done = 0;
    struct pollfd pfd[MAXC];
    while (done < total) {
        for (int k = 0; k < nconn; k++) {
            conn *c = &cs[k];
            pfd[k].fd = -1;
            pfd[k].events = 0;
            if (c->acked == c->count)
                continue;
            if (c->out_off == c->out_len)
                c->out_off = c->out_len = 0;
            /* queue as many messages as the window and the buffer allow */
            while (c->sent < c->count && c->sent - c->acked < window &&
                   sizeof c->out - c->out_len > 4096 && (!reconnect || c->out_len == 0)) {
                if (reconnect && c->fd < 0)
                    c->fd = dial();
                c->out_len +=
                    build(c->first + c->sent, c->out + c->out_len, sizeof c->out - c->out_len);
                sent_at[c->first + c->sent] = now_s();
                c->sent++;
            }
            pfd[k].fd = c->fd;
            pfd[k].events = POLLIN | (c->out_off < c->out_len ? POLLOUT : 0);
        }
        int r = poll(pfd, (nfds_t)nconn, 1000);
        if (r < 0 && errno != EINTR)
            return 1;
        if (now_s() - last_progress > 30) {
            fprintf(stderr, "hl7_load: stalled (%ld of %ld acknowledged)\n", done, total);
            return 1;
        }
        for (int k = 0; k < nconn; k++) {
            conn *c = &cs[k];
            if (pfd[k].fd < 0)
                continue;
            if (pfd[k].revents & POLLOUT) {
                ssize_t w = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
                if (w > 0)
                    c->out_off += (size_t)w;
            }
            if (pfd[k].revents & (POLLIN | POLLHUP | POLLERR)) {
                ssize_t n = recv(c->fd, c->in + c->in_len, sizeof c->in - c->in_len, 0);
                if (n <= 0) {
                    fprintf(stderr, "hl7_load: connection closed by the server\n");
                    return 1;
                }
                c->in_len += (size_t)n;
                long before = c->acked;
                on_frames(c, reconnect);
                done += c->acked - before;
                if (c->acked > before)
                    last_progress = now_s();
                if (reconnect && c->acked > before) {
                    close(c->fd);
                    c->fd = -1;
                    c->in_len = 0;
                }
            }
        }
    }
    double secs = now_s() - t0;
    qsort(lat, (size_t)nlat, sizeof *lat, cmp);
    printf("sent=%ld aa=%ld ae=%ld ar=%ld mismatched=%ld extra=%ld seconds=%.3f rate=%.0f "
           "p50_ms=%.2f p99_ms=%.2f\n",
           total, aa, ae, ar, mismatched, extra, secs, (double)total / secs, lat[nlat / 2] * 1000,
           lat[(long)((double)nlat * 0.99)] * 1000);
    for (int k = 0; k < nconn; k++)
        if (cs[k].fd >= 0)
            close(cs[k].fd);
    return 0;
}

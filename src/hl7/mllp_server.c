#include "hl7/mllp_server.h"
#include "hl7/hl7_ingest.h"
#include "hl7/mllp.h"
#include "util/alloc.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#define READ_CHUNK (64 * 1024)
#define OUT_PAUSE (1024 * 1024) /* pending ACK bytes past which reading pauses */

typedef struct mconn {
    int fd;
    char peer[64];
    mllp_decoder dec;
    /* bytes read but not decoded yet (reading pauses at the in-flight bound) */
    unsigned char in[READ_CHUNK];
    size_t in_off, in_len;
    /* the first bytes of the current frame, to address the AR of an oversized one */
    char head[HL7_JOB_HEAD_MAX];
    size_t head_len;
    bool in_frame;
    buf out; /* MLLP-framed ACKs waiting for the socket */
    size_t out_off;
    int inflight;    /* jobs queued or being committed (each holds a reference) */
    bool eof;        /* the peer closed its side: no more reading */
    bool closed;     /* the socket is closed; freed when inflight drops to 0 */
    uint32_t events; /* epoll interest currently registered */
    int64_t last_ms;
    struct mconn *prev, *next;
} mconn;

struct mllp_server {
    app *app;
    hl7_ingest ingest;
    int listen_fd, epoll_fd, event_fd;
    int port;
    size_t max_frame;
    int idle_ms, max_conn, nconn;
    mconn *conns;
    pthread_t io_thread, commit_thread;
    atomic_bool stopping;
    atomic_bool drained;    /* the I/O thread saw nothing in flight after stopping */
    atomic_bool force_exit; /* the I/O thread ends now (after the stop timeout) */
    /* queues, under lock */
    pthread_mutex_t lock;
    pthread_cond_t work;
    hl7_job *todo_head, *todo_tail;
    int todo_n;
    hl7_job *done_head, *done_tail;
    bool committer_exit;
};

/* ---- queues --------------------------------------------------------------- */

static void push(hl7_job **head, hl7_job **tail, hl7_job *list_head, hl7_job *list_tail)
{
    if (*tail)
        (*tail)->next = list_head;
    else
        *head = list_head;
    *tail = list_tail;
}

static void wake_io(mllp_server *s)
{
    uint64_t one = 1;
    ssize_t w = write(s->event_fd, &one, sizeof one);
    (void)w; /* the counter only saturates, and then a wake-up is pending anyway */
}

/* The committer: takes everything queued (up to MLLP_BATCH_MAX), commits it
 * as one batch, hands the jobs back; runs the rupture check between batches
 * when it is due. */
static void *commit_main(void *arg)
{
    mllp_server *s = arg;
    int64_t check_every =
        (int64_t)(s->app->cfg.rupture_check_s > 0 ? s->app->cfg.rupture_check_s : 300) * 1000;
    int64_t next_check = time_now_ms() + 1000;
    hl7_job *batch[MLLP_BATCH_MAX];
    for (;;) {
        pthread_mutex_lock(&s->lock);
        while (!s->todo_head && !s->committer_exit && time_now_ms() < next_check) {
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_sec += 1;
            pthread_cond_timedwait(&s->work, &s->lock, &until);
        }
        if (!s->todo_head && s->committer_exit) {
            pthread_mutex_unlock(&s->lock);
            break;
        }
        int n = 0;
        while (s->todo_head && n < MLLP_BATCH_MAX) {
            batch[n] = s->todo_head;
            s->todo_head = s->todo_head->next;
            batch[n++]->next = NULL;
        }
        if (!s->todo_head)
            s->todo_tail = NULL;
        s->todo_n -= n;
        bool exiting = s->committer_exit;
        pthread_mutex_unlock(&s->lock);
        if (n > 0) {
            hl7_ingest_batch(&s->ingest, batch, n);
            for (int i = 0; i + 1 < n; i++)
                batch[i]->next = batch[i + 1];
            pthread_mutex_lock(&s->lock);
            push(&s->done_head, &s->done_tail, batch[0], batch[n - 1]);
            pthread_mutex_unlock(&s->lock);
            wake_io(s);
        }
        /* due even under continuous traffic (between two batches) */
        if (time_now_ms() >= next_check && !exiting) {
            hl7_ingest_housekeeping(&s->ingest);
            next_check = time_now_ms() + check_every;
        }
    }
    return NULL;
}

/* ---- connections ------------------------------------------------------------- */

static void set_interest(mllp_server *s, mconn *c)
{
    if (c->closed)
        return;
    uint32_t ev = 0;
    bool out_pending = c->out.len > c->out_off;
    if (!c->eof && !atomic_load(&s->stopping) && c->inflight < MLLP_MAX_INFLIGHT &&
        c->out.len - c->out_off < OUT_PAUSE)
        ev |= EPOLLIN;
    if (out_pending)
        ev |= EPOLLOUT;
    if (ev == c->events)
        return;
    struct epoll_event e = {.events = ev, .data.ptr = c};
    epoll_ctl(s->epoll_fd, EPOLL_CTL_MOD, c->fd, &e);
    c->events = ev;
}

static void conn_free(mllp_server *s, mconn *c)
{
    if (c->prev)
        c->prev->next = c->next;
    else
        s->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    mllp_decoder_free(&c->dec);
    buf_free(&c->out);
    free(c);
}

/* Queues a job for what the decoder holds of an incomplete frame, so that
 * nothing received is lost (stored as rejected: the sender never got an ACK
 * and sends the message again). */
static hl7_job *job_new(mconn *c, const void *data, size_t len)
{
    hl7_job *j = xcalloc(1, sizeof *j);
    j->data = xmalloc(len + 1);
    memcpy(j->data, data, len);
    j->data[len] = '\0';
    j->len = len;
    j->received_at = time_now_ms();
    j->owner = c;
    snprintf(j->peer, sizeof j->peer, "%s", c->peer);
    return j;
}

static void enqueue(mllp_server *s, hl7_job *head, hl7_job *tail, int n)
{
    if (!head)
        return;
    pthread_mutex_lock(&s->lock);
    push(&s->todo_head, &s->todo_tail, head, tail);
    s->todo_n += n;
    pthread_cond_signal(&s->work);
    pthread_mutex_unlock(&s->lock);
}

static void conn_close(mllp_server *s, mconn *c, const char *why)
{
    if (c->closed)
        return;
    if (!mllp_decoder_idle(&c->dec) && c->dec.frame.len > 0) {
        hl7_job *j = job_new(c, c->dec.frame.data, c->dec.frame.len);
        j->truncated = true;
        c->inflight++;
        enqueue(s, j, j, 1);
    }
    log_info("mllp close", "peer=%s reason=%s frames=%llu oversized=%llu garbage_bytes=%llu",
             c->peer, why, (unsigned long long)c->dec.frames, (unsigned long long)c->dec.oversized,
             (unsigned long long)c->dec.garbage_bytes);
    epoll_ctl(s->epoll_fd, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    c->fd = -1;
    c->closed = true;
    s->nconn--; /* freed by reap() once nothing refers to it any more */
}

static void conn_flush(mllp_server *s, mconn *c)
{
    while (!c->closed && c->out.len > c->out_off) {
        ssize_t w = send(c->fd, c->out.data + c->out_off, c->out.len - c->out_off, MSG_NOSIGNAL);
        if (w > 0) {
            c->out_off += (size_t)w;
            c->last_ms = time_now_ms();
            continue;
        }
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        conn_close(s, c, "write error");
        return;
    }
    if (c->closed)
        return;
    if (c->out_off == c->out.len) {
        buf_reset(&c->out);
        c->out_off = 0;
        if (c->eof && c->inflight == 0) {
            conn_close(s, c, "peer closed");
            return;
        }
    }
    set_interest(s, c);
}

/* Keeps the first bytes of the frame being received (see mconn.head). */
static void track_head(mconn *c, const unsigned char *p, size_t n)
{
    const unsigned char *end = p + n;
    while (p < end) {
        if (!c->in_frame) {
            const unsigned char *sb = memchr(p, MLLP_START_BLOCK, (size_t)(end - p));
            if (!sb)
                return;
            c->in_frame = true;
            c->head_len = 0;
            p = sb + 1;
            continue;
        }
        const unsigned char *eb = memchr(p, MLLP_END_BLOCK, (size_t)(end - p));
        const unsigned char *sb = memchr(p, MLLP_START_BLOCK, (size_t)(end - p));
        const unsigned char *stop = eb && (!sb || eb < sb) ? eb : sb;
        size_t run = (size_t)((stop ? stop : end) - p);
        size_t room = sizeof c->head - 1 - c->head_len;
        memcpy(c->head + c->head_len, p, run < room ? run : room);
        c->head_len += run < room ? run : room;
        c->head[c->head_len] = '\0';
        if (!stop)
            return;
        c->in_frame = *stop == MLLP_START_BLOCK;
        c->head_len = 0;
        p = stop + 1;
    }
}

/* Decodes buffered input into jobs, up to the in-flight bound. */
static void conn_decode(mllp_server *s, mconn *c)
{
    hl7_job *head = NULL, *tail = NULL;
    int n = 0;
    while (c->in_off < c->in_len && c->inflight < MLLP_MAX_INFLIGHT) {
        size_t used;
        mllp_frame f;
        const unsigned char *p = c->in + c->in_off;
        mllp_event ev = mllp_decode(&c->dec, p, c->in_len - c->in_off, &used, &f);
        hl7_job *j = NULL;
        if (ev == MLLP_FRAME) {
            j = job_new(c, f.data, f.len);
        } else if (ev == MLLP_FRAME_TOO_LARGE) {
            track_head(c, p, used);
            j = job_new(c, c->head, strnlen(c->head, c->head_len));
            j->oversized = true;
            j->frame_size = s->max_frame + 1;
        }
        if (ev != MLLP_FRAME_TOO_LARGE)
            track_head(c, p, used);
        c->in_off += used;
        if (j) {
            c->inflight++;
            if (tail)
                tail->next = j;
            else
                head = j;
            tail = j;
            n++;
        }
    }
    if (c->in_off == c->in_len)
        c->in_off = c->in_len = 0;
    enqueue(s, head, tail, n);
}

static void conn_read(mllp_server *s, mconn *c)
{
    while (!c->closed && !c->eof && c->in_len == 0 && c->inflight < MLLP_MAX_INFLIGHT) {
        ssize_t r = recv(c->fd, c->in, sizeof c->in, 0);
        if (r > 0) {
            c->in_len = (size_t)r;
            c->in_off = 0;
            c->last_ms = time_now_ms();
            conn_decode(s, c);
            continue;
        }
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        c->eof = true; /* orderly close or error: finish what is in flight */
        if (r < 0 || c->inflight == 0) {
            conn_close(s, c, r < 0 ? "read error" : "peer closed");
            return;
        }
        if (!mllp_decoder_idle(&c->dec) && c->dec.frame.len > 0) {
            hl7_job *j = job_new(c, c->dec.frame.data, c->dec.frame.len);
            j->truncated = true;
            c->inflight++;
            enqueue(s, j, j, 1);
            mllp_decoder_reset(&c->dec);
        }
    }
    set_interest(s, c);
}

static void accept_all(mllp_server *s)
{
    for (;;) {
        struct sockaddr_in sa;
        socklen_t sl = sizeof sa;
        int fd = accept4(s->listen_fd, (struct sockaddr *)&sa, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR)
                continue;
            return; /* EAGAIN, or out of descriptors: retried on the next event */
        }
        char peer[64];
        inet_ntop(AF_INET, &sa.sin_addr, peer, sizeof peer);
        if (s->nconn >= s->max_conn || atomic_load(&s->stopping)) {
            log_warn("mllp refused", "peer=%s reason=\"too many connections (%d)\"", peer,
                     s->max_conn);
            close(fd);
            continue;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        mconn *c = xcalloc(1, sizeof *c);
        c->fd = fd;
        snprintf(c->peer, sizeof c->peer, "%s", peer);
        mllp_decoder_init(&c->dec, s->max_frame);
        buf_init(&c->out, 0); /* bounded by the in-flight limit and OUT_PAUSE */
        c->last_ms = time_now_ms();
        c->events = EPOLLIN;
        struct epoll_event e = {.events = EPOLLIN, .data.ptr = c};
        if (epoll_ctl(s->epoll_fd, EPOLL_CTL_ADD, fd, &e) != 0) {
            close(fd);
            mllp_decoder_free(&c->dec);
            free(c);
            continue;
        }
        c->next = s->conns;
        if (s->conns)
            s->conns->prev = c;
        s->conns = c;
        s->nconn++;
        log_info("mllp open", "peer=%s connections=%d", peer, s->nconn);
    }
}

/* Writes back the ACKs of committed batches, then lets connections that
 * were held at the in-flight bound decode and read again. */
static void deliver_acks(mllp_server *s)
{
    pthread_mutex_lock(&s->lock);
    hl7_job *j = s->done_head;
    s->done_head = s->done_tail = NULL;
    pthread_mutex_unlock(&s->lock);
    while (j) {
        hl7_job *next = j->next;
        mconn *c = j->owner;
        c->inflight--;
        if (!c->closed && j->ack)
            mllp_wrap(&c->out, j->ack, j->ack_len);
        hl7_job_free(j);
        j = next;
    }
    for (mconn *c = s->conns, *next; c; c = next) {
        next = c->next;
        if (c->closed)
            continue;
        if (c->in_off < c->in_len)
            conn_decode(s, c);
        conn_flush(s, c); /* also closes a half-closed connection with nothing left */
    }
}

/* Frees closed connections that no job refers to. Called between event
 * batches only, so that no event in hand points to freed memory. */
static void reap(mllp_server *s)
{
    for (mconn *c = s->conns, *next; c; c = next) {
        next = c->next;
        if (c->closed && c->inflight == 0)
            conn_free(s, c);
    }
}

static void close_idle(mllp_server *s, int64_t now)
{
    for (mconn *c = s->conns, *next; c; c = next) {
        next = c->next;
        if (!c->closed && c->inflight == 0 && now - c->last_ms > s->idle_ms)
            conn_close(s, c, "idle");
    }
}

static void *io_main(void *arg)
{
    mllp_server *s = arg;
    struct epoll_event evs[64];
    int64_t last_scan = time_now_ms();
    for (;;) {
        int n = epoll_wait(s->epoll_fd, evs, 64, 500);
        for (int i = 0; i < n; i++) {
            void *p = evs[i].data.ptr;
            if (p == &s->listen_fd) {
                accept_all(s);
            } else if (p == &s->event_fd) {
                uint64_t v;
                ssize_t r = read(s->event_fd, &v, sizeof v);
                (void)r;
                deliver_acks(s);
            } else {
                mconn *c = p;
                if (c->closed)
                    continue;
                if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
                    conn_read(s, c);
                if (!c->closed && (evs[i].events & EPOLLOUT))
                    conn_flush(s, c);
            }
        }
        if (atomic_load(&s->force_exit)) {
            deliver_acks(s);
            reap(s);
            break;
        }
        int64_t now = time_now_ms();
        if (now - last_scan >= 1000) {
            close_idle(s, now);
            last_scan = now;
        }
        reap(s);
        if (atomic_load(&s->stopping)) {
            pthread_mutex_lock(&s->lock);
            bool idle = !s->todo_head && !s->done_head;
            pthread_mutex_unlock(&s->lock);
            bool inflight = false;
            for (mconn *c = s->conns; c && !inflight; c = c->next)
                inflight = c->inflight > 0 || (!c->closed && c->out.len > c->out_off);
            if (idle && !inflight)
                break;
        }
    }
    atomic_store(&s->drained, true);
    return NULL;
}

/* ---- start / stop -------------------------------------------------------------- */

static bool parse_addr(const char *addr, struct sockaddr_in *sa)
{
    const char *colon = strrchr(addr, ':');
    char host[64];
    if (!colon || colon == addr || (size_t)(colon - addr) >= sizeof host)
        return false;
    memcpy(host, addr, (size_t)(colon - addr));
    host[colon - addr] = '\0';
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || colon[1] == '\0' || port < 0 || port > 65535)
        return false;
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    if (strcmp(host, "localhost") == 0)
        snprintf(host, sizeof host, "127.0.0.1");
    return inet_pton(AF_INET, host, &sa->sin_addr) == 1;
}

mllp_server *mllp_server_start(app *a, const char *addr, char *err, size_t errsz)
{
    struct sockaddr_in sa;
    if (!parse_addr(addr, &sa)) {
        snprintf(err, errsz, "invalid MLLP address '%s' (expected IPv4:PORT, e.g. 127.0.0.1:2575)",
                 addr);
        return NULL;
    }
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 128) != 0) {
        snprintf(err, errsz, "cannot listen on %s for MLLP: %s", addr, strerror(errno));
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    socklen_t sl = sizeof sa;
    getsockname(fd, (struct sockaddr *)&sa, &sl);
    mllp_server *s = xcalloc(1, sizeof *s);
    s->app = a;
    s->listen_fd = fd;
    s->port = ntohs(sa.sin_port);
    s->max_frame = a->cfg.mllp_max_frame ? a->cfg.mllp_max_frame : MLLP_DEFAULT_MAX_FRAME;
    s->idle_ms = (a->cfg.mllp_idle_s > 0 ? a->cfg.mllp_idle_s : 300) * 1000;
    s->max_conn = a->cfg.mllp_max_conn > 0 ? a->cfg.mllp_max_conn : 64;
    hl7_ingest_init(&s->ingest, a, s->max_frame);
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->work, NULL);
    s->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    s->event_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    struct epoll_event le = {.events = EPOLLIN, .data.ptr = &s->listen_fd};
    struct epoll_event ee = {.events = EPOLLIN, .data.ptr = &s->event_fd};
    if (s->epoll_fd < 0 || s->event_fd < 0 || epoll_ctl(s->epoll_fd, EPOLL_CTL_ADD, fd, &le) != 0 ||
        epoll_ctl(s->epoll_fd, EPOLL_CTL_ADD, s->event_fd, &ee) != 0) {
        snprintf(err, errsz, "cannot set up the MLLP event loop: %s", strerror(errno));
        close(fd);
        if (s->epoll_fd >= 0)
            close(s->epoll_fd);
        if (s->event_fd >= 0)
            close(s->event_fd);
        free(s);
        return NULL;
    }
    pthread_create(&s->commit_thread, NULL, commit_main, s);
    pthread_create(&s->io_thread, NULL, io_main, s);
    return s;
}

int mllp_server_port(const mllp_server *s)
{
    return s->port;
}

void mllp_server_stop(mllp_server *s, int timeout_ms)
{
    atomic_store(&s->stopping, true);
    epoll_ctl(s->epoll_fd, EPOLL_CTL_DEL, s->listen_fd, NULL);
    close(s->listen_fd);
    wake_io(s);
    for (int waited = 0; !atomic_load(&s->drained) && waited < timeout_ms; waited += 10)
        usleep(10000);
    if (!atomic_load(&s->drained))
        log_warn("mllp stop", "%s", "messages still in flight after the timeout");
    /* what was received is committed before the committer ends (a commit is
     * never cut in the middle); then the I/O thread delivers the last ACKs */
    pthread_mutex_lock(&s->lock);
    s->committer_exit = true;
    pthread_cond_signal(&s->work);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->commit_thread, NULL);
    atomic_store(&s->force_exit, true);
    wake_io(s);
    pthread_join(s->io_thread, NULL);
    for (mconn *c = s->conns, *next; c; c = next) {
        next = c->next;
        if (!c->closed)
            close(c->fd);
        mllp_decoder_free(&c->dec);
        buf_free(&c->out);
        free(c);
    }
    for (hl7_job *j = s->todo_head, *next; j; j = next) {
        next = j->next;
        hl7_job_free(j);
    }
    for (hl7_job *j = s->done_head, *next; j; j = next) {
        next = j->next;
        hl7_job_free(j);
    }
    log_info("mllp stopped",
             "accepted=%llu errors=%llu rejected=%llu duplicates=%llu batches=%llu retried=%llu",
             (unsigned long long)s->ingest.accepted, (unsigned long long)s->ingest.errors,
             (unsigned long long)s->ingest.rejected, (unsigned long long)s->ingest.duplicates,
             (unsigned long long)s->ingest.batches, (unsigned long long)s->ingest.retried);
    close(s->epoll_fd);
    close(s->event_fd);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->work);
    free(s);
}

#include "http/stream.h"
#include "core/notify.h"
#include "util/alloc.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define STREAM_BLOCK 4096
#define PENDING_MAX 256 /* in-process wake-ups queued for the waker */
#define WATCH_BATCH 256 /* users per collect from other processes */
#define TICK_MS 1000

/* A stream's suspension state, changed under the hub's lock only. The
 * libmicrohttpd calls themselves are made outside the lock (the library takes
 * its own locks and calls back into us), with this protocol:
 *   reader: RUNNING -> SUSPENDING, unlock, MHD_suspend_connection, lock, then
 *           SUSPENDED, or RUNNING and resume itself if a wake came meanwhile;
 *   waker:  SUSPENDED -> RUNNING then MHD_resume_connection (exactly once per
 *           suspension), SUSPENDING -> WAKE_REQUESTED (the reader resumes).
 * A suspended connection cannot complete, so a stream is never freed while
 * someone is about to resume it. */
typedef enum stream_state { ST_RUNNING, ST_SUSPENDING, ST_WAKE_REQUESTED, ST_SUSPENDED } stream_state;

struct stream {
    stream_hub *hub;
    struct MHD_Connection *conn;
    stream_source src;
    char request_id[24];
    char client_addr[64];
    buf out;    /* what is produced and not sent yet (reader thread only) */
    size_t off; /* sent part of out */
    bool ended; /* reader thread only */
    /* under hub->lock */
    stream_state state;
    bool dirty;  /* something may be new: ask the source */
    bool ka_due; /* keep-alive period elapsed */
    bool linked;
    int64_t last_write_ms;
    stream *prev, *next;
};

struct stream_hub {
    const app *app;
    int max_streams;
    int64_t keepalive_ms;
    pthread_mutex_t lock;
    stream *head;
    int count;
    bool closing;
    int64_t pending[PENDING_MAX]; /* users woken in-process, for the waker */
    int npending;
    bool pending_all;
    int wake_pipe[2];
    atomic_bool stop;
    pthread_t waker;
    notify_watch *watch;
    struct MHD_Connection **resume; /* waker's scratch, max_streams long */
};

/* ---- handler side ---------------------------------------------------------- */

static void stream_free(stream *st)
{
    if (st->src.release)
        st->src.release(st->src.cls);
    buf_free(&st->out);
    free(st);
}

/* The request cleanup while the stream is not claimed by the server. */
static void stream_discard(void *data)
{
    stream_free(data);
}

static void claimed(void *data)
{
    (void)data;
}

void stream_accept(req *r, const stream_source *src)
{
    stream *st = xcalloc(1, sizeof *st);
    st->src = *src;
    buf_init(&st->out, 0); /* our own events, bounded by the source's batches */
    snprintf(st->request_id, sizeof st->request_id, "%s", r->request_id);
    snprintf(st->client_addr, sizeof st->client_addr, "%s", r->client_addr);
    buf_puts(&st->out, ": connected\n\n"); /* headers and a first chunk at once */
    req_on_free(r, stream_discard, st);
    r->status = 200;
    r->content_type = "text/event-stream; charset=utf-8";
    buf_reset(&r->out);
}

stream *stream_claim(req *r)
{
    for (req_cleanup *c = r->cleanups; c; c = c->next)
        if (c->fn == stream_discard) {
            stream *st = c->data;
            c->fn = claimed;
            c->data = NULL;
            return st;
        }
    return NULL;
}

/* ---- waking ------------------------------------------------------------- */

/* Marks st dirty (and due for a keep-alive when ka); returns the connection
 * to resume, if the caller must. Under h->lock. */
static struct MHD_Connection *mark(stream *st, bool ka)
{
    st->dirty = st->dirty || !ka;
    st->ka_due = st->ka_due || ka;
    if (st->state == ST_SUSPENDED) {
        st->state = ST_RUNNING;
        return st->conn;
    }
    if (st->state == ST_SUSPENDING)
        st->state = ST_WAKE_REQUESTED;
    return NULL;
}

static bool listed(const int64_t *users, int n, int64_t user)
{
    for (int i = 0; i < n; i++)
        if (users[i] == user)
            return true;
    return false;
}

/* Wakes the streams of users[0..n) (every stream when all). Waker thread. */
static void wake(stream_hub *h, const int64_t *users, int n, bool all)
{
    if (n == 0 && !all)
        return;
    int nres = 0;
    pthread_mutex_lock(&h->lock);
    for (stream *st = h->head; st; st = st->next)
        if (all || listed(users, n, st->src.user_id)) {
            struct MHD_Connection *conn = mark(st, false);
            if (conn && nres < h->max_streams)
                h->resume[nres++] = conn;
        }
    pthread_mutex_unlock(&h->lock);
    for (int i = 0; i < nres; i++)
        MHD_resume_connection(h->resume[i]);
}

/* Resumes the streams that wrote nothing for a keep-alive period. */
static void keepalive(stream_hub *h, int64_t now)
{
    int nres = 0;
    pthread_mutex_lock(&h->lock);
    for (stream *st = h->head; st; st = st->next)
        if (now - st->last_write_ms >= h->keepalive_ms) {
            st->last_write_ms = now; /* once per period, even if the write is slow */
            struct MHD_Connection *conn = mark(st, true);
            if (conn && nres < h->max_streams)
                h->resume[nres++] = conn;
        }
    pthread_mutex_unlock(&h->lock);
    for (int i = 0; i < nres; i++)
        MHD_resume_connection(h->resume[i]);
}

static void signal_waker(stream_hub *h)
{
    char one = 1;
    /* a full pipe already holds a wake-up: nothing is lost */
    ssize_t rc = write(h->wake_pipe[1], &one, 1);
    (void)rc;
}

void stream_hub_flush(stream_hub *h)
{
    int64_t users[64];
    bool all = false;
    int n = notify_take_wakeups(users, 64, &all);
    if (n == 0 && !all)
        return;
    pthread_mutex_lock(&h->lock);
    for (int i = 0; i < n; i++) {
        if (listed(h->pending, h->npending, users[i]))
            continue;
        if (h->npending < PENDING_MAX)
            h->pending[h->npending++] = users[i];
        else
            h->pending_all = true;
    }
    h->pending_all = h->pending_all || all;
    pthread_mutex_unlock(&h->lock);
    signal_waker(h);
}

static void *waker_main(void *arg)
{
    stream_hub *h = arg;
    int64_t pending[PENDING_MAX], users[WATCH_BATCH];
    int64_t next_tick = time_mono_us() / 1000 + TICK_MS;
    while (!atomic_load(&h->stop)) {
        struct pollfd fds[2] = {{.fd = h->wake_pipe[0], .events = POLLIN},
                                {.fd = notify_watch_fd(h->watch), .events = POLLIN}};
        int64_t now = time_mono_us() / 1000;
        int timeout = next_tick > now ? (int)(next_tick - now) : 0;
        if (poll(fds, fds[1].fd >= 0 ? 2 : 1, timeout) < 0 && errno != EINTR)
            log_warn("stream waker", "poll_errno=%d", errno);
        char drain[64];
        while (read(h->wake_pipe[0], drain, sizeof drain) > 0)
            ;
        if (atomic_load(&h->stop))
            break;
        /* in this process: users notified by requests that have ended */
        pthread_mutex_lock(&h->lock);
        int np = h->npending;
        bool all = h->pending_all;
        memcpy(pending, h->pending, sizeof(int64_t) * (size_t)np);
        h->npending = 0;
        h->pending_all = false;
        pthread_mutex_unlock(&h->lock);
        wake(h, pending, np, all);
        /* other processes: LISTEN messages, or the poll at each tick */
        now = time_mono_us() / 1000;
        bool tick = now >= next_tick;
        if (tick)
            next_tick = now + TICK_MS;
        int nu = notify_watch_collect(h->watch, tick, users, WATCH_BATCH, &all);
        wake(h, users, nu, all);
        if (tick)
            keepalive(h, time_now_ms());
    }
    return NULL;
}

/* ---- the content reader ----------------------------------------------------- */

/* Asks the source for what is new (and checks the session when a keep-alive
 * is due). Reader thread. */
static void produce(stream *st, bool ka)
{
    stream_hub *h = st->hub;
    arena ar;
    arena_init(&ar, 8192);
    ctx c = {.app = h->app,
             .arena = &ar,
             .now_ms = time_now_ms(),
             .client_addr = st->client_addr,
             .request_id = st->request_id};
    buf_reset(&st->out);
    st->off = 0;
    stream_fill_rc rc = st->src.fill(st->src.cls, &c, &st->out, ka);
    ctx_done(&c);
    arena_free(&ar);
    if (rc == STREAM_END)
        st->ended = true;
    else if (ka && st->out.len == 0)
        buf_puts(&st->out, ": keep-alive\n\n");
    pthread_mutex_lock(&h->lock);
    if (rc == STREAM_MORE)
        st->dirty = true;
    if (st->out.len)
        st->last_write_ms = c.now_ms;
    pthread_mutex_unlock(&h->lock);
}

static ssize_t stream_read(void *cls, uint64_t pos, char *dst, size_t max)
{
    stream *st = cls;
    stream_hub *h = st->hub;
    (void)pos;
    for (;;) {
        if (st->off < st->out.len) {
            size_t n = st->out.len - st->off < max ? st->out.len - st->off : max;
            memcpy(dst, st->out.data + st->off, n);
            st->off += n;
            return (ssize_t)n;
        }
        if (st->ended)
            return MHD_CONTENT_READER_END_OF_STREAM;
        pthread_mutex_lock(&h->lock);
        bool closing = h->closing, dirty = st->dirty, ka = st->ka_due;
        st->dirty = st->ka_due = false;
        if (!closing && !dirty && !ka) {
            /* nothing to send: give the worker thread back until a wake-up */
            st->state = ST_SUSPENDING;
            pthread_mutex_unlock(&h->lock);
            MHD_suspend_connection(st->conn);
            pthread_mutex_lock(&h->lock);
            bool woken = st->state == ST_WAKE_REQUESTED;
            st->state = woken ? ST_RUNNING : ST_SUSPENDED;
            pthread_mutex_unlock(&h->lock);
            if (woken)
                MHD_resume_connection(st->conn);
            return 0;
        }
        pthread_mutex_unlock(&h->lock);
        if (closing) {
            st->ended = true;
            continue;
        }
        produce(st, ka);
    }
}

/* libmicrohttpd destroys the response after the request has completed. */
static void stream_done(void *cls)
{
    stream *st = cls;
    stream_hub *h = st->hub;
    pthread_mutex_lock(&h->lock);
    if (st->linked) {
        if (st->prev)
            st->prev->next = st->next;
        else
            h->head = st->next;
        if (st->next)
            st->next->prev = st->prev;
        h->count--;
    }
    pthread_mutex_unlock(&h->lock);
    stream_free(st);
}

struct MHD_Response *stream_response(stream_hub *h, stream *st, req *r)
{
    /* the request's own work is done: its pooled connection must not stay
     * taken for the stream's lifetime (each fill takes one briefly) */
    ctx_done(&r->ctx);
    st->hub = h;
    st->conn = r->conn;
    pthread_mutex_lock(&h->lock);
    bool refused = h->closing || h->count >= h->max_streams;
    if (!refused) {
        st->linked = true;
        st->state = ST_RUNNING;
        st->dirty = true; /* read what came between the cursor and now */
        st->last_write_ms = time_now_ms();
        st->next = h->head;
        if (h->head)
            h->head->prev = st;
        h->head = st;
        h->count++;
    }
    int count = h->count;
    bool closing = h->closing;
    pthread_mutex_unlock(&h->lock);
    if (refused) {
        stream_free(st);
        reply_header(r, "Retry-After", "30");
        reply_problem(r, 503, "stream.unavailable", "Service indisponible",
                      closing ? "Le serveur redémarre : reconnectez-vous dans un instant."
                                 : "Trop de flux ouverts sur ce serveur : réessayez plus tard.",
                      NULL);
        log_warn("stream refused", "open=%d max=%d closing=%d", count, h->max_streams, closing);
        return NULL;
    }
    struct MHD_Response *resp =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, STREAM_BLOCK, stream_read, st,
                                          stream_done);
    if (!resp) {
        stream_done(st);
        reply_problem(r, 500, "internal", "Erreur interne", NULL, NULL);
        return NULL;
    }
    MHD_add_response_header(resp, "X-Accel-Buffering", "no"); /* no proxy buffering */
    return resp;
}

/* ---- life cycle ------------------------------------------------------------ */

static int env_int(const char *name, int def, int min, int max)
{
    const char *s = getenv(name);
    if (!s || !*s)
        return def;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < min || v > max) {
        log_warn("configuration", "variable=%s value=\"%s\" used=%d (expected %d..%d)", name, s,
                 def, min, max);
        return def;
    }
    return (int)v;
}

stream_hub *stream_hub_start(const app *a, char *err, size_t errsz)
{
    stream_hub *h = xcalloc(1, sizeof *h);
    h->app = a;
    h->max_streams = env_int("PARCOURS_STREAM_MAX", 1000, 1, 100000);
    h->keepalive_ms = (int64_t)env_int("PARCOURS_STREAM_KEEPALIVE", 20, 1, 600) * 1000;
    h->resume = xcalloc((size_t)h->max_streams, sizeof *h->resume);
    pthread_mutex_init(&h->lock, NULL);
    if (pipe2(h->wake_pipe, O_NONBLOCK | O_CLOEXEC) != 0) {
        snprintf(err, errsz, "cannot create the stream wake-up pipe: %s", strerror(errno));
        pthread_mutex_destroy(&h->lock);
        free(h->resume);
        free(h);
        return NULL;
    }
    h->watch = notify_watch_open(a);
    if (pthread_create(&h->waker, NULL, waker_main, h) != 0) {
        snprintf(err, errsz, "cannot start the stream waker thread");
        notify_watch_close(h->watch);
        close(h->wake_pipe[0]);
        close(h->wake_pipe[1]);
        pthread_mutex_destroy(&h->lock);
        free(h->resume);
        free(h);
        return NULL;
    }
    return h;
}

void stream_hub_stop(stream_hub *h)
{
    struct MHD_Connection **resume = xcalloc((size_t)h->max_streams, sizeof *resume);
    int nres = 0;
    pthread_mutex_lock(&h->lock);
    h->closing = true;
    for (stream *st = h->head; st; st = st->next) {
        struct MHD_Connection *conn = mark(st, false);
        if (conn && nres < h->max_streams)
            resume[nres++] = conn;
    }
    int open = h->count;
    pthread_mutex_unlock(&h->lock);
    for (int i = 0; i < nres; i++)
        MHD_resume_connection(resume[i]);
    free(resume);
    atomic_store(&h->stop, true);
    signal_waker(h);
    pthread_join(h->waker, NULL);
    log_info("streams closing", "open=%d", open);
}

void stream_hub_free(stream_hub *h)
{
    if (!h)
        return;
    notify_watch_close(h->watch);
    close(h->wake_pipe[0]);
    close(h->wake_pipe[1]);
    pthread_mutex_destroy(&h->lock);
    free(h->resume);
    free(h);
}

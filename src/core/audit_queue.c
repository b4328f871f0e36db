/* The audit writer of a serving process: one thread appends the events
 * recorded outside a transaction to the trail, many per commit (group
 * commit). Events reach it two ways:
 *   - queued (audit_waiter): the caller waits, or is called back, until the
 *     commit;
 *   - spooled: the caller wrote them to the audit spool (store/audit_spool.h)
 *     and answered at once; `pending` holds the same bytes as the spool's
 *     [moved, size), and the writer moves them into the trail, recording in
 *     the same transaction how far it got.
 * The spool is used whenever it is open; queuing remains for PostgreSQL
 * without a spool, and whenever a spool write fails. */
#include "core/audit.h"
#include "core/audit_internal.h"
#include "store/audit_spool.h"

#include "util/alloc.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SPOOL_SLOTS 8                 /* one per serving process on a database */
#define SPOOL_PENDING_MAX (64u << 20) /* beyond: callers wait for commits again */
#define SPOOL_BATCH_BYTES (4u << 20)  /* move at once past this much */
#define SPOOL_RESET_BYTES (16 << 20)  /* empty the file past this, once all is moved */
#define RECOVER_BATCH 5000            /* events per transaction when recovering */

/* One caller's events: a synchronous caller waits on `done`; a deferred one
 * (on_done set) is called back from the writer thread. */
typedef struct audit_waiter {
    audit_row *rows;
    int nrows;
    bool done;
    db_rc result;
    void (*on_done)(void *arg, bool ok);
    void *arg;
    struct audit_waiter *next;
    struct audit_waiter *next_done; /* deferred callers to call back, outside the lock */
} audit_waiter;

struct audit_queue {
    app *app;
    db *db; /* a connection of its own: never waits on the request pool */
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t work, done;
    audit_waiter *head, *tail;
    bool stop;
    _Atomic int busy;                          /* workers running a handler (audit_worker_busy) */
    _Atomic bool gathering;                    /* the writer waits for more queued events */
    _Atomic uint64_t commits, events, unmoved; /* for /metrics */
    int64_t min_interval_us;                   /* between commits, for waiting callers */
    int64_t spool_interval_us;                 /* between commits, for spooled events only */
    /* under mu: */
    bool spooling; /* the spool is open and writable */
    audit_spool spool;
    buf pending; /* spooled records not yet taken by the writer */
    int npending;
};

/* ---- the spool ---------------------------------------------------------- */

/* Decodes the records of p[0..len) into rows (at most max): returns how many,
 * and in *used the bytes they took. */
static int decode_records(arena *ar, const char *p, size_t len, audit_row *rows, int max,
                          size_t *used)
{
    int n = 0;
    size_t off = 0;
    while (n < max && off < len) {
        size_t k = audit_spool_decode(ar, p + off, len - off, &rows[n]);
        if (k == 0)
            break;
        off += k;
        n++;
    }
    *used = off;
    return n;
}

/* Writes rows to the spool: 1 when they are durable there, 0 when they were
 * not written (no spool, too much waiting, a failed write: queue them
 * instead), -1 when written but not synced (an I/O error: the caller fails;
 * the events may still reach the trail, which records too much, not too
 * little). */
static int spool_rows(audit_queue *q, const audit_row *rows, int n)
{
    buf enc;
    buf_init(&enc, 0);
    audit_spool_encode(&enc, rows, n);
    int rc = 0;
    pthread_mutex_lock(&q->mu);
    if (q->spooling && !enc.overflow && q->pending.len + enc.len <= SPOOL_PENDING_MAX) {
        rc = audit_spool_write(&q->spool, enc.data, enc.len);
        if (rc != 0) {
            bool idle = q->pending.len == 0 && !q->head;
            buf_append(&q->pending, enc.data, enc.len);
            q->npending += n;
            atomic_fetch_add(&q->unmoved, (uint64_t)n);
            if (idle)
                pthread_cond_signal(&q->work);
        }
        if (rc != 1)
            log_error("audit", "%s",
                      rc == 0
                          ? "cannot write to the audit spool: events wait for their commit instead"
                          : "cannot sync the audit spool");
        if (q->spool.size < 0)
            q->spooling = false;
    }
    pthread_mutex_unlock(&q->mu);
    buf_free(&enc);
    return rc;
}

/* Moves the records of a spool left by an earlier run (or another process)
 * into the trail, then empties it. Returns false when the database refused. */
static bool spool_recover(audit_queue *q, audit_spool *s, const char *path)
{
    if (s->size <= AUDIT_SPOOL_HEADER)
        return true;
    arena ar;
    arena_init(&ar, 256 * 1024);
    db_conn *conn = db_acquire(q->db);
    int64_t from = AUDIT_SPOOL_HEADER;
    db_rc rc = audit_store_spool_position(conn, &ar, s->generation, &from);
    if (rc == DB_NOTFOUND) {
        from = AUDIT_SPOOL_HEADER;
        rc = DB_OK;
    }
    buf data;
    buf_init(&data, 0);
    if (rc == DB_OK && from < s->size && !audit_spool_read(s, from, &data))
        rc = DB_ERROR;
    size_t off = 0;
    int64_t moved = 0;
    audit_row *rows = xcalloc(RECOVER_BATCH, sizeof *rows);
    while (rc == DB_OK && off < data.len) {
        arena_reset(&ar);
        size_t used;
        int n = decode_records(&ar, data.data + off, data.len - off, rows, RECOVER_BATCH, &used);
        if (n == 0)
            break;
        rc = db_begin_write(conn);
        if (rc == DB_OK)
            rc = audit_append_rows(q->app, conn, &ar, rows, n);
        if (rc == DB_OK)
            rc = audit_store_set_spool_position(conn, &ar, s->generation,
                                                from + (int64_t)(off + used));
        if (rc == DB_OK)
            rc = db_commit(conn);
        else
            db_rollback(conn);
        if (rc == DB_OK) {
            off += used;
            moved += n;
        }
    }
    free(rows);
    if (rc == DB_OK && off < data.len)
        log_warn("audit", "%s: %zu bytes after the last whole event ignored (a write cut short)",
                 path, data.len - off);
    if (moved > 0)
        log_info("audit", "%s: %lld events of an earlier run moved into the trail", path,
                 (long long)moved);
    char old[sizeof s->generation];
    memcpy(old, s->generation, sizeof old);
    if (rc == DB_OK && audit_spool_reset(s))
        audit_store_forget_spool(conn, &ar, old);
    else
        log_error("audit", "%s: the events it holds could not be moved into the trail", path);
    db_release(q->db, conn);
    buf_free(&data);
    arena_free(&ar);
    return rc == DB_OK;
}

static const char *spool_base(const app *a, char *out, size_t n)
{
    const char *cfg = a->cfg.audit_spool, *url = a->cfg.db_url;
    if (cfg && strcmp(cfg, "off") == 0)
        return NULL;
    if (cfg)
        return cfg;
    if (strncmp(url, "sqlite:", 7) != 0 || url[7] == '\0' || url[7] == ':')
        return NULL;
    snprintf(out, n, "%s-audit", url + 7);
    return out;
}

/* Recovers every spool of the database no running process holds, and keeps
 * the first free one as this process's. */
static void spool_open_all(audit_queue *q)
{
    char base[4096];
    const char *b = spool_base(q->app, base, sizeof base);
    if (!b)
        return;
    for (int slot = 0; slot < SPOOL_SLOTS; slot++) {
        char path[4200], err[512];
        if (slot == 0)
            snprintf(path, sizeof path, "%s", b);
        else
            snprintf(path, sizeof path, "%s-%d", b, slot);
        if (q->spooling && access(path, F_OK) != 0)
            continue;
        audit_spool s;
        bool busy;
        if (!audit_spool_open(&s, path, &busy, err, sizeof err)) {
            if (!busy)
                log_warn("audit", "%s", err);
            continue;
        }
        bool ok = spool_recover(q, &s, path);
        if (ok && !q->spooling) {
            q->spool = s;
            q->spooling = true;
        } else {
            audit_spool_close(&s);
        }
    }
    if (!q->spooling)
        log_warn("audit", "%s", "no audit spool: each read waits for its event's commit");
}

/* ---- the writer --------------------------------------------------------- */

static void *audit_writer(void *arg)
{
    audit_queue *q = arg;
    arena ar;
    arena_init(&ar, 256 * 1024);
    buf moving; /* spooled records being moved */
    buf_init(&moving, 0);
    int64_t last_commit_us = INT64_MIN / 2; /* none yet: the first batch moves at once */
    pthread_mutex_lock(&q->mu);
    for (;;) {
        while (!q->head && q->pending.len == 0 && !q->stop)
            pthread_cond_wait(&q->work, &q->mu);
        if (!q->head && q->pending.len == 0 && q->stop)
            break;
        /* under load, let events gather for a moment after the previous
         * commit (PARCOURS_AUDIT_GATHER_US): fewer commits, and each one
         * invalidates the page cache of every other connection (SQLite WAL).
         * Callers waiting on a commit get it as soon as no worker is running
         * a handler (nobody could add to the group); spooled events wait for
         * nobody, so they gather longer (PARCOURS_AUDIT_SPOOL_GATHER_US), for
         * the whole interval: a commit of many events writes the pages
         * they append to (the table, its user and time indexes, the head)
         * once, not once per few events (measured in docs/benchmarks.md). */
        atomic_store(&q->gathering, q->head != NULL);
        while (!q->stop && q->pending.len < SPOOL_BATCH_BYTES &&
               (q->head ? atomic_load(&q->busy) > 0 : true)) {
            int64_t left = last_commit_us - time_mono_us() +
                           (q->head ? q->min_interval_us : q->spool_interval_us);
            if (left <= 0)
                break;
            struct timespec ts = time_deadline_us(left);
            pthread_cond_timedwait(&q->work, &q->mu, &ts);
            atomic_store(&q->gathering, q->head != NULL);
        }
        atomic_store(&q->gathering, false);
        audit_waiter *batch = q->head;
        q->head = q->tail = NULL;
        buf t = moving;
        moving = q->pending;
        q->pending = t;
        int nspooled = q->npending;
        q->npending = 0;
        int64_t moved_to = q->spool.size;
        char generation[sizeof q->spool.generation];
        memcpy(generation, q->spool.generation, sizeof generation);
        pthread_mutex_unlock(&q->mu);
        last_commit_us = time_mono_us();

        int nrows = nspooled;
        for (audit_waiter *w = batch; w; w = w->next)
            nrows += w->nrows;
        db_conn *conn = db_acquire(q->db);
        db_rc rc = DB_ERROR;
        for (int attempt = 0; attempt < 3 && rc != DB_OK; attempt++) {
            arena_reset(&ar);
            /* copies: the waiters' rows stay as they gave them */
            audit_row *rows = arena_alloc(&ar, sizeof(audit_row) * (size_t)(nrows + 1));
            size_t used = 0;
            int k = moving.len ? decode_records(&ar, moving.data, moving.len, rows, nspooled, &used)
                               : 0;
            if (k != nspooled || used != moving.len) {
                log_error("audit", "%s", "spooled events could not be read back");
                break;
            }
            for (audit_waiter *w = batch; w; w = w->next)
                for (int i = 0; i < w->nrows; i++)
                    rows[k++] = w->rows[i];
            rc = db_begin_write(conn);
            if (rc == DB_OK && nrows > 0)
                rc = audit_append_rows(q->app, conn, &ar, rows, nrows);
            if (rc == DB_OK && nspooled > 0)
                rc = audit_store_set_spool_position(conn, &ar, generation, moved_to);
            if (rc == DB_OK)
                rc = db_commit(conn);
            else
                db_rollback(conn);
        }
        if (rc != DB_OK) {
            log_error("audit", "%s", "could not commit a batch of audit events");
        } else {
            atomic_fetch_add(&q->commits, 1);
            atomic_fetch_add(&q->events, (uint64_t)nrows);
        }

        /* a synchronous waiter may return (and its frame vanish) as soon as
         * it sees done; a deferred one stays valid until called back */
        audit_waiter *callbacks = NULL;
        bool reset = false;
        pthread_mutex_lock(&q->mu);
        for (audit_waiter *w = batch, *next; w; w = next) {
            next = w->next;
            w->result = rc;
            if (w->on_done) {
                w->next_done = callbacks;
                callbacks = w;
            } else {
                w->done = true;
            }
        }
        if (rc == DB_OK) {
            atomic_fetch_sub(&q->unmoved, (uint64_t)nspooled);
            buf_reset(&moving);
            if (q->pending.len == 0 && q->spool.size > SPOOL_RESET_BYTES) {
                if (!audit_spool_reset(&q->spool))
                    q->spooling = false;
                reset = true;
            }
        } else if (moving.len > 0) {
            /* the records stay in the spool: put them back in front, to be
             * moved later (or at the next start) */
            buf_append(&moving, q->pending.data, q->pending.len);
            buf t2 = q->pending;
            q->pending = moving;
            moving = t2;
            buf_reset(&moving);
            q->npending += nspooled;
        }
        bool give_up = rc != DB_OK && q->stop;
        pthread_cond_broadcast(&q->done);
        pthread_mutex_unlock(&q->mu);
        if (reset)
            audit_store_forget_spool(conn, &ar, generation);
        db_release(q->db, conn);
        for (audit_waiter *w = callbacks, *next; w; w = next) {
            next = w->next_done;
            w->on_done(w->arg, w->result == DB_OK);
        }
        if (give_up) {
            log_error("audit", "%s",
                      "stopping with events still in the spool: the next start moves them");
            pthread_mutex_lock(&q->mu);
            break;
        }
        if (rc != DB_OK && nspooled > 0)
            usleep(100 * 1000); /* the database refuses: do not spin */
        pthread_mutex_lock(&q->mu);
    }
    pthread_mutex_unlock(&q->mu);
    buf_free(&moving);
    arena_free(&ar);
    return NULL;
}

bool audit_queue_start(app *a, char *err, size_t errsz)
{
    audit_queue *q = xcalloc(1, sizeof *q);
    q->app = a;
    q->min_interval_us = a->cfg.audit_gather_us > 0 ? a->cfg.audit_gather_us : 0;
    q->spool_interval_us = a->cfg.audit_spool_gather_us > 0 ? a->cfg.audit_spool_gather_us : 0;
    q->db = db_open(a->cfg.db_url, 1, err, errsz);
    if (!q->db) {
        free(q);
        return false;
    }
    db_checkpoint_in_background(q->db, a->db, err, errsz); /* the serving pool's thread does */
    db_share_write_lock(q->db, a->db);
    buf_init(&q->pending, 0);
    q->spool.fd = -1;
    spool_open_all(q);
    q->spool.sync = db_commits_survive_power_loss(q->db);
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->work, NULL);
    pthread_cond_init(&q->done, NULL);
    if (pthread_create(&q->thread, NULL, audit_writer, q) != 0) {
        snprintf(err, errsz, "cannot start the audit writer thread");
        audit_spool_close(&q->spool);
        db_close(q->db);
        free(q);
        return false;
    }
    a->audit_q = q;
    return true;
}

void audit_queue_stop(app *a)
{
    audit_queue *q = a->audit_q;
    if (!q)
        return;
    pthread_mutex_lock(&q->mu);
    q->stop = true;
    pthread_cond_signal(&q->work);
    pthread_mutex_unlock(&q->mu);
    pthread_join(q->thread, NULL);
    pthread_mutex_destroy(&q->mu);
    pthread_cond_destroy(&q->work);
    pthread_cond_destroy(&q->done);
    audit_spool_close(&q->spool);
    buf_free(&q->pending);
    db_close(q->db);
    free(q);
    a->audit_q = NULL;
}

static void enqueue(audit_queue *q, audit_waiter *w)
{
    if (q->tail)
        q->tail->next = w;
    else
        q->head = w;
    q->tail = w;
    pthread_cond_signal(&q->work);
}

/* Queues rows[0..n) and waits until the writer committed them. */
static db_rc enqueue_and_wait(audit_queue *q, audit_row *rows, int n)
{
    audit_waiter w = {.rows = rows, .nrows = n};
    pthread_mutex_lock(&q->mu);
    enqueue(q, &w);
    while (!w.done)
        pthread_cond_wait(&q->done, &q->mu);
    pthread_mutex_unlock(&q->mu);
    return w.result;
}

db_rc audit_queue_append(audit_queue *q, audit_row *row)
{
    int rc = spool_rows(q, row, 1);
    if (rc != 0)
        return rc == 1 ? DB_OK : DB_ERROR;
    return enqueue_and_wait(q, row, 1);
}

void audit_queue_flush(audit_queue *q)
{
    pthread_mutex_lock(&q->mu);
    bool any = q->pending.len > 0 || atomic_load(&q->unmoved) > 0;
    pthread_mutex_unlock(&q->mu);
    if (any)
        enqueue_and_wait(q, NULL, 0); /* committed with everything before it */
}

void audit_queue_stats(const app *a, uint64_t *commits, uint64_t *events, uint64_t *unmoved)
{
    audit_queue *q = a->audit_q;
    *commits = q ? atomic_load(&q->commits) : 0;
    *events = q ? atomic_load(&q->events) : 0;
    *unmoved = q ? atomic_load(&q->unmoved) : 0;
}

void audit_worker_busy(app *a, bool busy)
{
    audit_queue *q = a->audit_q;
    if (!q)
        return;
    if (busy) {
        atomic_fetch_add(&q->busy, 1);
        return;
    }
    /* the last busy worker done while the writer gathers: commit now (under
     * the lock, so that the wake-up cannot fall between its test and its wait) */
    if (atomic_fetch_sub(&q->busy, 1) == 1 && atomic_load(&q->gathering)) {
        pthread_mutex_lock(&q->mu);
        pthread_cond_signal(&q->work);
        pthread_mutex_unlock(&q->mu);
    }
}

/* The call's deferred events as one array in its arena. */
static audit_row *deferred_rows(ctx *c, int *n)
{
    *n = 0;
    for (struct audit_deferred *d = c->audit_deferred; d; d = d->next)
        (*n)++;
    audit_row *rows = arena_calloc(c->arena, (size_t)*n, sizeof(audit_row));
    int k = 0;
    for (struct audit_deferred *d = c->audit_deferred; d; d = d->next)
        rows[k++] = d->row;
    return rows;
}

int audit_spool_deferred(ctx *c)
{
    audit_queue *q = c->app->audit_q;
    if (!c->audit_deferred || !q)
        return 0;
    int n;
    audit_row *rows = deferred_rows(c, &n);
    int rc = spool_rows(q, rows, n);
    if (rc != 0)
        c->audit_deferred = NULL;
    return rc;
}

bool audit_submit_deferred(ctx *c, void (*done)(void *arg, bool ok), void *arg)
{
    audit_queue *q = c->app->audit_q;
    if (!c->audit_deferred || !q)
        return false;
    audit_waiter *w = arena_calloc(c->arena, 1, sizeof *w);
    w->rows = deferred_rows(c, &w->nrows);
    w->on_done = done;
    w->arg = arg;
    c->audit_deferred = NULL;
    pthread_mutex_lock(&q->mu);
    enqueue(q, w);
    pthread_mutex_unlock(&q->mu);
    return true;
}

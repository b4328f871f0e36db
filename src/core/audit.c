#include "core/audit.h"

#include "util/alloc.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <pthread.h>
#include <stdatomic.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* "<len>:<bytes>|" per field: unambiguous whatever the fields contain; NULL
 * is "-|" so that NULL and "" differ. */
static void hash_field(crypto_generichash_state *st, const char *s)
{
    char head[24];
    if (!s) {
        crypto_generichash_update(st, (const unsigned char *)"-|", 2);
        return;
    }
    size_t n = strlen(s);
    int h = snprintf(head, sizeof head, "%zu:", n);
    crypto_generichash_update(st, (const unsigned char *)head, (size_t)h);
    crypto_generichash_update(st, (const unsigned char *)s, n);
    crypto_generichash_update(st, (const unsigned char *)"|", 1);
}

static void hash_int(crypto_generichash_state *st, int64_t v)
{
    char num[24];
    snprintf(num, sizeof num, "%lld", (long long)v);
    hash_field(st, num);
}

void audit_hash(const unsigned char key[APP_SECRET_BYTES], const audit_row *row, char out[65])
{
    crypto_generichash_state st;
    unsigned char digest[32];
    crypto_generichash_init(&st, key, APP_SECRET_BYTES, sizeof digest);
    hash_field(&st, "parcours-audit-v1");
    hash_int(&st, row->seq);
    hash_int(&st, row->at);
    hash_int(&st, row->user_id);
    hash_field(&st, row->user_login);
    hash_field(&st, row->action);
    hash_field(&st, row->object_type);
    hash_field(&st, row->object_id);
    hash_field(&st, row->patient_id);
    hash_field(&st, row->outcome);
    hash_field(&st, row->client_addr);
    hash_field(&st, row->request_id);
    hash_field(&st, row->detail);
    hash_field(&st, row->prev_hash);
    crypto_generichash_final(&st, digest, sizeof digest);
    sodium_bin2hex(out, 65, digest, sizeof digest);
}

/* Appends rows[0..n) to the chain, in order, inside conn's open transaction:
 * one head update for the lot. Sets each row's seq; leaves its hashes unset. */
static db_rc append_rows(const app *a, db_conn *conn, arena *ar, audit_row *rows, int n)
{
    int64_t last;
    const char *prev;
    db_rc rc = audit_store_reserve(conn, ar, n, &last, &prev);
    char hash[2][65]; /* this row's, and the previous one's */
    for (int i = 0; rc == DB_OK && i < n; i++) {
        audit_row *row = &rows[i];
        row->seq = last - n + 1 + i;
        row->prev_hash = prev;
        audit_hash(a->secret, row, hash[i & 1]);
        row->hash = hash[i & 1];
        rc = audit_store_insert(conn, ar, row);
        prev = hash[i & 1];
        row->prev_hash = row->hash = NULL;
    }
    if (rc == DB_OK)
        rc = audit_store_set_head(conn, ar, prev);
    return rc;
}

/* ---- group commit ------------------------------------------------------- */

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

struct audit_deferred {
    audit_row row;
    struct audit_deferred *next;
};

struct audit_queue {
    app *app;
    db *db; /* a connection of its own: never waits on the request pool */
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t work, done;
    audit_waiter *head, *tail;
    bool stop;
    _Atomic int busy;        /* workers running a handler (audit_worker_busy) */
    _Atomic bool gathering;  /* the writer waits for more events */
    _Atomic uint64_t commits, events; /* for /metrics */
    int64_t min_interval_us;
};

static void *audit_writer(void *arg)
{
    audit_queue *q = arg;
    arena ar;
    arena_init(&ar, 64 * 1024);
    int64_t last_commit_us = 0;
    pthread_mutex_lock(&q->mu);
    for (;;) {
        while (!q->head && !q->stop)
            pthread_cond_wait(&q->work, &q->mu);
        if (!q->head && q->stop)
            break;
        /* under load, let events gather for a moment after the previous
         * commit (PARCOURS_AUDIT_GATHER_US): fewer commits, and each one
         * invalidates the page cache of every other connection (SQLite WAL).
         * An idle server commits at once, and so does a busy one as soon as
         * no worker is running a handler: nobody could add to the group. */
        int64_t wait_until = last_commit_us + q->min_interval_us;
        atomic_store(&q->gathering, true);
        while (!q->stop && q->min_interval_us > 0 && atomic_load(&q->busy) > 0 &&
               time_mono_us() < wait_until) {
            int64_t left = wait_until - time_mono_us();
            if (left <= 0)
                break;
            struct timespec ts = time_deadline_us(left);
            pthread_cond_timedwait(&q->work, &q->mu, &ts);
        }
        atomic_store(&q->gathering, false);
        audit_waiter *batch = q->head;
        q->head = q->tail = NULL;
        pthread_mutex_unlock(&q->mu);
        last_commit_us = time_mono_us();

        int nrows = 0;
        for (audit_waiter *w = batch; w; w = w->next)
            nrows += w->nrows;
        db_conn *conn = db_acquire(q->db);
        db_rc rc = DB_ERROR;
        for (int attempt = 0; attempt < 3 && rc != DB_OK; attempt++) {
            arena_reset(&ar);
            /* copies: the waiters' rows stay as they gave them */
            audit_row *rows = arena_alloc(&ar, sizeof(audit_row) * (size_t)nrows);
            int k = 0;
            for (audit_waiter *w = batch; w; w = w->next)
                for (int i = 0; i < w->nrows; i++)
                    rows[k++] = w->rows[i];
            rc = db_begin_write(conn);
            if (rc == DB_OK)
                rc = append_rows(q->app, conn, &ar, rows, nrows);
            if (rc == DB_OK)
                rc = db_commit(conn);
            else
                db_rollback(conn);
        }
        db_release(q->db, conn);
        if (rc != DB_OK) {
            log_error("audit", "%s", "could not commit a batch of audit events");
        } else {
            uint64_t n = 0;
            for (audit_waiter *w = batch; w; w = w->next)
                n += (uint64_t)w->nrows;
            atomic_fetch_add(&q->commits, 1);
            atomic_fetch_add(&q->events, n);
        }

        /* a synchronous waiter may return (and its frame vanish) as soon as
         * it sees done; a deferred one stays valid until called back */
        audit_waiter *callbacks = NULL;
        pthread_mutex_lock(&q->mu);
        for (audit_waiter *w = batch, *next; w; w = next) {
            next = w->next;
            if (w->on_done) {
                w->result = rc;
                w->next_done = callbacks;
                callbacks = w;
            } else {
                w->result = rc;
                w->done = true;
            }
        }
        pthread_cond_broadcast(&q->done);
        pthread_mutex_unlock(&q->mu);
        for (audit_waiter *w = callbacks, *next; w; w = next) {
            next = w->next_done;
            w->on_done(w->arg, w->result == DB_OK);
        }
        pthread_mutex_lock(&q->mu);
    }
    pthread_mutex_unlock(&q->mu);
    arena_free(&ar);
    return NULL;
}

bool audit_queue_start(app *a, char *err, size_t errsz)
{
    audit_queue *q = xcalloc(1, sizeof *q);
    q->app = a;
    q->min_interval_us = a->cfg.audit_gather_us > 0 ? a->cfg.audit_gather_us : 0;
    q->db = db_open(a->cfg.db_url, 1, err, errsz);
    if (!q->db) {
        free(q);
        return false;
    }
    db_checkpoint_in_background(q->db, false, err, errsz); /* the serving pool's thread does */
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->work, NULL);
    pthread_cond_init(&q->done, NULL);
    if (pthread_create(&q->thread, NULL, audit_writer, q) != 0) {
        snprintf(err, errsz, "cannot start the audit writer thread");
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

/* Queues row and waits until the writer committed it. */
static db_rc enqueue_and_wait(audit_queue *q, audit_row *row)
{
    audit_waiter w = {.rows = row, .nrows = 1};
    pthread_mutex_lock(&q->mu);
    enqueue(q, &w);
    while (!w.done)
        pthread_cond_wait(&q->done, &q->mu);
    pthread_mutex_unlock(&q->mu);
    return w.result;
}

static const char *keep(arena *a, const char *s)
{
    return s ? arena_strdup(a, s) : NULL;
}

/* Keeps row for audit_submit_deferred: its strings may live in the caller's
 * frame, so they are copied into the call's arena. */
static void defer(ctx *c, const audit_row *row)
{
    struct audit_deferred *d = arena_alloc(c->arena, sizeof *d);
    d->row = *row;
    d->row.user_login = keep(c->arena, row->user_login);
    d->row.action = keep(c->arena, row->action);
    d->row.object_type = keep(c->arena, row->object_type);
    d->row.object_id = keep(c->arena, row->object_id);
    d->row.patient_id = keep(c->arena, row->patient_id);
    d->row.outcome = keep(c->arena, row->outcome);
    d->row.client_addr = keep(c->arena, row->client_addr);
    d->row.request_id = keep(c->arena, row->request_id);
    d->row.detail = keep(c->arena, row->detail);
    d->next = NULL;
    struct audit_deferred **tail = &c->audit_deferred;
    while (*tail)
        tail = &(*tail)->next;
    *tail = d;
}

void audit_queue_stats(const app *a, uint64_t *commits, uint64_t *events)
{
    audit_queue *q = a->audit_q;
    *commits = q ? atomic_load(&q->commits) : 0;
    *events = q ? atomic_load(&q->events) : 0;
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

bool audit_submit_deferred(ctx *c, void (*done)(void *arg, bool ok), void *arg)
{
    audit_queue *q = c->app->audit_q;
    if (!c->audit_deferred || !q)
        return false;
    int n = 0;
    for (struct audit_deferred *d = c->audit_deferred; d; d = d->next)
        n++;
    audit_waiter *w = arena_calloc(c->arena, 1, sizeof *w);
    w->rows = arena_calloc(c->arena, (size_t)n, sizeof(audit_row));
    for (struct audit_deferred *d = c->audit_deferred; d; d = d->next)
        w->rows[w->nrows++] = d->row;
    w->on_done = done;
    w->arg = arg;
    c->audit_deferred = NULL;
    pthread_mutex_lock(&q->mu);
    enqueue(q, w);
    pthread_mutex_unlock(&q->mu);
    return true;
}

core_rc audit_record(ctx *c, const audit_event *e)
{
    audit_row row = {
        .at = c->now_ms,
        .user_id = e->user_id ? e->user_id : (c->who ? c->who->user_id : 0),
        .user_login = e->login ? e->login : (c->who ? c->who->login : NULL),
        .action = e->action,
        .object_type = e->object_type,
        .object_id = e->object_id,
        .patient_id = e->patient_id,
        .outcome = e->outcome ? e->outcome : AUDIT_SUCCESS,
        .client_addr = c->client_addr,
        .request_id = c->request_id,
        .detail = e->detail,
    };
    db_conn *held = c->conn_;
    if (held && db_in_tx(held))
        /* inside the caller's transaction: commits or rolls back with it */
        return append_rows(c->app, held, c->arena, &row, 1) == DB_OK ? CORE_OK : CORE_ERROR;
    if (c->app->audit_q && c->audit_defer) {
        defer(c, &row);
        return CORE_OK;
    }
    if (c->app->audit_q)
        return enqueue_and_wait(c->app->audit_q, &row) == DB_OK ? CORE_OK : CORE_ERROR;
    db_conn *conn = ctx_db(c);
    for (int attempt = 0; attempt < 3; attempt++) {
        if (db_begin_write(conn) != DB_OK)
            continue;
        audit_row copy = row;
        if (append_rows(c->app, conn, c->arena, &copy, 1) == DB_OK && db_commit(conn) == DB_OK)
            return CORE_OK;
        db_rollback(conn);
    }
    return CORE_ERROR;
}

core_rc audit_verify(ctx *c, audit_report *report)
{
    db_conn *conn = ctx_db(c);
    memset(report, 0, sizeof *report);
    char prev[65];
    memset(prev, '0', 64);
    prev[64] = '\0';
    int64_t expected_seq = 1, after = 0;
    arena page;
    arena_init(&page, 64 * 1024);
    core_rc result = CORE_OK;
    for (;;) {
        audit_row *rows;
        int n = 0;
        arena_reset(&page);
        if (audit_store_range(conn, &page, after, 1000, &rows, &n) != DB_OK) {
            result = CORE_ERROR;
            goto out;
        }
        for (int i = 0; i < n; i++) {
            audit_row *r = &rows[i];
            char hash[65];
            if (r->seq != expected_seq) {
                report->broken_seq = expected_seq;
                report->reason = arena_printf(c->arena, "event %lld is missing (next is %lld)",
                                              (long long)expected_seq, (long long)r->seq);
                result = CORE_CONFLICT;
                goto out;
            }
            if (!r->prev_hash || strcmp(r->prev_hash, prev) != 0) {
                report->broken_seq = r->seq;
                report->reason =
                    arena_printf(c->arena, "event %lld does not follow the previous event's hash",
                                 (long long)r->seq);
                result = CORE_CONFLICT;
                goto out;
            }
            audit_hash(c->app->secret, r, hash);
            if (!r->hash || strcmp(hash, r->hash) != 0) {
                report->broken_seq = r->seq;
                report->reason = arena_printf(
                    c->arena, "event %lld was altered (its hash does not match its content)",
                    (long long)r->seq);
                result = CORE_CONFLICT;
                goto out;
            }
            memcpy(prev, hash, sizeof prev);
            report->checked++;
            expected_seq++;
            after = r->seq;
        }
        if (n < 1000)
            break;
    }
    /* the head remembers the last event: a removed tail shows here */
    int64_t head_seq;
    const char *head_hash;
    if (audit_store_head(conn, c->arena, &head_seq, &head_hash) != DB_OK) {
        result = CORE_ERROR;
        goto out;
    }
    if (head_seq != expected_seq - 1 || strcmp(head_hash, prev) != 0) {
        report->broken_seq = expected_seq;
        report->reason =
            arena_printf(c->arena, "the trail ends at event %lld but %lld events were recorded",
                         (long long)(expected_seq - 1), (long long)head_seq);
        result = CORE_CONFLICT;
    }
out:
    arena_free(&page);
    return result;
}

core_rc audit_query(ctx *c, const audit_filter *f, audit_row **out, int *n, core_error *err)
{
    if (!c->who || strcmp(c->who->role, "admin") != 0)
        return core_fail(err, CORE_FORBIDDEN, "role.admin_required", NULL,
                         "Le journal d'audit est réservé aux administrateurs.");
    if (audit_store_list(ctx_db(c), c->arena, f, out, n) != DB_OK)
        return core_fail(err, CORE_ERROR, "store.error", NULL, "Erreur interne.");
    audit_record(c, &(audit_event){.action = "audit.read", .patient_id = f->patient_id});
    return CORE_OK;
}

#include "http/write_batch.h"

#include "util/alloc.h"
#include "util/log.h"

#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

/* At most this many requests share a commit: bounds the wait of the first. */
#define WRITE_BATCH_MAX 64

typedef struct queued {
    req *r;
    struct queued *next;
} queued;

struct write_batch {
    app *app;
    write_batch_hooks hooks;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t work;
    queued *head, *tail;
    bool stop;
};

static void release(req **group, int n, bool ok)
{
    for (int i = 0; i < n; i++) {
        req *r = group[i];
        r->wait_ok = ok;
        r->waited_for = REQ_WAIT_BATCH;
        r->wait_state = REQ_WAIT_DONE;
        MHD_resume_connection(r->conn); /* r may be freed from here on */
    }
}

static void run_group(write_batch *b, req **group, int n)
{
    db_conn *conn = db_acquire(b->app->db);
    bool ok = db_batch_begin(conn) == DB_OK;
    for (int i = 0; ok && i < n; i++) {
        req *r = group[i];
        r->ctx.conn_ = conn;
        b->hooks.run(b->hooks.cls, r);
        /* a handler that left its own transaction open loses it, not the group */
        while (db_batch_units_open(conn) > 0)
            db_rollback(conn);
        r->ctx.conn_ = NULL;
    }
    if (ok && db_batch_commit(conn) != DB_OK) {
        log_error("write_batch", "n=%d could not commit a group of writes", n);
        ok = false;
    } else if (!ok) {
        log_error("write_batch", "n=%d could not open a group of writes", n);
    }
    db_release(b->app->db, conn); /* rolls back whatever is left on failure */
    if (ok && b->hooks.committed)
        b->hooks.committed(b->hooks.cls);
    release(group, n, ok);
}

static void *writer(void *arg)
{
    write_batch *b = arg;
    req *group[WRITE_BATCH_MAX];
    pthread_mutex_lock(&b->mu);
    for (;;) {
        while (!b->head && !b->stop)
            pthread_cond_wait(&b->work, &b->mu);
        if (!b->head)
            break;
        int n = 0;
        while (b->head && n < WRITE_BATCH_MAX) {
            queued *q = b->head;
            b->head = q->next;
            group[n++] = q->r;
        }
        if (!b->head)
            b->tail = NULL;
        pthread_mutex_unlock(&b->mu);
        run_group(b, group, n);
        pthread_mutex_lock(&b->mu);
    }
    pthread_mutex_unlock(&b->mu);
    return NULL;
}

write_batch *write_batch_start(app *a, const write_batch_hooks *hooks, char *err, size_t errsz)
{
    write_batch *b = xcalloc(1, sizeof *b);
    b->app = a;
    b->hooks = *hooks;
    pthread_mutex_init(&b->mu, NULL);
    pthread_cond_init(&b->work, NULL);
    if (pthread_create(&b->thread, NULL, writer, b) != 0) {
        snprintf(err, errsz, "cannot start the write batch thread");
        pthread_mutex_destroy(&b->mu);
        pthread_cond_destroy(&b->work);
        free(b);
        return NULL;
    }
    return b;
}

void write_batch_submit(write_batch *b, req *r)
{
    /* the queue node lives in the request's arena: the request cannot end
     * while its connection is suspended */
    queued *q = arena_alloc(&r->arena, sizeof *q);
    q->r = r;
    q->next = NULL;
    pthread_mutex_lock(&b->mu);
    if (b->tail)
        b->tail->next = q;
    else
        b->head = q;
    b->tail = q;
    pthread_cond_signal(&b->work);
    pthread_mutex_unlock(&b->mu);
}

void write_batch_stop(write_batch *b)
{
    if (!b)
        return;
    pthread_mutex_lock(&b->mu);
    b->stop = true;
    pthread_cond_signal(&b->work);
    pthread_mutex_unlock(&b->mu);
    pthread_join(b->thread, NULL);
    pthread_mutex_destroy(&b->mu);
    pthread_cond_destroy(&b->work);
    free(b);
}

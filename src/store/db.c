#include "store/db.h"
#include "store/db_backend.h"
#include "util/alloc.h"
#include "util/json.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct db_conn {
    void *handle;
    const db_driver *drv;
    db *owner;
    bool in_tx;
    bool holds_write_lock;
    bool in_batch;  /* a group-commit transaction is open (db_batch_begin) */
    int savepoints; /* units of work open inside the batch */
    db_conn *next_free;
};

struct db {
    const db_driver *drv;
    char *url_redacted;
    int size;
    db_conn *conns;
    db_conn *free_list;
    pthread_mutex_t lock;
    pthread_cond_t available;
    /* SQLite has one writer at a time; its busy handler waits by sleeping
     * (1, 2, 5, 10... ms), which shows as p99 spikes under load. Writers of
     * this process queue on a mutex instead, handing over in microseconds.
     * write_lock points to own_write_lock, or to another db's on the same
     * file (db_share_write_lock). */
    pthread_mutex_t own_write_lock, *write_lock;
    char *target; /* the driver's connect() argument */
    /* background checkpoints (SQLite) */
    pthread_t checkpointer;
    bool checkpointing, stop_checkpoints;
    void *checkpoint_handle;
    pthread_mutex_t checkpoint_lock;
    pthread_cond_t checkpoint_wake;
    _Atomic bool checkpoint_wanted; /* a commit found the WAL large */
};

static atomic_uint_fast64_t error_count;

void db_note_error(const char *backend, const char *sql, const char *msg)
{
    atomic_fetch_add(&error_count, 1);
    char one_line[160];
    size_t i = 0;
    for (; sql && sql[i] && i < sizeof one_line - 1; i++)
        one_line[i] = (sql[i] == '\n' || sql[i] == '"') ? ' ' : sql[i];
    one_line[i] = '\0';
    log_error("database error", "backend=%s error=\"%s\" sql=\"%s\"", backend, msg ? msg : "",
              one_line);
}

uint64_t db_error_count(void)
{
    return atomic_load(&error_count);
}

/* "postgres://user:secret@host/db" -> "postgres://user:***@host/db" for logs. */
static char *redact(const char *url)
{
    const char *scheme = strstr(url, "://");
    const char *at = strchr(url, '@');
    if (!scheme || !at || at < scheme)
        return xstrdup(url);
    const char *colon = memchr(scheme + 3, ':', (size_t)(at - scheme - 3));
    if (!colon)
        return xstrdup(url);
    size_t head = (size_t)(colon - url) + 1;
    size_t len = head + 3 + strlen(at) + 1;
    char *r = xmalloc(len);
    snprintf(r, len, "%.*s***%s", (int)head, url, at);
    return r;
}

db *db_open(const char *url, int pool_size, char *err, size_t errsz)
{
    const db_driver *drv;
    const char *target;
    if (strncmp(url, "sqlite:", 7) == 0) {
        drv = &db_sqlite_driver;
        target = url + 7;
    } else if (strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0) {
        drv = &db_pg_driver;
        target = url;
    } else {
        snprintf(err, errsz,
                 "unsupported database URL '%s' (expected sqlite:PATH or postgres://...)", url);
        return NULL;
    }
    if (pool_size < 1)
        pool_size = 1;
    db *d = xcalloc(1, sizeof *d);
    d->drv = drv;
    d->size = pool_size;
    d->url_redacted = redact(url);
    d->target = xstrdup(target);
    pthread_mutex_init(&d->checkpoint_lock, NULL);
    pthread_cond_init(&d->checkpoint_wake, NULL);
    d->conns = xcalloc((size_t)pool_size, sizeof *d->conns);
    pthread_mutex_init(&d->lock, NULL);
    pthread_cond_init(&d->available, NULL);
    pthread_mutex_init(&d->own_write_lock, NULL);
    d->write_lock = &d->own_write_lock;
    for (int i = 0; i < pool_size; i++) {
        d->conns[i].drv = drv;
        d->conns[i].owner = d;
        d->conns[i].handle = drv->connect(target, err, errsz);
        if (!d->conns[i].handle) {
            db_close(d);
            return NULL;
        }
        d->conns[i].next_free = d->free_list;
        d->free_list = &d->conns[i];
    }
    return d;
}

static void *checkpoint_loop(void *arg)
{
    db *d = arg;
    int64_t last = 0;
    pthread_mutex_lock(&d->checkpoint_lock);
    while (!d->stop_checkpoints) {
        if (!d->checkpoint_wanted) {
            struct timespec ts = time_deadline_us(DB_CHECKPOINT_MAX_MS * 1000);
            pthread_cond_timedwait(&d->checkpoint_wake, &d->checkpoint_lock, &ts);
        }
        if (d->stop_checkpoints)
            break;
        d->checkpoint_wanted = false;
        pthread_mutex_unlock(&d->checkpoint_lock);
        int64_t since = time_mono_us() - last;
        if (since < DB_CHECKPOINT_MIN_MS * 1000)
            usleep((useconds_t)(DB_CHECKPOINT_MIN_MS * 1000 - since));
        d->drv->checkpoint(d->checkpoint_handle);
        last = time_mono_us();
        pthread_mutex_lock(&d->checkpoint_lock);
    }
    pthread_mutex_unlock(&d->checkpoint_lock);
    return NULL;
}

/* After each commit of a watched connection (any thread). */
static void wal_grew(void *arg, int frames)
{
    db *d = arg;
    if (frames < DB_CHECKPOINT_FRAMES || atomic_load(&d->checkpoint_wanted))
        return; /* small WAL, or already asked */
    pthread_mutex_lock(&d->checkpoint_lock);
    d->checkpoint_wanted = true;
    pthread_cond_signal(&d->checkpoint_wake);
    pthread_mutex_unlock(&d->checkpoint_lock);
}

void db_share_write_lock(db *d, db *with)
{
    d->write_lock = with->write_lock;
}

bool db_checkpoint_in_background(db *d, db *by, char *err, size_t errsz)
{
    if (!d->drv->watch_wal)
        return true;
    db *runner = by ? by : d;
    for (int i = 0; i < d->size; i++)
        d->drv->watch_wal(d->conns[i].handle, wal_grew, runner);
    if (by || d->checkpointing)
        return true;
    d->checkpoint_handle = d->drv->connect(d->target, err, errsz);
    if (!d->checkpoint_handle)
        return false;
    d->drv->watch_wal(d->checkpoint_handle, wal_grew, d);
    if (pthread_create(&d->checkpointer, NULL, checkpoint_loop, d) != 0) {
        snprintf(err, errsz, "cannot start the checkpoint thread");
        d->drv->disconnect(d->checkpoint_handle);
        d->checkpoint_handle = NULL;
        return false;
    }
    d->checkpointing = true;
    return true;
}

void db_close(db *d)
{
    if (!d)
        return;
    if (d->checkpointing) {
        pthread_mutex_lock(&d->checkpoint_lock);
        d->stop_checkpoints = true;
        pthread_cond_signal(&d->checkpoint_wake);
        pthread_mutex_unlock(&d->checkpoint_lock);
        pthread_join(d->checkpointer, NULL);
        d->drv->checkpoint(d->checkpoint_handle); /* what the last commits left */
        d->drv->disconnect(d->checkpoint_handle);
    }
    for (int i = 0; i < d->size; i++)
        if (d->conns[i].handle)
            d->drv->disconnect(d->conns[i].handle);
    pthread_mutex_destroy(&d->lock);
    pthread_cond_destroy(&d->available);
    pthread_mutex_destroy(&d->own_write_lock);
    pthread_mutex_destroy(&d->checkpoint_lock);
    pthread_cond_destroy(&d->checkpoint_wake);
    free(d->conns);
    free(d->url_redacted);
    free(d->target);
    free(d);
}

db_backend db_kind(const db *d)
{
    return d->drv->kind;
}

db_backend db_conn_kind(const db_conn *c)
{
    return c->drv->kind;
}

const char *db_url_redacted(const db *d)
{
    return d->url_redacted;
}

bool db_commits_survive_power_loss(const db *d)
{
    return !d->drv->commits_survive_power_loss || d->drv->commits_survive_power_loss();
}

db_conn *db_acquire(db *d)
{
    pthread_mutex_lock(&d->lock);
    while (!d->free_list)
        pthread_cond_wait(&d->available, &d->lock);
    db_conn *c = d->free_list;
    d->free_list = c->next_free;
    pthread_mutex_unlock(&d->lock);
    return c;
}

void db_release(db *d, db_conn *c)
{
    if (c->in_batch)
        db_batch_rollback(c);
    if (c->in_tx)
        db_rollback(c);
    if (c->drv->release)
        c->drv->release(c->handle);
    pthread_mutex_lock(&d->lock);
    c->next_free = d->free_list;
    d->free_list = c;
    pthread_cond_signal(&d->available);
    pthread_mutex_unlock(&d->lock);
}

db_rc db_exec(db_conn *c, arena *a, const char *sql, const db_param *params, int nparams,
              db_rows *out)
{
    db_rows ignored;
    if (!out)
        out = &ignored;
    memset(out, 0, sizeof *out);
    return c->drv->exec(c->handle, a, sql, params, nparams, out);
}

db_rc db_exec_script(db_conn *c, const char *sql)
{
    return c->drv->exec_script(c->handle, sql);
}

static void release_write_lock(db_conn *c)
{
    if (c->holds_write_lock) {
        c->holds_write_lock = false;
        pthread_mutex_unlock(c->owner->write_lock);
    }
}

/* Inside a batch, a unit of work is a SAVEPOINT: its own rollback undoes it
 * alone, its commit only releases it (the batch commits it durably). */
db_rc db_begin_write(db_conn *c)
{
    if (c->in_batch) {
        db_rc src = c->drv->exec_script(c->handle, "SAVEPOINT unit");
        if (src == DB_OK)
            c->savepoints++;
        return src;
    }
    if (c->drv->kind == DB_SQLITE) {
        pthread_mutex_lock(c->owner->write_lock);
        c->holds_write_lock = true;
    }
    db_rc rc = c->drv->exec_script(c->handle, c->drv->begin_write_sql);
    if (rc == DB_OK)
        c->in_tx = true;
    else
        release_write_lock(c);
    return rc;
}

db_rc db_commit(db_conn *c)
{
    if (c->in_batch) {
        if (c->savepoints == 0)
            return DB_OK;
        c->savepoints--;
        return c->drv->exec_script(c->handle, "RELEASE SAVEPOINT unit");
    }
    db_rc rc = c->drv->exec_script(c->handle, "COMMIT");
    if (rc != DB_OK)
        c->drv->exec_script(c->handle, "ROLLBACK");
    c->in_tx = false;
    release_write_lock(c);
    return rc;
}

void db_rollback(db_conn *c)
{
    if (c->in_batch) {
        if (c->savepoints == 0)
            return; /* nothing of the caller's own is open */
        c->savepoints--;
        c->drv->exec_script(c->handle, "ROLLBACK TO SAVEPOINT unit; RELEASE SAVEPOINT unit");
        return;
    }
    c->drv->exec_script(c->handle, "ROLLBACK");
    c->in_tx = false;
    release_write_lock(c);
}

db_rc db_batch_begin(db_conn *c)
{
    db_rc rc = db_begin_write(c);
    if (rc == DB_OK) {
        c->in_batch = true;
        c->savepoints = 0;
    }
    return rc;
}

int db_batch_units_open(const db_conn *c)
{
    return c->in_batch ? c->savepoints : 0;
}

db_rc db_batch_commit(db_conn *c)
{
    c->in_batch = false;
    c->savepoints = 0;
    return db_commit(c);
}

void db_batch_rollback(db_conn *c)
{
    c->in_batch = false;
    c->savepoints = 0;
    db_rollback(c);
}

db_rc db_serialize(db_conn *c, db_lock what, const char *key)
{
    if (c->drv->kind != DB_POSTGRES)
        return DB_OK;
    arena a;
    arena_init(&a, 1024);
    db_rows rows;
    /* inside a batch the transaction may already hold row locks (the audit
     * chain's head) that the lock's holder waits for: waiting there could
     * deadlock, so it only tries, and goes on without the lock when another
     * transaction has it */
    db_rc rc = db_exec(c, &a,
                       c->in_batch
                           ? "SELECT pg_try_advisory_xact_lock(CAST(? AS integer), hashtext(?))"
                           : "SELECT pg_advisory_xact_lock(CAST(? AS integer), hashtext(?))",
                       DB_PARAMS(DB_INT(what), DB_TEXT(key)), &rows);
    arena_free(&a);
    return rc;
}

bool db_in_tx(const db_conn *c)
{
    return c->in_tx;
}

const char *db_errmsg(db_conn *c)
{
    return c->drv->errmsg(c->handle);
}

const char *db_text(const db_rows *rows, int r, int col)
{
    if (r < 0 || r >= rows->n || col < 0 || col >= rows->ncols)
        return NULL;
    size_t i = (size_t)r * (size_t)rows->ncols + (size_t)col;
    if (rows->ints && rows->ints[i] == DB_CELL_INT_UNWRITTEN) {
        /* the cell's memory is the caller's arena's, writable (see db_rows) */
        char *digits = (char *)rows->cells[i];
        int64_t v;
        memcpy(&v, digits - sizeof v, sizeof v);
        digits[json_format_int(v, digits)] = '\0';
        ((unsigned char *)rows->ints)[i] = DB_CELL_INT;
    }
    return rows->cells[i];
}

int64_t db_int(const db_rows *rows, int r, int col)
{
    if (r < 0 || r >= rows->n || col < 0 || col >= rows->ncols)
        return 0;
    size_t i = (size_t)r * (size_t)rows->ncols + (size_t)col;
    const char *s = rows->cells[i];
    if (!s)
        return 0;
    if (rows->ints && rows->ints[i]) {
        int64_t v;
        memcpy(&v, s - sizeof v, sizeof v);
        return v;
    }
    return strtoll(s, NULL, 10);
}

char *db_like_contains(arena *a, const char *s)
{
    size_t n = strlen(s);
    char *p = arena_alloc(a, 2 * n + 3);
    size_t j = 0;
    p[j++] = '%';
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' || s[i] == '_' || s[i] == '!')
            p[j++] = '!';
        p[j++] = s[i];
    }
    p[j++] = '%';
    p[j] = '\0';
    return p;
}

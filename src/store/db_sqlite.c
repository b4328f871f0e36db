/* db_sqlite: the embedded backend. One sqlite3 handle per pool connection, in WAL
 * mode so readers never wait for the writer. synchronous=NORMAL: a committed
 * transaction survives a crash of the process (kill -9), not a power loss;
 * PARCOURS_SQLITE_SYNC=FULL trades throughput for the latter. */
#include "store/db_backend.h"
#include "store/sqlite_vfs.h"
#include "util/alloc.h"
#include "util/json.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STMT_CACHE 128 /* power of two */

typedef struct stmt_slot {
    const char *sql; /* key: the caller's string address */
    sqlite3_stmt *stmt;
} stmt_slot;

typedef struct sqlite_conn {
    sqlite3 *db;
    stmt_slot cache[STMT_CACHE];
    bool reading; /* an implicit read transaction is open (see snapshot_begin) */
    void (*wal_grew)(void *arg, int frames); /* see watch_wal */
    void *wal_arg;
} sqlite_conn;

/* Before any connection: SQLite's memory statistics take a global mutex on
 * every allocation, which the two HTTP threads contend for. Multi-thread
 * mode: a connection is used by one thread at a time (the pool hands it
 * over), so it needs no mutex of its own (each is also opened NOMUTEX), and
 * the values sq_exec reads cells through need no protection. */
static pthread_once_t config_once = PTHREAD_ONCE_INIT;
static void configure_sqlite(void)
{
    sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/* PARCOURS_SQLITE_SYNC=FULL: a commit survives a power loss, not only a crash. */
static bool sync_full(void)
{
    const char *sync = getenv("PARCOURS_SQLITE_SYNC");
    return sync && strcmp(sync, "FULL") == 0;
}

static void *sq_connect(const char *path, char *err, size_t errsz)
{
    pthread_once(&config_once, configure_sqlite);
    sqlite3 *h = NULL;
    /* PARCOURS_SQLITE_MMAP=0: plain pread() for every page (for comparison) */
    const char *mmap_env = getenv("PARCOURS_SQLITE_MMAP");
    const char *vfs = mmap_env && strcmp(mmap_env, "0") == 0 ? NULL : sqlite_vfs_mapped();
    int rc = sqlite3_open_v2(path, &h,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, vfs);
    if (rc != SQLITE_OK) {
        snprintf(err, errsz, "cannot open SQLite database '%s': %s", path,
                 h ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
        sqlite3_close(h);
        return NULL;
    }
    sqlite3_busy_timeout(h, 10000);
    char pragmas[512];
    snprintf(pragmas, sizeof pragmas,
             "PRAGMA journal_mode=WAL; PRAGMA synchronous=%s; PRAGMA foreign_keys=ON;"
             "PRAGMA cache_size=-16384; PRAGMA temp_store=MEMORY; PRAGMA mmap_size=%d;",
             sync_full() ? "FULL" : "NORMAL",
             vfs ? 1 << 30 : 0); /* > 0: SQLite reads pages in place (xFetch) */
    char *msg = NULL;
    if (sqlite3_exec(h, pragmas, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, errsz, "cannot configure SQLite database '%s': %s", path, msg ? msg : "");
        sqlite3_free(msg);
        sqlite3_close(h);
        return NULL;
    }
    sqlite_conn *c = xcalloc(1, sizeof *c);
    c->db = h;
    return c;
}

static int on_wal_commit(void *arg, sqlite3 *handle, const char *name, int frames)
{
    (void)handle;
    (void)name;
    sqlite_conn *c = arg;
    c->wal_grew(c->wal_arg, frames);
    return SQLITE_OK;
}

/* The WAL hook replaces SQLite's automatic checkpoint (which is one). */
static void sq_watch_wal(void *h, void (*grew)(void *arg, int frames), void *arg)
{
    sqlite_conn *c = h;
    c->wal_grew = grew;
    c->wal_arg = arg;
    sqlite3_wal_hook(c->db, on_wal_commit, c);
}

static void sq_checkpoint(void *h)
{
    int log = 0, done = 0;
    sqlite3_wal_checkpoint_v2(((sqlite_conn *)h)->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
}

static void sq_disconnect(void *h)
{
    sqlite_conn *c = h;
    for (int i = 0; i < STMT_CACHE; i++)
        sqlite3_finalize(c->cache[i].stmt);
    sqlite3_close(c->db);
    free(c);
}

static db_rc map_rc(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_DONE:
    case SQLITE_ROW:
        return DB_OK;
    case SQLITE_CONSTRAINT:
        return DB_CONSTRAINT;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return DB_BUSY;
    default:
        return DB_ERROR;
    }
}

/* Finds or prepares the statement for sql. Returns NULL on a prepare error. */
static sqlite3_stmt *stmt_for(sqlite_conn *c, const char *sql)
{
    uintptr_t h = (uintptr_t)sql;
    h ^= h >> 17;
    h *= 0x9E3779B97F4A7C15ull;
    size_t start = (size_t)(h >> 32) & (STMT_CACHE - 1);
    size_t victim = start;
    for (size_t i = 0; i < 8; i++) {
        size_t k = (start + i) & (STMT_CACHE - 1);
        if (c->cache[k].sql == sql)
            return c->cache[k].stmt;
        if (!c->cache[k].sql) {
            victim = k;
            break;
        }
    }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
        return NULL;
    sqlite3_finalize(c->cache[victim].stmt);
    c->cache[victim].sql = sql;
    c->cache[victim].stmt = st;
    return st;
}

/* Reads between two writes share one read transaction: a statement run on its
 * own opens and closes one (WAL read lock, snapshot check), which cost more
 * than the statement itself for the short reads of a request. The snapshot
 * ends before any write (so a write never has to upgrade a stale snapshot),
 * before any transaction statement, and when the connection goes back to the
 * pool (db_release): it never outlives the request holding the connection. */
static const char sql_begin[] = "BEGIN";
static const char sql_commit[] = "COMMIT";

static void run_cached(sqlite_conn *c, const char *sql)
{
    sqlite3_stmt *st = stmt_for(c, sql);
    if (st) {
        sqlite3_step(st);
        sqlite3_reset(st);
    }
}

static void snapshot_end(sqlite_conn *c)
{
    if (c->reading) {
        c->reading = false;
        if (!sqlite3_get_autocommit(c->db))
            run_cached(c, sql_commit);
    }
}

static void sq_release(void *h)
{
    snapshot_end(h);
}

static db_rc sq_exec(void *h, arena *a, const char *sql, const db_param *p, int np, db_rows *out)
{
    sqlite_conn *c = h;
    sqlite3_stmt *st = stmt_for(c, sql);
    if (!st) {
        db_note_error("sqlite", sql, sqlite3_errmsg(c->db));
        return DB_ERROR;
    }
    if (!sqlite3_stmt_readonly(st)) {
        snapshot_end(c);
    } else if (!c->reading && sqlite3_get_autocommit(c->db)) {
        run_cached(c, sql_begin);
        c->reading = !sqlite3_get_autocommit(c->db);
    }
    for (int i = 0; i < np; i++) {
        int rc;
        if (p[i].type == DBP_TEXT)
            rc = sqlite3_bind_text(st, i + 1, p[i].text, -1, SQLITE_STATIC);
        else if (p[i].type == DBP_INT)
            rc = sqlite3_bind_int64(st, i + 1, p[i].i);
        else
            rc = sqlite3_bind_null(st, i + 1);
        if (rc != SQLITE_OK) {
            db_note_error("sqlite", sql, sqlite3_errmsg(c->db));
            sqlite3_reset(st);
            sqlite3_clear_bindings(st);
            return DB_ERROR;
        }
    }
    int ncols = sqlite3_column_count(st);
    out->ncols = ncols;
    int cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (out->n == cap) {
            int ncap = cap ? cap * 2 : 8;
            size_t had = (size_t)cap * (size_t)ncols, room = (size_t)ncap * (size_t)ncols;
            const char **cells = arena_alloc(a, sizeof(char *) * room);
            unsigned char *ints = arena_alloc(a, room);
            if (cap) {
                memcpy(cells, out->cells, sizeof(char *) * had);
                memcpy(ints, out->ints, had);
            }
            out->cells = cells;
            out->ints = ints;
            cap = ncap;
        }
        size_t row = (size_t)out->n * (size_t)ncols;
        unsigned char *ints = (unsigned char *)out->ints;
        for (int col = 0; col < ncols; col++) {
            const char **cell = &out->cells[row + (size_t)col];
            /* one checked call per cell, then the value's own accessors
             * (about half the instructions of sqlite3_column_type followed by
             * _int64, or by _text and _bytes); the "unprotected" value is safe
             * in multi-thread mode (configure_sqlite) */
            sqlite3_value *v = sqlite3_column_value(st, col);
            int type = sqlite3_value_type(v);
            ints[row + (size_t)col] = type == SQLITE_INTEGER;
            if (type == SQLITE_NULL) {
                *cell = NULL;
            } else if (type == SQLITE_INTEGER) {
                /* the value, then room for its digits, written by db_text only
                 * if asked (most integers are read with db_int): not
                 * sqlite3_column_text, which converts with printf and allocates */
                int64_t i = sqlite3_value_int64(v);
                char *slot = arena_alloc(a, sizeof i + DB_INT_DIGITS);
                memcpy(slot, &i, sizeof i);
                slot[sizeof i] = '\0';
                ints[row + (size_t)col] = DB_CELL_INT_UNWRITTEN;
                *cell = slot + sizeof i;
            } else {
                const unsigned char *t = sqlite3_value_text(v);
                size_t len = (size_t)sqlite3_value_bytes(v);
                char *copy = arena_alloc(a, len + 1);
                if (len)
                    memcpy(copy, t, len);
                copy[len] = '\0';
                *cell = copy;
            }
        }
        out->n++;
    }
    db_rc result = map_rc(rc);
    if (result != DB_OK && result != DB_CONSTRAINT)
        db_note_error("sqlite", sql, sqlite3_errmsg(c->db));
    out->changes = sqlite3_changes64(c->db);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return result;
}

static db_rc sq_exec_script(void *h, const char *sql)
{
    sqlite_conn *c = h;
    snapshot_end(c);
    if (strcmp(sql, "ROLLBACK") == 0 && sqlite3_get_autocommit(c->db))
        return DB_OK; /* nothing to roll back (a failed COMMIT may already have) */
    char *msg = NULL;
    int rc = sqlite3_exec(c->db, sql, NULL, NULL, &msg);
    db_rc result = map_rc(rc);
    if (result != DB_OK)
        db_note_error("sqlite", sql, msg ? msg : sqlite3_errstr(rc));
    sqlite3_free(msg);
    return result;
}

static const char *sq_errmsg(void *h)
{
    return sqlite3_errmsg(((sqlite_conn *)h)->db);
}

const db_driver db_sqlite_driver = {
    .kind = DB_SQLITE,
    .connect = sq_connect,
    .disconnect = sq_disconnect,
    .watch_wal = sq_watch_wal,
    .checkpoint = sq_checkpoint,
    .commits_survive_power_loss = sync_full,
    .exec = sq_exec,
    .exec_script = sq_exec_script,
    .release = sq_release,
    .errmsg = sq_errmsg,
    .begin_write_sql = "BEGIN IMMEDIATE",
};

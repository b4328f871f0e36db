/* db: the store's one interface to a database — a pool of connections and a
 * prepared-statement layer over two backends, SQLite and PostgreSQL.
 *
 * SQL is written once, in the portable subset both backends accept, with `?`
 * placeholders (rewritten to $n for PostgreSQL). Statements are prepared once per
 * connection and cached, keyed by the address of the SQL string: pass string
 * literals (or strings that outlive the pool), never a buffer that is reused.
 * Result cells are copied into the caller's arena, so rows stay valid until
 * that arena is freed, after the connection went back to the pool.
 *
 * Only store/ includes this header: core/ calls the *_store modules. */
#ifndef PARCOURS_STORE_DB_H
#define PARCOURS_STORE_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"

typedef enum db_backend { DB_SQLITE, DB_POSTGRES } db_backend;

/* Result codes, threaded through every store call. */
typedef enum db_rc {
    DB_OK = 0,
    DB_NOTFOUND,   /* a statement expected one row and found none */
    DB_CONSTRAINT, /* unique, foreign-key or check violation */
    DB_BUSY,       /* lock timeout: worth retrying the whole transaction */
    DB_ERROR,      /* anything else: logged with the SQL and the driver's message */
} db_rc;

typedef struct db db;
typedef struct db_conn db_conn;

typedef enum db_param_type { DBP_NULL, DBP_TEXT, DBP_INT } db_param_type;
typedef struct db_param {
    db_param_type type;
    const char *text;
    int64_t i;
} db_param;

#define DB_TEXT(s) ((db_param){(s) ? DBP_TEXT : DBP_NULL, (s), 0})
#define DB_INT(v) ((db_param){DBP_INT, NULL, (int64_t)(v)})
#define DB_NULLP ((db_param){DBP_NULL, NULL, 0})
/* DB_PARAMS(a, b, c) expands to the two arguments (array, count). */
#define DB_PARAMS(...)                                                                             \
    (const db_param[]){__VA_ARGS__},                                                               \
        (int)(sizeof((const db_param[]){__VA_ARGS__}) / sizeof(db_param))
#define DB_NOPARAMS NULL, 0

#define DB_CELL_INT 1
#define DB_CELL_INT_UNWRITTEN 2
#define DB_INT_DIGITS 24 /* room for an int64's digits and the NUL */

typedef struct db_rows {
    int n; /* rows */
    int ncols;
    const char **cells; /* n * ncols, NULL for SQL NULL; integers as decimal text */
    /* SQLite: n * ncols, non-zero where the cell is an integer whose value sits in
     * the 8 bytes before its text (db_int reads it instead of parsing), and
     * DB_CELL_INT_UNWRITTEN while the text is not written yet (db_text writes
     * it on first use, in the room left for it); NULL on PostgreSQL (text only) */
    const unsigned char *ints;
    int64_t changes; /* rows changed by an INSERT/UPDATE/DELETE */
} db_rows;

/* Opens `url` ("sqlite:PATH" or "postgres://..." / "postgresql://...") with a pool
 * of `pool_size` connections. On failure returns NULL and writes a message to err. */
db *db_open(const char *url, int pool_size, char *err, size_t errsz);
void db_close(db *d);
db_backend db_kind(const db *d);
/* The backend of a connection (for the few statements that differ). */
db_backend db_conn_kind(const db_conn *c);
const char *db_url_redacted(const db *d);
/* Whether a commit is on stable storage when it returns (SQLite with
 * PARCOURS_SQLITE_SYNC=FULL, PostgreSQL), not only in the kernel's hands
 * (SQLite's default: survives a crash of the process, not of the machine). */
bool db_commits_survive_power_loss(const db *d);

/* SQLite (no-op on PostgreSQL): the connections of d stop checkpointing the WAL
 * after their commits — which made that commit, and everybody waiting on it,
 * wait for the checkpoint's writes and fsync. A thread checkpoints instead
 * (PASSIVE, on a connection of its own): once a commit leaves DB_CHECKPOINT_FRAMES
 * pages in the WAL, else every DB_CHECKPOINT_MAX_MS, never twice within
 * DB_CHECKPOINT_MIN_MS. Rarely, so that the pages every commit writes again (the
 * tails of tables and indexes, the audit chain's head) are copied once per
 * checkpoint, not once per commit. `by` NULL: d runs that thread (stopped by
 * db_close); else the thread of `by` (the same file opened twice in a process)
 * does, told by d's commits. Call before the pool is in use. */
#define DB_CHECKPOINT_FRAMES 1000
#define DB_CHECKPOINT_MAX_MS 1000
#define DB_CHECKPOINT_MIN_MS 50
bool db_checkpoint_in_background(db *d, db *by, char *err, size_t errsz);

/* Inside a write transaction: waits until no other transaction holds (what,
 * key), and holds it until this one ends. PostgreSQL: an advisory transaction
 * lock; SQLite: nothing to do, write transactions are serial (BEGIN
 * IMMEDIATE). For checks that must see the concurrent writes they race with.
 * Inside a batch (db_batch_begin), whose earlier units may hold row locks, it
 * only tries: it never waits there, and goes on without the lock if another
 * transaction holds it. */
typedef enum db_lock { DB_LOCK_PATIENT_BIRTH_YEAR = 1 } db_lock;
db_rc db_serialize(db_conn *c, db_lock what, const char *key);

/* d's writers (SQLite: one at a time per file) queue on the same mutex as
 * with's: two pools of one process on the same file, e.g. the audit writer's
 * and the requests'. Without it, one of two colliding writers waits in
 * SQLite's busy handler, which sleeps 1, 2, 5, 10… ms. `with` must outlive d;
 * call before d is in use. */
void db_share_write_lock(db *d, db *with);

/* Takes a connection from the pool, waiting if all are in use. Never NULL. */
db_conn *db_acquire(db *d);
/* Gives it back; an open transaction is rolled back first. */
void db_release(db *d, db_conn *c);

/* Runs one statement. `out` may be NULL when no rows are wanted. */
db_rc db_exec(db_conn *c, arena *a, const char *sql, const db_param *params, int nparams,
              db_rows *out);
/* Runs a script of several statements without parameters (migrations). */
db_rc db_exec_script(db_conn *c, const char *sql);

/* Transactions. db_begin_write takes the write lock up front on SQLite (BEGIN
 * IMMEDIATE) so that a read-then-write never fails half-way with SQLITE_BUSY. */
db_rc db_begin_write(db_conn *c);
db_rc db_commit(db_conn *c);
void db_rollback(db_conn *c);
/* True while a transaction opened with db_begin_write is open on c. */
bool db_in_tx(const db_conn *c);

/* Group commit (the HL7 listener's): db_batch_begin opens one write
 * transaction in which db_begin_write / db_commit / db_rollback become
 * SAVEPOINT / RELEASE / ROLLBACK TO, so that each unit of work (one message)
 * stays all-or-nothing while many share one durable COMMIT. Nothing is
 * durable before db_batch_commit returns DB_OK; on failure the whole batch is
 * rolled back. db_in_tx is true for the whole batch. */
db_rc db_batch_begin(db_conn *c);
/* Units of work (savepoints) open inside the batch. */
int db_batch_units_open(const db_conn *c);
db_rc db_batch_commit(db_conn *c);
void db_batch_rollback(db_conn *c);

/* The driver's last error message on this connection. */
const char *db_errmsg(db_conn *c);
/* Errors counted since start (for /metrics). */
uint64_t db_error_count(void);

/* A LIKE pattern matching `s` anywhere, with %, _ and ! escaped by '!'
 * (use `LIKE ? ESCAPE '!'`). */
char *db_like_contains(arena *a, const char *s);

/* Cell accessors: row r, column col. */
const char *db_text(const db_rows *rows, int r, int col);
int64_t db_int(const db_rows *rows, int r, int col);

#endif

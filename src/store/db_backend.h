/* db_backend: what db.c needs from each driver (db_sqlite.c, db_pg.c).
 * Internal to store/: the rest of the program sees only db.h. */
#ifndef PARCOURS_STORE_DB_BACKEND_H
#define PARCOURS_STORE_DB_BACKEND_H

#include "store/db.h"

typedef struct db_driver {
    db_backend kind;
    /* Connects; returns an opaque handle or NULL with err filled. */
    void *(*connect)(const char *target, char *err, size_t errsz);
    void (*disconnect)(void *h);
    db_rc (*exec)(void *h, arena *a, const char *sql, const db_param *p, int np, db_rows *out);
    db_rc (*exec_script)(void *h, const char *sql);
    const char *(*errmsg)(void *h);
    const char *begin_write_sql;
    /* SQLite only (NULL otherwise): the connection no longer checkpoints after
     * its commits and calls grew(arg, frames in the WAL) after each one instead;
     * and one PASSIVE checkpoint. */
    void (*watch_wal)(void *h, void (*grew)(void *arg, int frames), void *arg);
    void (*checkpoint)(void *h);
    /* Called when the connection goes back to the pool (NULL: nothing to do). */
    void (*release)(void *h);
    /* Whether commits are on stable storage when they return (NULL: yes). */
    bool (*commits_survive_power_loss)(void);
} db_driver;

extern const db_driver db_sqlite_driver;
extern const db_driver db_pg_driver;

/* Shared by the drivers: counts an error for /metrics and logs it. */
void db_note_error(const char *backend, const char *sql, const char *msg);

#endif

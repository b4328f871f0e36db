#include "store/migrate.h"
#include "store/migrations.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <string.h>

static const char *backend_name(db *d)
{
    return db_kind(d) == DB_SQLITE ? "sqlite" : "postgres";
}

/* First line of a SQLite migration that rebuilds a table referenced by
 * foreign keys (SQLite's "12-step" procedure). */
static const char *const FOREIGN_KEYS_OFF = "-- parcours: foreign_keys=off";

static const char *CREATE_TABLE = "CREATE TABLE IF NOT EXISTS schema_migration ("
                                  " version INTEGER PRIMARY KEY,"
                                  " name TEXT NOT NULL,"
                                  " applied_at BIGINT NOT NULL)";

/* Whether migration `version` was applied: each is recorded on its own, so a
 * migration merged after a later one (parallel branches) is still applied. */
static int is_applied(db_conn *c, arena *a, int version, bool *applied)
{
    db_rows rows;
    if (db_exec(c, a, "SELECT count(*) FROM schema_migration WHERE version = ?",
                DB_PARAMS(DB_INT(version)), &rows) != DB_OK)
        return -1;
    *applied = db_int(&rows, 0, 0) > 0;
    return 0;
}

int migrate_apply(db *d, char *err, size_t errsz)
{
    const char *backend = backend_name(d);
    db_conn *c = db_acquire(d);
    arena a;
    arena_init(&a, 0);
    int applied = 0;
    if (db_exec_script(c, CREATE_TABLE) != DB_OK) {
        snprintf(err, errsz, "cannot create the schema_migration table: %s", db_errmsg(c));
        applied = -1;
        goto out;
    }
    for (const migration *m = migrations; m->backend; m++) {
        bool done = false;
        if (strcmp(m->backend, backend) != 0)
            continue;
        if (is_applied(c, &a, m->version, &done) != 0) {
            snprintf(err, errsz, "cannot read schema version: %s", db_errmsg(c));
            applied = -1;
            goto out;
        }
        if (done)
            continue;
        /* a SQLite table rebuild runs with foreign keys off (the pragma is a
         * no-op inside a transaction) and must leave none broken */
        bool rebuild = db_kind(d) == DB_SQLITE && strstr(m->sql, FOREIGN_KEYS_OFF) != NULL;
        if (rebuild && db_exec_script(c, "PRAGMA foreign_keys=OFF") != DB_OK) {
            snprintf(err, errsz, "migration %s failed: %s", m->name, db_errmsg(c));
            applied = -1;
            goto out;
        }
        db_rows broken = {0};
        bool ok =
            db_begin_write(c) == DB_OK && db_exec_script(c, m->sql) == DB_OK &&
            (!rebuild ||
             db_exec(c, &a, "PRAGMA foreign_key_check", DB_NOPARAMS, &broken) == DB_OK) &&
            broken.n == 0 &&
            db_exec(c, &a,
                    "INSERT INTO schema_migration (version, name, applied_at) VALUES (?, ?, ?)",
                    DB_PARAMS(DB_INT(m->version), DB_TEXT(m->name), DB_INT(time_now_ms())),
                    NULL) == DB_OK &&
            db_commit(c) == DB_OK;
        if (!ok) {
            if (broken.n > 0)
                snprintf(err, errsz, "migration %s failed: it would break %d foreign key(s)",
                         m->name, broken.n);
            else
                snprintf(err, errsz, "migration %s failed: %s", m->name, db_errmsg(c));
            db_rollback(c);
        }
        if (rebuild)
            db_exec_script(c, "PRAGMA foreign_keys=ON");
        if (!ok) {
            applied = -1;
            goto out;
        }
        applied++;
    }
out:
    arena_free(&a);
    db_release(d, c);
    return applied;
}

int migrate_pending(db *d, char *err, size_t errsz)
{
    const char *backend = backend_name(d);
    db_conn *c = db_acquire(d);
    arena a;
    arena_init(&a, 0);
    int pending = 0;
    db_rows rows;
    const char *probe = db_kind(d) == DB_SQLITE
                            ? "SELECT count(*) FROM sqlite_master WHERE name = 'schema_migration'"
                            : "SELECT count(*) FROM information_schema.tables"
                              " WHERE table_name = 'schema_migration'"
                              " AND table_schema = current_schema()";
    if (db_exec(c, &a, probe, DB_NOPARAMS, &rows) != DB_OK || db_int(&rows, 0, 0) == 0) {
        snprintf(err, errsz, "the database has no parcours schema: run 'parcours init' first");
        pending = -1;
        goto out;
    }
    for (const migration *m = migrations; m->backend; m++) {
        bool done = false;
        if (strcmp(m->backend, backend) != 0)
            continue;
        if (is_applied(c, &a, m->version, &done) != 0) {
            snprintf(err, errsz, "cannot read schema version: %s", db_errmsg(c));
            pending = -1;
            goto out;
        }
        pending += !done;
    }
out:
    arena_free(&a);
    db_release(d, c);
    return pending;
}

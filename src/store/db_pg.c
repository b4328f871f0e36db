/* db_pg: the PostgreSQL backend through libpq. One PGconn per pool connection;
 * statements are prepared once per connection (named s0, s1, ...) after
 * rewriting `?` placeholders to $1..$n. Results are read as text. */
#include "store/db_backend.h"
#include "util/alloc.h"
#include "util/buf.h"

#include <libpq-fe.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PG_STMT_CACHE 256 /* power of two */

typedef struct pg_slot {
    const char *sql;
    char name[16];
} pg_slot;

typedef struct pg_conn {
    PGconn *conn;
    int next_id;
    pg_slot cache[PG_STMT_CACHE];
    char err[512];
} pg_conn;

static void *pg_connect(const char *url, char *err, size_t errsz)
{
    PGconn *conn = PQconnectdb(url);
    if (PQstatus(conn) != CONNECTION_OK) {
        snprintf(err, errsz, "cannot connect to PostgreSQL: %s", PQerrorMessage(conn));
        PQfinish(conn);
        return NULL;
    }
    PGresult *r = PQexec(conn, "SET client_min_messages = warning; SET TIME ZONE 'UTC'");
    PQclear(r);
    pg_conn *c = xcalloc(1, sizeof *c);
    c->conn = conn;
    return c;
}

static void pg_disconnect(void *h)
{
    pg_conn *c = h;
    PQfinish(c->conn);
    free(c);
}

/* `?` -> `$n`, outside quoted strings. */
static char *rewrite_placeholders(const char *sql)
{
    buf b;
    buf_init(&b, 0);
    int n = 0;
    char quote = 0;
    for (const char *p = sql; *p; p++) {
        if (quote) {
            if (*p == quote)
                quote = 0;
            buf_putc(&b, *p);
        } else if (*p == '\'' || *p == '"') {
            quote = *p;
            buf_putc(&b, *p);
        } else if (*p == '?') {
            buf_printf(&b, "$%d", ++n);
        } else {
            buf_putc(&b, *p);
        }
    }
    return buf_steal(&b, NULL);
}

static db_rc map_state(PGresult *r)
{
    const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    if (!state)
        return DB_ERROR;
    if (strncmp(state, "23", 2) == 0)
        return DB_CONSTRAINT;
    if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
        strcmp(state, "55P03") == 0)
        return DB_BUSY;
    return DB_ERROR;
}

static const char *prepared_name(pg_conn *c, const char *sql)
{
    uintptr_t h = (uintptr_t)sql;
    h ^= h >> 17;
    h *= 0x9E3779B97F4A7C15ull;
    size_t start = (size_t)(h >> 32) & (PG_STMT_CACHE - 1);
    for (size_t i = 0; i < PG_STMT_CACHE; i++) {
        size_t k = (start + i) & (PG_STMT_CACHE - 1);
        if (c->cache[k].sql == sql)
            return c->cache[k].name;
        if (!c->cache[k].sql) {
            char *text = rewrite_placeholders(sql);
            pg_slot *s = &c->cache[k];
            snprintf(s->name, sizeof s->name, "s%d", c->next_id++);
            PGresult *r = PQprepare(c->conn, s->name, text, 0, NULL);
            free(text);
            bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
            if (!ok)
                snprintf(c->err, sizeof c->err, "%s", PQresultErrorMessage(r));
            PQclear(r);
            if (!ok)
                return NULL;
            s->sql = sql;
            return s->name;
        }
    }
    snprintf(c->err, sizeof c->err, "statement cache full");
    return NULL;
}

static db_rc pg_exec(void *h, arena *a, const char *sql, const db_param *p, int np,
                     db_rows *out)
{
    pg_conn *c = h;
    const char *name = prepared_name(c, sql);
    if (!name) {
        db_note_error("postgres", sql, c->err);
        return DB_ERROR;
    }
    const char *values[64];
    char ints[64][24];
    if (np > 64) {
        db_note_error("postgres", sql, "too many parameters");
        return DB_ERROR;
    }
    for (int i = 0; i < np; i++) {
        if (p[i].type == DBP_TEXT) {
            values[i] = p[i].text;
        } else if (p[i].type == DBP_INT) {
            snprintf(ints[i], sizeof ints[i], "%lld", (long long)p[i].i);
            values[i] = ints[i];
        } else {
            values[i] = NULL;
        }
    }
    PGresult *r = PQexecPrepared(c->conn, name, np, values, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(r);
    db_rc rc = DB_OK;
    if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
        int n = PQntuples(r), ncols = PQnfields(r);
        out->n = n;
        out->ncols = ncols;
        if (n && ncols) {
            out->cells = arena_alloc(a, sizeof(char *) * (size_t)n * (size_t)ncols);
            for (int row = 0; row < n; row++)
                for (int col = 0; col < ncols; col++)
                    out->cells[(size_t)row * (size_t)ncols + (size_t)col] =
                        PQgetisnull(r, row, col)
                            ? NULL
                            : arena_strndup(a, PQgetvalue(r, row, col),
                                            (size_t)PQgetlength(r, row, col));
        }
        const char *tuples = PQcmdTuples(r);
        out->changes = tuples && *tuples ? strtoll(tuples, NULL, 10) : 0;
    } else {
        rc = map_state(r);
        snprintf(c->err, sizeof c->err, "%s", PQresultErrorMessage(r));
        if (rc != DB_CONSTRAINT)
            db_note_error("postgres", sql, c->err);
        if (PQstatus(c->conn) != CONNECTION_OK) {
            /* the server went away: reconnect and forget prepared statements */
            PQreset(c->conn);
            memset(c->cache, 0, sizeof c->cache);
        }
    }
    PQclear(r);
    return rc;
}

static db_rc pg_exec_script(void *h, const char *sql)
{
    pg_conn *c = h;
    PGresult *r = PQexec(c->conn, sql);
    ExecStatusType st = PQresultStatus(r);
    db_rc rc = DB_OK;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY) {
        rc = map_state(r);
        snprintf(c->err, sizeof c->err, "%s", PQresultErrorMessage(r));
        db_note_error("postgres", sql, c->err);
    }
    PQclear(r);
    return rc;
}

static const char *pg_errmsg(void *h)
{
    return ((pg_conn *)h)->err;
}

const db_driver db_pg_driver = {
    .kind = DB_POSTGRES,
    .connect = pg_connect,
    .disconnect = pg_disconnect,
    .exec = pg_exec,
    .exec_script = pg_exec_script,
    .errmsg = pg_errmsg,
    .begin_write_sql = "BEGIN",
};

#include "store/notify_store.h"
#include "util/buf.h"
#include "util/alloc.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOTIF_COLS                                                                                 \
    "id, user_id, kind, COALESCE(patient_id, 0), object_id, title, body, urgent, created_at,"      \
    " COALESCE(read_at, 0), live"

static db_rc read_all(db_rc rc, const db_rows *rows, arena *a, notification_row **out, int *n)
{
    *n = 0;
    if (rc != DB_OK)
        return rc;
    *out = arena_calloc(a, (size_t)rows->n + 1, sizeof(notification_row));
    for (int i = 0; i < rows->n; i++) {
        notification_row *x = &(*out)[i];
        x->id = db_int(rows, i, 0);
        x->user_id = db_int(rows, i, 1);
        x->kind = db_text(rows, i, 2);
        x->patient_id = db_int(rows, i, 3);
        x->object_id = db_text(rows, i, 4);
        x->title = db_text(rows, i, 5);
        x->body = db_text(rows, i, 6);
        x->urgent = db_int(rows, i, 7) != 0;
        x->created_at = db_int(rows, i, 8);
        x->read_at = db_int(rows, i, 9);
        x->live = db_int(rows, i, 10) != 0;
    }
    *n = rows->n;
    return DB_OK;
}

db_rc notify_store_serialize(db_conn *c, arena *a)
{
    /* seq = seq changes nothing but takes the row lock on PostgreSQL */
    return db_exec(c, a, "UPDATE audit_head SET seq = seq WHERE id = 1", DB_NOPARAMS, NULL);
}

/* users[0..n) as one text parameter: a JSON array for SQLite (json_each), an
 * array literal for PostgreSQL; with the extra integer of each when given. */
static const char *id_list(db_conn *c, arena *a, const int64_t *users, const bool *extra, int n)
{
    bool pg = db_conn_kind(c) == DB_POSTGRES;
    buf b;
    buf_init(&b, 0);
    buf_putc(&b, pg ? '{' : '[');
    for (int i = 0; i < n; i++) {
        if (i)
            buf_putc(&b, ',');
        if (extra && !pg)
            buf_printf(&b, "[%lld,%d]", (long long)users[i], extra[i] ? 1 : 0);
        else
            buf_printf(&b, "%lld", (long long)users[i]);
    }
    buf_putc(&b, pg ? '}' : ']');
    const char *out = arena_strndup(a, b.data, b.len);
    buf_free(&b);
    return out;
}

static const char *flag_list(arena *a, const bool *flags, int n)
{
    char *s = arena_alloc(a, (size_t)n * 2 + 2), *p = s;
    *p++ = '{';
    for (int i = 0; i < n; i++) {
        if (i)
            *p++ = ',';
        *p++ = flags[i] ? '1' : '0';
    }
    *p++ = '}';
    *p = '\0';
    return s;
}

db_rc notify_store_insert_many(db_conn *c, arena *a, const notification_row *n,
                               const int64_t *users, const bool *live, int count)
{
    if (count == 0)
        return DB_OK;
    if (db_conn_kind(c) == DB_POSTGRES)
        return db_exec(
            c, a,
            "INSERT INTO notification (user_id, kind, patient_id, object_id, title, body,"
            " urgent, created_at, live)"
            " SELECT t.u, CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS TEXT),"
            " CAST(? AS TEXT), CAST(? AS INTEGER), CAST(? AS BIGINT), t.l"
            " FROM unnest(CAST(? AS BIGINT[]), CAST(? AS INTEGER[])) WITH ORDINALITY AS t(u, l, o)"
            " ORDER BY t.o",
            DB_PARAMS(DB_TEXT(n->kind), n->patient_id ? DB_INT(n->patient_id) : DB_NULLP,
                      DB_TEXT(n->object_id), DB_TEXT(n->title), DB_TEXT(n->body), DB_INT(n->urgent),
                      DB_INT(n->created_at), DB_TEXT(id_list(c, a, users, NULL, count)),
                      DB_TEXT(flag_list(a, live, count))),
            NULL);
    return db_exec(c, a,
                   "INSERT INTO notification (user_id, kind, patient_id, object_id, title, body,"
                   " urgent, created_at, live)"
                   " SELECT json_extract(j.value, '$[0]'), ?, ?, ?, ?, ?, ?, ?,"
                   " json_extract(j.value, '$[1]') FROM json_each(?) AS j ORDER BY j.key",
                   DB_PARAMS(DB_TEXT(n->kind), n->patient_id ? DB_INT(n->patient_id) : DB_NULLP,
                             DB_TEXT(n->object_id), DB_TEXT(n->title), DB_TEXT(n->body),
                             DB_INT(n->urgent), DB_INT(n->created_at),
                             DB_TEXT(id_list(c, a, users, live, count))),
                   NULL);
}

db_rc notify_store_prefs_many(db_conn *c, arena *a, const int64_t *users, int n,
                              const char **disabled, int *quiet_start, int *quiet_end)
{
    for (int i = 0; i < n; i++) {
        disabled[i] = "";
        quiet_start[i] = quiet_end[i] = -1;
    }
    if (n == 0)
        return DB_OK;
    db_rows rows;
    db_rc rc = db_exec(c, a,
                       db_conn_kind(c) == DB_POSTGRES
                           ? "SELECT user_id, disabled_kinds, COALESCE(quiet_start, -1),"
                             " COALESCE(quiet_end, -1) FROM notification_pref"
                             " WHERE user_id = ANY (CAST(? AS BIGINT[]))"
                           : "SELECT user_id, disabled_kinds, COALESCE(quiet_start, -1),"
                             " COALESCE(quiet_end, -1) FROM notification_pref"
                             " WHERE user_id IN (SELECT value FROM json_each(?))",
                       DB_PARAMS(DB_TEXT(id_list(c, a, users, NULL, n))), &rows);
    for (int r = 0; rc == DB_OK && r < rows.n; r++) {
        int64_t user = db_int(&rows, r, 0);
        for (int i = 0; i < n; i++)
            if (users[i] == user) {
                disabled[i] = db_text(&rows, r, 1);
                quiet_start[i] = (int)db_int(&rows, r, 2);
                quiet_end[i] = (int)db_int(&rows, r, 3);
            }
    }
    return rc;
}

db_rc notify_store_prefs(db_conn *c, arena *a, int64_t user_id, const char **disabled,
                         int *quiet_start, int *quiet_end)
{
    return notify_store_prefs_many(c, a, &user_id, 1, disabled, quiet_start, quiet_end);
}

db_rc notify_store_set_prefs(db_conn *c, arena *a, int64_t user_id, const char *disabled,
                             int quiet_start, int quiet_end)
{
    return db_exec(c, a,
                   "INSERT INTO notification_pref (user_id, disabled_kinds, quiet_start, quiet_end)"
                   " VALUES (?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET"
                   " disabled_kinds = excluded.disabled_kinds, quiet_start = excluded.quiet_start,"
                   " quiet_end = excluded.quiet_end",
                   DB_PARAMS(DB_INT(user_id), DB_TEXT(disabled),
                             quiet_start >= 0 ? DB_INT(quiet_start) : DB_NULLP,
                             quiet_end >= 0 ? DB_INT(quiet_end) : DB_NULLP),
                   NULL);
}

db_rc notify_store_list(db_conn *c, arena *a, int64_t user_id, int64_t before, bool unread_only,
                        int limit, notification_row **out, int *n)
{
    db_rows rows;
    db_rc rc = db_exec(c, a,
                       "SELECT " NOTIF_COLS " FROM notification WHERE user_id = ?"
                       " AND (CAST(? AS BIGINT) = 0 OR id < ?)"
                       " AND (CAST(? AS BIGINT) = 0 OR read_at IS NULL)"
                       " ORDER BY id DESC LIMIT ?",
                       DB_PARAMS(DB_INT(user_id), DB_INT(before), DB_INT(before),
                                 DB_INT(unread_only), DB_INT(limit)),
                       &rows);
    return read_all(rc, &rows, a, out, n);
}

db_rc notify_store_since(db_conn *c, arena *a, int64_t user_id, int64_t after, int limit,
                         notification_row **out, int *n)
{
    db_rows rows;
    db_rc rc = db_exec(c, a,
                       "SELECT " NOTIF_COLS " FROM notification WHERE user_id = ? AND id > ?"
                       " AND live = 1 ORDER BY id LIMIT ?",
                       DB_PARAMS(DB_INT(user_id), DB_INT(after), DB_INT(limit)), &rows);
    return read_all(rc, &rows, a, out, n);
}

db_rc notify_store_unread_count(db_conn *c, arena *a, int64_t user_id, int64_t *count)
{
    db_rows rows;
    db_rc rc =
        db_exec(c, a, "SELECT count(*) FROM notification WHERE user_id = ? AND read_at IS NULL",
                DB_PARAMS(DB_INT(user_id)), &rows);
    *count = rc == DB_OK ? db_int(&rows, 0, 0) : 0;
    return rc;
}

db_rc notify_store_mark_read(db_conn *c, arena *a, int64_t user_id, int64_t id, int64_t now)
{
    db_rows rows;
    db_rc rc = db_exec(c, a,
                       "UPDATE notification SET read_at = COALESCE(read_at, ?)"
                       " WHERE id = ? AND user_id = ?",
                       DB_PARAMS(DB_INT(now), DB_INT(id), DB_INT(user_id)), &rows);
    if (rc == DB_OK && rows.changes == 0)
        return DB_NOTFOUND;
    return rc;
}

db_rc notify_store_mark_all_read(db_conn *c, arena *a, int64_t user_id, int64_t now,
                                 int64_t *changed)
{
    db_rows rows;
    db_rc rc =
        db_exec(c, a, "UPDATE notification SET read_at = ? WHERE user_id = ? AND read_at IS NULL",
                DB_PARAMS(DB_INT(now), DB_INT(user_id)), &rows);
    *changed = rc == DB_OK ? rows.changes : 0;
    return rc;
}

db_rc notify_store_max_id(db_conn *c, arena *a, int64_t *max_id)
{
    db_rows rows;
    db_rc rc = db_exec(c, a, "SELECT COALESCE(max(id), 0) FROM notification", DB_NOPARAMS, &rows);
    *max_id = rc == DB_OK ? db_int(&rows, 0, 0) : 0;
    return rc;
}

db_rc notify_store_user_max_id(db_conn *c, arena *a, int64_t user_id, int64_t *max_id)
{
    db_rows rows;
    db_rc rc = db_exec(c, a, "SELECT COALESCE(max(id), 0) FROM notification WHERE user_id = ?",
                       DB_PARAMS(DB_INT(user_id)), &rows);
    *max_id = rc == DB_OK ? db_int(&rows, 0, 0) : 0;
    return rc;
}

db_rc notify_store_recipients(db_conn *c, arena *a, int64_t after, int64_t upto, int limit,
                              int64_t **users, int *n)
{
    db_rows rows;
    db_rc rc = db_exec(c, a,
                       "SELECT DISTINCT user_id FROM notification WHERE id > ? AND id <= ?"
                       " AND live = 1 LIMIT ?",
                       DB_PARAMS(DB_INT(after), DB_INT(upto), DB_INT(limit)), &rows);
    *n = 0;
    if (rc != DB_OK)
        return rc;
    *users = arena_calloc(a, (size_t)rows.n + 1, sizeof(int64_t));
    for (int i = 0; i < rows.n; i++)
        (*users)[i] = db_int(&rows, i, 0);
    *n = rows.n;
    return DB_OK;
}

/* ---- LISTEN (PostgreSQL only) ------------------------------------------- */

#define LISTEN_CHANNEL "parcours_notification"

struct notify_listener {
    PGconn *conn;
};

notify_listener *notify_store_listen(const char *url, char *err, size_t errsz)
{
    PGconn *conn = PQconnectdb(url);
    if (PQstatus(conn) != CONNECTION_OK) {
        snprintf(err, errsz, "cannot connect to PostgreSQL: %s", PQerrorMessage(conn));
        PQfinish(conn);
        return NULL;
    }
    PGresult *r = PQexec(conn, "LISTEN " LISTEN_CHANNEL);
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok)
        snprintf(err, errsz, "LISTEN failed: %s", PQresultErrorMessage(r));
    PQclear(r);
    if (!ok) {
        PQfinish(conn);
        return NULL;
    }
    notify_listener *l = xcalloc(1, sizeof *l);
    l->conn = conn;
    return l;
}

int notify_store_listener_fd(const notify_listener *l)
{
    return PQsocket(l->conn);
}

/* A payload is a user id in decimal; false for anything else. */
static bool parse_user(const char *s, int64_t *out)
{
    char *end;
    long long v = s && *s ? strtoll(s, &end, 10) : 0;
    if (!s || !*s || *end || v <= 0)
        return false;
    *out = v;
    return true;
}

db_rc notify_store_listener_drain(notify_listener *l, int64_t *users, int max, int *n,
                                  bool *overflow)
{
    *n = 0;
    *overflow = false;
    if (!PQconsumeInput(l->conn) || PQstatus(l->conn) != CONNECTION_OK)
        return DB_ERROR;
    PGnotify *note;
    while ((note = PQnotifies(l->conn)) != NULL) {
        int64_t user;
        if (!parse_user(note->extra, &user)) {
            *overflow = true;
        } else {
            bool seen = false;
            for (int i = 0; i < *n && !seen; i++)
                seen = users[i] == user;
            if (!seen && *n < max)
                users[(*n)++] = user;
            else if (!seen)
                *overflow = true;
        }
        PQfreemem(note);
    }
    return DB_OK;
}

void notify_store_listener_close(notify_listener *l)
{
    if (!l)
        return;
    PQfinish(l->conn);
    free(l);
}

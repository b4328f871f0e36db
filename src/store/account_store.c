#include "store/account_store.h"

#include <string.h>

#define ACCOUNT_COLS                                                                               \
    "id, login, display_name, role, password_hash, COALESCE(professional_id, 0), disabled,"       \
    " created_at, updated_at"

static void read_account(const db_rows *rows, int r, account *out)
{
    out->id = db_int(rows, r, 0);
    out->login = db_text(rows, r, 1);
    out->display_name = db_text(rows, r, 2);
    out->role = db_text(rows, r, 3);
    out->password_hash = db_text(rows, r, 4);
    out->professional_id = db_int(rows, r, 5);
    out->disabled = db_int(rows, r, 6) != 0;
    out->created_at = db_int(rows, r, 7);
    out->updated_at = db_int(rows, r, 8);
}

db_rc account_store_insert(db_conn *c, arena *a, account *acc)
{
    db_rows rows;
    db_rc rc = db_exec(c, a,
                       "INSERT INTO app_user (login, display_name, role, password_hash,"
                       " professional_id, disabled, created_at, updated_at)"
                       " VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                       DB_PARAMS(DB_TEXT(acc->login), DB_TEXT(acc->display_name),
                                 DB_TEXT(acc->role), DB_TEXT(acc->password_hash),
                                 acc->professional_id ? DB_INT(acc->professional_id) : DB_NULLP,
                                 DB_INT(acc->disabled), DB_INT(acc->created_at),
                                 DB_INT(acc->updated_at)),
                       &rows);
    if (rc == DB_OK)
        acc->id = db_int(&rows, 0, 0);
    return rc;
}

db_rc account_store_by_login(db_conn *c, arena *a, const char *login, account *out)
{
    db_rows rows;
    db_rc rc = db_exec(c, a, "SELECT " ACCOUNT_COLS " FROM app_user WHERE login = ?",
                       DB_PARAMS(DB_TEXT(login)), &rows);
    if (rc != DB_OK)
        return rc;
    if (rows.n == 0)
        return DB_NOTFOUND;
    read_account(&rows, 0, out);
    return DB_OK;
}

db_rc account_store_by_id(db_conn *c, arena *a, int64_t id, account *out)
{
    db_rows rows;
    db_rc rc = db_exec(c, a, "SELECT " ACCOUNT_COLS " FROM app_user WHERE id = ?",
                       DB_PARAMS(DB_INT(id)), &rows);
    if (rc != DB_OK)
        return rc;
    if (rows.n == 0)
        return DB_NOTFOUND;
    read_account(&rows, 0, out);
    return DB_OK;
}

db_rc account_store_list(db_conn *c, arena *a, int64_t after_id, int limit, const char *q,
                         account **out, int *n)
{
    db_rows rows;
    db_rc rc;
    if (q && *q) {
        /* lower() on both sides: ASCII case-insensitive on both backends */
        char *pattern = db_like_contains(a, q);
        rc = db_exec(c, a,
                     "SELECT " ACCOUNT_COLS " FROM app_user WHERE id > ?"
                     " AND (lower(login) LIKE lower(?) ESCAPE '!'"
                     " OR lower(display_name) LIKE lower(?) ESCAPE '!')"
                     " ORDER BY id LIMIT ?",
                     DB_PARAMS(DB_INT(after_id), DB_TEXT(pattern), DB_TEXT(pattern),
                               DB_INT(limit)),
                     &rows);
    } else {
        rc = db_exec(c, a, "SELECT " ACCOUNT_COLS " FROM app_user WHERE id > ? ORDER BY id LIMIT ?",
                     DB_PARAMS(DB_INT(after_id), DB_INT(limit)), &rows);
    }
    if (rc != DB_OK)
        return rc;
    *out = arena_calloc(a, (size_t)rows.n + 1, sizeof(account));
    for (int i = 0; i < rows.n; i++)
        read_account(&rows, i, &(*out)[i]);
    *n = rows.n;
    return DB_OK;
}

static db_rc expect_one(db_rc rc, const db_rows *rows)
{
    if (rc == DB_OK && rows->changes == 0)
        return DB_NOTFOUND;
    return rc;
}

db_rc account_store_set_disabled(db_conn *c, arena *a, int64_t id, bool disabled, int64_t now)
{
    db_rows rows;
    db_rc rc = db_exec(c, a, "UPDATE app_user SET disabled = ?, updated_at = ? WHERE id = ?",
                       DB_PARAMS(DB_INT(disabled), DB_INT(now), DB_INT(id)), &rows);
    return expect_one(rc, &rows);
}

db_rc account_store_set_password(db_conn *c, arena *a, int64_t id, const char *hash, int64_t now)
{
    db_rows rows;
    db_rc rc = db_exec(c, a, "UPDATE app_user SET password_hash = ?, updated_at = ? WHERE id = ?",
                       DB_PARAMS(DB_TEXT(hash), DB_INT(now), DB_INT(id)), &rows);
    return expect_one(rc, &rows);
}

db_rc account_store_set_display_name(db_conn *c, arena *a, int64_t id, const char *name,
                                     int64_t now)
{
    db_rows rows;
    db_rc rc = db_exec(c, a, "UPDATE app_user SET display_name = ?, updated_at = ? WHERE id = ?",
                       DB_PARAMS(DB_TEXT(name), DB_INT(now), DB_INT(id)), &rows);
    return expect_one(rc, &rows);
}

db_rc account_store_count(db_conn *c, arena *a, int64_t *n)
{
    db_rows rows;
    db_rc rc = db_exec(c, a, "SELECT count(*) FROM app_user", DB_NOPARAMS, &rows);
    if (rc == DB_OK)
        *n = db_int(&rows, 0, 0);
    return rc;
}

db_rc account_store_set_professional(db_conn *c, arena *a, int64_t id, int64_t professional_id,
                                     int64_t now)
{
    db_rows rows;
    db_rc rc = db_exec(c, a, "UPDATE app_user SET professional_id = ?, updated_at = ? WHERE id = ?",
                       DB_PARAMS(professional_id ? DB_INT(professional_id) : DB_NULLP, DB_INT(now),
                                 DB_INT(id)),
                       &rows);
    return expect_one(rc, &rows);
}

db_rc account_store_by_professional(db_conn *c, arena *a, int64_t professional_id, account *out)
{
    db_rows rows;
    db_rc rc = db_exec(c, a,
                       "SELECT " ACCOUNT_COLS " FROM app_user WHERE professional_id = ?"
                       " ORDER BY id LIMIT 1",
                       DB_PARAMS(DB_INT(professional_id)), &rows);
    if (rc != DB_OK)
        return rc;
    if (rows.n == 0)
        return DB_NOTFOUND;
    read_account(&rows, 0, out);
    return DB_OK;
}

#include "store/session_store.h"

db_rc session_store_insert(db_conn *c, arena *a, const session_row *s)
{
    return db_exec(c, a,
                   "INSERT INTO app_session (token_hash, user_id, csrf_token, created_at,"
                   " last_seen_at, expires_at, client_addr) VALUES (?, ?, ?, ?, ?, ?, ?)",
                   DB_PARAMS(DB_TEXT(s->token_hash), DB_INT(s->user_id), DB_TEXT(s->csrf_token),
                             DB_INT(s->created_at), DB_INT(s->last_seen_at),
                             DB_INT(s->expires_at), DB_TEXT(s->client_addr)),
                   NULL);
}

db_rc session_store_find(db_conn *c, arena *a, const char *token_hash, session_row *out)
{
    db_rows rows;
    db_rc rc = db_exec(
        c, a,
        "SELECT s.token_hash, s.user_id, s.csrf_token, s.created_at, s.last_seen_at,"
        " s.expires_at, s.client_addr, u.login, u.display_name, u.role,"
        " COALESCE(u.professional_id, 0), u.disabled"
        " FROM app_session s JOIN app_user u ON u.id = s.user_id WHERE s.token_hash = ?",
        DB_PARAMS(DB_TEXT(token_hash)), &rows);
    if (rc != DB_OK)
        return rc;
    if (rows.n == 0)
        return DB_NOTFOUND;
    out->token_hash = db_text(&rows, 0, 0);
    out->user_id = db_int(&rows, 0, 1);
    out->csrf_token = db_text(&rows, 0, 2);
    out->created_at = db_int(&rows, 0, 3);
    out->last_seen_at = db_int(&rows, 0, 4);
    out->expires_at = db_int(&rows, 0, 5);
    out->client_addr = db_text(&rows, 0, 6);
    out->user = (account){
        .id = out->user_id,
        .login = db_text(&rows, 0, 7),
        .display_name = db_text(&rows, 0, 8),
        .role = db_text(&rows, 0, 9),
        .professional_id = db_int(&rows, 0, 10),
        .disabled = db_int(&rows, 0, 11) != 0,
    };
    return DB_OK;
}

db_rc session_store_touch(db_conn *c, arena *a, const char *token_hash, int64_t now)
{
    return db_exec(c, a, "UPDATE app_session SET last_seen_at = ? WHERE token_hash = ?",
                   DB_PARAMS(DB_INT(now), DB_TEXT(token_hash)), NULL);
}

db_rc session_store_delete(db_conn *c, arena *a, const char *token_hash)
{
    return db_exec(c, a, "DELETE FROM app_session WHERE token_hash = ?",
                   DB_PARAMS(DB_TEXT(token_hash)), NULL);
}

db_rc session_store_delete_for_user(db_conn *c, arena *a, int64_t user_id)
{
    return db_exec(c, a, "DELETE FROM app_session WHERE user_id = ?", DB_PARAMS(DB_INT(user_id)),
                   NULL);
}

db_rc session_store_purge(db_conn *c, arena *a, int64_t now, int64_t idle_ms)
{
    return db_exec(c, a, "DELETE FROM app_session WHERE expires_at <= ? OR last_seen_at <= ?",
                   DB_PARAMS(DB_INT(now), DB_INT(now - idle_ms)), NULL);
}

db_rc login_failure_count(db_conn *c, arena *a, const char *scope, int64_t window_cutoff,
                          int *failures, int64_t *window_start)
{
    db_rows rows;
    db_rc rc = db_exec(c, a,
                       "SELECT failures, window_start FROM login_failure"
                       " WHERE scope = ? AND window_start >= ?",
                       DB_PARAMS(DB_TEXT(scope), DB_INT(window_cutoff)), &rows);
    *failures = 0;
    *window_start = 0;
    if (rc == DB_OK && rows.n == 1) {
        *failures = (int)db_int(&rows, 0, 0);
        *window_start = db_int(&rows, 0, 1);
    }
    return rc;
}

db_rc login_failure_add(db_conn *c, arena *a, const char *scope, int64_t now,
                        int64_t window_cutoff)
{
    return db_exec(c, a,
                   "INSERT INTO login_failure (scope, failures, window_start) VALUES (?, 1, ?)"
                   " ON CONFLICT (scope) DO UPDATE SET"
                   " failures = CASE WHEN login_failure.window_start < ? THEN 1"
                   " ELSE login_failure.failures + 1 END,"
                   " window_start = CASE WHEN login_failure.window_start < ? THEN ?"
                   " ELSE login_failure.window_start END",
                   DB_PARAMS(DB_TEXT(scope), DB_INT(now), DB_INT(window_cutoff),
                             DB_INT(window_cutoff), DB_INT(now)),
                   NULL);
}

db_rc login_failure_clear(db_conn *c, arena *a, const char *scope)
{
    return db_exec(c, a, "DELETE FROM login_failure WHERE scope = ?", DB_PARAMS(DB_TEXT(scope)),
                   NULL);
}

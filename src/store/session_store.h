/* session_store: login sessions (app_session) and failed-login counters
 * (login_failure). Tokens are never stored, only their keyed hash. */
#ifndef PARCOURS_STORE_SESSION_STORE_H
#define PARCOURS_STORE_SESSION_STORE_H

#include "store/account_store.h"
#include "store/db.h"

typedef struct session_row {
    const char *token_hash;
    int64_t user_id;
    const char *csrf_token;
    int64_t created_at;
    int64_t last_seen_at;
    int64_t expires_at; /* absolute end */
    const char *client_addr;
    account user; /* filled by session_store_find */
} session_row;

db_rc session_store_insert(db_conn *c, arena *a, const session_row *s);
/* The session and its account. DB_NOTFOUND when unknown. */
db_rc session_store_find(db_conn *c, arena *a, const char *token_hash, session_row *out);
db_rc session_store_touch(db_conn *c, arena *a, const char *token_hash, int64_t now);
db_rc session_store_delete(db_conn *c, arena *a, const char *token_hash);
db_rc session_store_delete_for_user(db_conn *c, arena *a, int64_t user_id);
/* Removes sessions whose absolute end or idle limit has passed. */
db_rc session_store_purge(db_conn *c, arena *a, int64_t now, int64_t idle_ms);

/* Failed logins for a scope within the window that started at or after
 * `window_cutoff` (0 when none). */
db_rc login_failure_count(db_conn *c, arena *a, const char *scope, int64_t window_cutoff,
                          int *failures, int64_t *window_start);
/* Counts one more failure; a window older than the cutoff starts again at now. */
db_rc login_failure_add(db_conn *c, arena *a, const char *scope, int64_t now,
                        int64_t window_cutoff);
db_rc login_failure_clear(db_conn *c, arena *a, const char *scope);

#endif

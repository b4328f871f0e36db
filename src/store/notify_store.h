/* notify_store: the notification feed, per-user preferences, and the sources
 * that tell live streams something new was committed (a poll of the feed's
 * highest id; on PostgreSQL a LISTEN connection of its own). */
#ifndef PARCOURS_STORE_NOTIFY_STORE_H
#define PARCOURS_STORE_NOTIFY_STORE_H

#include "store/db.h"

typedef struct notification_row {
    int64_t id;
    int64_t user_id;
    const char *kind;
    int64_t patient_id;
    const char *object_id;
    const char *title;
    const char *body;
    bool urgent;
    bool live; /* pushed on the live stream (false: created in quiet hours) */
    int64_t created_at;
    int64_t read_at; /* 0 = unread */
} notification_row;

/* Orders notification ids by commit: takes the audit chain head's row lock
 * (the lock every audited write transaction takes anyway, so no new lock and
 * no new lock order), held until the caller's transaction ends. Live streams
 * read "id > last sent", which is only sound when a smaller id can no longer
 * commit after a larger one. A no-op cost on SQLite (one writer at a time). */
db_rc notify_store_serialize(db_conn *c, arena *a);

/* One notification with n's content for each of users[0..count), live[i] as
 * given (n's user_id and live are not used), in that order: one statement. */
db_rc notify_store_insert_many(db_conn *c, arena *a, const notification_row *n,
                               const int64_t *users, const bool *live, int count);
/* notify_store_prefs for users[0..n) at once (one statement). */
db_rc notify_store_prefs_many(db_conn *c, arena *a, const int64_t *users, int n,
                              const char **disabled, int *quiet_start, int *quiet_end);
/* The user's disabled kinds (comma-separated, "" when none) and quiet hours
 * (minutes after midnight, -1 when unset). */
db_rc notify_store_prefs(db_conn *c, arena *a, int64_t user_id, const char **disabled,
                         int *quiet_start, int *quiet_end);
db_rc notify_store_set_prefs(db_conn *c, arena *a, int64_t user_id, const char *disabled,
                             int quiet_start, int quiet_end);
/* Newest first, id < before (0 = from the newest), at most limit. */
db_rc notify_store_list(db_conn *c, arena *a, int64_t user_id, int64_t before, bool unread_only,
                        int limit, notification_row **out, int *n);
/* Oldest first, id > after, live ones only: what a live stream has not sent. */
db_rc notify_store_since(db_conn *c, arena *a, int64_t user_id, int64_t after, int limit,
                         notification_row **out, int *n);
db_rc notify_store_unread_count(db_conn *c, arena *a, int64_t user_id, int64_t *count);
/* DB_NOTFOUND when the notification is not the user's. */
db_rc notify_store_mark_read(db_conn *c, arena *a, int64_t user_id, int64_t id, int64_t now);
db_rc notify_store_mark_all_read(db_conn *c, arena *a, int64_t user_id, int64_t now,
                                 int64_t *changed);
/* The highest notification id, all users (for pollers). */
db_rc notify_store_max_id(db_conn *c, arena *a, int64_t *max_id);
/* The user's highest notification id (0 when none): where a new stream starts. */
db_rc notify_store_user_max_id(db_conn *c, arena *a, int64_t user_id, int64_t *max_id);
/* Distinct recipients of live notifications with after < id <= upto, at most
 * limit (the caller asks for one more than it can hold to detect overflow). */
db_rc notify_store_recipients(db_conn *c, arena *a, int64_t after, int64_t upto, int limit,
                              int64_t **users, int *n);

/* ---- LISTEN (PostgreSQL only) ----------------------------------------------
 * A connection of its own, outside the pool, that LISTENs on the channel the
 * notification_wake trigger (migration 0005) NOTIFYs with the recipient's id. */
typedef struct notify_listener notify_listener;

/* Connects to url and LISTENs. NULL with a message in err on failure. */
notify_listener *notify_store_listen(const char *url, char *err, size_t errsz);
/* The socket to poll for readability. */
int notify_store_listener_fd(const notify_listener *l);
/* Reads what arrived: up to max distinct user ids into users (*n), *overflow
 * when more (or an unreadable payload) arrived. DB_ERROR when the connection
 * is broken: close it and listen again. Never blocks. */
db_rc notify_store_listener_drain(notify_listener *l, int64_t *users, int max, int *n,
                                  bool *overflow);
void notify_store_listener_close(notify_listener *l);

#endif

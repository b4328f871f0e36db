/* notify: in-app notifications — the feed, preferences (kinds, quiet hours)
 * and the wake-up of live streams (Server-Sent Events), within one process and
 * across `serve` processes sharing a PostgreSQL database (LISTEN/NOTIFY).
 *
 * Producers (circle, journal, conversations, break-the-glass) call notify_users
 * inside their own write transaction, so a notification exists exactly when
 * the event it tells of was committed.
 *
 * Quiet hours: a notification created while the recipient is in their quiet
 * hours (server local time) is stored in the feed (unread) but never pushed on
 * the live stream, not even when the quiet hours end — unless it is urgent
 * (urgent notes, break-the-glass), which is always pushed. */
#ifndef PARCOURS_CORE_NOTIFY_H
#define PARCOURS_CORE_NOTIFY_H

#include "core/ctx.h"
#include "store/notify_store.h"

/* Kinds (stable codes, also used in preferences). */
#define NOTIFY_CIRCLE_ADDED "circle.added"
#define NOTIFY_CIRCLE_REMOVED "circle.removed"
#define NOTIFY_NOTE_NEW "note.new"
#define NOTIFY_NOTE_REPLY "note.reply"
#define NOTIFY_MENTION "mention"
#define NOTIFY_MESSAGE "message"
#define NOTIFY_BREAK_GLASS "break_glass"

/* Every kind above, NULL-terminated (what preferences accept). */
extern const char *const notify_kinds[];
bool notify_kind_known(const char *kind);

typedef struct notification_input {
    const char *kind;
    int64_t patient_id; /* 0 = none */
    const char *object_id;
    const char *title; /* French, shown as is */
    const char *body;
    bool urgent;
} notification_input;

/* Adds one notification per user in users[0..n), skipping the acting user,
 * repeats and users who disabled this kind (urgent ones are never skipped).
 * Runs inside the caller's transaction when one is open (else in one of its
 * own), after taking the lock that orders notification ids by commit (see
 * notify_store_serialize). Live streams are woken once the transaction has
 * committed: the users to wake are kept for this thread until the transport
 * collects them with notify_take_wakeups at the end of its unit of work; other
 * processes learn of them by LISTEN/NOTIFY (PostgreSQL) or a poll (≤ 1 s). */
core_rc notify_users(ctx *c, const int64_t *users, int n, const notification_input *in);

/* Hands over (and forgets) the users this thread's notify_users calls
 * notified live since the last call: at most max ids in users, *all when
 * there were more. Call after the unit of work's transaction has ended; a
 * rolled-back one only causes a needless wake-up. Returns the count. */
int notify_take_wakeups(int64_t *users, int max, bool *all);

/* ---- the feed (c->who's own) ------------------------------------------- */

typedef struct notify_page {
    notification_row *items;
    int n;
    int64_t unread_count;
    int64_t next_before; /* 0 at the end */
} notify_page;

/* Newest first, id < before (0 = newest), limit 1..200. */
core_rc notify_feed(ctx *c, int64_t before, bool unread_only, int limit, notify_page *out,
                    core_error *err);
/* CORE_NOTFOUND unless the notification is the caller's. Idempotent. */
core_rc notify_mark_read(ctx *c, int64_t id, core_error *err);
core_rc notify_mark_all_read(ctx *c, int64_t *changed, core_error *err);

/* ---- preferences -------------------------------------------------------- */

#define NOTIFY_MAX_KINDS 16

typedef struct notify_prefs {
    const char *disabled[NOTIFY_MAX_KINDS];
    int ndisabled;
    int quiet_start; /* minutes after midnight, server local time; -1 = none */
    int quiet_end;
} notify_prefs;

core_rc notify_get_prefs(ctx *c, notify_prefs *out, core_error *err);
/* Replaces the caller's preferences. Each kind must be known (field
 * "disabled_kinds"); quiet hours are "HH:MM" strings, both or neither, not
 * equal (fields "quiet_hours.start" / "quiet_hours.end"). */
core_rc notify_set_prefs(ctx *c, const char *const *disabled, int ndisabled,
                         const char *quiet_start, const char *quiet_end, notify_prefs *out,
                         core_error *err);
/* "HH:MM" (00:00..23:59) to minutes after midnight; false otherwise. */
bool notify_parse_hhmm(const char *s, int *minutes);
/* Whether minute (0..1439) falls in [start, end), wrapping past midnight
 * when start > end ("22:00"–"07:00"). False when unset (-1). */
bool notify_quiet_at(int start, int end, int minute);

/* ---- live streams -------------------------------------------------------- */

/* Where a new stream of c->who starts when the client gives no Last-Event-ID:
 * after the newest notification it already has. */
core_rc notify_stream_origin(ctx *c, int64_t *cursor, core_error *err);
/* Live notifications of user_id with id > after, oldest first, at most limit.
 * The stream was authenticated when opened: user_id is trusted here. */
core_rc notify_stream_fetch(ctx *c, int64_t user_id, int64_t after, int limit,
                            notification_row **out, int *n);
/* Whether the session (by its token hash) is still valid, without refreshing
 * its idle clock (an open stream alone does not keep a session alive).
 * CORE_OK valid, CORE_UNAUTHENTICATED ended, CORE_ERROR cannot tell. */
core_rc notify_session_alive(ctx *c, const char *token_hash);

/* Where wake-ups from other processes come from: PostgreSQL LISTEN on a
 * connection of its own (reconnected every 5 s when lost; a poll stands in
 * meanwhile), or with SQLite a poll of the feed's highest id at each tick. */
typedef struct notify_watch notify_watch;

notify_watch *notify_watch_open(const app *a);
/* The descriptor to wait on for readability (-1 when none right now). */
int notify_watch_fd(const notify_watch *w);
/* Collects the users with new live notifications that this process may not
 * have heard of: drains LISTEN messages; on `tick` (about once a second)
 * polls when there is no LISTEN connection and retries to connect one. Up to
 * max ids in users, *all when streams of every user should look (overflow,
 * reconnection). Returns the count. */
int notify_watch_collect(notify_watch *w, bool tick, int64_t *users, int max, bool *all);
void notify_watch_close(notify_watch *w);

#endif

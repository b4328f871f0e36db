#include "core/notify.h"
#include "store/session_store.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *const notify_kinds[] = {
    NOTIFY_CIRCLE_ADDED, NOTIFY_CIRCLE_REMOVED, NOTIFY_NOTE_NEW,    NOTIFY_NOTE_REPLY,
    NOTIFY_MENTION,      NOTIFY_MESSAGE,        NOTIFY_BREAK_GLASS, NULL};

bool notify_kind_known(const char *kind)
{
    for (const char *const *k = notify_kinds; kind && *k; k++)
        if (strcmp(*k, kind) == 0)
            return true;
    return false;
}

static core_rc store_error(core_error *err)
{
    return core_fail(err, CORE_ERROR, "store.error", NULL, "Erreur interne.");
}

/* Whether kind appears in the comma-separated list. */
static bool listed(const char *list, const char *kind)
{
    size_t n = strlen(kind);
    for (const char *p = list; p && *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len == n && strncmp(p, kind, n) == 0)
            return true;
        p = comma ? comma + 1 : NULL;
    }
    return false;
}

bool notify_quiet_at(int start, int end, int minute)
{
    if (start < 0 || end < 0 || start == end)
        return false;
    if (start < end)
        return minute >= start && minute < end;
    return minute >= start || minute < end;
}

/* Minutes after midnight, server local time (TZ), of a time in ms. */
static int local_minute(int64_t ms)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    if (!localtime_r(&t, &tm))
        return 0;
    return tm.tm_hour * 60 + tm.tm_min;
}

/* ---- in-process wake-ups --------------------------------------------------
 * The users notified live by this thread's unit of work (an HTTP request),
 * collected by the transport once its transaction has ended. Per thread, so
 * that nothing is shared and nothing is woken before the commit. */
#define WAKE_MAX 64
static _Thread_local struct {
    int n;
    bool all;
    int64_t users[WAKE_MAX];
} pending_wake;

static void wake_later(int64_t user)
{
    for (int i = 0; i < pending_wake.n; i++)
        if (pending_wake.users[i] == user)
            return;
    if (pending_wake.n < WAKE_MAX)
        pending_wake.users[pending_wake.n++] = user;
    else
        pending_wake.all = true;
}

int notify_take_wakeups(int64_t *users, int max, bool *all)
{
    int n = pending_wake.n < max ? pending_wake.n : max;
    memcpy(users, pending_wake.users, sizeof(int64_t) * (size_t)n);
    *all = pending_wake.all || pending_wake.n > max;
    pending_wake.n = 0;
    pending_wake.all = false;
    return n;
}

core_rc notify_users(ctx *c, const int64_t *users, int n, const notification_input *in)
{
    db_conn *conn = ctx_db(c);
    int64_t actor = c->who ? c->who->user_id : 0;
    bool own_tx = !db_in_tx(conn);
    if (own_tx && db_begin_write(conn) != DB_OK)
        return CORE_ERROR;
    /* each recipient once, not the actor; their preferences, the rows and
     * the lock in a fixed number of statements whatever the circle's size
     * (round trips on PostgreSQL) */
    int64_t *to = arena_alloc(c->arena, sizeof(int64_t) * (size_t)(n + 1));
    int m = 0;
    for (int i = 0; i < n; i++) {
        bool repeat = users[i] == actor || users[i] <= 0;
        for (int k = 0; k < m && !repeat; k++)
            repeat = to[k] == users[i];
        if (!repeat)
            to[m++] = users[i];
    }
    const char **disabled = arena_alloc(c->arena, sizeof(char *) * (size_t)(m + 1));
    int *qs = arena_alloc(c->arena, sizeof(int) * (size_t)(m + 1));
    int *qe = arena_alloc(c->arena, sizeof(int) * (size_t)(m + 1));
    bool *live = arena_alloc(c->arena, sizeof(bool) * (size_t)(m + 1));
    db_rc rc = notify_store_prefs_many(conn, c->arena, to, m, disabled, qs, qe);
    int minute = local_minute(c->now_ms), kept = 0;
    for (int i = 0; rc == DB_OK && i < m; i++) {
        /* urgent notes are always delivered: a preference cannot hide them */
        if (!in->urgent && listed(disabled[i], in->kind))
            continue;
        to[kept] = to[i];
        live[kept++] = in->urgent || !notify_quiet_at(qs[i], qe[i], minute);
    }
    if (rc == DB_OK && kept > 0)
        rc = notify_store_serialize(conn, c->arena);
    if (rc == DB_OK && kept > 0) {
        notification_row row = {.kind = in->kind,
                                .patient_id = in->patient_id,
                                .object_id = in->object_id,
                                .title = in->title,
                                .body = in->body,
                                .urgent = in->urgent,
                                .created_at = c->now_ms};
        rc = notify_store_insert_many(conn, c->arena, &row, to, live, kept);
    }
    for (int i = 0; rc == DB_OK && i < kept; i++)
        if (live[i])
            wake_later(to[i]);
    if (own_tx) {
        if (rc == DB_OK)
            rc = db_commit(conn);
        else
            db_rollback(conn);
    }
    return rc == DB_OK ? CORE_OK : CORE_ERROR;
}

/* ---- the feed ------------------------------------------------------------ */

static core_rc need_user(ctx *c, core_error *err)
{
    if (!c->who)
        return core_fail(err, CORE_UNAUTHENTICATED, "session.required", NULL,
                         "Veuillez vous connecter.");
    return CORE_OK;
}

core_rc notify_feed(ctx *c, int64_t before, bool unread_only, int limit, notify_page *out,
                    core_error *err)
{
    memset(out, 0, sizeof *out);
    if (need_user(c, err) != CORE_OK)
        return CORE_UNAUTHENTICATED;
    if (limit < 1 || limit > 200)
        limit = 50;
    db_conn *conn = ctx_db(c);
    if (notify_store_list(conn, c->arena, c->who->user_id, before, unread_only, limit, &out->items,
                          &out->n) != DB_OK ||
        notify_store_unread_count(conn, c->arena, c->who->user_id, &out->unread_count) != DB_OK)
        return store_error(err);
    out->next_before = out->n == limit ? out->items[out->n - 1].id : 0;
    return CORE_OK;
}

core_rc notify_mark_read(ctx *c, int64_t id, core_error *err)
{
    if (need_user(c, err) != CORE_OK)
        return CORE_UNAUTHENTICATED;
    db_rc rc = notify_store_mark_read(ctx_db(c), c->arena, c->who->user_id, id, c->now_ms);
    if (rc == DB_NOTFOUND)
        return core_fail(err, CORE_NOTFOUND, "notification.not_found", NULL,
                         "Notification introuvable.");
    return rc == DB_OK ? CORE_OK : store_error(err);
}

core_rc notify_mark_all_read(ctx *c, int64_t *changed, core_error *err)
{
    if (need_user(c, err) != CORE_OK)
        return CORE_UNAUTHENTICATED;
    return notify_store_mark_all_read(ctx_db(c), c->arena, c->who->user_id, c->now_ms, changed) ==
                   DB_OK
               ? CORE_OK
               : store_error(err);
}

/* ---- preferences --------------------------------------------------------- */

bool notify_parse_hhmm(const char *s, int *minutes)
{
    if (!s || strlen(s) != 5 || s[2] != ':')
        return false;
    for (int i = 0; i < 5; i++)
        if (i != 2 && (s[i] < '0' || s[i] > '9'))
            return false;
    int h = (s[0] - '0') * 10 + (s[1] - '0');
    int m = (s[3] - '0') * 10 + (s[4] - '0');
    if (h > 23 || m > 59)
        return false;
    *minutes = h * 60 + m;
    return true;
}

/* Splits the stored comma-separated list into out->disabled. */
static void split_kinds(ctx *c, const char *list, notify_prefs *out)
{
    out->ndisabled = 0;
    for (const char *p = list; p && *p && out->ndisabled < NOTIFY_MAX_KINDS;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len)
            out->disabled[out->ndisabled++] = arena_strndup(c->arena, p, len);
        p = comma ? comma + 1 : NULL;
    }
}

core_rc notify_get_prefs(ctx *c, notify_prefs *out, core_error *err)
{
    memset(out, 0, sizeof *out);
    if (need_user(c, err) != CORE_OK)
        return CORE_UNAUTHENTICATED;
    const char *disabled;
    if (notify_store_prefs(ctx_db(c), c->arena, c->who->user_id, &disabled, &out->quiet_start,
                           &out->quiet_end) != DB_OK)
        return store_error(err);
    split_kinds(c, disabled, out);
    return CORE_OK;
}

core_rc notify_set_prefs(ctx *c, const char *const *disabled, int ndisabled,
                         const char *quiet_start, const char *quiet_end, notify_prefs *out,
                         core_error *err)
{
    if (need_user(c, err) != CORE_OK)
        return CORE_UNAUTHENTICATED;
    if (ndisabled < 0 || ndisabled > NOTIFY_MAX_KINDS)
        return core_fail(err, CORE_INVALID, "preferences.kind", "disabled_kinds",
                         "Trop de types de notification.");
    buf list;
    buf_init(&list, 1024);
    for (int i = 0; i < ndisabled; i++) {
        if (!notify_kind_known(disabled[i])) {
            buf_free(&list);
            return core_fail(err, CORE_INVALID, "preferences.kind", "disabled_kinds",
                             arena_printf(c->arena,
                                          "Type de notification inconnu : « %.64s ». Types "
                                          "possibles : circle.added, circle.removed, note.new, "
                                          "note.reply, mention, message, break_glass.",
                                          disabled[i] ? disabled[i] : ""));
        }
        bool repeat = false;
        for (int k = 0; k < i && !repeat; k++)
            repeat = strcmp(disabled[k], disabled[i]) == 0;
        if (repeat)
            continue;
        if (list.len)
            buf_putc(&list, ',');
        buf_puts(&list, disabled[i]);
    }
    const char *stored = arena_strdup(c->arena, list.data ? list.data : "");
    buf_free(&list);
    int qs = -1, qe = -1;
    if ((quiet_start != NULL) != (quiet_end != NULL))
        return core_fail(err, CORE_INVALID, "preferences.quiet_hours",
                         quiet_start ? "quiet_hours.end" : "quiet_hours.start",
                         "Les heures calmes ont un début et une fin (« HH:MM »).");
    if (quiet_start && !notify_parse_hhmm(quiet_start, &qs))
        return core_fail(err, CORE_INVALID, "preferences.quiet_hours", "quiet_hours.start",
                         "Heure de début invalide : attendu « HH:MM » de 00:00 à 23:59.");
    if (quiet_end && !notify_parse_hhmm(quiet_end, &qe))
        return core_fail(err, CORE_INVALID, "preferences.quiet_hours", "quiet_hours.end",
                         "Heure de fin invalide : attendu « HH:MM » de 00:00 à 23:59.");
    if (quiet_start && qs == qe)
        return core_fail(err, CORE_INVALID, "preferences.quiet_hours", "quiet_hours.end",
                         "Le début et la fin des heures calmes doivent différer.");
    if (notify_store_set_prefs(ctx_db(c), c->arena, c->who->user_id, stored, qs, qe) != DB_OK)
        return store_error(err);
    memset(out, 0, sizeof *out);
    split_kinds(c, stored, out);
    out->quiet_start = qs;
    out->quiet_end = qe;
    return CORE_OK;
}

/* ---- live streams --------------------------------------------------------- */

core_rc notify_stream_origin(ctx *c, int64_t *cursor, core_error *err)
{
    *cursor = 0;
    if (need_user(c, err) != CORE_OK)
        return CORE_UNAUTHENTICATED;
    return notify_store_user_max_id(ctx_db(c), c->arena, c->who->user_id, cursor) == DB_OK
               ? CORE_OK
               : store_error(err);
}

core_rc notify_stream_fetch(ctx *c, int64_t user_id, int64_t after, int limit,
                            notification_row **out, int *n)
{
    return notify_store_since(ctx_db(c), c->arena, user_id, after, limit, out, n) == DB_OK
               ? CORE_OK
               : CORE_ERROR;
}

core_rc notify_session_alive(ctx *c, const char *token_hash)
{
    session_row s;
    db_rc rc = session_store_find(ctx_db(c), c->arena, token_hash, &s);
    if (rc == DB_NOTFOUND)
        return CORE_UNAUTHENTICATED;
    if (rc != DB_OK)
        return CORE_ERROR;
    if (s.user.disabled || s.expires_at <= c->now_ms ||
        s.last_seen_at + c->app->cfg.session_idle_ms <= c->now_ms)
        return CORE_UNAUTHENTICATED;
    return CORE_OK;
}

#define LISTEN_RETRY_MS 5000

struct notify_watch {
    const app *app;
    bool postgres;
    notify_listener *listener;
    int64_t next_attempt_ms; /* when to try LISTEN again */
    int64_t seen_max;        /* the poller's cursor */
    bool polled_once;
};

/* One short unit of work on a pooled connection, outside any request. */
typedef struct watch_call {
    arena ar;
    ctx c;
} watch_call;

static void call_begin(watch_call *w, const app *a)
{
    arena_init(&w->ar, 4096);
    w->c = (ctx){.app = a, .arena = &w->ar, .now_ms = time_now_ms(), .client_addr = "stream"};
}

static void call_end(watch_call *w)
{
    ctx_done(&w->c);
    arena_free(&w->ar);
}

/* Starts the poll cursor at the current highest id (nothing before matters:
 * streams read their own backlog when they open). */
static void poll_reset(notify_watch *w)
{
    watch_call call;
    call_begin(&call, w->app);
    int64_t max = 0;
    if (notify_store_max_id(ctx_db(&call.c), call.c.arena, &max) == DB_OK) {
        w->seen_max = max;
        w->polled_once = true;
    }
    call_end(&call);
}

static bool try_listen(notify_watch *w)
{
    char err[512];
    w->listener = notify_store_listen(w->app->cfg.db_url, err, sizeof err);
    if (!w->listener) {
        log_warn("notify listen failed", "error=\"%s\" retry_ms=%d", err, LISTEN_RETRY_MS);
        w->next_attempt_ms = time_now_ms() + LISTEN_RETRY_MS;
        return false;
    }
    return true;
}

notify_watch *notify_watch_open(const app *a)
{
    notify_watch *w = xcalloc(1, sizeof *w);
    w->app = a;
    w->postgres = db_kind(a->db) == DB_POSTGRES;
    poll_reset(w);
    if (w->postgres)
        try_listen(w);
    return w;
}

int notify_watch_fd(const notify_watch *w)
{
    return w->listener ? notify_store_listener_fd(w->listener) : -1;
}

/* Adds the recipients of what was committed since the poll cursor. */
static int poll_new(notify_watch *w, int64_t *users, int max, int n, bool *all)
{
    if (!w->polled_once) {
        poll_reset(w);
        return n;
    }
    watch_call call;
    call_begin(&call, w->app);
    db_conn *conn = ctx_db(&call.c);
    int64_t max_id = 0, *found = NULL;
    int nfound = 0;
    if (notify_store_max_id(conn, call.c.arena, &max_id) == DB_OK && max_id > w->seen_max &&
        notify_store_recipients(conn, call.c.arena, w->seen_max, max_id, max + 1, &found,
                                &nfound) == DB_OK) {
        w->seen_max = max_id;
        for (int i = 0; i < nfound; i++) {
            if (n < max)
                users[n++] = found[i];
            else
                *all = true;
        }
    }
    call_end(&call);
    return n;
}

int notify_watch_collect(notify_watch *w, bool tick, int64_t *users, int max, bool *all)
{
    int n = 0;
    *all = false;
    if (w->listener) {
        bool overflow = false;
        if (notify_store_listener_drain(w->listener, users, max, &n, &overflow) != DB_OK) {
            log_warn("notify listen lost", "retry_ms=%d", LISTEN_RETRY_MS);
            notify_store_listener_close(w->listener);
            w->listener = NULL;
            w->next_attempt_ms = time_now_ms() + LISTEN_RETRY_MS;
            poll_reset(w);
            *all = true; /* something may have been missed */
        }
        *all = *all || overflow;
        return n;
    }
    if (!tick)
        return 0;
    if (w->postgres && time_now_ms() >= w->next_attempt_ms && try_listen(w)) {
        log_info("notify listen", "%s", "connected");
        *all = true; /* catch up with what the poll may have missed */
        return 0;
    }
    return poll_new(w, users, max, n, all);
}

void notify_watch_close(notify_watch *w)
{
    if (!w)
        return;
    notify_store_listener_close(w->listener);
    free(w);
}

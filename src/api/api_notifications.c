/* Notifications: the feed (/api/notifications), marking read, preferences
 * (/api/me/notification-preferences) and the live stream
 * (/api/notifications/stream, Server-Sent Events). */
#include "api/api.h"
#include "api/input.h"
#include "api/render.h"
#include "core/notify.h"
#include "http/stream.h"
#include "util/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STREAM_BATCH 50

static void render_notification(jw *w, const notification_row *n)
{
    jw_obj_begin(w);
    render_id(w, "id", n->id);
    jw_kstr(w, "kind", n->kind);
    render_id(w, "patient_id", n->patient_id);
    jw_kstr(w, "object_id", n->object_id);
    jw_kstr(w, "title", n->title);
    jw_kstr(w, "body", n->body);
    jw_kbool(w, "urgent", n->urgent);
    jw_kbool(w, "live", n->live);
    render_time(w, "created_at", n->created_at);
    if (n->read_at) {
        render_time(w, "read_at", n->read_at);
    } else {
        jw_key(w, "read_at");
        jw_null(w);
    }
    jw_obj_end(w);
}

void api_notifications_list(req *r)
{
    int64_t before, limit, unread;
    if (!input_query_int(r, "before", 0, 0, INT64_MAX / 2, &before) ||
        !input_query_int(r, "limit", 50, 1, 200, &limit) ||
        !input_query_int(r, "unread", 0, 0, 1, &unread))
        return;
    notify_page page;
    core_error err = {0};
    core_rc rc = notify_feed(&r->ctx, before, unread != 0, (int)limit, &page, &err);
    if (rc != CORE_OK) {
        reply_core_error(r, rc, &err);
        return;
    }
    jw *w = reply_json(r, 200);
    jw_obj_begin(w);
    jw_key(w, "items");
    jw_arr_begin(w);
    for (int i = 0; i < page.n; i++)
        render_notification(w, &page.items[i]);
    jw_arr_end(w);
    jw_kint(w, "unread_count", page.unread_count);
    render_id(w, "next_before", page.next_before);
    jw_obj_end(w);
}

void api_notifications_read(req *r)
{
    int64_t id;
    if (!input_path_id(r, "id", &id))
        return;
    core_error err = {0};
    core_rc rc = notify_mark_read(&r->ctx, id, &err);
    if (rc != CORE_OK) {
        reply_core_error(r, rc, &err);
        return;
    }
    reply_empty(r, 204);
}

void api_notifications_read_all(req *r)
{
    int64_t changed = 0;
    core_error err = {0};
    core_rc rc = notify_mark_all_read(&r->ctx, &changed, &err);
    if (rc != CORE_OK) {
        reply_core_error(r, rc, &err);
        return;
    }
    jw *w = reply_json(r, 200);
    jw_obj_begin(w);
    jw_kint(w, "marked", changed);
    jw_kint(w, "unread_count", 0);
    jw_obj_end(w);
}

static void reply_prefs(req *r, const notify_prefs *p)
{
    jw *w = reply_json(r, 200);
    jw_obj_begin(w);
    jw_key(w, "disabled_kinds");
    jw_arr_begin(w);
    for (int i = 0; i < p->ndisabled; i++)
        jw_str(w, p->disabled[i]);
    jw_arr_end(w);
    jw_key(w, "quiet_hours");
    if (p->quiet_start >= 0 && p->quiet_end >= 0) {
        char start[24], end[24];
        snprintf(start, sizeof start, "%02d:%02d", p->quiet_start / 60, p->quiet_start % 60);
        snprintf(end, sizeof end, "%02d:%02d", p->quiet_end / 60, p->quiet_end % 60);
        jw_obj_begin(w);
        jw_kstr(w, "start", start);
        jw_kstr(w, "end", end);
        jw_obj_end(w);
    } else {
        jw_null(w);
    }
    jw_key(w, "available_kinds");
    jw_arr_begin(w);
    for (const char *const *k = notify_kinds; *k; k++)
        jw_str(w, *k);
    jw_arr_end(w);
    jw_obj_end(w);
}

void api_notification_prefs_get(req *r)
{
    notify_prefs p;
    core_error err = {0};
    core_rc rc = notify_get_prefs(&r->ctx, &p, &err);
    if (rc != CORE_OK) {
        reply_core_error(r, rc, &err);
        return;
    }
    reply_prefs(r, &p);
}

void api_notification_prefs_put(req *r)
{
    static const char *const fields[] = {"disabled_kinds", "quiet_hours", NULL};
    static const char *const quiet_fields[] = {"start", "end", NULL};
    cJSON *body = input_json_object(r, fields);
    const cJSON *kinds, *quiet;
    const char *start = NULL, *end = NULL;
    if (!body || !api_refuse_nul(r, NULL) ||
        !input_array(r, body, "disabled_kinds", NOTIFY_MAX_KINDS, &kinds) ||
        !input_object(r, body, "quiet_hours", quiet_fields, false, &quiet))
        return;
    if (!kinds) {
        reply_problem(r, 422, "field.required", "Données invalides",
                      "Le champ « disabled_kinds » est obligatoire (une liste, vide au besoin).",
                      "disabled_kinds");
        return;
    }
    if (quiet && (!input_string(r, quiet, "start", true, 16, &start) ||
                  !input_string(r, quiet, "end", true, 16, &end)))
        return;
    const char *disabled[NOTIFY_MAX_KINDS];
    int n = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, kinds)
    {
        if (!cJSON_IsString(item)) {
            reply_problem(r, 422, "field.type", "Données invalides",
                          "« disabled_kinds » est une liste de types de notification (chaînes).",
                          "disabled_kinds");
            return;
        }
        disabled[n++] = item->valuestring;
    }
    notify_prefs p;
    core_error err = {0};
    core_rc rc = notify_set_prefs(&r->ctx, disabled, n, start, end, &p, &err);
    if (rc != CORE_OK) {
        reply_core_error(r, rc, &err);
        return;
    }
    reply_prefs(r, &p);
}

/* ---- the live stream ------------------------------------------------------ */

typedef struct feed_stream {
    int64_t user_id;
    int64_t cursor;   /* the last id sent */
    char *token_hash; /* the session's, to notice its end */
} feed_stream;

static void feed_release(void *cls)
{
    feed_stream *f = cls;
    free(f->token_hash);
    free(f);
}

/* Each live notification as "id: <id>\nevent: notification\ndata: <json>\n\n"
 * (the JSON is on one line: newlines in texts are escaped). */
static stream_fill_rc feed_fill(void *cls, ctx *c, buf *out, bool check_session)
{
    feed_stream *f = cls;
    if (check_session && f->token_hash &&
        notify_session_alive(c, f->token_hash) == CORE_UNAUTHENTICATED) {
        buf_puts(out, "event: session-expired\ndata: {}\n\n");
        return STREAM_END;
    }
    notification_row *rows;
    int n = 0;
    if (notify_stream_fetch(c, f->user_id, f->cursor, STREAM_BATCH, &rows, &n) != CORE_OK)
        return STREAM_IDLE; /* tried again at the next wake-up or keep-alive */
    for (int i = 0; i < n; i++) {
        buf_printf(out, "id: %lld\nevent: notification\ndata: ", (long long)rows[i].id);
        jw w;
        jw_init(&w, out);
        render_notification(&w, &rows[i]);
        buf_puts(out, "\n\n");
        f->cursor = rows[i].id;
    }
    return n == STREAM_BATCH ? STREAM_MORE : STREAM_IDLE;
}

/* A Last-Event-ID: a non-negative decimal id; false for anything else. */
static bool parse_event_id(const char *s, int64_t *out)
{
    size_t n = strlen(s);
    if (n == 0 || n > 18)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    *out = strtoll(s, NULL, 10);
    return true;
}

void api_notifications_stream(req *r)
{
    /* EventSource sends Last-Event-ID when it reconnects; a first connection
     * may give ?last_event_id= instead (a browser cannot set the header) */
    const char *header = req_header_value(r, "Last-Event-ID");
    const char *query = req_query(r, "last_event_id");
    const char *given = header ? header : query;
    int64_t cursor = 0;
    if (given && !parse_event_id(given, &cursor)) {
        reply_problem(r, 400, header ? "header.invalid" : "query.invalid", "Requête invalide",
                      "Last-Event-ID doit être l'identifiant (entier positif) du dernier "
                      "événement reçu.",
                      header ? "Last-Event-ID" : "last_event_id");
        return;
    }
    core_error err = {0};
    if (!given) {
        core_rc rc = notify_stream_origin(&r->ctx, &cursor, &err);
        if (rc != CORE_OK) {
            reply_core_error(r, rc, &err);
            return;
        }
    }
    feed_stream *f = xcalloc(1, sizeof *f);
    f->user_id = r->ctx.who->user_id;
    f->cursor = cursor;
    f->token_hash = r->ctx.who->token_hash ? xstrdup(r->ctx.who->token_hash) : NULL;
    stream_accept(r, &(stream_source){.user_id = f->user_id,
                                      .fill = feed_fill,
                                      .release = feed_release,
                                      .cls = f});
}

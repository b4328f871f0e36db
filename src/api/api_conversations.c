/* Conversations: the patient's (/api/patients/:id/conversation/...) and
 * direct ones between professionals (/api/conversations/...). */
#include "api/api.h"
#include "api/input.h"
#include "api/render.h"
#include "core/conversations.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void render_members(jw *w, const conversation_member_row *m, int n)
{
    jw_key(w, "members");
    jw_arr_begin(w);
    for (int i = 0; i < n; i++) {
        jw_obj_begin(w);
        render_id(w, "id", m[i].user_id);
        jw_kstr(w, "login", m[i].login);
        jw_kstr(w, "display_name", m[i].display_name);
        jw_obj_end(w);
    }
    jw_arr_end(w);
}

/* The conversation's own members (without closing the object). */
static void render_conversation_fields(jw *w, const conversation_row *c)
{
    render_id(w, "id", c->id);
    jw_kstr(w, "kind", c->kind);
    render_id(w, "patient_id", c->patient_id);
    jw_kstr(w, "title", c->title);
    render_id(w, "created_by", c->created_by);
    render_time(w, "created_at", c->created_at);
}

static void render_message(jw *w, const message_row *m)
{
    jw_obj_begin(w);
    render_id(w, "id", m->id);
    render_id(w, "conversation_id", m->conversation_id);
    jw_key(w, "author");
    jw_obj_begin(w);
    render_id(w, "id", m->author_id);
    jw_kstr(w, "display_name", m->author_name);
    jw_obj_end(w);
    jw_kstr(w, "text", m->text);
    render_time(w, "created_at", m->created_at);
    jw_obj_end(w);
}

static void reply_page(req *r, int status, const conversation_page *p, bool with_items)
{
    jw *w = reply_json(r, status);
    jw_obj_begin(w);
    jw_key(w, "conversation");
    jw_obj_begin(w);
    render_conversation_fields(w, &p->conv);
    if (strcmp(p->conv.kind, "direct") == 0)
        render_members(w, p->members, p->nmembers);
    render_id(w, "last_read_id", p->last_read_id);
    jw_kint(w, "unread", p->unread);
    jw_obj_end(w);
    if (with_items) {
        jw_key(w, "items");
        jw_arr_begin(w);
        for (int i = 0; i < p->n; i++)
            render_message(w, &p->items[i]);
        jw_arr_end(w);
        render_id(w, "next_before", p->next_before);
    }
    jw_obj_end(w);
}

/* ?before= and ?limit= of a message page. */
static bool read_page_query(req *r, int64_t *before, int64_t *limit)
{
    return input_query_int(r, "before", 0, 0, INT64_MAX, before) &&
           input_query_int(r, "limit", 50, 1, CONVERSATION_PAGE_MAX, limit);
}

bool api_refuse_nul(req *r, const char *field)
{
    const char *b = r->body.data;
    bool in_string = false;
    for (size_t i = 0; b && i < r->body.len; i++) {
        if (!in_string) {
            in_string = b[i] == '"';
        } else if (b[i] == '"') {
            in_string = false;
        } else if (b[i] == '\\' && i + 1 < r->body.len) {
            if (b[i + 1] == 'u' && i + 5 < r->body.len && memcmp(b + i + 2, "0000", 4) == 0) {
                reply_problem(r, 422, "field.control_char", "Données invalides",
                              "Le caractère nul (\\u0000) n'est pas admis.", field);
                return false;
            }
            i++; /* the escaped character */
        }
    }
    return true;
}

/* {"text"} of a new message. The byte limit is checked here (field.too_long)
 * so that a huge text is refused before anything else; core checks the rest. */
static bool read_text(req *r, const char **text)
{
    static const char *const fields[] = {"text", NULL};
    cJSON *body = input_json_object(r, fields);
    return body && api_refuse_nul(r, "text") &&
           input_string(r, body, "text", true, CONVERSATION_TEXT_MAX, text);
}

static void reply_message(req *r, const message_row *m)
{
    render_message(reply_json(r, 201), m);
}

void api_patient_conversation_get(req *r)
{
    int64_t id, before, limit;
    if (!input_path_id(r, "id", &id) || !read_page_query(r, &before, &limit))
        return;
    conversation_page p;
    core_error err = {0};
    core_rc rc = conversations_patient_page(&r->ctx, id, before, (int)limit, &p, &err);
    if (rc != CORE_OK) {
        reply_core_error(r, rc, &err);
        return;
    }
    reply_page(r, 200, &p, true);
}

void api_patient_conversation_post(req *r)
{
    int64_t id;
    const char *text;
    if (!input_path_id(r, "id", &id) || !read_text(r, &text))
        return;
    conversation_row conv;
    message_row m;
    core_error err = {0};
    core_rc rc = conversations_patient_post(&r->ctx, id, text, &conv, &m, &err);
    if (rc != CORE_OK) {
        reply_core_error(r, rc, &err);
        return;
    }
    reply_message(r, &m);
}

void api_conversations_list(req *r)
{
    int64_t limit;
    if (!input_query_int(r, "limit", 50, 1, CONVERSATION_PAGE_MAX, &limit))
        return;
    conversation_item *items;
    int n = 0;
    core_error err = {0};
    core_rc rc = conversations_mine(&r->ctx, (int)limit, &items, &n, &err);
    if (rc != CORE_OK) {
        reply_core_error(r, rc, &err);
        return;
    }
    jw *w = reply_json(r, 200);
    jw_obj_begin(w);
    jw_key(w, "items");
    jw_arr_begin(w);
    for (int i = 0; i < n; i++) {
        const conversation_summary *s = &items[i].s;
        jw_obj_begin(w);
        render_conversation_fields(w, &s->conv);
        if (strcmp(s->conv.kind, "direct") == 0)
            render_members(w, items[i].members, items[i].nmembers);
        render_id(w, "last_message_id", s->last_message_id);
        if (s->last_message_at) {
            render_time(w, "last_message_at", s->last_message_at);
        } else {
            jw_key(w, "last_message_at");
            jw_null(w);
        }
        render_id(w, "last_read_id", s->last_read_id);
        jw_kint(w, "unread", s->unread);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_obj_end(w);
}

/* One member id of the "members" list: a decimal string or an integer. */
static bool member_id(const cJSON *v, int64_t *out)
{
    if (cJSON_IsString(v)) {
        const char *s = v->valuestring;
        if (!*s || strlen(s) > 18 || strspn(s, "0123456789") != strlen(s))
            return false;
        *out = strtoll(s, NULL, 10);
        return *out > 0;
    }
    if (cJSON_IsNumber(v) && v->valuedouble >= 1 && v->valuedouble < 9007199254740992.0 &&
        v->valuedouble == (double)(int64_t)v->valuedouble) {
        *out = (int64_t)v->valuedouble;
        return true;
    }
    return false;
}

void api_conversations_create(req *r)
{
    static const char *const fields[] = {"members", "title", NULL};
    cJSON *body = input_json_object(r, fields);
    const cJSON *list;
    const char *title;
    if (!body || !api_refuse_nul(r, NULL) ||
        !input_array(r, body, "members", CONVERSATION_MAX_MEMBERS, &list) ||
        !input_string(r, body, "title", false, CONVERSATION_TITLE_MAX, &title))
        return;
    if (!list || cJSON_GetArraySize(list) == 0) {
        reply_problem(r, 422, "field.required", "Données invalides",
                      "Indiquez les participants : « members », une liste d'identifiants de "
                      "comptes.",
                      "members");
        return;
    }
    int64_t ids[CONVERSATION_MAX_MEMBERS];
    int n = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, list)
    {
        if (!member_id(item, &ids[n])) {
            reply_problem(r, 422, "field.type", "Données invalides",
                          "Chaque participant est un identifiant de compte.", "members");
            return;
        }
        n++;
    }
    conversation_page p;
    core_error err = {0};
    core_rc rc = conversations_create_direct(&r->ctx, ids, n, title, &p, &err);
    if (rc != CORE_OK) {
        reply_core_error(r, rc, &err);
        return;
    }
    reply_header(r, "Location",
                 arena_printf(&r->arena, "/api/conversations/%lld", (long long)p.conv.id));
    reply_page(r, 201, &p, false);
}

void api_conversations_get(req *r)
{
    int64_t id;
    if (!input_path_id(r, "id", &id))
        return;
    conversation_page p;
    core_error err = {0};
    core_rc rc = conversations_page(&r->ctx, id, 0, 0, &p, &err);
    if (rc != CORE_OK) {
        reply_core_error(r, rc, &err);
        return;
    }
    reply_page(r, 200, &p, false);
}

void api_conversations_messages(req *r)
{
    int64_t id, before, limit;
    if (!input_path_id(r, "id", &id) || !read_page_query(r, &before, &limit))
        return;
    conversation_page p;
    core_error err = {0};
    core_rc rc = conversations_page(&r->ctx, id, before, (int)limit, &p, &err);
    if (rc != CORE_OK) {
        reply_core_error(r, rc, &err);
        return;
    }
    reply_page(r, 200, &p, true);
}

void api_conversations_post(req *r)
{
    int64_t id;
    const char *text;
    if (!input_path_id(r, "id", &id) || !read_text(r, &text))
        return;
    conversation_row conv;
    message_row m;
    core_error err = {0};
    core_rc rc = conversations_post(&r->ctx, id, text, &conv, &m, &err);
    if (rc != CORE_OK) {
        reply_core_error(r, rc, &err);
        return;
    }
    reply_message(r, &m);
}

void api_conversations_read(req *r)
{
    static const char *const fields[] = {"last_read_id", NULL};
    int64_t id, last;
    if (!input_path_id(r, "id", &id))
        return;
    cJSON *body = input_json_object(r, fields);
    if (!body || !input_id(r, body, "last_read_id", true, &last))
        return;
    int64_t marker = 0, unread = 0;
    core_error err = {0};
    core_rc rc = conversations_mark_read(&r->ctx, id, last, &marker, &unread, &err);
    if (rc != CORE_OK) {
        reply_core_error(r, rc, &err);
        return;
    }
    jw *w = reply_json(r, 200);
    jw_obj_begin(w);
    render_id(w, "last_read_id", marker);
    jw_kint(w, "unread", unread);
    jw_obj_end(w);
}

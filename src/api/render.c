#include "api/render.h"

#include <stdio.h>

void render_id(jw *w, const char *key, int64_t id)
{
    jw_key(w, key);
    if (!id) {
        jw_null(w);
        return;
    }
    char num[24];
    snprintf(num, sizeof num, "%lld", (long long)id);
    jw_str(w, num);
}

void render_time(jw *w, const char *key, int64_t ms)
{
    char when[40];
    time_format_iso(ms, when, sizeof when);
    jw_kstr(w, key, when);
}

void render_account(jw *w, const account *a)
{
    jw_obj_begin(w);
    render_id(w, "id", a->id);
    jw_kstr(w, "login", a->login);
    jw_kstr(w, "display_name", a->display_name);
    jw_kstr(w, "role", a->role);
    render_id(w, "professional_id", a->professional_id);
    jw_kbool(w, "disabled", a->disabled);
    if (a->created_at)
        render_time(w, "created_at", a->created_at);
    if (a->updated_at)
        render_time(w, "updated_at", a->updated_at);
    jw_obj_end(w);
}

void render_audit(jw *w, const audit_row *e)
{
    jw_obj_begin(w);
    render_id(w, "seq", e->seq);
    render_time(w, "at", e->at);
    render_id(w, "user_id", e->user_id);
    jw_kstr(w, "user_login", e->user_login);
    jw_kstr(w, "action", e->action);
    jw_kstr(w, "object_type", e->object_type);
    jw_kstr(w, "object_id", e->object_id);
    jw_kstr(w, "patient_id", e->patient_id);
    jw_kstr(w, "outcome", e->outcome);
    jw_kstr(w, "client_addr", e->client_addr);
    jw_kstr(w, "request_id", e->request_id);
    jw_kstr(w, "detail", e->detail);
    jw_kstr(w, "hash", e->hash);
    jw_obj_end(w);
}

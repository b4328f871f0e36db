/* The care circle and access: /api/patients/:id/circle, break-the-glass,
 * oppositions, "my patients", territories (admin) and invitations. */
#include "api/api.h"
#include "api/input.h"
#include "api/render.h"
#include "core/circle.h"
#include "core/identity_review.h"
#include "core/territory.h"
#include "store/patient_store.h"

#include <string.h>

static void render_member(jw *w, const circle_member *m)
{
    jw_obj_begin(w);
    render_id(w, "id", m->id);
    jw_kstr(w, "kind", m->kind);
    jw_kstr(w, "role", m->role);
    jw_kstr(w, "display_name", m->display_name);
    render_id(w, "user_id", m->user_id);
    render_id(w, "professional_id", m->professional_id);
    render_id(w, "organisation_id", m->organisation_id);
    jw_kstr(w, "phone", m->phone);
    jw_kstr(w, "email", m->email);
    jw_kbool(w, "invited", m->invitation_id && !m->user_id);
    render_time(w, "start", m->start_at);
    if (m->end_at)
        render_time(w, "end", m->end_at);
    else
        jw_kstr(w, "end", NULL);
    jw_obj_end(w);
}

void api_circle_list(req *r)
{
    int64_t id, past;
    if (!input_path_id(r, "id", &id) || !input_query_int(r, "include_past", 0, 0, 1, &past))
        return;
    circle_member *m;
    int n = 0;
    int64_t pid;
    core_error err = {0};
    core_rc rc = circle_list(&r->ctx, id, past, &m, &n, &pid, &err);
    if (rc != CORE_OK) {
        reply_core_error(r, rc, &err);
        return;
    }
    jw *w = reply_json(r, 200);
    jw_obj_begin(w);
    render_id(w, "patient_id", pid);
    jw_key(w, "members");
    jw_arr_begin(w);
    for (int i = 0; i < n; i++)
        render_member(w, &m[i]);
    jw_arr_end(w);
    jw_obj_end(w);
}

void api_circle_add(req *r)
{
    static const char *const fields[] = {"kind", "role", "user_id", "professional_id",
                                         "organisation_id", "display_name", "phone", "email",
                                         "start", "invite", NULL};
    int64_t id;
    if (!input_path_id(r, "id", &id))
        return;
    cJSON *body = input_json_object(r, fields);
    member_input in = {0};
    const char *start = NULL;
    if (!body || !input_string(r, body, "kind", true, 32, &in.kind) ||
        !input_string(r, body, "role", true, 32, &in.role) ||
        !input_id(r, body, "user_id", false, &in.user_id) ||
        !input_id(r, body, "professional_id", false, &in.professional_id) ||
        !input_id(r, body, "organisation_id", false, &in.organisation_id) ||
        !input_string(r, body, "display_name", false, 400, &in.display_name) ||
        !input_string(r, body, "phone", false, 64, &in.phone) ||
        !input_string(r, body, "email", false, 400, &in.email) ||
        !input_string(r, body, "start", false, 40, &start) ||
        !input_bool(r, body, "invite", false, &in.invite))
        return;
    if (start && !time_parse_iso(start, &in.start_at)) {
        reply_problem(r, 422, "field.type", "Données invalides",
                      "« start » est une date ISO 8601.", "start");
        return;
    }
    circle_member m;
    const char *token = NULL;
    core_error err = {0};
    core_rc rc = circle_add_member(&r->ctx, id, &in, &m, &token, &err);
    if (rc != CORE_OK) {
        reply_core_error(r, rc, &err);
        return;
    }
    jw *w = reply_json(r, 201);
    jw_obj_begin(w);
    jw_key(w, "member");
    render_member(w, &m);
    if (token) {
        /* handed to the inviter once, to pass on (never stored in clear) */
        jw_kstr(w, "invitation_token", token);
        jw_kstr(w, "invitation_url", arena_printf(&r->arena, "/invitation/%s", token));
    }
    jw_obj_end(w);
}

void api_circle_end(req *r)
{
    static const char *const fields[] = {"end", NULL};
    int64_t id, member;
    if (!input_path_id(r, "id", &id) || !input_path_id(r, "member_id", &member))
        return;
    int64_t end_at = 0;
    const char *end = NULL;
    if (r->body.len) {
        cJSON *body = input_json_object(r, fields);
        if (!body || !input_string(r, body, "end", false, 40, &end))
            return;
        if (end && !time_parse_iso(end, &end_at)) {
            reply_problem(r, 422, "field.type", "Données invalides",
                          "« end » est une date ISO 8601.", "end");
            return;
        }
    }
    core_error err = {0};
    core_rc rc = circle_end_member(&r->ctx, id, member, end_at, &err);
    if (rc != CORE_OK) {
        reply_core_error(r, rc, &err);
        return;
    }
    reply_empty(r, 204);
}

void api_break_glass(req *r)
{
    static const char *const fields[] = {"reason", NULL};
    int64_t id;
    if (!input_path_id(r, "id", &id))
        return;
    cJSON *body = input_json_object(r, fields);
    const char *reason;
    if (!body || !input_string(r, body, "reason", true, 1000, &reason))
        return;
    int64_t until;
    core_error err = {0};
    core_rc rc = circle_break_glass(&r->ctx, id, reason, &until, &err);
    if (rc != CORE_OK) {
        reply_core_error(r, rc, &err);
        return;
    }
    jw *w = reply_json(r, 201);
    jw_obj_begin(w);
    render_time(w, "expires_at", until);
    jw_obj_end(w);
}

void api_oppositions_list(req *r)
{
    int64_t id;
    if (!input_path_id(r, "id", &id))
        return;
    opposition_row *o;
    int n = 0;
    core_error err = {0};
    core_rc rc = circle_oppositions(&r->ctx, id, &o, &n, &err);
    if (rc != CORE_OK) {
        reply_core_error(r, rc, &err);
        return;
    }
    jw *w = reply_json(r, 200);
    jw_obj_begin(w);
    jw_key(w, "items");
    jw_arr_begin(w);
    for (int i = 0; i < n; i++) {
        jw_obj_begin(w);
        render_id(w, "id", o[i].id);
        render_id(w, "user_id", o[i].user_id);
        jw_kstr(w, "reason", o[i].reason);
        render_time(w, "created_at", o[i].created_at);
        if (o[i].lifted_at)
            render_time(w, "lifted_at", o[i].lifted_at);
        else
            jw_kstr(w, "lifted_at", NULL);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_obj_end(w);
}

void api_oppositions_add(req *r)
{
    static const char *const fields[] = {"user_id", "reason", NULL};
    int64_t id, user, oid;
    if (!input_path_id(r, "id", &id))
        return;
    cJSON *body = input_json_object(r, fields);
    const char *reason;
    if (!body || !input_id(r, body, "user_id", true, &user) ||
        !input_string(r, body, "reason", false, 500, &reason))
        return;
    core_error err = {0};
    core_rc rc = circle_oppose(&r->ctx, id, user, reason, &oid, &err);
    if (rc != CORE_OK) {
        reply_core_error(r, rc, &err);
        return;
    }
    jw *w = reply_json(r, 201);
    jw_obj_begin(w);
    render_id(w, "id", oid);
    jw_obj_end(w);
}

void api_oppositions_lift(req *r)
{
    int64_t id, oid;
    if (!input_path_id(r, "id", &id) || !input_path_id(r, "opposition_id", &oid))
        return;
    core_error err = {0};
    core_rc rc = circle_lift_opposition(&r->ctx, id, oid, &err);
    if (rc != CORE_OK) {
        reply_core_error(r, rc, &err);
        return;
    }
    reply_empty(r, 204);
}

void api_my_patients(req *r)
{
    int64_t limit;
    if (!input_query_int(r, "limit", 100, 1, 500, &limit))
        return;
    int64_t *ids;
    int n = 0;
    core_error err = {0};
    core_rc rc = circle_my_patients(&r->ctx, (int)limit, &ids, &n, &err);
    if (rc != CORE_OK) {
        reply_core_error(r, rc, &err);
        return;
    }
    jw *w = reply_json(r, 200);
    jw_obj_begin(w);
    jw_key(w, "items");
    jw_arr_begin(w);
    for (int i = 0; i < n; i++) {
        patient p;
        core_error e2 = {0};
        if (patients_get(&r->ctx, ids[i], &p, &e2) == CORE_OK)
            render_patient_summary(w, &p);
    }
    jw_arr_end(w);
    jw_obj_end(w);
}

void api_invitation_accept(req *r)
{
    static const char *const fields[] = {"token", "login", "password", NULL};
    cJSON *body = input_json_object(r, fields);
    const char *token, *login, *password;
    if (!body || !input_string(r, body, "token", true, 128, &token) ||
        !input_string(r, body, "login", true, 64, &login) ||
        !input_string(r, body, "password", true, 256, &password))
        return;
    int64_t user;
    core_error err = {0};
    core_rc rc = circle_accept_invitation(&r->ctx, token, login, password, &user, &err);
    if (rc != CORE_OK) {
        reply_core_error(r, rc, &err);
        return;
    }
    jw *w = reply_json(r, 201);
    jw_obj_begin(w);
    render_id(w, "user_id", user);
    jw_kstr(w, "login", login);
    jw_obj_end(w);
}

void api_territories_list(req *r)
{
    territory *t;
    int n = 0;
    core_error err = {0};
    core_rc rc = territory_list(&r->ctx, &t, &n, &err);
    if (rc != CORE_OK) {
        reply_core_error(r, rc, &err);
        return;
    }
    jw *w = reply_json(r, 200);
    jw_obj_begin(w);
    jw_key(w, "items");
    jw_arr_begin(w);
    for (int i = 0; i < n; i++) {
        jw_obj_begin(w);
        render_id(w, "id", t[i].id);
        jw_kstr(w, "name", t[i].name);
        jw_key(w, "codes");
        jw_arr_begin(w);
        for (const char *p = t[i].codes; p && *p;) {
            size_t len = strcspn(p, ",");
            jw_strn(w, p, len);
            p += len + (p[len] == ',');
        }
        jw_arr_end(w);
        jw_key(w, "coordinators");
        jw_arr_begin(w);
        for (const char *p = t[i].coordinators; p && *p;) {
            size_t len = strcspn(p, ",");
            jw_strn(w, p, len);
            p += len + (p[len] == ',');
        }
        jw_arr_end(w);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_obj_end(w);
}

void api_territories_create(req *r)
{
    static const char *const fields[] = {"name", "codes", NULL};
    cJSON *body = input_json_object(r, fields);
    const char *name;
    const cJSON *codes;
    if (!body || !input_string(r, body, "name", true, 400, &name) ||
        !input_array(r, body, "codes", TERRITORY_MAX_CODES, &codes))
        return;
    const char **list = arena_calloc(&r->arena, TERRITORY_MAX_CODES + 1, sizeof(char *));
    int n = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, codes)
    {
        list[n++] = cJSON_IsString(item) ? item->valuestring : NULL;
    }
    int64_t id;
    core_error err = {0};
    core_rc rc = territory_create(&r->ctx, name, list, n, &id, &err);
    if (rc != CORE_OK) {
        reply_core_error(r, rc, &err);
        return;
    }
    jw *w = reply_json(r, 201);
    jw_obj_begin(w);
    render_id(w, "id", id);
    jw_kstr(w, "name", name);
    jw_obj_end(w);
}

void api_territories_assign(req *r)
{
    static const char *const fields[] = {"user_id", NULL};
    int64_t id, user;
    if (!input_path_id(r, "id", &id))
        return;
    cJSON *body = input_json_object(r, fields);
    if (!body || !input_id(r, body, "user_id", true, &user))
        return;
    core_error err = {0};
    core_rc rc = territory_assign(&r->ctx, id, user, &err);
    if (rc != CORE_OK) {
        reply_core_error(r, rc, &err);
        return;
    }
    reply_empty(r, 204);
}

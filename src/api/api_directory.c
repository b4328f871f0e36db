/* The directory of professionals and organisations: /api/directory/...
 * (reads for every signed-in user, writes for administrators) and the link
 * between an account and a professional, PUT /api/admin/users/:id/professional. */
#include "api/api.h"
#include "api/input.h"
#include "api/render.h"
#include "core/directory.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- rendering ------------------------------------------------------------- */

/* Opens the professional's object and writes its members; the caller adds
 * more (activities) and closes it. */
static void render_professional_members(jw *w, const dir_professional *p)
{
    bool rpps = p->id_type && strcmp(p->id_type, "8") == 0;
    jw_obj_begin(w);
    render_id(w, "id", p->id);
    jw_kstr(w, "idnps", p->idnps);
    jw_kstr(w, "rpps", rpps ? p->identifier : NULL);
    jw_kstr(w, "adeli", rpps ? NULL : p->identifier);
    jw_kstr(w, "civility", p->civility);
    jw_kstr(w, "family_name", p->family_name);
    jw_kstr(w, "given_name", p->given_name);
    jw_kstr(w, "profession_code", p->profession_code);
    jw_kstr(w, "profession_label", p->profession_label);
    jw_kstr(w, "specialty_code", p->specialty_code);
    jw_kstr(w, "specialty_label", p->specialty_label);
    jw_kstr(w, "phone", p->phone);
    jw_kstr(w, "mobile", p->mobile);
    jw_kstr(w, "mssante", p->mssante);
    jw_kstr(w, "source", p->source);
    render_time(w, "created_at", p->created_at);
    render_time(w, "updated_at", p->updated_at);
}

static void render_organisation_members(jw *w, const dir_organisation *o)
{
    jw_obj_begin(w);
    render_id(w, "id", o->id);
    jw_kstr(w, "name", o->name);
    jw_kstr(w, "type", o->kind);
    jw_kstr(w, "finess", o->finess);
    jw_kstr(w, "finess_legal", o->finess_legal);
    jw_kstr(w, "siret", o->siret);
    jw_kstr(w, "address", o->address);
    jw_kstr(w, "postcode", o->postcode);
    jw_kstr(w, "town", o->town);
    jw_kstr(w, "phone", o->phone);
    jw_kstr(w, "email", o->email);
    jw_kstr(w, "source", o->source);
    render_time(w, "created_at", o->created_at);
    render_time(w, "updated_at", o->updated_at);
}

static void render_professional_detail(jw *w, const dir_professional *p, const dir_activity *acts,
                                       int n)
{
    render_professional_members(w, p);
    jw_key(w, "activities");
    jw_arr_begin(w);
    for (int i = 0; i < n; i++) {
        jw_obj_begin(w);
        jw_key(w, "organisation");
        render_organisation_members(w, &acts[i].org);
        jw_obj_end(w);
        jw_kstr(w, "mode_code", acts[i].mode_code);
        jw_kstr(w, "mode_label", acts[i].mode_label);
        jw_kstr(w, "sector_label", acts[i].sector_label);
        jw_kstr(w, "source", acts[i].source);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_obj_end(w);
}

static void render_organisation_detail(jw *w, const dir_organisation *o, const dir_member *m, int n)
{
    render_organisation_members(w, o);
    bool more = n > DIRECTORY_MAX_MEMBERS;
    if (more)
        n = DIRECTORY_MAX_MEMBERS;
    jw_key(w, "professionals");
    jw_arr_begin(w);
    for (int i = 0; i < n; i++) {
        jw_obj_begin(w);
        render_id(w, "id", m[i].pro.id);
        jw_kstr(w, "idnps", m[i].pro.idnps);
        jw_kstr(w, "civility", m[i].pro.civility);
        jw_kstr(w, "family_name", m[i].pro.family_name);
        jw_kstr(w, "given_name", m[i].pro.given_name);
        jw_kstr(w, "profession_code", m[i].pro.profession_code);
        jw_kstr(w, "profession_label", m[i].pro.profession_label);
        jw_kstr(w, "mode_label", m[i].mode_label);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_kbool(w, "professionals_truncated", more);
    jw_obj_end(w);
}

/* ---- input ----------------------------------------------------------------- */

/* A query-string text parameter: valid UTF-8 of at most DIRECTORY_MAX_QUERY
 * bytes, or absent (*out = NULL). */
static bool query_text(req *r, const char *name, const char **out)
{
    const char *s = req_query(r, name);
    *out = s;
    if (!s || (utf8_valid(s, strlen(s)) && strlen(s) <= DIRECTORY_MAX_QUERY))
        return true;
    reply_problem(r, 400, "query.invalid", "Requête invalide",
                  arena_printf(&r->arena,
                               "Le paramètre « %s » doit être de l'UTF-8 de %d octets au plus.",
                               name, DIRECTORY_MAX_QUERY),
                  name);
    return false;
}

static bool read_query(req *r, directory_query *q)
{
    int64_t limit, after;
    if (!input_query_int(r, "limit", 50, 1, 200, &limit) ||
        !input_query_int(r, "after", 0, 0, INT64_MAX, &after) || !query_text(r, "q", &q->q) ||
        !query_text(r, "town", &q->town) || !query_text(r, "profession", &q->profession))
        return false;
    q->limit = (int)limit + 1; /* one more than asked tells whether a page follows */
    q->after_id = after;
    return true;
}

/* Search errors are about the query string: 400, like the other query errors. */
static void reply_search_error(req *r, core_rc rc, const core_error *err)
{
    if (rc == CORE_INVALID)
        reply_problem(r, 400, err->code, "Requête invalide", err->message, err->field);
    else
        reply_core_error(r, rc, err);
}

/* An optional member: absent, null (clears) or a string of at most max bytes. */
static bool opt_member(req *r, const cJSON *body, const char *field, size_t max, dir_opt *out)
{
    out->set = cJSON_GetObjectItemCaseSensitive(body, field) != NULL;
    out->value = NULL;
    return !out->set || input_string(r, body, field, false, max, &out->value);
}

static bool parse_positive_id(const char *s, int64_t *out)
{
    size_t n = strlen(s);
    if (n == 0 || n > 18)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    errno = 0;
    long long v = strtoll(s, NULL, 10);
    if (errno || v <= 0)
        return false;
    *out = v;
    return true;
}

/* "organisation_ids": a list of ids (strings, or integers) — or null for none. */
static bool read_organisation_ids(req *r, const cJSON *body, dir_professional_input *in)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, "organisation_ids");
    if (!v)
        return true;
    in->organisations_set = true;
    if (cJSON_IsNull(v))
        return true;
    int n = cJSON_IsArray(v) ? cJSON_GetArraySize(v) : -1;
    if (n < 0 || n > DIRECTORY_MAX_ORGANISATIONS) {
        reply_problem(
            r, 422, n < 0 ? "field.type" : "organisation_ids.invalid", "Données invalides",
            "« organisation_ids » est une liste de 20 identifiants au plus.", "organisation_ids");
        return false;
    }
    int64_t *ids = arena_calloc(&r->arena, (size_t)n + 1, sizeof *ids);
    int i = 0;
    for (const cJSON *e = v->child; e; e = e->next, i++) {
        bool ok = cJSON_IsString(e) ? parse_positive_id(e->valuestring, &ids[i])
                                    : cJSON_IsNumber(e) && e->valuedouble >= 1 &&
                                          e->valuedouble < 9007199254740992.0 &&
                                          e->valuedouble == (double)(int64_t)e->valuedouble;
        if (ok && !cJSON_IsString(e))
            ids[i] = (int64_t)e->valuedouble;
        if (!ok) {
            reply_problem(r, 422, "field.type", "Données invalides",
                          "« organisation_ids » ne contient que des identifiants.",
                          "organisation_ids");
            return false;
        }
    }
    in->organisation_ids = ids;
    in->norganisations = n;
    return true;
}

static bool read_professional(req *r, const cJSON *body, dir_professional_input *in)
{
    return opt_member(r, body, "rpps", 11, &in->rpps) &&
           opt_member(r, body, "adeli", 9, &in->adeli) &&
           opt_member(r, body, "civility", DIRECTORY_MAX_LABEL, &in->civility) &&
           opt_member(r, body, "family_name", DIRECTORY_MAX_NAME, &in->family_name) &&
           opt_member(r, body, "given_name", DIRECTORY_MAX_NAME, &in->given_name) &&
           opt_member(r, body, "profession_code", 2, &in->profession_code) &&
           opt_member(r, body, "profession_label", DIRECTORY_MAX_LABEL, &in->profession_label) &&
           opt_member(r, body, "specialty_code", 20, &in->specialty_code) &&
           opt_member(r, body, "specialty_label", DIRECTORY_MAX_LABEL, &in->specialty_label) &&
           opt_member(r, body, "phone", 40, &in->phone) &&
           opt_member(r, body, "mobile", 40, &in->mobile) &&
           opt_member(r, body, "mssante", DIRECTORY_MAX_EMAIL, &in->mssante) &&
           read_organisation_ids(r, body, in);
}

static const char *const professional_fields[] = {"rpps",
                                                  "adeli",
                                                  "civility",
                                                  "family_name",
                                                  "given_name",
                                                  "profession_code",
                                                  "profession_label",
                                                  "specialty_code",
                                                  "specialty_label",
                                                  "phone",
                                                  "mobile",
                                                  "mssante",
                                                  "organisation_ids",
                                                  NULL};

/* ---- professionals --------------------------------------------------------- */

void api_directory_professionals_list(req *r)
{
    directory_query q = {0};
    if (!read_query(r, &q))
        return;
    dir_professional *list;
    int n = 0;
    core_error err = {0};
    core_rc rc = directory_search_professionals(&r->ctx, &q, &list, &n, &err);
    if (rc != CORE_OK) {
        reply_search_error(r, rc, &err);
        return;
    }
    bool more = n >= q.limit;
    if (more)
        n = q.limit - 1;
    jw *w = reply_json(r, 200);
    jw_obj_begin(w);
    jw_key(w, "items");
    jw_arr_begin(w);
    for (int i = 0; i < n; i++) {
        render_professional_members(w, &list[i]);
        jw_kstr(w, "town", list[i].town);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    if (more)
        render_id(w, "next_after", list[n - 1].id);
    else
        jw_kstr(w, "next_after", NULL);
    jw_obj_end(w);
}

/* Answers with the professional's full record (after a read or a write). */
static void reply_professional(req *r, int status, int64_t id)
{
    dir_professional p;
    dir_activity *acts;
    int n = 0;
    core_error err = {0};
    core_rc rc = directory_get_professional(&r->ctx, id, &p, &acts, &n, &err);
    if (rc != CORE_OK) {
        reply_core_error(r, rc, &err);
        return;
    }
    if (status == 201)
        reply_header(r, "Location",
                     arena_printf(&r->arena, "/api/directory/professionals/%lld", (long long)id));
    render_professional_detail(reply_json(r, status), &p, acts, n);
}

void api_directory_professionals_get(req *r)
{
    int64_t id;
    if (input_path_id(r, "id", &id))
        reply_professional(r, 200, id);
}

void api_directory_professionals_create(req *r)
{
    cJSON *body = input_json_object(r, professional_fields);
    dir_professional_input in = {0};
    if (!body || !read_professional(r, body, &in))
        return;
    dir_professional p;
    core_error err = {0};
    core_rc rc = directory_create_professional(&r->ctx, &in, &p, &err);
    if (rc != CORE_OK) {
        reply_core_error(r, rc, &err);
        return;
    }
    reply_professional(r, 201, p.id);
}

void api_directory_professionals_update(req *r)
{
    int64_t id;
    if (!input_path_id(r, "id", &id))
        return;
    cJSON *body = input_json_object(r, professional_fields);
    dir_professional_input in = {0};
    if (!body || !read_professional(r, body, &in))
        return;
    dir_professional p;
    core_error err = {0};
    core_rc rc = directory_update_professional(&r->ctx, id, &in, &p, &err);
    if (rc != CORE_OK) {
        reply_core_error(r, rc, &err);
        return;
    }
    reply_professional(r, 200, id);
}

/* ---- organisations --------------------------------------------------------- */

void api_directory_organisations_list(req *r)
{
    directory_query q = {0};
    if (!read_query(r, &q))
        return;
    if (q.profession) {
        reply_problem(r, 400, "query.invalid", "Requête invalide",
                      "Le paramètre « profession » ne s'applique qu'aux professionnels.",
                      "profession");
        return;
    }
    dir_organisation *list;
    int n = 0;
    core_error err = {0};
    core_rc rc = directory_search_organisations(&r->ctx, &q, &list, &n, &err);
    if (rc != CORE_OK) {
        reply_search_error(r, rc, &err);
        return;
    }
    bool more = n >= q.limit;
    if (more)
        n = q.limit - 1;
    jw *w = reply_json(r, 200);
    jw_obj_begin(w);
    jw_key(w, "items");
    jw_arr_begin(w);
    for (int i = 0; i < n; i++) {
        render_organisation_members(w, &list[i]);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    if (more)
        render_id(w, "next_after", list[n - 1].id);
    else
        jw_kstr(w, "next_after", NULL);
    jw_obj_end(w);
}

static void reply_organisation(req *r, int status, int64_t id)
{
    dir_organisation o;
    dir_member *members;
    int n = 0;
    core_error err = {0};
    core_rc rc = directory_get_organisation(&r->ctx, id, &o, &members, &n, &err);
    if (rc != CORE_OK) {
        reply_core_error(r, rc, &err);
        return;
    }
    if (status == 201)
        reply_header(r, "Location",
                     arena_printf(&r->arena, "/api/directory/organisations/%lld", (long long)id));
    render_organisation_detail(reply_json(r, status), &o, members, n);
}

void api_directory_organisations_get(req *r)
{
    int64_t id;
    if (input_path_id(r, "id", &id))
        reply_organisation(r, 200, id);
}

void api_directory_organisations_create(req *r)
{
    static const char *const fields[] = {"name",  "type",    "finess",   "finess_legal",
                                         "siret", "address", "postcode", "town",
                                         "phone", "email",   NULL};
    cJSON *body = input_json_object(r, fields);
    dir_organisation_input in = {0};
    if (!body || !input_string(r, body, "name", true, DIRECTORY_MAX_NAME, &in.name) ||
        !input_string(r, body, "type", false, DIRECTORY_MAX_LABEL, &in.kind) ||
        !input_string(r, body, "finess", false, 9, &in.finess) ||
        !input_string(r, body, "finess_legal", false, 9, &in.finess_legal) ||
        !input_string(r, body, "siret", false, 14, &in.siret) ||
        !input_string(r, body, "address", false, DIRECTORY_MAX_ADDRESS, &in.address) ||
        !input_string(r, body, "postcode", false, 10, &in.postcode) ||
        !input_string(r, body, "town", false, DIRECTORY_MAX_TOWN, &in.town) ||
        !input_string(r, body, "phone", false, 40, &in.phone) ||
        !input_string(r, body, "email", false, DIRECTORY_MAX_EMAIL, &in.email))
        return;
    dir_organisation o;
    core_error err = {0};
    core_rc rc = directory_create_organisation(&r->ctx, &in, &o, &err);
    if (rc != CORE_OK) {
        reply_core_error(r, rc, &err);
        return;
    }
    reply_organisation(r, 201, o.id);
}

/* ---- accounts ---------------------------------------------------------------- */

void api_users_set_professional(req *r)
{
    static const char *const fields[] = {"professional_id", NULL};
    int64_t id, professional_id = 0;
    if (!input_path_id(r, "id", &id))
        return;
    cJSON *body = input_json_object(r, fields);
    if (!body)
        return;
    if (!cJSON_GetObjectItemCaseSensitive(body, "professional_id")) {
        reply_problem(r, 422, "field.required", "Données invalides",
                      "Le champ « professional_id » est obligatoire (null pour délier).",
                      "professional_id");
        return;
    }
    if (!input_id(r, body, "professional_id", false, &professional_id))
        return;
    account acc;
    core_error err = {0};
    core_rc rc = directory_link_account(&r->ctx, id, professional_id, &acc, &err);
    if (rc != CORE_OK) {
        reply_core_error(r, rc, &err);
        return;
    }
    render_account(reply_json(r, 200), &acc);
}

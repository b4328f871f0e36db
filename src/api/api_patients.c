/* Patient identities: /api/patients (create, read, update, identity status,
 * local identifiers). Search, duplicates and merges are in api_identity.c. */
#include "api/api.h"
#include "api/input.h"
#include "api/render.h"
#include "core/patients.h"

#include <string.h>

static const char *const TRAIT_FIELDS[] = {
    "birth_family_name", "used_family_name", "birth_given_names", "used_given_name", "sex",
    "birth_date", "birthplace_code", "birth_country", "address", "phone", "phone2", "email", "ins",
    "identifiers", "evidence", "confirm_duplicate", "version", NULL};

/* Joins the birth given names (a JSON array of strings, or one string) with
 * single spaces. */
static bool read_given_names(req *r, const cJSON *body, const char **out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, "birth_given_names");
    *out = NULL;
    if (!v || cJSON_IsNull(v))
        return true;
    if (cJSON_IsString(v))
        return input_string(r, body, "birth_given_names", false, 400, out);
    if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) > PATIENT_MAX_GIVEN_NAMES) {
        reply_problem(r, 422, "field.type", "Données invalides",
                      "« birth_given_names » est une liste de 10 prénoms au plus.",
                      "birth_given_names");
        return false;
    }
    buf joined;
    buf_init(&joined, 1024);
    const cJSON *item;
    bool ok = true;
    cJSON_ArrayForEach(item, v)
    {
        if (!cJSON_IsString(item) || !item->valuestring[0] || strchr(item->valuestring, ' ') ||
            strlen(item->valuestring) > 100) {
            ok = false;
            break;
        }
        if (joined.len)
            buf_putc(&joined, ' ');
        buf_puts(&joined, item->valuestring);
    }
    if (!ok || joined.overflow) {
        buf_free(&joined);
        reply_problem(r, 422, "field.type", "Données invalides",
                      "Chaque prénom de naissance est une chaîne non vide, sans espace (un prénom "
                      "composé garde son tiret).",
                      "birth_given_names");
        return false;
    }
    *out = arena_strdup(&r->arena, joined.data ? joined.data : "");
    buf_free(&joined);
    return true;
}

/* Fills in from the body; false when an answer was already sent. */
static bool read_patient_input(req *r, const cJSON *body, patient_input *in)
{
    static const char *const address_fields[] = {"line", "postcode", "city", "country", NULL};
    static const char *const ins_fields[] = {"value", "oid", NULL};
    static const char *const evidence_fields[] = {"insi", "document_type", NULL};
    memset(in, 0, sizeof *in);
    const cJSON *address, *ins, *evidence, *ids;
    if (!input_string(r, body, "birth_family_name", false, 400, &in->birth_family_name) ||
        !input_string(r, body, "used_family_name", false, 400, &in->used_family_name) ||
        !read_given_names(r, body, &in->birth_given_names) ||
        !input_string(r, body, "used_given_name", false, 400, &in->used_given_name) ||
        !input_string(r, body, "sex", false, 8, &in->sex) ||
        !input_string(r, body, "birth_date", false, 32, &in->birth_date) ||
        !input_string(r, body, "birthplace_code", false, 16, &in->birthplace_code) ||
        !input_string(r, body, "birth_country", false, 400, &in->birth_country) ||
        !input_string(r, body, "phone", false, 64, &in->phone) ||
        !input_string(r, body, "phone2", false, 64, &in->phone2) ||
        !input_string(r, body, "email", false, 400, &in->email) ||
        !input_object(r, body, "address", address_fields, false, &address) ||
        !input_object(r, body, "ins", ins_fields, false, &ins) ||
        !input_object(r, body, "evidence", evidence_fields, false, &evidence) ||
        !input_array(r, body, "identifiers", PATIENT_MAX_IDENTIFIERS, &ids) ||
        !input_bool(r, body, "confirm_duplicate", false, &in->confirm_duplicate))
        return false;
    if (address && (!input_string(r, address, "line", false, 400, &in->address_line) ||
                    !input_string(r, address, "postcode", false, 32, &in->postcode) ||
                    !input_string(r, address, "city", false, 400, &in->city) ||
                    !input_string(r, address, "country", false, 400, &in->country)))
        return false;
    if (ins && (!input_string(r, ins, "value", true, 32, &in->ins_value) ||
                !input_string(r, ins, "oid", true, 64, &in->ins_oid)))
        return false;
    if (evidence && (!input_bool(r, evidence, "insi", false, &in->insi) ||
                     !input_string(r, evidence, "document_type", false, 32, &in->document_type)))
        return false;
    const cJSON *item;
    cJSON_ArrayForEach(item, ids)
    {
        static const char *const id_fields[] = {"system", "value", "type", NULL};
        patient_identifier *pi = &in->identifiers[in->nidentifiers];
        if (!cJSON_IsObject(item)) {
            reply_problem(r, 422, "field.type", "Données invalides",
                          "Chaque identifiant est un objet {system, value}.", "identifiers");
            return false;
        }
        for (const cJSON *m = item->child; m; m = m->next) {
            bool known = false;
            for (const char *const *f = id_fields; *f && !known; f++)
                known = strcmp(*f, m->string) == 0;
            if (!known || !cJSON_IsString(m) || strlen(m->valuestring) > 200) {
                reply_problem(r, 422, "field.type", "Données invalides",
                              "Chaque identifiant est un objet {system, value, type?} de chaînes.",
                              "identifiers");
                return false;
            }
        }
        const cJSON *sys = cJSON_GetObjectItemCaseSensitive(item, "system");
        const cJSON *val = cJSON_GetObjectItemCaseSensitive(item, "value");
        const cJSON *typ = cJSON_GetObjectItemCaseSensitive(item, "type");
        pi->system = sys ? sys->valuestring : NULL;
        pi->value = val ? val->valuestring : NULL;
        pi->type = typ ? typ->valuestring : "PI";
        in->nidentifiers++;
    }
    return true;
}

static void reply_duplicates(req *r, int status, const core_error *err, duplicate_hit *dups,
                             int n)
{
    jw *w = reply_json(r, status);
    if (status >= 400)
        r->content_type = "application/problem+json; charset=utf-8";
    jw_obj_begin(w);
    if (status >= 400) {
        jw_kstr(w, "type", arena_printf(&r->arena, "urn:parcours:problem:%s", err->code));
        jw_kstr(w, "title", "Conflit");
        jw_kint(w, "status", status);
        jw_kstr(w, "code", err->code);
        jw_kstr(w, "detail", err->message);
        if (err->field)
            jw_kstr(w, "field", err->field);
        jw_kstr(w, "request_id", r->request_id);
    }
    jw_key(w, "candidates");
    jw_arr_begin(w);
    for (int i = 0; i < n; i++) {
        jw_obj_begin(w);
        jw_key(w, "patient");
        render_patient_summary(w, &dups[i].candidate);
        render_match(w, &dups[i].match);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_obj_end(w);
}

static void reply_patient(req *r, int status, const patient *p)
{
    patient_identifier *ids = NULL;
    int nids = 0;
    core_error err = {0};
    if (patients_identifiers(&r->ctx, p->id, &ids, &nids, &err) != CORE_OK) {
        reply_core_error(r, CORE_ERROR, &err);
        return;
    }
    render_patient(reply_json(r, status), p, ids, nids);
}

void api_patients_create(req *r)
{
    cJSON *body = input_json_object(r, TRAIT_FIELDS);
    patient_input in;
    if (!body || !read_patient_input(r, body, &in))
        return;
    patient p;
    duplicate_hit *dups;
    int ndups = 0;
    core_error err = {0};
    core_rc rc = patients_create(&r->ctx, &in, &p, &dups, &ndups, &err);
    if (rc == CORE_CONFLICT && ndups > 0) {
        reply_duplicates(r, 409, &err, dups, ndups);
        return;
    }
    if (rc != CORE_OK) {
        reply_core_error(r, rc, &err);
        return;
    }
    reply_header(r, "Location", arena_printf(&r->arena, "/api/patients/%lld", (long long)p.id));
    reply_patient(r, 201, &p);
}

void api_patients_get(req *r)
{
    int64_t id;
    if (!input_path_id(r, "id", &id))
        return;
    patient p;
    core_error err = {0};
    core_rc rc = patients_get(&r->ctx, id, &p, &err);
    if (rc != CORE_OK) {
        reply_core_error(r, rc, &err);
        return;
    }
    if (p.id != id) /* a merged record: answer with the survivor */
        reply_header(r, "Content-Location",
                     arena_printf(&r->arena, "/api/patients/%lld", (long long)p.id));
    reply_patient(r, 200, &p);
}

void api_patients_update(req *r)
{
    int64_t id, version;
    if (!input_path_id(r, "id", &id))
        return;
    cJSON *body = input_json_object(r, TRAIT_FIELDS);
    patient_input in;
    if (!body || !read_patient_input(r, body, &in) ||
        !input_id(r, body, "version", true, &version))
        return;
    patient p;
    core_error err = {0};
    core_rc rc = patients_update(&r->ctx, id, version, &in, &p, &err);
    if (rc != CORE_OK) {
        reply_core_error(r, rc, &err);
        return;
    }
    reply_patient(r, 200, &p);
}

void api_patients_status(req *r)
{
    static const char *const fields[] = {"insi", "document_type", "downgrade_to", "reason", NULL};
    int64_t id;
    if (!input_path_id(r, "id", &id))
        return;
    cJSON *body = input_json_object(r, fields);
    bool insi = false;
    const char *doc, *down, *reason;
    if (!body || !input_bool(r, body, "insi", false, &insi) ||
        !input_string(r, body, "document_type", false, 32, &doc) ||
        !input_string(r, body, "downgrade_to", false, 8, &down) ||
        !input_string(r, body, "reason", false, 500, &reason))
        return;
    patient p;
    core_error err = {0};
    core_rc rc = patients_set_status(&r->ctx, id, insi, doc, down, reason, &p, &err);
    if (rc != CORE_OK) {
        reply_core_error(r, rc, &err);
        return;
    }
    reply_patient(r, 200, &p);
}

void api_patients_status_history(req *r)
{
    int64_t id;
    if (!input_path_id(r, "id", &id))
        return;
    status_change *h;
    int n = 0;
    core_error err = {0};
    core_rc rc = patients_status_history(&r->ctx, id, &h, &n, &err);
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
        jw_kstr(w, "from", h[i].from_status);
        jw_kstr(w, "to", h[i].to_status);
        jw_kbool(w, "insi", h[i].insi);
        jw_kstr(w, "document_type", h[i].document_type);
        jw_kstr(w, "reason", h[i].reason);
        render_id(w, "user_id", h[i].user_id);
        render_time(w, "at", h[i].at);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_obj_end(w);
}

void api_patients_add_identifier(req *r)
{
    static const char *const fields[] = {"system", "value", "type", NULL};
    int64_t id;
    if (!input_path_id(r, "id", &id))
        return;
    cJSON *body = input_json_object(r, fields);
    patient_identifier pi = {0};
    if (!body || !input_string(r, body, "system", true, 200, &pi.system) ||
        !input_string(r, body, "value", true, 200, &pi.value) ||
        !input_string(r, body, "type", false, 16, &pi.type))
        return;
    core_error err = {0};
    core_rc rc = patients_add_identifier(&r->ctx, id, &pi, &err);
    if (rc != CORE_OK) {
        reply_core_error(r, rc, &err);
        return;
    }
    reply_empty(r, 204);
}

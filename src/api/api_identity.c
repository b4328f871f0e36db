/* Identitovigilance: GET /api/patients (search), duplicate candidates, their
 * review list, merges and their undoing. */
#include "api/api.h"
#include "api/input.h"
#include "api/render.h"
#include "core/identity_review.h"

#include <stdio.h>
#include <string.h>

static bool query_text(req *r, const char *name, size_t max, const char **out)
{
    const char *v = req_query(r, name);
    *out = NULL;
    if (!v || !*v)
        return true;
    if (strlen(v) > max || !utf8_valid(v, strlen(v))) {
        reply_problem(r, 400, "query.invalid", "Requête invalide",
                      arena_printf(&r->arena, "Le paramètre « %s » est invalide.", name), name);
        return false;
    }
    *out = v;
    return true;
}

void api_patients_search(req *r)
{
    patient_query q = {0};
    int64_t limit, offset;
    const char *identifier;
    if (!input_query_int(r, "limit", 20, 1, 100, &limit) ||
        !input_query_int(r, "offset", 0, 0, REVIEW_MAX_CANDIDATES, &offset) ||
        !query_text(r, "birth_date", 10, &q.birth_date) || !query_text(r, "name", 200, &q.name) ||
        !query_text(r, "given", 200, &q.given) || !query_text(r, "ins", 15, &q.ins) ||
        !query_text(r, "identifier", 300, &identifier))
        return;
    if (identifier) {
        /* "system|value", as FHIR token parameters are written */
        const char *bar = strchr(identifier, '|');
        if (!bar || bar == identifier || !bar[1]) {
            reply_problem(r, 400, "query.invalid", "Requête invalide",
                          "« identifier » s'écrit autorité|valeur.", "identifier");
            return;
        }
        q.identifier_system = arena_strndup(&r->arena, identifier, (size_t)(bar - identifier));
        q.identifier_value = bar + 1;
    }
    q.limit = (int)limit;
    q.offset = (int)offset;
    patient_hit *hits;
    int n = 0;
    bool more = false;
    core_error err = {0};
    core_rc rc = review_search(&r->ctx, &q, &hits, &n, &more, &err);
    if (rc != CORE_OK) {
        reply_core_error(r, rc, &err);
        return;
    }
    jw *w = reply_json(r, 200);
    jw_obj_begin(w);
    jw_key(w, "items");
    jw_arr_begin(w);
    for (int i = 0; i < n; i++)
        render_patient_summary(w, &hits[i].p);
    jw_arr_end(w);
    if (more)
        jw_kint(w, "next_offset", offset + n);
    else
        jw_kstr(w, "next_offset", NULL);
    jw_obj_end(w);
}

void api_patients_duplicates(req *r)
{
    int64_t id;
    if (!input_path_id(r, "id", &id))
        return;
    duplicate_hit *dups;
    int n = 0;
    core_error err = {0};
    core_rc rc = review_duplicates_of(&r->ctx, id, &dups, &n, &err);
    if (rc != CORE_OK) {
        reply_core_error(r, rc, &err);
        return;
    }
    jw *w = reply_json(r, 200);
    jw_obj_begin(w);
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

void api_identity_duplicates(req *r)
{
    int64_t limit, min_score, after_a = 0, after_b = 0;
    const char *after;
    if (!input_query_int(r, "limit", 50, 1, 200, &limit) ||
        !input_query_int(r, "min_score", IDMATCH_POTENTIAL, 0, 100, &min_score) ||
        !query_text(r, "after", 60, &after))
        return;
    if (after) {
        /* cursor "a-b" of the last pair seen */
        long long a = 0, b = 0;
        char tail;
        if (sscanf(after, "%lld-%lld%c", &a, &b, &tail) != 2 || a < 0 || b < 0) {
            reply_problem(r, 400, "query.invalid", "Requête invalide",
                          "Le curseur « after » s'écrit a-b.", "after");
            return;
        }
        after_a = a;
        after_b = b;
    }
    duplicate_row *rows;
    int n = 0;
    core_error err = {0};
    core_rc rc =
        review_list(&r->ctx, (int)min_score, after_a, after_b, (int)limit + 1, &rows, &n, &err);
    if (rc != CORE_OK) {
        reply_core_error(r, rc, &err);
        return;
    }
    bool more = n > limit;
    if (more)
        n = (int)limit;
    jw *w = reply_json(r, 200);
    jw_obj_begin(w);
    jw_key(w, "items");
    jw_arr_begin(w);
    for (int i = 0; i < n; i++) {
        jw_obj_begin(w);
        render_id(w, "patient_a", rows[i].patient_a);
        render_id(w, "patient_b", rows[i].patient_b);
        jw_kint(w, "score", rows[i].score);
        jw_kstr(w, "reasons", rows[i].reasons);
        render_time(w, "found_at", rows[i].found_at);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    if (more)
        jw_kstr(w, "next_after",
                arena_printf(&r->arena, "%lld-%lld", (long long)rows[n - 1].patient_a,
                             (long long)rows[n - 1].patient_b));
    else
        jw_kstr(w, "next_after", NULL);
    jw_obj_end(w);
}

void api_identity_dismiss(req *r)
{
    static const char *const fields[] = {"patient_a", "patient_b", NULL};
    cJSON *body = input_json_object(r, fields);
    int64_t a, b;
    if (!body || !input_id(r, body, "patient_a", true, &a) ||
        !input_id(r, body, "patient_b", true, &b))
        return;
    core_error err = {0};
    core_rc rc = review_dismiss(&r->ctx, a, b, &err);
    if (rc != CORE_OK) {
        reply_core_error(r, rc, &err);
        return;
    }
    reply_empty(r, 204);
}

void api_patients_merge(req *r)
{
    static const char *const fields[] = {"source_id", "reason", NULL};
    int64_t survivor, source;
    if (!input_path_id(r, "id", &survivor))
        return;
    cJSON *body = input_json_object(r, fields);
    const char *reason;
    if (!body || !input_id(r, body, "source_id", true, &source) ||
        !input_string(r, body, "reason", false, 500, &reason))
        return;
    core_error err = {0};
    core_rc rc = review_merge(&r->ctx, survivor, source, reason, &err);
    if (rc != CORE_OK) {
        reply_core_error(r, rc, &err);
        return;
    }
    jw *w = reply_json(r, 200);
    jw_obj_begin(w);
    render_id(w, "survivor_id", survivor);
    render_id(w, "merged_id", source);
    jw_obj_end(w);
}

void api_patients_unmerge(req *r)
{
    int64_t merged, survivor = 0;
    if (!input_path_id(r, "id", &merged))
        return;
    core_error err = {0};
    core_rc rc = review_unmerge(&r->ctx, merged, &survivor, &err);
    if (rc != CORE_OK) {
        reply_core_error(r, rc, &err);
        return;
    }
    jw *w = reply_json(r, 200);
    jw_obj_begin(w);
    render_id(w, "survivor_id", survivor);
    render_id(w, "merged_id", merged);
    jw_obj_end(w);
}

/* The audit trail for administrators: GET /api/audit, newest first, paged by
 * sequence number, filterable by user, patient, action and date. */
#include "api/api.h"
#include "api/input.h"
#include "api/render.h"
#include "core/audit.h"

#include <string.h>

static bool query_time(req *r, const char *name, int64_t *out)
{
    const char *s = req_query(r, name);
    *out = 0;
    if (!s)
        return true;
    if (time_parse_iso(s, out))
        return true;
    reply_problem(r, 400, "query.invalid", "Requête invalide",
                  arena_printf(&r->arena,
                               "Le paramètre « %s » doit être une date ISO 8601 (AAAA-MM-JJ).",
                               name),
                  name);
    return false;
}

void api_audit_list(req *r)
{
    audit_filter f = {0};
    int64_t limit, user_id, before;
    if (!input_query_int(r, "limit", 50, 1, 500, &limit) ||
        !input_query_int(r, "before", 0, 0, INT64_MAX, &before) ||
        !input_query_int(r, "user_id", 0, 0, INT64_MAX, &user_id) ||
        !query_time(r, "from", &f.from_ms) || !query_time(r, "to", &f.to_ms))
        return;
    f.limit = (int)limit + 1;
    f.before_seq = before;
    f.user_id = user_id;
    f.patient_id = req_query(r, "patient_id");
    f.action = req_query(r, "action");
    audit_row *rows;
    int n = 0;
    core_error err = {0};
    core_rc rc = audit_query(&r->ctx, &f, &rows, &n, &err);
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
    for (int i = 0; i < n; i++)
        render_audit(w, &rows[i]);
    jw_arr_end(w);
    if (more)
        render_id(w, "next_before", rows[n - 1].seq);
    else
        jw_kstr(w, "next_before", NULL);
    jw_obj_end(w);
}

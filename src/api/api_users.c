/* Account administration: /api/admin/users (administrators only). */
#include "api/api.h"
#include "api/input.h"
#include "api/render.h"
#include "core/accounts.h"

#include <stdint.h>
#include <string.h>

void api_users_list(req *r)
{
    int64_t limit, after;
    if (!input_query_int(r, "limit", 50, 1, 200, &limit) ||
        !input_query_int(r, "after", 0, 0, INT64_MAX, &after))
        return;
    const char *q = req_query(r, "q");
    if (q && !utf8_valid(q, strlen(q))) {
        reply_problem(r, 400, "query.invalid", "Requête invalide",
                      "Le paramètre « q » n'est pas de l'UTF-8 valide.", "q");
        return;
    }
    account *list;
    int n = 0;
    core_error err = {0};
    /* one more than asked tells whether another page follows */
    core_rc rc = accounts_list(&r->ctx, after, (int)limit + 1, q, &list, &n, &err);
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
        render_account(w, &list[i]);
    jw_arr_end(w);
    if (more)
        render_id(w, "next_after", list[n - 1].id);
    else
        jw_kstr(w, "next_after", NULL);
    jw_obj_end(w);
}

void api_users_create(req *r)
{
    static const char *const fields[] = {"login", "display_name", "role", "password",
                                         "professional_id", NULL};
    cJSON *body = input_json_object(r, fields);
    account_input in = {0};
    if (!body || !input_string(r, body, "login", true, 64, &in.login) ||
        !input_string(r, body, "display_name", true, 200, &in.display_name) ||
        !input_string(r, body, "role", true, 32, &in.role) ||
        !input_string(r, body, "password", true, 256, &in.password) ||
        !input_id(r, body, "professional_id", false, &in.professional_id))
        return;
    account acc;
    core_error err = {0};
    core_rc rc = accounts_create(&r->ctx, &in, &acc, &err);
    if (rc != CORE_OK) {
        reply_core_error(r, rc, &err);
        return;
    }
    reply_header(r, "Location", arena_printf(&r->arena, "/api/admin/users/%lld", (long long)acc.id));
    render_account(reply_json(r, 201), &acc);
}

void api_users_get(req *r)
{
    int64_t id;
    if (!input_path_id(r, "id", &id))
        return;
    account acc;
    core_error err = {0};
    core_rc rc = accounts_get(&r->ctx, id, &acc, &err);
    if (rc != CORE_OK) {
        reply_core_error(r, rc, &err);
        return;
    }
    render_account(reply_json(r, 200), &acc);
}

void api_users_update(req *r)
{
    static const char *const fields[] = {"disabled", NULL};
    int64_t id;
    if (!input_path_id(r, "id", &id))
        return;
    cJSON *body = input_json_object(r, fields);
    bool disabled = false;
    if (!body || !input_bool(r, body, "disabled", true, &disabled))
        return;
    core_error err = {0};
    core_rc rc = accounts_set_disabled(&r->ctx, id, disabled, &err);
    account acc;
    if (rc == CORE_OK)
        rc = accounts_get(&r->ctx, id, &acc, &err);
    if (rc != CORE_OK) {
        reply_core_error(r, rc, &err);
        return;
    }
    render_account(reply_json(r, 200), &acc);
}

/* Sessions and the signed-in user: POST/DELETE /api/session, GET /api/me,
 * PUT /api/me/password. */
#include "api/api.h"
#include "api/input.h"
#include "api/render.h"
#include "core/accounts.h"
#include "core/auth.h"

#include <stdio.h>

#define SESSION_COOKIE "parcours_session"

static void set_session_cookie(req *r, const char *token, int64_t max_age_s)
{
    reply_header(r, "Set-Cookie",
                 arena_printf(&r->arena, SESSION_COOKIE "=%s; Path=/; Max-Age=%lld; HttpOnly; "
                                                        "SameSite=Strict%s",
                              token, (long long)max_age_s,
                              r->ctx.app->cfg.secure_cookie ? "; Secure" : ""));
}

void api_session_create(req *r)
{
    static const char *const fields[] = {"login", "password", NULL};
    cJSON *body = input_json_object(r, fields);
    const char *login, *password;
    if (!body || !input_string(r, body, "login", true, 64, &login) ||
        !input_string(r, body, "password", true, 1024, &password))
        return;
    auth_session s;
    core_error err = {0};
    core_rc rc = auth_login(&r->ctx, login, password, &s, &err);
    if (rc != CORE_OK) {
        reply_core_error(r, rc, &err);
        return;
    }
    set_session_cookie(r, s.token, (s.expires_at - r->ctx.now_ms) / 1000);
    jw *w = reply_json(r, 200);
    jw_obj_begin(w);
    jw_kstr(w, "token", s.token);
    jw_kstr(w, "csrf_token", s.csrf_token);
    char when[40];
    time_format_iso(s.expires_at, when, sizeof when);
    jw_kstr(w, "expires_at", when);
    jw_key(w, "user");
    render_account(w, &s.user);
    jw_obj_end(w);
}

void api_session_delete(req *r)
{
    core_rc rc = auth_logout(&r->ctx);
    if (rc != CORE_OK) {
        reply_core_error(r, rc, NULL);
        return;
    }
    reply_header(r, "Set-Cookie",
                 SESSION_COOKIE "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
    reply_empty(r, 204);
}

void api_me(req *r)
{
    const principal *who = r->who;
    jw *w = reply_json(r, 200);
    jw_obj_begin(w);
    jw_kstr(w, "id", arena_printf(&r->arena, "%lld", (long long)who->user_id));
    jw_kstr(w, "login", who->login);
    jw_kstr(w, "display_name", who->display_name);
    jw_kstr(w, "role", who->role);
    if (who->professional_id)
        jw_kstr(w, "professional_id",
                arena_printf(&r->arena, "%lld", (long long)who->professional_id));
    else
        jw_kstr(w, "professional_id", NULL);
    jw_kstr(w, "csrf_token", who->csrf_token);
    jw_obj_end(w);
}

void api_me_password(req *r)
{
    static const char *const fields[] = {"current_password", "new_password", NULL};
    cJSON *body = input_json_object(r, fields);
    const char *current, *next;
    if (!body || !input_string(r, body, "current_password", true, 1024, &current) ||
        !input_string(r, body, "new_password", true, 1024, &next))
        return;
    core_error err = {0};
    core_rc rc = accounts_change_password(&r->ctx, current, next, &err);
    if (rc != CORE_OK) {
        reply_core_error(r, rc, &err);
        return;
    }
    reply_empty(r, 204);
}

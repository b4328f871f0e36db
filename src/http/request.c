#include "http/request.h"

#include <microhttpd.h>
#include <stdio.h>
#include <string.h>

const char *req_header_value(req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *req_query(req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *req_cookie(req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

const char *req_param(req *r, const char *name)
{
    for (int i = 0; i < r->nparams; i++)
        if (strcmp(r->param_names[i], name) == 0)
            return r->param_values[i];
    return NULL;
}

bool req_is_write(const req *r)
{
    return strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0 &&
           strcmp(r->method, "OPTIONS") != 0;
}

void reply_header(req *r, const char *name, const char *value)
{
    req_header *h = arena_alloc(&r->arena, sizeof *h);
    h->name = arena_strdup(&r->arena, name);
    h->value = arena_strdup(&r->arena, value);
    h->next = r->headers;
    r->headers = h;
}

jw *reply_json(req *r, int status)
{
    r->status = status;
    r->content_type = "application/json; charset=utf-8";
    buf_reset(&r->out);
    jw_init(&r->json, &r->out);
    return &r->json;
}

void reply_problem(req *r, int status, const char *code, const char *title, const char *detail,
                   const char *field)
{
    jw *w = reply_json(r, status);
    r->content_type = "application/problem+json; charset=utf-8";
    jw_obj_begin(w);
    jw_kstr(w, "type", arena_printf(&r->arena, "urn:parcours:problem:%s", code));
    jw_kstr(w, "title", title);
    jw_kint(w, "status", status);
    jw_kstr(w, "code", code);
    if (detail)
        jw_kstr(w, "detail", detail);
    if (field)
        jw_kstr(w, "field", field);
    jw_kstr(w, "request_id", r->request_id);
    jw_obj_end(w);
}

void reply_core_error(req *r, core_rc rc, const core_error *err)
{
    int status;
    const char *title;
    switch (rc) {
    case CORE_INVALID:
        status = 422;
        title = "Données invalides";
        break;
    case CORE_UNAUTHENTICATED:
        status = 401;
        title = "Authentification requise";
        break;
    case CORE_FORBIDDEN:
        status = 403;
        title = "Accès refusé";
        break;
    case CORE_NOTFOUND:
        status = 404;
        title = "Introuvable";
        break;
    case CORE_CONFLICT:
        status = 409;
        title = "Conflit";
        break;
    case CORE_THROTTLED:
        status = 429;
        title = "Trop de requêtes";
        if (err && err->retry_after_s > 0) {
            char secs[24];
            snprintf(secs, sizeof secs, "%lld", (long long)err->retry_after_s);
            reply_header(r, "Retry-After", secs);
        }
        break;
    default:
        status = 500;
        title = "Erreur interne";
        break;
    }
    reply_problem(r, status, err && err->code ? err->code : "internal", title,
                  err ? err->message : NULL, err ? err->field : NULL);
}

void reply_empty(req *r, int status)
{
    r->status = status;
    r->content_type = NULL;
    buf_reset(&r->out);
}

void reply_reset(req *r)
{
    r->content_type = NULL;
    r->headers = NULL;
    buf_reset(&r->out);
}

void req_on_free(req *r, void (*fn)(void *), void *data)
{
    req_cleanup *c = arena_alloc(&r->arena, sizeof *c);
    c->fn = fn;
    c->data = data;
    c->next = r->cleanups;
    r->cleanups = c;
}

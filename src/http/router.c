#include "http/router.h"

#include <string.h>

/* Matches path against pattern segment by segment; fills params on success. */
static bool match_pattern(const char *pattern, const char *path, req *r, bool capture)
{
    const char *p = pattern, *s = path;
    int nparams = 0;
    while (*p && *s) {
        if (*p != '/' || *s != '/')
            return false;
        p++;
        s++;
        const char *pend = strchr(p, '/');
        const char *send = strchr(s, '/');
        size_t plen = pend ? (size_t)(pend - p) : strlen(p);
        size_t slen = send ? (size_t)(send - s) : strlen(s);
        if (*p == ':') {
            if (slen == 0 || nparams >= REQ_MAX_PARAMS)
                return false;
            if (capture) {
                r->param_names[nparams] = arena_strndup(&r->arena, p + 1, plen - 1);
                r->param_values[nparams] = arena_strndup(&r->arena, s, slen);
            }
            nparams++;
        } else if (plen != slen || memcmp(p, s, plen) != 0) {
            return false;
        }
        p += plen;
        s += slen;
    }
    if (*p || *s)
        return false;
    if (capture)
        r->nparams = nparams;
    return true;
}

route_match router_match(const route *routes, int n, req *r, const char **allow)
{
    bool path_known = false;
    for (int i = 0; i < n; i++) {
        if (!match_pattern(routes[i].pattern, r->path, r, false))
            continue;
        path_known = true;
        if (strcmp(routes[i].method, r->method) == 0 ||
            (strcmp(r->method, "HEAD") == 0 && strcmp(routes[i].method, "GET") == 0)) {
            match_pattern(routes[i].pattern, r->path, r, true);
            r->route = i;
            return ROUTE_FOUND;
        }
    }
    if (!path_known)
        return ROUTE_NO_PATH;
    buf methods;
    buf_init(&methods, 256);
    for (int i = 0; i < n; i++) {
        if (!match_pattern(routes[i].pattern, r->path, r, false))
            continue;
        if (methods.len && strstr(methods.data, routes[i].method))
            continue;
        if (methods.len)
            buf_puts(&methods, ", ");
        buf_puts(&methods, routes[i].method);
    }
    *allow = arena_strdup(&r->arena, methods.data ? methods.data : "");
    buf_free(&methods);
    return ROUTE_BAD_METHOD;
}

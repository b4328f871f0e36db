/* router: matches a method and a path against a table of routes with path
 * parameters ("/api/users/:id"), and knows which methods a path allows (405). */
#ifndef PARCOURS_HTTP_ROUTER_H
#define PARCOURS_HTTP_ROUTER_H

#include "http/request.h"

typedef enum route_auth {
    ROUTE_PUBLIC,  /* no session needed */
    ROUTE_USER,    /* any signed-in user */
    ROUTE_ADMIN,   /* administrators only */
} route_auth;

typedef void (*route_handler)(req *r);

/* max_body value meaning "the attachment limit" (PARCOURS_MAX_ATTACHMENT). */
#define ROUTE_BODY_ATTACHMENT ((size_t)-1)

typedef struct route {
    const char *method;
    const char *pattern; /* segments; ":name" captures one segment */
    route_handler handler;
    route_auth auth;
    size_t max_body; /* 0 = the server's --max-body; larger for uploads */
    bool group_commit; /* ROUTE_GROUP_COMMIT: a small, frequent write (http/write_batch.h) */
} route;

#define ROUTE_GROUP_COMMIT true

typedef enum route_match { ROUTE_FOUND, ROUTE_NO_PATH, ROUTE_BAD_METHOD } route_match;

/* Finds the route for r->method and r->path in routes[0..n), sets r->route and
 * r's path parameters. On ROUTE_BAD_METHOD, allow receives the allowed methods
 * ("GET, POST") in r's arena. */
route_match router_match(const route *routes, int n, req *r, const char **allow);

#endif

/* The route table: one line per endpoint, its handler and who may call it. */
#include "api/api.h"

const route api_routes[] = {
    {"GET", "/healthz", api_healthz, ROUTE_PUBLIC},
    {"POST", "/api/session", api_session_create, ROUTE_PUBLIC},
    {"DELETE", "/api/session", api_session_delete, ROUTE_USER},
    {"GET", "/api/me", api_me, ROUTE_USER},
    {"PUT", "/api/me/password", api_me_password, ROUTE_USER},
    {"GET", "/api/admin/users", api_users_list, ROUTE_ADMIN},
    {"POST", "/api/admin/users", api_users_create, ROUTE_ADMIN},
    {"GET", "/api/admin/users/:id", api_users_get, ROUTE_ADMIN},
    {"PATCH", "/api/admin/users/:id", api_users_update, ROUTE_ADMIN},
    {"GET", "/api/audit", api_audit_list, ROUTE_ADMIN},
};

const int api_route_count = (int)(sizeof api_routes / sizeof api_routes[0]);

const char *const api_route_names[] = {
    "GET /healthz",
    "POST /api/session",
    "DELETE /api/session",
    "GET /api/me",
    "PUT /api/me/password",
    "GET /api/admin/users",
    "POST /api/admin/users",
    "GET /api/admin/users/:id",
    "PATCH /api/admin/users/:id",
    "GET /api/audit",
};

_Static_assert(sizeof api_route_names / sizeof api_route_names[0] ==
                   sizeof api_routes / sizeof api_routes[0],
               "one metrics label per route");

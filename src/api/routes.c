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

    /* patient identities (identitovigilance) */
    {"GET", "/api/patients", api_patients_search, ROUTE_USER},
    {"POST", "/api/patients", api_patients_create, ROUTE_USER},
    {"GET", "/api/patients/:id", api_patients_get, ROUTE_USER},
    {"PATCH", "/api/patients/:id", api_patients_update, ROUTE_USER},
    {"POST", "/api/patients/:id/identity-status", api_patients_status, ROUTE_USER},
    {"GET", "/api/patients/:id/identity-status", api_patients_status_history, ROUTE_USER},
    {"POST", "/api/patients/:id/identifiers", api_patients_add_identifier, ROUTE_USER},
    {"GET", "/api/patients/:id/duplicates", api_patients_duplicates, ROUTE_USER},
    {"POST", "/api/patients/:id/merge", api_patients_merge, ROUTE_USER},
    {"POST", "/api/patients/:id/unmerge", api_patients_unmerge, ROUTE_ADMIN},
    {"GET", "/api/identity/duplicates", api_identity_duplicates, ROUTE_USER},
    {"POST", "/api/identity/duplicates/dismiss", api_identity_dismiss, ROUTE_USER},
};

const int api_route_count = (int)(sizeof api_routes / sizeof api_routes[0]);

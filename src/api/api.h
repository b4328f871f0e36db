/* api: the REST/JSON handlers. Each translates a request to core calls and the
 * result back to JSON; none of them talks SQL or libmicrohttpd. */
#ifndef PARCOURS_API_API_H
#define PARCOURS_API_API_H

#include "http/router.h"

extern const route api_routes[];
extern const int api_route_count;
/* "METHOD pattern" per route, for metrics labels. */
extern const char *const api_route_names[];

/* Handlers, one group per file. */
void api_healthz(req *r);
void api_session_create(req *r);
void api_session_delete(req *r);
void api_me(req *r);
void api_me_password(req *r);
void api_users_list(req *r);
void api_users_create(req *r);
void api_users_get(req *r);
void api_users_update(req *r);
void api_audit_list(req *r);

#endif

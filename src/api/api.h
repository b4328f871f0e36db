/* api: the REST/JSON handlers. Each translates a request to core calls and the
 * result back to JSON; none of them talks SQL or libmicrohttpd. */
#ifndef PARCOURS_API_API_H
#define PARCOURS_API_API_H

#include "http/router.h"

extern const route api_routes[];
extern const int api_route_count;

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
void api_patients_search(req *r);
void api_patients_create(req *r);
void api_patients_get(req *r);
void api_patients_update(req *r);
void api_patients_status(req *r);
void api_patients_status_history(req *r);
void api_patients_add_identifier(req *r);
void api_patients_duplicates(req *r);
void api_patients_merge(req *r);
void api_patients_unmerge(req *r);
void api_identity_duplicates(req *r);
void api_identity_dismiss(req *r);

#endif

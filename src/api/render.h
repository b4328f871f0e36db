/* render: JSON shapes shared by several handlers. Ids are strings on the wire
 * (JSON numbers lose precision past 2^53 in browsers). */
#ifndef PARCOURS_API_RENDER_H
#define PARCOURS_API_RENDER_H

#include "store/account_store.h"
#include "store/audit_store.h"
#include "store/patient_store.h"
#include "core/identity_match.h"
#include "util/json.h"
#include "util/timeutil.h"

void render_id(jw *w, const char *key, int64_t id);
void render_time(jw *w, const char *key, int64_t ms);
void render_account(jw *w, const account *a);
void render_audit(jw *w, const audit_row *e);
/* A patient identity. The INS is shown as the national identifier only for a
 * QUAL identity (RNIV); otherwise it is shown as an unqualified INS. */
void render_patient(jw *w, const patient *p, const patient_identifier *ids, int nids);
/* A short identity (search results, duplicate candidates). */
void render_patient_summary(jw *w, const patient *p);
void render_match(jw *w, const idmatch *m);

#endif

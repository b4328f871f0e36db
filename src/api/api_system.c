/* GET /healthz: the process is up and its database answers. */
#include "api/api.h"

void api_healthz(req *r)
{
    bool ok = ctx_db_ping(&r->ctx);
    jw *w = reply_json(r, ok ? 200 : 503);
    jw_obj_begin(w);
    jw_kstr(w, "status", ok ? "ok" : "unavailable");
    jw_kstr(w, "database", db_kind(r->ctx.app->db) == DB_SQLITE ? "sqlite" : "postgres");
    jw_obj_end(w);
}

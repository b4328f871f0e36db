#include "core/ctx.h"

db_conn *ctx_db(ctx *c)
{
    if (!c->conn_)
        c->conn_ = db_acquire(c->app->db);
    return c->conn_;
}

void ctx_done(ctx *c)
{
    if (c->conn_) {
        db_release(c->app->db, c->conn_);
        c->conn_ = NULL;
    }
}

core_rc core_fail(core_error *err, core_rc rc, const char *code, const char *field,
                  const char *message)
{
    if (err) {
        err->code = code;
        err->field = field;
        err->message = message;
    }
    return rc;
}

bool ctx_db_ping(ctx *c)
{
    db_rows rows;
    return db_exec(ctx_db(c), c->arena, "SELECT 1", DB_NOPARAMS, &rows) == DB_OK && rows.n == 1;
}

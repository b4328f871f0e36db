/* ctx: who is acting, from where, and with which resources — handed by the
 * transport layers (http, hl7, CLI) to every core call. */
#ifndef PARCOURS_CORE_CTX_H
#define PARCOURS_CORE_CTX_H

#include <stdbool.h>
#include <stdint.h>

#include "core/app.h"
#include "util/arena.h"

/* The authenticated user of a call. Strings live in the call's arena. */
typedef struct principal {
    int64_t user_id;
    const char *login;
    const char *display_name;
    const char *role; /* admin | professional | coordinator */
    int64_t professional_id;
    bool via_cookie; /* cookie sessions need a CSRF token on writes */
    const char *csrf_token;
    const char *token_hash; /* the session's, for logout */
} principal;

typedef struct ctx {
    const app *app;
    arena *arena; /* freed at the end of the call: results live here */
    int64_t now_ms;
    const char *client_addr; /* "cli" for command-line calls */
    const char *request_id;
    const principal *who; /* NULL when anonymous */
    db_conn *conn_;       /* taken lazily by ctx_db(), given back by ctx_done() */
    bool audit_defer;     /* the transport waits for the audit commit (core/audit.h) */
    struct audit_deferred *audit_deferred; /* events recorded, not yet handed over */
    int64_t duplicate_check_us; /* patient creation: time of the duplicate check (access log) */
} ctx;

/* The call's database connection, taken from the pool on first use. */
db_conn *ctx_db(ctx *c);
/* Gives the connection back (rolling back an unfinished transaction). */
void ctx_done(ctx *c);

/* True when the database answers a trivial query (for /healthz). */
bool ctx_db_ping(ctx *c);

/* Core result codes: each maps to one HTTP status / HL7 ACK code / exit code. */
typedef enum core_rc {
    CORE_OK = 0,
    CORE_INVALID,         /* bad input: 400/422 */
    CORE_UNAUTHENTICATED, /* 401 */
    CORE_FORBIDDEN,       /* 403 */
    CORE_NOTFOUND,        /* 404 */
    CORE_CONFLICT,        /* 409 */
    CORE_THROTTLED,       /* 429 */
    CORE_ERROR,           /* 500: store or internal failure, already logged */
} core_rc;

/* A precise error for the caller: a stable code ("login.taken"), the field at
 * fault when there is one, and a message in French for the user interface. */
typedef struct core_error {
    const char *code;
    const char *field;
    const char *message;
    int64_t retry_after_s; /* for CORE_THROTTLED */
} core_error;

core_rc core_fail(core_error *err, core_rc rc, const char *code, const char *field,
                  const char *message);

#endif

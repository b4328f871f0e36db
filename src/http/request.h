/* request: one HTTP exchange as the handlers see it — the parsed request, an
 * arena freed when the response has been sent, and the response being built.
 *
 * Handlers (api/) read the request through req_* and answer with reply_*; they
 * never touch libmicrohttpd. Everything they allocate comes from r->arena. */
#ifndef PARCOURS_HTTP_REQUEST_H
#define PARCOURS_HTTP_REQUEST_H

#include <stdbool.h>
#include <stdint.h>

#include "core/ctx.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/json.h"

struct MHD_Connection;

#define REQ_MAX_PARAMS 6

typedef struct req_header {
    const char *name;
    const char *value;
    struct req_header *next;
} req_header;

typedef struct req_cleanup {
    void (*fn)(void *);
    void *data;
    struct req_cleanup *next;
} req_cleanup;

typedef struct req {
    struct MHD_Connection *conn;
    const char *method;
    const char *path;
    arena arena;
    buf body;
    bool body_too_large;
    bool server_stopping; /* arrived while the server stops: answered 503 */
    size_t discarded;     /* body bytes dropped after the limit */
    int route;            /* index in the route table, -1 when none matched */
    const char *param_names[REQ_MAX_PARAMS];
    const char *param_values[REQ_MAX_PARAMS];
    int nparams;
    char request_id[24];
    char client_addr[64];
    int64_t start_us;
    ctx ctx;
    principal *who;
    /* response */
    int status;
    const char *content_type;
    buf out;
    req_header *headers;
    jw json; /* writer over out, set up by reply_json */
    req_cleanup *cleanups;
    /* a reply held back, connection suspended (server.c): until the request's
     * audit events are committed, or its group of writes (write_batch.h) */
    enum { REQ_WAIT_NONE, REQ_WAIT_AUDIT, REQ_WAIT_BATCH, REQ_WAIT_DONE } wait_state;
    int waited_for;    /* REQ_WAIT_AUDIT or REQ_WAIT_BATCH, once done */
    bool group_commit; /* its route is ROUTE_GROUP_COMMIT */
    bool wait_ok;
} req;

/* Runs fn(data) when the request ends (nginx's pool cleanup): for memory that
 * is not in the arena, such as a parsed JSON tree. */
void req_on_free(req *r, void (*fn)(void *), void *data);

/* A request header, a query-string argument, a cookie, a path parameter
 * (":id" in the route) — NULL when absent. */
const char *req_header_value(req *r, const char *name);
const char *req_query(req *r, const char *name);
const char *req_cookie(req *r, const char *name);
const char *req_param(req *r, const char *name);
bool req_is_write(const req *r);

/* Adds a response header (copied into the arena). */
void reply_header(req *r, const char *name, const char *value);
/* Starts a JSON response: returns the writer over the response body. */
jw *reply_json(req *r, int status);
/* An RFC 9457 problem (application/problem+json): a stable code, a French title
 * for people, an optional detail and the field at fault. */
void reply_problem(req *r, int status, const char *code, const char *title, const char *detail,
                   const char *field);
/* Maps a core error to its HTTP status and problem. */
void reply_core_error(req *r, core_rc rc, const core_error *err);
void reply_empty(req *r, int status);
/* Forgets the response built so far (body, headers, content type). */
void reply_reset(req *r);

#endif

#include "http/server.h"
#include "api/api.h"
#include "core/audit.h"
#include "core/auth.h"
#include "http/listener.h"
#include "http/metrics.h"
#include "http/request.h"
#include "http/router.h"
#include "http/static_files.h"
#include "http/stream.h"
#include "http/write_batch.h"
#include "util/alloc.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SESSION_COOKIE "parcours_session"

struct http_server {
    listener *listener;        /* the socket, and the accept thread */
    struct MHD_Daemon **loops; /* one event loop (daemon, thread) per worker */
    int nloops;
    app *app;
    atomic_int_fast64_t in_flight;
    atomic_bool stopping; /* set by http_server_stop: new requests get 503, then close */
    char **route_names;   /* "METHOD pattern" per route, for metrics labels */
    stream_hub *streams;  /* live streams (SSE) and their waker thread */
    write_batch *writes;  /* group commit of small writes (SQLite only) */
};

/* A random per-thread prefix drawn once, then a counter: unique, unguessable
 * enough for correlation, and no getrandom(2) per request (4 % of /api/me). */
static void request_id_new(char out[24])
{
    static _Thread_local uint32_t prefix;
    static _Thread_local uint32_t counter;
    if (!prefix)
        prefix = randombytes_random() | 1u;
    snprintf(out, 24, "%08x%08x", prefix, ++counter);
}

static req *req_new(http_server *s, struct MHD_Connection *conn, const char *method,
                    const char *url)
{
    req *r = xcalloc(1, sizeof *r);
    arena_init(&r->arena, 8192);
    buf_init(&r->body, s->app->cfg.max_body);
    buf_init(&r->out, 0);
    r->conn = conn;
    r->method = arena_strdup(&r->arena, method);
    r->path = arena_strdup(&r->arena, url);
    r->route = -1;
    r->status = 500;
    r->start_us = time_mono_us();
    /* an incoming X-Request-Id is kept when it is short and plain */
    const char *rid = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Request-Id");
    size_t rid_len = rid ? strlen(rid) : 0;
    bool plain = rid_len > 0 && rid_len < sizeof r->request_id;
    for (size_t i = 0; plain && i < rid_len; i++)
        plain = (rid[i] >= '0' && rid[i] <= '9') || (rid[i] >= 'a' && rid[i] <= 'z') ||
                (rid[i] >= 'A' && rid[i] <= 'Z') || rid[i] == '-';
    if (plain)
        memcpy(r->request_id, rid, rid_len + 1);
    else
        request_id_new(r->request_id);
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(r->client_addr, sizeof r->client_addr, "unknown");
    if (ci && ci->client_addr) {
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
                      r->client_addr, sizeof r->client_addr);
        else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
                      r->client_addr, sizeof r->client_addr);
    }
    r->ctx = (ctx){
        .app = s->app,
        .arena = &r->arena,
        .now_ms = time_now_ms(),
        .client_addr = r->client_addr,
        .request_id = r->request_id,
        .audit_defer = true,
    };
    return r;
}

static void req_free(req *r)
{
    for (req_cleanup *c = r->cleanups; c; c = c->next)
        c->fn(c->data);
    ctx_done(&r->ctx);
    buf_free(&r->body);
    buf_free(&r->out);
    arena_free(&r->arena);
    free(r);
}

/* Finds the session token: "Authorization: Bearer <token>" first, then the
 * cookie. Sets *via_cookie accordingly. */
static const char *find_token(req *r, bool *via_cookie)
{
    const char *auth = req_header_value(r, "Authorization");
    if (auth && strncasecmp(auth, "Bearer ", 7) == 0) {
        *via_cookie = false;
        return auth + 7;
    }
    *via_cookie = true;
    return req_cookie(r, SESSION_COOKIE);
}

static void audit_refusal(req *r, const char *detail)
{
    audit_record(&r->ctx,
                 &(audit_event){.action = "access.denied",
                                .outcome = AUDIT_DENIED,
                                .object_type = "route",
                                .object_id = arena_printf(&r->arena, "%s %s", r->method, r->path),
                                .detail = detail});
}

/* Authentication and CSRF for the matched route. Returns false after having
 * answered the request itself. */
static bool check_access(req *r, const route *rt)
{
    if (rt->auth == ROUTE_PUBLIC)
        return true;
    bool via_cookie = false;
    const char *token = find_token(r, &via_cookie);
    core_error err = {0};
    if (!token) {
        audit_refusal(r, "no session");
        reply_problem(r, 401, "session.required", "Authentification requise",
                      "Connectez-vous (cookie de session ou en-tête Authorization: Bearer).", NULL);
        return false;
    }
    core_rc rc = auth_authenticate(&r->ctx, token, via_cookie, &r->who, &err);
    if (rc != CORE_OK) {
        if (rc == CORE_UNAUTHENTICATED)
            audit_refusal(r, err.code);
        reply_core_error(r, rc, &err);
        return false;
    }
    r->ctx.who = r->who;
    if (via_cookie && req_is_write(r) &&
        !auth_csrf_ok(r->who, req_header_value(r, "X-CSRF-Token"))) {
        audit_refusal(r, "missing or wrong CSRF token");
        reply_problem(r, 403, "csrf.invalid", "Accès refusé",
                      "Jeton CSRF absent ou invalide (en-tête X-CSRF-Token).", NULL);
        return false;
    }
    if (rt->auth == ROUTE_ADMIN && strcmp(r->who->role, "admin") != 0) {
        audit_refusal(r, "administrator role required");
        reply_problem(r, 403, "role.admin_required", "Accès refusé",
                      "Cette action est réservée aux administrateurs.", NULL);
        return false;
    }
    return true;
}

static void dispatch(http_server *s, req *r)
{
    if (r->server_stopping) {
        reply_problem(r, 503, "server.stopping", "Service en cours d'arrêt",
                      "Le serveur s'arrête ou redémarre : réessayez dans un instant.", NULL);
        return;
    }
    if (r->body_too_large) {
        reply_problem(
            r, 413, "body.too_large", "Requête trop volumineuse",
            arena_printf(&r->arena, "Le corps de la requête dépasse %zu octets.", r->body.max),
            NULL);
        return;
    }
    if (strcmp(r->path, "/metrics") == 0 && strcmp(r->method, "GET") == 0) {
        /* served here: the figures belong to the transport, not to the API */
        r->route = api_route_count;
        r->status = 200;
        r->content_type = "text/plain; version=0.0.4; charset=utf-8";
        metrics_render(&r->out, db_error_count(), (int64_t)atomic_load(&s->in_flight));
        uint64_t commits, events, unmoved;
        audit_queue_stats(s->app, &commits, &events, &unmoved);
        buf_printf(&r->out,
                   "# HELP parcours_audit_commits_total Transactions of the audit writer"
                   " (group commits).\n"
                   "# TYPE parcours_audit_commits_total counter\n"
                   "parcours_audit_commits_total %llu\n"
                   "# HELP parcours_audit_events_total Events the audit writer committed.\n"
                   "# TYPE parcours_audit_events_total counter\n"
                   "parcours_audit_events_total %llu\n"
                   "# HELP parcours_audit_spooled_events Events of answered requests written"
                   " to the audit spool and not yet moved into the trail.\n"
                   "# TYPE parcours_audit_spooled_events gauge\n"
                   "parcours_audit_spooled_events %llu\n",
                   (unsigned long long)commits, (unsigned long long)events,
                   (unsigned long long)unmoved);
        listener_render_metrics(s->listener, &r->out);
        return;
    }
    const char *allow = NULL;
    switch (router_match(api_routes, api_route_count, r, &allow)) {
    case ROUTE_FOUND: {
        const route *rt = &api_routes[r->route];
        if (check_access(r, rt))
            rt->handler(r);
        return;
    }
    case ROUTE_BAD_METHOD:
        reply_header(r, "Allow", allow);
        reply_problem(r, 405, "method.not_allowed", "Méthode non autorisée",
                      arena_printf(&r->arena, "Méthodes acceptées : %s.", allow), NULL);
        return;
    case ROUTE_NO_PATH:
        break;
    }
    if (strncmp(r->path, "/api/", 5) == 0 || strcmp(r->path, "/api") == 0 ||
        !static_serve(r, s->app->cfg.web_root))
        reply_problem(r, 404, "not_found", "Ressource introuvable",
                      arena_printf(&r->arena, "Aucune ressource à l'adresse %s.", r->path), NULL);
}

static enum MHD_Result send_reply(http_server *s, req *r)
{
    /* the handler is done with the database: its pooled connection (and, on
     * SQLite, its read snapshot) goes back now, not when the client has read
     * the answer. Held until then, a few slow clients could take the whole
     * pool, and a worker waiting for a connection while its own finished
     * requests held them never got one (seen: a shutdown under load hung). */
    ctx_done(&r->ctx);
    /* a handler that accepted a live stream gets a callback response (NULL
     * when refused: a 503 problem was written into r instead) */
    stream *st = stream_claim(r);
    struct MHD_Response *resp = st ? stream_response(s->streams, st, r) : NULL;
    if (!resp) {
        size_t len = 0;
        char *body = buf_steal(&r->out, &len);
        bool head = strcmp(r->method, "HEAD") == 0;
        resp = MHD_create_response_from_buffer(head ? 0 : len, body, MHD_RESPMEM_MUST_FREE);
        if (head)
            free(body);
    }
    if (r->content_type)
        MHD_add_response_header(resp, "Content-Type", r->content_type);
    MHD_add_response_header(resp, "X-Request-Id", r->request_id);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Content-Security-Policy",
                            "default-src 'self'; script-src 'self'; style-src 'self'; "
                            "img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; "
                            "base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
    if (strncmp(r->path, "/api/", 5) == 0)
        MHD_add_response_header(resp, "Cache-Control", "no-store");
    for (req_header *h = r->headers; h; h = h->next)
        MHD_add_response_header(resp, h->name, h->value);
    enum MHD_Result ret = MHD_queue_response(r->conn, (unsigned int)r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* The request's audit events could not be made durable: its data does not leave. */
static void audit_unavailable(req *r)
{
    reply_reset(r);
    reply_problem(r, 500, "audit.unavailable", "Erreur interne",
                  "L'accès n'a pas pu être enregistré dans la piste d'audit : "
                  "la réponse n'est pas donnée.",
                  NULL);
}

/* Called on the audit writer thread once the request's events are durable. */
static void audit_committed(void *arg, bool ok)
{
    req *r = arg;
    r->wait_ok = ok;
    r->waited_for = REQ_WAIT_AUDIT;
    r->wait_state = REQ_WAIT_DONE;
    MHD_resume_connection(r->conn);
}

/* write_batch hooks: the handler runs on the batch's thread and connection;
 * the streams hear of the group's notifications once it is committed. */
static void batch_run(void *cls, req *r)
{
    dispatch(cls, r);
}

static void batch_committed(void *cls)
{
    http_server *s = cls;
    stream_hub_flush(s->streams);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)version;
    http_server *s = cls;
    req *r = *con_cls;
    if (!r) {
        /* first call: headers only. Queuing now would make MHD close the
         * connection after the reply (no keep-alive), so answer on the next call. */
        r = req_new(s, conn, method, url);
        atomic_fetch_add(&s->in_flight, 1);
        *con_cls = r;
        if (atomic_load(&s->stopping)) {
            /* counted in flight before this test, so a stop either waits for
             * this request or it sees the flag. Answered now, which also closes
             * the connection: nothing new reaches a handler, a write batch or
             * the audit writer while they shut down. */
            r->server_stopping = true;
            r->ctx.audit_defer = false;
            dispatch(s, r);
            return send_reply(s, r);
        }
        /* uploads have a limit of their own: find the route from the headers */
        const char *allow_unused;
        size_t limit = s->app->cfg.max_body;
        if (router_match(api_routes, api_route_count, r, &allow_unused) == ROUTE_FOUND) {
            const route *rt = &api_routes[r->route];
            if (rt->max_body)
                limit = rt->max_body == ROUTE_BODY_ATTACHMENT ? s->app->cfg.max_attachment
                                                              : rt->max_body;
            r->group_commit = rt->group_commit;
        }
        r->route = -1;
        r->nparams = 0;
        r->body.max = limit;
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
        if (cl && strtoull(cl, NULL, 10) > limit) {
            /* refuse before reading the body: MHD sends the 413, then closes */
            r->body_too_large = true;
            r->ctx.audit_defer = false; /* nothing to wait for on this path */
            dispatch(s, r);
            return send_reply(s, r);
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (!r->body_too_large && !buf_append(&r->body, upload_data, *upload_data_size))
            r->body_too_large = true;
        if (r->body_too_large) {
            /* a chunked body grew past the limit: drain a bounded amount so that
             * the client can read our 413, then give up on the connection */
            r->discarded += *upload_data_size;
            if (r->discarded > 4 * r->body.max)
                return MHD_NO;
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (r->wait_state == REQ_WAIT_DONE) {
        /* resumed: the audit events or the group of writes are committed, or failed */
        if (!r->wait_ok) {
            if (r->waited_for == REQ_WAIT_AUDIT) {
                audit_unavailable(r);
            } else {
                reply_reset(r);
                reply_problem(r, 500, "store.error", "Erreur interne",
                              "L'enregistrement n'a pas abouti ; rien n'a été modifié.", NULL);
            }
        }
        return send_reply(s, r);
    }
    if (s->writes && r->group_commit && !r->body_too_large) {
        /* answered by the write batch once its group is committed */
        r->wait_state = REQ_WAIT_BATCH;
        MHD_suspend_connection(conn);
        write_batch_submit(s->writes, r);
        return MHD_YES;
    }
    audit_worker_busy(s->app, true);
    dispatch(s, r);
    /* the handler's transaction has ended: wake the streams it notified */
    stream_hub_flush(s->streams);
    /* no reply before the request's audit events are durable: written to
     * the audit spool (at once), or else committed by the audit writer;
     * meanwhile this worker serves other connections, and its pooled
     * database connection goes back. Suspended before queuing: the writer's
     * resume can only follow the suspension. */
    if (r->ctx.audit_deferred) {
        ctx_done(&r->ctx);
        int spooled = audit_spool_deferred(&r->ctx);
        if (spooled != 0) {
            audit_worker_busy(s->app, false);
            if (spooled < 0)
                audit_unavailable(r);
            return send_reply(s, r);
        }
        r->wait_state = REQ_WAIT_AUDIT;
        MHD_suspend_connection(conn);
        audit_submit_deferred(&r->ctx, audit_committed, r);
        audit_worker_busy(s->app, false);
        return MHD_YES;
    }
    audit_worker_busy(s->app, false);
    return send_reply(s, r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)conn;
    http_server *s = cls;
    req *r = *con_cls;
    if (!r)
        return;
    int64_t us = time_mono_us() - r->start_us;
    metrics_record(r->route, r->status, us);
    char extra[48] = "";
    if (r->ctx.duplicate_check_us > 0)
        snprintf(extra, sizeof extra, " dup_check_us=%lld", (long long)r->ctx.duplicate_check_us);
    log_info("http", "method=%s path=\"%s\" status=%d us=%lld bytes_in=%zu user=%lld rid=%s%s%s",
             r->method, r->path, r->status, (long long)us, r->body.len,
             (long long)(r->who ? r->who->user_id : 0), r->request_id, extra,
             toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted=1");
    req_free(r);
    *con_cls = NULL;
    atomic_fetch_sub(&s->in_flight, 1);
}

static bool parse_addr(const char *addr, struct sockaddr_in *sa)
{
    const char *colon = strrchr(addr, ':');
    if (!colon)
        return false;
    char host[64];
    size_t hl = (size_t)(colon - addr);
    if (hl == 0 || hl >= sizeof host)
        return false;
    memcpy(host, addr, hl);
    host[hl] = '\0';
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || port < 0 || port > 65535)
        return false;
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    if (strcmp(host, "localhost") == 0)
        snprintf(host, sizeof host, "127.0.0.1");
    return inet_pton(AF_INET, host, &sa->sin_addr) == 1;
}

static void free_route_names(http_server *s)
{
    for (int i = 0; i <= api_route_count; i++)
        free(s->route_names[i]);
    free(s->route_names);
}

static void stop_loops(http_server *s)
{
    for (int i = 0; s->loops && i < s->nloops; i++)
        if (s->loops[i])
            MHD_stop_daemon(s->loops[i]);
    free(s->loops);
}

/* Undoes a partial http_server_start (what was started is non-NULL). */
static http_server *start_failed(http_server *s)
{
    listener_stop(s->listener);
    stop_loops(s);
    listener_free(s->listener);
    write_batch_stop(s->writes);
    if (s->streams) {
        stream_hub_stop(s->streams);
        stream_hub_free(s->streams);
    }
    metrics_free();
    free_route_names(s);
    free(s);
    return NULL;
}

http_server *http_server_start(app *a, const char *addr, char *err, size_t errsz)
{
    struct sockaddr_in sa;
    if (!parse_addr(addr, &sa)) {
        snprintf(err, errsz, "invalid HTTP address '%s' (expected IPv4:PORT, e.g. 127.0.0.1:8080)",
                 addr);
        return NULL;
    }
    http_server *s = xcalloc(1, sizeof *s);
    s->app = a;
    /* route names for the metrics labels, plus the server's own /metrics */
    s->route_names = xcalloc((size_t)api_route_count + 1, sizeof(char *));
    for (int i = 0; i < api_route_count; i++) {
        size_t n = strlen(api_routes[i].method) + strlen(api_routes[i].pattern) + 2;
        char *name = xmalloc(n);
        snprintf(name, n, "%s %s", api_routes[i].method, api_routes[i].pattern);
        s->route_names[i] = name;
    }
    s->route_names[api_route_count] = xstrdup("GET /metrics");
    metrics_init((const char *const *)s->route_names, api_route_count + 1);
    s->streams = stream_hub_start(a, err, errsz);
    if (!s->streams)
        return start_failed(s);
    if (db_kind(a->db) == DB_SQLITE) {
        s->writes = write_batch_start(
            a, &(write_batch_hooks){.run = batch_run, .committed = batch_committed, .cls = s}, err,
            errsz);
        if (!s->writes)
            return start_failed(s);
    }
    s->nloops = a->cfg.threads > 0 ? a->cfg.threads : 1;
    /* the connection limit, shared out between the loops */
    unsigned int max_conn = a->cfg.http_max_conn > 0 ? (unsigned int)a->cfg.http_max_conn : 4096u;
    unsigned int per_loop = max_conn / (unsigned int)s->nloops;
    if (per_loop < 1)
        per_loop = 1;
    s->listener = listener_open(&sa, s->nloops, (int)per_loop, err, errsz);
    if (!s->listener) {
        char why[200];
        snprintf(why, sizeof why, "%s", err);
        snprintf(err, errsz, "cannot listen on %s: %s", addr, why);
        return start_failed(s);
    }
    s->loops = xcalloc((size_t)s->nloops, sizeof *s->loops);
    unsigned int loop_limit = per_loop + 16; /* headroom: the listener refuses first */
    for (int i = 0; i < s->nloops; i++) {
        s->loops[i] = MHD_start_daemon(
            MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_NO_LISTEN_SOCKET | MHD_USE_ITC | MHD_USE_TURBO |
                MHD_ALLOW_SUSPEND_RESUME,
            0, NULL, NULL, on_request, s, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
            MHD_OPTION_NOTIFY_CONNECTION, listener_notify, listener_notify_cls(s->listener, i),
            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)60, MHD_OPTION_CONNECTION_LIMIT,
            loop_limit, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(32 * 1024), MHD_OPTION_END);
        if (!s->loops[i]) {
            snprintf(err, errsz, "cannot start the HTTP event loop %d of %d", i + 1, s->nloops);
            return start_failed(s);
        }
    }
    if (!listener_serve(s->listener, s->loops, err, errsz))
        return start_failed(s);
    return s;
}

int http_server_port(const http_server *s)
{
    return listener_port(s->listener);
}

void http_server_stop(http_server *s, int timeout_ms)
{
    listener_stop(s->listener); /* accepts no more */
    atomic_store(&s->stopping, true);
    /* open streams would never finish on their own: end them first (this also
     * resumes every suspended connection, which MHD_stop_daemon requires) */
    stream_hub_stop(s->streams);
    for (int waited = 0; atomic_load(&s->in_flight) > 0 && waited < timeout_ms; waited += 10)
        usleep(10000);
    /* answers what is still queued: nothing may stay suspended */
    write_batch_stop(s->writes);
    stop_loops(s);
    listener_free(s->listener);
    stream_hub_free(s->streams);
    metrics_free();
    free_route_names(s);
    free(s);
}

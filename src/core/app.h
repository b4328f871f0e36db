/* app: the configuration and the store handle, passed explicitly to every layer
 * (the only process-wide state besides counters for /metrics). */
#ifndef PARCOURS_CORE_APP_H
#define PARCOURS_CORE_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/db.h"

#define APP_SECRET_BYTES 32

typedef struct app_config {
    const char *db_url;          /* PARCOURS_DB, default sqlite:var/parcours.db */
    const char *http_addr;       /* PARCOURS_HTTP, default 127.0.0.1:8080 */
    const char *secret_file;     /* PARCOURS_SECRET_FILE, default var/parcours.secret */
    const char *web_root;        /* PARCOURS_WEB_ROOT, default web */
    int threads;                 /* PARCOURS_THREADS, default: number of cores */
    int http_max_conn;           /* PARCOURS_HTTP_MAX_CONN open HTTP connections, default 4096 */
    size_t max_body;             /* PARCOURS_MAX_BODY bytes, default 1 MiB */
    int64_t session_idle_ms;     /* PARCOURS_SESSION_IDLE seconds, default 30 min */
    int64_t session_max_ms;      /* PARCOURS_SESSION_MAX seconds, default 12 h */
    int login_max_failures;      /* per account in a window, PARCOURS_LOGIN_MAX_FAILURES, 5 */
    int login_max_failures_addr; /* per client address, PARCOURS_LOGIN_MAX_FAILURES_ADDR, 20 */
    int64_t login_window_ms;     /* PARCOURS_LOGIN_WINDOW seconds, default 15 min */
    bool secure_cookie;          /* PARCOURS_SECURE_COOKIE=1 behind a TLS proxy */
    int break_glass_hours;       /* PARCOURS_BREAK_GLASS_HOURS, default 24 */
    long audit_gather_us;        /* audit writer: wait this long after a commit to gather events */
    /* PARCOURS_AUDIT_SPOOL: where a serving process spools the audit events of
     * reads (store/audit_spool.h). NULL = beside a SQLite database (<file>-audit),
     * none on PostgreSQL; "off" = never */
    const char *audit_spool;
    long audit_spool_gather_us; /* the same for spooled events, default 10 ms */
    size_t max_attachment;      /* PARCOURS_MAX_ATTACHMENT bytes, default 5 MiB */
    /* HL7 v2 interface (src/hl7) */
    const char *mllp_addr; /* PARCOURS_MLLP ADDR:PORT, NULL = no listener */
    const char *s2ri_addr; /* PARCOURS_S2RI HOST:PORT, NULL = no outbound feed */
    size_t mllp_max_frame; /* PARCOURS_MLLP_MAX_FRAME bytes, default 1 MiB */
    int mllp_idle_s;       /* PARCOURS_MLLP_IDLE seconds, default 300 */
    int mllp_max_conn;     /* PARCOURS_MLLP_MAX_CONN, default 64 */
    int rupture_days;      /* PARCOURS_RUPTURE_DAYS, default 7 */
    int rupture_check_s;   /* PARCOURS_RUPTURE_CHECK seconds, default 300 */
    int s2ri_retry_max_s;  /* PARCOURS_S2RI_RETRY_MAX seconds (back-off cap), default 300 */
    int s2ri_timeout_s;    /* PARCOURS_S2RI_TIMEOUT seconds for an ACK, default 30 */
} app_config;

typedef struct audit_queue audit_queue;

typedef struct app {
    app_config cfg;
    db *db;
    unsigned char secret[APP_SECRET_BYTES]; /* keys the audit chain */
    audit_queue *audit_q;                   /* group commit of audit events (serve only), or NULL */
} app;

/* Fills cfg with defaults overridden by the PARCOURS_* environment variables. */
void app_config_defaults(app_config *cfg);

/* Reads the server secret; with create=true, makes a new random one (mode 0600)
 * when the file does not exist. Returns false with a message in err. */
bool app_load_secret(app *a, bool create, char *err, size_t errsz);

#endif

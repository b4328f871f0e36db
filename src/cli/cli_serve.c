/* parcours serve: runs the HTTP server until SIGTERM or SIGINT. */
#include "cli/cli.h"
#include "core/audit.h"
#include "hl7/hl7_outbound.h"
#include "hl7/mllp_server.h"
#include "http/server.h"
#include "store/migrate.h"
#include "store/session_store.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *SERVE_USAGE =
    "usage: parcours serve [--db URL] [--http ADDR:PORT] [options]\n"
    "\n"
    "Serves the REST API, the web application and /healthz, /metrics.\n"
    "\n"
    "  --db URL              sqlite:PATH or postgres://... (PARCOURS_DB, default sqlite:var/parcours.db)\n"
    "  --http ADDR:PORT      listening address (PARCOURS_HTTP, default 127.0.0.1:8080; port 0 = any)\n"
    "  --threads N           HTTP worker threads (PARCOURS_THREADS, default: cores)\n"
    "  --secret-file FILE    server secret made by init (PARCOURS_SECRET_FILE)\n"
    "  --web-root DIR        the web application's files (PARCOURS_WEB_ROOT, default web)\n"
    "  --session-idle SECS   idle session expiry (PARCOURS_SESSION_IDLE, default 1800)\n"
    "  --session-max SECS    absolute session expiry (PARCOURS_SESSION_MAX, default 43200)\n"
    "  --max-body BYTES      largest request body (PARCOURS_MAX_BODY, default 1048576)\n"
    "  --mllp ADDR:PORT      HL7 v2 (MLLP) listener, PAM FR events (PARCOURS_MLLP; off by default)\n"
    "  --s2ri HOST:PORT      send ADT A28/A31 of identities created or updated here to the\n"
    "                        regional identity server over MLLP (PARCOURS_S2RI; off by default)\n"
    "\n"
    "Also read from the environment: PARCOURS_LOGIN_MAX_FAILURES (per login, default 5),\n"
    "PARCOURS_LOGIN_MAX_FAILURES_ADDR (per client address, default 20),\n"
    "PARCOURS_LOGIN_WINDOW (seconds, default 900), PARCOURS_SECURE_COOKIE=1 behind TLS,\n"
    "PARCOURS_SQLITE_SYNC=FULL (commits survive a power loss, not only a crash).\n";

static void purge_sessions(app *a)
{
    arena ar;
    arena_init(&ar, 0);
    db_conn *c = db_acquire(a->db);
    session_store_purge(c, &ar, time_now_ms(), a->cfg.session_idle_ms);
    db_release(a->db, c);
    arena_free(&ar);
}

int cli_serve(int argc, char **argv)
{
    cli_opts o;
    if (!cli_parse(argc, argv, SERVE_USAGE, &o))
        return o.help ? 0 : 2;
    /* block the signals before any thread starts, so that only sigtimedwait
     * below sees them */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    /* Every audited read follows a commit, so SQLite drops and refills its
     * page cache on nearly every request; without these glibc returns that
     * memory to the kernel each time (madvise/munmap) and faults it back in. */
    mallopt(M_TRIM_THRESHOLD, 256 * 1024 * 1024);
    mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);

    app a;
    /* one connection per HTTP thread, one for housekeeping, one spare, and
     * one for each HL7 thread that writes (the MLLP committer, the outbox) */
    int hl7_conns = (o.cfg.mllp_addr ? 1 : 0) + (o.cfg.s2ri_addr ? 1 : 0);
    if (!cli_open(&a, &o, o.cfg.threads + 2 + hl7_conns, false))
        return 1;
    char err[512];
    int pending = migrate_pending(a.db, err, sizeof err);
    if (pending != 0) {
        if (pending > 0)
            fprintf(stderr, "parcours: the database needs %d migration%s: run 'parcours init'\n",
                    pending, pending == 1 ? "" : "s");
        else
            fprintf(stderr, "parcours: %s\n", err);
        cli_close(&a);
        return 1;
    }
    /* commits must not wait for checkpoints (SQLite): a thread does them */
    if (!db_checkpoint_in_background(a.db, NULL, err, sizeof err) ||
        !audit_queue_start(&a, err, sizeof err)) {
        fprintf(stderr, "parcours: %s\n", err);
        cli_close(&a);
        return 1;
    }
    http_server *s = http_server_start(&a, a.cfg.http_addr, err, sizeof err);
    if (!s) {
        fprintf(stderr, "parcours: %s\n", err);
        audit_queue_stop(&a);
        cli_close(&a);
        return 1;
    }
    mllp_server *mllp = NULL;
    hl7_outbound *outbound = NULL;
    if (a.cfg.mllp_addr && !(mllp = mllp_server_start(&a, a.cfg.mllp_addr, err, sizeof err)))
        fprintf(stderr, "parcours: %s\n", err);
    if (a.cfg.s2ri_addr && !(outbound = hl7_outbound_start(&a, a.cfg.s2ri_addr, err, sizeof err)))
        fprintf(stderr, "parcours: %s\n", err);
    if ((a.cfg.mllp_addr && !mllp) || (a.cfg.s2ri_addr && !outbound)) {
        hl7_outbound_stop(outbound);
        if (mllp)
            mllp_server_stop(mllp, 0);
        http_server_stop(s, 0);
        audit_queue_stop(&a);
        cli_close(&a);
        return 1;
    }
    if (mllp) /* before the HTTP line, which tells that the server is ready */
        printf("parcours: MLLP listening on %.*s:%d\n",
               (int)(strrchr(a.cfg.mllp_addr, ':') - a.cfg.mllp_addr), a.cfg.mllp_addr,
               mllp_server_port(mllp));

    char host[64];
    snprintf(host, sizeof host, "%s", a.cfg.http_addr);
    char *colon = strrchr(host, ':');
    if (colon)
        *colon = '\0';
    printf("parcours: listening on http://%s:%d/ (database %s, %d threads)\n", host,
           http_server_port(s), db_url_redacted(a.db), a.cfg.threads);
    fflush(stdout);
    log_info("started", "port=%d threads=%d", http_server_port(s), a.cfg.threads);

    struct timespec tick = {.tv_sec = 60};
    for (;;) {
        int sig = sigtimedwait(&stop, NULL, &tick);
        if (sig == SIGTERM || sig == SIGINT)
            break;
        purge_sessions(&a);
    }
    log_info("stopping", "%s", "in-flight requests finish first");
    if (mllp)
        mllp_server_stop(mllp, 10000);
    hl7_outbound_stop(outbound);
    http_server_stop(s, 10000);
    audit_queue_stop(&a);
    cli_close(&a);
    log_info("stopped", "%s", "bye");
    return 0;
}

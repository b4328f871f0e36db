/* audit: the append-only, hash-chained trail of every access to protected data,
 * every login and every refusal.
 *
 * Each event's hash is BLAKE2b-256 keyed with the server secret over a
 * length-prefixed encoding of its fields and the previous event's hash, so an
 * edit, a deletion or a reordering in the database breaks the chain at that
 * event, and cannot be hidden without the secret. */
#ifndef PARCOURS_CORE_AUDIT_H
#define PARCOURS_CORE_AUDIT_H

#include <stdio.h>

#include "core/ctx.h"
#include "store/audit_store.h"

/* Outcomes */
#define AUDIT_SUCCESS "success"
#define AUDIT_FAILURE "failure"
#define AUDIT_DENIED "denied"

typedef struct audit_event {
    const char *action;      /* e.g. "session.login", "user.create", "patient.read" */
    const char *outcome;     /* AUDIT_SUCCESS / AUDIT_FAILURE / AUDIT_DENIED */
    const char *object_type; /* e.g. "user", "patient" */
    const char *object_id;
    const char *patient_id;
    const char *detail;
    const char *login; /* who, when not the ctx's principal (failed logins) */
    int64_t user_id;
} audit_event;

/* Appends one event for ctx's principal, client address and request id. Inside
 * the caller's open transaction when there is one (so the event commits or
 * rolls back with the change it records), else in a transaction of its own. */
core_rc audit_record(ctx *c, const audit_event *e);

/* Starts the audit writer of a serving process (core/audit_queue.c). Events
 * recorded outside a transaction (reads, refusals) are made durable before
 * their caller goes on, one of two ways:
 *   - written to the process's audit spool (store/audit_spool.h), a file the
 *     writer moves into the trail in large groups, recording how far it got
 *     in the same transaction; the spools an earlier run left are moved here,
 *     at start. SQLite: <file>-audit (-1 … -7 for further processes on the
 *     same file); PostgreSQL: only where PARCOURS_AUDIT_SPOOL says;
 *   - else queued: one thread appends every queued event in one transaction,
 *     on its own connection, then wakes their callers (group commit).
 * Returns false on failure. */
bool audit_queue_start(app *a, char *err, size_t errsz);
/* Writes what is spooled and queued, then stops the writer. */
void audit_queue_stop(app *a);
/* Batches committed by the writer, the events they carried, and the events
 * spooled but not yet moved into the trail (0 without a writer). */
void audit_queue_stats(const app *a, uint64_t *commits, uint64_t *events, uint64_t *unmoved);

/* Deferred events (ctx.audit_defer, set by the HTTP layer): audit_record keeps
 * the events of a call outside a transaction in the call's arena and returns
 * at once; the transport then hands them to the writer with
 * audit_submit_deferred and answers only from done(arg, ok), called on the
 * writer thread once they are committed (ok) or failed. Meanwhile the worker
 * thread serves other connections instead of waiting, so one commit carries
 * the events of every request in flight. Returns false when the call recorded
 * nothing (done is not called). */
bool audit_submit_deferred(ctx *c, void (*done)(void *arg, bool ok), void *arg);
/* Writes the call's deferred events to the audit spool: 1 when they are
 * durable there (the caller may answer at once); 0 when there were none or
 * the spool is unavailable (then audit_submit_deferred); -1 when the spool
 * failed to make them durable (the caller answers 500, without the data). */
int audit_spool_deferred(ctx *c);
/* The transport says when one of its workers starts (busy) and ends (!busy)
 * running a handler, i.e. may still submit events: the writer stops gathering
 * as soon as none is, since nobody could add to the group. */
void audit_worker_busy(app *a, bool busy);

/* Computes the hash of row (its prev_hash included) as 64 hex chars into out. */
void audit_hash(const unsigned char key[APP_SECRET_BYTES], const audit_row *row, char out[65]);

typedef struct audit_report {
    int64_t checked;    /* events whose hash matched */
    int64_t broken_seq; /* first event at fault, 0 if none */
    const char *reason; /* why, for the first fault */
} audit_report;

/* Walks the whole chain in order. Returns CORE_OK when intact; CORE_CONFLICT
 * with report->broken_seq and reason at the first broken link. */
core_rc audit_verify(ctx *c, audit_report *report);

/* A page of the trail for an administrator (the reading is itself audited). */
core_rc audit_query(ctx *c, const audit_filter *f, audit_row **out, int *n, core_error *err);

#endif

/* Shared by core/audit.c (the chain, recording, verification) and
 * core/audit_queue.c (the writer of a serving process). */
#ifndef PARCOURS_CORE_AUDIT_INTERNAL_H
#define PARCOURS_CORE_AUDIT_INTERNAL_H

#include "core/audit.h"

/* Appends rows[0..n) to the chain, in order, inside conn's open transaction:
 * one head update for the lot. Sets each row's seq; leaves its hashes unset. */
db_rc audit_append_rows(const app *a, db_conn *conn, arena *ar, audit_row *rows, int n);

/* An event kept in the call's arena until the transport submits it. */
struct audit_deferred {
    audit_row row;
    struct audit_deferred *next;
};

/* Appends row through the writer of a serving process; returns once it is
 * durable (written to the spool, or committed). */
db_rc audit_queue_append(audit_queue *q, audit_row *row);
/* Returns once every event spooled or queued before the call is in the trail
 * (for readers of the trail in this process). */
void audit_queue_flush(audit_queue *q);

#endif

/* hl7_ingest: from received frames to stored messages, applied events and
 * their acknowledgements — many messages per transaction (group commit).
 *
 * Contract with the transport (mllp_server.c): a job's ack is set by
 * hl7_ingest_batch only once the transaction holding the message row and its
 * effects has committed (or, for a message that could not be stored at all,
 * to an AR asking for a retry), so an AA on the wire always means "durably
 * stored and applied". Within a batch each message is one unit of work (a
 * SAVEPOINT): a refused message (AE/AR) leaves only its row in the message
 * store, never half of its effects.
 *
 * A repeated MSH-10 from the same sender (MSH-3.1 + MSH-4.1) of a message
 * already processed or refused for its content gets the stored ack again and
 * is not applied twice; it is kept in the store as 'rejected' with a note. */
#ifndef PARCOURS_HL7_HL7_INGEST_H
#define PARCOURS_HL7_HL7_INGEST_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/app.h"
#include "hl7/hl7_message.h"
#include "hl7/pam.h"

#define HL7_JOB_HEAD_MAX 4096 /* bytes kept of a frame past the size limit */

typedef struct hl7_job {
    /* in: set by the transport */
    char *data;        /* the frame's payload (malloc'd, owned by the job) */
    size_t len;        /* bytes in data */
    bool oversized;    /* the frame passed the limit: data holds its first bytes */
    size_t frame_size; /* bytes seen of an oversized frame (at least) */
    bool truncated;    /* the connection ended inside this frame */
    char peer[64];     /* client address */
    int64_t received_at;
    /* out: set by hl7_ingest_batch */
    char *ack; /* ER7 acknowledgement without MLLP framing (malloc'd, owned) */
    size_t ack_len;
    hl7_ack_code code;
    /* the transport's own */
    void *owner;
    struct hl7_job *next;
} hl7_job;

typedef struct hl7_ingest {
    app *app;
    pam_config pam;
    size_t max_message; /* bound handed to hl7_parse */
    /* counters for logs and /metrics-like reporting */
    atomic_uint_fast64_t accepted, errors, rejected, duplicates, batches, retried;
} hl7_ingest;

/* Reads the configuration and finds the "hl7" system account (logged when
 * absent: movements are then recorded without notes). */
void hl7_ingest_init(hl7_ingest *g, app *a, size_t max_message);

/* Stores and applies jobs[0..n) in one transaction, then sets every job's
 * ack and code. If that transaction cannot commit, each job is retried in a
 * transaction of its own; a job that still fails gets an AR (ERR 207) and is
 * not acknowledged positively. Never returns before the commit. */
void hl7_ingest_batch(hl7_ingest *g, hl7_job **jobs, int n);

/* The periodic rupture check (pam_check_ruptures) on a connection of its own. */
void hl7_ingest_housekeeping(hl7_ingest *g);

void hl7_job_free(hl7_job *j);

#endif

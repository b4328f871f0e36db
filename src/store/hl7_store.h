/* hl7_store: persistence of the HL7 v2 interface — the store of received
 * messages with their answers, hospital movements (PAM FR), the outbound
 * identity feed (outbox) — and the lookup of the system account that signs
 * movement notes. Rules live in hl7/ (pam.c, hl7_ingest.c, hl7_outbound.c);
 * here is only SQL. Every function runs on the caller's connection and inside
 * its transaction when one is open. */
#ifndef PARCOURS_STORE_HL7_STORE_H
#define PARCOURS_STORE_HL7_STORE_H

#include "store/db.h"

/* ---- message store ------------------------------------------------------ */

typedef struct hl7_message_row {
    int64_t id;
    int64_t received_at;
    const char *peer;            /* client address of the MLLP connection */
    const char *sender_app;      /* MSH-3.1, "" when absent */
    const char *sender_facility; /* MSH-4.1, "" when absent */
    const char *control_id;      /* MSH-10, NULL when unreadable */
    const char *message_type;    /* "ADT^A01", NULL when unreadable */
    const char *status;          /* processed | error | rejected */
    const char *ack_code;        /* AA | AE | AR */
    const char *error;           /* why, for error and rejected (and warnings) */
    int64_t patient_id;          /* 0 = none */
    const char *raw_encoding;    /* text | base64 */
    const char *raw;
    int64_t raw_size; /* bytes as received */
    const char *ack;  /* the acknowledgement sent (ER7, CR-separated) */
} hl7_message_row;

/* The stored answer for (sender, control id) when that message was processed
 * or refused for its content: DB_NOTFOUND when never seen (or only rejected). */
db_rc hl7_store_find_answer(db_conn *c, arena *a, const char *sender_app,
                            const char *sender_facility, const char *control_id,
                            hl7_message_row *out);
/* Inserts m and sets m->id. DB_CONSTRAINT when a processed/error message with
 * the same (sender, control id) exists (a concurrent duplicate). */
db_rc hl7_store_insert_message(db_conn *c, arena *a, hl7_message_row *m);
/* Newest first, id < before (0 = newest); status NULL = any. */
db_rc hl7_store_list_messages(db_conn *c, arena *a, const char *status, int64_t before, int limit,
                              hl7_message_row **out, int *n);

/* ---- movements -------------------------------------------------------- */

typedef struct hl7_movement_row {
    int64_t id;
    int64_t patient_id;
    const char *facility;      /* sending facility (MSH-4.1) */
    const char *movement_id;   /* ZBE-1.1, NULL when absent */
    const char *visit_number;  /* PV1-19.1, NULL when absent */
    const char *event;         /* A01, A02, A03, A04, A21, A22 */
    const char *patient_class; /* PV1-2 */
    const char *unit;          /* care unit name, NULL when unknown */
    int64_t occurred_at;
    int64_t note_id; /* 0 = none */
    int64_t cancelled_at;
    const char *rupture; /* NULL | pending | ok | alerted */
    int64_t created_at, updated_at;
} hl7_movement_row;

/* By (facility, ZBE-1): DB_NOTFOUND when unknown. */
db_rc hl7_store_movement_by_key(db_conn *c, arena *a, const char *facility, const char *movement_id,
                                hl7_movement_row *out);
/* The latest movement of that event not cancelled, for the patient (and the
 * records merged into it: patient_id is the survivor) at the facility. */
db_rc hl7_store_movement_latest(db_conn *c, arena *a, int64_t patient_id, const char *facility,
                                const char *event, hl7_movement_row *out);
/* Inserts m (sets m->id). */
db_rc hl7_store_movement_insert(db_conn *c, arena *a, hl7_movement_row *m);
/* Rewrites unit, occurred_at, patient_class, visit_number, note_id, rupture. */
db_rc hl7_store_movement_update(db_conn *c, arena *a, const hl7_movement_row *m);
db_rc hl7_store_movement_cancel(db_conn *c, arena *a, int64_t id, int64_t at);
/* Discharges with rupture = 'pending', not cancelled, that occurred before
 * `before`, oldest first. */
db_rc hl7_store_ruptures_due(db_conn *c, arena *a, int64_t before, int limit,
                             hl7_movement_row **out, int *n);
/* Takes a pending discharge for checking (rupture 'pending' -> 'ok'):
 * DB_NOTFOUND when another process took it first. */
db_rc hl7_store_rupture_claim(db_conn *c, arena *a, int64_t id, int64_t at);
db_rc hl7_store_rupture_set(db_conn *c, arena *a, int64_t id, const char *state, int64_t at);

/* ---- outbox ------------------------------------------------------------- */

typedef struct hl7_outbox_row {
    int64_t id;
    int64_t patient_id;
    const char *event; /* A28 | A31 */
    const char *control_id;
    const char *message; /* ER7, CR-separated, without MLLP framing */
    const char *status;  /* pending | sent | error */
    int attempts;
    int64_t next_attempt_at;
    const char *last_error;
    const char *ack;
    int64_t created_at, sent_at;
} hl7_outbox_row;

db_rc hl7_store_outbox_insert(db_conn *c, arena *a, hl7_outbox_row *m);
/* Claims the head of the queue (the oldest pending message) for lease_ms if
 * it is due and no one else holds it: DB_NOTFOUND when there is nothing to
 * send now. Order is strict: a later message never overtakes the head. */
db_rc hl7_store_outbox_claim(db_conn *c, arena *a, int64_t now, int64_t lease_ms,
                             hl7_outbox_row *out);
/* Records an attempt: status, attempts, next attempt, error, ack, sent_at;
 * releases the lease. */
db_rc hl7_store_outbox_result(db_conn *c, arena *a, const hl7_outbox_row *m);
/* Newest first, id < before (0 = newest); status NULL = any. */
db_rc hl7_store_outbox_list(db_conn *c, arena *a, const char *status, int64_t before, int limit,
                            hl7_outbox_row **out, int *n);

/* ---- system account ------------------------------------------------------ */

/* The account with this login (id and display name). */
db_rc hl7_store_account(db_conn *c, arena *a, const char *login, int64_t *id,
                        const char **display_name);

#endif

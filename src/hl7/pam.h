/* pam: the IHE PAM events of the French extension (PAM FR 2.11) received over
 * HL7 v2, translated into core calls — identities (patients, identity_review),
 * hospital movements (journal entries that notify the care circle) and the
 * "rupture de parcours" check after a discharge.
 *
 * Events: identity feed A28 (create), A31 (update), A40 (merge, MRG-1 the
 * absorbed record's identifiers), A47 (identifier change: MRG-1 old, PID-3
 * new); movements A01, A04, A02, A03, A21, A22, their cancellations A11, A12,
 * A13, A52, A53, and Z99 (update of a movement, ZBE-4 UPDATE). Anything else
 * is answered AR (ERR 200/201 at MSH-9).
 *
 * pam_apply runs as the platform (c->who == NULL: AUTHZ_OPERATOR) on c's
 * connection, inside the caller's unit of work: on AA the caller commits the
 * unit, on AE/AR it rolls the unit back, so a refused message leaves nothing
 * behind. Nothing here talks SQL but through hl7_store (movements). */
#ifndef PARCOURS_HL7_PAM_H
#define PARCOURS_HL7_PAM_H

#include "core/ctx.h"
#include "hl7/hl7_message.h"

typedef struct pam_config {
    int64_t author_id;       /* the account that signs movement notes ("hl7") */
    const char *author_name; /* its display name */
    int64_t rupture_ms;      /* PARCOURS_RUPTURE_DAYS: delay for the PCP's note */
} pam_config;

/* What to answer. error is filled when has_error: severity 'E' with AE/AR,
 * 'W' with an AA that the sender should know about (a duplicate candidate
 * created for review, a cancellation of an unknown movement). */
typedef struct pam_result {
    hl7_ack_code code;
    bool has_error;
    hl7_ack_error error;
    int64_t patient_id; /* the record concerned (survivor), 0 if none */
    /* French, for the message store and administrators (NULL when AA) */
    const char *detail;
} pam_result;

/* Applies m (a complete, parsed message). Strings in *out live in c->arena. */
void pam_apply(ctx *c, const pam_config *cfg, const hl7_message *m, pam_result *out);

/* The periodic check: for each discharge (A03, not cancelled, not historic)
 * whose delay ran out, looks for a note by the médecin traitant (circle role
 * PCP) written since the discharge; when there is none, the circle's
 * referents (role REFERENT; the PCP when there is no referent) get an urgent
 * notification of kind "rupture". Each discharge is checked once, in a
 * transaction of its own (one that fails stays pending for the next check).
 * Returns the number of alerts raised, -1 when the due discharges cannot be
 * read. c must not be inside a transaction. */
int pam_check_ruptures(ctx *c, const pam_config *cfg, int limit);

#endif

/* hl7_outbound: the outbound identity feed — ADT A28 (created) / A31
 * (updated) of identities changed on the platform, for the regional identity
 * server (S2RI) over MLLP (`parcours serve --s2ri HOST:PORT`); the platform
 * is then an IHE PAM "Patient Identity Source".
 *
 * Outbox pattern: the message is built and queued in the database in the
 * same transaction as the change it tells of (hl7_outbox_enqueue_patient,
 * called by core/patients.c), so it exists exactly when the change was
 * committed and survives restarts. One sender thread sends the queue in
 * order, one message at a time, waiting for its ACK: AA → sent; AE/AR →
 * 'error', shown to administrators (GET /api/admin/hl7/outbox?status=error)
 * and not retried (the content was refused; retrying cannot help), the next
 * message goes on; no answer or no connection → retried with exponential
 * back-off (1 s, 2 s, 4 s ... up to PARCOURS_S2RI_RETRY_MAX) and nothing
 * behind it overtakes it. The control id (MSH-10) stays the same across
 * retries, so a receiver that deduplicates applies it once. The INS is sent
 * only for a QUAL identity (RNIV). */
#ifndef PARCOURS_HL7_HL7_OUTBOUND_H
#define PARCOURS_HL7_HL7_OUTBOUND_H

#include "core/ctx.h"
#include "store/patient_store.h"

/* Queues an A28 or A31 of p on c's connection, inside the caller's open
 * transaction. Does nothing (DB_OK) when no S2RI is configured, or when the
 * platform itself acts (c->who == NULL: the HL7 inbound feed, which must not
 * echo a hospital's identities back, and command-line imports). */
db_rc hl7_outbox_enqueue_patient(ctx *c, const patient *p, const char *event);

typedef struct hl7_outbound hl7_outbound;

/* Starts the sender thread for addr ("HOST:PORT", IPv4 or a name). */
hl7_outbound *hl7_outbound_start(app *a, const char *addr, char *err, size_t errsz);
/* Stops the sender (an exchange in progress is abandoned: the message stays
 * pending and is sent again at the next start). NULL is accepted. */
void hl7_outbound_stop(hl7_outbound *o);

#endif

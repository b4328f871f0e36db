/* hl7_admin: what administrators see of the HL7 interface — the store of
 * received messages and the outbound queue — so that refused messages (AE/AR
 * received, AE/AR answered by the identity server) are surfaced. Only
 * administrators (c->who role admin); every read is audited. */
#ifndef PARCOURS_HL7_HL7_ADMIN_H
#define PARCOURS_HL7_HL7_ADMIN_H

#include "core/ctx.h"
#include "store/hl7_store.h"

/* status: NULL, "processed", "error" or "rejected"; newest first, id < before. */
core_rc hl7_admin_messages(ctx *c, const char *status, int64_t before, int limit,
                           hl7_message_row **out, int *n, core_error *err);
/* status: NULL, "pending", "sent" or "error"; newest first, id < before. */
core_rc hl7_admin_outbox(ctx *c, const char *status, int64_t before, int limit,
                         hl7_outbox_row **out, int *n, core_error *err);

#endif

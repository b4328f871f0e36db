/* pam_internal: what pam.c (dispatch, identities) and pam_movement.c
 * (movements, ruptures) share. Not for other modules. */
#ifndef PARCOURS_HL7_PAM_INTERNAL_H
#define PARCOURS_HL7_PAM_INTERNAL_H

#include "hl7/pam.h"

/* Fills out with code and an ERR at seg-field (severity from the code: 'E',
 * or 'W' for AA) and a French detail; returns false for AE/AR so that
 * callers can `return pam_answer(...)`. */
bool pam_answer(pam_result *out, ctx *c, hl7_ack_code code, const char *seg, int field,
                int hl7_code, const char *detail);

/* The record the message's PID designates (identifiers first, then INS, then
 * traits), created when unknown. false when *out was filled with AE/AR. */
bool pam_patient_of(ctx *c, const hl7_message *m, int64_t *patient_id, pam_result *out);

/* A01..A53, Z99: the movement part of the message for patient_id. */
bool pam_apply_movement(ctx *c, const pam_config *cfg, const hl7_message *m, int64_t patient_id,
                        pam_result *out);

/* HL7 TS (YYYYMMDD[HHMM[SS[.S+]]][+/-ZZZZ]) to ms since the epoch; a time
 * without a zone is the server's local time (French senders use local time).
 * false when s is not a date. */
bool pam_ts_ms(const char *s, int64_t *ms);
/* "06/03/2024 11:00" (or "06/03/2024" without a time) from an HL7 TS, in the
 * arena; NULL when s is not a date. */
const char *pam_ts_display(arena *a, const char *s);

#endif

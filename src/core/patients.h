/* patients: patient identities under the national identitovigilance rules (RNIV):
 * validated traits, the INS and its identity status, local identifiers,
 * duplicate checks before creation, search, merge and its undoing.
 *
 * Who may act (until care circles narrow it): professionals and coordinators
 * create, search, read and update identities; coordinators (the territory's
 * identitovigilance referents) merge and dismiss duplicates; administrators
 * undo merges but never read identities (they manage accounts only). */
#ifndef PARCOURS_CORE_PATIENTS_H
#define PARCOURS_CORE_PATIENTS_H

#include "core/ctx.h"
#include "core/identity_match.h"
#include "store/patient_store.h"

#define PATIENT_MAX_IDENTIFIERS 20
#define PATIENT_MAX_GIVEN_NAMES 10

/* What a client may set. NULL = absent (on update: unchanged); "" on update
 * clears an optional trait. birth_given_names is the space-joined list. */
typedef struct patient_input {
    const char *birth_family_name;
    const char *used_family_name;
    const char *birth_given_names;
    const char *used_given_name;
    const char *sex;
    const char *birth_date;
    const char *birthplace_code;
    const char *birth_country;
    const char *address_line, *postcode, *city, *country;
    const char *phone, *phone2, *email;
    const char *ins_value, *ins_oid;
    patient_identifier identifiers[PATIENT_MAX_IDENTIFIERS];
    int nidentifiers;
    /* evidence given with a creation (see patients_set_status) */
    bool insi;
    const char *document_type;
    bool confirm_duplicate; /* create although strong candidates exist */
} patient_input;

typedef struct duplicate_hit {
    patient candidate;
    idmatch match;
} duplicate_hit;

/* Creates the identity. When strong duplicate candidates exist and the input
 * does not confirm, returns CORE_CONFLICT ("patient.possible_duplicate") with
 * them in *dups; a live record with the same INS is always CORE_CONFLICT
 * ("ins.taken"). Candidates above the review threshold are flagged. */
core_rc patients_create(ctx *c, const patient_input *in, patient *out, duplicate_hit **dups,
                        int *ndups, core_error *err);

/* The record; a merged id resolves to its survivor (*requested keeps the id
 * asked for). Audited as a read. */
core_rc patients_get(ctx *c, int64_t id, patient *out, core_error *err);

/* Changes the given traits if the record is still at expected_version
 * (CORE_CONFLICT "patient.version" otherwise). Changing a strict trait of a
 * RECUP/VALI/QUAL identity sends it back to PROV: it must be checked again. */
core_rc patients_update(ctx *c, int64_t id, int64_t expected_version, const patient_input *in,
                        patient *out, core_error *err);

/* Adds evidence: retrieved through the INSi service (needs an INS), and/or a
 * high-trust identity document checked (CNI, PASSEPORT, TITRE_SEJOUR, and for
 * minors LIVRET_FAMILLE, ACTE_NAISSANCE). The status follows the evidence
 * (PROV → RECUP/VALI → QUAL). `downgrade_to` (e.g. "PROV") lowers it instead,
 * with a reason, when a doubt is raised. Every change is recorded. */
core_rc patients_set_status(ctx *c, int64_t id, bool insi, const char *document_type,
                            const char *downgrade_to, const char *reason, patient *out,
                            core_error *err);
core_rc patients_status_history(ctx *c, int64_t id, status_change **out, int *n,
                                core_error *err);

core_rc patients_add_identifier(ctx *c, int64_t id, const patient_identifier *ident,
                                core_error *err);
core_rc patients_identifiers(ctx *c, int64_t id, patient_identifier **out, int *n,
                             core_error *err);

/* Checks the input (shared with HL7 and import paths): NULL when valid. */
core_rc patients_validate(const patient_input *in, bool creating, core_error *err);

/* Whether the principal may work on identities at all (not admins). */
bool patients_may_access(const principal *who);

#endif

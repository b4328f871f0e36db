/* circle: the patient's care circle (cercle de soins) — who takes part in the
 * care, with which role and for which periods — and the access it gives.
 *
 * Access rule (authz_patient): a professional or coordinator reads or writes a
 * patient's data only while a current member of the circle, or as a
 * coordinator of one of the patient's territories, or during an active
 * break-the-glass grant; never when the patient opposed sharing with them;
 * administrators never. Every refusal is audited. */
#ifndef PARCOURS_CORE_CIRCLE_H
#define PARCOURS_CORE_CIRCLE_H

#include "core/ctx.h"

typedef enum authz_basis {
    AUTHZ_NONE = 0,
    AUTHZ_MEMBER,
    AUTHZ_COORDINATOR,
    AUTHZ_BREAK_GLASS,
    AUTHZ_OPERATOR, /* the command line, or HL7 feeds acting for the platform */
} authz_basis;

/* Checks access to patient_id now for c->who. Follows merges: *resolved is the
 * surviving record's id (use it for reads and writes). CORE_NOTFOUND for an
 * unknown patient; CORE_FORBIDDEN (audited) otherwise refused. `action` names
 * what was attempted, for the audit trail ("note.read", ...). */
core_rc authz_patient(ctx *c, int64_t patient_id, const char *action, int64_t *resolved,
                      authz_basis *basis, core_error *err);
/* The same, also giving the ids of the records merged into the survivor and the
 * survivor itself (ascending, in the arena), read by the same statement. */
core_rc authz_patient_family(ctx *c, int64_t patient_id, const char *action, int64_t *resolved,
                             authz_basis *basis, int64_t **family, int *nfamily,
                             core_error *err);

/* User ids of the circle's current members that have an account (for
 * notification fan-out), in the arena. */
core_rc circle_member_users(ctx *c, int64_t patient_id, int64_t **users, int *n);

/* The ids of the record and of every record merged into it (so that what was
 * attached to a merged record is read with the survivor). */
core_rc circle_patient_family(ctx *c, int64_t patient_id, int64_t **ids, int *n);

#include "store/circle_store.h"

/* Role codes: PCP (médecin traitant, at most one current), REFERENT
 * (coordination referent), professions (NURSE, PHARMACIST, PHYSIO, SPECIALIST,
 * SOCIAL_WORKER, HOSPITAL, MEMBER), related persons (CAREGIVER, TRUSTED_PERSON,
 * LEGAL_GUARDIAN, ECON) and PATIENT. */
bool circle_role_valid(const char *kind, const char *role);

typedef struct member_input {
    const char *kind; /* professional | organisation | related | patient */
    const char *role;
    int64_t user_id;  /* an account (professionals) */
    int64_t professional_id;
    int64_t organisation_id;
    const char *display_name; /* required unless user_id gives it */
    const char *phone, *email;
    int64_t start_at; /* 0 = now */
    /* invite someone without an account: an invitation token is returned */
    bool invite;
} member_input;

/* Adds a membership (members and the territory's coordinators may). The new
 * member is notified. On invite, *invitation_token is the secret to hand over. */
core_rc circle_add_member(ctx *c, int64_t patient_id, const member_input *in, circle_member *out,
                          const char **invitation_token, core_error *err);
/* Ends a membership now (or at end_at); the member is notified. */
core_rc circle_end_member(ctx *c, int64_t patient_id, int64_t member_id, int64_t end_at,
                          core_error *err);
core_rc circle_list(ctx *c, int64_t patient_id, bool include_past, circle_member **out, int *n,
                    int64_t *resolved, core_error *err);
/* Adds the creator of a patient record to its circle (role MEMBER), inside the
 * caller's transaction. */
db_rc circle_add_creator(ctx *c, int64_t patient_id);

/* Break-the-glass: access outside the circle for break_glass_hours with a
 * stated reason; audited and notified to the referent and the médecin traitant. */
core_rc circle_break_glass(ctx *c, int64_t patient_id, const char *reason, int64_t *expires_at,
                           core_error *err);

/* The patient opposes sharing with one user (refused even as a member). */
core_rc circle_oppose(ctx *c, int64_t patient_id, int64_t user_id, const char *reason,
                      int64_t *id, core_error *err);
core_rc circle_lift_opposition(ctx *c, int64_t patient_id, int64_t opposition_id,
                               core_error *err);
core_rc circle_oppositions(ctx *c, int64_t patient_id, opposition_row **out, int *n,
                           core_error *err);

/* Patients whose circle the principal currently belongs to. */
core_rc circle_my_patients(ctx *c, int limit, int64_t **ids, int *n, core_error *err);

/* Turns an invitation into an account (role professional) linked to the
 * memberships made for it. */
core_rc circle_accept_invitation(ctx *c, const char *token, const char *login,
                                 const char *password, int64_t *user_id, core_error *err);

#endif

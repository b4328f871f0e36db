/* circle_store: care-circle memberships, territories and their coordinators,
 * break-the-glass grants, oppositions and invitations. */
#ifndef PARCOURS_STORE_CIRCLE_STORE_H
#define PARCOURS_STORE_CIRCLE_STORE_H

#include "store/db.h"

typedef struct circle_member {
    int64_t id;
    int64_t patient_id;
    const char *kind;
    const char *role;
    int64_t user_id;
    int64_t professional_id;
    int64_t organisation_id;
    const char *display_name;
    const char *phone;
    const char *email;
    int64_t invitation_id;
    int64_t start_at;
    int64_t end_at; /* 0 = open */
    int64_t added_by;
} circle_member;

db_rc circle_store_insert(db_conn *c, arena *a, circle_member *m);
/* Members of the patient and of the records merged into it; current ones
 * only unless include_past. Ordered by role then start. */
db_rc circle_store_list(db_conn *c, arena *a, int64_t patient_id, int64_t now,
                        bool include_past, circle_member **out, int *count);
db_rc circle_store_get(db_conn *c, arena *a, int64_t member_id, circle_member *out);
db_rc circle_store_end(db_conn *c, arena *a, int64_t member_id, int64_t end_at, int64_t by);
/* Whether user is a current member (of the record or one merged into it). */
db_rc circle_store_is_member(db_conn *c, arena *a, int64_t patient_id, int64_t user_id,
                             int64_t now, bool *member);
/* Current members linked to an account; role NULL = any role. */
db_rc circle_store_users(db_conn *c, arena *a, int64_t patient_id, int64_t now,
                         const char *role, int64_t **users, int *count);
/* Current members with that role (any kind), to enforce "one médecin traitant". */
db_rc circle_store_count_role(db_conn *c, arena *a, int64_t patient_id, const char *role,
                              int64_t now, int *count);
/* Patients of which user is a current member (for "Mes patients"), newest
 * membership first. */
db_rc circle_store_patients_of(db_conn *c, arena *a, int64_t user_id, int64_t now, int limit,
                               int64_t **patients, int *count);

/* The record and every record merged into it. */
db_rc circle_store_family(db_conn *c, arena *a, int64_t patient_id, int64_t **ids, int *n);
/* The access check of user_id on patient_id's record, in one statement: whether
 * they have an active opposition, whether they are a current member (on any
 * record of the merged family), and the family's ids (ascending). */
typedef struct circle_access {
    bool opposed, member;
    int64_t *family;
    int nfamily;
} circle_access;
db_rc circle_store_access(db_conn *c, arena *a, int64_t patient_id, int64_t user_id, int64_t now,
                          circle_access *out);

/* SQL prefix naming `family(id)`: the record given as the first parameter and
 * every record merged into it, so that what was attached to a merged record is
 * read with the survivor. */
#define FAMILY_CTE                                                                                 \
    "WITH RECURSIVE family(id) AS (SELECT CAST(? AS BIGINT) UNION SELECT p.id FROM patient p"     \
    " JOIN family f ON p.merged_into = f.id) "


db_rc territory_store_insert(db_conn *c, arena *a, const char *name, int64_t now, int64_t *id);
db_rc territory_store_add_code(db_conn *c, arena *a, int64_t territory_id, const char *code);
db_rc territory_store_assign(db_conn *c, arena *a, int64_t territory_id, int64_t user_id);
typedef struct territory {
    int64_t id;
    const char *name;
    const char *codes; /* comma-separated */
    const char *coordinators; /* comma-separated user ids */
} territory;
db_rc territory_store_list(db_conn *c, arena *a, territory **out, int *n);
/* Whether user coordinates a territory covering code (a postcode or commune). */
db_rc territory_store_covers(db_conn *c, arena *a, int64_t user_id, const char *code, bool *yes);

db_rc grant_store_insert(db_conn *c, arena *a, int64_t patient_id, int64_t user_id,
                         const char *reason, int64_t now, int64_t expires_at);
db_rc grant_store_active(db_conn *c, arena *a, int64_t patient_id, int64_t user_id,
                         int64_t now, bool *active);

db_rc opposition_store_insert(db_conn *c, arena *a, int64_t patient_id, int64_t user_id,
                              const char *reason, int64_t by, int64_t now, int64_t *id);
db_rc opposition_store_lift(db_conn *c, arena *a, int64_t opposition_id, int64_t patient_id,
                            int64_t by, int64_t now);
db_rc opposition_store_active(db_conn *c, arena *a, int64_t patient_id, int64_t user_id,
                              bool *opposed);
typedef struct opposition_row {
    int64_t id, user_id, recorded_by, created_at, lifted_at;
    const char *reason;
} opposition_row;
db_rc opposition_store_list(db_conn *c, arena *a, int64_t patient_id,
                            opposition_row **out, int *count);

typedef struct invitation_row {
    int64_t id;
    const char *display_name;
    const char *email;
    int64_t professional_id;
    int64_t expires_at;
    int64_t accepted_at;
    int64_t user_id;
} invitation_row;
db_rc invitation_store_insert(db_conn *c, arena *a, const char *token_hash,
                              const char *display_name, const char *email,
                              int64_t professional_id, int64_t by, int64_t now,
                              int64_t expires_at, int64_t *id);
db_rc invitation_store_find(db_conn *c, arena *a, const char *token_hash, invitation_row *out);
/* Marks it accepted and links every membership made for it to user_id. */
db_rc invitation_store_accept(db_conn *c, arena *a, int64_t invitation_id, int64_t user_id,
                              int64_t now);

#endif

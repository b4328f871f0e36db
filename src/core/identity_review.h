/* identity_review: finding identities — search as identitovigilance practice
 * asks, duplicate candidates with scores and reasons, their review, and merges
 * (B into A, A survives) with their undoing. */
#ifndef PARCOURS_CORE_IDENTITY_REVIEW_H
#define PARCOURS_CORE_IDENTITY_REVIEW_H

#include "core/patients.h"

#define REVIEW_MAX_CANDIDATES 500 /* rows fetched per candidate query */

typedef struct patient_query {
    const char *birth_date; /* exact (or partial 'YYYY', 'YYYY-MM') */
    const char *name;       /* prefix of the birth or used family name, any spelling */
    const char *given;      /* prefix of a given name */
    const char *ins;        /* exact INS */
    const char *identifier_system, *identifier_value;
    int limit, offset;
} patient_query;

typedef struct patient_hit {
    patient p;
    int rank; /* higher is better */
} patient_hit;

/* Ranked, paged search. Needs at least one criterion; a name of fewer than
 * two letters must come with a birth date (a search is an access: audited). */
core_rc review_search(ctx *c, const patient_query *q, patient_hit **out, int *n, bool *more,
                      core_error *err);

/* Candidate duplicates of p (live records other than exclude_id) scoring at
 * least min_score, best first. */
core_rc review_find_duplicates(ctx *c, const patient *p, int64_t exclude_id, int min_score,
                               duplicate_hit **out, int *n);

/* On demand for an existing patient (audited as a read); flags what it finds. */
core_rc review_duplicates_of(ctx *c, int64_t id, duplicate_hit **out, int *n, core_error *err);

/* The review list of open candidate pairs, paged by (a, b). */
core_rc review_list(ctx *c, int min_score, int64_t after_a, int64_t after_b, int limit,
                    duplicate_row **out, int *n, core_error *err);
/* Marks a pair as not a duplicate. Coordinators only. */
core_rc review_dismiss(ctx *c, int64_t a, int64_t b, core_error *err);

/* Merges `merged` into `survivor`: merged stops appearing in searches, its id
 * resolves to the survivor, and whatever was attached to it is read with the
 * survivor. Coordinators only; audited on both records. */
core_rc review_merge(ctx *c, int64_t survivor, int64_t merged, const char *reason,
                     core_error *err);
/* Undoes the latest merge of `merged`. Administrators only. */
core_rc review_unmerge(ctx *c, int64_t merged, int64_t *survivor, core_error *err);

#endif

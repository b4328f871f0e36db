/* identity_match: how alike two patient identities are, for identitovigilance.
 *
 * Pure functions over records whose search keys are filled (norm_*, phon_*), so
 * that they can be unit-tested and run on 1M-record candidate sets. The score is
 * 0..100 with the reasons: which traits agree, which are close, which differ. */
#ifndef PARCOURS_CORE_IDENTITY_MATCH_H
#define PARCOURS_CORE_IDENTITY_MATCH_H

#include "store/patient_store.h"
#include "util/arena.h"

/* A pair at or above this score must be confirmed before creating a record. */
#define IDMATCH_STRONG 85
/* A pair at or above this score is listed for review. */
#define IDMATCH_POTENTIAL 75

typedef enum idmatch_verdict {
    IDM_ABSENT = 0, /* one side lacks the trait */
    IDM_EQUAL,
    IDM_CLOSE, /* a typo, a swapped day/month, another of the given names... */
    IDM_DIFFERENT,
} idmatch_verdict;

typedef struct idmatch_trait {
    const char *trait; /* "ins", "birth_date", "birth_name", "given_name", "sex", "birthplace" */
    idmatch_verdict verdict;
    const char *how;   /* e.g. "day and month swapped", "used name = birth name" (or NULL) */
} idmatch_trait;

#define IDMATCH_TRAITS 6

typedef struct idmatch {
    int score;
    idmatch_trait traits[IDMATCH_TRAITS];
    int ntraits;
} idmatch;

/* Scores a against b. Distinct INS on both sides → 0; the same INS → 100. */
void idmatch_score(const patient *a, const patient *b, idmatch *out);

/* The highest score idmatch_score(a, b) can give whatever b's given names, sex
 * and birthplace: only b's birth date and family-name keys (norm_*_name,
 * phon_*_name) are read, which the birth-date index holds. Not the same-INS
 * case (100): a record holding a's INS is found by its own lookup. */
int idmatch_bound(const patient *a, const patient *b);
/* The same when only b's birth date is known (its family names may agree). */
int idmatch_bound_date(const patient *a, const char *birth_date);

/* "birth_date:equal,birth_name:close(typo),..." in the arena (stored with a
 * duplicate candidate). */
const char *idmatch_reasons(arena *ar, const idmatch *m);

/* Day and month swapped ("1980-03-12" → "1980-12-03") into out (11 bytes);
 * false when the date is partial or the swap is not a valid date. */
bool idmatch_swap_day_month(const char *date, char out[11]);

/* Search keys for a record from its traits: norm_* and phon_* set in the arena.
 * Returns false when a name cannot be normalized (the caller validated them). */
bool idmatch_fill_keys(arena *ar, patient *p);

#endif

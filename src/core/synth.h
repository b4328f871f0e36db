/* synth: synthetic French patient identities for demonstrations, tests and
 * benchmarks, with a controlled fraction of corrupted duplicates and their
 * ground truth.
 *
 * A set ("plan") of `total` records is made of `originals` distinct persons
 * (indexes 0 .. originals-1) followed by `duplicates` corrupted copies
 * (indexes originals .. total-1), each made from a different original, the way
 * a second registration of the same person looks: a typo, given names swapped
 * or missing, accents dropped, the used (married) name typed as the birth
 * name, day and month swapped. A duplicate never carries the INS (a real
 * duplicate is usually an unqualified record), is PROV, and may have lost its
 * birthplace or changed address and phone; its strict traits differ from the
 * original's only by its corruption.
 *
 * What the originals look like: embedded lists of common French family names
 * (weighted by rank, so Martin is common) and a long tail of generated
 * French-looking names (a real population has hundreds of thousands of
 * family names: a short list alone would make homonyms far too frequent);
 * accents, particles and compound names (Lefèvre, d'Artagnan, Martin-Dubois);
 * sex-consistent given names weighted by birth year (Jean in 1930, Lucas in
 * 2005), compound ones (Jean-Pierre), one to four per person; married women
 * with a used name; birth dates 1920–2025 shaped like the French population;
 * INSEE birthplace codes (communes, or 99xxx countries); addresses and phones;
 * a valid INS (demonstration OID) for about 60% of them, its NIR built from
 * sex, birth year and month and birthplace, with the identity status that the
 * evidence implies (RECUP/QUAL with an INS, PROV/VALI without).
 *
 * Determinism: record i depends only on the plan (seed, total, duplicates) and
 * i, so sets can be generated in any order or in parallel — except the INS
 * order number, made unique by synth_ins_claim() in index order. */
#ifndef PARCOURS_CORE_SYNTH_H
#define PARCOURS_CORE_SYNTH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/ctx.h"
#include "core/patients.h"
#include "util/arena.h"
#include "util/buf.h"

#define SYNTH_INS_OID "1.2.250.1.213.1.4.11" /* INS-NIR of demonstration patients */
#define SYNTH_DEFAULT_DUPLICATES 0.05
#define SYNTH_MAX_PATIENTS 100000000LL

typedef enum synth_corruption {
    SYNTH_NONE = 0,
    SYNTH_TYPO_SUBSTITUTION,  /* one letter of the birth name or first given name replaced */
    SYNTH_TYPO_INSERTION,     /* one letter added */
    SYNTH_TYPO_DELETION,      /* one letter dropped */
    SYNTH_TYPO_TRANSPOSITION, /* two adjacent letters swapped */
    SYNTH_GIVEN_SWAPPED,      /* the first two given names in the other order */
    SYNTH_GIVEN_MISSING,      /* only one of several given names recorded */
    SYNTH_ACCENTS_DROPPED,    /* Hélène -> Helene in every name */
    SYNTH_USED_NAME,          /* the used (married) name recorded as birth name */
    SYNTH_DAY_MONTH_SWAPPED,  /* 1980-03-12 -> 1980-12-03 */
    SYNTH_CORRUPTION_COUNT,
} synth_corruption;

/* Stable code of a kind, as written in truth files: "typo_substitution", ... */
const char *synth_corruption_code(synth_corruption k);

typedef struct synth_plan {
    uint64_t seed;
    int64_t total;      /* records in the set */
    int64_t duplicates; /* of which corrupted duplicates: round(total * fraction) */
    int64_t originals;  /* total - duplicates */
} synth_plan;

/* false when total is outside 1..SYNTH_MAX_PATIENTS or the fraction outside
 * 0..0.5 (each duplicate needs an original of its own). */
bool synth_plan_init(synth_plan *p, uint64_t seed, int64_t total, double dup_fraction);

typedef struct synth_record {
    int64_t index;
    patient_input in;            /* as a client would send it; strings in the arena */
    const char *identity_status; /* what the evidence in `in` implies */
    int64_t original;            /* index of the original (duplicates), else -1 */
    synth_corruption corruption; /* SYNTH_NONE for an original */
} synth_record;

/* Record `index` (0 <= index < total) of the plan, its strings in ar. Pure
 * function of (plan, index): thread-safe. */
void synth_make(const synth_plan *p, int64_t index, arena *ar, synth_record *out);

/* The set of NIRs given out so far. synth_ins_claim() changes the order number
 * of r's INS (positions 11-13) until its NIR is new, then records it; called
 * in index order it makes the set's INS unique and deterministic. Records
 * without an INS pass through. */
typedef struct synth_ins_set synth_ins_set;
synth_ins_set *synth_ins_set_new(int64_t expected);
void synth_ins_set_free(synth_ins_set *s);
void synth_ins_claim(synth_ins_set *s, synth_record *r, arena *ar);

/* The stored record, as patients_create() builds it from the same input:
 * traits, first given name, status, times, search keys (idmatch_fill_keys).
 * false when the keys cannot be computed (never for generated records). */
bool synth_to_patient(const synth_record *r, arena *ar, int64_t now_ms, patient *out);

/* One JSON body for POST /api/patients (no trailing newline). */
void synth_write_json(const synth_record *r, buf *out);

/* ---- loading a set -------------------------------------------------------- */

typedef struct synth_load_opts {
    synth_plan plan;
    bool keep_indexes;  /* keep the secondary indexes during the load (slower) */
    bool only_if_empty; /* CORE_CONFLICT "synth.not_empty" when patients exist */
    FILE *truth;        /* "original_id,duplicate_id,kind" lines, or NULL */
} synth_load_opts;

typedef struct synth_report {
    int64_t loaded, duplicates;
    int64_t first_id, last_id;
    int64_t existing;  /* patients already there */
    bool kept_indexes; /* indexes maintained row by row (asked, or a big table) */
    int64_t by_kind[SYNTH_CORRUPTION_COUNT];
    double seconds;          /* wall clock of the whole load, commit included */
    double generate_seconds; /* generation thread busy time (overlaps the inserts) */
    double insert_seconds;   /* inserting rows (waiting for generated batches included) */
    double index_seconds;    /* recreating the secondary indexes */
    double commit_seconds;   /* status history, audit event, commit */
} synth_report;

/* Validates every record with patients_validate(), computes its search keys
 * and loads the set through patient_bulk in one transaction, with one
 * "patient.bulk_load" audit event (not one per patient). Ids are consecutive
 * from rep->first_id; the truth file names records by id. The caller's ctx
 * gives the connection (not in a transaction). */
core_rc synth_load(ctx *c, const synth_load_opts *o, synth_report *rep, core_error *err);

#endif

/* patient_store: persistence of patient identities, local identifiers, status
 * history, merges and duplicate candidates. Rules live in core/patients.c. */
#ifndef PARCOURS_STORE_PATIENT_STORE_H
#define PARCOURS_STORE_PATIENT_STORE_H

#include "store/db.h"

typedef struct patient {
    int64_t id;
    const char *birth_family_name;
    const char *used_family_name;
    const char *birth_given_names;
    const char *first_given_name;
    const char *used_given_name;
    const char *sex; /* M | F | I */
    const char *birth_date;
    const char *birthplace_code;
    const char *birth_country;
    const char *address_line;
    const char *postcode;
    const char *city;
    const char *country;
    const char *phone;
    const char *phone2;
    const char *email;
    const char *ins_value;
    const char *ins_oid;
    const char *identity_status;
    int64_t merged_into;
    /* search keys, derived from the traits by core */
    const char *norm_birth_name;
    const char *norm_used_name;
    const char *norm_first_given;
    const char *norm_given_names;
    const char *norm_used_given;
    const char *phon_birth_name;
    const char *phon_used_name;
    const char *phon_first_given;
    int64_t version;
    int64_t created_by;
    int64_t created_at;
    int64_t updated_at;
} patient;

typedef struct patient_identifier {
    const char *system; /* assigning authority, e.g. "CHU-X" or an OID */
    const char *value;
    const char *type;   /* PI (patient internal) by default */
    int64_t patient_id;
} patient_identifier;

typedef struct patient_list {
    patient *items;
    int n;
} patient_list;

db_rc patient_store_insert(db_conn *c, arena *a, patient *p);
/* Writes every trait of p if its version is still expected_version, and
 * increments it. DB_NOTFOUND when the record changed meanwhile (or is gone). */
db_rc patient_store_update(db_conn *c, arena *a, const patient *p, int64_t expected_version);
db_rc patient_store_get(db_conn *c, arena *a, int64_t id, patient *out);
/* The live record (not merged) carrying this INS. */
db_rc patient_store_by_ins(db_conn *c, arena *a, const char *ins, patient *out);
/* The patient id an identifier was given to (possibly a merged record). */
db_rc patient_store_by_identifier(db_conn *c, arena *a, const char *system, const char *value,
                                  int64_t *patient_id);
db_rc patient_store_add_identifier(db_conn *c, arena *a, int64_t patient_id,
                                   const patient_identifier *id);
/* Identifiers of the patient and of every record merged into it. */
db_rc patient_store_identifiers(db_conn *c, arena *a, int64_t patient_id,
                                patient_identifier **out, int *n);

/* Candidate queries, live records only, at most limit each. */
db_rc patient_store_by_birth_dates(db_conn *c, arena *a, const char *d1, const char *d2,
                                   int limit, patient_list *out);
/* The same records as patient_store_by_birth_dates, read from the birth-date
 * index alone: only id, birth_date and the family-name keys (norm_birth_name,
 * norm_used_name, phon_birth_name, phon_used_name) are set. */
db_rc patient_store_birth_keys(db_conn *c, arena *a, const char *d1, const char *d2, int limit,
                               patient_list *out);
/* Normalized birth or used name starting with prefix (A-Z only). */
/* Live records born on date whose birth or used name starts with prefix, or
 * whose phonetic key is phon ("" matches none). */
db_rc patient_store_by_birth_date_name(db_conn *c, arena *a, const char *date, const char *prefix,
                                      const char *phon, int limit, patient_list *out);
db_rc patient_store_by_name_prefix(db_conn *c, arena *a, const char *prefix, int limit,
                                   patient_list *out);
/* Same phonetic birth-name key and a birth date starting with year. */
db_rc patient_store_by_phonetic_year(db_conn *c, arena *a, const char *phon, const char *year,
                                     int limit, patient_list *out);
/* The records of that query, merged ones included, from the phonetic index
 * alone: only id and birth_date are set. */
db_rc patient_store_phonetic_year_keys(db_conn *c, arena *a, const char *phon, const char *year,
                                       int limit, patient_list *out);

db_rc patient_store_record_status(db_conn *c, arena *a, int64_t patient_id, const char *from,
                                  const char *to, bool insi, const char *document_type,
                                  const char *reason, int64_t user_id, int64_t at);
typedef struct status_change {
    const char *from_status, *to_status, *document_type, *reason;
    bool insi;
    int64_t user_id, at;
} status_change;
db_rc patient_store_status_history(db_conn *c, arena *a, int64_t patient_id,
                                   status_change **out, int *n);

/* Marks merged as merged into survivor and records the merge. */
db_rc patient_store_merge(db_conn *c, arena *a, int64_t survivor, int64_t merged,
                          const char *reason, int64_t user_id, int64_t at);
/* Undoes the latest merge of `merged`; DB_NOTFOUND when it is not merged. */
db_rc patient_store_unmerge(db_conn *c, arena *a, int64_t merged, int64_t user_id, int64_t at,
                            int64_t *survivor);
/* Follows merged_into to the surviving record (at most 16 hops). */
db_rc patient_store_resolve(db_conn *c, arena *a, int64_t id, int64_t *survivor);

typedef struct duplicate_row {
    int64_t patient_a, patient_b;
    int score; /* 0..100 */
    const char *reasons;
    const char *status;
    int64_t found_at;
} duplicate_row;
/* Records (or refreshes) an open candidate pair, a < b. */
db_rc patient_store_flag_duplicate(db_conn *c, arena *a, int64_t pa, int64_t pb, int score,
                                   const char *reasons, int64_t at);
db_rc patient_store_list_duplicates(db_conn *c, arena *a, const char *status, int min_score,
                                    int64_t after_a, int64_t after_b, int limit,
                                    duplicate_row **out, int *n);
db_rc patient_store_decide_duplicate(db_conn *c, arena *a, int64_t pa, int64_t pb,
                                     const char *status, int64_t user_id, int64_t at);

#endif

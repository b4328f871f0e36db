/* directory_store: persistence of the directory of professionals and
 * organisations (tables directory_professional, directory_organisation,
 * directory_activity). Dumb SQL: keys (norm_*) and validation come from
 * core/directory.c. Strings of results live in the arena passed in. */
#ifndef PARCOURS_STORE_DIRECTORY_STORE_H
#define PARCOURS_STORE_DIRECTORY_STORE_H

#include "store/db.h"

typedef struct dir_professional {
    int64_t id;
    const char *idnps;      /* id_type + identifier */
    const char *id_type;    /* "8" RPPS, "0" ADELI */
    const char *identifier; /* the RPPS or ADELI number */
    const char *civility;
    const char *family_name;
    const char *given_name;
    const char *norm_name; /* see migrations/.../0003_directory.sql */
    const char *profession_code;
    const char *profession_label;
    const char *specialty_code;
    const char *specialty_label;
    const char *phone;
    const char *mobile;
    const char *mssante;
    const char *source; /* import | manual */
    const char *town;   /* search results only: the town of the first activity */
    int64_t created_at;
    int64_t updated_at;
} dir_professional;

typedef struct dir_organisation {
    int64_t id;
    const char *import_key; /* NULL for manual entries */
    const char *finess;
    const char *finess_legal;
    const char *siret;
    const char *name;
    const char *norm_name;
    const char *kind;
    const char *address;
    const char *postcode;
    const char *town;
    const char *norm_town;
    const char *phone;
    const char *email;
    const char *source;
    int64_t created_at;
    int64_t updated_at;
} dir_organisation;

/* A place of practice: a professional at an organisation. */
typedef struct dir_activity {
    int64_t id;
    int64_t professional_id;
    int64_t organisation_id;
    const char *mode_code;
    const char *mode_label;
    const char *sector_label;
    const char *source;
    dir_organisation org; /* filled by directory_store_activities */
} dir_activity;

/* A professional practising at an organisation (directory_store_members). */
typedef struct dir_member {
    dir_professional pro;
    const char *mode_label;
} dir_member;

/* Search of professionals: norm_name in [lo1, hi1) or, when lo2 is set, in
 * [lo2, hi2); profession_code equal to `profession` unless NULL; practising in
 * an organisation whose norm_town is in [town_lo, town_hi) unless town_lo is
 * NULL; after the row (after_key, after_id) in (norm_name, id) order ("" and 0
 * for the first page). At most limit rows. */
typedef struct dir_pro_filter {
    const char *lo1, *hi1, *lo2, *hi2;
    const char *profession;
    const char *town_lo, *town_hi;
    const char *after_key;
    int64_t after_id;
    int limit;
} dir_pro_filter;

/* Search of organisations: by norm_name range, or by an exact identifier
 * (FINESS of the site or legal entity, or SIRET) when `identifier` is set. */
typedef struct dir_org_filter {
    const char *lo, *hi;
    const char *identifier;
    const char *town_lo, *town_hi;
    const char *after_key;
    int64_t after_id;
    int limit;
} dir_org_filter;

/* ---- professionals ---- */

/* Inserts a manual entry (p->id is set). DB_CONSTRAINT: the idnps exists. */
db_rc directory_store_professional_insert(db_conn *c, arena *a, dir_professional *p);
/* Rewrites every mutable column of row p->id. DB_NOTFOUND when absent. */
db_rc directory_store_professional_update(db_conn *c, arena *a, const dir_professional *p);
db_rc directory_store_professional_by_id(db_conn *c, arena *a, int64_t id, dir_professional *out);
/* *out is an arena array of *n rows. */
db_rc directory_store_professional_search(db_conn *c, arena *a, const dir_pro_filter *f,
                                          dir_professional **out, int *n);
/* The organisations where professional pro_id practises, by name; at most limit. */
db_rc directory_store_activities(db_conn *c, arena *a, int64_t pro_id, int limit,
                                 dir_activity **out, int *n);
/* Replaces the professional's places of practice by the organisations given
 * (manual entries; duplicates in ids are ignored). Inside the caller's
 * transaction. */
db_rc directory_store_set_activities(db_conn *c, arena *a, int64_t pro_id, const int64_t *ids,
                                     int nids, int64_t now);

/* ---- organisations ---- */

db_rc directory_store_organisation_insert(db_conn *c, arena *a, dir_organisation *o);
db_rc directory_store_organisation_by_id(db_conn *c, arena *a, int64_t id, dir_organisation *out);
/* An organisation already holding this FINESS or SIRET (either may be NULL):
 * DB_OK with *id and *field ("finess" or "siret"), DB_NOTFOUND otherwise. */
db_rc directory_store_organisation_find(db_conn *c, arena *a, const char *finess, const char *siret,
                                        int64_t *id, const char **field);
db_rc directory_store_organisation_search(db_conn *c, arena *a, const dir_org_filter *f,
                                          dir_organisation **out, int *n);
/* Professionals practising at organisation org_id, by name; at most limit. */
db_rc directory_store_members(db_conn *c, arena *a, int64_t org_id, int limit, dir_member **out,
                              int *n);

/* ---- import (upserts keyed by idnps, import_key, (professional, organisation)) ----
 * Each sets *id and *inserted (true when the row is new, false when it existed
 * and was rewritten). update_first: try the UPDATE before the INSERT (the
 * caller expects the row to exist): one round trip instead of two when right.
 * They never raise a constraint error on a duplicate key, so that a
 * PostgreSQL batch transaction is not aborted by one. */
db_rc directory_store_import_professional(db_conn *c, arena *a, const dir_professional *p,
                                          int64_t now, bool update_first, int64_t *id,
                                          bool *inserted);
db_rc directory_store_import_organisation(db_conn *c, arena *a, const dir_organisation *o,
                                          int64_t now, bool update_first, int64_t *id,
                                          bool *inserted);
db_rc directory_store_import_activity(db_conn *c, arena *a, const dir_activity *act, int64_t now,
                                      bool update_first, bool *inserted);

#endif

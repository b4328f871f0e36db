/* directory: the directory of health professionals and organisations
 * (DOMAIN.md §3) — search, manual entries and the link between an account and
 * a professional. Identifier formats and search keys: core/directory_format.h.
 *
 * Who may do what: every signed-in user searches and reads the directory (it
 * is public data, not patient data, so reads are not audited); only
 * administrators (or the command line, where ctx->who is NULL) create and
 * change entries and link accounts, and those writes are audited. The bulk
 * import of the national extraction lives in core/directory_import.h. */
#ifndef PARCOURS_CORE_DIRECTORY_H
#define PARCOURS_CORE_DIRECTORY_H

#include "core/ctx.h"
#include "core/directory_format.h"
#include "store/account_store.h"
#include "store/directory_store.h"

#define DIRECTORY_OID_IDNPS "1.2.250.1.71.4.2.1"
#define DIRECTORY_MAX_NAME 200  /* bytes: family, given and organisation names */
#define DIRECTORY_MAX_LABEL 200 /* profession, specialty, type, civility labels */
#define DIRECTORY_MAX_ADDRESS 300
#define DIRECTORY_MAX_TOWN 100
#define DIRECTORY_MAX_QUERY 200        /* bytes of q and town in a search */
#define DIRECTORY_MAX_ORGANISATIONS 20 /* places of practice set by hand */
#define DIRECTORY_MAX_ACTIVITIES 100   /* listed with a professional */
#define DIRECTORY_MAX_MEMBERS 200      /* listed with an organisation */

/* ---- search ---- */

typedef struct directory_query {
    const char *q;          /* name prefix ("martin", "martin cl", "dupont-lef"); NULL = all */
    const char *profession; /* TRE_G15 code; NULL = any */
    const char *town;       /* town name prefix; NULL = anywhere */
    int64_t after_id;       /* cursor: the last id of the previous page, 0 for the first */
    int limit;
} directory_query;

/* Professionals by name (family name, then given name: exact family names come
 * before longer ones). CORE_INVALID ("query.invalid", field) for a q, town or
 * profession that cannot match anything valid; an unknown cursor too. */
core_rc directory_search_professionals(ctx *c, const directory_query *in, dir_professional **out,
                                       int *n, core_error *err);
/* Organisations by name prefix, or by FINESS/SIRET when q is one. */
core_rc directory_search_organisations(ctx *c, const directory_query *in, dir_organisation **out,
                                       int *n, core_error *err);

/* A professional and where they practise (at most DIRECTORY_MAX_ACTIVITIES). */
core_rc directory_get_professional(ctx *c, int64_t id, dir_professional *out, dir_activity **acts,
                                   int *nacts, core_error *err);
/* An organisation and who practises there (at most DIRECTORY_MAX_MEMBERS + 1,
 * so that the caller can tell the list was cut). */
core_rc directory_get_organisation(ctx *c, int64_t id, dir_organisation *out, dir_member **members,
                                   int *nmembers, core_error *err);

/* ---- manual entries (administrators) ---- */

/* One member of a create/update request: set=false when absent; set=true with
 * value NULL (or "") clears an optional member. */
typedef struct dir_opt {
    bool set;
    const char *value;
} dir_opt;

typedef struct dir_professional_input {
    dir_opt rpps, adeli; /* exactly one on creation; never on update */
    dir_opt civility, family_name, given_name;
    dir_opt profession_code, profession_label, specialty_code, specialty_label;
    dir_opt phone, mobile, mssante;
    bool organisations_set; /* replace the places of practice with these */
    const int64_t *organisation_ids;
    int norganisations;
} dir_professional_input;

/* Validates the members set in `in` and applies them to p (which holds the
 * current values on update; strings stay in `in` or go to arena a), then
 * recomputes p->norm_name. Does not look at rpps/adeli. Shared with the
 * import, so that a file and the API obey the same rules. */
core_rc directory_check_professional(arena *a, const dir_professional_input *in,
                                     dir_professional *p, core_error *err);

/* CORE_CONFLICT "professional.exists" when the RPPS/ADELI is already there. */
core_rc directory_create_professional(ctx *c, const dir_professional_input *in,
                                      dir_professional *out, core_error *err);
/* Changes the members set in `in`; the identifier cannot change. */
core_rc directory_update_professional(ctx *c, int64_t id, const dir_professional_input *in,
                                      dir_professional *out, core_error *err);

typedef struct dir_organisation_input {
    const char *name; /* required */
    const char *finess, *finess_legal, *siret, *kind;
    const char *address, *postcode, *town, *phone, *email;
} dir_organisation_input;

/* Validates in and fills o (keys included, phone normalised); o's strings are
 * in's or in arena a. Shared with the import. */
core_rc directory_check_organisation(arena *a, const dir_organisation_input *in,
                                     dir_organisation *o, core_error *err);

/* CORE_CONFLICT "organisation.exists" when the FINESS or SIRET is taken. */
core_rc directory_create_organisation(ctx *c, const dir_organisation_input *in,
                                      dir_organisation *out, core_error *err);

/* Links account user_id to professional_id (0 unlinks). CORE_NOTFOUND for an
 * unknown account; CORE_INVALID "professional.not_found" for an unknown
 * professional; CORE_CONFLICT "professional.linked" when another account is
 * linked to it already. *out receives the account (no password hash). */
core_rc directory_link_account(ctx *c, int64_t user_id, int64_t professional_id, account *out,
                               core_error *err);

#endif

#include "core/directory_import.h"
#include "core/accounts.h"
#include "core/audit.h"
#include "core/directory.h"
#include "util/alloc.h"
#include "util/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- columns ------------------------------------------------------------------ */

static const struct {
    const char *name;
    const char *alias; /* the same column in older extractions */
    bool required;
} columns[DIC_COUNT] = {
    [DIC_ID_TYPE] = {"Type d'identifiant PP", NULL, true},
    [DIC_ID] = {"Identifiant PP", NULL, true},
    [DIC_IDNPS] = {"Identification nationale PP", NULL, true},
    [DIC_CIVILITY] = {"Libellé civilité d'exercice", "Libellé civilité exercice", false},
    [DIC_CIVILITY_PLAIN] = {"Libellé civilité", NULL, false},
    [DIC_FAMILY] = {"Nom d'exercice", NULL, true},
    [DIC_GIVEN] = {"Prénom d'exercice", NULL, true},
    [DIC_PROFESSION_CODE] = {"Code profession", NULL, true},
    [DIC_PROFESSION_LABEL] = {"Libellé profession", NULL, false},
    [DIC_SKILL_CODE] = {"Code savoir-faire", NULL, false},
    [DIC_SKILL_LABEL] = {"Libellé savoir-faire", NULL, false},
    [DIC_MODE_CODE] = {"Code mode exercice", NULL, false},
    [DIC_MODE_LABEL] = {"Libellé mode exercice", NULL, false},
    [DIC_SIRET] = {"Numéro SIRET site", NULL, false},
    [DIC_FINESS] = {"Numéro FINESS site", NULL, false},
    [DIC_FINESS_LEGAL] = {"Numéro FINESS établissement juridique", NULL, false},
    [DIC_STRUCTURE] = {"Identifiant technique de la structure", "Identifiant structure", false},
    [DIC_ORG_NAME] = {"Raison sociale site", NULL, false},
    [DIC_ORG_SIGN] = {"Enseigne commerciale site", NULL, false},
    [DIC_ADDRESS_COMPLEMENT] = {"Complément point géographique (coord. structure)", NULL, false},
    [DIC_STREET_NUMBER] = {"Numéro Voie (coord. structure)", NULL, false},
    [DIC_STREET_REPEAT] = {"Indice répétition voie (coord. structure)", NULL, false},
    [DIC_STREET_TYPE] = {"Libellé type de voie (coord. structure)", NULL, false},
    [DIC_STREET] = {"Libellé Voie (coord. structure)", NULL, false},
    [DIC_DISTRIBUTION] = {"Mention distribution (coord. structure)", NULL, false},
    [DIC_POSTCODE] = {"Code postal (coord. structure)", NULL, false},
    [DIC_TOWN] = {"Libellé commune (coord. structure)", NULL, false},
    [DIC_PHONE] = {"Téléphone (coord. structure)", NULL, false},
    [DIC_EMAIL] = {"Adresse e-mail (coord. structure)", NULL, false},
    [DIC_SECTOR] = {"Libellé secteur d'activité", NULL, false},
};

#define MAX_HEADER_FIELDS 1024

const char *directory_import_column_name(dir_import_col col)
{
    return (unsigned)col < DIC_COUNT ? columns[col].name : "?";
}

/* Trims spaces at both ends of the NUL-terminated field at p (in place). */
static char *trim(char *p)
{
    while (*p == ' ')
        p++;
    size_t n = strlen(p);
    while (n > 0 && p[n - 1] == ' ')
        p[--n] = '\0';
    return p;
}

static void strip_cr(char *line, size_t *len)
{
    if (*len > 0 && line[*len - 1] == '\r')
        line[--*len] = '\0';
}

core_rc directory_import_header(arena *a, char *line, size_t len, dir_import_columns *cols,
                                core_error *err)
{
    if (len >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0) {
        line += 3;
        len -= 3;
    }
    strip_cr(line, &len);
    if (memchr(line, '\0', len) || !utf8_valid(line, len))
        return core_fail(err, CORE_INVALID, "header.utf8", NULL,
                         "L'en-tête n'est pas de l'UTF-8 valide (fichier en Latin-1 ?).");
    for (int i = 0; i < DIC_COUNT; i++)
        cols->at[i] = -1;
    int n = 0;
    char *end = line + len;
    for (char *p = line;; n++) {
        if (n == MAX_HEADER_FIELDS)
            return core_fail(err, CORE_INVALID, "header.fields", NULL,
                             "L'en-tête compte trop de colonnes.");
        char *bar = memchr(p, '|', (size_t)(end - p));
        *(bar ? bar : end) = '\0';
        const char *name = trim(p);
        for (int i = 0; i < DIC_COUNT; i++)
            if (cols->at[i] < 0 && (strcmp(name, columns[i].name) == 0 ||
                                    (columns[i].alias && strcmp(name, columns[i].alias) == 0)))
                cols->at[i] = n;
        if (!bar)
            break;
        p = bar + 1;
    }
    cols->count = n + 1;
    for (int i = 0; i < DIC_COUNT; i++)
        if (columns[i].required && cols->at[i] < 0)
            return core_fail(
                err, CORE_INVALID, "header.column_missing", columns[i].name,
                arena_printf(a,
                             "La colonne « %s » manque dans l'en-tête : ce fichier "
                             "n'est pas une extraction PS_LibreAcces_Personne_activite, "
                             "ou son format a changé.",
                             columns[i].name));
    return CORE_OK;
}

/* ---- one line ------------------------------------------------------------------ */

static core_rc reject(core_error *err, const char *code, dir_import_col col, const char *message)
{
    return core_fail(err, CORE_INVALID, code, col < DIC_COUNT ? columns[col].name : NULL, message);
}

/* Which column a field of the API's validation stands for. */
static dir_import_col column_of_field(const char *field, bool organisation)
{
    static const struct {
        const char *field;
        dir_import_col col;
    } pro[] =
        {
            {"civility", DIC_CIVILITY},
            {"family_name", DIC_FAMILY},
            {"given_name", DIC_GIVEN},
            {"profession_code", DIC_PROFESSION_CODE},
            {"profession_label", DIC_PROFESSION_LABEL},
            {"specialty_code", DIC_SKILL_CODE},
            {"specialty_label", DIC_SKILL_LABEL},
        },
      org[] = {
          {"name", DIC_ORG_NAME},     {"finess", DIC_FINESS}, {"finess_legal", DIC_FINESS_LEGAL},
          {"siret", DIC_SIRET},       {"type", DIC_SECTOR},   {"address", DIC_STREET},
          {"postcode", DIC_POSTCODE}, {"town", DIC_TOWN},     {"phone", DIC_PHONE},
          {"email", DIC_EMAIL},
      };
    size_t n = organisation ? sizeof org / sizeof org[0] : sizeof pro / sizeof pro[0];
    for (size_t i = 0; field && i < n; i++) {
        const char *f = organisation ? org[i].field : pro[i].field;
        if (strcmp(f, field) == 0)
            return organisation ? org[i].col : pro[i].col;
    }
    return DIC_COUNT;
}

/* Rewrites a validation error of the shared rules in terms of the file. */
static core_rc in_file_terms(arena *a, core_rc rc, core_error *err, bool organisation)
{
    dir_import_col col = column_of_field(err->field, organisation);
    if (col < DIC_COUNT) {
        err->field = columns[col].name;
        err->message = arena_printf(a, "« %s » : %s", columns[col].name, err->message);
    }
    return rc;
}

/* "12 B Rue de la Paix, Bâtiment A, BP 12": the site's address on one line. */
static const char *address_of(arena *a, const char *const *v)
{
    const char *parts[] = {v[DIC_STREET_NUMBER], v[DIC_STREET_REPEAT], v[DIC_STREET_TYPE],
                           v[DIC_STREET]};
    const char *line = "";
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        if (*parts[i])
            line = arena_printf(a, "%s%s%s", line, *line ? " " : "", parts[i]);
    if (*v[DIC_ADDRESS_COMPLEMENT])
        line = arena_printf(a, "%s%s%s", line, *line ? ", " : "", v[DIC_ADDRESS_COMPLEMENT]);
    if (*v[DIC_DISTRIBUTION])
        line = arena_printf(a, "%s%s%s", line, *line ? ", " : "", v[DIC_DISTRIBUTION]);
    return directory_nonempty(line);
}

static core_rc parse_organisation(arena *a, const char *const *v, dir_import_row *row,
                                  core_error *err)
{
    const char *key = NULL;
    if (*v[DIC_STRUCTURE])
        key = v[DIC_STRUCTURE];
    else if (*v[DIC_SIRET])
        key = arena_printf(a, "siret:%s", v[DIC_SIRET]);
    else if (*v[DIC_FINESS])
        key = arena_printf(a, "finess:%s", v[DIC_FINESS]);
    if (!key)
        return CORE_OK; /* no place of practice on this line */
    const char *name = *v[DIC_ORG_NAME] ? v[DIC_ORG_NAME] : v[DIC_ORG_SIGN];
    if (!*name)
        name = arena_printf(a, "Cabinet de %s%s%s", v[DIC_GIVEN], *v[DIC_GIVEN] ? " " : "",
                            v[DIC_FAMILY]);
    dir_organisation_input in = {
        .name = name,
        .finess = v[DIC_FINESS],
        .finess_legal = v[DIC_FINESS_LEGAL],
        .siret = v[DIC_SIRET],
        .kind = v[DIC_SECTOR],
        .address = address_of(a, v),
        .postcode = v[DIC_POSTCODE],
        .town = v[DIC_TOWN],
        .phone = v[DIC_PHONE],
        .email = v[DIC_EMAIL],
    };
    core_rc rc = directory_check_organisation(a, &in, &row->org, err);
    if (rc != CORE_OK)
        return in_file_terms(a, rc, err, true);
    row->org.import_key = key;
    row->act.mode_code = directory_nonempty(v[DIC_MODE_CODE]);
    row->act.mode_label = directory_nonempty(v[DIC_MODE_LABEL]);
    row->act.sector_label = directory_nonempty(v[DIC_SECTOR]);
    row->has_org = true;
    return CORE_OK;
}

core_rc directory_import_parse(arena *a, const dir_import_columns *cols, char *line, size_t len,
                               dir_import_row *row, core_error *err)
{
    memset(row, 0, sizeof *row);
    if (memchr(line, '\0', len))
        return reject(err, "line.nul", DIC_COUNT, "La ligne contient un octet nul.");
    strip_cr(line, &len);
    if (!utf8_valid(line, len))
        return reject(err, "line.utf8", DIC_COUNT, "La ligne n'est pas de l'UTF-8 valide.");
    int n = 1;
    for (size_t i = 0; i < len; i++)
        n += line[i] == '|';
    if (n != cols->count)
        return reject(
            err, "line.fields", DIC_COUNT,
            arena_printf(a, "%d champs au lieu de %d (séparateur « | »).", n, cols->count));
    char **fields = arena_alloc(a, sizeof *fields * (size_t)n);
    char *p = line;
    for (int i = 0; i < n; i++) {
        char *bar = strchr(p, '|');
        if (bar)
            *bar = '\0';
        fields[i] = p;
        p = bar ? bar + 1 : p + strlen(p);
    }
    const char *v[DIC_COUNT];
    for (int c = 0; c < DIC_COUNT; c++) {
        v[c] = cols->at[c] < 0 ? "" : trim(fields[cols->at[c]]);
        for (const char *q = v[c]; *q; q++)
            if ((unsigned char)*q < 0x20 || *q == 0x7f)
                return reject(
                    err, "line.control", (dir_import_col)c,
                    arena_printf(a, "Caractère de contrôle dans « %s ».", columns[c].name));
        if (strlen(v[c]) > DIRECTORY_IMPORT_MAX_FIELD)
            return reject(err, "field.too_long", (dir_import_col)c,
                          arena_printf(a, "« %s » dépasse %d octets.", columns[c].name,
                                       DIRECTORY_IMPORT_MAX_FIELD));
    }

    const char *type = v[DIC_ID_TYPE], *id = v[DIC_ID];
    if (strcmp(type, "8") == 0) {
        if (!directory_rpps_valid(id))
            return reject(err, "rpps.invalid", DIC_ID,
                          arena_printf(a, "RPPS « %.20s » invalide : 11 chiffres attendus.", id));
    } else if (strcmp(type, "0") == 0) {
        if (!directory_adeli_valid(id))
            return reject(err, "adeli.invalid", DIC_ID,
                          arena_printf(a, "ADELI « %.20s » invalide : 9 caractères attendus.", id));
    } else {
        return reject(err, "identifier.type", DIC_ID_TYPE,
                      arena_printf(a,
                                   "Type d'identifiant « %.20s » inconnu : 8 (RPPS) ou 0 "
                                   "(ADELI).",
                                   type));
    }
    row->pro.id_type = type;
    row->pro.identifier = id;
    row->pro.idnps = arena_printf(a, "%s%s", type, id);
    if (*v[DIC_IDNPS] && strcmp(v[DIC_IDNPS], row->pro.idnps) != 0)
        return reject(err, "idnps.mismatch", DIC_IDNPS,
                      arena_printf(a, "Identification nationale « %.20s » au lieu de « %s ».",
                                   v[DIC_IDNPS], row->pro.idnps));
    dir_professional_input in = {
        .civility = {true, *v[DIC_CIVILITY] ? v[DIC_CIVILITY] : v[DIC_CIVILITY_PLAIN]},
        .family_name = {true, v[DIC_FAMILY]},
        .given_name = {true, v[DIC_GIVEN]},
        .profession_code = {true, v[DIC_PROFESSION_CODE]},
        .profession_label = {true, v[DIC_PROFESSION_LABEL]},
        .specialty_code = {true, v[DIC_SKILL_CODE]},
        .specialty_label = {true, v[DIC_SKILL_LABEL]},
    };
    core_rc rc = directory_check_professional(a, &in, &row->pro, err);
    if (rc != CORE_OK)
        return in_file_terms(a, rc, err, false);
    return parse_organisation(a, v, row, err);
}

/* ---- the import ------------------------------------------------------------------ */

/* Organisation ids already written in this run, by import key: a structure
 * where 40 professionals practise is written once, not 40 times. Direct-mapped
 * (a collision just costs one more upsert), so its size never grows: 3 MiB,
 * touched only as far as the file has structures. */
#define ORG_CACHE_SLOTS 65536

typedef struct org_cache_slot {
    char key[40];
    int64_t id;
} org_cache_slot;

struct dir_import {
    ctx *c;
    const char *source;
    dir_import_columns cols;
    arena line;         /* parsing and results of the current line */
    int lines_in_batch; /* lines since the last commit, rejected ones included */
    bool tx_open;
    dir_import_counts done;    /* committed (read and rejected count at once) */
    dir_import_counts pending; /* written in the open transaction */
    char last_idnps[16];       /* lines of one professional follow each other */
    int64_t last_pro_id;
    /* Whether the last row written to each table existed: a re-import finds
     * rows that exist, a first import rows that do not, so trying the UPDATE
     * or the INSERT first as last time mostly saves a round trip. */
    bool pro_existed, org_existed, act_existed;
    org_cache_slot cache[ORG_CACHE_SLOTS];
};

static org_cache_slot *cache_slot(dir_import *im, const char *key)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * 16777619u;
    return &im->cache[h % ORG_CACHE_SLOTS];
}

/* After a failed statement: the open transaction is gone, and with it what
 * the caches say was written in it. */
static core_rc fail_store(dir_import *im, core_error *err)
{
    db_rollback(ctx_db(im->c));
    im->tx_open = false;
    memset(&im->pending, 0, sizeof im->pending);
    memset(im->cache, 0, sizeof im->cache);
    im->last_idnps[0] = '\0';
    return core_fail(err, CORE_ERROR, "store.error", NULL,
                     "Erreur de la base de données : le lot en cours est annulé.");
}

static core_rc end_batch(dir_import *im, core_error *err)
{
    if (im->tx_open) {
        if (db_commit(ctx_db(im->c)) != DB_OK)
            return fail_store(im, err);
        im->tx_open = false;
        im->done.inserted += im->pending.inserted;
        im->done.updated += im->pending.updated;
        im->done.professionals_new += im->pending.professionals_new;
        im->done.organisations_new += im->pending.organisations_new;
        memset(&im->pending, 0, sizeof im->pending);
    }
    im->lines_in_batch = 0;
    return CORE_OK;
}

static core_rc store_row(dir_import *im, dir_import_row *row, core_error *err)
{
    db_conn *conn = ctx_db(im->c);
    int64_t now = im->c->now_ms;
    if (!im->tx_open) {
        if (db_begin_write(conn) != DB_OK)
            return fail_store(im, err);
        im->tx_open = true;
    }
    bool pro_new = false, org_new = false, act_new = false;
    int64_t pro_id = im->last_pro_id;
    if (strcmp(im->last_idnps, row->pro.idnps) != 0) {
        if (directory_store_import_professional(conn, &im->line, &row->pro, now, im->pro_existed,
                                                &pro_id, &pro_new) != DB_OK)
            return fail_store(im, err);
        im->pro_existed = !pro_new;
        snprintf(im->last_idnps, sizeof im->last_idnps, "%s", row->pro.idnps);
        im->last_pro_id = pro_id;
    }
    if (row->has_org) {
        org_cache_slot *slot = cache_slot(im, row->org.import_key);
        int64_t org_id = slot->id;
        if (!org_id || strcmp(slot->key, row->org.import_key) != 0) {
            if (directory_store_import_organisation(conn, &im->line, &row->org, now,
                                                    im->org_existed, &org_id, &org_new) != DB_OK)
                return fail_store(im, err);
            im->org_existed = !org_new;
            if (strlen(row->org.import_key) < sizeof slot->key) {
                snprintf(slot->key, sizeof slot->key, "%s", row->org.import_key);
                slot->id = org_id;
            }
        }
        row->act.professional_id = pro_id;
        row->act.organisation_id = org_id;
        if (directory_store_import_activity(conn, &im->line, &row->act, now, im->act_existed,
                                            &act_new) != DB_OK)
            return fail_store(im, err);
        im->act_existed = !act_new;
    }
    if (pro_new || act_new)
        im->pending.inserted++;
    else
        im->pending.updated++;
    im->pending.professionals_new += pro_new;
    im->pending.organisations_new += org_new;
    return CORE_OK;
}

dir_import *directory_import_begin(ctx *c, const char *source, char *header, size_t len,
                                   core_error *err)
{
    if (c->who && !accounts_is_admin(c->who)) {
        audit_record(c, &(audit_event){.action = "directory.import",
                                       .outcome = AUDIT_DENIED,
                                       .detail = "administrator role required"});
        core_fail(err, CORE_FORBIDDEN, "role.admin_required", NULL,
                  "Cette action est réservée aux administrateurs.");
        return NULL;
    }
    dir_import_columns cols;
    if (directory_import_header(c->arena, header, len, &cols, err) != CORE_OK)
        return NULL;
    dir_import *im = xcalloc(1, sizeof *im);
    im->c = c;
    im->source = source;
    im->cols = cols;
    arena_init(&im->line, 0);
    return im;
}

static bool blank(const char *line, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (line[i] != ' ' && line[i] != '\r')
            return false;
    return true;
}

core_rc directory_import_line(dir_import *im, char *line, size_t len, bool truncated,
                              core_error *err)
{
    if (!truncated && blank(line, len))
        return CORE_OK;
    /* the batch ends here rather than after the previous line, whose error
     * message lives in the line arena until the caller has printed it */
    if (im->lines_in_batch >= DIRECTORY_IMPORT_BATCH && end_batch(im, err) != CORE_OK)
        return CORE_ERROR;
    /* the previous line's strings (its error message included) go now */
    arena_reset(&im->line);
    im->lines_in_batch++;
    im->done.read++;
    dir_import_row row;
    core_rc rc;
    if (truncated)
        rc = core_fail(err, CORE_INVALID, "line.too_long", NULL,
                       "La ligne dépasse 16 384 octets : elle est ignorée.");
    else
        rc = directory_import_parse(&im->line, &im->cols, line, len, &row, err);
    if (rc == CORE_OK)
        rc = store_row(im, &row, err);
    if (rc == CORE_INVALID)
        im->done.rejected++;
    return rc;
}

core_rc directory_import_finish(dir_import *im, bool completed, dir_import_counts *out,
                                core_error *err)
{
    ctx *c = im->c;
    core_rc rc = CORE_OK;
    if (end_batch(im, err) != CORE_OK) {
        completed = false;
        rc = CORE_ERROR;
    }
    *out = im->done;
    const char *detail =
        arena_printf(c->arena,
                     "read=%lld inserted=%lld updated=%lld rejected=%lld professionals_new=%lld "
                     "organisations_new=%lld",
                     (long long)out->read, (long long)out->inserted, (long long)out->updated,
                     (long long)out->rejected, (long long)out->professionals_new,
                     (long long)out->organisations_new);
    if (audit_record(c, &(audit_event){.action = "directory.import",
                                       .outcome = completed ? AUDIT_SUCCESS : AUDIT_FAILURE,
                                       .object_type = "file",
                                       .object_id = arena_strndup(c->arena, im->source, 200),
                                       .detail = detail}) != CORE_OK &&
        rc == CORE_OK)
        rc = core_fail(err, CORE_ERROR, "store.error", NULL, "Erreur interne.");
    arena_free(&im->line);
    free(im);
    return rc;
}

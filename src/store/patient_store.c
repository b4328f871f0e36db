#include "store/patient_store.h"

#include <string.h>

#define PATIENT_COLS                                                                               \
    "id, birth_family_name, used_family_name, birth_given_names, first_given_name,"               \
    " used_given_name, sex, birth_date, birthplace_code, birth_country, address_line, postcode,"  \
    " city, country, phone, phone2, email, ins_value, ins_oid, identity_status,"                  \
    " COALESCE(merged_into, 0), norm_birth_name, norm_used_name, norm_first_given,"               \
    " norm_given_names, norm_used_given, phon_birth_name, phon_used_name, phon_first_given,"      \
    " version, COALESCE(created_by, 0), created_at, updated_at"

static void read_patient(const db_rows *rows, int r, patient *p)
{
    int k = 0;
    p->id = db_int(rows, r, k++);
    p->birth_family_name = db_text(rows, r, k++);
    p->used_family_name = db_text(rows, r, k++);
    p->birth_given_names = db_text(rows, r, k++);
    p->first_given_name = db_text(rows, r, k++);
    p->used_given_name = db_text(rows, r, k++);
    p->sex = db_text(rows, r, k++);
    p->birth_date = db_text(rows, r, k++);
    p->birthplace_code = db_text(rows, r, k++);
    p->birth_country = db_text(rows, r, k++);
    p->address_line = db_text(rows, r, k++);
    p->postcode = db_text(rows, r, k++);
    p->city = db_text(rows, r, k++);
    p->country = db_text(rows, r, k++);
    p->phone = db_text(rows, r, k++);
    p->phone2 = db_text(rows, r, k++);
    p->email = db_text(rows, r, k++);
    p->ins_value = db_text(rows, r, k++);
    p->ins_oid = db_text(rows, r, k++);
    p->identity_status = db_text(rows, r, k++);
    p->merged_into = db_int(rows, r, k++);
    p->norm_birth_name = db_text(rows, r, k++);
    p->norm_used_name = db_text(rows, r, k++);
    p->norm_first_given = db_text(rows, r, k++);
    p->norm_given_names = db_text(rows, r, k++);
    p->norm_used_given = db_text(rows, r, k++);
    p->phon_birth_name = db_text(rows, r, k++);
    p->phon_used_name = db_text(rows, r, k++);
    p->phon_first_given = db_text(rows, r, k++);
    p->version = db_int(rows, r, k++);
    p->created_by = db_int(rows, r, k++);
    p->created_at = db_int(rows, r, k++);
    p->updated_at = db_int(rows, r, k++);
}

/* The index columns of the candidate-key queries: id, birth_date, then, when
 * the query has them, the four family-name keys. */
static void read_keys(const db_rows *rows, int r, patient *p)
{
    p->id = db_int(rows, r, 0);
    p->birth_date = db_text(rows, r, 1);
    if (rows->ncols < 6)
        return;
    p->norm_birth_name = db_text(rows, r, 2);
    p->norm_used_name = db_text(rows, r, 3);
    p->phon_birth_name = db_text(rows, r, 4);
    p->phon_used_name = db_text(rows, r, 5);
}

static db_rc read_rows(db_rc rc, const db_rows *rows, arena *a, patient_list *out,
                       void (*read)(const db_rows *, int, patient *))
{
    out->n = 0;
    out->items = NULL;
    if (rc != DB_OK)
        return rc;
    out->items = arena_calloc(a, (size_t)rows->n + 1, sizeof(patient));
    for (int i = 0; i < rows->n; i++)
        read(rows, i, &out->items[i]);
    out->n = rows->n;
    return DB_OK;
}

static db_rc read_list(db_rc rc, const db_rows *rows, arena *a, patient_list *out)
{
    return read_rows(rc, rows, a, out, read_patient);
}

static db_rc read_one(db_rc rc, const db_rows *rows, patient *out)
{
    if (rc != DB_OK)
        return rc;
    if (rows->n == 0)
        return DB_NOTFOUND;
    read_patient(rows, 0, out);
    return DB_OK;
}

db_rc patient_store_insert(db_conn *c, arena *a, patient *p)
{
    db_rows rows;
    db_rc rc = db_exec(
        c, a,
        "INSERT INTO patient (birth_family_name, used_family_name, birth_given_names,"
        " first_given_name, used_given_name, sex, birth_date, birthplace_code, birth_country,"
        " address_line, postcode, city, country, phone, phone2, email, ins_value, ins_oid,"
        " identity_status, norm_birth_name, norm_used_name, norm_first_given, norm_given_names,"
        " norm_used_given, phon_birth_name, phon_used_name, phon_first_given, version, created_by,"
        " created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
        " 1, ?, ?, ?) RETURNING id",
        DB_PARAMS(DB_TEXT(p->birth_family_name), DB_TEXT(p->used_family_name),
                  DB_TEXT(p->birth_given_names), DB_TEXT(p->first_given_name),
                  DB_TEXT(p->used_given_name), DB_TEXT(p->sex), DB_TEXT(p->birth_date),
                  DB_TEXT(p->birthplace_code), DB_TEXT(p->birth_country),
                  DB_TEXT(p->address_line), DB_TEXT(p->postcode), DB_TEXT(p->city),
                  DB_TEXT(p->country), DB_TEXT(p->phone), DB_TEXT(p->phone2), DB_TEXT(p->email),
                  DB_TEXT(p->ins_value), DB_TEXT(p->ins_oid), DB_TEXT(p->identity_status),
                  DB_TEXT(p->norm_birth_name), DB_TEXT(p->norm_used_name),
                  DB_TEXT(p->norm_first_given), DB_TEXT(p->norm_given_names),
                  DB_TEXT(p->norm_used_given), DB_TEXT(p->phon_birth_name),
                  DB_TEXT(p->phon_used_name), DB_TEXT(p->phon_first_given),
                  p->created_by ? DB_INT(p->created_by) : DB_NULLP, DB_INT(p->created_at),
                  DB_INT(p->updated_at)),
        &rows);
    if (rc == DB_OK) {
        p->id = db_int(&rows, 0, 0);
        p->version = 1;
    }
    return rc;
}

db_rc patient_store_update(db_conn *c, arena *a, const patient *p, int64_t expected_version)
{
    db_rows rows;
    db_rc rc = db_exec(
        c, a,
        "UPDATE patient SET birth_family_name = ?, used_family_name = ?, birth_given_names = ?,"
        " first_given_name = ?, used_given_name = ?, sex = ?, birth_date = ?,"
        " birthplace_code = ?, birth_country = ?, address_line = ?, postcode = ?, city = ?,"
        " country = ?, phone = ?, phone2 = ?, email = ?, ins_value = ?, ins_oid = ?,"
        " identity_status = ?, norm_birth_name = ?, norm_used_name = ?, norm_first_given = ?,"
        " norm_given_names = ?, norm_used_given = ?, phon_birth_name = ?, phon_used_name = ?,"
        " phon_first_given = ?, version = version + 1, updated_at = ?"
        " WHERE id = ? AND version = ?",
        DB_PARAMS(DB_TEXT(p->birth_family_name), DB_TEXT(p->used_family_name),
                  DB_TEXT(p->birth_given_names), DB_TEXT(p->first_given_name),
                  DB_TEXT(p->used_given_name), DB_TEXT(p->sex), DB_TEXT(p->birth_date),
                  DB_TEXT(p->birthplace_code), DB_TEXT(p->birth_country),
                  DB_TEXT(p->address_line), DB_TEXT(p->postcode), DB_TEXT(p->city),
                  DB_TEXT(p->country), DB_TEXT(p->phone), DB_TEXT(p->phone2), DB_TEXT(p->email),
                  DB_TEXT(p->ins_value), DB_TEXT(p->ins_oid), DB_TEXT(p->identity_status),
                  DB_TEXT(p->norm_birth_name), DB_TEXT(p->norm_used_name),
                  DB_TEXT(p->norm_first_given), DB_TEXT(p->norm_given_names),
                  DB_TEXT(p->norm_used_given), DB_TEXT(p->phon_birth_name),
                  DB_TEXT(p->phon_used_name), DB_TEXT(p->phon_first_given),
                  DB_INT(p->updated_at), DB_INT(p->id), DB_INT(expected_version)),
        &rows);
    if (rc == DB_OK && rows.changes == 0)
        return DB_NOTFOUND;
    return rc;
}

db_rc patient_store_get(db_conn *c, arena *a, int64_t id, patient *out)
{
    db_rows rows;
    db_rc rc = db_exec(c, a, "SELECT " PATIENT_COLS " FROM patient WHERE id = ?",
                       DB_PARAMS(DB_INT(id)), &rows);
    return read_one(rc, &rows, out);
}

db_rc patient_store_by_ins(db_conn *c, arena *a, const char *ins, patient *out)
{
    db_rows rows;
    db_rc rc = db_exec(c, a,
                       "SELECT " PATIENT_COLS
                       " FROM patient WHERE ins_value = ? AND merged_into IS NULL",
                       DB_PARAMS(DB_TEXT(ins)), &rows);
    return read_one(rc, &rows, out);
}

db_rc patient_store_by_identifier(db_conn *c, arena *a, const char *system, const char *value,
                                  int64_t *patient_id)
{
    db_rows rows;
    db_rc rc = db_exec(c, a,
                       "SELECT patient_id FROM patient_identifier WHERE system = ? AND value = ?",
                       DB_PARAMS(DB_TEXT(system), DB_TEXT(value)), &rows);
    if (rc != DB_OK)
        return rc;
    if (rows.n == 0)
        return DB_NOTFOUND;
    *patient_id = db_int(&rows, 0, 0);
    return DB_OK;
}

db_rc patient_store_add_identifier(db_conn *c, arena *a, int64_t patient_id,
                                   const patient_identifier *id)
{
    return db_exec(c, a,
                   "INSERT INTO patient_identifier (system, value, patient_id, type)"
                   " VALUES (?, ?, ?, ?)",
                   DB_PARAMS(DB_TEXT(id->system), DB_TEXT(id->value), DB_INT(patient_id),
                             DB_TEXT(id->type ? id->type : "PI")),
                   NULL);
}

db_rc patient_store_identifiers(db_conn *c, arena *a, int64_t patient_id,
                                patient_identifier **out, int *n)
{
    db_rows rows;
    db_rc rc = db_exec(c, a,
                       "WITH RECURSIVE family(id) AS (SELECT CAST(? AS BIGINT)"
                       " UNION SELECT p.id FROM patient p JOIN family f ON p.merged_into = f.id)"
                       " SELECT i.system, i.value, i.type, i.patient_id FROM patient_identifier i"
                       " JOIN family f ON i.patient_id = f.id ORDER BY i.system, i.value",
                       DB_PARAMS(DB_INT(patient_id)), &rows);
    *n = 0;
    if (rc != DB_OK)
        return rc;
    *out = arena_calloc(a, (size_t)rows.n + 1, sizeof(patient_identifier));
    for (int i = 0; i < rows.n; i++) {
        (*out)[i].system = db_text(&rows, i, 0);
        (*out)[i].value = db_text(&rows, i, 1);
        (*out)[i].type = db_text(&rows, i, 2);
        (*out)[i].patient_id = db_int(&rows, i, 3);
    }
    *n = rows.n;
    return DB_OK;
}

db_rc patient_store_by_birth_dates(db_conn *c, arena *a, const char *d1, const char *d2,
                                   int limit, patient_list *out)
{
    db_rows rows;
    db_rc rc = db_exec(c, a,
                       "SELECT " PATIENT_COLS " FROM patient WHERE birth_date IN (?, ?)"
                       " AND merged_into IS NULL LIMIT ?",
                       DB_PARAMS(DB_TEXT(d1), DB_TEXT(d2 ? d2 : d1), DB_INT(limit)), &rows);
    return read_list(rc, &rows, a, out);
}

db_rc patient_store_birth_keys(db_conn *c, arena *a, const char *d1, const char *d2, int limit,
                               patient_list *out)
{
    /* covering: patient_birth_keys holds every column read here, so a
     * candidate's record (a random page of the table) is not read */
    db_rows rows;
    db_rc rc = db_exec(c, a,
                       "SELECT id, birth_date, norm_birth_name, norm_used_name, phon_birth_name,"
                       " phon_used_name FROM patient WHERE birth_date IN (?, ?)"
                       " AND merged_into IS NULL LIMIT ?",
                       DB_PARAMS(DB_TEXT(d1), DB_TEXT(d2 ? d2 : d1), DB_INT(limit)), &rows);
    return read_rows(rc, &rows, a, out, read_keys);
}

db_rc patient_store_by_birth_date_name(db_conn *c, arena *a, const char *date, const char *prefix,
                                      const char *phon, int limit, patient_list *out)
{
    /* the name test of review_search's ranking, on index columns only
     * (patient_birth_keys), so non-matching records are never read */
    char *upper = arena_printf(a, "%s%s", prefix, "ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ");
    db_rows rows;
    db_rc rc = db_exec(c, a,
                       "SELECT " PATIENT_COLS " FROM patient WHERE birth_date = ?"
                       " AND merged_into IS NULL AND ((norm_birth_name >= ? AND norm_birth_name <= ?)"
                       " OR (norm_used_name >= ? AND norm_used_name <= ?)"
                       " OR phon_birth_name = ? OR phon_used_name = ?) LIMIT ?",
                       DB_PARAMS(DB_TEXT(date), DB_TEXT(prefix), DB_TEXT(upper), DB_TEXT(prefix),
                                 DB_TEXT(upper), DB_TEXT(phon), DB_TEXT(phon), DB_INT(limit)),
                       &rows);
    return read_list(rc, &rows, a, out);
}

db_rc patient_store_by_name_prefix(db_conn *c, arena *a, const char *prefix, int limit,
                                   patient_list *out)
{
    /* [prefix, prefix + "ZZZ…"]: normalized names hold A-Z only, and every
     * collation orders such strings like bytes, so both backends use the index */
    char *upper = arena_printf(a, "%s%s", prefix, "ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ");
    db_rows rows;
    db_rc rc = db_exec(c, a,
                       "SELECT " PATIENT_COLS " FROM patient WHERE merged_into IS NULL AND"
                       " ((norm_birth_name >= ? AND norm_birth_name <= ?)"
                       " OR (norm_used_name >= ? AND norm_used_name <= ?))"
                       " ORDER BY norm_birth_name, id LIMIT ?",
                       DB_PARAMS(DB_TEXT(prefix), DB_TEXT(upper), DB_TEXT(prefix),
                                 DB_TEXT(upper), DB_INT(limit)),
                       &rows);
    return read_list(rc, &rows, a, out);
}

db_rc patient_store_by_phonetic_year(db_conn *c, arena *a, const char *phon, const char *year,
                                     int limit, patient_list *out)
{
    char *next = arena_printf(a, "%s~", year); /* '~' sorts after '-' and digits */
    db_rows rows;
    db_rc rc = db_exec(c, a,
                       "SELECT " PATIENT_COLS " FROM patient WHERE phon_birth_name = ?"
                       " AND birth_date >= ? AND birth_date < ? AND merged_into IS NULL LIMIT ?",
                       DB_PARAMS(DB_TEXT(phon), DB_TEXT(year), DB_TEXT(next), DB_INT(limit)),
                       &rows);
    return read_list(rc, &rows, a, out);
}

db_rc patient_store_phonetic_year_keys(db_conn *c, arena *a, const char *phon, const char *year,
                                       int limit, patient_list *out)
{
    /* covering (patient_phon_birth_name): merged_into is not in the index,
     * so merged records come too; the caller reads the records it keeps */
    char *next = arena_printf(a, "%s~", year);
    db_rows rows;
    db_rc rc = db_exec(c, a,
                       "SELECT id, birth_date FROM patient WHERE phon_birth_name = ?"
                       " AND birth_date >= ? AND birth_date < ? LIMIT ?",
                       DB_PARAMS(DB_TEXT(phon), DB_TEXT(year), DB_TEXT(next), DB_INT(limit)),
                       &rows);
    return read_rows(rc, &rows, a, out, read_keys);
}

db_rc patient_store_record_status(db_conn *c, arena *a, int64_t patient_id, const char *from,
                                  const char *to, bool insi, const char *document_type,
                                  const char *reason, int64_t user_id, int64_t at)
{
    return db_exec(c, a,
                   "INSERT INTO identity_status_change (patient_id, from_status, to_status, insi,"
                   " document_type, reason, user_id, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   DB_PARAMS(DB_INT(patient_id), DB_TEXT(from), DB_TEXT(to), DB_INT(insi),
                             DB_TEXT(document_type), DB_TEXT(reason),
                             user_id ? DB_INT(user_id) : DB_NULLP, DB_INT(at)),
                   NULL);
}

db_rc patient_store_status_history(db_conn *c, arena *a, int64_t patient_id,
                                   status_change **out, int *n)
{
    db_rows rows;
    db_rc rc = db_exec(c, a,
                       "SELECT from_status, to_status, insi, document_type, reason,"
                       " COALESCE(user_id, 0), at FROM identity_status_change"
                       " WHERE patient_id = ? ORDER BY id",
                       DB_PARAMS(DB_INT(patient_id)), &rows);
    *n = 0;
    if (rc != DB_OK)
        return rc;
    *out = arena_calloc(a, (size_t)rows.n + 1, sizeof(status_change));
    for (int i = 0; i < rows.n; i++) {
        status_change *s = &(*out)[i];
        s->from_status = db_text(&rows, i, 0);
        s->to_status = db_text(&rows, i, 1);
        s->insi = db_int(&rows, i, 2) != 0;
        s->document_type = db_text(&rows, i, 3);
        s->reason = db_text(&rows, i, 4);
        s->user_id = db_int(&rows, i, 5);
        s->at = db_int(&rows, i, 6);
    }
    *n = rows.n;
    return DB_OK;
}

db_rc patient_store_merge(db_conn *c, arena *a, int64_t survivor, int64_t merged,
                          const char *reason, int64_t user_id, int64_t at)
{
    db_rows rows;
    db_rc rc = db_exec(c, a,
                       "UPDATE patient SET merged_into = ?, version = version + 1, updated_at = ?"
                       " WHERE id = ? AND merged_into IS NULL",
                       DB_PARAMS(DB_INT(survivor), DB_INT(at), DB_INT(merged)), &rows);
    if (rc != DB_OK)
        return rc;
    if (rows.changes == 0)
        return DB_NOTFOUND;
    return db_exec(c, a,
                   "INSERT INTO patient_merge (survivor_id, merged_id, reason, user_id, at)"
                   " VALUES (?, ?, ?, ?, ?)",
                   DB_PARAMS(DB_INT(survivor), DB_INT(merged), DB_TEXT(reason),
                             user_id ? DB_INT(user_id) : DB_NULLP, DB_INT(at)),
                   NULL);
}

db_rc patient_store_unmerge(db_conn *c, arena *a, int64_t merged, int64_t user_id, int64_t at,
                            int64_t *survivor)
{
    db_rows rows;
    db_rc rc = db_exec(c, a,
                       "SELECT id, survivor_id FROM patient_merge WHERE merged_id = ?"
                       " AND undone_at IS NULL ORDER BY id DESC LIMIT 1",
                       DB_PARAMS(DB_INT(merged)), &rows);
    if (rc != DB_OK)
        return rc;
    if (rows.n == 0)
        return DB_NOTFOUND;
    int64_t merge_id = db_int(&rows, 0, 0);
    *survivor = db_int(&rows, 0, 1);
    rc = db_exec(c, a,
                 "UPDATE patient SET merged_into = NULL, version = version + 1, updated_at = ?"
                 " WHERE id = ?",
                 DB_PARAMS(DB_INT(at), DB_INT(merged)), NULL);
    if (rc != DB_OK)
        return rc;
    return db_exec(c, a, "UPDATE patient_merge SET undone_at = ?, undone_by = ? WHERE id = ?",
                   DB_PARAMS(DB_INT(at), user_id ? DB_INT(user_id) : DB_NULLP, DB_INT(merge_id)),
                   NULL);
}

db_rc patient_store_resolve(db_conn *c, arena *a, int64_t id, int64_t *survivor)
{
    int64_t cur = id;
    for (int hop = 0; hop < 16; hop++) {
        db_rows rows;
        db_rc rc = db_exec(c, a, "SELECT COALESCE(merged_into, 0) FROM patient WHERE id = ?",
                           DB_PARAMS(DB_INT(cur)), &rows);
        if (rc != DB_OK)
            return rc;
        if (rows.n == 0)
            return DB_NOTFOUND;
        int64_t next = db_int(&rows, 0, 0);
        if (!next) {
            *survivor = cur;
            return DB_OK;
        }
        cur = next;
    }
    return DB_ERROR; /* a cycle: merges refuse to create one, so this is corruption */
}

db_rc patient_store_flag_duplicate(db_conn *c, arena *a, int64_t pa, int64_t pb, int score,
                                   const char *reasons, int64_t at)
{
    return db_exec(c, a,
                   "INSERT INTO duplicate_candidate (patient_a, patient_b, score, reasons, status,"
                   " found_at) VALUES (?, ?, ?, ?, 'open', ?)"
                   " ON CONFLICT (patient_a, patient_b) DO UPDATE SET score = excluded.score,"
                   " reasons = excluded.reasons WHERE duplicate_candidate.status = 'open'",
                   DB_PARAMS(DB_INT(pa), DB_INT(pb), DB_INT(score), DB_TEXT(reasons), DB_INT(at)),
                   NULL);
}

db_rc patient_store_list_duplicates(db_conn *c, arena *a, const char *status, int min_score,
                                    int64_t after_a, int64_t after_b, int limit,
                                    duplicate_row **out, int *n)
{
    db_rows rows;
    db_rc rc = db_exec(c, a,
                       "SELECT d.patient_a, d.patient_b, d.score, d.reasons, d.status, d.found_at"
                       " FROM duplicate_candidate d"
                       " JOIN patient pa ON pa.id = d.patient_a JOIN patient pb ON pb.id = d.patient_b"
                       " WHERE d.status = ? AND d.score >= ?"
                       " AND (pa.merged_into IS NULL AND pb.merged_into IS NULL OR d.status <> 'open')"
                       " AND (d.patient_a > ? OR (d.patient_a = ? AND d.patient_b > ?))"
                       " ORDER BY d.patient_a, d.patient_b LIMIT ?",
                       DB_PARAMS(DB_TEXT(status), DB_INT(min_score), DB_INT(after_a),
                                 DB_INT(after_a), DB_INT(after_b), DB_INT(limit)),
                       &rows);
    *n = 0;
    if (rc != DB_OK)
        return rc;
    *out = arena_calloc(a, (size_t)rows.n + 1, sizeof(duplicate_row));
    for (int i = 0; i < rows.n; i++) {
        duplicate_row *d = &(*out)[i];
        d->patient_a = db_int(&rows, i, 0);
        d->patient_b = db_int(&rows, i, 1);
        d->score = (int)db_int(&rows, i, 2);
        d->reasons = db_text(&rows, i, 3);
        d->status = db_text(&rows, i, 4);
        d->found_at = db_int(&rows, i, 5);
    }
    *n = rows.n;
    return DB_OK;
}

db_rc patient_store_decide_duplicate(db_conn *c, arena *a, int64_t pa, int64_t pb,
                                     const char *status, int64_t user_id, int64_t at)
{
    db_rows rows;
    db_rc rc = db_exec(c, a,
                       "UPDATE duplicate_candidate SET status = ?, decided_by = ?, decided_at = ?"
                       " WHERE patient_a = ? AND patient_b = ?",
                       DB_PARAMS(DB_TEXT(status), user_id ? DB_INT(user_id) : DB_NULLP,
                                 DB_INT(at), DB_INT(pa), DB_INT(pb)),
                       &rows);
    if (rc == DB_OK && rows.changes == 0)
        return DB_NOTFOUND;
    return rc;
}

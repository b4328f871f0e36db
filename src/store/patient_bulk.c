#include "store/patient_bulk.h"
#include "util/buf.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* Columns written by a load; version takes its default (1). */
#define BULK_COLS                                                                                  \
    "id, birth_family_name, used_family_name, birth_given_names, first_given_name,"                \
    " used_given_name, sex, birth_date, birthplace_code, birth_country, address_line, postcode,"   \
    " city, country, phone, phone2, email, ins_value, ins_oid, identity_status,"                   \
    " norm_birth_name, norm_used_name, norm_first_given, norm_given_names, norm_used_given,"       \
    " phon_birth_name, phon_used_name, phon_first_given, created_by, created_at, updated_at"
#define NCOLS 31
#define NTEXT 27 /* columns 2..28 */

/* SQLite: rows per INSERT statement (NCOLS * ROWS_PER_STMT bound parameters,
 * well under SQLite's 32766). */
#define ROWS_PER_STMT 32

static char sqlite_multi_sql[64 + sizeof BULK_COLS + ROWS_PER_STMT * (NCOLS * 3 + 4)];
static pthread_once_t sqlite_multi_once = PTHREAD_ONCE_INIT;

static const char *const SQLITE_ONE_SQL =
    "INSERT INTO patient (" BULK_COLS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
    " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

/* Built once, then never changes: its address keys the statement cache. */
static void build_sqlite_multi(void)
{
    size_t n = (size_t)snprintf(sqlite_multi_sql, sizeof sqlite_multi_sql,
                                "INSERT INTO patient (" BULK_COLS ") VALUES ");
    for (int r = 0; r < ROWS_PER_STMT; r++) {
        n += (size_t)snprintf(sqlite_multi_sql + n, sizeof sqlite_multi_sql - n, "%s(",
                              r ? ", " : "");
        for (int col = 0; col < NCOLS; col++)
            n += (size_t)snprintf(sqlite_multi_sql + n, sizeof sqlite_multi_sql - n, "%s?",
                                  col ? ", " : "");
        n += (size_t)snprintf(sqlite_multi_sql + n, sizeof sqlite_multi_sql - n, ")");
    }
}

static const char *const PG_UNNEST_SQL =
    "INSERT INTO patient (" BULK_COLS ") SELECT * FROM unnest(CAST(? AS BIGINT[]),"
    " CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]),"
    " CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]),"
    " CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]),"
    " CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]),"
    " CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]),"
    " CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]),"
    " CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]),"
    " CAST(? AS BIGINT[]), CAST(? AS BIGINT[]), CAST(? AS BIGINT[]))";

/* The 27 text columns of a row, in BULK_COLS order. */
static void text_cols(const patient *p, const char *v[NTEXT])
{
    const char *cols[NTEXT] = {
        p->birth_family_name,
        p->used_family_name,
        p->birth_given_names,
        p->first_given_name,
        p->used_given_name,
        p->sex,
        p->birth_date,
        p->birthplace_code,
        p->birth_country,
        p->address_line,
        p->postcode,
        p->city,
        p->country,
        p->phone,
        p->phone2,
        p->email,
        p->ins_value,
        p->ins_oid,
        p->identity_status,
        p->norm_birth_name,
        p->norm_used_name,
        p->norm_first_given,
        p->norm_given_names,
        p->norm_used_given,
        p->phon_birth_name,
        p->phon_used_name,
        p->phon_first_given,
    };
    memcpy(v, cols, sizeof cols);
}

static void row_params(const patient *p, db_param *out)
{
    const char *v[NTEXT];
    text_cols(p, v);
    out[0] = DB_INT(p->id);
    for (int i = 0; i < NTEXT; i++)
        out[1 + i] = DB_TEXT(v[i]);
    out[28] = p->created_by ? DB_INT(p->created_by) : DB_NULLP;
    out[29] = DB_INT(p->created_at);
    out[30] = DB_INT(p->updated_at);
}

static db_rc add_sqlite(patient_bulk *b, arena *a, const patient *rows, int n)
{
    pthread_once(&sqlite_multi_once, build_sqlite_multi);
    db_param params[NCOLS * ROWS_PER_STMT];
    int i = 0;
    db_rc rc = DB_OK;
    for (; rc == DB_OK && i + ROWS_PER_STMT <= n; i += ROWS_PER_STMT) {
        for (int r = 0; r < ROWS_PER_STMT; r++)
            row_params(&rows[i + r], params + r * NCOLS);
        rc = db_exec(b->c, a, sqlite_multi_sql, params, NCOLS * ROWS_PER_STMT, NULL);
    }
    for (; rc == DB_OK && i < n; i++) {
        row_params(&rows[i], params);
        rc = db_exec(b->c, a, SQLITE_ONE_SQL, params, NCOLS, NULL);
    }
    return rc;
}

/* Appends s as an element of a PostgreSQL array literal. */
static void array_text(buf *out, const char *s)
{
    if (out->len > 1)
        buf_putc(out, ',');
    if (!s) {
        buf_puts(out, "NULL");
        return;
    }
    buf_putc(out, '"');
    for (const char *p = s; *p; p++) {
        if (*p == '"' || *p == '\\')
            buf_putc(out, '\\');
        buf_putc(out, *p);
    }
    buf_putc(out, '"');
}

static void array_int(buf *out, int64_t v, bool null)
{
    if (out->len > 1)
        buf_putc(out, ',');
    if (null)
        buf_puts(out, "NULL");
    else
        buf_printf(out, "%lld", (long long)v);
}

static db_rc add_pg(patient_bulk *b, arena *a, const patient *rows, int n)
{
    buf cols[NCOLS];
    for (int col = 0; col < NCOLS; col++) {
        buf_init(&cols[col], 0);
        buf_putc(&cols[col], '{');
    }
    for (int i = 0; i < n; i++) {
        const patient *p = &rows[i];
        const char *v[NTEXT];
        text_cols(p, v);
        array_int(&cols[0], p->id, false);
        for (int t = 0; t < NTEXT; t++)
            array_text(&cols[1 + t], v[t]);
        array_int(&cols[28], p->created_by, p->created_by == 0);
        array_int(&cols[29], p->created_at, false);
        array_int(&cols[30], p->updated_at, false);
    }
    db_param params[NCOLS];
    for (int col = 0; col < NCOLS; col++) {
        buf_putc(&cols[col], '}');
        params[col] = DB_TEXT(cols[col].data);
    }
    db_rc rc = db_exec(b->c, a, PG_UNNEST_SQL, params, NCOLS, NULL);
    for (int col = 0; col < NCOLS; col++)
        buf_free(&cols[col]);
    return rc;
}

db_rc patient_bulk_add(patient_bulk *b, arena *a, const patient *rows, int n)
{
    for (int i = 0; i < n; i++)
        if (rows[i].id != b->first_id + b->rows + i)
            return DB_ERROR; /* caller bug: ids must be consecutive */
    db_rc rc = b->kind == DB_POSTGRES ? add_pg(b, a, rows, n) : add_sqlite(b, a, rows, n);
    if (rc == DB_OK)
        b->rows += n;
    return rc;
}

/* SQLite: the page cache and sorter threads go back to what they were. */
static void restore_settings(patient_bulk *b)
{
    if (b->kind == DB_SQLITE && b->tuned) {
        char sql[64];
        snprintf(sql, sizeof sql, "PRAGMA cache_size=%lld", (long long)b->cache_before);
        db_exec_script(b->c, sql);
        snprintf(sql, sizeof sql, "PRAGMA threads=%d", b->threads_before);
        db_exec_script(b->c, sql);
    }
    b->tuned = false;
}

db_rc patient_bulk_begin(patient_bulk *b, db_backend kind, db_conn *c, arena *a, bool keep_indexes,
                         int64_t expected_rows)
{
    memset(b, 0, sizeof *b);
    b->c = c;
    b->kind = kind;
    b->keep_indexes = keep_indexes;
    db_rows rows;
    db_rc rc;
    if (kind == DB_SQLITE) {
        if ((rc = db_exec(c, a, "PRAGMA cache_size", DB_NOPARAMS, &rows)) != DB_OK)
            return rc;
        b->cache_before = db_int(&rows, 0, 0);
        if ((rc = db_exec(c, a, "PRAGMA threads", DB_NOPARAMS, &rows)) != DB_OK)
            return rc;
        b->threads_before = (int)db_int(&rows, 0, 0);
        b->tuned = true;
        if ((rc = db_exec_script(c, "PRAGMA cache_size=-262144; PRAGMA threads=2")) != DB_OK) {
            restore_settings(b);
            return rc;
        }
    }
    if ((rc = db_begin_write(c)) != DB_OK)
        goto fail;
    if (kind == DB_POSTGRES &&
        ((rc = db_exec_script(c, "LOCK TABLE patient IN EXCLUSIVE MODE")) != DB_OK ||
         (rc = db_exec_script(c, "SET LOCAL maintenance_work_mem = '256MB'")) != DB_OK))
        goto fail;
    rc = db_exec(c, a, "SELECT count(*), COALESCE(max(id), 0) FROM patient", DB_NOPARAMS, &rows);
    if (rc != DB_OK)
        goto fail;
    b->existing = db_int(&rows, 0, 0);
    b->first_id = db_int(&rows, 0, 1) + 1;
    if (keep_indexes || b->existing / 2 > expected_rows) {
        b->keep_indexes = true;
        return DB_OK;
    }
    rc = kind == DB_POSTGRES
             ? db_exec(c, a,
                       "SELECT indexname, indexdef FROM pg_indexes"
                       " WHERE schemaname = current_schema() AND tablename = 'patient'"
                       " AND indexname NOT IN (SELECT conname FROM pg_constraint"
                       " WHERE conrelid = CAST('patient' AS regclass)) ORDER BY indexname",
                       DB_NOPARAMS, &rows)
             : db_exec(c, a,
                       "SELECT name, sql FROM sqlite_master WHERE type = 'index'"
                       " AND tbl_name = 'patient' AND sql IS NOT NULL ORDER BY name",
                       DB_NOPARAMS, &rows);
    if (rc != DB_OK)
        goto fail;
    if (rows.n > PATIENT_BULK_MAX_INDEXES) {
        rc = DB_ERROR;
        goto fail;
    }
    for (int i = 0; i < rows.n; i++) {
        /* names come from the catalog; quoted all the same */
        char *drop = arena_printf(a, "DROP INDEX \"%s\"", db_text(&rows, i, 0));
        if ((rc = db_exec_script(c, drop)) != DB_OK)
            goto fail;
        b->index_sql[b->nindexes++] = db_text(&rows, i, 1);
    }
    return DB_OK;
fail:
    patient_bulk_abort(b);
    return rc;
}

db_rc patient_bulk_rebuild_indexes(patient_bulk *b)
{
    for (int i = 0; i < b->nindexes; i++) {
        db_rc rc = db_exec_script(b->c, b->index_sql[i]);
        if (rc != DB_OK)
            return rc;
    }
    b->nindexes = 0;
    return DB_OK;
}

db_rc patient_bulk_finish(patient_bulk *b, arena *a, int64_t at, const char *document_type)
{
    if (b->rows == 0)
        return DB_OK;
    db_rc rc =
        db_exec(b->c, a,
                "INSERT INTO identity_status_change (patient_id, from_status, to_status, insi,"
                " document_type, reason, user_id, at)"
                " SELECT id, 'PROV', identity_status,"
                " CASE WHEN identity_status IN ('RECUP', 'QUAL') THEN 1 ELSE 0 END,"
                " CASE WHEN identity_status IN ('VALI', 'QUAL') THEN CAST(? AS TEXT) END,"
                " 'chargement en masse', NULL, CAST(? AS BIGINT)"
                " FROM patient WHERE id >= ? AND id < ? AND identity_status <> 'PROV'",
                DB_PARAMS(DB_TEXT(document_type), DB_INT(at), DB_INT(b->first_id),
                          DB_INT(b->first_id + b->rows)),
                NULL);
    if (rc != DB_OK || b->kind != DB_POSTGRES)
        return rc;
    /* explicit ids: move the identity sequence past them; fresh statistics */
    db_rows rows;
    rc = db_exec(b->c, a,
                 "SELECT setval(pg_get_serial_sequence('patient', 'id'),"
                 " (SELECT max(id) FROM patient))",
                 DB_NOPARAMS, &rows);
    if (rc == DB_OK)
        rc = db_exec_script(b->c, "ANALYZE patient");
    return rc;
}

db_rc patient_bulk_commit(patient_bulk *b)
{
    db_rc rc = db_commit(b->c);
    restore_settings(b);
    return rc;
}

void patient_bulk_abort(patient_bulk *b)
{
    if (db_in_tx(b->c))
        db_rollback(b->c);
    restore_settings(b);
}

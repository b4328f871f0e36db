#include "store/audit_store.h"

#define AUDIT_COLS                                                                                 \
    "seq, at, COALESCE(user_id, 0), user_login, action, object_type, object_id, patient_id,"       \
    " outcome, client_addr, request_id, detail, prev_hash, hash"

static void read_row(const db_rows *rows, int r, audit_row *e)
{
    e->seq = db_int(rows, r, 0);
    e->at = db_int(rows, r, 1);
    e->user_id = db_int(rows, r, 2);
    e->user_login = db_text(rows, r, 3);
    e->action = db_text(rows, r, 4);
    e->object_type = db_text(rows, r, 5);
    e->object_id = db_text(rows, r, 6);
    e->patient_id = db_text(rows, r, 7);
    e->outcome = db_text(rows, r, 8);
    e->client_addr = db_text(rows, r, 9);
    e->request_id = db_text(rows, r, 10);
    e->detail = db_text(rows, r, 11);
    e->prev_hash = db_text(rows, r, 12);
    e->hash = db_text(rows, r, 13);
}

static db_rc read_all(db_rc rc, const db_rows *rows, arena *a, audit_row **out, int *n)
{
    if (rc != DB_OK)
        return rc;
    *out = arena_calloc(a, (size_t)rows->n + 1, sizeof(audit_row));
    for (int i = 0; i < rows->n; i++)
        read_row(rows, i, &(*out)[i]);
    *n = rows->n;
    return DB_OK;
}

db_rc audit_store_reserve(db_conn *c, arena *a, int n, int64_t *last_seq, const char **prev_hash)
{
    db_rows rows;
    /* the UPDATE takes the row lock on PostgreSQL; SQLite holds the write lock */
    db_rc rc = db_exec(c, a, "UPDATE audit_head SET seq = seq + ? WHERE id = 1 RETURNING seq, hash",
                       DB_PARAMS(DB_INT(n)), &rows);
    if (rc != DB_OK)
        return rc;
    if (rows.n != 1)
        return DB_ERROR;
    *last_seq = db_int(&rows, 0, 0);
    *prev_hash = db_text(&rows, 0, 1);
    return DB_OK;
}

db_rc audit_store_insert(db_conn *c, arena *a, const audit_row *e)
{
    return db_exec(
        c, a,
        "INSERT INTO audit_event (seq, at, user_id, user_login, action, object_type, object_id,"
        " patient_id, outcome, client_addr, request_id, detail, prev_hash, hash)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        DB_PARAMS(DB_INT(e->seq), DB_INT(e->at), e->user_id ? DB_INT(e->user_id) : DB_NULLP,
                  DB_TEXT(e->user_login), DB_TEXT(e->action), DB_TEXT(e->object_type),
                  DB_TEXT(e->object_id), DB_TEXT(e->patient_id), DB_TEXT(e->outcome),
                  DB_TEXT(e->client_addr), DB_TEXT(e->request_id), DB_TEXT(e->detail),
                  DB_TEXT(e->prev_hash), DB_TEXT(e->hash)),
        NULL);
}

db_rc audit_store_set_head(db_conn *c, arena *a, const char *hash)
{
    return db_exec(c, a, "UPDATE audit_head SET hash = ? WHERE id = 1", DB_PARAMS(DB_TEXT(hash)),
                   NULL);
}

/* The epoch of an event in the per-patient and per-user indexes of migration
 * 0010, (seq >> 16, patient_id or user_id, seq): the SQL expression must be the
 * index's, and the shift the same. */
#define AUDIT_EPOCH_SQL "(seq >> 16)"
#define AUDIT_EPOCH_SHIFT 16

/* The filters every listing applies; a NULL/0 parameter disables its test (the
 * casts give PostgreSQL the parameter types it cannot infer from IS NULL). */
#define AUDIT_FILTERS                                                                              \
    " AND (CAST(? AS BIGINT) = 0 OR seq < ?)"                                                      \
    " AND (CAST(? AS BIGINT) = 0 OR user_id = ?)"                                                  \
    " AND (CAST(? AS TEXT) IS NULL OR patient_id = ?)"                                             \
    " AND (CAST(? AS TEXT) IS NULL OR action = ?)"                                                 \
    " AND (CAST(? AS BIGINT) = 0 OR at >= ?)"                                                      \
    " AND (CAST(? AS BIGINT) = 0 OR at < ?)"                                                       \
    " ORDER BY seq DESC LIMIT ?"
#define AUDIT_FILTER_PARAMS(f, limit)                                                              \
    DB_INT((f)->before_seq), DB_INT((f)->before_seq), DB_INT((f)->user_id), DB_INT((f)->user_id),  \
        DB_TEXT((f)->patient_id), DB_TEXT((f)->patient_id), DB_TEXT((f)->action),                  \
        DB_TEXT((f)->action), DB_INT((f)->from_ms), DB_INT((f)->from_ms), DB_INT((f)->to_ms),      \
        DB_INT((f)->to_ms), DB_INT(limit)

/* A patient's or a user's events: their index is grouped by epochs of seq, so
 * each epoch is one index range, probed from the newest down until the page is
 * full (a probe of an epoch without their events reads one index leaf). */
static db_rc list_by_epoch(db_conn *c, arena *a, const audit_filter *f, audit_row *out, int *n)
{
    int64_t top = f->before_seq - 1;
    if (f->before_seq <= 0) {
        const char *hash;
        db_rc rc = audit_store_head(c, a, &top, &hash);
        if (rc != DB_OK)
            return rc;
    }
    const char *sql = f->patient_id
                          ? "SELECT " AUDIT_COLS " FROM audit_event"
                            " WHERE " AUDIT_EPOCH_SQL " = ? AND patient_id = ?" AUDIT_FILTERS
                          : "SELECT " AUDIT_COLS " FROM audit_event"
                            " WHERE " AUDIT_EPOCH_SQL " = ? AND user_id = ?" AUDIT_FILTERS;
    db_param key = f->patient_id ? DB_TEXT(f->patient_id) : DB_INT(f->user_id);
    for (int64_t epoch = top >> AUDIT_EPOCH_SHIFT; epoch >= 0 && *n < f->limit; epoch--) {
        db_rows rows;
        db_rc rc = db_exec(
            c, a, sql, DB_PARAMS(DB_INT(epoch), key, AUDIT_FILTER_PARAMS(f, f->limit - *n)), &rows);
        if (rc != DB_OK)
            return rc;
        for (int i = 0; i < rows.n; i++)
            read_row(&rows, i, &out[(*n)++]);
    }
    return DB_OK;
}

db_rc audit_store_list(db_conn *c, arena *a, const audit_filter *f, audit_row **out, int *n)
{
    *n = 0;
    if (f->patient_id || f->user_id) {
        *out = arena_calloc(a, (size_t)f->limit + 1, sizeof(audit_row));
        db_rc rc = list_by_epoch(c, a, f, *out, n);
        if (rc != DB_OK)
            *n = 0;
        return rc;
    }
    db_rows rows;
    db_rc rc = db_exec(c, a, "SELECT " AUDIT_COLS " FROM audit_event WHERE 1 = 1" AUDIT_FILTERS,
                       DB_PARAMS(AUDIT_FILTER_PARAMS(f, f->limit)), &rows);
    return read_all(rc, &rows, a, out, n);
}

db_rc audit_store_range(db_conn *c, arena *a, int64_t after_seq, int limit, audit_row **out, int *n)
{
    db_rows rows;
    db_rc rc =
        db_exec(c, a, "SELECT " AUDIT_COLS " FROM audit_event WHERE seq > ? ORDER BY seq LIMIT ?",
                DB_PARAMS(DB_INT(after_seq), DB_INT(limit)), &rows);
    return read_all(rc, &rows, a, out, n);
}

db_rc audit_store_head(db_conn *c, arena *a, int64_t *seq, const char **hash)
{
    db_rows rows;
    db_rc rc = db_exec(c, a, "SELECT seq, hash FROM audit_head WHERE id = 1", DB_NOPARAMS, &rows);
    if (rc != DB_OK)
        return rc;
    if (rows.n != 1)
        return DB_NOTFOUND;
    *seq = db_int(&rows, 0, 0);
    *hash = db_text(&rows, 0, 1);
    return DB_OK;
}

db_rc audit_store_spool_position(db_conn *c, arena *a, const char *generation, int64_t *moved_to)
{
    db_rows rows;
    db_rc rc = db_exec(c, a, "SELECT moved_to FROM audit_spool_position WHERE generation = ?",
                       DB_PARAMS(DB_TEXT(generation)), &rows);
    if (rc != DB_OK)
        return rc;
    if (rows.n != 1)
        return DB_NOTFOUND;
    *moved_to = db_int(&rows, 0, 0);
    return DB_OK;
}

db_rc audit_store_set_spool_position(db_conn *c, arena *a, const char *generation, int64_t moved_to)
{
    return db_exec(c, a,
                   "INSERT INTO audit_spool_position (generation, moved_to) VALUES (?, ?)"
                   " ON CONFLICT (generation) DO UPDATE SET moved_to = excluded.moved_to",
                   DB_PARAMS(DB_TEXT(generation), DB_INT(moved_to)), NULL);
}

db_rc audit_store_forget_spool(db_conn *c, arena *a, const char *generation)
{
    return db_exec(c, a, "DELETE FROM audit_spool_position WHERE generation = ?",
                   DB_PARAMS(DB_TEXT(generation)), NULL);
}

#include "store/journal_store.h"
#include "store/circle_store.h"

#include <stdint.h>
#include <stdlib.h>

#define NOTE_COLS                                                                                  \
    "n.id, n.patient_id, n.author_id, n.author_name, n.type, n.text, n.urgent, n.visibility,"      \
    " COALESCE(n.reply_to, 0), n.source, n.version, n.created_at, n.updated_at,"                   \
    " COALESCE(n.deleted_at, 0), n.attachment_count, n.read_count"

static void read_note(const db_rows *rows, int r, note *n)
{
    n->id = db_int(rows, r, 0);
    n->patient_id = db_int(rows, r, 1);
    n->author_id = db_int(rows, r, 2);
    n->author_name = db_text(rows, r, 3);
    n->type = db_text(rows, r, 4);
    n->text = db_text(rows, r, 5);
    n->urgent = db_int(rows, r, 6) != 0;
    n->visibility = db_text(rows, r, 7);
    n->reply_to = db_int(rows, r, 8);
    n->source = db_text(rows, r, 9);
    n->version = db_int(rows, r, 10);
    n->created_at = db_int(rows, r, 11);
    n->updated_at = db_int(rows, r, 12);
    n->deleted_at = db_int(rows, r, 13);
    n->nattachments = (int)db_int(rows, r, 14);
    n->nreads = (int)db_int(rows, r, 15);
}

/* SQLite stores notes by patient (migration 0011): the rowid is the note's
 * position in its patient's journal, (patient_id << 32) + rank, so a patient's
 * notes sit side by side in id order. A new note takes the patient's last
 * position + 1 and the next id (max + 1), both read under the writer lock the
 * caller holds. */
#define NOTE_INSERT_COLS                                                                           \
    "patient_id, author_id, author_name, type, text, urgent, visibility, reply_to, source,"        \
    " version, created_at, updated_at"
#define NOTE_POS_BITS 32

/* The positions of a patient's notes: (lo, hi]. */
static int64_t pos_lo(int64_t patient_id)
{
    return patient_id << NOTE_POS_BITS;
}
static int64_t pos_hi(int64_t patient_id)
{
    return pos_lo(patient_id) + INT64_C(0xFFFFFFFF);
}

db_rc journal_store_insert(db_conn *c, arena *a, note *n)
{
    db_param p[14];
    int np = 0;
    bool sqlite = db_conn_kind(c) == DB_SQLITE;
    if (sqlite) {
        if (n->patient_id <= 0 || n->patient_id > INT32_MAX)
            return DB_ERROR; /* outside the positions' range (ids are far below) */
        p[np++] = DB_INT(pos_lo(n->patient_id));
        p[np++] = DB_INT(pos_hi(n->patient_id));
        p[np++] = DB_INT(pos_lo(n->patient_id));
    }
    p[np++] = DB_INT(n->patient_id);
    p[np++] = DB_INT(n->author_id);
    p[np++] = DB_TEXT(n->author_name);
    p[np++] = DB_TEXT(n->type);
    p[np++] = DB_TEXT(n->text);
    p[np++] = DB_INT(n->urgent);
    p[np++] = DB_TEXT(n->visibility);
    p[np++] = n->reply_to ? DB_INT(n->reply_to) : DB_NULLP;
    p[np++] = DB_TEXT(n->source);
    p[np++] = DB_INT(n->created_at);
    p[np++] = DB_INT(n->created_at);
    db_rows rows;
    db_rc rc = db_exec(
        c, a,
        sqlite ? "INSERT INTO note (pos, id, " NOTE_INSERT_COLS ") VALUES ("
                 "COALESCE((SELECT max(pos) FROM note WHERE pos > ? AND pos <= ?), ?) + 1,"
                 " (SELECT COALESCE(max(id), 0) + 1 FROM note), ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)"
                 " RETURNING id"
               : "INSERT INTO note (" NOTE_INSERT_COLS
                 ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)"
                 " RETURNING id",
        p, np, &rows);
    if (rc == DB_OK) {
        n->id = db_int(&rows, 0, 0);
        n->version = 1;
        n->updated_at = n->created_at;
    }
    return rc;
}

db_rc journal_store_get(db_conn *c, arena *a, int64_t id, note *out)
{
    db_rows rows;
    db_rc rc = db_exec(c, a, "SELECT " NOTE_COLS " FROM note n WHERE n.id = ?",
                       DB_PARAMS(DB_INT(id)), &rows);
    if (rc != DB_OK)
        return rc;
    if (rows.n == 0)
        return DB_NOTFOUND;
    read_note(&rows, 0, out);
    return DB_OK;
}

static int newest_first(const void *x, const void *y)
{
    int64_t a = ((const note *)x)->id, b = ((const note *)y)->id;
    return a < b ? 1 : a > b ? -1 : 0;
}

/* One record at a time, so that each query walks that record's notes backwards
 * and stops after `limit` rows: an IN over the family would read every note of
 * the patient and sort them. SQLite walks the record's positions (see
 * journal_store_insert), PostgreSQL note_patient (patient_id, id); both begin
 * with the record and the cursor, (lo, hi, before) or (patient_id, before). A
 * 0/NULL filter parameter switches its test off in the general statement; the
 * timeline without filters (most reads) has statements of its own, which test
 * nothing per row. */
#define LIST_SQL(range, order, filters)                                                            \
    "SELECT " NOTE_COLS " FROM note n WHERE " range " AND n.id < ?" filters " ORDER BY " order     \
    " DESC LIMIT ?"
#define BY_POS "n.pos > ? AND n.pos <= ?"
#define BY_ID "n.patient_id = ?"
#define LIST_FILTERS                                                                               \
    " AND (CAST(? AS TEXT) IS NULL OR n.type = ?)"                                                 \
    " AND (CAST(? AS BIGINT) = 0 OR n.author_id = ?)"                                              \
    " AND (CAST(? AS BIGINT) = 0 OR n.created_at >= ?)"                                            \
    " AND (CAST(? AS BIGINT) = 0 OR n.created_at < ?)"                                             \
    " AND (CAST(? AS BIGINT) = 0 OR n.urgent = 1)"                                                 \
    " AND (CAST(? AS BIGINT) = 1 OR n.visibility = 'all')"

static db_rc list_one(db_conn *c, arena *a, int64_t record, int64_t before, int64_t before_pos,
                      const note_filter *f, db_rows *rows)
{
    static const char *const by_pos[] = {
        LIST_SQL(BY_POS, "n.pos", ""),
        LIST_SQL(BY_POS, "n.pos", " AND n.visibility = 'all'"),
        LIST_SQL(BY_POS, "n.pos", LIST_FILTERS),
    };
    static const char *const by_id[] = {
        LIST_SQL(BY_ID, "n.id", ""),
        LIST_SQL(BY_ID, "n.id", " AND n.visibility = 'all'"),
        LIST_SQL(BY_ID, "n.id", LIST_FILTERS),
    };
    bool plain = !f->type && !f->author_id && !f->from_ms && !f->to_ms && !f->urgent_only;
    int which = plain ? (f->professionals ? 0 : 1) : 2;
    db_param p[18];
    int np = 0;
    if (db_conn_kind(c) == DB_SQLITE) {
        int64_t hi = pos_hi(record);
        /* the cursor's own position when it is one of this record's notes: the
         * walk starts there instead of skipping the newer notes one by one */
        if (before_pos > pos_lo(record) && before_pos <= hi)
            hi = before_pos - 1;
        p[np++] = DB_INT(pos_lo(record));
        p[np++] = DB_INT(hi);
    } else {
        p[np++] = DB_INT(record);
    }
    p[np++] = DB_INT(before);
    if (!plain) {
        p[np++] = DB_TEXT(f->type);
        p[np++] = DB_TEXT(f->type);
        p[np++] = DB_INT(f->author_id);
        p[np++] = DB_INT(f->author_id);
        p[np++] = DB_INT(f->from_ms);
        p[np++] = DB_INT(f->from_ms);
        p[np++] = DB_INT(f->to_ms);
        p[np++] = DB_INT(f->to_ms);
        p[np++] = DB_INT(f->urgent_only);
        p[np++] = DB_INT(f->professionals);
    }
    p[np++] = DB_INT(f->limit);
    const char *sql = db_conn_kind(c) == DB_SQLITE ? by_pos[which] : by_id[which];
    return db_exec(c, a, sql, p, np, rows);
}

db_rc journal_store_list(db_conn *c, arena *a, const int64_t *family, int nfamily,
                         const note_filter *f, note **out, int *n)
{
    *n = 0;
    *out =
        arena_calloc(a, (size_t)f->limit * (size_t)(nfamily > 0 ? nfamily : 1) + 1, sizeof(note));
    int64_t before = f->before > 0 ? f->before : INT64_MAX;
    int64_t before_pos = 0;
    if (f->before > 0 && db_conn_kind(c) == DB_SQLITE) {
        db_rows rows;
        db_rc rc =
            db_exec(c, a, "SELECT pos FROM note WHERE id = ?", DB_PARAMS(DB_INT(before)), &rows);
        if (rc != DB_OK)
            return rc;
        if (rows.n == 1)
            before_pos = db_int(&rows, 0, 0);
    }
    for (int k = 0; k < nfamily; k++) {
        db_rows rows;
        db_rc rc = list_one(c, a, family[k], before, before_pos, f, &rows);
        if (rc != DB_OK) {
            *n = 0;
            return rc;
        }
        for (int i = 0; i < rows.n; i++) {
            note *x = &(*out)[*n + i];
            read_note(&rows, i, x);
        }
        *n += rows.n;
    }
    if (nfamily > 1) {
        qsort(*out, (size_t)*n, sizeof(note), newest_first);
        if (*n > f->limit)
            *n = f->limit;
    }
    return DB_OK;
}

db_rc journal_store_correct(db_conn *c, arena *a, int64_t id, int64_t expected_version,
                            const char *text, int64_t by, int64_t now)
{
    db_rows rows;
    db_rc rc =
        db_exec(c, a,
                "INSERT INTO note_revision (note_id, version, text, edited_by, edited_at)"
                " SELECT id, version, text, ?, ? FROM note"
                " WHERE id = ? AND version = ? AND deleted_at IS NULL",
                DB_PARAMS(DB_INT(by), DB_INT(now), DB_INT(id), DB_INT(expected_version)), &rows);
    if (rc != DB_OK)
        return rc;
    if (rows.changes == 0)
        return DB_NOTFOUND;
    return db_exec(c, a,
                   "UPDATE note SET text = ?, version = version + 1, updated_at = ? WHERE id = ?",
                   DB_PARAMS(DB_TEXT(text), DB_INT(now), DB_INT(id)), NULL);
}

db_rc journal_store_delete(db_conn *c, arena *a, int64_t id, int64_t by, int64_t now)
{
    db_rows rows;
    db_rc rc = db_exec(c, a,
                       "UPDATE note SET deleted_at = ?, deleted_by = ?, version = version + 1,"
                       " updated_at = ? WHERE id = ? AND deleted_at IS NULL",
                       DB_PARAMS(DB_INT(now), DB_INT(by), DB_INT(now), DB_INT(id)), &rows);
    if (rc == DB_OK && rows.changes == 0)
        return DB_NOTFOUND;
    return rc;
}

db_rc journal_store_revisions(db_conn *c, arena *a, int64_t id, note_revision **out, int *n)
{
    db_rows rows;
    db_rc rc = db_exec(c, a,
                       "SELECT version, text, COALESCE(edited_by, 0), edited_at FROM note_revision"
                       " WHERE note_id = ? ORDER BY version",
                       DB_PARAMS(DB_INT(id)), &rows);
    *n = 0;
    if (rc != DB_OK)
        return rc;
    *out = arena_calloc(a, (size_t)rows.n + 1, sizeof(note_revision));
    for (int i = 0; i < rows.n; i++) {
        (*out)[i].version = db_int(&rows, i, 0);
        (*out)[i].text = db_text(&rows, i, 1);
        (*out)[i].edited_by = db_int(&rows, i, 2);
        (*out)[i].edited_at = db_int(&rows, i, 3);
    }
    *n = rows.n;
    return DB_OK;
}

db_rc journal_store_add_attachment(db_conn *c, arena *a, attachment *at)
{
    db_rows rows;
    db_rc rc = db_exec(c, a,
                       "INSERT INTO note_attachment (note_id, filename, content_type, size, sha256,"
                       " data_base64, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                       DB_PARAMS(DB_INT(at->note_id), DB_TEXT(at->filename),
                                 DB_TEXT(at->content_type), DB_INT(at->size), DB_TEXT(at->sha256),
                                 DB_TEXT(at->data_base64), DB_INT(at->created_at)),
                       &rows);
    if (rc != DB_OK)
        return rc;
    at->id = db_int(&rows, 0, 0);
    return db_exec(c, a, "UPDATE note SET attachment_count = attachment_count + 1 WHERE id = ?",
                   DB_PARAMS(DB_INT(at->note_id)), NULL);
}

db_rc journal_store_attachments(db_conn *c, arena *a, const int64_t *note_ids, int nnotes,
                                attachment **out, int *n)
{
    db_rows *pages = arena_calloc(a, (size_t)nnotes + 1, sizeof(db_rows));
    int total = 0;
    *n = 0;
    for (int k = 0; k < nnotes; k++) {
        db_rc rc = db_exec(c, a,
                           "SELECT id, note_id, size, created_at, filename, content_type, sha256"
                           " FROM note_attachment WHERE note_id = ? ORDER BY id",
                           DB_PARAMS(DB_INT(note_ids[k])), &pages[k]);
        if (rc != DB_OK)
            return rc;
        total += pages[k].n;
    }
    *out = arena_calloc(a, (size_t)total + 1, sizeof(attachment));
    for (int k = 0; k < nnotes; k++)
        for (int i = 0; i < pages[k].n; i++) {
            const db_rows *rows = &pages[k];
            attachment *x = &(*out)[(*n)++];
            x->id = db_int(rows, i, 0);
            x->note_id = db_int(rows, i, 1);
            x->size = db_int(rows, i, 2);
            x->created_at = db_int(rows, i, 3);
            x->filename = db_text(rows, i, 4);
            x->content_type = db_text(rows, i, 5);
            x->sha256 = db_text(rows, i, 6);
        }
    return DB_OK;
}

db_rc journal_store_attachment(db_conn *c, arena *a, int64_t id, attachment *out)
{
    db_rows rows;
    db_rc rc = db_exec(c, a,
                       "SELECT id, note_id, size, created_at, filename, content_type, sha256,"
                       " data_base64 FROM note_attachment WHERE id = ?",
                       DB_PARAMS(DB_INT(id)), &rows);
    if (rc != DB_OK)
        return rc;
    if (rows.n == 0)
        return DB_NOTFOUND;
    out->id = db_int(&rows, 0, 0);
    out->note_id = db_int(&rows, 0, 1);
    out->size = db_int(&rows, 0, 2);
    out->created_at = db_int(&rows, 0, 3);
    out->filename = db_text(&rows, 0, 4);
    out->content_type = db_text(&rows, 0, 5);
    out->sha256 = db_text(&rows, 0, 6);
    out->data_base64 = db_text(&rows, 0, 7);
    return DB_OK;
}

db_rc journal_store_mark_read(db_conn *c, arena *a, int64_t note_id, int64_t user_id, int64_t now)
{
    db_rows rows;
    db_rc rc = db_exec(c, a,
                       "INSERT INTO note_read (note_id, user_id, read_at) VALUES (?, ?, ?)"
                       " ON CONFLICT (note_id, user_id) DO NOTHING",
                       DB_PARAMS(DB_INT(note_id), DB_INT(user_id), DB_INT(now)), &rows);
    if (rc != DB_OK || rows.changes == 0)
        return rc;
    return db_exec(c, a, "UPDATE note SET read_count = read_count + 1 WHERE id = ?",
                   DB_PARAMS(DB_INT(note_id)), NULL);
}

db_rc journal_store_reads(db_conn *c, arena *a, int64_t note_id, note_read_row **out, int *n)
{
    db_rows rows;
    db_rc rc =
        db_exec(c, a,
                "SELECT r.user_id, r.read_at, u.display_name FROM note_read r"
                " JOIN app_user u ON u.id = r.user_id WHERE r.note_id = ? ORDER BY r.read_at",
                DB_PARAMS(DB_INT(note_id)), &rows);
    *n = 0;
    if (rc != DB_OK)
        return rc;
    *out = arena_calloc(a, (size_t)rows.n + 1, sizeof(note_read_row));
    for (int i = 0; i < rows.n; i++) {
        (*out)[i].user_id = db_int(&rows, i, 0);
        (*out)[i].read_at = db_int(&rows, i, 1);
        (*out)[i].display_name = db_text(&rows, i, 2);
    }
    *n = rows.n;
    return DB_OK;
}

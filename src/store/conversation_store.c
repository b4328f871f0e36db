#include "store/conversation_store.h"
#include "store/circle_store.h" /* FAMILY_CTE */

#define CONV_COLS "id, kind, COALESCE(patient_id, 0), title, COALESCE(created_by, 0), created_at"
#define MESSAGE_COLS "m.id, m.conversation_id, m.author_id, m.author_name, m.text, m.created_at"
/* The patient conversations of the record given as FAMILY_CTE's parameter
 * and of the records merged into it. */
#define FAMILY_CONVERSATIONS                                                                       \
    "(SELECT cv.id FROM conversation cv WHERE cv.kind = 'patient'"                                \
    " AND cv.patient_id IN (SELECT id FROM family))"

static void read_conv(const db_rows *rows, int r, int k, conversation_row *out)
{
    out->id = db_int(rows, r, k);
    out->kind = db_text(rows, r, k + 1);
    out->patient_id = db_int(rows, r, k + 2);
    out->title = db_text(rows, r, k + 3);
    out->created_by = db_int(rows, r, k + 4);
    out->created_at = db_int(rows, r, k + 5);
}

static db_rc read_one(db_rc rc, const db_rows *rows, conversation_row *out)
{
    if (rc != DB_OK)
        return rc;
    if (rows->n == 0)
        return DB_NOTFOUND;
    read_conv(rows, 0, 0, out);
    return DB_OK;
}

static db_param opt_id(int64_t v)
{
    return v ? DB_INT(v) : DB_NULLP;
}

db_rc conversation_store_get(db_conn *c, arena *a, int64_t id, conversation_row *out)
{
    db_rows rows;
    db_rc rc = db_exec(c, a, "SELECT " CONV_COLS " FROM conversation WHERE id = ?",
                       DB_PARAMS(DB_INT(id)), &rows);
    return read_one(rc, &rows, out);
}

db_rc conversation_store_patient(db_conn *c, arena *a, int64_t patient_id, int64_t created_by,
                                 int64_t now, conversation_row *out)
{
    db_rows rows;
    db_rc rc = db_exec(c, a,
                       "SELECT " CONV_COLS " FROM conversation WHERE kind = 'patient'"
                       " AND patient_id = ?",
                       DB_PARAMS(DB_INT(patient_id)), &rows);
    if (rc != DB_OK || rows.n == 1)
        return read_one(rc, &rows, out);
    /* a concurrent first use inserts nothing here and we read its row */
    rc = db_exec(c, a,
                 "INSERT INTO conversation (kind, patient_id, created_by, created_at)"
                 " VALUES ('patient', ?, ?, ?)"
                 " ON CONFLICT (patient_id) WHERE kind = 'patient' DO NOTHING",
                 DB_PARAMS(DB_INT(patient_id), opt_id(created_by), DB_INT(now)), NULL);
    if (rc != DB_OK)
        return rc;
    rc = db_exec(c, a,
                 "SELECT " CONV_COLS " FROM conversation WHERE kind = 'patient'"
                 " AND patient_id = ?",
                 DB_PARAMS(DB_INT(patient_id)), &rows);
    return read_one(rc, &rows, out);
}

db_rc conversation_store_family_count(db_conn *c, arena *a, int64_t patient_id, int *n)
{
    db_rows rows;
    db_rc rc = db_exec(c, a,
                       FAMILY_CTE "SELECT count(*) FROM conversation WHERE kind = 'patient'"
                                  " AND patient_id IN (SELECT id FROM family)",
                       DB_PARAMS(DB_INT(patient_id)), &rows);
    *n = rc == DB_OK ? (int)db_int(&rows, 0, 0) : 0;
    return rc;
}

db_rc conversation_store_create_direct(db_conn *c, arena *a, const char *title,
                                       int64_t created_by, int64_t now, const int64_t *members,
                                       int n, conversation_row *out)
{
    db_rows rows;
    db_rc rc = db_exec(c, a,
                       "INSERT INTO conversation (kind, title, created_by, created_at)"
                       " VALUES ('direct', ?, ?, ?) RETURNING id",
                       DB_PARAMS(DB_TEXT(title), opt_id(created_by), DB_INT(now)), &rows);
    if (rc != DB_OK)
        return rc;
    *out = (conversation_row){.id = db_int(&rows, 0, 0),
                              .kind = "direct",
                              .title = title,
                              .created_by = created_by,
                              .created_at = now};
    for (int i = 0; i < n && rc == DB_OK; i++)
        rc = db_exec(c, a,
                     "INSERT INTO conversation_member (conversation_id, user_id) VALUES (?, ?)",
                     DB_PARAMS(DB_INT(out->id), DB_INT(members[i])), NULL);
    return rc;
}

db_rc conversation_store_is_member(db_conn *c, arena *a, int64_t conversation_id,
                                   int64_t user_id, bool *member)
{
    db_rows rows;
    db_rc rc = db_exec(c, a,
                       "SELECT 1 FROM conversation_member WHERE conversation_id = ? AND user_id = ?",
                       DB_PARAMS(DB_INT(conversation_id), DB_INT(user_id)), &rows);
    *member = rc == DB_OK && rows.n > 0;
    return rc;
}

db_rc conversation_store_members(db_conn *c, arena *a, int64_t conversation_id,
                                 conversation_member_row **out, int *n)
{
    db_rows rows;
    db_rc rc = db_exec(c, a,
                       "SELECT u.id, u.login, u.display_name FROM conversation_member cm"
                       " JOIN app_user u ON u.id = cm.user_id WHERE cm.conversation_id = ?"
                       " ORDER BY u.display_name, u.id",
                       DB_PARAMS(DB_INT(conversation_id)), &rows);
    *n = 0;
    if (rc != DB_OK)
        return rc;
    *out = arena_calloc(a, (size_t)rows.n + 1, sizeof(conversation_member_row));
    for (int i = 0; i < rows.n; i++)
        (*out)[i] = (conversation_member_row){.user_id = db_int(&rows, i, 0),
                                              .login = db_text(&rows, i, 1),
                                              .display_name = db_text(&rows, i, 2)};
    *n = rows.n;
    return DB_OK;
}

db_rc conversation_store_add_message(db_conn *c, arena *a, message_row *m)
{
    db_rows rows;
    db_rc rc = db_exec(c, a,
                       "INSERT INTO message (conversation_id, author_id, author_name, text,"
                       " created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
                       DB_PARAMS(DB_INT(m->conversation_id), DB_INT(m->author_id),
                                 DB_TEXT(m->author_name), DB_TEXT(m->text), DB_INT(m->created_at)),
                       &rows);
    if (rc == DB_OK)
        m->id = db_int(&rows, 0, 0);
    return rc;
}

static db_rc read_messages(db_rc rc, const db_rows *rows, arena *a, message_row **out, int *n)
{
    *n = 0;
    if (rc != DB_OK)
        return rc;
    *out = arena_calloc(a, (size_t)rows->n + 1, sizeof(message_row));
    for (int i = 0; i < rows->n; i++)
        (*out)[i] = (message_row){.id = db_int(rows, i, 0),
                                  .conversation_id = db_int(rows, i, 1),
                                  .author_id = db_int(rows, i, 2),
                                  .author_name = db_text(rows, i, 3),
                                  .text = db_text(rows, i, 4),
                                  .created_at = db_int(rows, i, 5)};
    *n = rows->n;
    return DB_OK;
}

db_rc conversation_store_messages(db_conn *c, arena *a, int64_t conversation_id,
                                  int64_t family_of, int64_t before, int limit,
                                  message_row **out, int *n)
{
    db_rows rows;
    db_rc rc;
    if (family_of)
        rc = db_exec(c, a,
                     FAMILY_CTE "SELECT " MESSAGE_COLS " FROM message m"
                                " WHERE m.conversation_id IN " FAMILY_CONVERSATIONS
                                " AND (CAST(? AS BIGINT) = 0 OR m.id < ?)"
                                " ORDER BY m.id DESC LIMIT ?",
                     DB_PARAMS(DB_INT(family_of), DB_INT(before), DB_INT(before), DB_INT(limit)),
                     &rows);
    else
        rc = db_exec(c, a,
                     "SELECT " MESSAGE_COLS " FROM message m WHERE m.conversation_id = ?"
                     " AND (CAST(? AS BIGINT) = 0 OR m.id < ?) ORDER BY m.id DESC LIMIT ?",
                     DB_PARAMS(DB_INT(conversation_id), DB_INT(before), DB_INT(before),
                               DB_INT(limit)),
                     &rows);
    return read_messages(rc, &rows, a, out, n);
}

db_rc conversation_store_has_message(db_conn *c, arena *a, int64_t conversation_id,
                                     int64_t family_of, int64_t message_id, bool *yes)
{
    db_rows rows;
    db_rc rc;
    if (family_of)
        rc = db_exec(c, a,
                     FAMILY_CTE "SELECT 1 FROM message m WHERE m.id = ?"
                                " AND m.conversation_id IN " FAMILY_CONVERSATIONS,
                     DB_PARAMS(DB_INT(family_of), DB_INT(message_id)), &rows);
    else
        rc = db_exec(c, a, "SELECT 1 FROM message WHERE id = ? AND conversation_id = ?",
                     DB_PARAMS(DB_INT(message_id), DB_INT(conversation_id)), &rows);
    *yes = rc == DB_OK && rows.n > 0;
    return rc;
}

db_rc conversation_store_read_state(db_conn *c, arena *a, int64_t conversation_id,
                                    int64_t family_of, int64_t user_id, int64_t *last_read_id,
                                    int64_t *unread)
{
    db_rows rows;
    *last_read_id = *unread = 0;
    db_rc rc = db_exec(c, a,
                       "SELECT last_read_id FROM conversation_read WHERE conversation_id = ?"
                       " AND user_id = ?",
                       DB_PARAMS(DB_INT(conversation_id), DB_INT(user_id)), &rows);
    if (rc != DB_OK)
        return rc;
    *last_read_id = rows.n ? db_int(&rows, 0, 0) : 0;
    if (family_of)
        rc = db_exec(c, a,
                     FAMILY_CTE "SELECT count(*) FROM message m"
                                " WHERE m.conversation_id IN " FAMILY_CONVERSATIONS
                                " AND m.author_id <> ? AND m.id > ?",
                     DB_PARAMS(DB_INT(family_of), DB_INT(user_id), DB_INT(*last_read_id)),
                     &rows);
    else
        rc = db_exec(c, a,
                     "SELECT count(*) FROM message WHERE conversation_id = ? AND author_id <> ?"
                     " AND id > ?",
                     DB_PARAMS(DB_INT(conversation_id), DB_INT(user_id), DB_INT(*last_read_id)),
                     &rows);
    if (rc == DB_OK)
        *unread = db_int(&rows, 0, 0);
    return rc;
}

db_rc conversation_store_mark_read(db_conn *c, arena *a, int64_t conversation_id,
                                   int64_t user_id, int64_t last_read_id)
{
    return db_exec(c, a,
                   "INSERT INTO conversation_read (conversation_id, user_id, last_read_id)"
                   " VALUES (?, ?, ?) ON CONFLICT (conversation_id, user_id) DO UPDATE SET"
                   " last_read_id = CASE WHEN excluded.last_read_id > conversation_read.last_read_id"
                   " THEN excluded.last_read_id ELSE conversation_read.last_read_id END",
                   DB_PARAMS(DB_INT(conversation_id), DB_INT(user_id), DB_INT(last_read_id)),
                   NULL);
}

db_rc conversation_store_list_for_user(db_conn *c, arena *a, int64_t user_id, int64_t now,
                                       int limit, conversation_summary **out, int *n)
{
    db_rows rows;
    /* `mine` walks the user's memberships through their indexes (direct:
     * conversation_member_user; patients: circle_member_user then the
     * partial unique index on conversation.patient_id), never the whole table */
    db_rc rc = db_exec(
        c, a,
        "WITH mine(id) AS ("
        " SELECT cm.conversation_id FROM conversation_member cm WHERE cm.user_id = ?"
        " UNION"
        " SELECT cv.id FROM conversation cv WHERE cv.kind = 'patient' AND cv.patient_id IN"
        "  (SELECT COALESCE(p.merged_into, p.id) FROM circle_member mb"
        "   JOIN patient p ON p.id = mb.patient_id WHERE mb.user_id = ? AND mb.start_at <= ?"
        "   AND (mb.end_at IS NULL OR mb.end_at > ?))"
        "  AND NOT EXISTS (SELECT 1 FROM opposition o WHERE o.patient_id = cv.patient_id"
        "   AND o.user_id = ? AND o.lifted_at IS NULL))"
        " SELECT cv.id, cv.kind, COALESCE(cv.patient_id, 0), cv.title, COALESCE(cv.created_by, 0),"
        " cv.created_at, COALESCE(lm.id, 0), COALESCE(lm.created_at, 0),"
        " COALESCE(r.last_read_id, 0),"
        " (SELECT count(*) FROM message m WHERE m.conversation_id = cv.id AND m.author_id <> ?"
        "  AND m.id > COALESCE(r.last_read_id, 0))"
        " FROM mine JOIN conversation cv ON cv.id = mine.id"
        " LEFT JOIN conversation_read r ON r.conversation_id = cv.id AND r.user_id = ?"
        " LEFT JOIN message lm ON lm.id ="
        "  (SELECT max(m2.id) FROM message m2 WHERE m2.conversation_id = cv.id)"
        " ORDER BY 7 DESC, cv.id DESC LIMIT ?",
        DB_PARAMS(DB_INT(user_id), DB_INT(user_id), DB_INT(now), DB_INT(now), DB_INT(user_id),
                  DB_INT(user_id), DB_INT(user_id), DB_INT(limit)),
        &rows);
    *n = 0;
    if (rc != DB_OK)
        return rc;
    *out = arena_calloc(a, (size_t)rows.n + 1, sizeof(conversation_summary));
    for (int i = 0; i < rows.n; i++) {
        conversation_summary *s = &(*out)[i];
        read_conv(&rows, i, 0, &s->conv);
        s->last_message_id = db_int(&rows, i, 6);
        s->last_message_at = db_int(&rows, i, 7);
        s->last_read_id = db_int(&rows, i, 8);
        s->unread = db_int(&rows, i, 9);
    }
    *n = rows.n;
    return DB_OK;
}

#include "store/hl7_store.h"
#include "store/circle_store.h"

/* ---- message store ------------------------------------------------------ */

#define MESSAGE_COLS                                                                               \
    "id, received_at, peer, sender_app, sender_facility, control_id, message_type, status,"        \
    " ack_code, error, COALESCE(patient_id, 0), raw_encoding, raw, raw_size, ack"

static void read_message(const db_rows *rows, int r, hl7_message_row *m)
{
    m->id = db_int(rows, r, 0);
    m->received_at = db_int(rows, r, 1);
    m->peer = db_text(rows, r, 2);
    m->sender_app = db_text(rows, r, 3);
    m->sender_facility = db_text(rows, r, 4);
    m->control_id = db_text(rows, r, 5);
    m->message_type = db_text(rows, r, 6);
    m->status = db_text(rows, r, 7);
    m->ack_code = db_text(rows, r, 8);
    m->error = db_text(rows, r, 9);
    m->patient_id = db_int(rows, r, 10);
    m->raw_encoding = db_text(rows, r, 11);
    m->raw = db_text(rows, r, 12);
    m->raw_size = db_int(rows, r, 13);
    m->ack = db_text(rows, r, 14);
}

db_rc hl7_store_find_answer(db_conn *c, arena *a, const char *sender_app,
                            const char *sender_facility, const char *control_id,
                            hl7_message_row *out)
{
    db_rows rows;
    /* the predicate repeats the unique index's so that the index is used */
    db_rc rc = db_exec(
        c, a,
        "SELECT " MESSAGE_COLS " FROM hl7_message WHERE sender_app = ?"
        " AND sender_facility = ? AND control_id = ? AND status <> 'rejected'"
        " AND control_id IS NOT NULL",
        DB_PARAMS(DB_TEXT(sender_app), DB_TEXT(sender_facility), DB_TEXT(control_id)), &rows);
    if (rc != DB_OK)
        return rc;
    if (rows.n == 0)
        return DB_NOTFOUND;
    read_message(&rows, 0, out);
    return DB_OK;
}

db_rc hl7_store_insert_message(db_conn *c, arena *a, hl7_message_row *m)
{
    db_rows rows;
    db_rc rc = db_exec(
        c, a,
        "INSERT INTO hl7_message (received_at, peer, sender_app, sender_facility, control_id,"
        " message_type, status, ack_code, error, patient_id, raw_encoding, raw, raw_size, ack)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        DB_PARAMS(DB_INT(m->received_at), DB_TEXT(m->peer),
                  DB_TEXT(m->sender_app ? m->sender_app : ""),
                  DB_TEXT(m->sender_facility ? m->sender_facility : ""), DB_TEXT(m->control_id),
                  DB_TEXT(m->message_type), DB_TEXT(m->status), DB_TEXT(m->ack_code),
                  DB_TEXT(m->error), m->patient_id ? DB_INT(m->patient_id) : DB_NULLP,
                  DB_TEXT(m->raw_encoding), DB_TEXT(m->raw), DB_INT(m->raw_size), DB_TEXT(m->ack)),
        &rows);
    if (rc == DB_OK)
        m->id = db_int(&rows, 0, 0);
    return rc;
}

db_rc hl7_store_list_messages(db_conn *c, arena *a, const char *status, int64_t before, int limit,
                              hl7_message_row **out, int *n)
{
    db_rows rows;
    db_rc rc = db_exec(
        c, a,
        "SELECT " MESSAGE_COLS " FROM hl7_message"
        " WHERE (CAST(? AS TEXT) IS NULL OR status = ?)"
        " AND (CAST(? AS BIGINT) = 0 OR id < ?) ORDER BY id DESC LIMIT ?",
        DB_PARAMS(DB_TEXT(status), DB_TEXT(status), DB_INT(before), DB_INT(before), DB_INT(limit)),
        &rows);
    *n = 0;
    if (rc != DB_OK)
        return rc;
    *out = arena_calloc(a, (size_t)(rows.n ? rows.n : 1), sizeof **out);
    for (int i = 0; i < rows.n; i++)
        read_message(&rows, i, &(*out)[i]);
    *n = rows.n;
    return DB_OK;
}

/* ---- movements -------------------------------------------------------- */

#define MOVEMENT_COLS                                                                              \
    "m.id, m.patient_id, m.facility, m.movement_id, m.visit_number, m.event, m.patient_class,"     \
    " m.unit, m.occurred_at, COALESCE(m.note_id, 0), COALESCE(m.cancelled_at, 0), m.rupture,"      \
    " m.created_at, m.updated_at"

static void read_movement(const db_rows *rows, int r, hl7_movement_row *m)
{
    m->id = db_int(rows, r, 0);
    m->patient_id = db_int(rows, r, 1);
    m->facility = db_text(rows, r, 2);
    m->movement_id = db_text(rows, r, 3);
    m->visit_number = db_text(rows, r, 4);
    m->event = db_text(rows, r, 5);
    m->patient_class = db_text(rows, r, 6);
    m->unit = db_text(rows, r, 7);
    m->occurred_at = db_int(rows, r, 8);
    m->note_id = db_int(rows, r, 9);
    m->cancelled_at = db_int(rows, r, 10);
    m->rupture = db_text(rows, r, 11);
    m->created_at = db_int(rows, r, 12);
    m->updated_at = db_int(rows, r, 13);
}

static db_rc one_movement(db_rc rc, const db_rows *rows, hl7_movement_row *out)
{
    if (rc != DB_OK)
        return rc;
    if (rows->n == 0)
        return DB_NOTFOUND;
    read_movement(rows, 0, out);
    return DB_OK;
}

db_rc hl7_store_movement_by_key(db_conn *c, arena *a, const char *facility, const char *movement_id,
                                hl7_movement_row *out)
{
    db_rows rows;
    db_rc rc = db_exec(c, a,
                       "SELECT " MOVEMENT_COLS " FROM hl7_movement m WHERE m.facility = ?"
                       " AND m.movement_id = ?",
                       DB_PARAMS(DB_TEXT(facility), DB_TEXT(movement_id)), &rows);
    return one_movement(rc, &rows, out);
}

db_rc hl7_store_movement_latest(db_conn *c, arena *a, int64_t patient_id, const char *facility,
                                const char *event, hl7_movement_row *out)
{
    db_rows rows;
    db_rc rc = db_exec(c, a,
                       FAMILY_CTE "SELECT " MOVEMENT_COLS " FROM hl7_movement m"
                                  " WHERE m.patient_id IN (SELECT id FROM family)"
                                  " AND m.facility = ? AND m.event = ? AND m.cancelled_at IS NULL"
                                  " ORDER BY m.occurred_at DESC, m.id DESC LIMIT 1",
                       DB_PARAMS(DB_INT(patient_id), DB_TEXT(facility), DB_TEXT(event)), &rows);
    return one_movement(rc, &rows, out);
}

db_rc hl7_store_movement_insert(db_conn *c, arena *a, hl7_movement_row *m)
{
    db_rows rows;
    db_rc rc =
        db_exec(c, a,
                "INSERT INTO hl7_movement (patient_id, facility, movement_id, visit_number, event,"
                " patient_class, unit, occurred_at, note_id, rupture, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                DB_PARAMS(DB_INT(m->patient_id), DB_TEXT(m->facility), DB_TEXT(m->movement_id),
                          DB_TEXT(m->visit_number), DB_TEXT(m->event), DB_TEXT(m->patient_class),
                          DB_TEXT(m->unit), DB_INT(m->occurred_at),
                          m->note_id ? DB_INT(m->note_id) : DB_NULLP, DB_TEXT(m->rupture),
                          DB_INT(m->created_at), DB_INT(m->created_at)),
                &rows);
    if (rc == DB_OK)
        m->id = db_int(&rows, 0, 0);
    return rc;
}

db_rc hl7_store_movement_update(db_conn *c, arena *a, const hl7_movement_row *m)
{
    return db_exec(c, a,
                   "UPDATE hl7_movement SET unit = ?, occurred_at = ?, patient_class = ?,"
                   " visit_number = ?, note_id = ?, rupture = ?, updated_at = ? WHERE id = ?",
                   DB_PARAMS(DB_TEXT(m->unit), DB_INT(m->occurred_at), DB_TEXT(m->patient_class),
                             DB_TEXT(m->visit_number), m->note_id ? DB_INT(m->note_id) : DB_NULLP,
                             DB_TEXT(m->rupture), DB_INT(m->updated_at), DB_INT(m->id)),
                   NULL);
}

db_rc hl7_store_movement_cancel(db_conn *c, arena *a, int64_t id, int64_t at)
{
    return db_exec(c, a,
                   "UPDATE hl7_movement SET cancelled_at = ?, updated_at = ?,"
                   " rupture = CASE WHEN rupture = 'pending' THEN NULL ELSE rupture END"
                   " WHERE id = ?",
                   DB_PARAMS(DB_INT(at), DB_INT(at), DB_INT(id)), NULL);
}

db_rc hl7_store_ruptures_due(db_conn *c, arena *a, int64_t before, int limit,
                             hl7_movement_row **out, int *n)
{
    db_rows rows;
    db_rc rc = db_exec(c, a,
                       "SELECT " MOVEMENT_COLS " FROM hl7_movement m WHERE m.rupture = 'pending'"
                       " AND m.occurred_at < ? AND m.cancelled_at IS NULL"
                       " ORDER BY m.occurred_at, m.id LIMIT ?",
                       DB_PARAMS(DB_INT(before), DB_INT(limit)), &rows);
    *n = 0;
    if (rc != DB_OK)
        return rc;
    *out = arena_calloc(a, (size_t)(rows.n ? rows.n : 1), sizeof **out);
    for (int i = 0; i < rows.n; i++)
        read_movement(&rows, i, &(*out)[i]);
    *n = rows.n;
    return DB_OK;
}

db_rc hl7_store_rupture_claim(db_conn *c, arena *a, int64_t id, int64_t at)
{
    db_rows rows;
    db_rc rc = db_exec(c, a,
                       "UPDATE hl7_movement SET rupture = 'ok', updated_at = ? WHERE id = ?"
                       " AND rupture = 'pending'",
                       DB_PARAMS(DB_INT(at), DB_INT(id)), &rows);
    if (rc != DB_OK)
        return rc;
    return rows.changes == 1 ? DB_OK : DB_NOTFOUND;
}

db_rc hl7_store_rupture_set(db_conn *c, arena *a, int64_t id, const char *state, int64_t at)
{
    return db_exec(c, a, "UPDATE hl7_movement SET rupture = ?, updated_at = ? WHERE id = ?",
                   DB_PARAMS(DB_TEXT(state), DB_INT(at), DB_INT(id)), NULL);
}

/* ---- outbox ------------------------------------------------------------- */

#define OUTBOX_COLS                                                                                \
    "id, patient_id, event, control_id, message, status, attempts, next_attempt_at, last_error,"   \
    " ack, created_at, COALESCE(sent_at, 0)"

static void read_outbox(const db_rows *rows, int r, hl7_outbox_row *m)
{
    m->id = db_int(rows, r, 0);
    m->patient_id = db_int(rows, r, 1);
    m->event = db_text(rows, r, 2);
    m->control_id = db_text(rows, r, 3);
    m->message = db_text(rows, r, 4);
    m->status = db_text(rows, r, 5);
    m->attempts = (int)db_int(rows, r, 6);
    m->next_attempt_at = db_int(rows, r, 7);
    m->last_error = db_text(rows, r, 8);
    m->ack = db_text(rows, r, 9);
    m->created_at = db_int(rows, r, 10);
    m->sent_at = db_int(rows, r, 11);
}

db_rc hl7_store_outbox_insert(db_conn *c, arena *a, hl7_outbox_row *m)
{
    db_rows rows;
    db_rc rc = db_exec(c, a,
                       "INSERT INTO hl7_outbox (patient_id, event, control_id, message, status,"
                       " attempts, next_attempt_at, created_at)"
                       " VALUES (?, ?, ?, ?, 'pending', 0, ?, ?) RETURNING id",
                       DB_PARAMS(DB_INT(m->patient_id), DB_TEXT(m->event), DB_TEXT(m->control_id),
                                 DB_TEXT(m->message), DB_INT(m->created_at), DB_INT(m->created_at)),
                       &rows);
    if (rc == DB_OK)
        m->id = db_int(&rows, 0, 0);
    return rc;
}

db_rc hl7_store_outbox_claim(db_conn *c, arena *a, int64_t now, int64_t lease_ms,
                             hl7_outbox_row *out)
{
    db_rows rows;
    db_rc rc = db_exec(c, a,
                       "SELECT " OUTBOX_COLS ", lease_until FROM hl7_outbox"
                       " WHERE status = 'pending' ORDER BY id LIMIT 1",
                       DB_NOPARAMS, &rows);
    if (rc != DB_OK)
        return rc;
    if (rows.n == 0)
        return DB_NOTFOUND;
    read_outbox(&rows, 0, out);
    if (out->next_attempt_at > now || db_int(&rows, 0, 12) > now)
        return DB_NOTFOUND; /* not due yet, or another process holds it */
    db_rows upd;
    rc = db_exec(c, a,
                 "UPDATE hl7_outbox SET lease_until = ? WHERE id = ? AND status = 'pending'"
                 " AND lease_until <= ?",
                 DB_PARAMS(DB_INT(now + lease_ms), DB_INT(out->id), DB_INT(now)), &upd);
    if (rc != DB_OK)
        return rc;
    return upd.changes == 1 ? DB_OK : DB_NOTFOUND;
}

db_rc hl7_store_outbox_result(db_conn *c, arena *a, const hl7_outbox_row *m)
{
    return db_exec(c, a,
                   "UPDATE hl7_outbox SET status = ?, attempts = ?, next_attempt_at = ?,"
                   " last_error = ?, ack = ?, sent_at = ?, lease_until = 0 WHERE id = ?",
                   DB_PARAMS(DB_TEXT(m->status), DB_INT(m->attempts), DB_INT(m->next_attempt_at),
                             DB_TEXT(m->last_error), DB_TEXT(m->ack),
                             m->sent_at ? DB_INT(m->sent_at) : DB_NULLP, DB_INT(m->id)),
                   NULL);
}

db_rc hl7_store_outbox_list(db_conn *c, arena *a, const char *status, int64_t before, int limit,
                            hl7_outbox_row **out, int *n)
{
    db_rows rows;
    db_rc rc = db_exec(
        c, a,
        "SELECT " OUTBOX_COLS " FROM hl7_outbox"
        " WHERE (CAST(? AS TEXT) IS NULL OR status = ?)"
        " AND (CAST(? AS BIGINT) = 0 OR id < ?) ORDER BY id DESC LIMIT ?",
        DB_PARAMS(DB_TEXT(status), DB_TEXT(status), DB_INT(before), DB_INT(before), DB_INT(limit)),
        &rows);
    *n = 0;
    if (rc != DB_OK)
        return rc;
    *out = arena_calloc(a, (size_t)(rows.n ? rows.n : 1), sizeof **out);
    for (int i = 0; i < rows.n; i++)
        read_outbox(&rows, i, &(*out)[i]);
    *n = rows.n;
    return DB_OK;
}

/* ---- system account ------------------------------------------------------ */

db_rc hl7_store_account(db_conn *c, arena *a, const char *login, int64_t *id,
                        const char **display_name)
{
    db_rows rows;
    db_rc rc = db_exec(c, a, "SELECT id, display_name FROM app_user WHERE login = ?",
                       DB_PARAMS(DB_TEXT(login)), &rows);
    if (rc != DB_OK)
        return rc;
    if (rows.n == 0)
        return DB_NOTFOUND;
    *id = db_int(&rows, 0, 0);
    *display_name = db_text(&rows, 0, 1);
    return DB_OK;
}

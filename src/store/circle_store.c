#include "store/circle_store.h"

#define MEMBER_COLS                                                                                \
    "id, patient_id, kind, role, COALESCE(user_id, 0), COALESCE(professional_id, 0),"             \
    " COALESCE(organisation_id, 0), display_name, phone, email, COALESCE(invitation_id, 0),"      \
    " start_at, COALESCE(end_at, 0), COALESCE(added_by, 0)"

static void read_member(const db_rows *rows, int r, circle_member *m)
{
    m->id = db_int(rows, r, 0);
    m->patient_id = db_int(rows, r, 1);
    m->kind = db_text(rows, r, 2);
    m->role = db_text(rows, r, 3);
    m->user_id = db_int(rows, r, 4);
    m->professional_id = db_int(rows, r, 5);
    m->organisation_id = db_int(rows, r, 6);
    m->display_name = db_text(rows, r, 7);
    m->phone = db_text(rows, r, 8);
    m->email = db_text(rows, r, 9);
    m->invitation_id = db_int(rows, r, 10);
    m->start_at = db_int(rows, r, 11);
    m->end_at = db_int(rows, r, 12);
    m->added_by = db_int(rows, r, 13);
}

static db_param opt_id(int64_t v)
{
    return v ? DB_INT(v) : DB_NULLP;
}

db_rc circle_store_insert(db_conn *c, arena *a, circle_member *m)
{
    db_rows rows;
    db_rc rc = db_exec(
        c, a,
        "INSERT INTO circle_member (patient_id, kind, role, user_id, professional_id,"
        " organisation_id, display_name, phone, email, invitation_id, start_at, end_at, added_by,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        DB_PARAMS(DB_INT(m->patient_id), DB_TEXT(m->kind), DB_TEXT(m->role), opt_id(m->user_id),
                  opt_id(m->professional_id), opt_id(m->organisation_id),
                  DB_TEXT(m->display_name), DB_TEXT(m->phone), DB_TEXT(m->email),
                  opt_id(m->invitation_id), DB_INT(m->start_at), opt_id(m->end_at),
                  opt_id(m->added_by), DB_INT(m->start_at)),
        &rows);
    if (rc == DB_OK)
        m->id = db_int(&rows, 0, 0);
    return rc;
}

db_rc circle_store_list(db_conn *c, arena *a, int64_t patient_id, int64_t now,
                        bool include_past, circle_member **out, int *count)
{
    db_rows rows;
    db_rc rc = db_exec(c, a,
                       FAMILY_CTE "SELECT " MEMBER_COLS " FROM circle_member"
                                  " WHERE patient_id IN (SELECT id FROM family)"
                                  " AND (CAST(? AS BIGINT) = 1 OR end_at IS NULL OR end_at > ?)"
                                  " ORDER BY CASE role WHEN 'PCP' THEN 0 WHEN 'REFERENT' THEN 1"
                                  " ELSE 2 END, start_at, id",
                       DB_PARAMS(DB_INT(patient_id), DB_INT(include_past), DB_INT(now)), &rows);
    *count = 0;
    if (rc != DB_OK)
        return rc;
    *out = arena_calloc(a, (size_t)rows.n + 1, sizeof(circle_member));
    for (int i = 0; i < rows.n; i++)
        read_member(&rows, i, &(*out)[i]);
    *count = rows.n;
    return DB_OK;
}

db_rc circle_store_get(db_conn *c, arena *a, int64_t member_id, circle_member *out)
{
    db_rows rows;
    db_rc rc = db_exec(c, a, "SELECT " MEMBER_COLS " FROM circle_member WHERE id = ?",
                       DB_PARAMS(DB_INT(member_id)), &rows);
    if (rc != DB_OK)
        return rc;
    if (rows.n == 0)
        return DB_NOTFOUND;
    read_member(&rows, 0, out);
    return DB_OK;
}

db_rc circle_store_end(db_conn *c, arena *a, int64_t member_id, int64_t end_at, int64_t by)
{
    db_rows rows;
    db_rc rc = db_exec(c, a,
                       "UPDATE circle_member SET end_at = ?, ended_by = ?"
                       " WHERE id = ? AND (end_at IS NULL OR end_at > ?)",
                       DB_PARAMS(DB_INT(end_at), opt_id(by), DB_INT(member_id), DB_INT(end_at)),
                       &rows);
    if (rc == DB_OK && rows.changes == 0)
        return DB_NOTFOUND;
    return rc;
}

db_rc circle_store_is_member(db_conn *c, arena *a, int64_t patient_id, int64_t user_id,
                             int64_t now, bool *member)
{
    db_rows rows;
    db_rc rc = db_exec(c, a,
                       FAMILY_CTE "SELECT 1 FROM circle_member WHERE user_id = ?"
                                  " AND patient_id IN (SELECT id FROM family)"
                                  " AND start_at <= ? AND (end_at IS NULL OR end_at > ?) LIMIT 1",
                       DB_PARAMS(DB_INT(patient_id), DB_INT(user_id), DB_INT(now), DB_INT(now)),
                       &rows);
    *member = rc == DB_OK && rows.n > 0;
    return rc;
}

db_rc circle_store_users(db_conn *c, arena *a, int64_t patient_id, int64_t now,
                         const char *role, int64_t **users, int *count)
{
    db_rows rows;
    db_rc rc = db_exec(c, a,
                       FAMILY_CTE "SELECT DISTINCT user_id FROM circle_member"
                                  " WHERE patient_id IN (SELECT id FROM family)"
                                  " AND user_id IS NOT NULL AND start_at <= ?"
                                  " AND (end_at IS NULL OR end_at > ?)"
                                  " AND (CAST(? AS TEXT) IS NULL OR role = ?)",
                       DB_PARAMS(DB_INT(patient_id), DB_INT(now), DB_INT(now), DB_TEXT(role),
                                 DB_TEXT(role)),
                       &rows);
    *count = 0;
    if (rc != DB_OK)
        return rc;
    *users = arena_calloc(a, (size_t)rows.n + 1, sizeof(int64_t));
    for (int i = 0; i < rows.n; i++)
        (*users)[i] = db_int(&rows, i, 0);
    *count = rows.n;
    return DB_OK;
}

db_rc circle_store_count_role(db_conn *c, arena *a, int64_t patient_id, const char *role,
                              int64_t now, int *count)
{
    db_rows rows;
    db_rc rc = db_exec(c, a,
                       FAMILY_CTE "SELECT count(*) FROM circle_member"
                                  " WHERE patient_id IN (SELECT id FROM family) AND role = ?"
                                  " AND (end_at IS NULL OR end_at > ?)",
                       DB_PARAMS(DB_INT(patient_id), DB_TEXT(role), DB_INT(now)), &rows);
    *count = rc == DB_OK ? (int)db_int(&rows, 0, 0) : 0;
    return rc;
}

db_rc circle_store_patients_of(db_conn *c, arena *a, int64_t user_id, int64_t now, int limit,
                               int64_t **patients, int *count)
{
    db_rows rows;
    db_rc rc = db_exec(c, a,
                       "SELECT DISTINCT COALESCE(p.merged_into, p.id), max(m.start_at)"
                       " FROM circle_member m JOIN patient p ON p.id = m.patient_id"
                       " WHERE m.user_id = ? AND m.start_at <= ?"
                       " AND (m.end_at IS NULL OR m.end_at > ?)"
                       " GROUP BY COALESCE(p.merged_into, p.id) ORDER BY 2 DESC LIMIT ?",
                       DB_PARAMS(DB_INT(user_id), DB_INT(now), DB_INT(now), DB_INT(limit)),
                       &rows);
    *count = 0;
    if (rc != DB_OK)
        return rc;
    *patients = arena_calloc(a, (size_t)rows.n + 1, sizeof(int64_t));
    for (int i = 0; i < rows.n; i++)
        (*patients)[i] = db_int(&rows, i, 0);
    *count = rows.n;
    return DB_OK;
}

db_rc circle_store_family(db_conn *c, arena *a, int64_t patient_id, int64_t **ids, int *n)
{
    db_rows rows;
    db_rc rc = db_exec(c, a, FAMILY_CTE "SELECT id FROM family ORDER BY id",
                       DB_PARAMS(DB_INT(patient_id)), &rows);
    *n = 0;
    if (rc != DB_OK)
        return rc;
    *ids = arena_calloc(a, (size_t)rows.n + 1, sizeof(int64_t));
    for (int i = 0; i < rows.n; i++)
        (*ids)[i] = db_int(&rows, i, 0);
    *n = rows.n;
    return DB_OK;
}

db_rc circle_store_access(db_conn *c, arena *a, int64_t patient_id, int64_t user_id, int64_t now,
                          circle_access *out)
{
    db_rows rows;
    /* The two subqueries do not depend on the row: evaluated once. Each walks
     * the family (a row or two) and probes its index per record: written as
     * `patient_id IN (SELECT id FROM family)` they built an index of the family
     * per request, and as a join SQLite could start from all the user's
     * memberships. The family's order does not matter (the journal sorts). */
    db_rc rc = db_exec(c, a,
                       FAMILY_CTE
                       "SELECT f.id,"
                       " CASE WHEN EXISTS (SELECT 1 FROM family g WHERE EXISTS (SELECT 1"
                       " FROM opposition o WHERE o.patient_id = g.id AND o.user_id = ?"
                       " AND o.lifted_at IS NULL)) THEN 1 ELSE 0 END,"
                       " CASE WHEN EXISTS (SELECT 1 FROM family g WHERE EXISTS (SELECT 1"
                       " FROM circle_member m WHERE m.patient_id = g.id AND m.user_id = ?"
                       " AND m.start_at <= ? AND (m.end_at IS NULL OR m.end_at > ?)))"
                       " THEN 1 ELSE 0 END"
                       " FROM family f",
                       DB_PARAMS(DB_INT(patient_id), DB_INT(user_id), DB_INT(user_id),
                                 DB_INT(now), DB_INT(now)),
                       &rows);
    *out = (circle_access){0};
    if (rc != DB_OK)
        return rc;
    out->family = arena_calloc(a, (size_t)rows.n + 1, sizeof(int64_t));
    for (int i = 0; i < rows.n; i++)
        out->family[i] = db_int(&rows, i, 0);
    out->nfamily = rows.n;
    if (rows.n > 0) {
        out->opposed = db_int(&rows, 0, 1) != 0;
        out->member = db_int(&rows, 0, 2) != 0;
    }
    return DB_OK;
}

db_rc territory_store_insert(db_conn *c, arena *a, const char *name, int64_t now, int64_t *id)
{
    db_rows rows;
    db_rc rc = db_exec(c, a, "INSERT INTO territory (name, created_at) VALUES (?, ?) RETURNING id",
                       DB_PARAMS(DB_TEXT(name), DB_INT(now)), &rows);
    if (rc == DB_OK)
        *id = db_int(&rows, 0, 0);
    return rc;
}

db_rc territory_store_add_code(db_conn *c, arena *a, int64_t territory_id, const char *code)
{
    return db_exec(c, a,
                   "INSERT INTO territory_area (territory_id, code) VALUES (?, ?)"
                   " ON CONFLICT DO NOTHING",
                   DB_PARAMS(DB_INT(territory_id), DB_TEXT(code)), NULL);
}

db_rc territory_store_assign(db_conn *c, arena *a, int64_t territory_id, int64_t user_id)
{
    return db_exec(c, a,
                   "INSERT INTO coordinator_territory (user_id, territory_id) VALUES (?, ?)"
                   " ON CONFLICT DO NOTHING",
                   DB_PARAMS(DB_INT(user_id), DB_INT(territory_id)), NULL);
}

/* Appends "value" to a comma-separated list in the arena. */
static const char *join(arena *a, const char *list, const char *value)
{
    return list ? arena_printf(a, "%s,%s", list, value) : arena_strdup(a, value);
}

db_rc territory_store_list(db_conn *c, arena *a, territory **out, int *n)
{
    /* three plain queries assembled here: string aggregation differs between
     * SQLite 3.40 (group_concat) and PostgreSQL (string_agg) */
    db_rows t, codes, coords;
    db_rc rc = db_exec(c, a, "SELECT id, name FROM territory ORDER BY id", DB_NOPARAMS, &t);
    if (rc == DB_OK)
        rc = db_exec(c, a, "SELECT territory_id, code FROM territory_area ORDER BY code",
                     DB_NOPARAMS, &codes);
    if (rc == DB_OK)
        rc = db_exec(c, a,
                     "SELECT territory_id, user_id FROM coordinator_territory ORDER BY user_id",
                     DB_NOPARAMS, &coords);
    *n = 0;
    if (rc != DB_OK)
        return rc;
    *out = arena_calloc(a, (size_t)t.n + 1, sizeof(territory));
    for (int i = 0; i < t.n; i++) {
        territory *x = &(*out)[i];
        x->id = db_int(&t, i, 0);
        x->name = db_text(&t, i, 1);
        for (int k = 0; k < codes.n; k++)
            if (db_int(&codes, k, 0) == x->id)
                x->codes = join(a, x->codes, db_text(&codes, k, 1));
        for (int k = 0; k < coords.n; k++)
            if (db_int(&coords, k, 0) == x->id)
                x->coordinators = join(a, x->coordinators, db_text(&coords, k, 1));
    }
    *n = t.n;
    return DB_OK;
}

db_rc territory_store_covers(db_conn *c, arena *a, int64_t user_id, const char *code, bool *yes)
{
    db_rows rows;
    db_rc rc = db_exec(c, a,
                       "SELECT 1 FROM coordinator_territory ct JOIN territory_area ta"
                       " ON ta.territory_id = ct.territory_id WHERE ct.user_id = ? AND ta.code = ?"
                       " LIMIT 1",
                       DB_PARAMS(DB_INT(user_id), DB_TEXT(code)), &rows);
    *yes = rc == DB_OK && rows.n > 0;
    return rc;
}

db_rc grant_store_insert(db_conn *c, arena *a, int64_t patient_id, int64_t user_id,
                         const char *reason, int64_t now, int64_t expires_at)
{
    return db_exec(c, a,
                   "INSERT INTO access_grant (patient_id, user_id, reason, created_at, expires_at)"
                   " VALUES (?, ?, ?, ?, ?)",
                   DB_PARAMS(DB_INT(patient_id), DB_INT(user_id), DB_TEXT(reason), DB_INT(now),
                             DB_INT(expires_at)),
                   NULL);
}

db_rc grant_store_active(db_conn *c, arena *a, int64_t patient_id, int64_t user_id, int64_t now,
                         bool *active)
{
    db_rows rows;
    db_rc rc = db_exec(c, a,
                       FAMILY_CTE "SELECT 1 FROM access_grant WHERE user_id = ?"
                                  " AND patient_id IN (SELECT id FROM family) AND expires_at > ?"
                                  " LIMIT 1",
                       DB_PARAMS(DB_INT(patient_id), DB_INT(user_id), DB_INT(now)), &rows);
    *active = rc == DB_OK && rows.n > 0;
    return rc;
}

db_rc opposition_store_insert(db_conn *c, arena *a, int64_t patient_id, int64_t user_id,
                              const char *reason, int64_t by, int64_t now, int64_t *id)
{
    db_rows rows;
    db_rc rc = db_exec(c, a,
                       "INSERT INTO opposition (patient_id, user_id, reason, recorded_by,"
                       " created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
                       DB_PARAMS(DB_INT(patient_id), DB_INT(user_id), DB_TEXT(reason), opt_id(by),
                                 DB_INT(now)),
                       &rows);
    if (rc == DB_OK)
        *id = db_int(&rows, 0, 0);
    return rc;
}

db_rc opposition_store_lift(db_conn *c, arena *a, int64_t opposition_id, int64_t patient_id,
                            int64_t by, int64_t now)
{
    db_rows rows;
    db_rc rc = db_exec(c, a,
                       FAMILY_CTE "UPDATE opposition SET lifted_at = ?, lifted_by = ?"
                                  " WHERE id = ? AND patient_id IN (SELECT id FROM family)"
                                  " AND lifted_at IS NULL",
                       DB_PARAMS(DB_INT(patient_id), DB_INT(now), opt_id(by),
                                 DB_INT(opposition_id)),
                       &rows);
    if (rc == DB_OK && rows.changes == 0)
        return DB_NOTFOUND;
    return rc;
}

db_rc opposition_store_active(db_conn *c, arena *a, int64_t patient_id, int64_t user_id,
                              bool *opposed)
{
    db_rows rows;
    db_rc rc = db_exec(c, a,
                       FAMILY_CTE "SELECT 1 FROM opposition WHERE user_id = ?"
                                  " AND patient_id IN (SELECT id FROM family)"
                                  " AND lifted_at IS NULL LIMIT 1",
                       DB_PARAMS(DB_INT(patient_id), DB_INT(user_id)), &rows);
    *opposed = rc == DB_OK && rows.n > 0;
    return rc;
}

db_rc opposition_store_list(db_conn *c, arena *a, int64_t patient_id, opposition_row **out,
                            int *count)
{
    db_rows rows;
    db_rc rc = db_exec(c, a,
                       FAMILY_CTE "SELECT id, user_id, COALESCE(recorded_by, 0), created_at,"
                                  " COALESCE(lifted_at, 0), reason FROM opposition"
                                  " WHERE patient_id IN (SELECT id FROM family) ORDER BY id",
                       DB_PARAMS(DB_INT(patient_id)), &rows);
    *count = 0;
    if (rc != DB_OK)
        return rc;
    *out = arena_calloc(a, (size_t)rows.n + 1, sizeof(opposition_row));
    for (int i = 0; i < rows.n; i++) {
        opposition_row *o = &(*out)[i];
        o->id = db_int(&rows, i, 0);
        o->user_id = db_int(&rows, i, 1);
        o->recorded_by = db_int(&rows, i, 2);
        o->created_at = db_int(&rows, i, 3);
        o->lifted_at = db_int(&rows, i, 4);
        o->reason = db_text(&rows, i, 5);
    }
    *count = rows.n;
    return DB_OK;
}

db_rc invitation_store_insert(db_conn *c, arena *a, const char *token_hash,
                              const char *display_name, const char *email,
                              int64_t professional_id, int64_t by, int64_t now,
                              int64_t expires_at, int64_t *id)
{
    db_rows rows;
    db_rc rc = db_exec(c, a,
                       "INSERT INTO invitation (token_hash, display_name, email, professional_id,"
                       " invited_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
                       " RETURNING id",
                       DB_PARAMS(DB_TEXT(token_hash), DB_TEXT(display_name), DB_TEXT(email),
                                 opt_id(professional_id), opt_id(by), DB_INT(now),
                                 DB_INT(expires_at)),
                       &rows);
    if (rc == DB_OK)
        *id = db_int(&rows, 0, 0);
    return rc;
}

db_rc invitation_store_find(db_conn *c, arena *a, const char *token_hash, invitation_row *out)
{
    db_rows rows;
    db_rc rc = db_exec(c, a,
                       "SELECT id, display_name, email, COALESCE(professional_id, 0), expires_at,"
                       " COALESCE(accepted_at, 0), COALESCE(user_id, 0) FROM invitation"
                       " WHERE token_hash = ?",
                       DB_PARAMS(DB_TEXT(token_hash)), &rows);
    if (rc != DB_OK)
        return rc;
    if (rows.n == 0)
        return DB_NOTFOUND;
    out->id = db_int(&rows, 0, 0);
    out->display_name = db_text(&rows, 0, 1);
    out->email = db_text(&rows, 0, 2);
    out->professional_id = db_int(&rows, 0, 3);
    out->expires_at = db_int(&rows, 0, 4);
    out->accepted_at = db_int(&rows, 0, 5);
    out->user_id = db_int(&rows, 0, 6);
    return DB_OK;
}

db_rc invitation_store_accept(db_conn *c, arena *a, int64_t invitation_id, int64_t user_id,
                              int64_t now)
{
    db_rows rows;
    db_rc rc = db_exec(c, a,
                       "UPDATE invitation SET accepted_at = ?, user_id = ?"
                       " WHERE id = ? AND accepted_at IS NULL",
                       DB_PARAMS(DB_INT(now), DB_INT(user_id), DB_INT(invitation_id)), &rows);
    if (rc != DB_OK)
        return rc;
    if (rows.changes == 0)
        return DB_NOTFOUND;
    return db_exec(c, a, "UPDATE circle_member SET user_id = ? WHERE invitation_id = ?",
                   DB_PARAMS(DB_INT(user_id), DB_INT(invitation_id)), NULL);
}

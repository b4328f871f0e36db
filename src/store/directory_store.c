#include "store/directory_store.h"

#include <string.h>

/* ---- row readers ---------------------------------------------------------- */

#define PRO_COLS                                                                                   \
    "p.id, p.idnps, p.id_type, p.identifier, p.civility, p.family_name, p.given_name,"             \
    " p.norm_name, p.profession_code, p.profession_label, p.specialty_code, p.specialty_label,"    \
    " p.phone, p.mobile, p.mssante, p.source, p.created_at, p.updated_at"
#define PRO_NCOLS 18

#define ORG_COLS                                                                                   \
    "o.id, o.import_key, o.finess, o.finess_legal, o.siret, o.name, o.norm_name, o.kind,"          \
    " o.address, o.postcode, o.town, o.norm_town, o.phone, o.email, o.source, o.created_at,"       \
    " o.updated_at"
#define ORG_NCOLS 17

static void read_pro(const db_rows *rows, int r, int col, dir_professional *p)
{
    memset(p, 0, sizeof *p);
    p->id = db_int(rows, r, col + 0);
    p->idnps = db_text(rows, r, col + 1);
    p->id_type = db_text(rows, r, col + 2);
    p->identifier = db_text(rows, r, col + 3);
    p->civility = db_text(rows, r, col + 4);
    p->family_name = db_text(rows, r, col + 5);
    p->given_name = db_text(rows, r, col + 6);
    p->norm_name = db_text(rows, r, col + 7);
    p->profession_code = db_text(rows, r, col + 8);
    p->profession_label = db_text(rows, r, col + 9);
    p->specialty_code = db_text(rows, r, col + 10);
    p->specialty_label = db_text(rows, r, col + 11);
    p->phone = db_text(rows, r, col + 12);
    p->mobile = db_text(rows, r, col + 13);
    p->mssante = db_text(rows, r, col + 14);
    p->source = db_text(rows, r, col + 15);
    p->created_at = db_int(rows, r, col + 16);
    p->updated_at = db_int(rows, r, col + 17);
}

static void read_org(const db_rows *rows, int r, int col, dir_organisation *o)
{
    memset(o, 0, sizeof *o);
    o->id = db_int(rows, r, col + 0);
    o->import_key = db_text(rows, r, col + 1);
    o->finess = db_text(rows, r, col + 2);
    o->finess_legal = db_text(rows, r, col + 3);
    o->siret = db_text(rows, r, col + 4);
    o->name = db_text(rows, r, col + 5);
    o->norm_name = db_text(rows, r, col + 6);
    o->kind = db_text(rows, r, col + 7);
    o->address = db_text(rows, r, col + 8);
    o->postcode = db_text(rows, r, col + 9);
    o->town = db_text(rows, r, col + 10);
    o->norm_town = db_text(rows, r, col + 11);
    o->phone = db_text(rows, r, col + 12);
    o->email = db_text(rows, r, col + 13);
    o->source = db_text(rows, r, col + 14);
    o->created_at = db_int(rows, r, col + 15);
    o->updated_at = db_int(rows, r, col + 16);
}

static db_rc expect_one(db_rc rc, const db_rows *rows)
{
    if (rc == DB_OK && rows->changes == 0)
        return DB_NOTFOUND;
    return rc;
}

/* ---- professionals -------------------------------------------------------- */

db_rc directory_store_professional_insert(db_conn *c, arena *a, dir_professional *p)
{
    db_rows rows;
    db_rc rc = db_exec(
        c, a,
        "INSERT INTO directory_professional (idnps, id_type, identifier, civility, family_name,"
        " given_name, norm_name, profession_code, profession_label, specialty_code,"
        " specialty_label, phone, mobile, mssante, source, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'manual', ?, ?) RETURNING id",
        DB_PARAMS(DB_TEXT(p->idnps), DB_TEXT(p->id_type), DB_TEXT(p->identifier),
                  DB_TEXT(p->civility), DB_TEXT(p->family_name), DB_TEXT(p->given_name),
                  DB_TEXT(p->norm_name), DB_TEXT(p->profession_code), DB_TEXT(p->profession_label),
                  DB_TEXT(p->specialty_code), DB_TEXT(p->specialty_label), DB_TEXT(p->phone),
                  DB_TEXT(p->mobile), DB_TEXT(p->mssante), DB_INT(p->created_at),
                  DB_INT(p->updated_at)),
        &rows);
    if (rc == DB_OK) {
        p->id = db_int(&rows, 0, 0);
        p->source = "manual";
    }
    return rc;
}

db_rc directory_store_professional_update(db_conn *c, arena *a, const dir_professional *p)
{
    db_rows rows;
    db_rc rc = db_exec(
        c, a,
        "UPDATE directory_professional SET civility = ?, family_name = ?, given_name = ?,"
        " norm_name = ?, profession_code = ?, profession_label = ?, specialty_code = ?,"
        " specialty_label = ?, phone = ?, mobile = ?, mssante = ?, updated_at = ? WHERE id = ?",
        DB_PARAMS(DB_TEXT(p->civility), DB_TEXT(p->family_name), DB_TEXT(p->given_name),
                  DB_TEXT(p->norm_name), DB_TEXT(p->profession_code), DB_TEXT(p->profession_label),
                  DB_TEXT(p->specialty_code), DB_TEXT(p->specialty_label), DB_TEXT(p->phone),
                  DB_TEXT(p->mobile), DB_TEXT(p->mssante), DB_INT(p->updated_at), DB_INT(p->id)),
        &rows);
    return expect_one(rc, &rows);
}

db_rc directory_store_professional_by_id(db_conn *c, arena *a, int64_t id, dir_professional *out)
{
    db_rows rows;
    db_rc rc = db_exec(c, a, "SELECT " PRO_COLS " FROM directory_professional p WHERE p.id = ?",
                       DB_PARAMS(DB_INT(id)), &rows);
    if (rc != DB_OK)
        return rc;
    if (rows.n == 0)
        return DB_NOTFOUND;
    read_pro(&rows, 0, 0, out);
    return DB_OK;
}

/* The search is one of eight fixed statements (prepared once each: the
 * statement cache is keyed by the SQL string's address), chosen by which
 * filters are present. A catch-all "(? IS NULL OR ...)" statement would keep
 * both planners from using the (norm_name, id) and (profession_code,
 * norm_name, id) indexes for the range and the order. */
#define PRO_TOWN_OF_FIRST_ACTIVITY                                                                 \
    " (SELECT o.town FROM directory_activity a JOIN directory_organisation o"                      \
    " ON o.id = a.organisation_id WHERE a.professional_id = p.id ORDER BY a.id LIMIT 1)"
#define PRO_RANGE1 " (p.norm_name >= ? AND p.norm_name < ?)"
#define PRO_RANGE2                                                                                 \
    " ((p.norm_name >= ? AND p.norm_name < ?) OR (p.norm_name >= ? AND p.norm_name < ?))"
#define PRO_PROFESSION " AND p.profession_code = ?"
#define PRO_TOWN                                                                                   \
    " AND p.id IN (SELECT a.professional_id FROM directory_activity a"                             \
    " JOIN directory_organisation o ON o.id = a.organisation_id"                                   \
    " WHERE o.norm_town >= ? AND o.norm_town < ?)"
#define PRO_AFTER " AND (p.norm_name > ? OR (p.norm_name = ? AND p.id > ?))"
#define PRO_SEARCH(range, profession, town)                                                        \
    "SELECT " PRO_COLS "," PRO_TOWN_OF_FIRST_ACTIVITY                                              \
    " FROM directory_professional p WHERE" range profession town PRO_AFTER                         \
    " ORDER BY p.norm_name, p.id LIMIT ?"

static const char *const pro_search_sql[8] = {
    PRO_SEARCH(PRO_RANGE1, "", ""),
    PRO_SEARCH(PRO_RANGE1, "", PRO_TOWN),
    PRO_SEARCH(PRO_RANGE1, PRO_PROFESSION, ""),
    PRO_SEARCH(PRO_RANGE1, PRO_PROFESSION, PRO_TOWN),
    PRO_SEARCH(PRO_RANGE2, "", ""),
    PRO_SEARCH(PRO_RANGE2, "", PRO_TOWN),
    PRO_SEARCH(PRO_RANGE2, PRO_PROFESSION, ""),
    PRO_SEARCH(PRO_RANGE2, PRO_PROFESSION, PRO_TOWN),
};

db_rc directory_store_professional_search(db_conn *c, arena *a, const dir_pro_filter *f,
                                          dir_professional **out, int *n)
{
    db_param params[12];
    int np = 0;
    int variant = (f->lo2 ? 4 : 0) | (f->profession ? 2 : 0) | (f->town_lo ? 1 : 0);
    params[np++] = DB_TEXT(f->lo1);
    params[np++] = DB_TEXT(f->hi1);
    if (f->lo2) {
        params[np++] = DB_TEXT(f->lo2);
        params[np++] = DB_TEXT(f->hi2);
    }
    if (f->profession)
        params[np++] = DB_TEXT(f->profession);
    if (f->town_lo) {
        params[np++] = DB_TEXT(f->town_lo);
        params[np++] = DB_TEXT(f->town_hi);
    }
    params[np++] = DB_TEXT(f->after_key);
    params[np++] = DB_TEXT(f->after_key);
    params[np++] = DB_INT(f->after_id);
    params[np++] = DB_INT(f->limit);
    db_rows rows;
    db_rc rc = db_exec(c, a, pro_search_sql[variant], params, np, &rows);
    if (rc != DB_OK)
        return rc;
    *out = arena_calloc(a, (size_t)rows.n + 1, sizeof(dir_professional));
    for (int i = 0; i < rows.n; i++) {
        read_pro(&rows, i, 0, &(*out)[i]);
        (*out)[i].town = db_text(&rows, i, PRO_NCOLS);
    }
    *n = rows.n;
    return DB_OK;
}

db_rc directory_store_activities(db_conn *c, arena *a, int64_t pro_id, int limit,
                                 dir_activity **out, int *n)
{
    db_rows rows;
    db_rc rc =
        db_exec(c, a,
                "SELECT a.id, a.professional_id, a.organisation_id, a.mode_code,"
                " a.mode_label, a.sector_label, a.source, " ORG_COLS " FROM directory_activity a"
                " JOIN directory_organisation o ON o.id = a.organisation_id"
                " WHERE a.professional_id = ? ORDER BY o.norm_name, a.id LIMIT ?",
                DB_PARAMS(DB_INT(pro_id), DB_INT(limit)), &rows);
    if (rc != DB_OK)
        return rc;
    *out = arena_calloc(a, (size_t)rows.n + 1, sizeof(dir_activity));
    for (int i = 0; i < rows.n; i++) {
        dir_activity *act = &(*out)[i];
        act->id = db_int(&rows, i, 0);
        act->professional_id = db_int(&rows, i, 1);
        act->organisation_id = db_int(&rows, i, 2);
        act->mode_code = db_text(&rows, i, 3);
        act->mode_label = db_text(&rows, i, 4);
        act->sector_label = db_text(&rows, i, 5);
        act->source = db_text(&rows, i, 6);
        read_org(&rows, i, 7, &act->org);
    }
    *n = rows.n;
    return DB_OK;
}

db_rc directory_store_set_activities(db_conn *c, arena *a, int64_t pro_id, const int64_t *ids,
                                     int nids, int64_t now)
{
    db_rc rc = db_exec(c, a, "DELETE FROM directory_activity WHERE professional_id = ?",
                       DB_PARAMS(DB_INT(pro_id)), NULL);
    for (int i = 0; i < nids && rc == DB_OK; i++)
        rc = db_exec(c, a,
                     "INSERT INTO directory_activity (professional_id, organisation_id, source,"
                     " created_at, updated_at) VALUES (?, ?, 'manual', ?, ?)"
                     " ON CONFLICT (professional_id, organisation_id) DO NOTHING",
                     DB_PARAMS(DB_INT(pro_id), DB_INT(ids[i]), DB_INT(now), DB_INT(now)), NULL);
    return rc;
}

/* ---- organisations -------------------------------------------------------- */

db_rc directory_store_organisation_insert(db_conn *c, arena *a, dir_organisation *o)
{
    db_rows rows;
    db_rc rc = db_exec(
        c, a,
        "INSERT INTO directory_organisation (finess, finess_legal, siret, name, norm_name, kind,"
        " address, postcode, town, norm_town, phone, email, source, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'manual', ?, ?) RETURNING id",
        DB_PARAMS(DB_TEXT(o->finess), DB_TEXT(o->finess_legal), DB_TEXT(o->siret), DB_TEXT(o->name),
                  DB_TEXT(o->norm_name), DB_TEXT(o->kind), DB_TEXT(o->address),
                  DB_TEXT(o->postcode), DB_TEXT(o->town), DB_TEXT(o->norm_town), DB_TEXT(o->phone),
                  DB_TEXT(o->email), DB_INT(o->created_at), DB_INT(o->updated_at)),
        &rows);
    if (rc == DB_OK) {
        o->id = db_int(&rows, 0, 0);
        o->source = "manual";
    }
    return rc;
}

db_rc directory_store_organisation_by_id(db_conn *c, arena *a, int64_t id, dir_organisation *out)
{
    db_rows rows;
    db_rc rc = db_exec(c, a, "SELECT " ORG_COLS " FROM directory_organisation o WHERE o.id = ?",
                       DB_PARAMS(DB_INT(id)), &rows);
    if (rc != DB_OK)
        return rc;
    if (rows.n == 0)
        return DB_NOTFOUND;
    read_org(&rows, 0, 0, out);
    return DB_OK;
}

db_rc directory_store_organisation_find(db_conn *c, arena *a, const char *finess, const char *siret,
                                        int64_t *id, const char **field)
{
    db_rows rows;
    db_rc rc = db_exec(c, a,
                       "SELECT id, finess FROM directory_organisation"
                       " WHERE finess = ? OR siret = ? ORDER BY id LIMIT 1",
                       DB_PARAMS(DB_TEXT(finess), DB_TEXT(siret)), &rows);
    if (rc != DB_OK)
        return rc;
    if (rows.n == 0)
        return DB_NOTFOUND;
    *id = db_int(&rows, 0, 0);
    const char *f = db_text(&rows, 0, 1);
    *field = finess && f && strcmp(f, finess) == 0 ? "finess" : "siret";
    return DB_OK;
}

#define ORG_NAME_RANGE " (o.norm_name >= ? AND o.norm_name < ?)"
#define ORG_IDENTIFIER " (o.finess = ? OR o.finess_legal = ? OR o.siret = ?)"
#define ORG_TOWN " AND o.norm_town >= ? AND o.norm_town < ?"
#define ORG_AFTER " AND (o.norm_name > ? OR (o.norm_name = ? AND o.id > ?))"
#define ORG_SEARCH(which, town)                                                                    \
    "SELECT " ORG_COLS " FROM directory_organisation o WHERE" which town ORG_AFTER                 \
    " ORDER BY o.norm_name, o.id LIMIT ?"

static const char *const org_search_sql[4] = {
    ORG_SEARCH(ORG_NAME_RANGE, ""),
    ORG_SEARCH(ORG_NAME_RANGE, ORG_TOWN),
    ORG_SEARCH(ORG_IDENTIFIER, ""),
    ORG_SEARCH(ORG_IDENTIFIER, ORG_TOWN),
};

db_rc directory_store_organisation_search(db_conn *c, arena *a, const dir_org_filter *f,
                                          dir_organisation **out, int *n)
{
    db_param params[10];
    int np = 0;
    int variant = (f->identifier ? 2 : 0) | (f->town_lo ? 1 : 0);
    if (f->identifier) {
        params[np++] = DB_TEXT(f->identifier);
        params[np++] = DB_TEXT(f->identifier);
        params[np++] = DB_TEXT(f->identifier);
    } else {
        params[np++] = DB_TEXT(f->lo);
        params[np++] = DB_TEXT(f->hi);
    }
    if (f->town_lo) {
        params[np++] = DB_TEXT(f->town_lo);
        params[np++] = DB_TEXT(f->town_hi);
    }
    params[np++] = DB_TEXT(f->after_key);
    params[np++] = DB_TEXT(f->after_key);
    params[np++] = DB_INT(f->after_id);
    params[np++] = DB_INT(f->limit);
    db_rows rows;
    db_rc rc = db_exec(c, a, org_search_sql[variant], params, np, &rows);
    if (rc != DB_OK)
        return rc;
    *out = arena_calloc(a, (size_t)rows.n + 1, sizeof(dir_organisation));
    for (int i = 0; i < rows.n; i++)
        read_org(&rows, i, 0, &(*out)[i]);
    *n = rows.n;
    return DB_OK;
}

db_rc directory_store_members(db_conn *c, arena *a, int64_t org_id, int limit, dir_member **out,
                              int *n)
{
    db_rows rows;
    db_rc rc = db_exec(c, a,
                       "SELECT " PRO_COLS ", a.mode_label FROM directory_activity a"
                       " JOIN directory_professional p ON p.id = a.professional_id"
                       " WHERE a.organisation_id = ? ORDER BY p.norm_name, p.id LIMIT ?",
                       DB_PARAMS(DB_INT(org_id), DB_INT(limit)), &rows);
    if (rc != DB_OK)
        return rc;
    *out = arena_calloc(a, (size_t)rows.n + 1, sizeof(dir_member));
    for (int i = 0; i < rows.n; i++) {
        read_pro(&rows, i, 0, &(*out)[i].pro);
        (*out)[i].mode_label = db_text(&rows, i, PRO_NCOLS);
    }
    *n = rows.n;
    return DB_OK;
}

/* ---- import --------------------------------------------------------------- */

/* INSERT ... ON CONFLICT DO NOTHING RETURNING id answers a row only when it
 * inserted one; UPDATE ... RETURNING id only when the row exists. Two
 * statements rather than ON CONFLICT DO UPDATE because RETURNING cannot tell
 * an insert from an update portably (PostgreSQL's xmax trick does not exist in
 * SQLite). Which one runs first is the caller's guess (update_first): a right
 * guess costs one round trip, a wrong one two. The last UPDATE covers a row
 * inserted by someone else between the first two statements. */
static db_rc upsert(db_conn *c, arena *a, bool update_first, const char *insert_sql,
                    const db_param *ins, int nins, const char *update_sql, const db_param *upd,
                    int nupd, int64_t *id, bool *inserted)
{
    db_rows rows;
    db_rc rc;
    if (update_first) {
        if ((rc = db_exec(c, a, update_sql, upd, nupd, &rows)) != DB_OK)
            return rc;
        if (rows.n == 1)
            goto updated;
    }
    if ((rc = db_exec(c, a, insert_sql, ins, nins, &rows)) != DB_OK)
        return rc;
    if (rows.n == 1) {
        *inserted = true;
        if (id)
            *id = db_int(&rows, 0, 0);
        return DB_OK;
    }
    if ((rc = db_exec(c, a, update_sql, upd, nupd, &rows)) != DB_OK)
        return rc;
    if (rows.n != 1)
        return DB_ERROR; /* the conflicting row vanished */
updated:
    *inserted = false;
    if (id)
        *id = db_int(&rows, 0, 0);
    return DB_OK;
}

db_rc directory_store_import_professional(db_conn *c, arena *a, const dir_professional *p,
                                          int64_t now, bool update_first, int64_t *id,
                                          bool *inserted)
{
    /* phone, mobile and mssante are not in the extraction: an import keeps
     * what an administrator entered there */
    const db_param ins[] = {
        DB_TEXT(p->idnps),
        DB_TEXT(p->id_type),
        DB_TEXT(p->identifier),
        DB_TEXT(p->civility),
        DB_TEXT(p->family_name),
        DB_TEXT(p->given_name),
        DB_TEXT(p->norm_name),
        DB_TEXT(p->profession_code),
        DB_TEXT(p->profession_label),
        DB_TEXT(p->specialty_code),
        DB_TEXT(p->specialty_label),
        DB_INT(now),
        DB_INT(now),
    };
    const db_param upd[] = {
        DB_TEXT(p->civility),       DB_TEXT(p->family_name),     DB_TEXT(p->given_name),
        DB_TEXT(p->norm_name),      DB_TEXT(p->profession_code), DB_TEXT(p->profession_label),
        DB_TEXT(p->specialty_code), DB_TEXT(p->specialty_label), DB_INT(now),
        DB_TEXT(p->idnps),
    };
    return upsert(c, a, update_first,
                  "INSERT INTO directory_professional (idnps, id_type, identifier, civility,"
                  " family_name, given_name, norm_name, profession_code, profession_label,"
                  " specialty_code, specialty_label, source, created_at, updated_at)"
                  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'import', ?, ?)"
                  " ON CONFLICT (idnps) DO NOTHING RETURNING id",
                  ins, (int)(sizeof ins / sizeof ins[0]),
                  "UPDATE directory_professional SET civility = ?, family_name = ?,"
                  " given_name = ?, norm_name = ?, profession_code = ?, profession_label = ?,"
                  " specialty_code = ?, specialty_label = ?, source = 'import', updated_at = ?"
                  " WHERE idnps = ? RETURNING id",
                  upd, (int)(sizeof upd / sizeof upd[0]), id, inserted);
}

db_rc directory_store_import_organisation(db_conn *c, arena *a, const dir_organisation *o,
                                          int64_t now, bool update_first, int64_t *id,
                                          bool *inserted)
{
    const db_param ins[] = {
        DB_TEXT(o->import_key), DB_TEXT(o->finess),    DB_TEXT(o->finess_legal),
        DB_TEXT(o->siret),      DB_TEXT(o->name),      DB_TEXT(o->norm_name),
        DB_TEXT(o->kind),       DB_TEXT(o->address),   DB_TEXT(o->postcode),
        DB_TEXT(o->town),       DB_TEXT(o->norm_town), DB_TEXT(o->phone),
        DB_TEXT(o->email),      DB_INT(now),           DB_INT(now),
    };
    const db_param upd[] = {
        DB_TEXT(o->finess),    DB_TEXT(o->finess_legal), DB_TEXT(o->siret),   DB_TEXT(o->name),
        DB_TEXT(o->norm_name), DB_TEXT(o->kind),         DB_TEXT(o->address), DB_TEXT(o->postcode),
        DB_TEXT(o->town),      DB_TEXT(o->norm_town),    DB_TEXT(o->phone),   DB_TEXT(o->email),
        DB_INT(now),           DB_TEXT(o->import_key),
    };
    return upsert(c, a, update_first,
                  "INSERT INTO directory_organisation (import_key, finess, finess_legal, siret,"
                  " name, norm_name, kind, address, postcode, town, norm_town, phone, email,"
                  " source, created_at, updated_at)"
                  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'import', ?, ?)"
                  " ON CONFLICT (import_key) DO NOTHING RETURNING id",
                  ins, (int)(sizeof ins / sizeof ins[0]),
                  "UPDATE directory_organisation SET finess = ?, finess_legal = ?, siret = ?,"
                  " name = ?, norm_name = ?, kind = ?, address = ?, postcode = ?, town = ?,"
                  " norm_town = ?, phone = ?, email = ?, updated_at = ? WHERE import_key = ?"
                  " RETURNING id",
                  upd, (int)(sizeof upd / sizeof upd[0]), id, inserted);
}

db_rc directory_store_import_activity(db_conn *c, arena *a, const dir_activity *act, int64_t now,
                                      bool update_first, bool *inserted)
{
    const db_param ins[] = {
        DB_INT(act->professional_id),
        DB_INT(act->organisation_id),
        DB_TEXT(act->mode_code),
        DB_TEXT(act->mode_label),
        DB_TEXT(act->sector_label),
        DB_INT(now),
        DB_INT(now),
    };
    const db_param upd[] = {
        DB_TEXT(act->mode_code),      DB_TEXT(act->mode_label),
        DB_TEXT(act->sector_label),   DB_INT(now),
        DB_INT(act->professional_id), DB_INT(act->organisation_id),
    };
    return upsert(c, a, update_first,
                  "INSERT INTO directory_activity (professional_id, organisation_id, mode_code,"
                  " mode_label, sector_label, source, created_at, updated_at)"
                  " VALUES (?, ?, ?, ?, ?, 'import', ?, ?)"
                  " ON CONFLICT (professional_id, organisation_id) DO NOTHING RETURNING id",
                  ins, (int)(sizeof ins / sizeof ins[0]),
                  "UPDATE directory_activity SET mode_code = ?, mode_label = ?, sector_label = ?,"
                  " source = 'import', updated_at = ? WHERE professional_id = ?"
                  " AND organisation_id = ? RETURNING id",
                  upd, (int)(sizeof upd / sizeof upd[0]), NULL, inserted);
}

#include "core/territory.h"
#include "core/audit.h"
#include "core/text.h"
#include "store/account_store.h"

#include <string.h>

static core_rc only_admin(ctx *c, core_error *err)
{
    if (!c->who || strcmp(c->who->role, "admin") == 0)
        return CORE_OK;
    return core_fail(err, CORE_FORBIDDEN, "role.admin_required", NULL,
                     "Cette action est réservée aux administrateurs.");
}

/* A postcode or INSEE code: 5 characters, digits (2A/2B for Corsica). */
static bool code_valid(const char *s)
{
    if (!s || strlen(s) != 5)
        return false;
    for (int i = 0; i < 5; i++) {
        bool corsica = i == 1 && s[0] == '2' && (s[1] == 'A' || s[1] == 'B');
        if (!corsica && (s[i] < '0' || s[i] > '9'))
            return false;
    }
    return true;
}

core_rc territory_create(ctx *c, const char *name, const char *const *codes, int ncodes,
                         int64_t *id, core_error *err)
{
    core_rc rc = only_admin(c, err);
    if (rc != CORE_OK)
        return rc;
    if (!text_is_clean(name, 2, 200))
        return core_fail(err, CORE_INVALID, "territory.name", "name",
                         "Le nom du territoire compte de 2 à 200 caractères.");
    if (ncodes < 1 || ncodes > TERRITORY_MAX_CODES)
        return core_fail(err, CORE_INVALID, "territory.codes", "codes",
                         "Un territoire couvre de 1 à 500 codes postaux ou communes.");
    for (int i = 0; i < ncodes; i++)
        if (!code_valid(codes[i]))
            return core_fail(err, CORE_INVALID, "territory.code", "codes",
                             arena_printf(c->arena, "Code invalide : « %s » (5 chiffres).",
                                          codes[i] ? codes[i] : ""));
    db_conn *conn = ctx_db(c);
    db_rc drc = db_begin_write(conn);
    if (drc == DB_OK)
        drc = territory_store_insert(conn, c->arena, name, c->now_ms, id);
    for (int i = 0; drc == DB_OK && i < ncodes; i++)
        drc = territory_store_add_code(conn, c->arena, *id, codes[i]);
    if (drc == DB_CONSTRAINT) {
        db_rollback(conn);
        return core_fail(err, CORE_CONFLICT, "territory.name_taken", "name",
                         "Un territoire porte déjà ce nom.");
    }
    if (drc != DB_OK ||
        audit_record(c, &(audit_event){.action = "territory.create", .object_type = "territory",
                                        .object_id = arena_printf(c->arena, "%lld", (long long)*id),
                                        .detail = name}) != CORE_OK ||
        db_commit(conn) != DB_OK) {
        db_rollback(conn);
        return core_fail(err, CORE_ERROR, "store.error", NULL, "Erreur interne.");
    }
    return CORE_OK;
}

core_rc territory_assign(ctx *c, int64_t territory_id, int64_t user_id, core_error *err)
{
    core_rc rc = only_admin(c, err);
    if (rc != CORE_OK)
        return rc;
    db_conn *conn = ctx_db(c);
    account acc;
    db_rc drc = account_store_by_id(conn, c->arena, user_id, &acc);
    if (drc == DB_NOTFOUND || (drc == DB_OK && strcmp(acc.role, "coordinator") != 0))
        return core_fail(err, CORE_INVALID, "territory.coordinator", "user_id",
                         "Seul un compte coordinateur peut être rattaché à un territoire.");
    if (drc != DB_OK)
        return core_fail(err, CORE_ERROR, "store.error", NULL, "Erreur interne.");
    drc = db_begin_write(conn);
    if (drc == DB_OK)
        drc = territory_store_assign(conn, c->arena, territory_id, user_id);
    if (drc == DB_CONSTRAINT) {
        db_rollback(conn);
        return core_fail(err, CORE_NOTFOUND, "territory.not_found", NULL,
                         "Territoire introuvable.");
    }
    if (drc != DB_OK ||
        audit_record(c, &(audit_event){.action = "territory.assign", .object_type = "territory",
                                        .object_id = arena_printf(c->arena, "%lld",
                                                                  (long long)territory_id),
                                        .detail = arena_printf(c->arena, "coordinator %lld",
                                                               (long long)user_id)}) != CORE_OK ||
        db_commit(conn) != DB_OK) {
        db_rollback(conn);
        return core_fail(err, CORE_ERROR, "store.error", NULL, "Erreur interne.");
    }
    return CORE_OK;
}

core_rc territory_list(ctx *c, territory **out, int *n, core_error *err)
{
    core_rc rc = only_admin(c, err);
    if (rc != CORE_OK)
        return rc;
    return territory_store_list(ctx_db(c), c->arena, out, n) == DB_OK
               ? CORE_OK
               : core_fail(err, CORE_ERROR, "store.error", NULL, "Erreur interne.");
}

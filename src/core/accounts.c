#include "core/accounts.h"
#include "core/audit.h"
#include "core/auth.h"
#include "core/text.h"
#include "store/session_store.h"

#include <string.h>

bool accounts_role_valid(const char *role)
{
    return role && (strcmp(role, "admin") == 0 || strcmp(role, "professional") == 0 ||
                    strcmp(role, "coordinator") == 0);
}

bool accounts_is_admin(const principal *who)
{
    return who && strcmp(who->role, "admin") == 0;
}

const char *accounts_check_login(const char *login)
{
    size_t n = login ? strlen(login) : 0;
    if (n < 3 || n > 64)
        return "L'identifiant doit compter de 3 à 64 caractères.";
    for (size_t i = 0; i < n; i++) {
        char ch = login[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' ||
              ch == '-' || ch == '@'))
            return "L'identifiant ne peut contenir que des minuscules, des chiffres et . _ - @";
    }
    return NULL;
}

const char *accounts_check_password(const char *password)
{
    size_t n = password ? strlen(password) : 0;
    if (n < ACCOUNTS_MIN_PASSWORD)
        return "Le mot de passe doit compter au moins 10 caractères.";
    if (n > ACCOUNTS_MAX_PASSWORD)
        return "Le mot de passe est trop long (256 caractères au plus).";
    return NULL;
}

/* The command line (who == NULL) acts as the operator of the server. */
static core_rc require_admin(ctx *c, const char *action, core_error *err)
{
    if (!c->who || accounts_is_admin(c->who))
        return CORE_OK;
    audit_record(c, &(audit_event){.action = action, .outcome = AUDIT_DENIED,
                                    .detail = "administrator role required"});
    return core_fail(err, CORE_FORBIDDEN, "role.admin_required", NULL,
                     "Cette action est réservée aux administrateurs.");
}

static const char *id_text(ctx *c, int64_t id)
{
    return arena_printf(c->arena, "%lld", (long long)id);
}

core_rc accounts_create(ctx *c, const account_input *in, account *out, core_error *err)
{
    core_rc rc = require_admin(c, "user.create", err);
    if (rc != CORE_OK)
        return rc;
    const char *why = accounts_check_login(in->login);
    if (why)
        return core_fail(err, CORE_INVALID, "login.invalid", "login", why);
    if (!text_is_clean(in->display_name, 1, 200))
        return core_fail(err, CORE_INVALID, "display_name.invalid", "display_name",
                         "Le nom affiché doit compter de 1 à 200 caractères, sans caractère de "
                         "contrôle.");
    if (!accounts_role_valid(in->role))
        return core_fail(err, CORE_INVALID, "role.invalid", "role",
                         "Le rôle doit être admin, professional ou coordinator.");
    if ((why = accounts_check_password(in->password)))
        return core_fail(err, CORE_INVALID, "password.invalid", "password", why);
    const char *hash = auth_hash_password(c->arena, in->password);
    if (!hash)
        return core_fail(err, CORE_ERROR, "password.hash", NULL, "Erreur interne.");
    account acc = {
        .login = in->login,
        .display_name = in->display_name,
        .role = in->role,
        .password_hash = hash,
        .professional_id = in->professional_id,
        .created_at = c->now_ms,
        .updated_at = c->now_ms,
    };
    db_conn *conn = ctx_db(c);
    if (db_begin_write(conn) != DB_OK)
        return core_fail(err, CORE_ERROR, "store.error", NULL, "Erreur interne.");
    db_rc drc = account_store_insert(conn, c->arena, &acc);
    if (drc == DB_CONSTRAINT) {
        db_rollback(conn);
        return core_fail(err, CORE_CONFLICT, "login.taken", "login",
                         "Cet identifiant est déjà utilisé.");
    }
    if (drc != DB_OK ||
        audit_record(c, &(audit_event){.action = "user.create", .object_type = "user",
                                        .object_id = id_text(c, acc.id),
                                        .detail = arena_printf(c->arena, "login=%s role=%s",
                                                               acc.login, acc.role)}) !=
            CORE_OK ||
        db_commit(conn) != DB_OK) {
        db_rollback(conn);
        return core_fail(err, CORE_ERROR, "store.error", NULL, "Erreur interne.");
    }
    acc.password_hash = NULL;
    *out = acc;
    return CORE_OK;
}

core_rc accounts_list(ctx *c, int64_t after_id, int limit, const char *q, account **out, int *n,
                      core_error *err)
{
    core_rc rc = require_admin(c, "user.list", err);
    if (rc != CORE_OK)
        return rc;
    if (account_store_list(ctx_db(c), c->arena, after_id, limit, q, out, n) != DB_OK)
        return core_fail(err, CORE_ERROR, "store.error", NULL, "Erreur interne.");
    for (int i = 0; i < *n; i++)
        (*out)[i].password_hash = NULL;
    return CORE_OK;
}

core_rc accounts_get(ctx *c, int64_t id, account *out, core_error *err)
{
    core_rc rc = require_admin(c, "user.read", err);
    if (rc != CORE_OK)
        return rc;
    db_rc drc = account_store_by_id(ctx_db(c), c->arena, id, out);
    if (drc == DB_NOTFOUND)
        return core_fail(err, CORE_NOTFOUND, "user.not_found", NULL, "Compte introuvable.");
    if (drc != DB_OK)
        return core_fail(err, CORE_ERROR, "store.error", NULL, "Erreur interne.");
    out->password_hash = NULL;
    return CORE_OK;
}

core_rc accounts_set_disabled(ctx *c, int64_t id, bool disabled, core_error *err)
{
    core_rc rc = require_admin(c, "user.update", err);
    if (rc != CORE_OK)
        return rc;
    if (disabled && c->who && c->who->user_id == id)
        return core_fail(err, CORE_CONFLICT, "user.self_disable", "disabled",
                         "Vous ne pouvez pas désactiver votre propre compte.");
    db_conn *conn = ctx_db(c);
    if (db_begin_write(conn) != DB_OK)
        return core_fail(err, CORE_ERROR, "store.error", NULL, "Erreur interne.");
    db_rc drc = account_store_set_disabled(conn, c->arena, id, disabled, c->now_ms);
    if (drc == DB_NOTFOUND) {
        db_rollback(conn);
        return core_fail(err, CORE_NOTFOUND, "user.not_found", NULL, "Compte introuvable.");
    }
    if (drc != DB_OK || (disabled && session_store_delete_for_user(conn, c->arena, id) != DB_OK) ||
        audit_record(c, &(audit_event){.action = disabled ? "user.disable" : "user.enable",
                                        .object_type = "user", .object_id = id_text(c, id)}) !=
            CORE_OK ||
        db_commit(conn) != DB_OK) {
        db_rollback(conn);
        return core_fail(err, CORE_ERROR, "store.error", NULL, "Erreur interne.");
    }
    return CORE_OK;
}

core_rc accounts_change_password(ctx *c, const char *current, const char *next, core_error *err)
{
    if (!c->who)
        return core_fail(err, CORE_UNAUTHENTICATED, "session.required", NULL,
                         "Veuillez vous connecter.");
    const char *why = accounts_check_password(next);
    if (why)
        return core_fail(err, CORE_INVALID, "password.invalid", "new_password", why);
    account acc;
    if (account_store_by_id(ctx_db(c), c->arena, c->who->user_id, &acc) != DB_OK)
        return core_fail(err, CORE_ERROR, "store.error", NULL, "Erreur interne.");
    ctx_done(c); /* hashing is slow: do not hold a pooled connection */
    if (!current || !auth_check_password(acc.password_hash, current)) {
        audit_record(c, &(audit_event){.action = "user.password", .outcome = AUDIT_FAILURE,
                                        .detail = "wrong current password"});
        return core_fail(err, CORE_FORBIDDEN, "password.wrong", "current_password",
                         "Le mot de passe actuel est incorrect.");
    }
    const char *hash = auth_hash_password(c->arena, next);
    db_conn *conn = ctx_db(c);
    if (!hash || db_begin_write(conn) != DB_OK ||
        account_store_set_password(conn, c->arena, acc.id, hash, c->now_ms) != DB_OK ||
        audit_record(c, &(audit_event){.action = "user.password", .object_type = "user",
                                        .object_id = id_text(c, acc.id)}) != CORE_OK ||
        db_commit(conn) != DB_OK) {
        db_rollback(conn);
        return core_fail(err, CORE_ERROR, "store.error", NULL, "Erreur interne.");
    }
    return CORE_OK;
}

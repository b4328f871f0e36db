#include "core/circle.h"
#include "core/accounts.h"
#include "core/audit.h"
#include "core/notify.h"
#include "core/text.h"
#include "store/account_store.h"
#include "store/patient_store.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static const char *id_text(ctx *c, int64_t id)
{
    return arena_printf(c->arena, "%lld", (long long)id);
}

static core_rc store_error(core_error *err)
{
    return core_fail(err, CORE_ERROR, "store.error", NULL, "Erreur interne.");
}

/* ---- access ------------------------------------------------------------- */

static core_rc refuse(ctx *c, const char *action, int64_t patient_id, const char *code,
                      const char *detail, const char *message, core_error *err)
{
    audit_record(c, &(audit_event){.action = action, .outcome = AUDIT_DENIED,
                                    .object_type = "patient",
                                    .patient_id = id_text(c, patient_id), .detail = detail});
    return core_fail(err, CORE_FORBIDDEN, code, NULL, message);
}

core_rc authz_patient_family(ctx *c, int64_t patient_id, const char *action, int64_t *resolved,
                             authz_basis *basis, int64_t **family, int *nfamily,
                             core_error *err)
{
    db_conn *conn = ctx_db(c);
    int64_t survivor;
    db_rc rc = patient_store_resolve(conn, c->arena, patient_id, &survivor);
    if (rc == DB_NOTFOUND)
        return core_fail(err, CORE_NOTFOUND, "patient.not_found", NULL, "Patient introuvable.");
    if (rc != DB_OK)
        return store_error(err);
    *resolved = survivor;
    *family = NULL;
    *nfamily = 0;
    circle_access access = {0};
    if (!c->who || strcmp(c->who->role, "admin") != 0) {
        if (circle_store_access(conn, c->arena, survivor, c->who ? c->who->user_id : 0, c->now_ms,
                                &access) != DB_OK)
            return store_error(err);
        *family = access.family;
        *nfamily = access.nfamily;
    }
    if (!c->who) {
        *basis = AUTHZ_OPERATOR;
        return CORE_OK;
    }
    if (strcmp(c->who->role, "admin") == 0)
        return refuse(c, action, survivor, "access.admin", "administrators do not read patient data",
                      "Les administrateurs n'ont pas accès aux données des patients.", err);
    if (access.opposed)
        return refuse(c, action, survivor, "access.opposed", "the patient opposed sharing",
                      "Le patient s'est opposé au partage de ses données avec vous.", err);
    if (access.member) {
        *basis = AUTHZ_MEMBER;
        return CORE_OK;
    }
    if (strcmp(c->who->role, "coordinator") == 0) {
        patient p;
        bool covers = false;
        if (patient_store_get(conn, c->arena, survivor, &p) != DB_OK)
            return store_error(err);
        if (p.postcode &&
            territory_store_covers(conn, c->arena, c->who->user_id, p.postcode, &covers) != DB_OK)
            return store_error(err);
        if (covers) {
            *basis = AUTHZ_COORDINATOR;
            return CORE_OK;
        }
    }
    bool grant = false;
    if (grant_store_active(conn, c->arena, survivor, c->who->user_id, c->now_ms, &grant) !=
        DB_OK)
        return store_error(err);
    if (grant) {
        *basis = AUTHZ_BREAK_GLASS;
        return CORE_OK;
    }
    return refuse(c, action, survivor, "access.not_in_circle", "not a current member of the circle",
                  "Vous ne faites pas partie du cercle de soins de ce patient.", err);
}

core_rc authz_patient(ctx *c, int64_t patient_id, const char *action, int64_t *resolved,
                      authz_basis *basis, core_error *err)
{
    int64_t *family;
    int nfamily;
    return authz_patient_family(c, patient_id, action, resolved, basis, &family, &nfamily, err);
}

core_rc circle_member_users(ctx *c, int64_t patient_id, int64_t **users, int *n)
{
    return circle_store_users(ctx_db(c), c->arena, patient_id, c->now_ms, NULL, users, n) == DB_OK
               ? CORE_OK
               : CORE_ERROR;
}

core_rc circle_patient_family(ctx *c, int64_t patient_id, int64_t **ids, int *n)
{
    return circle_store_family(ctx_db(c), c->arena, patient_id, ids, n) == DB_OK ? CORE_OK
                                                                                 : CORE_ERROR;
}

/* ---- memberships -------------------------------------------------------- */

bool circle_role_valid(const char *kind, const char *role)
{
    static const char *const pro[] = {"PCP", "REFERENT", "NURSE", "PHARMACIST", "PHYSIO",
                                      "SPECIALIST", "SOCIAL_WORKER", "HOSPITAL", "MEMBER", NULL};
    static const char *const org[] = {"HOSPITAL", "REFERENT", "MEMBER", NULL};
    static const char *const rel[] = {"CAREGIVER", "TRUSTED_PERSON", "LEGAL_GUARDIAN", "ECON",
                                      NULL};
    const char *const *set = NULL;
    if (!kind || !role)
        return false;
    if (strcmp(kind, "professional") == 0)
        set = pro;
    else if (strcmp(kind, "organisation") == 0)
        set = org;
    else if (strcmp(kind, "related") == 0)
        set = rel;
    else if (strcmp(kind, "patient") == 0)
        return strcmp(role, "PATIENT") == 0;
    for (const char *const *r = set; r && *r; r++)
        if (strcmp(*r, role) == 0)
            return true;
    return false;
}

db_rc circle_add_creator(ctx *c, int64_t patient_id)
{
    if (!c->who || strcmp(c->who->role, "admin") == 0)
        return DB_OK;
    circle_member m = {.patient_id = patient_id,
                       .kind = "professional",
                       .role = "MEMBER",
                       .user_id = c->who->user_id,
                       .professional_id = c->who->professional_id,
                       .display_name = c->who->display_name ? c->who->display_name : c->who->login,
                       .start_at = c->now_ms,
                       .added_by = c->who->user_id};
    return circle_store_insert(ctx_db(c), c->arena, &m);
}

static const char *new_token(ctx *c, char **hash_out)
{
    unsigned char raw[24];
    randombytes_buf(raw, sizeof raw);
    char *token = arena_alloc(c->arena, 40);
    sodium_bin2base64(token, 40, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    unsigned char digest[32];
    crypto_generichash(digest, sizeof digest, (const unsigned char *)token, strlen(token),
                       c->app->secret, APP_SECRET_BYTES);
    *hash_out = arena_alloc(c->arena, 65);
    sodium_bin2hex(*hash_out, 65, digest, sizeof digest);
    return token;
}

core_rc circle_add_member(ctx *c, int64_t patient_id, const member_input *in, circle_member *out,
                          const char **invitation_token, core_error *err)
{
    int64_t pid;
    authz_basis basis;
    core_rc rc = authz_patient(c, patient_id, "circle.add", &pid, &basis, err);
    if (rc != CORE_OK)
        return rc;
    if (basis == AUTHZ_BREAK_GLASS)
        return core_fail(err, CORE_FORBIDDEN, "access.break_glass_read_only", NULL,
                         "Un accès en urgence (bris de glace) ne permet pas de modifier le "
                         "cercle de soins.");
    if (!circle_role_valid(in->kind, in->role))
        return core_fail(err, CORE_INVALID, "circle.role", "role",
                         "Rôle inconnu pour ce type de membre.");
    db_conn *conn = ctx_db(c);
    account acc = {0};
    const char *name = in->display_name;
    if (in->user_id) {
        if (strcmp(in->kind, "professional") != 0)
            return core_fail(err, CORE_INVALID, "circle.user_kind", "user_id",
                             "Seul un professionnel est lié à un compte.");
        db_rc drc = account_store_by_id(conn, c->arena, in->user_id, &acc);
        if (drc == DB_NOTFOUND || (drc == DB_OK && (acc.disabled || strcmp(acc.role, "admin") == 0)))
            return core_fail(err, CORE_INVALID, "circle.user", "user_id",
                             "Ce compte n'existe pas ou ne peut pas rejoindre un cercle de soins.");
        if (drc != DB_OK)
            return store_error(err);
        if (!name)
            name = acc.display_name;
    }
    if (!in->user_id && in->professional_id && strcmp(in->kind, "professional") == 0) {
        /* a directory entry linked to an account: the membership gives that
         * account its access */
        db_rc drc = account_store_by_professional(conn, c->arena, in->professional_id, &acc);
        if (drc == DB_OK && !acc.disabled && strcmp(acc.role, "admin") != 0) {
            member_input *linked = arena_alloc(c->arena, sizeof *linked);
            *linked = *in;
            linked->user_id = acc.id;
            in = linked;
            if (!name)
                name = acc.display_name;
        } else if (drc != DB_OK && drc != DB_NOTFOUND) {
            return store_error(err);
        }
    }
    if (!text_is_clean(name, 1, 200))
        return core_fail(err, CORE_INVALID, "circle.display_name", "display_name",
                         "Indiquez le nom du membre (1 à 200 caractères).");
    if ((in->phone && !text_is_clean(in->phone, 1, 30)) ||
        (in->email && (!text_is_clean(in->email, 3, 254) || !strchr(in->email, '@'))))
        return core_fail(err, CORE_INVALID, "circle.contact", in->email ? "email" : "phone",
                         "Coordonnées invalides.");
    if (in->invite && (in->user_id || strcmp(in->kind, "professional") != 0))
        return core_fail(err, CORE_INVALID, "circle.invite", "invite",
                         "On invite un professionnel qui n'a pas encore de compte.");
    int64_t start = in->start_at ? in->start_at : c->now_ms;
    if (in->user_id) {
        bool already = false;
        if (circle_store_is_member(conn, c->arena, pid, in->user_id, start, &already) != DB_OK)
            return store_error(err);
        if (already)
            return core_fail(err, CORE_CONFLICT, "circle.already_member", "user_id",
                             "Ce professionnel fait déjà partie du cercle de soins.");
    }
    if (db_begin_write(conn) != DB_OK)
        return store_error(err);
    if (strcmp(in->role, "PCP") == 0) {
        int pcp = 0;
        if (circle_store_count_role(conn, c->arena, pid, "PCP", c->now_ms, &pcp) != DB_OK) {
            db_rollback(conn);
            return store_error(err);
        }
        if (pcp > 0) {
            db_rollback(conn);
            return core_fail(err, CORE_CONFLICT, "circle.pcp_exists", "role",
                             "Le patient a déjà un médecin traitant : terminez d'abord sa "
                             "participation.");
        }
    }
    circle_member m = {.patient_id = pid,
                       .kind = in->kind,
                       .role = in->role,
                       .user_id = in->user_id,
                       .professional_id = in->professional_id ? in->professional_id
                                                              : acc.professional_id,
                       .organisation_id = in->organisation_id,
                       .display_name = name,
                       .phone = in->phone,
                       .email = in->email,
                       .start_at = start,
                       .added_by = c->who ? c->who->user_id : 0};
    db_rc drc = DB_OK;
    *invitation_token = NULL;
    if (in->invite) {
        char *hash;
        const char *token = new_token(c, &hash);
        drc = invitation_store_insert(conn, c->arena, hash, name, in->email, m.professional_id,
                                      m.added_by, c->now_ms, c->now_ms + 14LL * 86400 * 1000,
                                      &m.invitation_id);
        *invitation_token = token;
    }
    if (drc == DB_OK)
        drc = circle_store_insert(conn, c->arena, &m);
    if (drc == DB_OK && m.user_id) {
        notification_input n = {.kind = NOTIFY_CIRCLE_ADDED,
                                .patient_id = pid,
                                .object_id = id_text(c, m.id),
                                .title = "Vous avez été ajouté à un cercle de soins",
                                .body = arena_printf(c->arena, "Rôle : %s", m.role)};
        if (notify_users(c, &m.user_id, 1, &n) != CORE_OK)
            drc = DB_ERROR;
    }
    if (drc != DB_OK ||
        audit_record(c, &(audit_event){.action = "circle.add", .object_type = "circle_member",
                                        .object_id = id_text(c, m.id),
                                        .patient_id = id_text(c, pid),
                                        .detail = arena_printf(c->arena, "%s %s%s", m.kind, m.role,
                                                               in->invite ? " (invited)" : "")}) !=
            CORE_OK ||
        db_commit(conn) != DB_OK) {
        db_rollback(conn);
        return store_error(err);
    }
    *out = m;
    return CORE_OK;
}

core_rc circle_end_member(ctx *c, int64_t patient_id, int64_t member_id, int64_t end_at,
                          core_error *err)
{
    int64_t pid;
    authz_basis basis;
    core_rc rc = authz_patient(c, patient_id, "circle.end", &pid, &basis, err);
    if (rc != CORE_OK)
        return rc;
    if (basis == AUTHZ_BREAK_GLASS)
        return core_fail(err, CORE_FORBIDDEN, "access.break_glass_read_only", NULL,
                         "Un accès en urgence ne permet pas de modifier le cercle de soins.");
    db_conn *conn = ctx_db(c);
    circle_member m;
    db_rc drc = circle_store_get(conn, c->arena, member_id, &m);
    int64_t *family;
    int nfam = 0;
    bool ours = false;
    if (drc == DB_OK && circle_store_family(conn, c->arena, pid, &family, &nfam) == DB_OK)
        for (int i = 0; i < nfam; i++)
            ours = ours || family[i] == m.patient_id;
    if (drc == DB_NOTFOUND || (drc == DB_OK && !ours))
        return core_fail(err, CORE_NOTFOUND, "circle.member_not_found", NULL,
                         "Ce membre n'appartient pas à ce cercle de soins.");
    if (drc != DB_OK)
        return store_error(err);
    int64_t when = end_at ? end_at : c->now_ms;
    drc = db_begin_write(conn);
    if (drc == DB_OK)
        drc = circle_store_end(conn, c->arena, member_id, when, c->who ? c->who->user_id : 0);
    if (drc == DB_NOTFOUND) {
        db_rollback(conn);
        return core_fail(err, CORE_CONFLICT, "circle.already_ended", NULL,
                         "Cette participation est déjà terminée.");
    }
    if (drc == DB_OK && m.user_id) {
        notification_input n = {.kind = NOTIFY_CIRCLE_REMOVED,
                                .patient_id = pid,
                                .object_id = id_text(c, member_id),
                                .title = "Votre participation à un cercle de soins a pris fin"};
        if (notify_users(c, &m.user_id, 1, &n) != CORE_OK)
            drc = DB_ERROR;
    }
    if (drc != DB_OK ||
        audit_record(c, &(audit_event){.action = "circle.end", .object_type = "circle_member",
                                        .object_id = id_text(c, member_id),
                                        .patient_id = id_text(c, pid)}) != CORE_OK ||
        db_commit(conn) != DB_OK) {
        db_rollback(conn);
        return store_error(err);
    }
    return CORE_OK;
}

core_rc circle_list(ctx *c, int64_t patient_id, bool include_past, circle_member **out, int *n,
                    int64_t *resolved, core_error *err)
{
    authz_basis basis;
    core_rc rc = authz_patient(c, patient_id, "circle.read", resolved, &basis, err);
    if (rc != CORE_OK)
        return rc;
    if (circle_store_list(ctx_db(c), c->arena, *resolved, c->now_ms, include_past, out, n) !=
        DB_OK)
        return store_error(err);
    audit_record(c, &(audit_event){.action = "circle.read", .object_type = "patient",
                                    .patient_id = id_text(c, *resolved),
                                    .detail = basis == AUTHZ_BREAK_GLASS ? "break-the-glass" : NULL});
    return CORE_OK;
}

/* ---- break-the-glass and oppositions ------------------------------------ */

core_rc circle_break_glass(ctx *c, int64_t patient_id, const char *reason, int64_t *expires_at,
                           core_error *err)
{
    if (!c->who || strcmp(c->who->role, "admin") == 0)
        return core_fail(err, CORE_FORBIDDEN, "access.admin", NULL,
                         "Les administrateurs n'ont pas accès aux données des patients.");
    if (!reason || !text_is_clean(reason, 10, 500))
        return core_fail(err, CORE_INVALID, "break_glass.reason", "reason",
                         "Indiquez le motif de l'accès en urgence (10 à 500 caractères).");
    db_conn *conn = ctx_db(c);
    int64_t pid;
    db_rc drc = patient_store_resolve(conn, c->arena, patient_id, &pid);
    if (drc == DB_NOTFOUND)
        return core_fail(err, CORE_NOTFOUND, "patient.not_found", NULL, "Patient introuvable.");
    if (drc != DB_OK)
        return store_error(err);
    bool opposed = false;
    if (opposition_store_active(conn, c->arena, pid, c->who->user_id, &opposed) != DB_OK)
        return store_error(err);
    if (opposed)
        return refuse(c, "break_glass", pid, "access.opposed", "the patient opposed sharing",
                      "Le patient s'est opposé au partage de ses données avec vous.", err);
    *expires_at = c->now_ms + (int64_t)c->app->cfg.break_glass_hours * 3600 * 1000;
    int64_t *pcp = NULL, *referents = NULL;
    int npcp = 0, nref = 0;
    drc = db_begin_write(conn);
    if (drc == DB_OK)
        drc = grant_store_insert(conn, c->arena, pid, c->who->user_id, reason, c->now_ms,
                                 *expires_at);
    if (drc == DB_OK)
        drc = circle_store_users(conn, c->arena, pid, c->now_ms, "PCP", &pcp, &npcp);
    if (drc == DB_OK)
        drc = circle_store_users(conn, c->arena, pid, c->now_ms, "REFERENT", &referents, &nref);
    if (drc == DB_OK) {
        int64_t *to = arena_calloc(c->arena, (size_t)(npcp + nref) + 1, sizeof(int64_t));
        memcpy(to, pcp, sizeof(int64_t) * (size_t)npcp);
        memcpy(to + npcp, referents, sizeof(int64_t) * (size_t)nref);
        notification_input n = {
            .kind = NOTIFY_BREAK_GLASS,
            .patient_id = pid,
            .urgent = true,
            .title = "Accès en urgence (bris de glace) à l'un de vos patients",
            .body = arena_printf(c->arena, "%s : %s",
                                 c->who->display_name ? c->who->display_name : c->who->login,
                                 reason)};
        if (notify_users(c, to, npcp + nref, &n) != CORE_OK)
            drc = DB_ERROR;
    }
    if (drc != DB_OK ||
        audit_record(c, &(audit_event){.action = "break_glass", .object_type = "patient",
                                        .patient_id = id_text(c, pid), .detail = reason}) !=
            CORE_OK ||
        db_commit(conn) != DB_OK) {
        db_rollback(conn);
        return store_error(err);
    }
    return CORE_OK;
}

core_rc circle_oppose(ctx *c, int64_t patient_id, int64_t user_id, const char *reason,
                      int64_t *id, core_error *err)
{
    int64_t pid;
    authz_basis basis;
    core_rc rc = authz_patient(c, patient_id, "opposition.add", &pid, &basis, err);
    if (rc != CORE_OK)
        return rc;
    if (reason && !text_is_clean(reason, 0, 500))
        return core_fail(err, CORE_INVALID, "opposition.reason", "reason", "Motif invalide.");
    db_conn *conn = ctx_db(c);
    account acc;
    db_rc drc = account_store_by_id(conn, c->arena, user_id, &acc);
    if (drc == DB_NOTFOUND)
        return core_fail(err, CORE_INVALID, "opposition.user", "user_id", "Compte inconnu.");
    if (drc != DB_OK)
        return store_error(err);
    drc = db_begin_write(conn);
    if (drc == DB_OK)
        drc = opposition_store_insert(conn, c->arena, pid, user_id, reason,
                                      c->who ? c->who->user_id : 0, c->now_ms, id);
    if (drc != DB_OK ||
        audit_record(c, &(audit_event){.action = "opposition.add", .object_type = "user",
                                        .object_id = id_text(c, user_id),
                                        .patient_id = id_text(c, pid), .detail = reason}) !=
            CORE_OK ||
        db_commit(conn) != DB_OK) {
        db_rollback(conn);
        return store_error(err);
    }
    return CORE_OK;
}

core_rc circle_lift_opposition(ctx *c, int64_t patient_id, int64_t opposition_id,
                               core_error *err)
{
    int64_t pid;
    authz_basis basis;
    core_rc rc = authz_patient(c, patient_id, "opposition.lift", &pid, &basis, err);
    if (rc != CORE_OK)
        return rc;
    db_conn *conn = ctx_db(c);
    db_rc drc = db_begin_write(conn);
    if (drc == DB_OK)
        drc = opposition_store_lift(conn, c->arena, opposition_id, pid,
                                    c->who ? c->who->user_id : 0, c->now_ms);
    if (drc == DB_NOTFOUND) {
        db_rollback(conn);
        return core_fail(err, CORE_NOTFOUND, "opposition.not_found", NULL,
                         "Opposition introuvable ou déjà levée.");
    }
    if (drc != DB_OK ||
        audit_record(c, &(audit_event){.action = "opposition.lift", .object_type = "opposition",
                                        .object_id = id_text(c, opposition_id),
                                        .patient_id = id_text(c, pid)}) != CORE_OK ||
        db_commit(conn) != DB_OK) {
        db_rollback(conn);
        return store_error(err);
    }
    return CORE_OK;
}

core_rc circle_oppositions(ctx *c, int64_t patient_id, opposition_row **out, int *n,
                           core_error *err)
{
    int64_t pid;
    authz_basis basis;
    core_rc rc = authz_patient(c, patient_id, "opposition.read", &pid, &basis, err);
    if (rc != CORE_OK)
        return rc;
    return opposition_store_list(ctx_db(c), c->arena, pid, out, n) == DB_OK ? CORE_OK
                                                                             : store_error(err);
}

core_rc circle_my_patients(ctx *c, int limit, int64_t **ids, int *n, core_error *err)
{
    if (!c->who)
        return core_fail(err, CORE_UNAUTHENTICATED, "session.required", NULL,
                         "Veuillez vous connecter.");
    return circle_store_patients_of(ctx_db(c), c->arena, c->who->user_id, c->now_ms, limit, ids,
                                    n) == DB_OK
               ? CORE_OK
               : store_error(err);
}

core_rc circle_accept_invitation(ctx *c, const char *token, const char *login,
                                 const char *password, int64_t *user_id, core_error *err)
{
    if (!token || strlen(token) > 64)
        return core_fail(err, CORE_NOTFOUND, "invitation.unknown", "token",
                         "Invitation inconnue.");
    unsigned char digest[32];
    crypto_generichash(digest, sizeof digest, (const unsigned char *)token, strlen(token),
                       c->app->secret, APP_SECRET_BYTES);
    char hash[65];
    sodium_bin2hex(hash, sizeof hash, digest, sizeof digest);
    db_conn *conn = ctx_db(c);
    invitation_row inv;
    db_rc drc = invitation_store_find(conn, c->arena, hash, &inv);
    if (drc == DB_NOTFOUND)
        return core_fail(err, CORE_NOTFOUND, "invitation.unknown", "token",
                         "Invitation inconnue.");
    if (drc != DB_OK)
        return store_error(err);
    if (inv.accepted_at)
        return core_fail(err, CORE_CONFLICT, "invitation.used", "token",
                         "Cette invitation a déjà été utilisée.");
    if (inv.expires_at <= c->now_ms)
        return core_fail(err, CORE_CONFLICT, "invitation.expired", "token",
                         "Cette invitation a expiré : demandez-en une nouvelle.");
    /* the account is created as the operator would (who == NULL), on the
     * strength of the invitation */
    const principal *saved = c->who;
    c->who = NULL;
    account acc;
    account_input in = {.login = login,
                        .display_name = inv.display_name,
                        .role = "professional",
                        .password = password,
                        .professional_id = inv.professional_id};
    core_rc rc = accounts_create(c, &in, &acc, err);
    c->who = saved;
    if (rc != CORE_OK)
        return rc;
    conn = ctx_db(c);
    drc = db_begin_write(conn);
    if (drc == DB_OK)
        drc = invitation_store_accept(conn, c->arena, inv.id, acc.id, c->now_ms);
    if (drc != DB_OK ||
        audit_record(c, &(audit_event){.action = "invitation.accept", .object_type = "user",
                                        .object_id = id_text(c, acc.id), .user_id = acc.id,
                                        .login = acc.login}) != CORE_OK ||
        db_commit(conn) != DB_OK) {
        db_rollback(conn);
        return drc == DB_NOTFOUND ? core_fail(err, CORE_CONFLICT, "invitation.used", "token",
                                              "Cette invitation a déjà été utilisée.")
                                  : store_error(err);
    }
    *user_id = acc.id;
    return CORE_OK;
}

#include "core/directory.h"
#include "core/accounts.h"
#include "core/audit.h"
#include "core/text.h"

#include <string.h>

/* ---- common ------------------------------------------------------------------ */

static core_rc store_error(core_error *err)
{
    return core_fail(err, CORE_ERROR, "store.error", NULL, "Erreur interne.");
}

static core_rc fail_rollback(db_conn *conn, core_rc rc)
{
    db_rollback(conn);
    return rc;
}

/* The command line (who == NULL) acts as the operator of the server. */
static core_rc require_admin(ctx *c, const char *action, core_error *err)
{
    if (!c->who || accounts_is_admin(c->who))
        return CORE_OK;
    audit_record(c, &(audit_event){.action = action,
                                   .outcome = AUDIT_DENIED,
                                   .detail = "administrator role required"});
    return core_fail(err, CORE_FORBIDDEN, "role.admin_required", NULL,
                     "Cette action est réservée aux administrateurs.");
}

static const char *id_text(ctx *c, int64_t id)
{
    return arena_printf(c->arena, "%lld", (long long)id);
}

static core_rc query_invalid(ctx *c, core_error *err, const char *field)
{
    return core_fail(
        err, CORE_INVALID, "query.invalid", field,
        arena_printf(c->arena, "Le paramètre « %s » contient des caractères non admis.", field));
}

/* [key, key + "~"): every key starting with `key` (keys hold A-Z and spaces,
 * which all sort below '~' byte-wise). */
static const char *range_end(arena *a, const char *key)
{
    return arena_printf(a, "%s~", key);
}

static const char *max_key(const char *a, const char *b)
{
    return strcmp(a, b) >= 0 ? a : b;
}

/* ---- search ------------------------------------------------------------------ */

/* The ranges of a name query: the whole query as the start of the compact
 * family name ("dupont lef" → DUPONTLEF), and when it has several words, all
 * but the last as the whole family name and the last as the start of the given
 * name ("martin cl" → "MARTIN CL"). False for unusable text. */
static bool name_ranges(arena *a, const char *q, dir_pro_filter *f)
{
    const char *all = directory_key(a, q);
    if (!all)
        return false;
    f->lo1 = all;
    f->hi1 = range_end(a, all);
    const char *last = NULL; /* the last word: after the last space not followed by one */
    for (const char *p = q; *p; p++)
        if (*p == ' ' && p[1] && p[1] != ' ')
            last = p + 1;
    if (last) {
        const char *head = directory_key(a, arena_strndup(a, q, (size_t)(last - 1 - q)));
        const char *tail = directory_key(a, last);
        if (head && tail && *head && *tail) {
            f->lo2 = arena_printf(a, "%s %s", head, tail);
            f->hi2 = range_end(a, f->lo2);
        }
    }
    return true;
}

static bool town_range(arena *a, const char *town, const char **lo, const char **hi)
{
    const char *key = directory_key(a, town);
    if (!key)
        return false;
    *lo = key;
    *hi = range_end(a, key);
    return true;
}

core_rc directory_search_professionals(ctx *c, const directory_query *in, dir_professional **out,
                                       int *n, core_error *err)
{
    arena *a = c->arena;
    dir_pro_filter f = {.lo1 = "", .hi1 = "~", .after_key = "", .limit = in->limit};
    *out = arena_calloc(a, 1, sizeof **out);
    *n = 0;
    if (in->q && *in->q && !name_ranges(a, in->q, &f))
        return query_invalid(c, err, "q");
    if (in->profession) {
        if (!directory_profession_code_valid(in->profession))
            return core_fail(err, CORE_INVALID, "query.invalid", "profession",
                             "Le code profession (TRE_G15) compte deux chiffres, par exemple 10.");
        f.profession = in->profession;
    }
    if (in->town && *in->town && !town_range(a, in->town, &f.town_lo, &f.town_hi))
        return query_invalid(c, err, "town");
    /* a query without any letter cannot match a name or a town */
    if (!*f.lo1 && in->q && *in->q)
        return CORE_OK;
    if (f.town_lo && !*f.town_lo)
        return CORE_OK;
    db_conn *conn = ctx_db(c);
    if (in->after_id) {
        dir_professional last;
        db_rc drc = directory_store_professional_by_id(conn, a, in->after_id, &last);
        if (drc == DB_NOTFOUND)
            return core_fail(err, CORE_INVALID, "query.invalid", "after",
                             "Le curseur « after » ne désigne aucun professionnel.");
        if (drc != DB_OK)
            return store_error(err);
        f.after_key = last.norm_name;
        f.after_id = last.id;
        /* start the index range at the cursor rather than skip up to it */
        f.lo1 = max_key(f.lo1, f.after_key);
        if (f.lo2)
            f.lo2 = max_key(f.lo2, f.after_key);
    }
    if (directory_store_professional_search(conn, a, &f, out, n) != DB_OK)
        return store_error(err);
    return CORE_OK;
}

/* An identifier that a FINESS or SIRET column may hold. */
static bool looks_like_identifier(const char *q)
{
    return directory_finess_valid(q) || (strlen(q) == 14 && directory_digits_only(q, 0, 14));
}

core_rc directory_search_organisations(ctx *c, const directory_query *in, dir_organisation **out,
                                       int *n, core_error *err)
{
    arena *a = c->arena;
    dir_org_filter f = {.lo = "", .hi = "~", .after_key = "", .limit = in->limit};
    *out = arena_calloc(a, 1, sizeof **out);
    *n = 0;
    if (in->q && *in->q) {
        if (looks_like_identifier(in->q)) {
            f.identifier = in->q;
        } else {
            const char *key = directory_key(a, in->q);
            if (!key)
                return query_invalid(c, err, "q");
            if (!*key)
                return CORE_OK;
            f.lo = key;
            f.hi = range_end(a, key);
        }
    }
    if (in->town && *in->town) {
        if (!town_range(a, in->town, &f.town_lo, &f.town_hi))
            return query_invalid(c, err, "town");
        if (!*f.town_lo)
            return CORE_OK;
    }
    db_conn *conn = ctx_db(c);
    if (in->after_id) {
        dir_organisation last;
        db_rc drc = directory_store_organisation_by_id(conn, a, in->after_id, &last);
        if (drc == DB_NOTFOUND)
            return core_fail(err, CORE_INVALID, "query.invalid", "after",
                             "Le curseur « after » ne désigne aucun établissement.");
        if (drc != DB_OK)
            return store_error(err);
        f.after_key = last.norm_name;
        f.after_id = last.id;
        if (!f.identifier)
            f.lo = max_key(f.lo, f.after_key);
    }
    if (directory_store_organisation_search(conn, a, &f, out, n) != DB_OK)
        return store_error(err);
    return CORE_OK;
}

core_rc directory_get_professional(ctx *c, int64_t id, dir_professional *out, dir_activity **acts,
                                   int *nacts, core_error *err)
{
    db_conn *conn = ctx_db(c);
    db_rc drc = directory_store_professional_by_id(conn, c->arena, id, out);
    if (drc == DB_NOTFOUND)
        return core_fail(err, CORE_NOTFOUND, "professional.not_found", NULL,
                         "Professionnel introuvable.");
    if (drc != DB_OK || directory_store_activities(conn, c->arena, id, DIRECTORY_MAX_ACTIVITIES,
                                                   acts, nacts) != DB_OK)
        return store_error(err);
    return CORE_OK;
}

core_rc directory_get_organisation(ctx *c, int64_t id, dir_organisation *out, dir_member **members,
                                   int *nmembers, core_error *err)
{
    db_conn *conn = ctx_db(c);
    db_rc drc = directory_store_organisation_by_id(conn, c->arena, id, out);
    if (drc == DB_NOTFOUND)
        return core_fail(err, CORE_NOTFOUND, "organisation.not_found", NULL,
                         "Établissement introuvable.");
    if (drc != DB_OK || directory_store_members(conn, c->arena, id, DIRECTORY_MAX_MEMBERS + 1,
                                                members, nmembers) != DB_OK)
        return store_error(err);
    return CORE_OK;
}

/* ---- manual entries ---------------------------------------------------------- */

static core_rc invalid(arena *a, core_error *err, const char *field, const char *message)
{
    return core_fail(err, CORE_INVALID, arena_printf(a, "%s.invalid", field), field, message);
}

/* Applies an optional free-text member: absent leaves *dst, null or "" clears. */
static core_rc apply_text(arena *a, const dir_opt *o, const char *field, size_t max,
                          const char **dst, core_error *err)
{
    if (!o->set)
        return CORE_OK;
    const char *v = directory_nonempty(o->value);
    if (v && !text_is_clean(v, 1, max))
        return invalid(a, err, field,
                       arena_printf(a, "« %s » : %zu octets au plus, sans caractère de contrôle.",
                                    field, max));
    *dst = v;
    return CORE_OK;
}

static core_rc apply_phone(arena *a, const dir_opt *o, const char *field, const char **dst,
                           core_error *err)
{
    if (!o->set)
        return CORE_OK;
    const char *v = directory_nonempty(o->value);
    if (v && !(v = directory_phone_normalize(a, v)))
        return core_fail(err, CORE_INVALID, "phone.invalid", field,
                         "Numéro de téléphone invalide : de 4 à 15 chiffres, un « + » "
                         "au début au plus.");
    *dst = v;
    return CORE_OK;
}

static bool specialty_code_valid(const char *s)
{
    size_t n = strlen(s);
    if (n > 20)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!directory_is_digit(s[i]) && !(s[i] >= 'A' && s[i] <= 'Z') &&
            !(s[i] >= 'a' && s[i] <= 'z'))
            return false;
    return true;
}

core_rc directory_check_professional(arena *a, const dir_professional_input *in,
                                     dir_professional *p, core_error *err)
{
    core_rc rc;
    if ((rc = apply_text(a, &in->civility, "civility", DIRECTORY_MAX_LABEL, &p->civility, err)) ||
        (rc = apply_text(a, &in->given_name, "given_name", DIRECTORY_MAX_NAME, &p->given_name,
                         err)) ||
        (rc = apply_text(a, &in->profession_label, "profession_label", DIRECTORY_MAX_LABEL,
                         &p->profession_label, err)) ||
        (rc = apply_text(a, &in->specialty_label, "specialty_label", DIRECTORY_MAX_LABEL,
                         &p->specialty_label, err)) ||
        (rc = apply_phone(a, &in->phone, "phone", &p->phone, err)) ||
        (rc = apply_phone(a, &in->mobile, "mobile", &p->mobile, err)))
        return rc;
    if (in->family_name.set) {
        const char *v = in->family_name.value;
        if (!v || !text_is_clean(v, 1, DIRECTORY_MAX_NAME))
            return invalid(a, err, "family_name",
                           "Le nom d'exercice compte de 1 à 200 octets, sans caractère de "
                           "contrôle.");
        p->family_name = v;
    }
    if (in->profession_code.set) {
        if (!directory_profession_code_valid(in->profession_code.value))
            return invalid(a, err, "profession_code",
                           "Le code profession (nomenclature TRE_G15) compte deux chiffres, "
                           "par exemple 10 (médecin) ou 60 (infirmier).");
        p->profession_code = in->profession_code.value;
    }
    if (in->specialty_code.set) {
        const char *v = directory_nonempty(in->specialty_code.value);
        if (v && !specialty_code_valid(v))
            return invalid(a, err, "specialty_code",
                           "Le code de savoir-faire compte au plus 20 lettres ou chiffres.");
        p->specialty_code = v;
    }
    if (in->mssante.set) {
        const char *v = directory_nonempty(in->mssante.value);
        if (v && !directory_mssante_valid(v))
            return invalid(a, err, "mssante",
                           "Adresse MSSanté invalide : une adresse électronique en "
                           "…@….mssante.fr.");
        p->mssante = v;
    }
    if (!p->family_name)
        return core_fail(err, CORE_INVALID, "field.required", "family_name",
                         "Le champ « family_name » est obligatoire.");
    if (!p->profession_code)
        return core_fail(err, CORE_INVALID, "field.required", "profession_code",
                         "Le champ « profession_code » est obligatoire.");
    p->norm_name = directory_name_key(a, p->family_name, p->given_name);
    if (!p->norm_name)
        return invalid(a, err, "family_name", "Le nom d'exercice doit contenir une lettre.");
    return CORE_OK;
}

/* Inside the caller's transaction: every organisation must exist. */
static core_rc set_organisations(ctx *c, db_conn *conn, int64_t pro_id,
                                 const dir_professional_input *in, core_error *err)
{
    if (!in->organisations_set)
        return CORE_OK;
    if (in->norganisations > DIRECTORY_MAX_ORGANISATIONS)
        return core_fail(err, CORE_INVALID, "organisation_ids.invalid", "organisation_ids",
                         "Vingt établissements au plus.");
    for (int i = 0; i < in->norganisations; i++) {
        dir_organisation o;
        db_rc drc = directory_store_organisation_by_id(conn, c->arena, in->organisation_ids[i], &o);
        if (drc == DB_NOTFOUND)
            return core_fail(err, CORE_INVALID, "organisation.not_found", "organisation_ids",
                             arena_printf(c->arena, "Établissement %lld introuvable.",
                                          (long long)in->organisation_ids[i]));
        if (drc != DB_OK)
            return store_error(err);
    }
    if (directory_store_set_activities(conn, c->arena, pro_id, in->organisation_ids,
                                       in->norganisations, c->now_ms) != DB_OK)
        return store_error(err);
    return CORE_OK;
}

core_rc directory_create_professional(ctx *c, const dir_professional_input *in,
                                      dir_professional *out, core_error *err)
{
    core_rc rc = require_admin(c, "professional.create", err);
    if (rc != CORE_OK)
        return rc;
    const char *rpps = in->rpps.set ? directory_nonempty(in->rpps.value) : NULL;
    const char *adeli = in->adeli.set ? directory_nonempty(in->adeli.value) : NULL;
    if (!rpps && !adeli)
        return core_fail(err, CORE_INVALID, "field.required", "rpps",
                         "Un identifiant national est obligatoire : « rpps » ou « adeli ».");
    if (rpps && adeli)
        return core_fail(err, CORE_INVALID, "identifier.ambiguous", "adeli",
                         "Donnez soit « rpps », soit « adeli », pas les deux.");
    if (rpps && !directory_rpps_valid(rpps))
        return invalid(c->arena, err, "rpps", "Le numéro RPPS compte 11 chiffres.");
    if (adeli && !directory_adeli_valid(adeli))
        return invalid(c->arena, err, "adeli",
                       "Le numéro ADELI compte 9 caractères (chiffres, 2A/2B "
                       "en tête pour la Corse).");
    dir_professional p = {
        .id_type = rpps ? "8" : "0",
        .identifier = rpps ? rpps : adeli,
        .created_at = c->now_ms,
        .updated_at = c->now_ms,
    };
    p.idnps = arena_printf(c->arena, "%s%s", p.id_type, p.identifier);
    if ((rc = directory_check_professional(c->arena, in, &p, err)) != CORE_OK)
        return rc;
    db_conn *conn = ctx_db(c);
    if (db_begin_write(conn) != DB_OK)
        return store_error(err);
    db_rc drc = directory_store_professional_insert(conn, c->arena, &p);
    if (drc == DB_CONSTRAINT)
        return fail_rollback(conn, core_fail(err, CORE_CONFLICT, "professional.exists",
                                             rpps ? "rpps" : "adeli",
                                             "Ce professionnel est déjà dans l'annuaire."));
    if (drc != DB_OK)
        return fail_rollback(conn, store_error(err));
    if ((rc = set_organisations(c, conn, p.id, in, err)) != CORE_OK)
        return fail_rollback(conn, rc);
    if (audit_record(c, &(audit_event){.action = "professional.create",
                                       .object_type = "professional",
                                       .object_id = id_text(c, p.id),
                                       .detail = arena_printf(c->arena, "idnps=%s", p.idnps)}) !=
            CORE_OK ||
        db_commit(conn) != DB_OK)
        return fail_rollback(conn, store_error(err));
    *out = p;
    return CORE_OK;
}

/* "family_name,phone" — which members an update set, for the audit trail. */
static const char *changed_members(ctx *c, const dir_professional_input *in)
{
    const struct {
        const dir_opt *o;
        const char *name;
    } members[] = {
        {&in->civility, "civility"},
        {&in->family_name, "family_name"},
        {&in->given_name, "given_name"},
        {&in->profession_code, "profession_code"},
        {&in->profession_label, "profession_label"},
        {&in->specialty_code, "specialty_code"},
        {&in->specialty_label, "specialty_label"},
        {&in->phone, "phone"},
        {&in->mobile, "mobile"},
        {&in->mssante, "mssante"},
    };
    const char *list = "";
    for (size_t i = 0; i < sizeof members / sizeof members[0]; i++)
        if (members[i].o->set)
            list = arena_printf(c->arena, "%s%s%s", list, *list ? "," : "", members[i].name);
    if (in->organisations_set)
        list = arena_printf(c->arena, "%s%sorganisation_ids", list, *list ? "," : "");
    return list;
}

core_rc directory_update_professional(ctx *c, int64_t id, const dir_professional_input *in,
                                      dir_professional *out, core_error *err)
{
    core_rc rc = require_admin(c, "professional.update", err);
    if (rc != CORE_OK)
        return rc;
    if (in->rpps.set || in->adeli.set)
        return core_fail(err, CORE_INVALID, "identifier.immutable", in->rpps.set ? "rpps" : "adeli",
                         "L'identifiant national d'un professionnel ne change pas : créez une "
                         "autre fiche.");
    db_conn *conn = ctx_db(c);
    if (db_begin_write(conn) != DB_OK)
        return store_error(err);
    dir_professional p;
    db_rc drc = directory_store_professional_by_id(conn, c->arena, id, &p);
    if (drc == DB_NOTFOUND)
        return fail_rollback(conn, core_fail(err, CORE_NOTFOUND, "professional.not_found", NULL,
                                             "Professionnel introuvable."));
    if (drc != DB_OK)
        return fail_rollback(conn, store_error(err));
    if ((rc = directory_check_professional(c->arena, in, &p, err)) != CORE_OK)
        return fail_rollback(conn, rc);
    p.updated_at = c->now_ms;
    if (directory_store_professional_update(conn, c->arena, &p) != DB_OK)
        return fail_rollback(conn, store_error(err));
    if ((rc = set_organisations(c, conn, id, in, err)) != CORE_OK)
        return fail_rollback(conn, rc);
    if (audit_record(c, &(audit_event){.action = "professional.update",
                                       .object_type = "professional",
                                       .object_id = id_text(c, id),
                                       .detail = changed_members(c, in)}) != CORE_OK ||
        db_commit(conn) != DB_OK)
        return fail_rollback(conn, store_error(err));
    *out = p;
    return CORE_OK;
}

static bool postcode_valid(const char *s)
{
    size_t n = strlen(s);
    if (n > 10)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!directory_is_digit(s[i]) && !(s[i] >= 'A' && s[i] <= 'Z') && s[i] != ' ' &&
            s[i] != '-')
            return false;
    return true;
}

core_rc directory_check_organisation(arena *a, const dir_organisation_input *in,
                                     dir_organisation *o, core_error *err)
{
    memset(o, 0, sizeof *o);
    if (!in->name || !text_is_clean(in->name, 1, DIRECTORY_MAX_NAME))
        return invalid(a, err, "name",
                       "Le nom compte de 1 à 200 octets, sans caractère de contrôle.");
    o->name = in->name;
    o->norm_name = directory_key(a, in->name);
    if (!o->norm_name || !*o->norm_name)
        return invalid(a, err, "name", "Le nom doit contenir une lettre.");
    if ((o->finess = directory_nonempty(in->finess)) && !directory_finess_valid(o->finess))
        return invalid(a, err, "finess", "Le numéro FINESS compte 9 caractères.");
    if ((o->finess_legal = directory_nonempty(in->finess_legal)) &&
        !directory_finess_valid(o->finess_legal))
        return invalid(a, err, "finess_legal", "Le numéro FINESS compte 9 caractères.");
    if ((o->siret = directory_nonempty(in->siret)) && !directory_siret_valid(o->siret))
        return invalid(a, err, "siret",
                       "Le numéro SIRET compte 14 chiffres et sa clé (Luhn) doit être juste.");
    if ((o->kind = directory_nonempty(in->kind)) && !text_is_clean(o->kind, 1, DIRECTORY_MAX_LABEL))
        return invalid(a, err, "type", "Le type compte 200 octets au plus.");
    if ((o->address = directory_nonempty(in->address)) &&
        !text_is_clean(o->address, 1, DIRECTORY_MAX_ADDRESS))
        return invalid(a, err, "address", "L'adresse compte 300 octets au plus.");
    if ((o->postcode = directory_nonempty(in->postcode)) && !postcode_valid(o->postcode))
        return invalid(a, err, "postcode", "Code postal invalide.");
    if ((o->town = directory_nonempty(in->town))) {
        if (!text_is_clean(o->town, 1, DIRECTORY_MAX_TOWN) ||
            !(o->norm_town = directory_key(a, o->town)))
            return invalid(a, err, "town", "La commune compte 100 octets au plus.");
    }
    if ((o->phone = directory_nonempty(in->phone)) &&
        !(o->phone = directory_phone_normalize(a, o->phone)))
        return invalid(a, err, "phone", "Numéro de téléphone invalide.");
    if ((o->email = directory_nonempty(in->email)) && !directory_email_valid(o->email))
        return invalid(a, err, "email", "Adresse électronique invalide.");
    return CORE_OK;
}

core_rc directory_create_organisation(ctx *c, const dir_organisation_input *in,
                                      dir_organisation *out, core_error *err)
{
    core_rc rc = require_admin(c, "organisation.create", err);
    if (rc != CORE_OK)
        return rc;
    dir_organisation o;
    if ((rc = directory_check_organisation(c->arena, in, &o, err)) != CORE_OK)
        return rc;
    o.created_at = o.updated_at = c->now_ms;
    db_conn *conn = ctx_db(c);
    if (db_begin_write(conn) != DB_OK)
        return store_error(err);
    int64_t other;
    const char *field;
    db_rc drc = DB_NOTFOUND;
    if (o.finess || o.siret)
        drc = directory_store_organisation_find(conn, c->arena, o.finess, o.siret, &other, &field);
    if (drc == DB_OK)
        return fail_rollback(conn, core_fail(err, CORE_CONFLICT, "organisation.exists", field,
                                             arena_printf(c->arena,
                                                          "L'établissement %lld porte déjà ce "
                                                          "numéro.",
                                                          (long long)other)));
    if (drc != DB_NOTFOUND || directory_store_organisation_insert(conn, c->arena, &o) != DB_OK ||
        audit_record(c, &(audit_event){.action = "organisation.create",
                                       .object_type = "organisation",
                                       .object_id = id_text(c, o.id),
                                       .detail = o.finess
                                                     ? arena_printf(c->arena, "finess=%s", o.finess)
                                                     : NULL}) != CORE_OK ||
        db_commit(conn) != DB_OK)
        return fail_rollback(conn, store_error(err));
    *out = o;
    return CORE_OK;
}

/* ---- accounts ---------------------------------------------------------------- */

core_rc directory_link_account(ctx *c, int64_t user_id, int64_t professional_id, account *out,
                               core_error *err)
{
    core_rc rc = require_admin(c, "user.link_professional", err);
    if (rc != CORE_OK)
        return rc;
    db_conn *conn = ctx_db(c);
    if (db_begin_write(conn) != DB_OK)
        return store_error(err);
    account acc, other;
    db_rc drc = account_store_by_id(conn, c->arena, user_id, &acc);
    if (drc == DB_NOTFOUND)
        return fail_rollback(
            conn, core_fail(err, CORE_NOTFOUND, "user.not_found", NULL, "Compte introuvable."));
    if (drc != DB_OK)
        return fail_rollback(conn, store_error(err));
    if (professional_id) {
        dir_professional p;
        drc = directory_store_professional_by_id(conn, c->arena, professional_id, &p);
        if (drc == DB_NOTFOUND)
            return fail_rollback(conn, core_fail(err, CORE_INVALID, "professional.not_found",
                                                 "professional_id",
                                                 "Ce professionnel n'est pas dans l'annuaire."));
        if (drc != DB_OK)
            return fail_rollback(conn, store_error(err));
        drc = account_store_by_professional(conn, c->arena, professional_id, &other);
        if (drc == DB_OK && other.id != user_id)
            return fail_rollback(
                conn,
                core_fail(err, CORE_CONFLICT, "professional.linked", "professional_id",
                          arena_printf(c->arena, "Ce professionnel est déjà lié au compte « %s ».",
                                       other.login)));
        if (drc != DB_OK && drc != DB_NOTFOUND)
            return fail_rollback(conn, store_error(err));
    }
    if (account_store_set_professional(conn, c->arena, user_id, professional_id, c->now_ms) !=
            DB_OK ||
        audit_record(c,
                     &(audit_event){.action = "user.link_professional",
                                    .object_type = "user",
                                    .object_id = id_text(c, user_id),
                                    .detail = professional_id
                                                  ? arena_printf(c->arena, "professional_id=%lld",
                                                                 (long long)professional_id)
                                                  : "unlinked"}) != CORE_OK ||
        db_commit(conn) != DB_OK)
        return fail_rollback(conn, store_error(err));
    acc.professional_id = professional_id;
    acc.updated_at = c->now_ms;
    acc.password_hash = NULL;
    *out = acc;
    return CORE_OK;
}

#include "core/patients.h"
#include "core/audit.h"
#include "core/circle.h"
#include "core/identity_review.h"
#include "core/ins.h"
#include "core/name_match.h"
#include "core/text.h"
#include "hl7/hl7_outbound.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <string.h>

bool patients_may_access(const principal *who)
{
    return !who || strcmp(who->role, "professional") == 0 || strcmp(who->role, "coordinator") == 0;
}

static core_rc forbid(ctx *c, const char *action, int64_t id, core_error *err)
{
    audit_record(c, &(audit_event){.action = action, .outcome = AUDIT_DENIED,
                                    .object_type = "patient",
                                    .patient_id = id ? arena_printf(c->arena, "%lld", (long long)id)
                                                     : NULL,
                                    .detail = "role may not access patient identities"});
    return core_fail(err, CORE_FORBIDDEN, "role.patient_access", NULL,
                     "Votre rôle ne donne pas accès aux identités des patients.");
}

static const char *id_text(ctx *c, int64_t id)
{
    return arena_printf(c->arena, "%lld", (long long)id);
}

/* ---- validation ------------------------------------------------------- */

static core_rc check_name(const char *value, const char *field, bool required, core_error *err)
{
    if (!value || !*value) {
        if (!required)
            return CORE_OK;
        return core_fail(err, CORE_INVALID, "name.required", field, "Ce nom est obligatoire.");
    }
    char buf[NM_NORM_SIZE];
    nm_result r = nm_normalize(value, buf, sizeof buf);
    if (r == NM_OK && strlen(value) <= 100)
        return CORE_OK;
    const char *msg = r == NM_ERR_TOO_LONG || strlen(value) > 100
                          ? "Ce nom est trop long (100 caractères au plus)."
                      : r == NM_ERR_CONTROL ? "Ce nom contient un caractère de contrôle ou invisible."
                      : r == NM_ERR_UTF8    ? "Ce nom n'est pas de l'UTF-8 valide."
                                            : "Ce nom ne peut contenir que des lettres, espaces, "
                                              "tirets et apostrophes.";
    return core_fail(err, CORE_INVALID, "name.invalid", field, msg);
}

static bool all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/* 'YYYY-MM-DD', or 'YYYY-MM' / 'YYYY' when the exact date is unknown (RNIV
 * allows recording what the document shows); never in the future. */
static bool valid_birth_date(const char *s, int64_t now_ms)
{
    size_t n = strlen(s);
    int64_t ms;
    char full[11];
    if (n == 4 && all_digits(s, 4))
        snprintf(full, sizeof full, "%s-01-01", s);
    else if (n == 7 && all_digits(s, 4) && s[4] == '-' && all_digits(s + 5, 2))
        snprintf(full, sizeof full, "%s-01", s);
    else if (n == 10)
        snprintf(full, sizeof full, "%s", s);
    else
        return false;
    if (!time_parse_iso(full, &ms))
        return false;
    return ms <= now_ms && strncmp(full, "1880", 4) >= 0;
}

/* INSEE COG code: 5 characters, digits or 2A/2B followed by 3 digits; 99xxx
 * are countries (born abroad). */
static bool valid_cog(const char *s)
{
    if (strlen(s) != 5)
        return false;
    if (s[0] == '2' && (s[1] == 'A' || s[1] == 'B'))
        return all_digits(s + 2, 3);
    return all_digits(s, 5);
}

static bool valid_phone(const char *s)
{
    size_t n = strlen(s), digits = 0;
    if (n > 25)
        return false;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (ch >= '0' && ch <= '9')
            digits++;
        else if (!(ch == ' ' || ch == '.' || ch == '-' || (ch == '+' && i == 0) || ch == '(' ||
                   ch == ')'))
            return false;
    }
    return digits >= 6 && digits <= 15;
}

static bool valid_email(const char *s)
{
    size_t n = strlen(s);
    const char *at = strchr(s, '@');
    if (n < 3 || n > 254 || !at || at == s || strchr(at + 1, '@') || !strchr(at + 1, '.'))
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= ' ' || s[i] == '<' || s[i] == '>' || s[i] == '"')
            return false;
    return s[n - 1] != '.';
}

static core_rc check_text(const char *v, const char *field, size_t max, core_error *err)
{
    if (!v || !*v || text_is_clean(v, 1, max))
        return CORE_OK;
    return core_fail(err, CORE_INVALID, "field.invalid", field,
                     "Texte invalide (caractère de contrôle ou trop long).");
}

/* French wording of each INS error, for the user interface. */
static const char *ins_message_fr(ins_result r)
{
    switch (r) {
    case INS_ERR_MISSING:
        return "L'INS est vide.";
    case INS_ERR_LENGTH:
        return "L'INS compte 15 caractères : 13 (NIR ou NIA) suivis d'une clé de 2 chiffres.";
    case INS_ERR_CHAR:
        return "L'INS ne contient que des chiffres (2A ou 2B pour un département corse).";
    case INS_ERR_DEPARTMENT:
        return "Le département de naissance inscrit dans l'INS est invalide.";
    case INS_ERR_SEX_DIGIT:
        return "Le premier chiffre de l'INS (sexe) est invalide.";
    case INS_ERR_MONTH:
        return "Le mois de naissance inscrit dans l'INS est invalide.";
    case INS_ERR_KEY:
        return "La clé de contrôle de l'INS est incorrecte (97 moins le reste de la division "
               "des 13 premiers chiffres par 97).";
    case INS_ERR_SEX_MISMATCH:
        return "Le premier chiffre de l'INS ne correspond pas au sexe du patient.";
    default:
        return "INS invalide.";
    }
}

core_rc patients_validate(const patient_input *in, bool creating, core_error *err)
{
    core_rc rc;
    if ((rc = check_name(in->birth_family_name, "birth_family_name", creating, err)) ||
        (rc = check_name(in->used_family_name, "used_family_name", false, err)) ||
        (rc = check_name(in->used_given_name, "used_given_name", false, err)))
        return rc;
    if (creating || in->birth_given_names) {
        if (!in->birth_given_names || !*in->birth_given_names)
            return core_fail(err, CORE_INVALID, "name.required", "birth_given_names",
                             "Au moins un prénom de naissance est obligatoire.");
        if ((rc = check_name(in->birth_given_names, "birth_given_names", true, err)))
            return rc;
    }
    if ((creating || in->sex) &&
        (!in->sex || (strcmp(in->sex, "M") && strcmp(in->sex, "F") && strcmp(in->sex, "I"))))
        return core_fail(err, CORE_INVALID, "sex.invalid", "sex",
                         "Le sexe doit valoir M, F ou I (indéterminé).");
    if ((creating || in->birth_date) &&
        (!in->birth_date || !valid_birth_date(in->birth_date, time_now_ms())))
        return core_fail(err, CORE_INVALID, "birth_date.invalid", "birth_date",
                         "Date de naissance invalide : AAAA-MM-JJ (ou AAAA-MM, AAAA si "
                         "inconnue), ni future ni avant 1880.");
    if (in->birthplace_code && *in->birthplace_code && !valid_cog(in->birthplace_code))
        return core_fail(err, CORE_INVALID, "birthplace.invalid", "birthplace_code",
                         "Le lieu de naissance est un code INSEE (COG) à 5 caractères ; "
                         "99xxx pour un pays étranger.");
    if (in->phone && *in->phone && !valid_phone(in->phone))
        return core_fail(err, CORE_INVALID, "phone.invalid", "phone",
                         "Numéro de téléphone invalide.");
    if (in->phone2 && *in->phone2 && !valid_phone(in->phone2))
        return core_fail(err, CORE_INVALID, "phone.invalid", "phone2",
                         "Numéro de téléphone invalide.");
    if (in->email && *in->email && !valid_email(in->email))
        return core_fail(err, CORE_INVALID, "email.invalid", "email", "Adresse e-mail invalide.");
    if ((rc = check_text(in->address_line, "address_line", 200, err)) ||
        (rc = check_text(in->postcode, "postcode", 10, err)) ||
        (rc = check_text(in->city, "city", 100, err)) ||
        (rc = check_text(in->country, "country", 100, err)) ||
        (rc = check_text(in->birth_country, "birth_country", 100, err)))
        return rc;
    if (in->ins_value && *in->ins_value) {
        ins_error ie;
        char sex = in->sex && (in->sex[0] == 'M' || in->sex[0] == 'F') ? in->sex[0] : 0;
        ins_result ir = ins_check(in->ins_value, sex, &ie);
        if (ir != INS_OK)
            return core_fail(err, CORE_INVALID, ins_result_code(ir), "ins.value",
                             ins_message_fr(ir));
        if (!in->ins_oid || ins_oid_kind(in->ins_oid) == INS_SYSTEM_UNKNOWN)
            return core_fail(err, CORE_INVALID, "ins.oid", "ins.oid",
                             "OID de l'INS inconnu : 1.2.250.1.213.1.4.8 (NIR), .9 (NIA), "
                             ".10 (test) ou .11 (démonstration).");
    }
    for (int i = 0; i < in->nidentifiers; i++) {
        const patient_identifier *id = &in->identifiers[i];
        if (!text_is_clean(id->system, 1, 100) || !text_is_clean(id->value, 1, 100))
            return core_fail(err, CORE_INVALID, "identifier.invalid", "identifiers",
                             "Chaque identifiant local a une autorité (system) et une valeur "
                             "de 1 à 100 caractères.");
    }
    return CORE_OK;
}

/* ---- building records ------------------------------------------------- */

static const char *opt(ctx *c, const char *v)
{
    return v && *v ? arena_strdup(c->arena, v) : NULL;
}

/* First word of a space-separated list of given names. */
static const char *first_word(ctx *c, const char *list)
{
    while (*list == ' ')
        list++;
    size_t n = strcspn(list, " ");
    return arena_strndup(c->arena, list, n);
}

/* Applies the non-NULL members of in to p ("" clears an optional trait). */
static void apply_input(ctx *c, patient *p, const patient_input *in)
{
#define SET(field, src)                                                                            \
    do {                                                                                           \
        if (in->src)                                                                               \
            p->field = opt(c, in->src);                                                            \
    } while (0)
    SET(birth_family_name, birth_family_name);
    SET(used_family_name, used_family_name);
    SET(birth_given_names, birth_given_names);
    SET(used_given_name, used_given_name);
    SET(sex, sex);
    SET(birth_date, birth_date);
    SET(birthplace_code, birthplace_code);
    SET(birth_country, birth_country);
    SET(address_line, address_line);
    SET(postcode, postcode);
    SET(city, city);
    SET(country, country);
    SET(phone, phone);
    SET(phone2, phone2);
    SET(email, email);
    SET(ins_value, ins_value);
    SET(ins_oid, ins_oid);
#undef SET
    if (in->ins_value && !*in->ins_value)
        p->ins_oid = NULL;
    if (p->birth_given_names)
        p->first_given_name = first_word(c, p->birth_given_names);
}

static bool is_document_type(const char *t)
{
    static const char *const types[] = {"CNI", "PASSEPORT", "TITRE_SEJOUR", "LIVRET_FAMILLE",
                                        "ACTE_NAISSANCE", NULL};
    for (const char *const *p = types; *p; p++)
        if (strcmp(*p, t) == 0)
            return true;
    return false;
}

static core_rc check_evidence(const patient *p, bool insi, const char *document_type,
                              core_error *err)
{
    if (insi && !p->ins_value)
        return core_fail(err, CORE_INVALID, "status.insi_without_ins", "insi",
                         "Une identité récupérée par le téléservice INSi porte un INS : "
                         "renseignez-le.");
    if (document_type && !is_document_type(document_type))
        return core_fail(err, CORE_INVALID, "status.document_type", "document_type",
                         "Pièce d'identité à haut niveau de confiance attendue : CNI, PASSEPORT, "
                         "TITRE_SEJOUR (LIVRET_FAMILLE ou ACTE_NAISSANCE pour un mineur).");
    return CORE_OK;
}

core_rc patients_create(ctx *c, const patient_input *in, patient *out, duplicate_hit **dups,
                        int *ndups, core_error *err)
{
    *ndups = 0;
    *dups = NULL;
    if (!patients_may_access(c->who))
        return forbid(c, "patient.create", 0, err);
    core_rc rc = patients_validate(in, true, err);
    if (rc != CORE_OK)
        return rc;
    patient p = {0};
    apply_input(c, &p, in);
    if ((rc = check_evidence(&p, in->insi, in->document_type, err)) != CORE_OK)
        return rc;
    ins_status st = ins_status_from_evidence(in->insi, in->document_type != NULL);
    p.identity_status = ins_status_code(st);
    p.created_by = c->who ? c->who->user_id : 0;
    p.created_at = p.updated_at = c->now_ms;
    if (!idmatch_fill_keys(c->arena, &p))
        return core_fail(err, CORE_INVALID, "name.invalid", "birth_family_name",
                         "Nom ou prénom invalide.");
    db_conn *conn = ctx_db(c);
    /* the check and the insert in one write transaction, serialized with the
     * other creations of that birth year (every block of the check stays
     * within it): two requests creating the same person at once cannot both
     * miss each other. SQLite writes are serial anyway; on PostgreSQL an
     * advisory lock on the year does it. */
    char year[5];
    snprintf(year, sizeof year, "%.4s", p.birth_date);
    if (db_begin_write(conn) != DB_OK)
        return core_fail(err, CORE_ERROR, "store.error", NULL, "Erreur interne.");
    if (db_serialize(conn, DB_LOCK_PATIENT_BIRTH_YEAR, year) != DB_OK) {
        db_rollback(conn);
        return core_fail(err, CORE_ERROR, "store.error", NULL, "Erreur interne.");
    }
    int64_t check_start = time_mono_us();
    if (p.ins_value) {
        patient holder;
        db_rc drc = patient_store_by_ins(conn, c->arena, p.ins_value, &holder);
        if (drc == DB_OK) {
            db_rollback(conn);
            *dups = arena_calloc(c->arena, 1, sizeof(duplicate_hit));
            (*dups)[0].candidate = holder;
            idmatch_score(&p, &holder, &(*dups)[0].match);
            *ndups = 1;
            return core_fail(err, CORE_CONFLICT, "ins.taken", "ins.value",
                             "Un patient porte déjà cet INS.");
        }
        if (drc != DB_NOTFOUND) {
            db_rollback(conn);
            return core_fail(err, CORE_ERROR, "store.error", NULL, "Erreur interne.");
        }
    }
    duplicate_hit *found;
    int nfound = 0;
    if (review_find_duplicates(c, &p, 0, IDMATCH_POTENTIAL, &found, &nfound) != CORE_OK) {
        db_rollback(conn);
        return core_fail(err, CORE_ERROR, "store.error", NULL, "Erreur interne.");
    }
    c->duplicate_check_us = time_mono_us() - check_start;
    bool strong = nfound > 0 && found[0].match.score >= IDMATCH_STRONG;
    if (strong && !in->confirm_duplicate) {
        db_rollback(conn);
        *dups = found;
        *ndups = nfound;
        audit_record(c, &(audit_event){.action = "patient.create", .outcome = AUDIT_FAILURE,
                                        .detail = "possible duplicate, confirmation required"});
        return core_fail(err, CORE_CONFLICT, "patient.possible_duplicate", NULL,
                         "Ce patient existe peut-être déjà. Vérifiez les identités proches ou "
                         "confirmez la création.");
    }
    db_rc drc = patient_store_insert(conn, c->arena, &p);
    for (int i = 0; drc == DB_OK && i < in->nidentifiers; i++)
        drc = patient_store_add_identifier(conn, c->arena, p.id, &in->identifiers[i]);
    if (drc == DB_OK)
        drc = circle_add_creator(c, p.id); /* whoever creates the record takes part in the care */
    if (drc == DB_OK) /* ADT A28 for the regional identity server, committed with the record */
        drc = hl7_outbox_enqueue_patient(c, &p, "A28");
    if (drc == DB_OK && st != INS_STATUS_PROV)
        drc = patient_store_record_status(conn, c->arena, p.id, "PROV", p.identity_status,
                                          in->insi, in->document_type, "création",
                                          p.created_by, c->now_ms);
    for (int i = 0; drc == DB_OK && i < nfound; i++) {
        int64_t a = found[i].candidate.id, b = p.id;
        drc = patient_store_flag_duplicate(conn, c->arena, a < b ? a : b, a < b ? b : a,
                                           found[i].match.score,
                                           idmatch_reasons(c->arena, &found[i].match), c->now_ms);
    }
    if (drc == DB_CONSTRAINT) {
        db_rollback(conn);
        return core_fail(err, CORE_CONFLICT, "identifier.taken", "identifiers",
                         "Un identifiant local est déjà attribué à un autre patient (ou un "
                         "patient porte déjà cet INS).");
    }
    if (drc != DB_OK ||
        audit_record(c, &(audit_event){.action = "patient.create", .object_type = "patient",
                                        .object_id = id_text(c, p.id),
                                        .patient_id = id_text(c, p.id),
                                        .detail = nfound ? "created with duplicate candidates"
                                                         : NULL}) != CORE_OK ||
        db_commit(conn) != DB_OK) {
        db_rollback(conn);
        return core_fail(err, CORE_ERROR, "store.error", NULL, "Erreur interne.");
    }
    *out = p;
    *dups = found;
    *ndups = nfound;
    return CORE_OK;
}

/* Loads the surviving record for id (following merges) if the principal may
 * access it now (care circle, territory, break-the-glass). */
static core_rc load(ctx *c, int64_t id, const char *action, patient *out, core_error *err)
{
    int64_t survivor;
    authz_basis basis;
    core_rc rc = authz_patient(c, id, action, &survivor, &basis, err);
    if (rc != CORE_OK)
        return rc;
    db_rc drc = patient_store_get(ctx_db(c), c->arena, survivor, out);
    if (drc == DB_NOTFOUND)
        return core_fail(err, CORE_NOTFOUND, "patient.not_found", NULL, "Patient introuvable.");
    if (drc != DB_OK)
        return core_fail(err, CORE_ERROR, "store.error", NULL, "Erreur interne.");
    return CORE_OK;
}

core_rc patients_get(ctx *c, int64_t id, patient *out, core_error *err)
{
    if (!patients_may_access(c->who))
        return forbid(c, "patient.read", id, err);
    core_rc rc = load(c, id, "patient.read", out, err);
    if (rc != CORE_OK)
        return rc;
    if (audit_record(c, &(audit_event){.action = "patient.read", .object_type = "patient",
                                        .object_id = id_text(c, id),
                                        .patient_id = id_text(c, out->id)}) != CORE_OK)
        return core_fail(err, CORE_ERROR, "audit.error", NULL, "Erreur interne.");
    return CORE_OK;
}

static bool differs(const char *a, const char *b)
{
    if (!a || !b)
        return a != b;
    return strcmp(a, b) != 0;
}

core_rc patients_update(ctx *c, int64_t id, int64_t expected_version, const patient_input *in,
                        patient *out, core_error *err)
{
    if (!patients_may_access(c->who))
        return forbid(c, "patient.update", id, err);
    core_rc rc = patients_validate(in, false, err);
    if (rc != CORE_OK)
        return rc;
    patient old;
    if ((rc = load(c, id, "patient.update", &old, err)) != CORE_OK)
        return rc;
    if (old.id != id)
        return core_fail(err, CORE_CONFLICT, "patient.merged", NULL,
                         "Ce dossier a été fusionné : modifiez le dossier conservé.");
    patient p = old;
    apply_input(c, &p, in);
    if (p.ins_value && (!p.ins_oid || ins_oid_kind(p.ins_oid) == INS_SYSTEM_UNKNOWN))
        return core_fail(err, CORE_INVALID, "ins.oid", "ins.oid",
                         "L'INS doit être accompagné de son OID.");
    if (!p.birth_family_name || !p.birth_given_names || !p.sex || !p.birth_date)
        return core_fail(err, CORE_INVALID, "trait.required", NULL,
                         "Les traits stricts (nom et prénoms de naissance, sexe, date de "
                         "naissance) ne peuvent pas être effacés.");
    if (p.ins_value) {
        ins_error ie;
        char sex = p.sex[0] == 'M' || p.sex[0] == 'F' ? p.sex[0] : 0;
        ins_result ir = ins_check(p.ins_value, sex, &ie);
        if (ir != INS_OK)
            return core_fail(err, CORE_INVALID, ins_result_code(ir), "ins.value",
                             ins_message_fr(ir));
    }
    bool strict_changed = differs(old.birth_family_name, p.birth_family_name) ||
                          differs(old.birth_given_names, p.birth_given_names) ||
                          differs(old.sex, p.sex) || differs(old.birth_date, p.birth_date) ||
                          differs(old.birthplace_code, p.birthplace_code) ||
                          differs(old.ins_value, p.ins_value);
    bool downgraded = strict_changed && strcmp(old.identity_status, "PROV") != 0;
    if (downgraded)
        p.identity_status = "PROV";
    p.updated_at = c->now_ms;
    if (!idmatch_fill_keys(c->arena, &p))
        return core_fail(err, CORE_INVALID, "name.invalid", NULL, "Nom ou prénom invalide.");
    db_conn *conn = ctx_db(c);
    if (db_begin_write(conn) != DB_OK)
        return core_fail(err, CORE_ERROR, "store.error", NULL, "Erreur interne.");
    db_rc drc = patient_store_update(conn, c->arena, &p, expected_version);
    if (drc == DB_NOTFOUND) {
        db_rollback(conn);
        return core_fail(err, CORE_CONFLICT, "patient.version", "version",
                         "Ce dossier a été modifié entre-temps : rechargez-le puis recommencez.");
    }
    if (drc == DB_CONSTRAINT) {
        db_rollback(conn);
        return core_fail(err, CORE_CONFLICT, "ins.taken", "ins.value",
                         "Un autre patient porte déjà cet INS.");
    }
    for (int i = 0; drc == DB_OK && i < in->nidentifiers; i++)
        drc = patient_store_add_identifier(conn, c->arena, p.id, &in->identifiers[i]);
    if (drc == DB_OK) /* ADT A31 for the regional identity server */
        drc = hl7_outbox_enqueue_patient(c, &p, "A31");
    if (drc == DB_OK && downgraded)
        drc = patient_store_record_status(conn, c->arena, p.id, old.identity_status, "PROV",
                                          false, NULL, "traits stricts modifiés",
                                          c->who ? c->who->user_id : 0, c->now_ms);
    if (drc != DB_OK ||
        audit_record(c, &(audit_event){.action = "patient.update", .object_type = "patient",
                                        .object_id = id_text(c, p.id),
                                        .patient_id = id_text(c, p.id),
                                        .detail = downgraded ? "strict traits changed: status PROV"
                                                             : NULL}) != CORE_OK ||
        db_commit(conn) != DB_OK) {
        db_rollback(conn);
        return core_fail(err, drc == DB_CONSTRAINT ? CORE_CONFLICT : CORE_ERROR,
                         drc == DB_CONSTRAINT ? "identifier.taken" : "store.error",
                         drc == DB_CONSTRAINT ? "identifiers" : NULL,
                         drc == DB_CONSTRAINT ? "Cet identifiant local est déjà attribué."
                                              : "Erreur interne.");
    }
    p.version = expected_version + 1;
    *out = p;
    return CORE_OK;
}

core_rc patients_set_status(ctx *c, int64_t id, bool insi, const char *document_type,
                            const char *downgrade_to, const char *reason, patient *out,
                            core_error *err)
{
    if (!patients_may_access(c->who))
        return forbid(c, "patient.status", id, err);
    patient p;
    core_rc rc = load(c, id, "patient.status", &p, err);
    if (rc != CORE_OK)
        return rc;
    ins_status from;
    if (!ins_status_parse(p.identity_status, &from))
        return core_fail(err, CORE_ERROR, "status.corrupt", NULL, "Erreur interne.");
    ins_status to;
    if (downgrade_to) {
        if (!ins_status_parse(downgrade_to, &to) || !ins_status_downgrade_allowed(from, to))
            return core_fail(err, CORE_INVALID, "status.downgrade", "downgrade_to",
                             "Ce changement de statut n'est pas une rétrogradation permise.");
        if (!reason || !text_is_clean(reason, 3, 500))
            return core_fail(err, CORE_INVALID, "status.reason", "reason",
                             "Indiquez le motif de la rétrogradation (3 à 500 caractères).");
    } else {
        if ((rc = check_evidence(&p, insi, document_type, err)) != CORE_OK)
            return rc;
        if (!insi && !document_type)
            return core_fail(err, CORE_INVALID, "status.evidence", NULL,
                             "Indiquez un appel INSi réussi ou une pièce d'identité vérifiée.");
        to = ins_status_from_evidence(insi || ins_status_has_insi(from),
                                      document_type || ins_status_has_document(from));
        if (!ins_status_transition_allowed(from, to))
            return core_fail(err, CORE_INVALID, "status.transition", NULL,
                             "Ce changement de statut d'identité n'est pas permis.");
    }
    if (reason && !text_is_clean(reason, 0, 500))
        return core_fail(err, CORE_INVALID, "status.reason", "reason", "Motif invalide.");
    const char *to_code = ins_status_code(to);
    p.identity_status = to_code;
    p.updated_at = c->now_ms;
    db_conn *conn = ctx_db(c);
    db_rc drc = db_begin_write(conn);
    if (drc == DB_OK)
        drc = patient_store_update(conn, c->arena, &p, p.version);
    if (drc == DB_OK) /* ADT A31: the status decides whether the INS may be shared */
        drc = hl7_outbox_enqueue_patient(c, &p, "A31");
    if (drc == DB_OK)
        drc = patient_store_record_status(conn, c->arena, p.id, ins_status_code(from), to_code,
                                          insi, document_type, reason,
                                          c->who ? c->who->user_id : 0, c->now_ms);
    if (drc != DB_OK ||
        audit_record(c, &(audit_event){.action = "patient.status", .object_type = "patient",
                                        .object_id = id_text(c, p.id),
                                        .patient_id = id_text(c, p.id),
                                        .detail = arena_printf(c->arena, "%s -> %s",
                                                               ins_status_code(from), to_code)}) !=
            CORE_OK ||
        db_commit(conn) != DB_OK) {
        db_rollback(conn);
        if (drc == DB_NOTFOUND)
            return core_fail(err, CORE_CONFLICT, "patient.version", NULL,
                             "Ce dossier a été modifié entre-temps : recommencez.");
        return core_fail(err, CORE_ERROR, "store.error", NULL, "Erreur interne.");
    }
    p.version++;
    *out = p;
    return CORE_OK;
}

core_rc patients_status_history(ctx *c, int64_t id, status_change **out, int *n,
                                core_error *err)
{
    patient p;
    core_rc rc = patients_get(c, id, &p, err);
    if (rc != CORE_OK)
        return rc;
    if (patient_store_status_history(ctx_db(c), c->arena, p.id, out, n) != DB_OK)
        return core_fail(err, CORE_ERROR, "store.error", NULL, "Erreur interne.");
    return CORE_OK;
}

core_rc patients_add_identifier(ctx *c, int64_t id, const patient_identifier *ident,
                                core_error *err)
{
    if (!patients_may_access(c->who))
        return forbid(c, "patient.identifier", id, err);
    if (!text_is_clean(ident->system, 1, 100) || !text_is_clean(ident->value, 1, 100))
        return core_fail(err, CORE_INVALID, "identifier.invalid", "value",
                         "Un identifiant local a une autorité (system) et une valeur de 1 à 100 "
                         "caractères.");
    patient p;
    core_rc rc = load(c, id, "patient.identifier", &p, err);
    if (rc != CORE_OK)
        return rc;
    db_conn *conn = ctx_db(c);
    db_rc drc = db_begin_write(conn);
    if (drc == DB_OK)
        drc = patient_store_add_identifier(conn, c->arena, p.id, ident);
    if (drc == DB_CONSTRAINT) {
        db_rollback(conn);
        return core_fail(err, CORE_CONFLICT, "identifier.taken", "value",
                         "Cet identifiant est déjà attribué à un patient.");
    }
    if (drc != DB_OK ||
        audit_record(c, &(audit_event){.action = "patient.identifier", .object_type = "patient",
                                        .object_id = id_text(c, p.id),
                                        .patient_id = id_text(c, p.id),
                                        .detail = arena_printf(c->arena, "%s", ident->system)}) !=
            CORE_OK ||
        db_commit(conn) != DB_OK) {
        db_rollback(conn);
        return core_fail(err, CORE_ERROR, "store.error", NULL, "Erreur interne.");
    }
    return CORE_OK;
}

core_rc patients_identifiers(ctx *c, int64_t id, patient_identifier **out, int *n,
                             core_error *err)
{
    (void)err;
    if (patient_store_identifiers(ctx_db(c), c->arena, id, out, n) != DB_OK)
        return core_fail(err, CORE_ERROR, "store.error", NULL, "Erreur interne.");
    return CORE_OK;
}

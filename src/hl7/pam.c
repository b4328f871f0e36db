/* pam: dispatch of PAM FR events and the identity feed (A28, A31, A40, A47).
 *
 * Reading PID (PAM FR 2.11):
 *   PID-3   identifiers: the INS (type INS, or an assigning authority whose
 *           universal id is an INS OID) and local IPPs `value^^^AUTH&OID&ISO^PI`
 *           kept as patient_identifier(system = AUTH, else the OID);
 *   PID-5   names: type L = birth name (PID-5.2 first given name, PID-5.3 the
 *           list of birth given names), type D = used name and given name;
 *   PID-7   birth date; PID-8 sex (U/O/A/N read as I, indeterminate);
 *   PID-11  address (type H) and birthplace (type BDL: PID-11.9 = INSEE code),
 *           else PID-23; PID-13 phone / e-mail; PID-32 identity status.
 * PID-32 gives the evidence the platform records: VALI = a high-trust
 * document (recorded as CNI: the message does not say which document),
 * RECUP = INSi, QUAL = both, PROV = none. Evidence is only added: a feed
 * never lowers the status the platform holds.
 *
 * Matching (never a silent duplicate): a local identifier of the same
 * authority first, then the INS, then the traits through the duplicate
 * engine: a single strong candidate (>= IDMATCH_STRONG) gets the IPP linked;
 * a potential one (>= IDMATCH_POTENTIAL) or several equally strong ones give
 * a new record flagged for review and an AA with an ERR warning (severity W).
 * Optional data the platform refuses (a malformed phone, e-mail, address) is
 * left out rather than refusing the identity. */
#include "hl7/pam_internal.h"
#include "core/identity_review.h"
#include "core/ins.h"
#include "core/name_match.h"
#include "core/patients.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

bool pam_answer(pam_result *out, ctx *c, hl7_ack_code code, const char *seg, int field,
                int hl7_code, const char *detail)
{
    (void)c;
    out->code = code;
    out->has_error = true;
    out->error = (hl7_ack_error){.segment_id = seg,
                                 .segment_seq = seg ? 1 : 0,
                                 .field = field,
                                 .code = hl7_code,
                                 .severity = code == HL7_ACK_AA ? 'W' : 'E',
                                 .user_message = detail};
    out->detail = detail;
    return code == HL7_ACK_AA;
}

static bool internal_error(pam_result *out, ctx *c, const char *what)
{
    return pam_answer(out, c, HL7_ACK_AR, NULL, 0, HL7_E_APPLICATION_INTERNAL,
                      arena_printf(c->arena,
                                   "Erreur interne de la plateforme (%s) : message à "
                                   "renvoyer.",
                                   what));
}

/* ---- dates ---------------------------------------------------------------- */

static bool digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

/* Splits a TS: date and time fields, the number of date/time digits read,
 * and the zone offset in minutes (has_zone false when none). */
static bool ts_split(const char *s, struct tm *tm, int *ndigits, bool *has_zone, int *zone_min)
{
    int y, mo, d, h = 0, mi = 0, sec = 0;
    size_t n = strspn(s, "0123456789");
    if (n < 8 || !digits(s, 4, &y) || !digits(s + 4, 2, &mo) || !digits(s + 6, 2, &d))
        return false;
    if (n >= 10 && !digits(s + 8, 2, &h))
        return false;
    if (n >= 12 && !digits(s + 10, 2, &mi))
        return false;
    if (n >= 14 && !digits(s + 12, 2, &sec))
        return false;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 || y < 1800)
        return false;
    const char *p = s + n;
    if (*p == '.')
        p += 1 + strspn(p + 1, "0123456789");
    *has_zone = false;
    *zone_min = 0;
    int zh, zm;
    if ((*p == '+' || *p == '-') && digits(p + 1, 2, &zh) && digits(p + 3, 2, &zm)) {
        *has_zone = true;
        *zone_min = (zh * 60 + zm) * (*p == '-' ? -1 : 1);
    }
    memset(tm, 0, sizeof *tm);
    tm->tm_year = y - 1900;
    tm->tm_mon = mo - 1;
    tm->tm_mday = d;
    tm->tm_hour = h;
    tm->tm_min = mi;
    tm->tm_sec = sec;
    tm->tm_isdst = -1;
    *ndigits = (int)n;
    return true;
}

bool pam_ts_ms(const char *s, int64_t *ms)
{
    struct tm tm;
    int n, zone;
    bool has_zone;
    if (!s || !ts_split(s, &tm, &n, &has_zone, &zone))
        return false;
    time_t t = timegm(&tm);
    if (t == (time_t)-1)
        return false;
    if (has_zone) {
        t -= (time_t)zone * 60;
    } else {
        /* local time without mktime(), which re-reads the zone file on every
         * call: the offset at that instant, checked once across a DST change */
        struct tm lt;
        time_t guess = t;
        if (!localtime_r(&guess, &lt))
            return false;
        t = guess - lt.tm_gmtoff;
        if (localtime_r(&t, &lt) && guess - lt.tm_gmtoff != t)
            t = guess - lt.tm_gmtoff;
    }
    *ms = (int64_t)t * 1000;
    return true;
}

const char *pam_ts_display(arena *a, const char *s)
{
    struct tm tm;
    int n, zone;
    bool has_zone;
    if (!s || !ts_split(s, &tm, &n, &has_zone, &zone))
        return NULL;
    if (n >= 12)
        return arena_printf(a, "%02d/%02d/%04d %02d:%02d", tm.tm_mday, tm.tm_mon + 1,
                            tm.tm_year + 1900, tm.tm_hour, tm.tm_min);
    return arena_printf(a, "%02d/%02d/%04d", tm.tm_mday, tm.tm_mon + 1, tm.tm_year + 1900);
}

/* ---- reading PID ------------------------------------------------------------ */

typedef struct pam_identity {
    patient_input in;
    bool has_traits; /* a birth name, or a birth date, or a sex was given */
    bool insi, document;
    const char *status; /* PID-32 as sent (PROV, RECUP, VALI, QUAL) or NULL */
} pam_identity;

static const char *nonempty(const char *s)
{
    return s && *s ? s : NULL;
}

/* CX repetitions of seg-field: the INS and the local identifiers (PI). */
static void read_identifiers(const hl7_segment *s, int field, pam_identity *id)
{
    int reps = hl7_rep_count(s, field);
    for (int r = 1; r <= reps; r++) {
        const char *value = hl7_segment_get(s, field, r, 1, 1);
        const char *type = hl7_segment_get(s, field, r, 5, 1);
        const char *ns = hl7_segment_get(s, field, r, 4, 1);
        const char *oid = hl7_segment_get(s, field, r, 4, 2);
        if (!*value)
            continue;
        if (strcmp(type, "INS") == 0 || ins_oid_kind(oid) != INS_SYSTEM_UNKNOWN) {
            if (!id->in.ins_value) {
                id->in.ins_value = value;
                id->in.ins_oid = nonempty(oid);
            }
        } else if ((!*type || strcmp(type, "PI") == 0) && (*ns || *oid) &&
                   id->in.nidentifiers < PATIENT_MAX_IDENTIFIERS) {
            id->in.identifiers[id->in.nidentifiers++] =
                (patient_identifier){.system = *ns ? ns : oid, .value = value, .type = "PI"};
        }
    }
}

/* The birth given names: PID-5.3 (commas read as spaces) when given, with
 * PID-5.2 in front unless it already opens the list. */
static const char *given_list(ctx *c, const char *first, const char *list)
{
    char *l = arena_strdup(c->arena, list);
    for (char *p = l; *p; p++)
        if (*p == ',')
            *p = ' ';
    /* collapse runs of spaces */
    char *w = l;
    for (const char *p = l; *p; p++)
        if (*p != ' ' || (w > l && w[-1] != ' '))
            *w++ = *p;
    while (w > l && w[-1] == ' ')
        w--;
    *w = '\0';
    if (!*l)
        return nonempty(first);
    if (!*first)
        return l;
    size_t n = strlen(first);
    char a[NM_NORM_SIZE], b[NM_NORM_SIZE];
    size_t head = strcspn(l, " ");
    char *word = arena_strndup(c->arena, l, head);
    if ((strncmp(l, first, n) == 0 && (l[n] == ' ' || !l[n])) ||
        (nm_normalize(first, a, sizeof a) == NM_OK && nm_normalize(word, b, sizeof b) == NM_OK &&
         strcmp(a, b) == 0))
        return l;
    return arena_printf(c->arena, "%s %s", first, l);
}

static const char *birth_date_of(ctx *c, const char *ts)
{
    size_t n = strspn(ts, "0123456789");
    if (n >= 8)
        return arena_printf(c->arena, "%.4s-%.2s-%.2s", ts, ts + 4, ts + 6);
    if (n == 6 && !ts[6])
        return arena_printf(c->arena, "%.4s-%.2s", ts, ts + 4);
    if (n == 4 && !ts[4])
        return arena_strdup(c->arena, ts);
    return nonempty(ts); /* refused by validation, reported at PID-7 */
}

static void read_pid(ctx *c, const hl7_segment *pid, pam_identity *id)
{
    memset(id, 0, sizeof *id);
    read_identifiers(pid, 3, id);
    int reps = hl7_rep_count(pid, 5);
    for (int r = 1; r <= reps; r++) {
        const char *type = hl7_segment_get(pid, 5, r, 7, 1);
        const char *family = hl7_segment_get(pid, 5, r, 1, 1);
        const char *first = hl7_segment_get(pid, 5, r, 2, 1);
        if ((strcmp(type, "L") == 0 || (!*type && !id->in.birth_family_name)) && *family) {
            id->in.birth_family_name = family;
            id->in.birth_given_names = given_list(c, first, hl7_segment_get(pid, 5, r, 3, 1));
        } else if (strcmp(type, "D") == 0) {
            id->in.used_family_name = nonempty(family);
            id->in.used_given_name = nonempty(first);
        }
    }
    const char *dob = hl7_segment_get(pid, 7, 1, 1, 1);
    if (*dob)
        id->in.birth_date = birth_date_of(c, dob);
    const char *sex = hl7_segment_get(pid, 8, 1, 1, 1);
    if (strcmp(sex, "M") == 0 || strcmp(sex, "F") == 0)
        id->in.sex = sex;
    else if (*sex)
        id->in.sex = "I";
    int naddr = hl7_rep_count(pid, 11);
    for (int r = 1; r <= naddr; r++) {
        const char *type = hl7_segment_get(pid, 11, r, 7, 1);
        if (strcmp(type, "BDL") == 0) {
            id->in.birthplace_code = nonempty(hl7_segment_get(pid, 11, r, 9, 1));
            id->in.birth_country = nonempty(hl7_segment_get(pid, 11, r, 6, 1));
        } else if (!id->in.city && !id->in.postcode && !id->in.address_line) {
            id->in.address_line = nonempty(hl7_segment_get(pid, 11, r, 1, 1));
            id->in.city = nonempty(hl7_segment_get(pid, 11, r, 3, 1));
            id->in.postcode = nonempty(hl7_segment_get(pid, 11, r, 5, 1));
            id->in.country = nonempty(hl7_segment_get(pid, 11, r, 6, 1));
        }
    }
    if (!id->in.birthplace_code && strlen(hl7_segment_get(pid, 23, 1, 1, 1)) == 5)
        id->in.birthplace_code = hl7_segment_get(pid, 23, 1, 1, 1);
    int ntel = hl7_rep_count(pid, 13);
    for (int r = 1; r <= ntel; r++) {
        const char *use = hl7_segment_get(pid, 13, r, 2, 1);
        const char *kind = hl7_segment_get(pid, 13, r, 3, 1);
        if (strcmp(use, "NET") == 0 || strcasecmp(kind, "Internet") == 0) {
            if (!id->in.email)
                id->in.email = nonempty(hl7_segment_get(pid, 13, r, 4, 1));
            continue;
        }
        const char *num = hl7_segment_get(pid, 13, r, 1, 1);
        if (!*num)
            num = hl7_segment_get(pid, 13, r, 12, 1);
        if (*num && !id->in.phone)
            id->in.phone = num;
        else if (*num && !id->in.phone2)
            id->in.phone2 = num;
    }
    int nst = hl7_rep_count(pid, 32);
    for (int r = 1; r <= nst && !id->status; r++) {
        const char *st = hl7_segment_get(pid, 32, r, 1, 1);
        ins_status s;
        if (ins_status_parse(st, &s)) {
            id->status = st;
            id->insi = ins_status_has_insi(s);
            id->document = ins_status_has_document(s);
        }
    }
    if (id->document)
        id->in.document_type = "CNI";
    id->in.insi = id->insi;
    id->has_traits = id->in.birth_family_name || id->in.birth_date || id->in.sex;
}

/* HL7 location of a patient_input field named in a core_error. */
static int pid_field_of(const char *field)
{
    static const struct {
        const char *prefix;
        int field;
    } map[] = {{"birth_family_name", 5},
               {"used_family_name", 5},
               {"birth_given_names", 5},
               {"used_given_name", 5},
               {"sex", 8},
               {"birth_date", 7},
               {"birthplace_code", 11},
               {"birth_country", 11},
               {"ins", 3},
               {"identifiers", 3},
               {"insi", 32},
               {"document_type", 32},
               {"phone", 13},
               {"email", 13},
               {"address_line", 11},
               {"postcode", 11},
               {"city", 11},
               {"country", 11}};
    for (size_t i = 0; field && i < sizeof map / sizeof map[0]; i++)
        if (strncmp(field, map[i].prefix, strlen(map[i].prefix)) == 0)
            return map[i].field;
    return 0;
}

/* Maps a core refusal to AE (content) or AR (platform failure). */
static bool core_answer(pam_result *out, ctx *c, core_rc rc, const core_error *err, const char *seg)
{
    if (rc == CORE_ERROR || rc == CORE_FORBIDDEN || rc == CORE_UNAUTHENTICATED ||
        rc == CORE_THROTTLED)
        return internal_error(out, c, err && err->code ? err->code : "core");
    int code = rc == CORE_CONFLICT   ? HL7_E_DUPLICATE_KEY_IDENTIFIER
               : rc == CORE_NOTFOUND ? HL7_E_UNKNOWN_KEY_IDENTIFIER
                                     : HL7_E_DATA_TYPE;
    int field = strcmp(seg, "PID") == 0 ? pid_field_of(err ? err->field : NULL) : 1;
    return pam_answer(out, c, HL7_ACK_AE, seg, field, code,
                      arena_printf(c->arena, "%s (%s)",
                                   err && err->message ? err->message : "refusé",
                                   err && err->code ? err->code : "invalid"));
}

/* Validates the identity for core, leaving out optional data that would be
 * refused (with a note in *dropped). */
static core_rc validate(ctx *c, pam_identity *id, bool creating, core_error *err,
                        const char **dropped)
{
    for (int tries = 0; tries < 12; tries++) {
        core_rc rc = patients_validate(&id->in, creating, err);
        if (rc != CORE_INVALID || !err->field)
            return rc;
        const char **slot = NULL;
        const char *f = err->field;
        if (strcmp(f, "phone") == 0)
            slot = &id->in.phone;
        else if (strcmp(f, "phone2") == 0)
            slot = &id->in.phone2;
        else if (strcmp(f, "email") == 0)
            slot = &id->in.email;
        else if (strcmp(f, "address_line") == 0)
            slot = &id->in.address_line;
        else if (strcmp(f, "postcode") == 0)
            slot = &id->in.postcode;
        else if (strcmp(f, "city") == 0)
            slot = &id->in.city;
        else if (strcmp(f, "country") == 0)
            slot = &id->in.country;
        else if (strcmp(f, "birth_country") == 0)
            slot = &id->in.birth_country;
        else if (strcmp(f, "used_family_name") == 0)
            slot = &id->in.used_family_name;
        else if (strcmp(f, "used_given_name") == 0)
            slot = &id->in.used_given_name;
        if (!slot || !*slot)
            return rc;
        *slot = NULL;
        *dropped = *dropped ? arena_printf(c->arena, "%s, %s", *dropped, f) : f;
    }
    return CORE_INVALID;
}

/* ---- finding and creating the record ------------------------------------- */

/* CORE_OK with the survivor in *out, CORE_NOTFOUND, or CORE_ERROR. */
static core_rc search_one(ctx *c, const patient_query *q, patient *out)
{
    patient_hit *hits;
    int n = 0;
    bool more;
    core_error err = {0};
    core_rc rc = review_search(c, q, &hits, &n, &more, &err);
    if (rc == CORE_INVALID || (rc == CORE_OK && n == 0))
        return CORE_NOTFOUND;
    if (rc != CORE_OK)
        return CORE_ERROR;
    *out = hits[0].p;
    return CORE_OK;
}

static core_rc by_identifier(ctx *c, const patient_identifier *ident, patient *out)
{
    patient_query q = {
        .identifier_system = ident->system, .identifier_value = ident->value, .limit = 1};
    return search_one(c, &q, out);
}

/* Identifiers first, then the INS. *owner[i] is the record holding
 * identifier i (0 = none). */
static core_rc locate(ctx *c, const pam_identity *id, patient *p, int64_t owner[])
{
    core_rc found = CORE_NOTFOUND;
    for (int i = 0; i < id->in.nidentifiers; i++) {
        patient q;
        core_rc rc = by_identifier(c, &id->in.identifiers[i], &q);
        if (rc == CORE_ERROR)
            return rc;
        owner[i] = rc == CORE_OK ? q.id : 0;
        if (rc == CORE_OK && found != CORE_OK) {
            *p = q;
            found = CORE_OK;
        }
    }
    if (found == CORE_OK || !id->in.ins_value)
        return found;
    patient_query q = {.ins = id->in.ins_value, .limit = 1};
    return search_one(c, &q, p);
}

/* Gives p the identifiers it lacks; one held by another record is an AE. */
static bool link_identifiers(ctx *c, const pam_identity *id, const int64_t owner[], int64_t pid,
                             pam_result *out)
{
    for (int i = 0; i < id->in.nidentifiers; i++) {
        if (owner[i] == pid)
            continue;
        if (owner[i])
            return pam_answer(out, c, HL7_ACK_AE, "PID", 3, HL7_E_DUPLICATE_KEY_IDENTIFIER,
                              arena_printf(c->arena,
                                           "L'identifiant %s (%s) désigne un autre patient que "
                                           "les autres identifiants du message.",
                                           id->in.identifiers[i].value,
                                           id->in.identifiers[i].system));
        core_error err = {0};
        core_rc rc = patients_add_identifier(c, pid, &id->in.identifiers[i], &err);
        if (rc != CORE_OK)
            return core_answer(out, c, rc, &err, "PID");
    }
    return true;
}

static bool create_patient(ctx *c, pam_identity *id, int64_t *pid, pam_result *out)
{
    const char *dropped = NULL;
    core_error err = {0};
    core_rc rc = validate(c, id, true, &err, &dropped);
    if (rc != CORE_OK)
        return core_answer(out, c, rc, &err, "PID");
    patient p;
    duplicate_hit *dups = NULL;
    int ndups = 0;
    rc = patients_create(c, &id->in, &p, &dups, &ndups, &err);
    if (rc == CORE_CONFLICT && err.code && strcmp(err.code, "patient.possible_duplicate") == 0) {
        bool single = ndups == 1 || dups[1].match.score < dups[0].match.score;
        if (single) {
            /* a strong match: the same person, known under another identifier */
            int64_t owner[PATIENT_MAX_IDENTIFIERS] = {0};
            *pid = dups[0].candidate.id;
            return link_identifiers(c, id, owner, *pid, out);
        }
        id->in.confirm_duplicate = true; /* equally strong candidates: a human decides */
        rc = patients_create(c, &id->in, &p, &dups, &ndups, &err);
    }
    if (rc == CORE_CONFLICT && err.code && strcmp(err.code, "ins.taken") == 0 && ndups > 0) {
        int64_t owner[PATIENT_MAX_IDENTIFIERS] = {0};
        *pid = dups[0].candidate.id;
        return link_identifiers(c, id, owner, *pid, out);
    }
    if (rc != CORE_OK)
        return core_answer(out, c, rc, &err, "PID");
    *pid = p.id;
    if (ndups > 0)
        return pam_answer(out, c, HL7_ACK_AA, "PID", 0, 0,
                          arena_printf(c->arena,
                                       "Identité créée (patient %lld) et signalée comme doublon "
                                       "potentiel du patient %lld (score %d) pour vérification "
                                       "par la cellule d'identitovigilance.",
                                       (long long)p.id, (long long)dups[0].candidate.id,
                                       dups[0].match.score));
    if (dropped)
        return pam_answer(out, c, HL7_ACK_AA, "PID", 0, 0,
                          arena_printf(c->arena, "Données ignorées car invalides : %s.", dropped));
    return true;
}

/* Finds or creates the record of id; *created tells which. */
static bool find_or_create(ctx *c, pam_identity *id, patient *p, bool *found_by_id, int64_t *pid,
                           pam_result *out)
{
    int64_t owner[PATIENT_MAX_IDENTIFIERS] = {0};
    core_rc rc = locate(c, id, p, owner);
    if (rc == CORE_ERROR)
        return internal_error(out, c, "recherche du patient");
    *found_by_id = rc == CORE_OK;
    if (rc == CORE_OK) {
        *pid = p->id;
        return link_identifiers(c, id, owner, p->id, out);
    }
    if (!id->has_traits && id->in.nidentifiers == 0 && !id->in.ins_value)
        return pam_answer(out, c, HL7_ACK_AE, "PID", 3, HL7_E_REQUIRED_FIELD_MISSING,
                          "Ni identifiant (PID-3) ni traits d'identité (PID-5, PID-7, PID-8).");
    return create_patient(c, id, pid, out);
}

bool pam_patient_of(ctx *c, const hl7_message *m, int64_t *patient_id, pam_result *out)
{
    const hl7_segment *seg = hl7_find_segment(m, "PID", 1);
    if (!seg)
        return pam_answer(out, c, HL7_ACK_AE, "PID", 0, HL7_E_SEGMENT_SEQUENCE,
                          "Segment PID absent.");
    pam_identity id;
    read_pid(c, seg, &id);
    patient p;
    bool found;
    return find_or_create(c, &id, &p, &found, patient_id, out);
}

/* ---- A28 / A31: identity feed ------------------------------------------- */

static bool name_differs(const char *incoming, const char *current)
{
    if (!current)
        return true;
    char a[NM_NORM_SIZE], b[NM_NORM_SIZE];
    if (nm_normalize(incoming, a, sizeof a) == NM_OK && nm_normalize(current, b, sizeof b) == NM_OK)
        return strcmp(a, b) != 0;
    return strcmp(incoming, current) != 0;
}

static bool text_differs(const char *incoming, const char *current)
{
    return !current || strcmp(incoming, current) != 0;
}

/* Applies the traits and evidence of id to the existing record p. Only what
 * differs is sent to core (a name differing in case or accents only is the
 * same name), so a repeated A31 changes nothing. */
static bool update_identity(ctx *c, pam_identity *id, patient *p, pam_result *out)
{
    const char *dropped = NULL;
    core_error err = {0};
    core_rc rc = validate(c, id, false, &err, &dropped);
    if (rc != CORE_OK)
        return core_answer(out, c, rc, &err, "PID");
    patient_input up = {0};
    bool changed = false;
#define NAME(f)                                                                                    \
    if (id->in.f && name_differs(id->in.f, p->f)) {                                                \
        up.f = id->in.f;                                                                           \
        changed = true;                                                                            \
    }
#define TEXT(f)                                                                                    \
    if (id->in.f && text_differs(id->in.f, p->f)) {                                                \
        up.f = id->in.f;                                                                           \
        changed = true;                                                                            \
    }
    NAME(birth_family_name)
    NAME(used_family_name)
    NAME(birth_given_names)
    NAME(used_given_name)
    TEXT(sex)
    TEXT(birth_date)
    TEXT(birthplace_code)
    TEXT(birth_country)
    TEXT(address_line)
    TEXT(postcode)
    TEXT(city)
    TEXT(country)
    TEXT(phone)
    TEXT(phone2)
    TEXT(email)
#undef NAME
#undef TEXT
    if (id->in.ins_value && text_differs(id->in.ins_value, p->ins_value)) {
        up.ins_value = id->in.ins_value;
        up.ins_oid = id->in.ins_oid;
        changed = true;
    }
    if (changed) {
        patient np;
        rc = patients_update(c, p->id, p->version, &up, &np, &err);
        if (rc != CORE_OK)
            return core_answer(out, c, rc, &err, "PID");
        *p = np;
    }
    ins_status cur;
    if (!ins_status_parse(p->identity_status, &cur))
        return internal_error(out, c, "statut d'identité");
    bool add_insi = id->insi && !ins_status_has_insi(cur);
    bool add_doc = id->document && !ins_status_has_document(cur);
    if (add_insi || add_doc) {
        patient np;
        rc = patients_set_status(c, p->id, add_insi, add_doc ? id->in.document_type : NULL, NULL,
                                 NULL, &np, &err);
        if (rc != CORE_OK)
            return core_answer(out, c, rc, &err, "PID");
        *p = np;
    }
    if (dropped)
        return pam_answer(out, c, HL7_ACK_AA, "PID", 0, 0,
                          arena_printf(c->arena, "Données ignorées car invalides : %s.", dropped));
    return true;
}

static bool apply_identity_feed(ctx *c, const hl7_message *m, pam_result *out)
{
    const hl7_segment *seg = hl7_find_segment(m, "PID", 1);
    if (!seg)
        return pam_answer(out, c, HL7_ACK_AE, "PID", 0, HL7_E_SEGMENT_SEQUENCE,
                          "Segment PID absent.");
    pam_identity id;
    read_pid(c, seg, &id);
    if (id.in.ins_value) {
        /* an INS is checked even when the record is found by its IPP */
        char sex = id.in.sex && (id.in.sex[0] == 'M' || id.in.sex[0] == 'F') ? id.in.sex[0] : 0;
        ins_error ie;
        if (ins_check(id.in.ins_value, sex, &ie) != INS_OK ||
            ins_oid_kind(id.in.ins_oid) == INS_SYSTEM_UNKNOWN)
            return pam_answer(out, c, HL7_ACK_AE, "PID", 3, HL7_E_DATA_TYPE,
                              arena_printf(c->arena, "INS invalide (%s) : %s",
                                           ins_oid_kind(id.in.ins_oid) == INS_SYSTEM_UNKNOWN &&
                                                   ie.result == INS_OK
                                               ? "ins.oid"
                                               : ie.code,
                                           ie.result == INS_OK ? "OID inconnu" : ie.message));
    }
    patient p;
    bool found = false;
    int64_t pid = 0;
    if (!find_or_create(c, &id, &p, &found, &pid, out))
        return false;
    out->patient_id = pid;
    if (!found)
        return true; /* created (or linked to a strong match: its traits stay) */
    pam_result warn = *out;
    if (!update_identity(c, &id, &p, out))
        return false;
    if (warn.has_error && !out->has_error)
        *out = warn;
    return true;
}

/* ---- A40 / A47 ------------------------------------------------------------- */

/* The record MRG-1 designates: CORE_OK, CORE_NOTFOUND or CORE_ERROR. */
static core_rc merged_record(ctx *c, const hl7_segment *mrg, patient *p)
{
    pam_identity old;
    memset(&old, 0, sizeof old);
    read_identifiers(mrg, 1, &old);
    int64_t owner[PATIENT_MAX_IDENTIFIERS] = {0};
    return locate(c, &old, p, owner);
}

static bool apply_merge(ctx *c, const hl7_message *m, pam_result *out)
{
    const hl7_segment *mrg = hl7_find_segment(m, "MRG", 1);
    if (!mrg)
        return pam_answer(out, c, HL7_ACK_AE, "MRG", 0, HL7_E_SEGMENT_SEQUENCE,
                          "Segment MRG absent : le dossier absorbé n'est pas désigné.");
    int64_t survivor;
    if (!pam_patient_of(c, m, &survivor, out))
        return false;
    out->patient_id = survivor;
    patient merged;
    core_rc rc = merged_record(c, mrg, &merged);
    if (rc == CORE_ERROR)
        return internal_error(out, c, "recherche du dossier absorbé");
    if (rc == CORE_NOTFOUND)
        return pam_answer(out, c, HL7_ACK_AE, "MRG", 1, HL7_E_UNKNOWN_KEY_IDENTIFIER,
                          "Dossier absorbé inconnu (MRG-1).");
    if (merged.id == survivor)
        return true; /* already merged: a repeated A40 is a no-op */
    core_error err = {0};
    const char *facility = hl7_msh(m)->sending_facility;
    rc = review_merge(c, survivor, merged.id,
                      arena_printf(c->arena, "fusion HL7 A40 de %s", *facility ? facility : "?"),
                      &err);
    if (rc != CORE_OK)
        return core_answer(out, c, rc, &err, "MRG");
    return true;
}

static bool apply_identifier_change(ctx *c, const hl7_message *m, pam_result *out)
{
    const hl7_segment *mrg = hl7_find_segment(m, "MRG", 1);
    const hl7_segment *seg = hl7_find_segment(m, "PID", 1);
    if (!mrg || !seg)
        return pam_answer(out, c, HL7_ACK_AE, mrg ? "PID" : "MRG", 0, HL7_E_SEGMENT_SEQUENCE,
                          "A47 : segments PID (nouvel identifiant) et MRG (ancien) attendus.");
    patient p;
    core_rc rc = merged_record(c, mrg, &p);
    if (rc == CORE_ERROR)
        return internal_error(out, c, "recherche de l'ancien identifiant");
    if (rc == CORE_NOTFOUND)
        return pam_answer(out, c, HL7_ACK_AE, "MRG", 1, HL7_E_UNKNOWN_KEY_IDENTIFIER,
                          "Ancien identifiant inconnu (MRG-1).");
    pam_identity id;
    read_pid(c, seg, &id);
    if (id.in.nidentifiers == 0)
        return pam_answer(out, c, HL7_ACK_AE, "PID", 3, HL7_E_REQUIRED_FIELD_MISSING,
                          "Nouvel identifiant absent (PID-3).");
    int64_t owner[PATIENT_MAX_IDENTIFIERS] = {0};
    for (int i = 0; i < id.in.nidentifiers; i++) {
        patient q;
        rc = by_identifier(c, &id.in.identifiers[i], &q);
        if (rc == CORE_ERROR)
            return internal_error(out, c, "recherche du nouvel identifiant");
        owner[i] = rc == CORE_OK ? q.id : 0;
    }
    out->patient_id = p.id;
    return link_identifiers(c, &id, owner, p.id, out);
}

/* ---- dispatch ---------------------------------------------------------------- */

typedef enum { EV_IDENTITY, EV_MERGE, EV_CHANGE_ID, EV_MOVEMENT } event_kind;

static const struct {
    const char *trigger;
    event_kind kind;
} events[] = {
    {"A28", EV_IDENTITY}, {"A31", EV_IDENTITY}, {"A40", EV_MERGE},    {"A47", EV_CHANGE_ID},
    {"A01", EV_MOVEMENT}, {"A02", EV_MOVEMENT}, {"A03", EV_MOVEMENT}, {"A04", EV_MOVEMENT},
    {"A11", EV_MOVEMENT}, {"A12", EV_MOVEMENT}, {"A13", EV_MOVEMENT}, {"A21", EV_MOVEMENT},
    {"A22", EV_MOVEMENT}, {"A52", EV_MOVEMENT}, {"A53", EV_MOVEMENT}, {"Z99", EV_MOVEMENT},
};

void pam_apply(ctx *c, const pam_config *cfg, const hl7_message *m, pam_result *out)
{
    memset(out, 0, sizeof *out);
    out->code = HL7_ACK_AA;
    const hl7_header *h = hl7_msh(m);
    if (strcmp(h->message_type, "ADT") != 0) {
        pam_answer(out, c, HL7_ACK_AR, "MSH", 9, HL7_E_UNSUPPORTED_MESSAGE_TYPE,
                   arena_printf(c->arena, "Type de message non pris en charge : %s (ADT attendu).",
                                *h->message_type ? h->message_type : "vide"));
        return;
    }
    int k = -1;
    for (int i = 0; i < (int)(sizeof events / sizeof events[0]) && k < 0; i++)
        if (strcmp(events[i].trigger, h->trigger) == 0)
            k = i;
    if (k < 0) {
        pam_answer(out, c, HL7_ACK_AR, "MSH", 9, HL7_E_UNSUPPORTED_EVENT_CODE,
                   arena_printf(c->arena, "Événement non pris en charge : %s.",
                                *h->trigger ? h->trigger : "vide"));
        return;
    }
    switch (events[k].kind) {
    case EV_IDENTITY:
        apply_identity_feed(c, m, out);
        return;
    case EV_MERGE:
        apply_merge(c, m, out);
        return;
    case EV_CHANGE_ID:
        apply_identifier_change(c, m, out);
        return;
    case EV_MOVEMENT: {
        int64_t pid;
        if (!pam_patient_of(c, m, &pid, out))
            return;
        out->patient_id = pid;
        pam_result warn = *out;
        if (pam_apply_movement(c, cfg, m, pid, out) && warn.has_error && !out->has_error)
            *out = warn;
        return;
    }
    }
}

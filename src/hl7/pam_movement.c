/* pam_movement: hospital movements (PAM FR) and the "rupture de parcours"
 * check after a discharge.
 *
 * ZBE is read tolerantly: ZBE-1 movement id (ZBE-1.2 the facility's name),
 * ZBE-2 date, ZBE-4 action INSERT/UPDATE/CANCEL, ZBE-5 historic flag, ZBE-6
 * original trigger (Z99), ZBE-7/8 medical/care unit. Some senders put an end
 * date in ZBE-3 and shift what follows by one (the ANS A03 example has the
 * action in ZBE-5): when ZBE-4 is not an action and ZBE-5 is, every later
 * field is read one further. The unit is ZBE-8, else ZBE-7, else PV1-3.1.
 *
 * Journal entries: a movement of a patient who has a care circle becomes a
 * note (type INST, source "hl7", visibility professionals, signed by the
 * "hl7" system account; urgent for an emergency admission), which notifies
 * the circle (journal_create). A cancellation (A11, A12, A13, A52, A53) or an
 * update (Z99) never rewrites that note: it adds a reply stating the
 * cancellation or the corrected movement, so the journal keeps what was
 * announced and when. Historic movements (ZBE-5 = Y) are stored without a
 * note or a rupture check. */
#include "hl7/pam_internal.h"
#include "core/circle.h"
#include "core/journal.h"
#include "core/notify.h"
#include "store/hl7_store.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

typedef enum { ACT_INSERT, ACT_UPDATE, ACT_CANCEL } movement_action;

typedef struct movement {
    const char *trigger;
    movement_action action;
    const char *cancels[2]; /* events a cancellation may target */
    const char *original;   /* Z99: ZBE-6, the trigger of the movement updated */
    const char *movement_id;
    const char *facility;      /* key: MSH-4.1, else MSH-3.1 */
    const char *facility_name; /* for people: ZBE-1.2, PV1-3.4, else the key */
    const char *unit;
    const char *patient_class;
    const char *visit;
    const char *ts; /* the movement's date as sent */
    int64_t at;
    bool historic;
} movement;

static bool is_action(const char *s)
{
    return strcmp(s, "INSERT") == 0 || strcmp(s, "UPDATE") == 0 || strcmp(s, "CANCEL") == 0;
}

static const char *first_of(const char *a, const char *b, const char *c)
{
    return *a ? a : *b ? b : *c ? c : NULL;
}

static bool read_movement(ctx *c, const hl7_message *m, movement *mv, pam_result *out)
{
    const hl7_header *h = hl7_msh(m);
    memset(mv, 0, sizeof *mv);
    mv->trigger = h->trigger;
    static const struct {
        const char *trigger, *a, *b;
    } cancels[] = {{"A11", "A01", "A04"},
                   {"A12", "A02", NULL},
                   {"A13", "A03", NULL},
                   {"A52", "A21", NULL},
                   {"A53", "A22", NULL}};
    for (size_t i = 0; i < sizeof cancels / sizeof cancels[0]; i++)
        if (strcmp(h->trigger, cancels[i].trigger) == 0) {
            mv->action = ACT_CANCEL;
            mv->cancels[0] = cancels[i].a;
            mv->cancels[1] = cancels[i].b;
        }
    if (strcmp(h->trigger, "Z99") == 0)
        mv->action = ACT_UPDATE;
    const hl7_segment *zbe = hl7_find_segment(m, "ZBE", 1);
    const hl7_segment *pv1 = hl7_find_segment(m, "PV1", 1);
    const hl7_segment *evn = hl7_find_segment(m, "EVN", 1);
    int shift = 0;
    if (zbe && !is_action(hl7_segment_get(zbe, 4, 1, 1, 1)) &&
        is_action(hl7_segment_get(zbe, 5, 1, 1, 1)))
        shift = 1;
    const char *none = "";
    mv->movement_id =
        zbe && *hl7_segment_get(zbe, 1, 1, 1, 1) ? hl7_segment_get(zbe, 1, 1, 1, 1) : NULL;
    mv->historic = zbe && strcmp(hl7_segment_get(zbe, 5 + shift, 1, 1, 1), "Y") == 0;
    mv->original = zbe ? hl7_segment_get(zbe, 6 + shift, 1, 1, 1) : none;
    mv->facility = *h->sending_facility ? h->sending_facility : h->sending_app;
    mv->facility_name = first_of(zbe ? hl7_segment_get(zbe, 1, 1, 2, 1) : none,
                                 pv1 ? hl7_segment_get(pv1, 3, 1, 4, 1) : none, mv->facility);
    if (!mv->facility_name)
        mv->facility_name = "établissement non précisé";
    mv->unit = first_of(zbe ? hl7_segment_get(zbe, 8 + shift, 1, 1, 1) : none,
                        zbe ? hl7_segment_get(zbe, 7 + shift, 1, 1, 1) : none,
                        pv1 ? hl7_segment_get(pv1, 3, 1, 1, 1) : none);
    mv->patient_class =
        pv1 && *hl7_segment_get(pv1, 2, 1, 1, 1) ? hl7_segment_get(pv1, 2, 1, 1, 1) : NULL;
    mv->visit =
        pv1 && *hl7_segment_get(pv1, 19, 1, 1, 1) ? hl7_segment_get(pv1, 19, 1, 1, 1) : NULL;
    const char *discharge =
        strcmp(h->trigger, "A03") == 0 && pv1 ? hl7_segment_get(pv1, 45, 1, 1, 1) : none;
    const char *candidates[] = {discharge, zbe ? hl7_segment_get(zbe, 2, 1, 1, 1) : none,
                                evn ? hl7_segment_get(evn, 6, 1, 1, 1) : none,
                                evn ? hl7_segment_get(evn, 2, 1, 1, 1) : none, h->timestamp};
    for (size_t i = 0; i < sizeof candidates / sizeof candidates[0] && !mv->ts; i++)
        if (*candidates[i] && pam_ts_ms(candidates[i], &mv->at))
            mv->ts = candidates[i];
    if (!mv->ts)
        return pam_answer(out, c, HL7_ACK_AE, "ZBE", 2, HL7_E_REQUIRED_FIELD_MISSING,
                          "Date du mouvement absente ou invalide (ZBE-2, EVN-6, EVN-2, MSH-7).");
    if (!*mv->facility)
        return pam_answer(out, c, HL7_ACK_AE, "MSH", 4, HL7_E_REQUIRED_FIELD_MISSING,
                          "Établissement émetteur absent (MSH-4).");
    return true;
}

/* ---- journal texts -------------------------------------------------------- */

static bool emergency(const char *patient_class, const char *unit)
{
    return (patient_class && strcmp(patient_class, "E") == 0) ||
           (unit && (strstr(unit, "rgence") || strstr(unit, "RGENCE")));
}

static const char *label(const char *event, bool urgent)
{
    if (strcmp(event, "A01") == 0)
        return urgent ? "Admission aux urgences" : "Admission en hospitalisation";
    if (strcmp(event, "A04") == 0)
        return urgent ? "Passage aux urgences" : "Venue en consultation externe";
    if (strcmp(event, "A02") == 0)
        return "Transfert";
    if (strcmp(event, "A03") == 0)
        return urgent ? "Sortie des urgences" : "Sortie d'hospitalisation";
    if (strcmp(event, "A21") == 0)
        return "Départ en permission (absence temporaire)";
    if (strcmp(event, "A22") == 0)
        return "Retour de permission";
    return "Mouvement";
}

/* "Admission aux urgences, Urgences, CHU-X, 06/03/2024 11:00". */
static const char *movement_text(ctx *c, const char *event, const char *patient_class,
                                 const char *unit, const char *facility, const char *when)
{
    bool urgent = emergency(patient_class, unit);
    const char *sep = strcmp(event, "A02") == 0 ? " vers " : ", ";
    return arena_printf(c->arena, "%s%s%s, %s, %s", label(event, urgent), unit ? sep : "",
                        unit ? unit : "", facility, when);
}

static const char *when_of_row(ctx *c, const hl7_movement_row *r)
{
    time_t t = (time_t)(r->occurred_at / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    return arena_printf(c->arena, "%02d/%02d/%04d %02d:%02d", tm.tm_mday, tm.tm_mon + 1,
                        tm.tm_year + 1900, tm.tm_hour, tm.tm_min);
}

/* Writes a note when the patient has a care circle; *note_id = 0 otherwise.
 * false when *out was filled with an error. */
static bool write_note(ctx *c, const pam_config *cfg, int64_t pid, const char *type,
                       const char *text, bool urgent, int64_t reply_to, int64_t *note_id,
                       pam_result *out)
{
    *note_id = 0;
    int64_t *users;
    int n = 0;
    if (circle_member_users(c, pid, &users, &n) != CORE_OK)
        return pam_answer(out, c, HL7_ACK_AR, NULL, 0, HL7_E_APPLICATION_INTERNAL,
                          "Erreur interne (cercle de soins) : message à renvoyer.");
    if (n == 0)
        return true; /* no care circle: the movement is only recorded */
    if (!cfg->author_id)
        return pam_answer(out, c, HL7_ACK_AA, NULL, 0, 0,
                          "Compte système « hl7 » absent : mouvement enregistré sans note.");
    note_input in = {.type = type,
                     .text = text,
                     .urgent = urgent,
                     .visibility = "professionals",
                     .reply_to = reply_to,
                     .source = "hl7",
                     .author_id = cfg->author_id,
                     .author_name = cfg->author_name};
    note nt;
    core_error err = {0};
    if (journal_create(c, pid, &in, &nt, &err) != CORE_OK)
        return pam_answer(
            out, c, HL7_ACK_AR, NULL, 0, HL7_E_APPLICATION_INTERNAL,
            arena_printf(c->arena, "Erreur interne (journal : %s).", err.code ? err.code : "?"));
    *note_id = nt.id;
    return true;
}

static bool store_failed(ctx *c, pam_result *out)
{
    return pam_answer(out, c, HL7_ACK_AR, NULL, 0, HL7_E_APPLICATION_INTERNAL,
                      "Erreur interne (mouvements) : message à renvoyer.");
}

/* ---- the three actions ------------------------------------------------------ */

static bool insert_movement(ctx *c, const pam_config *cfg, const movement *mv, int64_t pid,
                            pam_result *out)
{
    db_conn *conn = ctx_db(c);
    hl7_movement_row row;
    if (mv->movement_id) {
        db_rc rc = hl7_store_movement_by_key(conn, c->arena, mv->facility, mv->movement_id, &row);
        if (rc == DB_OK) {
            if (strcmp(row.event, mv->trigger) != 0)
                return pam_answer(out, c, HL7_ACK_AE, "ZBE", 1, HL7_E_DUPLICATE_KEY_IDENTIFIER,
                                  arena_printf(c->arena,
                                               "Identifiant de mouvement %s déjà utilisé pour un "
                                               "événement %s.",
                                               mv->movement_id, row.event));
            return true; /* the same movement sent again: recorded once */
        }
        if (rc != DB_NOTFOUND)
            return store_failed(c, out);
    }
    row = (hl7_movement_row){.patient_id = pid,
                             .facility = mv->facility,
                             .movement_id = mv->movement_id,
                             .visit_number = mv->visit,
                             .event = mv->trigger,
                             .patient_class = mv->patient_class,
                             .unit = mv->unit,
                             .occurred_at = mv->at,
                             .created_at = c->now_ms};
    if (!mv->historic) {
        bool urgent = emergency(mv->patient_class, mv->unit) &&
                      (strcmp(mv->trigger, "A01") == 0 || strcmp(mv->trigger, "A04") == 0);
        const char *text = movement_text(c, mv->trigger, mv->patient_class, mv->unit,
                                         mv->facility_name, pam_ts_display(c->arena, mv->ts));
        if (!write_note(c, cfg, pid, "INST", text, urgent, 0, &row.note_id, out) &&
            out->code != HL7_ACK_AA)
            return false;
        if (strcmp(mv->trigger, "A03") == 0)
            row.rupture = "pending";
    }
    return hl7_store_movement_insert(conn, c->arena, &row) == DB_OK || store_failed(c, out);
}

static bool cancel_movement(ctx *c, const pam_config *cfg, const movement *mv, int64_t pid,
                            pam_result *out)
{
    db_conn *conn = ctx_db(c);
    hl7_movement_row row;
    db_rc rc = DB_NOTFOUND;
    if (mv->movement_id)
        rc = hl7_store_movement_by_key(conn, c->arena, mv->facility, mv->movement_id, &row);
    for (int i = 0; !mv->movement_id && i < 2 && mv->cancels[i]; i++) {
        /* without ZBE-1: the latest movement of the kinds this event cancels */
        hl7_movement_row cand;
        db_rc crc =
            hl7_store_movement_latest(conn, c->arena, pid, mv->facility, mv->cancels[i], &cand);
        if (crc != DB_OK && crc != DB_NOTFOUND) {
            rc = crc;
            break;
        }
        if (crc == DB_OK && (rc == DB_NOTFOUND || cand.occurred_at > row.occurred_at)) {
            row = cand;
            rc = DB_OK;
        }
    }
    if (rc == DB_NOTFOUND)
        return pam_answer(out, c, HL7_ACK_AA, "ZBE", 1, 0,
                          "Aucun mouvement correspondant à annuler : annulation enregistrée "
                          "sans effet.");
    if (rc != DB_OK)
        return store_failed(c, out);
    if (row.cancelled_at)
        return true; /* already cancelled */
    bool target_ok = false;
    for (int i = 0; i < 2 && mv->cancels[i]; i++)
        target_ok = target_ok || strcmp(row.event, mv->cancels[i]) == 0;
    if (!target_ok)
        return pam_answer(
            out, c, HL7_ACK_AE, "ZBE", 1, HL7_E_UNKNOWN_KEY_IDENTIFIER,
            arena_printf(c->arena, "Le mouvement %s est un %s : %s ne peut pas l'annuler.",
                         mv->movement_id ? mv->movement_id : "?", row.event, mv->trigger));
    if (hl7_store_movement_cancel(conn, c->arena, row.id, c->now_ms) != DB_OK)
        return store_failed(c, out);
    if (!row.note_id)
        return true;
    const char *was = movement_text(c, row.event, row.patient_class, row.unit, row.facility,
                                    when_of_row(c, &row));
    int64_t note_id;
    return write_note(c, cfg, pid, "GEN",
                      arena_printf(c->arena, "Annulé par l'établissement : %s.", was), false,
                      row.note_id, &note_id, out) ||
           out->code == HL7_ACK_AA;
}

static bool update_movement(ctx *c, const pam_config *cfg, const movement *mv, int64_t pid,
                            pam_result *out)
{
    db_conn *conn = ctx_db(c);
    hl7_movement_row row;
    db_rc rc = mv->movement_id
                   ? hl7_store_movement_by_key(conn, c->arena, mv->facility, mv->movement_id, &row)
                   : DB_NOTFOUND;
    if (rc == DB_NOTFOUND)
        return pam_answer(out, c, HL7_ACK_AA, "ZBE", 1, 0,
                          "Mouvement à mettre à jour inconnu (ZBE-1) : mise à jour enregistrée "
                          "sans effet.");
    if (rc != DB_OK)
        return store_failed(c, out);
    bool moved = row.occurred_at != mv->at;
    bool unit_changed = mv->unit && (!row.unit || strcmp(row.unit, mv->unit) != 0);
    if (!moved && !unit_changed)
        return true;
    row.occurred_at = mv->at;
    if (mv->unit)
        row.unit = mv->unit;
    if (mv->patient_class)
        row.patient_class = mv->patient_class;
    if (mv->visit)
        row.visit_number = mv->visit;
    row.updated_at = c->now_ms;
    int64_t original_note = row.note_id;
    if (hl7_store_movement_update(conn, c->arena, &row) != DB_OK)
        return store_failed(c, out);
    if (!original_note || row.cancelled_at || mv->historic)
        return true;
    const char *now = movement_text(c, row.event, row.patient_class, row.unit, mv->facility_name,
                                    pam_ts_display(c->arena, mv->ts));
    int64_t note_id;
    return write_note(c, cfg, pid, "GEN",
                      arena_printf(c->arena, "Mouvement rectifié par l'établissement : %s.", now),
                      false, original_note, &note_id, out) ||
           out->code == HL7_ACK_AA;
}

bool pam_apply_movement(ctx *c, const pam_config *cfg, const hl7_message *m, int64_t patient_id,
                        pam_result *out)
{
    movement mv;
    if (!read_movement(c, m, &mv, out))
        return false;
    switch (mv.action) {
    case ACT_CANCEL:
        return cancel_movement(c, cfg, &mv, patient_id, out);
    case ACT_UPDATE:
        return update_movement(c, cfg, &mv, patient_id, out);
    case ACT_INSERT:
        break;
    }
    return insert_movement(c, cfg, &mv, patient_id, out);
}

/* ---- rupture de parcours ------------------------------------------------------ */

/* Whether one of the users wrote a note on the patient since `since`. */
static core_rc noted_since(ctx *c, int64_t pid, const int64_t *users, int n, int64_t since,
                           bool *noted)
{
    *noted = false;
    for (int i = 0; i < n && !*noted; i++) {
        note_filter f = {.author_id = users[i], .from_ms = since ? since : 1, .limit = 1};
        note *notes;
        attachment *atts;
        int nn = 0, na = 0;
        core_error err = {0};
        core_rc rc = journal_list(c, pid, &f, &notes, &nn, &atts, &na, &err);
        if (rc != CORE_OK)
            return rc;
        *noted = nn > 0;
    }
    return CORE_OK;
}

/* Decides one discharge: "ok" or "alerted" (notifications sent). */
static core_rc check_one(ctx *c, const pam_config *cfg, const hl7_movement_row *r,
                         const char **state)
{
    *state = "ok";
    circle_member *members;
    int n = 0;
    int64_t pid;
    core_error err = {0};
    core_rc rc = circle_list(c, r->patient_id, false, &members, &n, &pid, &err);
    if (rc == CORE_NOTFOUND)
        return CORE_OK;
    if (rc != CORE_OK)
        return rc;
    int64_t *pcp = arena_calloc(c->arena, (size_t)n + 1, sizeof *pcp);
    int64_t *referents = arena_calloc(c->arena, (size_t)n + 1, sizeof *referents);
    int npcp = 0, nref = 0;
    for (int i = 0; i < n; i++) {
        if (!members[i].user_id)
            continue;
        if (strcmp(members[i].role, "PCP") == 0)
            pcp[npcp++] = members[i].user_id;
        else if (strcmp(members[i].role, "REFERENT") == 0)
            referents[nref++] = members[i].user_id;
    }
    if (npcp == 0)
        return CORE_OK; /* no médecin traitant with an account: nothing to watch */
    bool noted;
    if ((rc = noted_since(c, pid, pcp, npcp, r->occurred_at, &noted)) != CORE_OK || noted)
        return rc;
    int days = (int)(cfg->rupture_ms / 86400000);
    const char *body = arena_printf(
        c->arena, "%s le %s (%s) : aucune note du médecin traitant depuis %s.",
        label(r->event, emergency(r->patient_class, r->unit)), when_of_row(c, r), r->facility,
        days >= 1 ? arena_printf(c->arena, "%d jour%s", days, days > 1 ? "s" : "") : "la sortie");
    notification_input ni = {.kind = "rupture",
                             .patient_id = pid,
                             .object_id = arena_printf(c->arena, "%lld", (long long)r->id),
                             .title = "Rupture de parcours",
                             .body = body,
                             .urgent = true};
    if (notify_users(c, nref ? referents : pcp, nref ? nref : npcp, &ni) != CORE_OK)
        return CORE_ERROR;
    *state = "alerted";
    return CORE_OK;
}

int pam_check_ruptures(ctx *c, const pam_config *cfg, int limit)
{
    db_conn *conn = ctx_db(c);
    hl7_movement_row *rows;
    int n = 0, alerts = 0;
    if (hl7_store_ruptures_due(conn, c->arena, c->now_ms - cfg->rupture_ms, limit, &rows, &n) !=
        DB_OK)
        return -1;
    for (int i = 0; i < n; i++) {
        if (db_begin_write(conn) != DB_OK)
            continue;
        /* claimed first: two serve processes never alert twice */
        db_rc claim = hl7_store_rupture_claim(conn, c->arena, rows[i].id, c->now_ms);
        if (claim == DB_NOTFOUND) {
            db_rollback(conn);
            continue;
        }
        const char *state = "ok";
        core_rc rc = claim == DB_OK ? check_one(c, cfg, &rows[i], &state) : CORE_ERROR;
        if (rc != CORE_OK ||
            (strcmp(state, "alerted") == 0 &&
             hl7_store_rupture_set(conn, c->arena, rows[i].id, state, c->now_ms) != DB_OK) ||
            db_commit(conn) != DB_OK) {
            db_rollback(conn); /* stays pending: checked again next time; the others go on */
            continue;
        }
        alerts += strcmp(state, "alerted") == 0;
    }
    return alerts;
}

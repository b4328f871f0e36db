#include "core/identity_review.h"
#include "core/audit.h"
#include "core/ins.h"
#include "core/name_match.h"
#include "core/text.h"

#include <stdlib.h>
#include <string.h>

static const char *id_text(ctx *c, int64_t id)
{
    return arena_printf(c->arena, "%lld", (long long)id);
}

static bool is_coordinator(const principal *who)
{
    return !who || strcmp(who->role, "coordinator") == 0;
}

/* ---- duplicates --------------------------------------------------------- */

static int by_score_desc(const void *x, const void *y)
{
    const duplicate_hit *a = x, *b = y;
    if (a->match.score != b->match.score)
        return b->match.score - a->match.score;
    return a->candidate.id < b->candidate.id ? -1 : a->candidate.id > b->candidate.id;
}

/* Appends list members not seen yet to the scored set. */
static void score_list(const patient *p, const patient_list *l, int64_t exclude_id,
                       int min_score, duplicate_hit *hits, int *n, int cap)
{
    for (int i = 0; i < l->n && *n < cap; i++) {
        const patient *cand = &l->items[i];
        if (cand->id == exclude_id || cand->id == p->id)
            continue;
        bool seen = false;
        for (int k = 0; k < *n && !seen; k++)
            seen = hits[k].candidate.id == cand->id;
        if (seen)
            continue;
        idmatch m;
        idmatch_score(p, cand, &m);
        if (m.score >= min_score) {
            hits[*n].candidate = *cand;
            hits[*n].match = m;
            (*n)++;
        }
    }
}

/* Reads and scores the candidates of keys (records with only their index
 * columns set: the birth date, and the family-name keys when names_known)
 * that could reach min_score; merged records are left out. */
static core_rc score_keys(ctx *c, const patient *p, const patient_list *keys, bool names_known,
                          int64_t exclude_id, int min_score, duplicate_hit *hits, int *n, int cap)
{
    patient_list full = {.items = arena_calloc(c->arena, (size_t)keys->n + 1, sizeof(patient))};
    for (int i = 0; i < keys->n; i++) {
        const patient *k = &keys->items[i];
        if (k->id == exclude_id || k->id == p->id)
            continue;
        int bound = names_known ? idmatch_bound(p, k) : idmatch_bound_date(p, k->birth_date);
        if (bound < min_score)
            continue;
        db_rc drc = patient_store_get(ctx_db(c), c->arena, k->id, &full.items[full.n]);
        if (drc != DB_OK && drc != DB_NOTFOUND)
            return CORE_ERROR;
        if (drc == DB_OK && full.items[full.n].merged_into == 0)
            full.n++;
    }
    score_list(p, &full, exclude_id, min_score, hits, n, cap);
    return CORE_OK;
}

core_rc review_find_duplicates(ctx *c, const patient *p, int64_t exclude_id, int min_score,
                               duplicate_hit **out, int *n)
{
    /* blocking: the same birth date (or day/month swapped), or the same phonetic
     * birth name in the same birth year, or the same INS — every corruption a
     * typing error makes leaves at least one of these intact */
    db_conn *conn = ctx_db(c);
    const int cap = 64;
    duplicate_hit *hits = arena_calloc(c->arena, (size_t)cap, sizeof *hits);
    int count = 0;
    char swapped[11];
    const char *alt = idmatch_swap_day_month(p->birth_date, swapped) ? swapped : p->birth_date;
    patient_list l;
    /* each block is read from its index first: only the records whose keys
     * (birth date, and family names where the index has them) leave them
     * able to reach min_score are read and scored */
    if (patient_store_birth_keys(conn, c->arena, p->birth_date, alt, REVIEW_MAX_CANDIDATES, &l) !=
            DB_OK ||
        score_keys(c, p, &l, true, exclude_id, min_score, hits, &count, cap) != CORE_OK)
        return CORE_ERROR;
    char year[5];
    memcpy(year, p->birth_date, 4);
    year[4] = '\0';
    const char *phon[2] = {p->phon_birth_name, p->phon_used_name};
    for (int k = 0; k < 2; k++) {
        if (!phon[k])
            continue;
        /* merged records are among these keys (not in the index): read more */
        if (patient_store_phonetic_year_keys(conn, c->arena, phon[k], year,
                                             4 * REVIEW_MAX_CANDIDATES, &l) != DB_OK ||
            score_keys(c, p, &l, false, exclude_id, min_score, hits, &count, cap) != CORE_OK)
            return CORE_ERROR;
    }
    if (p->ins_value) {
        patient holder;
        if (patient_store_by_ins(conn, c->arena, p->ins_value, &holder) == DB_OK) {
            l.items = &holder;
            l.n = 1;
            score_list(p, &l, exclude_id, min_score, hits, &count, cap);
        }
    }
    qsort(hits, (size_t)count, sizeof *hits, by_score_desc);
    *out = hits;
    *n = count;
    return CORE_OK;
}

core_rc review_duplicates_of(ctx *c, int64_t id, duplicate_hit **out, int *n, core_error *err)
{
    patient p;
    core_rc rc = patients_get(c, id, &p, err);
    if (rc != CORE_OK)
        return rc;
    if (review_find_duplicates(c, &p, p.id, IDMATCH_POTENTIAL, out, n) != CORE_OK)
        return core_fail(err, CORE_ERROR, "store.error", NULL, "Erreur interne.");
    db_conn *conn = ctx_db(c);
    if (*n > 0 && db_begin_write(conn) == DB_OK) {
        for (int i = 0; i < *n; i++) {
            int64_t a = (*out)[i].candidate.id, b = p.id;
            patient_store_flag_duplicate(conn, c->arena, a < b ? a : b, a < b ? b : a,
                                         (*out)[i].match.score,
                                         idmatch_reasons(c->arena, &(*out)[i].match), c->now_ms);
        }
        db_commit(conn);
    }
    return CORE_OK;
}

core_rc review_list(ctx *c, int min_score, int64_t after_a, int64_t after_b, int limit,
                    duplicate_row **out, int *n, core_error *err)
{
    if (!patients_may_access(c->who))
        return core_fail(err, CORE_FORBIDDEN, "role.patient_access", NULL,
                         "Votre rôle ne donne pas accès aux identités des patients.");
    if (patient_store_list_duplicates(ctx_db(c), c->arena, "open", min_score, after_a, after_b,
                                      limit, out, n) != DB_OK)
        return core_fail(err, CORE_ERROR, "store.error", NULL, "Erreur interne.");
    audit_record(c, &(audit_event){.action = "identity.duplicates.read"});
    return CORE_OK;
}

static core_rc need_coordinator(ctx *c, const char *action, core_error *err)
{
    if (is_coordinator(c->who))
        return CORE_OK;
    audit_record(c, &(audit_event){.action = action, .outcome = AUDIT_DENIED,
                                    .detail = "coordinator role required"});
    return core_fail(err, CORE_FORBIDDEN, "role.coordinator_required", NULL,
                     "Seul un référent en identitovigilance (coordinateur) peut faire cela.");
}

core_rc review_dismiss(ctx *c, int64_t a, int64_t b, core_error *err)
{
    core_rc rc = need_coordinator(c, "identity.duplicate.dismiss", err);
    if (rc != CORE_OK)
        return rc;
    int64_t lo = a < b ? a : b, hi = a < b ? b : a;
    db_conn *conn = ctx_db(c);
    db_rc drc = db_begin_write(conn);
    if (drc == DB_OK)
        drc = patient_store_decide_duplicate(conn, c->arena, lo, hi, "dismissed",
                                             c->who ? c->who->user_id : 0, c->now_ms);
    if (drc == DB_NOTFOUND) {
        db_rollback(conn);
        return core_fail(err, CORE_NOTFOUND, "duplicate.not_found", NULL,
                         "Cette paire n'est pas dans la liste des doublons potentiels.");
    }
    if (drc != DB_OK ||
        audit_record(c, &(audit_event){.action = "identity.duplicate.dismiss",
                                        .object_type = "patient", .object_id = id_text(c, lo),
                                        .patient_id = id_text(c, lo),
                                        .detail = arena_printf(c->arena, "not a duplicate of %lld",
                                                               (long long)hi)}) != CORE_OK ||
        db_commit(conn) != DB_OK) {
        db_rollback(conn);
        return core_fail(err, CORE_ERROR, "store.error", NULL, "Erreur interne.");
    }
    return CORE_OK;
}

core_rc review_merge(ctx *c, int64_t survivor, int64_t merged, const char *reason,
                     core_error *err)
{
    core_rc rc = need_coordinator(c, "patient.merge", err);
    if (rc != CORE_OK)
        return rc;
    if (survivor == merged)
        return core_fail(err, CORE_INVALID, "merge.same", "source_id",
                         "Un dossier ne peut pas être fusionné avec lui-même.");
    if (reason && !text_is_clean(reason, 0, 500))
        return core_fail(err, CORE_INVALID, "merge.reason", "reason", "Motif invalide.");
    db_conn *conn = ctx_db(c);
    patient a, b;
    db_rc drc = patient_store_get(conn, c->arena, survivor, &a);
    if (drc == DB_OK)
        drc = patient_store_get(conn, c->arena, merged, &b);
    if (drc == DB_NOTFOUND)
        return core_fail(err, CORE_NOTFOUND, "patient.not_found", NULL, "Patient introuvable.");
    if (drc != DB_OK)
        return core_fail(err, CORE_ERROR, "store.error", NULL, "Erreur interne.");
    if (a.merged_into || b.merged_into)
        return core_fail(err, CORE_CONFLICT, "merge.already_merged", NULL,
                         "L'un des deux dossiers est déjà fusionné dans un autre.");
    if (a.ins_value && b.ins_value && strcmp(a.ins_value, b.ins_value) != 0)
        return core_fail(err, CORE_CONFLICT, "merge.distinct_ins", NULL,
                         "Ces deux dossiers portent deux INS différents : ce sont deux "
                         "personnes.");
    int64_t lo = survivor < merged ? survivor : merged, hi = survivor < merged ? merged : survivor;
    drc = db_begin_write(conn);
    if (drc == DB_OK)
        drc = patient_store_merge(conn, c->arena, survivor, merged, reason,
                                  c->who ? c->who->user_id : 0, c->now_ms);
    if (drc == DB_OK) {
        db_rc d2 = patient_store_decide_duplicate(conn, c->arena, lo, hi, "merged",
                                                  c->who ? c->who->user_id : 0, c->now_ms);
        if (d2 != DB_OK && d2 != DB_NOTFOUND)
            drc = d2;
    }
    const char *detail = arena_printf(c->arena, "%lld merged into %lld", (long long)merged,
                                      (long long)survivor);
    if (drc != DB_OK ||
        audit_record(c, &(audit_event){.action = "patient.merge", .object_type = "patient",
                                        .object_id = id_text(c, merged),
                                        .patient_id = id_text(c, survivor), .detail = detail}) !=
            CORE_OK ||
        audit_record(c, &(audit_event){.action = "patient.merge", .object_type = "patient",
                                        .object_id = id_text(c, merged),
                                        .patient_id = id_text(c, merged), .detail = detail}) !=
            CORE_OK ||
        db_commit(conn) != DB_OK) {
        db_rollback(conn);
        if (drc == DB_NOTFOUND)
            return core_fail(err, CORE_CONFLICT, "merge.already_merged", NULL,
                             "Ce dossier vient d'être fusionné.");
        return core_fail(err, CORE_ERROR, "store.error", NULL, "Erreur interne.");
    }
    return CORE_OK;
}

core_rc review_unmerge(ctx *c, int64_t merged, int64_t *survivor, core_error *err)
{
    if (c->who && strcmp(c->who->role, "admin") != 0) {
        audit_record(c, &(audit_event){.action = "patient.unmerge", .outcome = AUDIT_DENIED,
                                        .patient_id = id_text(c, merged)});
        return core_fail(err, CORE_FORBIDDEN, "role.admin_required", NULL,
                         "Seul un administrateur peut annuler une fusion.");
    }
    db_conn *conn = ctx_db(c);
    db_rc drc = db_begin_write(conn);
    if (drc == DB_OK)
        drc = patient_store_unmerge(conn, c->arena, merged, c->who ? c->who->user_id : 0,
                                    c->now_ms, survivor);
    if (drc == DB_NOTFOUND) {
        db_rollback(conn);
        return core_fail(err, CORE_NOTFOUND, "merge.not_found", NULL,
                         "Ce dossier n'est pas fusionné.");
    }
    const char *detail = arena_printf(c->arena, "%lld separated from %lld", (long long)merged,
                                      (long long)*survivor);
    if (drc != DB_OK ||
        audit_record(c, &(audit_event){.action = "patient.unmerge", .object_type = "patient",
                                        .object_id = id_text(c, merged),
                                        .patient_id = id_text(c, merged), .detail = detail}) !=
            CORE_OK ||
        audit_record(c, &(audit_event){.action = "patient.unmerge", .object_type = "patient",
                                        .object_id = id_text(c, merged),
                                        .patient_id = id_text(c, *survivor), .detail = detail}) !=
            CORE_OK ||
        db_commit(conn) != DB_OK) {
        db_rollback(conn);
        return core_fail(err, CORE_ERROR, "store.error", NULL, "Erreur interne.");
    }
    return CORE_OK;
}

/* ---- search ------------------------------------------------------------- */

static bool starts_with(const char *s, const char *prefix)
{
    return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Whether one word of the space-separated list starts with prefix. */
static bool word_starts_with(const char *list, const char *prefix)
{
    if (!list)
        return false;
    for (const char *w = list; w && *w; w = strchr(w, ' ')) {
        while (*w == ' ')
            w++;
        if (starts_with(w, prefix))
            return true;
    }
    return false;
}

typedef struct search_keys {
    char name[NM_NORM_SIZE];
    char name_phon[NM_PHONETIC_SIZE];
    char given[NM_NORM_SIZE];
    char given_phon[NM_PHONETIC_SIZE];
    bool has_name, has_given;
} search_keys;

/* 0 when p does not match the keys; else a rank (higher is better). */
static int rank_of(const patient *p, const patient_query *q, const search_keys *k)
{
    int rank = 0;
    if (k->has_name) {
        bool exact = (p->norm_birth_name && strcmp(p->norm_birth_name, k->name) == 0) ||
                     (p->norm_used_name && strcmp(p->norm_used_name, k->name) == 0);
        bool prefix = starts_with(p->norm_birth_name, k->name) ||
                      starts_with(p->norm_used_name, k->name);
        bool phon = k->name_phon[0] &&
                    ((p->phon_birth_name && strcmp(p->phon_birth_name, k->name_phon) == 0) ||
                     (p->phon_used_name && strcmp(p->phon_used_name, k->name_phon) == 0));
        if (exact)
            rank += 40;
        else if (prefix)
            rank += 30;
        else if (phon)
            rank += 20;
        else
            return 0;
    }
    if (k->has_given) {
        if (word_starts_with(p->norm_given_names, k->given) ||
            starts_with(p->norm_used_given, k->given))
            rank += 20;
        else if (k->given_phon[0] && p->phon_first_given &&
                 strcmp(p->phon_first_given, k->given_phon) == 0)
            rank += 10;
        else
            return 0;
    }
    if (q->birth_date) {
        if (!p->birth_date || strcmp(p->birth_date, q->birth_date) != 0)
            return 0;
        rank += 30;
    }
    return rank ? rank : 1;
}

static int by_rank(const void *x, const void *y)
{
    const patient_hit *a = x, *b = y;
    if (a->rank != b->rank)
        return b->rank - a->rank;
    int cmp = strcmp(a->p.norm_birth_name ? a->p.norm_birth_name : "",
                     b->p.norm_birth_name ? b->p.norm_birth_name : "");
    if (cmp)
        return cmp;
    return a->p.id < b->p.id ? -1 : a->p.id > b->p.id;
}

static void collect(patient_hit *hits, int *n, int cap, const patient_list *l,
                    const patient_query *q, const search_keys *k)
{
    for (int i = 0; i < l->n && *n < cap; i++) {
        int rank = rank_of(&l->items[i], q, k);
        if (!rank)
            continue;
        bool seen = false;
        for (int j = 0; j < *n && !seen; j++)
            seen = hits[j].p.id == l->items[i].id;
        if (!seen)
            hits[(*n)++] = (patient_hit){l->items[i], rank};
    }
}

core_rc review_search(ctx *c, const patient_query *q, patient_hit **out, int *n, bool *more,
                      core_error *err)
{
    *n = 0;
    *more = false;
    if (!patients_may_access(c->who)) {
        audit_record(c, &(audit_event){.action = "patient.search", .outcome = AUDIT_DENIED});
        return core_fail(err, CORE_FORBIDDEN, "role.patient_access", NULL,
                         "Votre rôle ne donne pas accès aux identités des patients.");
    }
    search_keys k;
    memset(&k, 0, sizeof k);
    if (q->name && *q->name) {
        if (nm_normalize(q->name, k.name, sizeof k.name) != NM_OK || !k.name[0])
            return core_fail(err, CORE_INVALID, "name.invalid", "name",
                             "Le nom cherché ne peut contenir que des lettres, espaces, tirets "
                             "et apostrophes.");
        k.has_name = true;
        if (strlen(k.name) >= 3)
            nm_phonetic(q->name, k.name_phon, sizeof k.name_phon);
    }
    if (q->given && *q->given) {
        if (nm_normalize(q->given, k.given, sizeof k.given) != NM_OK || !k.given[0])
            return core_fail(err, CORE_INVALID, "name.invalid", "given",
                             "Le prénom cherché ne peut contenir que des lettres, espaces, "
                             "tirets et apostrophes.");
        k.has_given = true;
        if (strlen(k.given) >= 3)
            nm_phonetic(q->given, k.given_phon, sizeof k.given_phon);
    }
    bool by_id = (q->ins && *q->ins) || (q->identifier_system && q->identifier_value);
    if (!by_id && !q->birth_date && !k.has_name)
        return core_fail(err, CORE_INVALID, "search.criteria", NULL,
                         "Cherchez par date de naissance, nom, INS ou identifiant local.");
    if (!by_id && !q->birth_date && strlen(k.name) < 2)
        return core_fail(err, CORE_INVALID, "search.too_broad", "name",
                         "Donnez au moins deux lettres du nom, ou la date de naissance.");

    db_conn *conn = ctx_db(c);
    const int cap = REVIEW_MAX_CANDIDATES;
    patient_hit *hits = arena_calloc(c->arena, (size_t)cap, sizeof *hits);
    int count = 0;
    patient_list l = {0};
    db_rc drc = DB_OK;
    patient one;
    if (q->ins && *q->ins) {
        drc = patient_store_by_ins(conn, c->arena, q->ins, &one);
        if (drc == DB_OK) {
            hits[count++] = (patient_hit){one, 100};
        }
    } else if (q->identifier_system && q->identifier_value) {
        int64_t pid, survivor;
        drc = patient_store_by_identifier(conn, c->arena, q->identifier_system,
                                          q->identifier_value, &pid);
        if (drc == DB_OK)
            drc = patient_store_resolve(conn, c->arena, pid, &survivor);
        if (drc == DB_OK)
            drc = patient_store_get(conn, c->arena, survivor, &one);
        if (drc == DB_OK)
            hits[count++] = (patient_hit){one, 100};
    } else if (q->birth_date && k.has_name) {
        drc = patient_store_by_birth_date_name(conn, c->arena, q->birth_date, k.name,
                                               k.name_phon, cap, &l);
        if (drc == DB_OK)
            collect(hits, &count, cap, &l, q, &k);
    } else if (q->birth_date) {
        drc = patient_store_by_birth_dates(conn, c->arena, q->birth_date, NULL, cap, &l);
        if (drc == DB_OK)
            collect(hits, &count, cap, &l, q, &k);
    } else {
        drc = patient_store_by_name_prefix(conn, c->arena, k.name, cap, &l);
        if (drc == DB_OK)
            collect(hits, &count, cap, &l, q, &k);
        if (drc == DB_OK && k.name_phon[0]) {
            drc = patient_store_by_phonetic_year(conn, c->arena, k.name_phon, "", cap, &l);
            if (drc == DB_OK)
                collect(hits, &count, cap, &l, q, &k);
        }
    }
    if (drc != DB_OK && drc != DB_NOTFOUND)
        return core_fail(err, CORE_ERROR, "store.error", NULL, "Erreur interne.");
    qsort(hits, (size_t)count, sizeof *hits, by_rank);
    int start = q->offset < count ? q->offset : count;
    int end = start + q->limit < count ? start + q->limit : count;
    *more = end < count;
    *out = hits + start;
    *n = end - start;
    audit_record(c, &(audit_event){.action = "patient.search",
                                    .detail = arena_printf(c->arena, "%d result%s", count,
                                                           count == 1 ? "" : "s")});
    return CORE_OK;
}

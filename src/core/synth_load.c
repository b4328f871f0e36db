/* synth_load: `parcours synth` / `demo --patients N` — synthetic identities
 * (made by synth.c) bulk-loaded into the database. */
#include "core/audit.h"
#include "core/synth.h"
#include "store/patient_bulk.h"
#include "util/alloc.h"
#include "util/timeutil.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ==== loading ============================================================ */

/* Generation runs in a thread of its own, a few batches ahead of the inserts:
 * on two cores, one makes records while the other writes them. */
#define BATCH_ROWS 2048
#define BATCH_SLOTS 3

typedef struct batch {
    arena ar;
    synth_record *recs;
    patient *rows;
    int n;
} batch;

typedef struct pipeline {
    const synth_plan *plan;
    int64_t first_id, now_ms, nbatches;
    synth_ins_set *ins;
    batch slots[BATCH_SLOTS];
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int64_t produced, consumed; /* batches */
    bool stop, failed;
    core_error err;
    char message[256];
    double busy_seconds;
} pipeline;

static void *produce(void *arg)
{
    pipeline *pl = arg;
    for (int64_t bi = 0; bi < pl->nbatches; bi++) {
        pthread_mutex_lock(&pl->mu);
        while (!pl->stop && pl->consumed + BATCH_SLOTS <= bi)
            pthread_cond_wait(&pl->cv, &pl->mu);
        bool stop = pl->stop;
        pthread_mutex_unlock(&pl->mu);
        if (stop)
            break;
        int64_t t0 = time_mono_us();
        batch *b = &pl->slots[bi % BATCH_SLOTS];
        arena_reset(&b->ar);
        int64_t first = bi * BATCH_ROWS;
        int64_t last = first + BATCH_ROWS < pl->plan->total ? first + BATCH_ROWS : pl->plan->total;
        b->n = 0;
        bool failed = false;
        for (int64_t i = first; i < last && !failed; i++) {
            synth_record *r = &b->recs[b->n];
            patient *p = &b->rows[b->n];
            synth_make(pl->plan, i, &b->ar, r);
            synth_ins_claim(pl->ins, r, &b->ar);
            core_error e = {0};
            /* the same checks as the API: a generator bug stops the load */
            if (patients_validate(&r->in, true, &e) != CORE_OK) {
                snprintf(pl->message, sizeof pl->message,
                         "l'enregistrement synthétique %lld est invalide (%s, %s) : %s",
                         (long long)i, e.code ? e.code : "?", e.field ? e.field : "-",
                         e.message ? e.message : "");
                failed = true;
            } else if (!synth_to_patient(r, &b->ar, pl->now_ms, p)) {
                snprintf(pl->message, sizeof pl->message,
                         "l'enregistrement synthétique %lld n'a pas de clés de recherche",
                         (long long)i);
                failed = true;
            }
            p->id = pl->first_id + i;
            b->n++;
        }
        pthread_mutex_lock(&pl->mu);
        pl->busy_seconds += (double)(time_mono_us() - t0) / 1e6;
        if (failed) {
            pl->failed = true;
            pl->stop = true;
        } else {
            pl->produced = bi + 1;
        }
        pthread_cond_broadcast(&pl->cv);
        pthread_mutex_unlock(&pl->mu);
        if (failed)
            break;
    }
    return NULL;
}

static core_rc store_error(core_error *err, db_rc rc)
{
    if (rc == DB_CONSTRAINT)
        return core_fail(err, CORE_CONFLICT, "synth.ins_taken", NULL,
                         "Un INS du jeu synthétique est déjà porté par un patient de la base "
                         "(le même jeu a-t-il déjà été chargé ?). Rien n'a été chargé.");
    return core_fail(err, CORE_ERROR, "store.error", NULL,
                     "Erreur de la base de données pendant le chargement : rien n'a été chargé.");
}

static double seconds_since(int64_t t0)
{
    return (double)(time_mono_us() - t0) / 1e6;
}

core_rc synth_load(ctx *c, const synth_load_opts *o, synth_report *rep, core_error *err)
{
    memset(rep, 0, sizeof *rep);
    const synth_plan *plan = &o->plan;
    int64_t t_start = time_mono_us();
    db_conn *conn = ctx_db(c);
    patient_bulk bulk;
    arena scratch; /* per-batch SQL scratch */
    arena_init(&scratch, 0);
    /* the index definitions live in the call's arena, scratch is reset per batch */
    db_rc drc = patient_bulk_begin(&bulk, db_kind(c->app->db), conn, c->arena, o->keep_indexes,
                                   plan->total);
    if (drc != DB_OK) {
        arena_free(&scratch);
        return store_error(err, drc);
    }
    if (o->only_if_empty && bulk.existing > 0) {
        patient_bulk_abort(&bulk);
        arena_free(&scratch);
        return core_fail(err, CORE_CONFLICT, "synth.not_empty", NULL,
                         "La base contient déjà des patients : aucun patient synthétique ajouté.");
    }
    rep->first_id = bulk.first_id;
    rep->existing = bulk.existing;
    rep->kept_indexes = bulk.keep_indexes;
    if (o->truth)
        fputs("original_id,duplicate_id,kind\n", o->truth);

    pipeline pl;
    memset(&pl, 0, sizeof pl);
    pl.plan = plan;
    pl.first_id = bulk.first_id;
    pl.now_ms = c->now_ms;
    pl.nbatches = (plan->total + BATCH_ROWS - 1) / BATCH_ROWS;
    pl.ins = synth_ins_set_new(plan->total);
    pthread_mutex_init(&pl.mu, NULL);
    pthread_cond_init(&pl.cv, NULL);
    for (int s = 0; s < BATCH_SLOTS; s++) {
        arena_init(&pl.slots[s].ar, 256 * 1024);
        pl.slots[s].recs = xcalloc(BATCH_ROWS, sizeof(synth_record));
        pl.slots[s].rows = xcalloc(BATCH_ROWS, sizeof(patient));
    }
    pthread_t producer;
    bool started = pthread_create(&producer, NULL, produce, &pl) == 0;
    core_rc rc = CORE_OK;
    if (!started)
        rc = core_fail(err, CORE_ERROR, "synth.thread", NULL,
                       "Impossible de démarrer le générateur.");

    int64_t t_insert = time_mono_us();
    for (int64_t bi = 0; started && bi < pl.nbatches && rc == CORE_OK; bi++) {
        pthread_mutex_lock(&pl.mu);
        while (!pl.failed && pl.produced <= bi)
            pthread_cond_wait(&pl.cv, &pl.mu);
        bool failed = pl.failed;
        pthread_mutex_unlock(&pl.mu);
        if (failed) {
            rc = core_fail(err, CORE_ERROR, "synth.invalid", NULL, pl.message);
            break;
        }
        batch *b = &pl.slots[bi % BATCH_SLOTS];
        arena_reset(&scratch);
        drc = patient_bulk_add(&bulk, &scratch, b->rows, b->n);
        if (drc != DB_OK) {
            rc = store_error(err, drc);
            break;
        }
        for (int i = 0; i < b->n; i++) {
            const synth_record *r = &b->recs[i];
            if (r->corruption == SYNTH_NONE)
                continue;
            rep->duplicates++;
            rep->by_kind[r->corruption]++;
            if (o->truth)
                fprintf(o->truth, "%lld,%lld,%s\n", (long long)(bulk.first_id + r->original),
                        (long long)(bulk.first_id + r->index),
                        synth_corruption_code(r->corruption));
        }
        pthread_mutex_lock(&pl.mu);
        pl.consumed = bi + 1;
        pthread_cond_broadcast(&pl.cv);
        pthread_mutex_unlock(&pl.mu);
    }
    pthread_mutex_lock(&pl.mu);
    pl.stop = true;
    pthread_cond_broadcast(&pl.cv);
    pthread_mutex_unlock(&pl.mu);
    if (started)
        pthread_join(producer, NULL);
    rep->insert_seconds = seconds_since(t_insert);
    rep->generate_seconds = pl.busy_seconds;

    if (rc == CORE_OK) {
        int64_t t_index = time_mono_us();
        drc = patient_bulk_rebuild_indexes(&bulk);
        rep->index_seconds = seconds_since(t_index);
        if (drc != DB_OK)
            rc = store_error(err, drc);
    }
    if (rc == CORE_OK) {
        int64_t t_commit = time_mono_us();
        rep->loaded = bulk.rows;
        rep->last_id = bulk.first_id + bulk.rows - 1;
        drc = patient_bulk_finish(&bulk, &scratch, c->now_ms, "CNI");
        if (drc != DB_OK)
            rc = store_error(err, drc);
        else if (audit_record(
                     c, &(audit_event){.action = "patient.bulk_load",
                                       .object_type = "patient",
                                       .object_id = arena_printf(c->arena, "%lld-%lld",
                                                                 (long long)rep->first_id,
                                                                 (long long)rep->last_id),
                                       .detail = arena_printf(
                                           c->arena,
                                           "%lld synthetic patients, %lld corrupted duplicates,"
                                           " seed %llu",
                                           (long long)rep->loaded, (long long)rep->duplicates,
                                           (unsigned long long)plan->seed)}) != CORE_OK)
            rc = core_fail(err, CORE_ERROR, "audit.error", NULL, "Erreur du journal d'audit.");
        else if ((drc = patient_bulk_commit(&bulk)) != DB_OK)
            rc = store_error(err, drc);
        rep->commit_seconds = seconds_since(t_commit);
    }
    if (rc != CORE_OK) {
        patient_bulk_abort(&bulk);
        rep->loaded = 0;
    }
    rep->seconds = seconds_since(t_start);

    for (int s = 0; s < BATCH_SLOTS; s++) {
        arena_free(&pl.slots[s].ar);
        free(pl.slots[s].recs);
        free(pl.slots[s].rows);
    }
    synth_ins_set_free(pl.ins);
    pthread_mutex_destroy(&pl.mu);
    pthread_cond_destroy(&pl.cv);
    arena_free(&scratch);
    return rc;
}

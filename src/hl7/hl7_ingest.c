#include "hl7/hl7_ingest.h"
#include "store/hl7_store.h"
#include "util/alloc.h"
#include "util/json.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static atomic_uint_fast32_t ack_seq;

void hl7_ingest_init(hl7_ingest *g, app *a, size_t max_message)
{
    memset(g, 0, sizeof *g);
    g->app = a;
    g->max_message = max_message;
    g->pam.rupture_ms = (int64_t)a->cfg.rupture_days * 86400000;
    arena ar;
    arena_init(&ar, 0);
    db_conn *c = db_acquire(a->db);
    const char *name = NULL;
    if (hl7_store_account(c, &ar, "hl7", &g->pam.author_id, &name) == DB_OK) {
        static char stored[128]; /* one ingest per process */
        snprintf(stored, sizeof stored, "%s", name ? name : "Flux HL7");
        g->pam.author_name = stored;
    } else {
        log_warn("hl7", "%s",
                 "system account 'hl7' not found: movements are recorded without "
                 "journal notes (run 'parcours init')");
    }
    db_release(a->db, c);
    arena_free(&ar);
}

void hl7_job_free(hl7_job *j)
{
    if (!j)
        return;
    free(j->data);
    free(j->ack);
    free(j);
}

/* ---- acknowledgements ------------------------------------------------------ */

static void set_ack(hl7_job *job, const hl7_message *m, hl7_ack_code code, const hl7_ack_error *e)
{
    buf out;
    buf_init(&out, 256 * 1024);
    char ts[15], cid[24];
    hl7_timestamp(ts, time(NULL));
    /* unique per process start and message: milliseconds then a counter */
    snprintf(cid, sizeof cid, "%llx%04x", (unsigned long long)time_now_ms(),
             (unsigned)(atomic_fetch_add(&ack_seq, 1) & 0xffff));
    const hl7_header *h = m ? hl7_msh(m) : NULL;
    hl7_ack ack = {.our_app = h && *h->receiving_app ? h->receiving_app : "PARCOURS",
                   .our_facility = h && *h->receiving_facility ? h->receiving_facility : NULL,
                   .timestamp = ts,
                   .control_id = cid,
                   .processing_id = h && *h->processing_id ? h->processing_id : NULL,
                   .code = code,
                   .received = m,
                   .error = e};
    if (!hl7_build_ack(&out, &ack)) {
        /* only our own long texts can overflow: answer without them */
        buf_reset(&out);
        out.overflow = false;
        ack.error = NULL;
        hl7_build_ack(&out, &ack);
    }
    free(job->ack);
    job->ack = buf_steal(&out, &job->ack_len);
    job->code = code;
}

static void set_ack_copy(hl7_job *job, const char *stored, hl7_ack_code code)
{
    free(job->ack);
    job->ack_len = strlen(stored);
    job->ack = xmalloc(job->ack_len + 1);
    memcpy(job->ack, stored, job->ack_len + 1);
    job->code = code;
}

static hl7_ack_code code_of(const char *s)
{
    return s && strcmp(s, "AA") == 0   ? HL7_ACK_AA
           : s && strcmp(s, "AE") == 0 ? HL7_ACK_AE
                                       : HL7_ACK_AR;
}

static const char *const CODE_TEXT[] = {"AA", "AE", "AR"};

/* ---- one message -------------------------------------------------------------- */

/* The raw bytes for the store: text when valid UTF-8 without NUL, else base64. */
static void raw_for_store(arena *ar, const hl7_job *job, hl7_message_row *row)
{
    bool text = memchr(job->data, 0, job->len) == NULL && utf8_valid(job->data, job->len);
    row->raw_size = (int64_t)(job->oversized ? job->frame_size : job->len);
    if (text) {
        row->raw_encoding = "text";
        row->raw = arena_strndup(ar, job->data, job->len);
        return;
    }
    size_t n = sodium_base64_encoded_len(job->len, sodium_base64_VARIANT_ORIGINAL);
    char *b64 = arena_alloc(ar, n);
    sodium_bin2base64(b64, n, (const unsigned char *)job->data, job->len,
                      sodium_base64_VARIANT_ORIGINAL);
    row->raw_encoding = "base64";
    row->raw = b64;
}

static void header_into_row(arena *ar, const hl7_message *m, hl7_message_row *row)
{
    if (!m)
        return;
    const hl7_header *h = hl7_msh(m);
    row->sender_app = h->sending_app;
    row->sender_facility = h->sending_facility;
    row->control_id = *h->control_id ? h->control_id : NULL;
    row->message_type = *h->message_type
                            ? (*h->trigger ? arena_printf(ar, "%s^%s", h->message_type, h->trigger)
                                           : h->message_type)
                            : NULL;
}

/* The answer already given to this (sender, control id), sent again. */
static bool replay(hl7_job *job, db_conn *conn, arena *ar, hl7_message_row *row,
                   const hl7_message_row *first)
{
    set_ack_copy(job, first->ack, code_of(first->ack_code));
    row->status = "rejected";
    row->ack_code = first->ack_code;
    row->ack = first->ack;
    row->error = arena_printf(ar,
                              "MSH-10 répété : réponse du message %lld renvoyée, rien "
                              "appliqué une seconde fois.",
                              (long long)first->id);
    return hl7_store_insert_message(conn, ar, row) == DB_OK;
}

/* Stores and applies one job inside the open batch. false only when the
 * store failed (the batch is then retried). */
static bool apply_one(hl7_ingest *g, db_conn *conn, arena *ar, hl7_job *job)
{
    hl7_message_row row = {.received_at = job->received_at, .peer = job->peer};
    raw_for_store(ar, job, &row);
    hl7_message *m = NULL;
    hl7_error perr;
    hl7_ack_error e;
    if (job->oversized) {
        /* only the MSH line of the head, to address the AR */
        size_t cut = strcspn(job->data, "\r\n");
        hl7_parse(ar, job->data, cut, 0, &m, &perr);
        e = (hl7_ack_error){.code = HL7_E_APPLICATION_INTERNAL,
                            .severity = 'E',
                            .user_message = arena_printf(ar,
                                                         "Message trop volumineux (plus de %zu "
                                                         "octets) : rejeté.",
                                                         g->max_message)};
        header_into_row(ar, m, &row);
        set_ack(job, m, HL7_ACK_AR, &e);
        row.status = "rejected";
        row.error = e.user_message;
        goto store;
    }
    if (job->truncated) {
        /* kept so that nothing received is lost; the sender got no ACK */
        size_t cut = strcspn(job->data, "\r\n");
        hl7_parse(ar, job->data, cut, 0, &m, &perr);
        header_into_row(ar, m, &row);
        e = (hl7_ack_error){.code = HL7_E_SEGMENT_SEQUENCE,
                            .severity = 'E',
                            .user_message = "Trame MLLP incomplète (connexion fermée avant la fin "
                                            "du message)."};
        set_ack(job, m, HL7_ACK_AR, &e);
        row.status = "rejected";
        row.error = e.user_message;
        goto store;
    }
    hl7_status st = hl7_parse(ar, job->data, job->len, g->max_message, &m, &perr);
    header_into_row(ar, m, &row);
    if (st != HL7_OK) {
        hl7_ack_error_from_parse(&e, &perr);
        set_ack(job, m, HL7_ACK_AR, &e);
        row.status = "rejected";
        row.error = arena_printf(ar, "%s", perr.message ? perr.message : hl7_status_message(st));
        goto store;
    }
    if (!row.control_id) {
        e = (hl7_ack_error){.segment_id = "MSH",
                            .segment_seq = 1,
                            .field = 10,
                            .code = HL7_E_REQUIRED_FIELD_MISSING,
                            .severity = 'E',
                            .user_message = "MSH-10 (identifiant du message) absent."};
        set_ack(job, m, HL7_ACK_AR, &e);
        row.status = "rejected";
        row.error = e.user_message;
        goto store;
    }
    hl7_message_row first;
    db_rc rc = hl7_store_find_answer(conn, ar, row.sender_app, row.sender_facility, row.control_id,
                                     &first);
    if (rc == DB_OK) {
        atomic_fetch_add(&g->duplicates, 1);
        return replay(job, conn, ar, &row, &first);
    }
    if (rc != DB_NOTFOUND)
        return false;

    ctx c = {.app = g->app,
             .arena = ar,
             .now_ms = time_now_ms(),
             .client_addr = job->peer,
             .request_id = arena_printf(ar, "hl7:%.32s", row.control_id),
             .conn_ = conn};
    if (db_begin_write(conn) != DB_OK)
        return false;
    pam_result res;
    pam_apply(&c, &g->pam, m, &res);
    c.conn_ = NULL; /* the batch's connection: never released by the message */
    row.patient_id = res.patient_id;
    row.ack_code = CODE_TEXT[res.code];
    row.error = res.detail;
    set_ack(job, m, res.code, res.has_error ? &res.error : NULL);
    row.ack = job->ack;
    if (res.code == HL7_ACK_AA) {
        row.status = "processed";
        rc = hl7_store_insert_message(conn, ar, &row);
        if (rc == DB_OK)
            return db_commit(conn) == DB_OK;
        db_rollback(conn);
        if (rc != DB_CONSTRAINT)
            return false;
        /* another process stored the same (sender, control id) meanwhile */
        if (hl7_store_find_answer(conn, ar, row.sender_app, row.sender_facility, row.control_id,
                                  &first) != DB_OK)
            return false;
        row.patient_id = 0;
        return replay(job, conn, ar, &row, &first);
    }
    db_rollback(conn); /* nothing of a refused message stays but its row */
    row.status = res.code == HL7_ACK_AE ? "error" : "rejected";
store:
    row.ack_code = CODE_TEXT[job->code];
    row.ack = job->ack;
    rc = hl7_store_insert_message(conn, ar, &row);
    if (rc == DB_CONSTRAINT && row.control_id) {
        hl7_message_row again;
        if (hl7_store_find_answer(conn, ar, row.sender_app, row.sender_facility, row.control_id,
                                  &again) == DB_OK)
            return replay(job, conn, ar, &row, &again);
    }
    return rc == DB_OK;
}

/* ---- batches ------------------------------------------------------------------ */

static void forget_acks(hl7_job **jobs, int n)
{
    for (int i = 0; i < n; i++) {
        free(jobs[i]->ack);
        jobs[i]->ack = NULL;
        jobs[i]->ack_len = 0;
    }
}

static bool run_batch(hl7_ingest *g, db_conn *conn, hl7_job **jobs, int n)
{
    if (db_batch_begin(conn) != DB_OK)
        return false;
    arena ar;
    arena_init(&ar, 32 * 1024);
    bool ok = true;
    for (int i = 0; i < n && ok; i++) {
        ok = apply_one(g, conn, &ar, jobs[i]);
        arena_reset(&ar);
    }
    arena_free(&ar);
    if (!ok) {
        db_batch_rollback(conn);
        forget_acks(jobs, n);
        return false;
    }
    if (db_batch_commit(conn) != DB_OK) {
        forget_acks(jobs, n);
        return false;
    }
    return true;
}

static void count(hl7_ingest *g, const hl7_job *j)
{
    atomic_fetch_add(j->code == HL7_ACK_AA   ? &g->accepted
                     : j->code == HL7_ACK_AE ? &g->errors
                                             : &g->rejected,
                     1);
}

void hl7_ingest_batch(hl7_ingest *g, hl7_job **jobs, int n)
{
    if (n <= 0)
        return;
    db_conn *conn = db_acquire(g->app->db);
    atomic_fetch_add(&g->batches, 1);
    bool ok = run_batch(g, conn, jobs, n);
    for (int i = 0; !ok && i < n; i++) {
        /* one at a time, so that one failing message does not hold the others */
        atomic_fetch_add(&g->retried, 1);
        if (n > 1 && run_batch(g, conn, &jobs[i], 1))
            continue;
        hl7_ack_error e = {.code = HL7_E_APPLICATION_INTERNAL,
                           .severity = 'E',
                           .user_message = "Enregistrement impossible : message à renvoyer."};
        arena ar;
        arena_init(&ar, 0);
        hl7_message *m = NULL;
        hl7_error perr;
        if (!jobs[i]->oversized)
            hl7_parse(&ar, jobs[i]->data, jobs[i]->len, g->max_message, &m, &perr);
        set_ack(jobs[i], m, HL7_ACK_AR, &e);
        arena_free(&ar);
        log_error("hl7 store failed", "peer=%s bytes=%zu", jobs[i]->peer, jobs[i]->len);
    }
    db_release(g->app->db, conn);
    for (int i = 0; i < n; i++)
        count(g, jobs[i]);
}

void hl7_ingest_housekeeping(hl7_ingest *g)
{
    arena ar;
    arena_init(&ar, 0);
    ctx c = {.app = g->app,
             .arena = &ar,
             .now_ms = time_now_ms(),
             .client_addr = "hl7",
             .request_id = "hl7-rupture"};
    int alerts = pam_check_ruptures(&c, &g->pam, 200);
    ctx_done(&c);
    arena_free(&ar);
    if (alerts != 0)
        log_info("hl7 rupture check", "alerts=%d", alerts);
}

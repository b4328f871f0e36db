#include "core/audit.h"
#include "core/audit_internal.h"
#include "util/json.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* "<len>:<bytes>|" per field: unambiguous whatever the fields contain; NULL
 * is "-|" so that NULL and "" differ. */
static void hash_field(crypto_generichash_state *st, const char *s)
{
    char head[24];
    if (!s) {
        crypto_generichash_update(st, (const unsigned char *)"-|", 2);
        return;
    }
    size_t n = strlen(s);
    int h = snprintf(head, sizeof head, "%zu:", n);
    crypto_generichash_update(st, (const unsigned char *)head, (size_t)h);
    crypto_generichash_update(st, (const unsigned char *)s, n);
    crypto_generichash_update(st, (const unsigned char *)"|", 1);
}

static void hash_int(crypto_generichash_state *st, int64_t v)
{
    char num[24];
    json_format_int(v, num); /* the digits "%lld" writes, without printf */
    hash_field(st, num);
}

void audit_hash(const unsigned char key[APP_SECRET_BYTES], const audit_row *row, char out[65])
{
    crypto_generichash_state st;
    unsigned char digest[32];
    crypto_generichash_init(&st, key, APP_SECRET_BYTES, sizeof digest);
    hash_field(&st, "parcours-audit-v1");
    hash_int(&st, row->seq);
    hash_int(&st, row->at);
    hash_int(&st, row->user_id);
    hash_field(&st, row->user_login);
    hash_field(&st, row->action);
    hash_field(&st, row->object_type);
    hash_field(&st, row->object_id);
    hash_field(&st, row->patient_id);
    hash_field(&st, row->outcome);
    hash_field(&st, row->client_addr);
    hash_field(&st, row->request_id);
    hash_field(&st, row->detail);
    hash_field(&st, row->prev_hash);
    crypto_generichash_final(&st, digest, sizeof digest);
    sodium_bin2hex(out, 65, digest, sizeof digest);
}

db_rc audit_append_rows(const app *a, db_conn *conn, arena *ar, audit_row *rows, int n)
{
    int64_t last;
    const char *prev;
    db_rc rc = audit_store_reserve(conn, ar, n, &last, &prev);
    char hash[2][65]; /* this row's, and the previous one's */
    for (int i = 0; rc == DB_OK && i < n; i++) {
        audit_row *row = &rows[i];
        row->seq = last - n + 1 + i;
        row->prev_hash = prev;
        audit_hash(a->secret, row, hash[i & 1]);
        row->hash = hash[i & 1];
        rc = audit_store_insert(conn, ar, row);
        prev = hash[i & 1];
        row->prev_hash = row->hash = NULL;
    }
    if (rc == DB_OK)
        rc = audit_store_set_head(conn, ar, prev);
    return rc;
}

static const char *keep(arena *a, const char *s)
{
    return s ? arena_strdup(a, s) : NULL;
}

/* Keeps row for audit_submit_deferred: its strings may live in the caller's
 * frame, so they are copied into the call's arena. */
static void defer(ctx *c, const audit_row *row)
{
    struct audit_deferred *d = arena_alloc(c->arena, sizeof *d);
    d->row = *row;
    d->row.user_login = keep(c->arena, row->user_login);
    d->row.action = keep(c->arena, row->action);
    d->row.object_type = keep(c->arena, row->object_type);
    d->row.object_id = keep(c->arena, row->object_id);
    d->row.patient_id = keep(c->arena, row->patient_id);
    d->row.outcome = keep(c->arena, row->outcome);
    d->row.client_addr = keep(c->arena, row->client_addr);
    d->row.request_id = keep(c->arena, row->request_id);
    d->row.detail = keep(c->arena, row->detail);
    d->next = NULL;
    struct audit_deferred **tail = &c->audit_deferred;
    while (*tail)
        tail = &(*tail)->next;
    *tail = d;
}

core_rc audit_record(ctx *c, const audit_event *e)
{
    audit_row row = {
        .at = c->now_ms,
        .user_id = e->user_id ? e->user_id : (c->who ? c->who->user_id : 0),
        .user_login = e->login ? e->login : (c->who ? c->who->login : NULL),
        .action = e->action,
        .object_type = e->object_type,
        .object_id = e->object_id,
        .patient_id = e->patient_id,
        .outcome = e->outcome ? e->outcome : AUDIT_SUCCESS,
        .client_addr = c->client_addr,
        .request_id = c->request_id,
        .detail = e->detail,
    };
    db_conn *held = c->conn_;
    if (held && db_in_tx(held))
        /* inside the caller's transaction: commits or rolls back with it */
        return audit_append_rows(c->app, held, c->arena, &row, 1) == DB_OK ? CORE_OK : CORE_ERROR;
    if (c->app->audit_q && c->audit_defer) {
        defer(c, &row);
        return CORE_OK;
    }
    if (c->app->audit_q)
        return audit_queue_append(c->app->audit_q, &row) == DB_OK ? CORE_OK : CORE_ERROR;
    db_conn *conn = ctx_db(c);
    for (int attempt = 0; attempt < 3; attempt++) {
        if (db_begin_write(conn) != DB_OK)
            continue;
        audit_row copy = row;
        if (audit_append_rows(c->app, conn, c->arena, &copy, 1) == DB_OK &&
            db_commit(conn) == DB_OK)
            return CORE_OK;
        db_rollback(conn);
    }
    return CORE_ERROR;
}

/* Before reading the trail: waits until what the writer holds (spooled or
 * queued) is committed, then gives the call's connection back, since its read
 * snapshot (SQLite: one per request, see db_sqlite.c) may predate that commit. */
static void audit_settle(ctx *c)
{
    if (!c->app->audit_q)
        return;
    audit_queue_flush(c->app->audit_q);
    if (c->conn_ && !db_in_tx(c->conn_))
        ctx_done(c);
}

core_rc audit_verify(ctx *c, audit_report *report)
{
    audit_settle(c);
    db_conn *conn = ctx_db(c);
    memset(report, 0, sizeof *report);
    char prev[65];
    memset(prev, '0', 64);
    prev[64] = '\0';
    int64_t expected_seq = 1, after = 0;
    arena page;
    arena_init(&page, 64 * 1024);
    core_rc result = CORE_OK;
    for (;;) {
        audit_row *rows;
        int n = 0;
        arena_reset(&page);
        if (audit_store_range(conn, &page, after, 1000, &rows, &n) != DB_OK) {
            result = CORE_ERROR;
            goto out;
        }
        for (int i = 0; i < n; i++) {
            audit_row *r = &rows[i];
            char hash[65];
            if (r->seq != expected_seq) {
                report->broken_seq = expected_seq;
                report->reason = arena_printf(c->arena, "event %lld is missing (next is %lld)",
                                              (long long)expected_seq, (long long)r->seq);
                result = CORE_CONFLICT;
                goto out;
            }
            if (!r->prev_hash || strcmp(r->prev_hash, prev) != 0) {
                report->broken_seq = r->seq;
                report->reason =
                    arena_printf(c->arena, "event %lld does not follow the previous event's hash",
                                 (long long)r->seq);
                result = CORE_CONFLICT;
                goto out;
            }
            audit_hash(c->app->secret, r, hash);
            if (!r->hash || strcmp(hash, r->hash) != 0) {
                report->broken_seq = r->seq;
                report->reason = arena_printf(
                    c->arena, "event %lld was altered (its hash does not match its content)",
                    (long long)r->seq);
                result = CORE_CONFLICT;
                goto out;
            }
            memcpy(prev, hash, sizeof prev);
            report->checked++;
            expected_seq++;
            after = r->seq;
        }
        if (n < 1000)
            break;
    }
    /* the head remembers the last event: a removed tail shows here */
    int64_t head_seq;
    const char *head_hash;
    if (audit_store_head(conn, c->arena, &head_seq, &head_hash) != DB_OK) {
        result = CORE_ERROR;
        goto out;
    }
    if (head_seq != expected_seq - 1 || strcmp(head_hash, prev) != 0) {
        report->broken_seq = expected_seq;
        report->reason =
            arena_printf(c->arena, "the trail ends at event %lld but %lld events were recorded",
                         (long long)(expected_seq - 1), (long long)head_seq);
        result = CORE_CONFLICT;
    }
out:
    arena_free(&page);
    return result;
}

core_rc audit_query(ctx *c, const audit_filter *f, audit_row **out, int *n, core_error *err)
{
    if (!c->who || strcmp(c->who->role, "admin") != 0)
        return core_fail(err, CORE_FORBIDDEN, "role.admin_required", NULL,
                         "Le journal d'audit est réservé aux administrateurs.");
    audit_settle(c); /* the events of answered reads are there */
    if (audit_store_list(ctx_db(c), c->arena, f, out, n) != DB_OK)
        return core_fail(err, CORE_ERROR, "store.error", NULL, "Erreur interne.");
    audit_record(c, &(audit_event){.action = "audit.read", .patient_id = f->patient_id});
    return CORE_OK;
}

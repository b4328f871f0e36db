/* The HL7 interface for administrators: GET /api/admin/hl7/messages (the
 * store of received messages, with the answer each got) and GET
 * /api/admin/hl7/outbox (the outbound identity feed), newest first, paged by
 * id (`before`), filtered by `status`. Raw messages are included with raw=1. */
#include "api/api.h"
#include "api/input.h"
#include "api/render.h"
#include "hl7/hl7_admin.h"

#include <string.h>

static bool page(req *r, int64_t *limit, int64_t *before)
{
    return input_query_int(r, "limit", 50, 1, 200, limit) &&
           input_query_int(r, "before", 0, 0, INT64_MAX, before);
}

static void end_page(jw *w, bool more, int64_t last_id)
{
    jw_arr_end(w);
    if (more)
        render_id(w, "next_before", last_id);
    else
        jw_kstr(w, "next_before", NULL);
    jw_obj_end(w);
}

void api_hl7_messages(req *r)
{
    int64_t limit, before;
    if (!page(r, &limit, &before))
        return;
    const char *raw = req_query(r, "raw");
    bool with_raw = raw && strcmp(raw, "1") == 0;
    hl7_message_row *rows;
    int n = 0;
    core_error err = {0};
    core_rc rc = hl7_admin_messages(&r->ctx, req_query(r, "status"), before, (int)limit + 1, &rows,
                                    &n, &err);
    if (rc != CORE_OK) {
        reply_core_error(r, rc, &err);
        return;
    }
    bool more = n > limit;
    if (more)
        n = (int)limit;
    jw *w = reply_json(r, 200);
    jw_obj_begin(w);
    jw_key(w, "items");
    jw_arr_begin(w);
    for (int i = 0; i < n; i++) {
        const hl7_message_row *m = &rows[i];
        jw_obj_begin(w);
        render_id(w, "id", m->id);
        render_time(w, "received_at", m->received_at);
        jw_kstr(w, "peer", m->peer);
        jw_kstr(w, "sending_application", m->sender_app);
        jw_kstr(w, "sending_facility", m->sender_facility);
        jw_kstr(w, "control_id", m->control_id);
        jw_kstr(w, "message_type", m->message_type);
        jw_kstr(w, "status", m->status);
        jw_kstr(w, "ack_code", m->ack_code);
        jw_kstr(w, "error", m->error);
        if (m->patient_id)
            render_id(w, "patient_id", m->patient_id);
        else
            jw_kstr(w, "patient_id", NULL);
        jw_kint(w, "size", m->raw_size);
        jw_kstr(w, "ack", m->ack);
        if (with_raw) {
            jw_kstr(w, "raw_encoding", m->raw_encoding);
            jw_kstr(w, "raw", m->raw);
        }
        jw_obj_end(w);
    }
    end_page(w, more, n ? rows[n - 1].id : 0);
}

void api_hl7_outbox(req *r)
{
    int64_t limit, before;
    if (!page(r, &limit, &before))
        return;
    hl7_outbox_row *rows;
    int n = 0;
    core_error err = {0};
    core_rc rc =
        hl7_admin_outbox(&r->ctx, req_query(r, "status"), before, (int)limit + 1, &rows, &n, &err);
    if (rc != CORE_OK) {
        reply_core_error(r, rc, &err);
        return;
    }
    bool more = n > limit;
    if (more)
        n = (int)limit;
    jw *w = reply_json(r, 200);
    jw_obj_begin(w);
    jw_key(w, "items");
    jw_arr_begin(w);
    for (int i = 0; i < n; i++) {
        const hl7_outbox_row *m = &rows[i];
        jw_obj_begin(w);
        render_id(w, "id", m->id);
        render_id(w, "patient_id", m->patient_id);
        jw_kstr(w, "event", m->event);
        jw_kstr(w, "control_id", m->control_id);
        jw_kstr(w, "status", m->status);
        jw_kint(w, "attempts", m->attempts);
        render_time(w, "created_at", m->created_at);
        if (strcmp(m->status, "pending") == 0)
            render_time(w, "next_attempt_at", m->next_attempt_at);
        if (m->sent_at)
            render_time(w, "sent_at", m->sent_at);
        jw_kstr(w, "last_error", m->last_error);
        jw_kstr(w, "ack", m->ack);
        jw_kstr(w, "message", m->message);
        jw_obj_end(w);
    }
    end_page(w, more, n ? rows[n - 1].id : 0);
}

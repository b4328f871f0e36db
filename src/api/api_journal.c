/* The journal (cahier de liaison): /api/patients/:id/notes, corrections,
 * deletion, attachments (raw uploads), read receipts. */
#include "api/api.h"
#include "api/input.h"
#include "api/render.h"
#include "core/journal.h"

#include <stdio.h>
#include <string.h>

static void render_note(jw *w, const note *n, const attachment *atts, int natts)
{
    char url[128];
    jw_obj_begin(w);
    render_id(w, "id", n->id);
    render_id(w, "patient_id", n->patient_id);
    jw_kstr(w, "type", n->type);
    jw_kstr(w, "text", n->text);
    jw_kbool(w, "urgent", n->urgent);
    jw_kstr(w, "visibility", n->visibility);
    render_id(w, "reply_to", n->reply_to);
    jw_key(w, "author");
    jw_obj_begin(w);
    render_id(w, "id", n->author_id);
    jw_kstr(w, "display_name", n->author_name);
    jw_obj_end(w);
    jw_kstr(w, "source", n->source);
    jw_kint(w, "version", n->version);
    jw_kbool(w, "corrected", n->version > 1 && !n->deleted_at);
    jw_kbool(w, "deleted", n->deleted_at != 0);
    char created[40];
    time_format_iso(n->created_at, created, sizeof created);
    size_t len = strlen(created);
    jw_key(w, "created_at");
    jw_str_plain(w, created, len);
    if (n->updated_at == n->created_at) { /* most notes: formatted once */
        jw_key(w, "updated_at");
        jw_str_plain(w, created, len);
    } else {
        render_time(w, "updated_at", n->updated_at);
    }
    jw_kint(w, "read_count", n->nreads);
    jw_key(w, "attachments");
    jw_arr_begin(w);
    for (int i = 0; i < natts && !n->deleted_at; i++) {
        if (atts[i].note_id != n->id)
            continue;
        jw_obj_begin(w);
        render_id(w, "id", atts[i].id);
        jw_kstr(w, "filename", atts[i].filename);
        jw_kstr(w, "content_type", atts[i].content_type);
        jw_kint(w, "size", atts[i].size);
        jw_kstr(w, "sha256", atts[i].sha256);
        snprintf(url, sizeof url, "/api/patients/%lld/notes/%lld/attachments/%lld",
                 (long long)n->patient_id, (long long)n->id, (long long)atts[i].id);
        jw_kstr(w, "url", url);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_obj_end(w);
}

void api_notes_create(req *r)
{
    static const char *const fields[] = {"type", "text", "urgent", "visibility", "reply_to", NULL};
    int64_t id;
    if (!input_path_id(r, "id", &id))
        return;
    cJSON *body = input_json_object(r, fields);
    note_input in = {0};
    if (!body || !input_string(r, body, "type", true, 16, &in.type) ||
        !input_string(r, body, "text", true, JOURNAL_MAX_TEXT, &in.text) ||
        !input_bool(r, body, "urgent", false, &in.urgent) ||
        !input_string(r, body, "visibility", false, 32, &in.visibility) ||
        !input_id(r, body, "reply_to", false, &in.reply_to))
        return;
    note n;
    core_error err = {0};
    core_rc rc = journal_create(&r->ctx, id, &in, &n, &err);
    if (rc != CORE_OK) {
        reply_core_error(r, rc, &err);
        return;
    }
    reply_header(r, "Location",
                 arena_printf(&r->arena, "/api/patients/%lld/notes/%lld", (long long)n.patient_id,
                              (long long)n.id));
    n.nreads = 1;
    render_note(reply_json(r, 201), &n, NULL, 0);
}

static bool query_time(req *r, const char *name, int64_t *out)
{
    const char *s = req_query(r, name);
    *out = 0;
    if (!s || time_parse_iso(s, out))
        return true;
    reply_problem(r, 400, "query.invalid", "Requête invalide",
                  arena_printf(&r->arena, "« %s » est une date ISO 8601.", name), name);
    return false;
}

void api_notes_list(req *r)
{
    int64_t id, limit, before, author, urgent;
    note_filter f = {0};
    if (!input_path_id(r, "id", &id) || !input_query_int(r, "limit", 50, 1, 200, &limit) ||
        !input_query_int(r, "before", 0, 0, INT64_MAX, &before) ||
        !input_query_int(r, "author", 0, 0, INT64_MAX, &author) ||
        !input_query_int(r, "urgent", 0, 0, 1, &urgent) || !query_time(r, "from", &f.from_ms) ||
        !query_time(r, "to", &f.to_ms))
        return;
    f.limit = (int)limit + 1;
    f.before = before;
    f.author_id = author;
    f.urgent_only = urgent;
    f.type = req_query(r, "type");
    note *notes;
    attachment *atts;
    int n = 0, natts = 0;
    core_error err = {0};
    core_rc rc = journal_list(&r->ctx, id, &f, &notes, &n, &atts, &natts, &err);
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
    for (int i = 0; i < n; i++)
        render_note(w, &notes[i], atts, natts);
    jw_arr_end(w);
    if (more)
        render_id(w, "next_before", notes[n - 1].id);
    else
        jw_kstr(w, "next_before", NULL);
    jw_obj_end(w);
}

void api_notes_get(req *r)
{
    int64_t id, nid;
    if (!input_path_id(r, "id", &id) || !input_path_id(r, "note_id", &nid))
        return;
    note n;
    core_error err = {0};
    core_rc rc = journal_get(&r->ctx, id, nid, &n, &err);
    if (rc != CORE_OK) {
        reply_core_error(r, rc, &err);
        return;
    }
    render_note(reply_json(r, 200), &n, NULL, 0);
}

void api_notes_correct(req *r)
{
    static const char *const fields[] = {"text", "version", NULL};
    int64_t id, nid, version;
    if (!input_path_id(r, "id", &id) || !input_path_id(r, "note_id", &nid))
        return;
    cJSON *body = input_json_object(r, fields);
    const char *text;
    if (!body || !input_string(r, body, "text", true, JOURNAL_MAX_TEXT, &text) ||
        !input_id(r, body, "version", true, &version))
        return;
    note n;
    core_error err = {0};
    core_rc rc = journal_correct(&r->ctx, id, nid, version, text, &n, &err);
    if (rc != CORE_OK) {
        reply_core_error(r, rc, &err);
        return;
    }
    render_note(reply_json(r, 200), &n, NULL, 0);
}

void api_notes_delete(req *r)
{
    int64_t id, nid;
    if (!input_path_id(r, "id", &id) || !input_path_id(r, "note_id", &nid))
        return;
    core_error err = {0};
    core_rc rc = journal_delete(&r->ctx, id, nid, &err);
    if (rc != CORE_OK) {
        reply_core_error(r, rc, &err);
        return;
    }
    reply_empty(r, 204);
}

void api_notes_revisions(req *r)
{
    int64_t id, nid;
    if (!input_path_id(r, "id", &id) || !input_path_id(r, "note_id", &nid))
        return;
    note_revision *revs;
    int n = 0;
    core_error err = {0};
    core_rc rc = journal_revisions(&r->ctx, id, nid, &revs, &n, &err);
    if (rc != CORE_OK) {
        reply_core_error(r, rc, &err);
        return;
    }
    jw *w = reply_json(r, 200);
    jw_obj_begin(w);
    jw_key(w, "items");
    jw_arr_begin(w);
    for (int i = 0; i < n; i++) {
        jw_obj_begin(w);
        jw_kint(w, "version", revs[i].version);
        jw_kstr(w, "text", revs[i].text);
        render_id(w, "edited_by", revs[i].edited_by);
        render_time(w, "edited_at", revs[i].edited_at);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_obj_end(w);
}

void api_notes_mark_read(req *r)
{
    int64_t id, nid;
    if (!input_path_id(r, "id", &id) || !input_path_id(r, "note_id", &nid))
        return;
    core_error err = {0};
    core_rc rc = journal_mark_read(&r->ctx, id, nid, &err);
    if (rc != CORE_OK) {
        reply_core_error(r, rc, &err);
        return;
    }
    reply_empty(r, 204);
}

void api_notes_reads(req *r)
{
    int64_t id, nid;
    if (!input_path_id(r, "id", &id) || !input_path_id(r, "note_id", &nid))
        return;
    note_read_row *rows;
    int n = 0;
    core_error err = {0};
    core_rc rc = journal_reads(&r->ctx, id, nid, &rows, &n, &err);
    if (rc != CORE_OK) {
        reply_core_error(r, rc, &err);
        return;
    }
    jw *w = reply_json(r, 200);
    jw_obj_begin(w);
    jw_key(w, "items");
    jw_arr_begin(w);
    for (int i = 0; i < n; i++) {
        jw_obj_begin(w);
        render_id(w, "user_id", rows[i].user_id);
        jw_kstr(w, "display_name", rows[i].display_name);
        render_time(w, "read_at", rows[i].read_at);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_obj_end(w);
}

/* The body is the file itself; Content-Type names its type, and the optional
 * query parameter `filename` its name. */
void api_notes_attach(req *r)
{
    int64_t id, nid;
    if (!input_path_id(r, "id", &id) || !input_path_id(r, "note_id", &nid))
        return;
    const char *type = req_header_value(r, "Content-Type");
    char bare[64] = "";
    if (type) {
        size_t n = strcspn(type, "; ");
        if (n < sizeof bare) {
            memcpy(bare, type, n);
            bare[n] = '\0';
        }
    }
    attachment at;
    core_error err = {0};
    core_rc rc = journal_attach(&r->ctx, id, nid, req_query(r, "filename"), bare,
                                (const unsigned char *)r->body.data, r->body.len, &at, &err);
    if (rc != CORE_OK) {
        if (rc == CORE_INVALID && err.code && strcmp(err.code, "attachment.type") == 0) {
            reply_problem(r, 415, err.code, "Type de contenu non pris en charge", err.message,
                          err.field);
            return;
        }
        reply_core_error(r, rc, &err);
        return;
    }
    jw *w = reply_json(r, 201);
    jw_obj_begin(w);
    render_id(w, "id", at.id);
    jw_kstr(w, "filename", at.filename);
    jw_kstr(w, "content_type", at.content_type);
    jw_kint(w, "size", at.size);
    jw_kstr(w, "sha256", at.sha256);
    jw_obj_end(w);
}

void api_notes_attachment(req *r)
{
    int64_t id, nid, aid;
    if (!input_path_id(r, "id", &id) || !input_path_id(r, "note_id", &nid) ||
        !input_path_id(r, "attachment_id", &aid))
        return;
    attachment meta;
    unsigned char *data;
    size_t len = 0;
    core_error err = {0};
    core_rc rc = journal_attachment(&r->ctx, id, nid, aid, &meta, &data, &len, &err);
    if (rc != CORE_OK) {
        reply_core_error(r, rc, &err);
        return;
    }
    r->status = 200;
    r->content_type = meta.content_type;
    buf_reset(&r->out);
    buf_append(&r->out, data, len);
    /* PDFs download; images show inline; the name is ours, never a header injection */
    reply_header(r, "Content-Disposition",
                 strcmp(meta.content_type, "application/pdf") == 0
                     ? "attachment; filename=\"piece-jointe.pdf\""
                     : "inline");
    reply_header(r, "Cache-Control", "private, no-store");
}

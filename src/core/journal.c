#include "core/journal.h"
#include "core/audit.h"
#include "core/circle.h"
#include "core/notify.h"
#include "core/text.h"
#include "util/json.h"

#include <sodium.h>
#include <string.h>

static const char *id_text(ctx *c, int64_t id)
{
    return arena_printf(c->arena, "%lld", (long long)id);
}

static core_rc store_error(core_error *err)
{
    return core_fail(err, CORE_ERROR, "store.error", NULL, "Erreur interne.");
}

bool journal_type_valid(const char *type)
{
    static const char *const types[] = {"DEM-AVIS", "GEN", "INST", "INTERV", "OBS", NULL};
    for (const char *const *t = types; type && *t; t++)
        if (strcmp(*t, type) == 0)
            return true;
    return false;
}

/* Note text: valid UTF-8, 1..JOURNAL_MAX_TEXT bytes, no control characters
 * other than newline and tab, not only white space. */
static bool text_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > JOURNAL_MAX_TEXT || !utf8_valid(s, n))
        return false;
    bool visible = false;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if ((ch < 0x20 && ch != '\n' && ch != '\t' && ch != '\r') || ch == 0x7f)
            return false;
        if (ch > ' ')
            visible = true;
    }
    return visible;
}

static bool sees_professional_notes(const ctx *c)
{
    return !c->who || strcmp(c->who->role, "professional") == 0 ||
           strcmp(c->who->role, "coordinator") == 0;
}

/* Loads note_id and checks it belongs to the patient's record family. */
static core_rc load_note(ctx *c, int64_t pid, int64_t note_id, note *out, core_error *err)
{
    db_rc rc = journal_store_get(ctx_db(c), c->arena, note_id, out);
    if (rc == DB_NOTFOUND)
        return core_fail(err, CORE_NOTFOUND, "note.not_found", NULL, "Note introuvable.");
    if (rc != DB_OK)
        return store_error(err);
    if (out->patient_id != pid) {
        int64_t *family;
        int n = 0;
        bool ours = false;
        if (circle_patient_family(c, pid, &family, &n) != CORE_OK)
            return store_error(err);
        for (int i = 0; i < n && !ours; i++)
            ours = family[i] == out->patient_id;
        if (!ours)
            return core_fail(err, CORE_NOTFOUND, "note.not_found", NULL, "Note introuvable.");
    }
    if (strcmp(out->visibility, "all") != 0 && !sees_professional_notes(c))
        return core_fail(err, CORE_NOTFOUND, "note.not_found", NULL, "Note introuvable.");
    return CORE_OK;
}

core_rc journal_create(ctx *c, int64_t patient_id, const note_input *in, note *out, core_error *err)
{
    int64_t pid;
    authz_basis basis;
    core_rc rc = authz_patient(c, patient_id, "note.create", &pid, &basis, err);
    if (rc != CORE_OK)
        return rc;
    if (!journal_type_valid(in->type))
        return core_fail(err, CORE_INVALID, "note.type", "type",
                         "Type de note attendu : DEM-AVIS, GEN, INST, INTERV ou OBS.");
    if (!text_ok(in->text))
        return core_fail(err, CORE_INVALID, "note.text", "text",
                         "Le texte de la note est vide, trop long (20 000 octets au plus) ou "
                         "contient des caractères de contrôle.");
    const char *visibility = in->visibility ? in->visibility : "all";
    if (strcmp(visibility, "all") != 0 && strcmp(visibility, "professionals") != 0)
        return core_fail(err, CORE_INVALID, "note.visibility", "visibility",
                         "Visibilité attendue : all ou professionals.");
    note parent = {0};
    if (in->reply_to && (rc = load_note(c, pid, in->reply_to, &parent, err)) != CORE_OK) {
        if (rc == CORE_NOTFOUND)
            return core_fail(err, CORE_INVALID, "note.reply_to", "reply_to",
                             "La note à laquelle vous répondez n'existe pas pour ce patient.");
        return rc;
    }
    note n = {.patient_id = pid,
              .author_id = c->who ? c->who->user_id : in->author_id,
              .author_name = c->who ? (c->who->display_name ? c->who->display_name : c->who->login)
                             : in->author_name ? in->author_name
                                               : "parcours",
              .type = in->type,
              .text = in->text,
              .urgent = in->urgent,
              .visibility = visibility,
              .reply_to = in->reply_to,
              .source = in->source,
              .created_at = c->now_ms};
    if (!n.author_id)
        return core_fail(err, CORE_INVALID, "note.author", NULL,
                         "Une note a toujours un auteur identifié.");
    db_conn *conn = ctx_db(c);
    int64_t *members = NULL;
    int nmembers = 0;
    db_rc drc = db_begin_write(conn);
    if (drc == DB_OK)
        drc = journal_store_insert(conn, c->arena, &n);
    if (drc == DB_OK)
        drc = journal_store_mark_read(conn, c->arena, n.id, n.author_id, c->now_ms);
    if (drc == DB_OK && circle_member_users(c, pid, &members, &nmembers) != CORE_OK)
        drc = DB_ERROR;
    if (drc == DB_OK) {
        const char *snippet = arena_strndup(c->arena, n.text, 140);
        notification_input ni = {.kind = NOTIFY_NOTE_NEW,
                                 .patient_id = pid,
                                 .object_id = id_text(c, n.id),
                                 .title = n.urgent ? "Nouvelle note URGENTE" : "Nouvelle note",
                                 .body = snippet,
                                 .urgent = n.urgent};
        if (in->reply_to && parent.author_id) {
            /* the parent's author hears of a reply as a reply, the others as a note */
            notification_input reply = ni;
            reply.kind = NOTIFY_NOTE_REPLY;
            reply.title = "Réponse à votre note";
            if (notify_users(c, &parent.author_id, 1, &reply) != CORE_OK)
                drc = DB_ERROR;
            for (int i = 0; i < nmembers; i++)
                if (members[i] == parent.author_id)
                    members[i] = n.author_id; /* skipped as the actor */
        }
        if (drc == DB_OK && notify_users(c, members, nmembers, &ni) != CORE_OK)
            drc = DB_ERROR;
    }
    if (drc != DB_OK ||
        audit_record(c, &(audit_event){.action = "note.create",
                                       .object_type = "note",
                                       .object_id = id_text(c, n.id),
                                       .patient_id = id_text(c, pid),
                                       .detail = basis == AUTHZ_BREAK_GLASS ? "break-the-glass"
                                                                            : NULL}) != CORE_OK ||
        db_commit(conn) != DB_OK) {
        db_rollback(conn);
        return store_error(err);
    }
    *out = n;
    return CORE_OK;
}

core_rc journal_list(ctx *c, int64_t patient_id, note_filter *f, note **out, int *n,
                     attachment **atts, int *natts, core_error *err)
{
    int64_t pid;
    authz_basis basis;
    int64_t *family;
    int nfamily = 0;
    core_rc rc = authz_patient_family(c, patient_id, "note.read", &pid, &basis, &family, &nfamily,
                                      err);
    if (rc != CORE_OK)
        return rc;
    if (f->type && !journal_type_valid(f->type))
        return core_fail(err, CORE_INVALID, "note.type", "type",
                         "Type de note attendu : DEM-AVIS, GEN, INST, INTERV ou OBS.");
    f->professionals = sees_professional_notes(c);
    db_conn *conn = ctx_db(c);
    if (journal_store_list(conn, c->arena, family, nfamily, f, out, n) != DB_OK)
        return store_error(err);
    *natts = 0;
    *atts = NULL;
    int64_t *with_files = arena_calloc(c->arena, (size_t)*n + 1, sizeof(int64_t));
    int nwith = 0;
    for (int i = 0; i < *n; i++) {
        if ((*out)[i].nattachments && !(*out)[i].deleted_at)
            with_files[nwith++] = (*out)[i].id;
        if ((*out)[i].deleted_at)
            (*out)[i].text = NULL; /* a deleted note shows as a trace, not its text */
    }
    if (nwith && journal_store_attachments(conn, c->arena, with_files, nwith, atts, natts) != DB_OK)
        return store_error(err);
    if (audit_record(c, &(audit_event){.action = "note.read",
                                       .object_type = "patient",
                                       .patient_id = id_text(c, pid),
                                       .detail = basis == AUTHZ_BREAK_GLASS ? "break-the-glass"
                                                                            : NULL}) != CORE_OK)
        return store_error(err);
    return CORE_OK;
}

core_rc journal_get(ctx *c, int64_t patient_id, int64_t note_id, note *out, core_error *err)
{
    int64_t pid;
    authz_basis basis;
    core_rc rc = authz_patient(c, patient_id, "note.read", &pid, &basis, err);
    if (rc != CORE_OK || (rc = load_note(c, pid, note_id, out, err)) != CORE_OK)
        return rc;
    if (out->deleted_at)
        out->text = NULL;
    audit_record(c, &(audit_event){.action = "note.read",
                                   .object_type = "note",
                                   .object_id = id_text(c, note_id),
                                   .patient_id = id_text(c, pid)});
    return CORE_OK;
}

core_rc journal_correct(ctx *c, int64_t patient_id, int64_t note_id, int64_t version,
                        const char *text, note *out, core_error *err)
{
    int64_t pid;
    authz_basis basis;
    core_rc rc = authz_patient(c, patient_id, "note.correct", &pid, &basis, err);
    if (rc != CORE_OK || (rc = load_note(c, pid, note_id, out, err)) != CORE_OK)
        return rc;
    if (!c->who || out->author_id != c->who->user_id)
        return core_fail(err, CORE_FORBIDDEN, "note.not_author", NULL,
                         "Seul l'auteur d'une note peut la corriger.");
    if (out->deleted_at)
        return core_fail(err, CORE_CONFLICT, "note.deleted", NULL, "Cette note a été supprimée.");
    if (!text_ok(text))
        return core_fail(err, CORE_INVALID, "note.text", "text",
                         "Le texte de la note est vide, trop long ou contient des caractères de "
                         "contrôle.");
    db_conn *conn = ctx_db(c);
    db_rc drc = db_begin_write(conn);
    if (drc == DB_OK)
        drc = journal_store_correct(conn, c->arena, note_id, version, text, c->who->user_id,
                                    c->now_ms);
    /* a concurrent correction of the same version: on PostgreSQL the loser
     * waits for the winner, then hits the revision's primary key */
    if (drc == DB_NOTFOUND || drc == DB_CONSTRAINT) {
        db_rollback(conn);
        return core_fail(err, CORE_CONFLICT, "note.version", "version",
                         "Cette note a été modifiée entre-temps : rechargez-la.");
    }
    if (drc != DB_OK ||
        audit_record(c, &(audit_event){.action = "note.correct",
                                       .object_type = "note",
                                       .object_id = id_text(c, note_id),
                                       .patient_id = id_text(c, pid)}) != CORE_OK ||
        db_commit(conn) != DB_OK) {
        db_rollback(conn);
        return store_error(err);
    }
    out->text = text;
    out->version = version + 1;
    out->updated_at = c->now_ms;
    return CORE_OK;
}

core_rc journal_delete(ctx *c, int64_t patient_id, int64_t note_id, core_error *err)
{
    int64_t pid;
    authz_basis basis;
    note n;
    core_rc rc = authz_patient(c, patient_id, "note.delete", &pid, &basis, err);
    if (rc != CORE_OK || (rc = load_note(c, pid, note_id, &n, err)) != CORE_OK)
        return rc;
    if (!c->who || n.author_id != c->who->user_id)
        return core_fail(err, CORE_FORBIDDEN, "note.not_author", NULL,
                         "Seul l'auteur d'une note peut la supprimer.");
    db_conn *conn = ctx_db(c);
    db_rc drc = db_begin_write(conn);
    if (drc == DB_OK)
        drc = journal_store_delete(conn, c->arena, note_id, c->who->user_id, c->now_ms);
    if (drc == DB_NOTFOUND) {
        db_rollback(conn);
        return core_fail(err, CORE_CONFLICT, "note.deleted", NULL,
                         "Cette note est déjà supprimée.");
    }
    if (drc != DB_OK ||
        audit_record(c, &(audit_event){.action = "note.delete",
                                       .object_type = "note",
                                       .object_id = id_text(c, note_id),
                                       .patient_id = id_text(c, pid)}) != CORE_OK ||
        db_commit(conn) != DB_OK) {
        db_rollback(conn);
        return store_error(err);
    }
    return CORE_OK;
}

core_rc journal_revisions(ctx *c, int64_t patient_id, int64_t note_id, note_revision **out, int *n,
                          core_error *err)
{
    note x;
    core_rc rc = journal_get(c, patient_id, note_id, &x, err);
    if (rc != CORE_OK)
        return rc;
    return journal_store_revisions(ctx_db(c), c->arena, note_id, out, n) == DB_OK
               ? CORE_OK
               : store_error(err);
}

core_rc journal_mark_read(ctx *c, int64_t patient_id, int64_t note_id, core_error *err)
{
    int64_t pid;
    authz_basis basis;
    note n;
    core_rc rc = authz_patient(c, patient_id, "note.read", &pid, &basis, err);
    if (rc != CORE_OK || (rc = load_note(c, pid, note_id, &n, err)) != CORE_OK)
        return rc;
    /* the receipt and the note's count of receipts change together */
    db_conn *conn = ctx_db(c);
    if (db_begin_write(conn) != DB_OK ||
        journal_store_mark_read(conn, c->arena, note_id, c->who ? c->who->user_id : 0,
                                c->now_ms) != DB_OK ||
        db_commit(conn) != DB_OK) {
        db_rollback(conn);
        return store_error(err);
    }
    return CORE_OK;
}

core_rc journal_reads(ctx *c, int64_t patient_id, int64_t note_id, note_read_row **out, int *n,
                      core_error *err)
{
    note x;
    core_rc rc = journal_get(c, patient_id, note_id, &x, err);
    if (rc != CORE_OK)
        return rc;
    return journal_store_reads(ctx_db(c), c->arena, note_id, out, n) == DB_OK ? CORE_OK
                                                                              : store_error(err);
}

/* The allow-list, each with the first bytes its files start with. */
static bool content_matches(const char *type, const unsigned char *d, size_t n)
{
    if (strcmp(type, "image/jpeg") == 0)
        return n >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF;
    if (strcmp(type, "image/png") == 0)
        return n >= 8 && memcmp(d, "\x89PNG\r\n\x1a\n", 8) == 0;
    if (strcmp(type, "image/webp") == 0)
        return n >= 12 && memcmp(d, "RIFF", 4) == 0 && memcmp(d + 8, "WEBP", 4) == 0;
    if (strcmp(type, "application/pdf") == 0)
        return n >= 5 && memcmp(d, "%PDF-", 5) == 0;
    return false;
}

core_rc journal_attach(ctx *c, int64_t patient_id, int64_t note_id, const char *filename,
                       const char *content_type, const unsigned char *data, size_t len,
                       attachment *out, core_error *err)
{
    int64_t pid;
    authz_basis basis;
    note n;
    core_rc rc = authz_patient(c, patient_id, "note.attach", &pid, &basis, err);
    if (rc != CORE_OK || (rc = load_note(c, pid, note_id, &n, err)) != CORE_OK)
        return rc;
    if (!c->who || n.author_id != c->who->user_id)
        return core_fail(err, CORE_FORBIDDEN, "note.not_author", NULL,
                         "Seul l'auteur d'une note peut y joindre un fichier.");
    if (!content_type ||
        (strcmp(content_type, "image/jpeg") && strcmp(content_type, "image/png") &&
         strcmp(content_type, "image/webp") && strcmp(content_type, "application/pdf")))
        return core_fail(err, CORE_INVALID, "attachment.type", "content_type",
                         "Pièces jointes acceptées : photos JPEG, PNG, WebP et documents PDF.");
    if (len == 0 || len > c->app->cfg.max_attachment)
        return core_fail(err, CORE_INVALID, "attachment.size", NULL,
                         arena_printf(c->arena, "La pièce jointe doit peser de 1 octet à %zu Mo.",
                                      c->app->cfg.max_attachment / (1024 * 1024)));
    if (!content_matches(content_type, data, len))
        return core_fail(err, CORE_INVALID, "attachment.content", "content_type",
                         "Le contenu du fichier ne correspond pas à son type.");
    if (!filename || !text_is_clean(filename, 1, 200) || strchr(filename, '/') ||
        strchr(filename, '\\'))
        filename = "piece-jointe";
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, data, len);
    char *hex = arena_alloc(c->arena, 2 * sizeof digest + 1);
    sodium_bin2hex(hex, 2 * sizeof digest + 1, digest, sizeof digest);
    size_t b64len = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
    char *b64 = arena_alloc(c->arena, b64len);
    sodium_bin2base64(b64, b64len, data, len, sodium_base64_VARIANT_ORIGINAL);
    attachment at = {.note_id = note_id,
                     .filename = filename,
                     .content_type = content_type,
                     .size = (int64_t)len,
                     .sha256 = hex,
                     .data_base64 = b64,
                     .created_at = c->now_ms};
    db_conn *conn = ctx_db(c);
    db_rc drc = db_begin_write(conn);
    if (drc == DB_OK)
        drc = journal_store_add_attachment(conn, c->arena, &at);
    if (drc != DB_OK ||
        audit_record(c, &(audit_event){.action = "note.attach",
                                       .object_type = "note",
                                       .object_id = id_text(c, note_id),
                                       .patient_id = id_text(c, pid),
                                       .detail = arena_printf(c->arena, "%s %zu bytes",
                                                              content_type, len)}) != CORE_OK ||
        db_commit(conn) != DB_OK) {
        db_rollback(conn);
        return store_error(err);
    }
    at.data_base64 = NULL;
    *out = at;
    return CORE_OK;
}

core_rc journal_attachment(ctx *c, int64_t patient_id, int64_t note_id, int64_t attachment_id,
                           attachment *meta, unsigned char **data, size_t *len, core_error *err)
{
    note n;
    core_rc rc = journal_get(c, patient_id, note_id, &n, err);
    if (rc != CORE_OK)
        return rc;
    db_rc drc = journal_store_attachment(ctx_db(c), c->arena, attachment_id, meta);
    if (drc == DB_NOTFOUND || (drc == DB_OK && meta->note_id != note_id) || n.deleted_at)
        return core_fail(err, CORE_NOTFOUND, "attachment.not_found", NULL,
                         "Pièce jointe introuvable.");
    if (drc != DB_OK)
        return store_error(err);
    size_t cap = (size_t)meta->size + 4;
    *data = arena_alloc(c->arena, cap);
    if (sodium_base642bin(*data, cap, meta->data_base64, strlen(meta->data_base64), NULL, len, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0)
        return store_error(err);
    meta->data_base64 = NULL;
    return CORE_OK;
}

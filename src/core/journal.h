/* journal: the shared liaison notebook (cahier de liaison) of a patient —
 * notes typed after the national guide (JDV_J23: DEM-AVIS, GEN, INST, INTERV,
 * OBS), urgency, visibility, replies, attachments (photos, PDF), corrections
 * by their author that keep the earlier text, logical deletion that leaves a
 * trace, read receipts. Every read and write goes through authz_patient and is
 * audited; a new note notifies the circle within the same transaction. */
#ifndef PARCOURS_CORE_JOURNAL_H
#define PARCOURS_CORE_JOURNAL_H

#include "core/ctx.h"
#include "store/journal_store.h"

#define JOURNAL_MAX_TEXT 20000

typedef struct note_input {
    const char *type;
    const char *text;
    bool urgent;
    const char *visibility; /* NULL = "all" */
    int64_t reply_to;
    const char *source;     /* set by system producers (HL7), NULL otherwise */
    /* A system producer acting for the platform (c->who == NULL, so that
     * authz_patient grants AUTHZ_OPERATOR) names the account that signs the
     * note, e.g. the "hl7" system account. Ignored when c->who is set. */
    int64_t author_id;
    const char *author_name;
} note_input;

bool journal_type_valid(const char *type);

/* Creates a note on patient_id (a merged record's notes go to the survivor). */
core_rc journal_create(ctx *c, int64_t patient_id, const note_input *in, note *out,
                       core_error *err);
core_rc journal_list(ctx *c, int64_t patient_id, note_filter *f, note **out, int *n,
                     attachment **atts, int *natts, core_error *err);
core_rc journal_get(ctx *c, int64_t patient_id, int64_t note_id, note *out, core_error *err);
/* Only the author corrects, at the current version (CORE_CONFLICT otherwise). */
core_rc journal_correct(ctx *c, int64_t patient_id, int64_t note_id, int64_t version,
                        const char *text, note *out, core_error *err);
core_rc journal_delete(ctx *c, int64_t patient_id, int64_t note_id, core_error *err);
core_rc journal_revisions(ctx *c, int64_t patient_id, int64_t note_id, note_revision **out,
                          int *n, core_error *err);
core_rc journal_mark_read(ctx *c, int64_t patient_id, int64_t note_id, core_error *err);
core_rc journal_reads(ctx *c, int64_t patient_id, int64_t note_id, note_read_row **out, int *n,
                      core_error *err);

/* Attaches bytes to a note of the caller's: content type from the allow-list
 * (image/jpeg, image/png, image/webp, application/pdf) and matching the file's
 * first bytes, size within PARCOURS_MAX_ATTACHMENT. */
core_rc journal_attach(ctx *c, int64_t patient_id, int64_t note_id, const char *filename,
                       const char *content_type, const unsigned char *data, size_t len,
                       attachment *out, core_error *err);
/* The attachment's bytes (decoded into the arena). */
core_rc journal_attachment(ctx *c, int64_t patient_id, int64_t note_id, int64_t attachment_id,
                           attachment *meta, unsigned char **data, size_t *len,
                           core_error *err);

#endif

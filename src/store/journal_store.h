/* journal_store: notes of the liaison notebook, their revisions, attachments
 * and read receipts. Reads cover the record and those merged into it. */
#ifndef PARCOURS_STORE_JOURNAL_STORE_H
#define PARCOURS_STORE_JOURNAL_STORE_H

#include "store/db.h"

typedef struct note {
    int64_t id;
    int64_t patient_id;
    int64_t author_id;
    const char *author_name;
    const char *type;
    const char *text;
    bool urgent;
    const char *visibility;
    int64_t reply_to;
    const char *source; /* NULL for notes typed by people; e.g. "hl7" */
    int64_t version;
    int64_t created_at, updated_at, deleted_at;
    int nattachments;
    int nreads;
} note;

typedef struct note_filter {
    int64_t before;   /* cursor: id < before (0 = newest) */
    const char *type; /* NULL = any */
    int64_t author_id;
    int64_t from_ms, to_ms; /* created_at range, 0 = open */
    bool urgent_only;
    bool professionals; /* the reader may see 'professionals' notes */
    int limit;
} note_filter;

db_rc journal_store_insert(db_conn *c, arena *a, note *n);
db_rc journal_store_get(db_conn *c, arena *a, int64_t id, note *out);
/* Newest first across the given records (a patient and the records merged
 * into it), at most f->limit. */
db_rc journal_store_list(db_conn *c, arena *a, const int64_t *family, int nfamily,
                         const note_filter *f, note **out, int *n);
/* Saves the current text as a revision, then sets the new one, if the note is
 * still at expected_version and not deleted (DB_NOTFOUND otherwise). */
db_rc journal_store_correct(db_conn *c, arena *a, int64_t id, int64_t expected_version,
                            const char *text, int64_t by, int64_t now);
db_rc journal_store_delete(db_conn *c, arena *a, int64_t id, int64_t by, int64_t now);

typedef struct note_revision {
    int64_t version;
    const char *text;
    int64_t edited_by, edited_at;
} note_revision;
db_rc journal_store_revisions(db_conn *c, arena *a, int64_t id, note_revision **out, int *n);

typedef struct attachment {
    int64_t id, note_id, size, created_at;
    const char *filename, *content_type, *sha256;
    const char *data_base64; /* only from journal_store_attachment */
} attachment;
/* Adds an attachment and counts it on its note (in the caller's transaction). */
db_rc journal_store_add_attachment(db_conn *c, arena *a, attachment *at);
/* Metadata of the attachments of the given notes (those whose
 * attachment_count is not 0: a note's neighbours by id belong to other
 * patients). */
db_rc journal_store_attachments(db_conn *c, arena *a, const int64_t *note_ids, int nnotes,
                                attachment **out, int *n);
db_rc journal_store_attachment(db_conn *c, arena *a, int64_t id, attachment *out);

/* Records that user_id read the note, once, and counts it on the note (in the
 * caller's transaction). */
db_rc journal_store_mark_read(db_conn *c, arena *a, int64_t note_id, int64_t user_id, int64_t now);
typedef struct note_read_row {
    int64_t user_id, read_at;
    const char *display_name;
} note_read_row;
db_rc journal_store_reads(db_conn *c, arena *a, int64_t note_id, note_read_row **out, int *n);

#endif

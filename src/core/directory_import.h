/* directory_import: the bulk import of the national directory extraction
 * "PS_LibreAcces_Personne_activite" (Annuaire Santé, ANS): UTF-8 text, fields
 * separated by '|', a header line naming the columns, then one line per
 * professional × place of practice (a professional who practises in three
 * places has three lines).
 *
 * Columns are found by their name in the header, not by position, so that a
 * reordered file still imports and a file whose layout changed is refused
 * with the name of the missing column. A line that breaks a rule is rejected
 * with a stable code and a French reason, and the import goes on.
 *
 * Idempotent: professionals are keyed by IDNPS, organisations by the
 * extraction's technical structure id (else "siret:…", else "finess:…"),
 * places of practice by (professional, organisation); importing the same file
 * twice inserts nothing the second time. Rows absent from a later file are
 * not deleted.
 *
 * Constant memory: the caller feeds lines one at a time (at most
 * DIRECTORY_IMPORT_MAX_LINE bytes each), whatever a line allocates is freed
 * when the next one comes, and writes are committed every
 * DIRECTORY_IMPORT_BATCH lines (larger batches save some CPU on SQLite but
 * hold its write lock longer, delaying the server's writes). */
#ifndef PARCOURS_CORE_DIRECTORY_IMPORT_H
#define PARCOURS_CORE_DIRECTORY_IMPORT_H

#include <stddef.h>

#include "core/ctx.h"
#include "store/directory_store.h"

#define DIRECTORY_IMPORT_MAX_LINE 16384 /* bytes, end of line excluded */
#ifndef DIRECTORY_IMPORT_BATCH
#define DIRECTORY_IMPORT_BATCH 1000 /* lines per transaction (-D to experiment) */
#endif
#define DIRECTORY_IMPORT_MAX_FIELD 300  /* bytes in any column used */

/* The columns the import reads. */
typedef enum dir_import_col {
    DIC_ID_TYPE,
    DIC_ID,
    DIC_IDNPS,
    DIC_CIVILITY,
    DIC_CIVILITY_PLAIN,
    DIC_FAMILY,
    DIC_GIVEN,
    DIC_PROFESSION_CODE,
    DIC_PROFESSION_LABEL,
    DIC_SKILL_CODE,
    DIC_SKILL_LABEL,
    DIC_MODE_CODE,
    DIC_MODE_LABEL,
    DIC_SIRET,
    DIC_FINESS,
    DIC_FINESS_LEGAL,
    DIC_STRUCTURE,
    DIC_ORG_NAME,
    DIC_ORG_SIGN,
    DIC_ADDRESS_COMPLEMENT,
    DIC_STREET_NUMBER,
    DIC_STREET_REPEAT,
    DIC_STREET_TYPE,
    DIC_STREET,
    DIC_DISTRIBUTION,
    DIC_POSTCODE,
    DIC_TOWN,
    DIC_PHONE,
    DIC_EMAIL,
    DIC_SECTOR,
    DIC_COUNT
} dir_import_col;

typedef struct dir_import_columns {
    int count;         /* fields per line, as in the header */
    int at[DIC_COUNT]; /* position of each column, -1 when the header lacks it */
} dir_import_columns;

/* The header's name of a column ("Identifiant PP"). */
const char *directory_import_column_name(dir_import_col col);

/* Maps the header line (modified in place; a UTF-8 BOM and a final CR are
 * accepted). CORE_INVALID with err (message in arena a) when it is not UTF-8
 * or lacks a required column (err->field = that column's name). */
core_rc directory_import_header(arena *a, char *line, size_t len, dir_import_columns *cols,
                                core_error *err);

typedef struct dir_import_row {
    dir_professional pro;
    bool has_org; /* false when the line names no structure */
    dir_organisation org;
    dir_activity act;
} dir_import_row;

/* Parses and checks one data line (modified in place; the row's strings point
 * into it or into arena a). CORE_INVALID with err->code, err->field (the
 * column's name, when one is at fault) and err->message when rejected. */
core_rc directory_import_parse(arena *a, const dir_import_columns *cols, char *line, size_t len,
                               dir_import_row *row, core_error *err);

typedef struct dir_import_counts {
    int64_t read;     /* data lines (blank lines are skipped, not counted) */
    int64_t inserted; /* lines that added a professional or a place of practice */
    int64_t updated;  /* lines whose rows existed already (rewritten from the file) */
    int64_t rejected;
    int64_t professionals_new;
    int64_t organisations_new;
} dir_import_counts;

typedef struct dir_import dir_import;

/* Starts an import into c's database (administrators or the command line).
 * `source` names the file in the audit trail. NULL with err when the header is
 * refused or the caller may not import. */
dir_import *directory_import_begin(ctx *c, const char *source, char *header, size_t len,
                                   core_error *err);
/* One data line (modified in place). `truncated`: the reader cut a line
 * longer than DIRECTORY_IMPORT_MAX_LINE. CORE_OK: imported (or blank);
 * CORE_INVALID: rejected, see err, go on; CORE_ERROR: the database failed, the
 * open batch was rolled back — stop and call directory_import_finish. */
core_rc directory_import_line(dir_import *im, char *line, size_t len, bool truncated,
                              core_error *err);
/* Commits the open batch (unless a line failed), records the audit event
 * "directory.import" (outcome failure when !completed) and frees im. *out
 * receives the counts of what was committed. */
core_rc directory_import_finish(dir_import *im, bool completed, dir_import_counts *out,
                                core_error *err);

#endif

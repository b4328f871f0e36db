/* patient_bulk: loading many patient records in one go (synthetic sets,
 * imports), beside the one-at-a-time patient_store_insert().
 *
 * A load is one transaction: begin, add rows in batches, rebuild indexes,
 * finish, then commit (or abort, which leaves the database as it was). What
 * makes it fast, and why each trick is safe:
 *   - one prepared statement reused for every row (SQLite: a multi-row INSERT
 *     bound row by row; PostgreSQL: one INSERT ... SELECT FROM unnest() of
 *     column arrays per batch, a single round trip for thousands of rows);
 *   - the secondary indexes of `patient` (read from the catalog, so they
 *     follow the migrations) are dropped at the start and created again at the
 *     end, inside the same transaction: building an index from sorted data
 *     is much cheaper than maintaining it row by row. The unique INS index is
 *     rebuilt too, so a duplicate INS still aborts the whole load;
 *   - SQLite only: a 256 MiB page cache and two sorter threads (`PRAGMA
 *     threads`, for the index builds) while the load runs, restored after.
 *     `synchronous` is left alone: SQLite refuses to change it inside a
 *     transaction, and relaxed around it (OFF before BEGIN) it would also
 *     cover the commit and the checkpoint that follows — a checkpoint without
 *     fsync can corrupt data older than the load on a power cut. Inside one
 *     transaction in WAL mode nothing is synced before the commit anyway, so
 *     OFF measured no faster (docs/benchmarks.md).
 *     A bulk load is re-runnable (it either commits whole or leaves nothing).
 * Rows carry their ids (consecutive from first_id): the caller can name them
 * (ground-truth files) without reading them back. Records an identity status
 * change ("PROV -> status", reason "chargement en masse") for every loaded
 * record whose status is not PROV, as patient creation does. */
#ifndef PARCOURS_STORE_PATIENT_BULK_H
#define PARCOURS_STORE_PATIENT_BULK_H

#include "store/db.h"
#include "store/patient_store.h"

#define PATIENT_BULK_MAX_INDEXES 32

typedef struct patient_bulk {
    db_conn *c;
    db_backend kind;
    bool keep_indexes;
    int nindexes;
    const char *index_sql[PATIENT_BULK_MAX_INDEXES]; /* CREATE INDEX statements to replay */
    bool tuned;           /* SQLite settings below changed for the load */
    int64_t cache_before; /* SQLite `cache_size` before the load */
    int threads_before;   /* SQLite `threads` (sorter helper threads) before the load */
    int64_t first_id;     /* id of the first row of this load */
    int64_t existing;     /* patients before the load */
    int64_t rows;         /* rows added so far */
} patient_bulk;

/* Opens the load's transaction on c (which must not be in one), takes the
 * table (PostgreSQL: EXCLUSIVE lock, readers still read), counts the existing
 * patients, sets b->first_id to max(id) + 1, enlarges the cache (SQLite) and
 * drops the secondary indexes — unless keep_indexes, or unless the table
 * already holds more than twice expected_rows (rebuilding an index costs the
 * whole table: a small load into a big table maintains them instead; see
 * b->keep_indexes afterwards). Index definitions are kept in a (the arena must
 * live until patient_bulk_rebuild_indexes()). */
db_rc patient_bulk_begin(patient_bulk *b, db_backend kind, db_conn *c, arena *a, bool keep_indexes,
                         int64_t expected_rows);

/* Inserts n rows; rows[i].id must be b->first_id + b->rows + i. The strings
 * are only read during the call. a takes per-call scratch (PostgreSQL arrays). */
db_rc patient_bulk_add(patient_bulk *b, arena *a, const patient *rows, int n);

/* Creates again the indexes dropped by begin (nothing when kept). */
db_rc patient_bulk_rebuild_indexes(patient_bulk *b);

/* Status history rows (the evidence of VALI/QUAL records was a check of
 * document_type), identity sequence and statistics (PostgreSQL). Leaves the
 * transaction open so that the caller's audit event commits with the load. */
db_rc patient_bulk_finish(patient_bulk *b, arena *a, int64_t at, const char *document_type);

/* Commits, then restores durability. */
db_rc patient_bulk_commit(patient_bulk *b);

/* Rolls everything back (indexes included) and restores durability. */
void patient_bulk_abort(patient_bulk *b);

#endif

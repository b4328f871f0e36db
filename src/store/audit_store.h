/* audit_store: the append-only audit_event table and its chain head. */
#ifndef PARCOURS_STORE_AUDIT_STORE_H
#define PARCOURS_STORE_AUDIT_STORE_H

#include "store/db.h"

typedef struct audit_row {
    int64_t seq;
    int64_t at;
    int64_t user_id; /* 0 = none (anonymous or system) */
    const char *user_login;
    const char *action;
    const char *object_type;
    const char *object_id;
    const char *patient_id;
    const char *outcome; /* success | failure | denied */
    const char *client_addr;
    const char *request_id;
    const char *detail;
    const char *prev_hash;
    const char *hash;
} audit_row;

typedef struct audit_filter {
    int64_t user_id;        /* 0 = any */
    const char *patient_id; /* NULL = any */
    const char *action;     /* NULL = any */
    int64_t from_ms;        /* 0 = unbounded */
    int64_t to_ms;          /* 0 = unbounded (exclusive) */
    int64_t before_seq;     /* cursor: events with seq < before_seq, 0 = from the newest */
    int limit;
} audit_filter;

/* Reserves the next n sequence numbers: returns the last one and the hash of
 * the event before the first. Must run inside a write transaction: it locks
 * the head until commit. */
db_rc audit_store_reserve(db_conn *c, arena *a, int n, int64_t *last_seq, const char **prev_hash);
/* Inserts one event (seq, prev_hash and hash set). */
db_rc audit_store_insert(db_conn *c, arena *a, const audit_row *e);
/* Moves the head to the last event inserted (its hash). */
db_rc audit_store_set_head(db_conn *c, arena *a, const char *hash);
/* Newest first, filtered. *out is an arena array of *n rows. */
db_rc audit_store_list(db_conn *c, arena *a, const audit_filter *f, audit_row **out, int *n);
/* Events with seq > after_seq in order, at most limit (for verification). */
db_rc audit_store_range(db_conn *c, arena *a, int64_t after_seq, int limit, audit_row **out,
                        int *n);
/* The head as stored. */
db_rc audit_store_head(db_conn *c, arena *a, int64_t *seq, const char **hash);
/* How far the events of a spool generation (store/audit_spool.h) were moved
 * into the trail: the offset after the last moved record (DB_NOTFOUND: none). */
db_rc audit_store_spool_position(db_conn *c, arena *a, const char *generation, int64_t *moved_to);
db_rc audit_store_set_spool_position(db_conn *c, arena *a, const char *generation,
                                     int64_t moved_to);
/* Drops the position of a generation whose file was emptied. */
db_rc audit_store_forget_spool(db_conn *c, arena *a, const char *generation);

#endif

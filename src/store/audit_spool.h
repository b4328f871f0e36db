/* audit_spool: an append-only file where a serving process writes each audit
 * event of a read before answering, so that the answer does not wait for a
 * database commit. The audit writer then moves the events into the trail
 * (audit_event) in large groups, and records in audit_head how far into the
 * spool it got, in the same transaction. After a crash, the next start moves
 * the rest. A write() that returned survives kill -9 of the server: the same
 * guarantee as a SQLite WAL commit with synchronous=NORMAL.
 *
 * File: a 24-byte header ("PCAUDSP1" + a 16-byte generation, new each time the
 * file is emptied), then records:
 *     u32 body length | u64 checksum (SipHash of the body) | body
 *     body = i64 at | i64 user_id | 9 x (u32 length or 0xFFFFFFFF for NULL, bytes)
 * integers little-endian. A record cut short or failing its checksum ends the
 * readable part (a torn write: its request was never answered).
 *
 * One process owns a spool at a time (flock); the functions are not
 * thread-safe: the audit queue calls them under its lock. */
#ifndef PARCOURS_STORE_AUDIT_SPOOL_H
#define PARCOURS_STORE_AUDIT_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/audit_store.h"
#include "util/arena.h"
#include "util/buf.h"

#define AUDIT_SPOOL_HEADER 24

typedef struct audit_spool {
    int fd;
    bool sync;           /* fdatasync after each write (as durable as the database's commits) */
    char generation[33]; /* hex */
    int64_t size;        /* bytes in the file, header included */
} audit_spool;

/* Opens or creates the spool at path and locks it. *busy is set (and false
 * returned) when another process holds it. A missing or damaged header makes
 * an empty spool of a new generation. */
bool audit_spool_open(audit_spool *s, const char *path, bool *busy, char *err, size_t errsz);
void audit_spool_close(audit_spool *s);

/* Appends the records of rows[0..n) to out. */
void audit_spool_encode(buf *out, const audit_row *rows, int n);
/* Decodes the record at p[0..len): returns its size, or 0 when the bytes do not
 * hold a whole valid record. The row's strings are copied into a. */
size_t audit_spool_decode(arena *a, const void *p, size_t len, audit_row *row);

/* Writes data[0..n) at the end in one write() (then fdatasync when s->sync).
 * Returns 1 when durable; 0 when nothing was written (the file is cut back to
 * its previous size); -1 when written but not synced (an I/O error: the data
 * may or may not survive a power loss). */
int audit_spool_write(audit_spool *s, const void *data, size_t n);
/* Reads [from, size) into out (replacing its content). */
bool audit_spool_read(audit_spool *s, int64_t from, buf *out);
/* Empties the file under a new generation. */
bool audit_spool_reset(audit_spool *s);

#endif

/* write_batch: group commit for the small, frequent writes of the API on
 * SQLite (routes marked ROUTE_GROUP_COMMIT: a note, a message, a read receipt).
 *
 * SQLite has one writer at a time and each COMMIT appends every page it
 * touched to the WAL (two writes per page) — for one note with its audit
 * event and ten notifications, most of the time of the request. Here one
 * thread runs the handlers of the queued requests one after the other inside
 * one transaction (db_batch_begin: each handler's own transaction becomes a
 * SAVEPOINT, all-or-nothing on its own), commits once, and only then lets their
 * replies go: a reply still means "committed". Connections wait suspended, so
 * the worker threads keep serving others. If the commit fails, every request
 * of the group gets a 500.
 *
 * PostgreSQL has no single writer (and groups commits itself): the server
 * does not start a write batch there. */
#ifndef PARCOURS_HTTP_WRITE_BATCH_H
#define PARCOURS_HTTP_WRITE_BATCH_H

#include <stdbool.h>

#include "core/app.h"
#include "http/request.h"

typedef struct write_batch write_batch;

/* run(cls, r) answers r (on the batch's thread, with r->ctx bound to the
 * batch's connection); committed(cls) runs after each commit, before the
 * replies are released. */
typedef struct write_batch_hooks {
    void (*run)(void *cls, req *r);
    void (*committed)(void *cls);
    void *cls;
} write_batch_hooks;

write_batch *write_batch_start(app *a, const write_batch_hooks *hooks, char *err, size_t errsz);
/* Queues r, whose connection the caller has just suspended; the batch resumes
 * it with r->wait_state = REQ_WAIT_DONE and r->wait_ok set. */
void write_batch_submit(write_batch *b, req *r);
/* Runs what is queued, then stops the thread. */
void write_batch_stop(write_batch *b);

#endif

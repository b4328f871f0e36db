/* stream: long-lived responses (Server-Sent Events) that hold no HTTP worker
 * thread while idle.
 *
 * A handler accepts a stream for its request (stream_accept) with a source
 * that produces the bytes; the server turns it into a libmicrohttpd callback
 * response (stream_response). When the source has nothing to send, the
 * content reader suspends the connection and returns 0; a waker thread
 * resumes it when something may be new for the stream's user:
 *
 *  - in this process: notify_users records the users it notified for the
 *    request's thread; the server hands them over after the request's
 *    transaction has ended (stream_hub_flush) and the waker resumes their
 *    streams at once;
 *  - from other processes: core/notify's watch (PostgreSQL LISTEN/NOTIFY on a
 *    connection of its own; with SQLite a 1 s poll of the feed's highest id).
 *
 * The waker also resumes each stream every keep-alive period (a ": keep-alive"
 * comment, and the source checks that the session is still valid). The number
 * of open streams is bounded (503 beyond); stream_hub_stop ends them all.
 *
 * Environment: PARCOURS_STREAM_MAX (open streams, default 1000),
 * PARCOURS_STREAM_KEEPALIVE (seconds, default 20). */
#ifndef PARCOURS_HTTP_STREAM_H
#define PARCOURS_HTTP_STREAM_H

#include "core/app.h"
#include "http/request.h"

struct MHD_Response;

typedef struct stream_hub stream_hub;
typedef struct stream stream;

typedef enum stream_fill_rc {
    STREAM_IDLE, /* all sent: wait for a wake-up */
    STREAM_MORE, /* more is ready: call again once this is sent */
    STREAM_END,  /* end the stream (session over) */
} stream_fill_rc;

/* What feeds a stream. fill runs on an HTTP worker thread, with a context of
 * its own (an arena freed after the call, no principal): it appends complete
 * events to out. check_session is true once per keep-alive period. */
typedef struct stream_source {
    int64_t user_id; /* woken when this user is notified */
    stream_fill_rc (*fill)(void *cls, ctx *c, buf *out, bool check_session);
    void (*release)(void *cls); /* frees cls when the stream ends */
    void *cls;
} stream_source;

/* From a handler: the answer to r becomes a stream fed by src (status 200,
 * text/event-stream). The stream owns src->cls from now on. */
void stream_accept(req *r, const stream_source *src);

/* Starts the waker thread. NULL with a message in err on failure. */
stream_hub *stream_hub_start(const app *a, char *err, size_t errsz);
/* The stream a handler accepted for r, detached from r; NULL when none. */
stream *stream_claim(req *r);
/* The response for a claimed stream, registered with the hub. NULL when the
 * bound is reached or the server is stopping: the stream is freed and a 503
 * problem written into r. */
struct MHD_Response *stream_response(stream_hub *h, stream *st, req *r);
/* Hands the users notified by this thread's request to the waker. Call at the
 * end of every request (cheap when there is nothing). */
void stream_hub_flush(stream_hub *h);
/* Ends every stream promptly, refuses new ones, stops the waker. */
void stream_hub_stop(stream_hub *h);
/* After the daemon has stopped (streams unregister from the hub). */
void stream_hub_free(stream_hub *h);

#endif

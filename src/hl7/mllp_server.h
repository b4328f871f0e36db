/* mllp_server: the HL7 v2 listener (`parcours serve --mllp ADDR:PORT`).
 *
 * I/O model: one epoll thread owns every socket (non-blocking accept, read,
 * write); one committer thread owns the database side. Frames decoded by the
 * I/O thread become jobs on a queue; the committer takes everything queued
 * (up to a bound), from every connection, and applies it in ONE transaction
 * (hl7_ingest_batch: group commit), then hands the acknowledgements back
 * through an eventfd. Messages that arrive while a commit is in flight form
 * the next batch, so the number of commits per second stays bounded by the
 * disk while throughput follows the arrival rate. The committer holds a
 * database connection only while a batch runs, never while waiting.
 *
 * Order: one committer and FIFO queues, so a connection's messages are
 * applied and acknowledged in the order received. An ACK is written only
 * after its batch committed.
 *
 * Bounds: frame size (PARCOURS_MLLP_MAX_FRAME; a larger frame is answered AR
 * and skipped, the connection stays usable), unacknowledged messages per
 * connection (reading pauses beyond MLLP_MAX_INFLIGHT), pending output,
 * connections (PARCOURS_MLLP_MAX_CONN; more are closed at once), idle time
 * (PARCOURS_MLLP_IDLE: a connection without traffic and nothing in flight is
 * closed), batch size. */
#ifndef PARCOURS_HL7_MLLP_SERVER_H
#define PARCOURS_HL7_MLLP_SERVER_H

#include <stddef.h>

#include "core/app.h"

#define MLLP_MAX_INFLIGHT 1024 /* unacknowledged messages per connection */
#define MLLP_BATCH_MAX 512     /* messages per transaction */

typedef struct mllp_server mllp_server;

/* Listens on addr ("IPv4:PORT", port 0 = any free port) and starts the two
 * threads. NULL with a message in err when the address cannot be used. */
mllp_server *mllp_server_start(app *a, const char *addr, char *err, size_t errsz);

/* The bound port (useful with port 0). */
int mllp_server_port(const mllp_server *s);

/* Stops accepting and reading, lets the committer finish what was received
 * and flushes the acknowledgements (at most timeout_ms), then closes every
 * connection and frees s. A frame still incomplete is dropped unacknowledged:
 * its sender sends it again. */
void mllp_server_stop(mllp_server *s, int timeout_ms);

#endif

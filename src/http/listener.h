/* listener: the server's listening socket and its accept thread, which hands
 * each new connection to the event loop (one libmicrohttpd daemon and thread
 * per worker) holding the fewest open connections.
 *
 * Why not libmicrohttpd's thread pool: there every worker accepts from the
 * shared socket, and the one that wakes first takes a burst of connections.
 * 64 connections opened at once were split 59/5, 39/25, 34/30 and 61/3 over
 * two workers, and a connection stays on its worker: the few long-lived
 * connections of a reverse proxy (or a benchmark) could leave one worker
 * with the whole load while the other idles. */
#ifndef PARCOURS_HTTP_LISTENER_H
#define PARCOURS_HTTP_LISTENER_H

#include <microhttpd.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

typedef struct listener listener;

/* Binds and listens on sa (port 0: any free port) for `loops` event loops of
 * at most per_loop connections each (the listener refuses beyond: give each
 * daemon a slightly higher MHD_OPTION_CONNECTION_LIMIT, so that it never
 * refuses one itself). Returns NULL with a message in err. Nothing is
 * accepted before listener_serve. No SO_REUSEPORT: a second server on the same
 * port fails to start instead of sharing it. */
listener *listener_open(const struct sockaddr_in *sa, int loops, int per_loop, char *err,
                        size_t errsz);
/* The port actually bound. */
int listener_port(const listener *l);
/* Give both to loop i's daemon as MHD_OPTION_NOTIFY_CONNECTION: the listener
 * learns when its connections close. */
void listener_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                     enum MHD_ConnectionNotificationCode code);
void *listener_notify_cls(listener *l, int i);
/* Starts the accept thread; loops[0..n) are the daemons (started with
 * MHD_USE_NO_LISTEN_SOCKET | MHD_USE_ITC), which stay the caller's. */
bool listener_serve(listener *l, struct MHD_Daemon **loops, char *err, size_t errsz);
/* Appends the open connections of each loop (Prometheus text format). */
void listener_render_metrics(const listener *l, buf *out);
/* Stops accepting (new connections are refused) and joins the accept thread.
 * Connections already handed over are untouched. */
void listener_stop(listener *l);
/* Frees the listener (stopped first if it was not): only once the loops are
 * stopped, since their connections' closing notifications write into it. */
void listener_free(listener *l);

#endif

/* server: the HTTP front door on libmicrohttpd: one epoll event loop per
 * worker thread, fed by an accept thread (http/listener.h); one arena per
 * request, a body size limit, authentication and CSRF checks per route,
 * security headers, an access-log line and metrics per request. */
#ifndef PARCOURS_HTTP_SERVER_H
#define PARCOURS_HTTP_SERVER_H

#include "core/app.h"

typedef struct http_server http_server;

/* Starts listening on addr ("127.0.0.1:8080", port 0 = any free port). Returns
 * NULL with a message in err. */
http_server *http_server_start(app *a, const char *addr, char *err, size_t errsz);
/* The port actually bound. */
int http_server_port(const http_server *s);
/* Stops accepting, lets in-flight requests finish (up to timeout_ms), stops. */
void http_server_stop(http_server *s, int timeout_ms);

#endif

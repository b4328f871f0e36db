#include "http/listener.h"
#include "util/alloc.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <errno.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct listener {
    int fd;
    int port;
    int nloops;
    int per_loop; /* most connections one loop holds */
    struct MHD_Daemon **loops;
    atomic_int *open; /* connections handed to each loop and not yet closed */
    atomic_bool stopping;
    bool serving;
    pthread_t thread;
};

listener *listener_open(const struct sockaddr_in *sa, int loops, int per_loop, char *err,
                        size_t errsz)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, errsz, "cannot create a socket: %s", strerror(errno));
        return NULL;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in bound;
    socklen_t len = sizeof bound;
    if (bind(fd, (const struct sockaddr *)sa, sizeof *sa) != 0 || listen(fd, SOMAXCONN) != 0 ||
        getsockname(fd, (struct sockaddr *)&bound, &len) != 0) {
        snprintf(err, errsz, "%s", strerror(errno));
        close(fd);
        return NULL;
    }
    listener *l = xcalloc(1, sizeof *l);
    l->fd = fd;
    l->port = ntohs(bound.sin_port);
    l->nloops = loops;
    l->per_loop = per_loop;
    l->open = xcalloc((size_t)loops, sizeof *l->open);
    return l;
}

int listener_port(const listener *l)
{
    return l->port;
}

void *listener_notify_cls(listener *l, int i)
{
    return &l->open[i];
}

void listener_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                     enum MHD_ConnectionNotificationCode code)
{
    (void)conn;
    (void)socket_context;
    /* counted up by the accept thread when handed over (so that a burst of
     * connections sees its own choices at once), down here */
    if (code == MHD_CONNECTION_NOTIFY_CLOSED)
        atomic_fetch_sub((atomic_int *)cls, 1);
}

/* The loop with the fewest open connections (the first of equals). */
static int least_loaded(const listener *l)
{
    int best = 0, best_open = atomic_load(&l->open[0]);
    for (int i = 1; i < l->nloops; i++) {
        int n = atomic_load(&l->open[i]);
        if (n < best_open) {
            best = i;
            best_open = n;
        }
    }
    return best;
}

/* At most once a second, so that a flood does not flood the log too. */
static void complain(int64_t *last, const char *why)
{
    int64_t now = time_mono_us();
    if (now - *last > 1000000) {
        log_error("http", "cannot accept a connection: %s", why);
        *last = now;
    }
}

static void *accept_loop(void *arg)
{
    listener *l = arg;
    int64_t last_complaint = 0;
    for (;;) {
        struct sockaddr_in peer;
        socklen_t len = sizeof peer;
        int fd = accept4(l->fd, (struct sockaddr *)&peer, &len, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0) {
            if (atomic_load(&l->stopping))
                break;
            if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO)
                continue;
            /* out of descriptors or memory: wait rather than spin */
            complain(&last_complaint, strerror(errno));
            usleep(20000);
            continue;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        int i = least_loaded(l);
        if (atomic_load(&l->open[i]) >= l->per_loop) {
            /* refused here rather than by libmicrohttpd, which would drop it
             * without the notification that keeps the count right */
            close(fd);
            complain(&last_complaint, "every event loop holds its most connections");
            continue;
        }
        atomic_fetch_add(&l->open[i], 1);
        /* MHD closes the socket itself when it cannot take it */
        if (MHD_add_connection(l->loops[i], fd, (const struct sockaddr *)&peer, len) != MHD_YES)
            atomic_fetch_sub(&l->open[i], 1);
    }
    return NULL;
}

void listener_render_metrics(const listener *l, buf *out)
{
    buf_printf(out, "# HELP parcours_http_connections Open client connections, per event loop"
                    " (worker thread).\n"
                    "# TYPE parcours_http_connections gauge\n");
    for (int i = 0; i < l->nloops; i++)
        buf_printf(out, "parcours_http_connections{loop=\"%d\"} %d\n", i, atomic_load(&l->open[i]));
}

bool listener_serve(listener *l, struct MHD_Daemon **loops, char *err, size_t errsz)
{
    l->loops = loops;
    int rc = pthread_create(&l->thread, NULL, accept_loop, l);
    if (rc != 0) {
        snprintf(err, errsz, "cannot start the accept thread: %s", strerror(rc));
        return false;
    }
    l->serving = true;
    return true;
}

void listener_stop(listener *l)
{
    if (!l || l->fd < 0)
        return;
    atomic_store(&l->stopping, true);
    /* wakes the blocked accept4 (it fails with EINVAL) */
    shutdown(l->fd, SHUT_RDWR);
    if (l->serving)
        pthread_join(l->thread, NULL);
    close(l->fd);
    l->fd = -1;
}

void listener_free(listener *l)
{
    if (!l)
        return;
    listener_stop(l);
    free(l->open);
    free(l);
}

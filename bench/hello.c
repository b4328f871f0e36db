/* bench/hello.c: a bare libmicrohttpd "hello world", the baseline of
 * bench/http.sh: epoll with libmicrohttpd's internal thread pool of 2,
 * MHD_USE_TURBO, bound to 127.0.0.1 with MHD_OPTION_SOCK_ADDR, and the response
 * queued on the handler's second call so that connections stay alive. (parcours
 * runs one daemon per worker fed by its own accept thread, src/http/listener.c,
 * for an even split of connections; the per-request path is the same, and the
 * pool is the bare library's own way.)
 *
 *   cc -O2 -std=c17 -D_GNU_SOURCE bench/hello.c -o build/bench/hello \
 *      $(pkg-config --cflags --libs libmicrohttpd)
 *   build/bench/hello PORT        (PORT 0 = any free port)
 *
 * Prints "hello: listening on http://127.0.0.1:PORT/" on stdout once ready and
 * exits on SIGTERM or SIGINT. */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char HELLO[] = "Hello, World!";

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)url;
    (void)method;
    (void)version;
    (void)upload_data;
    struct MHD_Response *resp = cls;
    /* first call: headers only. Queuing here would make MHD close the
     * connection after the reply, so mark the request and answer next time. */
    if (*con_cls == NULL) {
        *con_cls = (void *)HELLO;
        return MHD_YES;
    }
    *upload_data_size = 0;
    return MHD_queue_response(conn, MHD_HTTP_OK, resp);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PORT\n", argv[0]);
        return 2;
    }
    char *end;
    long port = strtol(argv[1], &end, 10);
    if (*argv[1] == '\0' || *end || port < 0 || port > 65535) {
        fprintf(stderr, "hello: invalid port '%s'\n", argv[1]);
        return 2;
    }

    /* block the signals before MHD starts its threads: only sigwait sees them */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    /* one shared, persistent response (MHD reference-counts it) */
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(sizeof HELLO - 1, (void *)HELLO, MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return 1;
    MHD_add_response_header(resp, "Content-Type", "text/plain");

    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

    struct MHD_Daemon *d =
        MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_TURBO, 0, NULL, NULL, on_request,
                         resp, MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)2, MHD_OPTION_SOCK_ADDR,
                         (struct sockaddr *)&sa, MHD_OPTION_CONNECTION_LIMIT, (unsigned int)4096,
                         MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned int)1, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "hello: cannot listen on 127.0.0.1:%ld\n", port);
        MHD_destroy_response(resp);
        return 1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    printf("hello: listening on http://127.0.0.1:%u/\n",
           info ? (unsigned)info->port : (unsigned)port);
    fflush(stdout);

    int sig = 0;
    sigwait(&stop, &sig);
    MHD_stop_daemon(d);
    MHD_destroy_response(resp);
    return 0;
}

#include "http/metrics.h"
#include "util/alloc.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

static const int statuses[] = {200, 201, 204, 304, 400, 401, 403, 404, 405, 409,
                               413, 415, 422, 429, 500, 503};
#define NSTATUS ((int)(sizeof statuses / sizeof statuses[0]) + 1) /* + "other" */
static const int64_t bounds_us[] = {100,    250,    500,    1000,    2500,   5000,
                                    10000,  25000,  50000,  100000,  250000, 1000000};
#define NBUCKETS ((int)(sizeof bounds_us / sizeof bounds_us[0]) + 1) /* + Inf */

static const char *const *names;
static int nroutes;
static atomic_uint_fast64_t *counts;  /* (nroutes + 1) * NSTATUS */
static atomic_uint_fast64_t *buckets; /* NBUCKETS, not cumulative */
static atomic_uint_fast64_t sum_us;
static atomic_uint_fast64_t total;

void metrics_init(const char *const *route_names, int n)
{
    names = route_names;
    nroutes = n;
    counts = xcalloc((size_t)(n + 1) * NSTATUS, sizeof *counts);
    buckets = xcalloc(NBUCKETS, sizeof *buckets);
}

void metrics_free(void)
{
    free(counts);
    free(buckets);
    counts = buckets = NULL;
}

static int status_index(int status)
{
    for (int i = 0; i < NSTATUS - 1; i++)
        if (statuses[i] == status)
            return i;
    return NSTATUS - 1;
}

void metrics_record(int route, int status, int64_t duration_us)
{
    if (!counts)
        return;
    int row = route < 0 || route >= nroutes ? nroutes : route;
    atomic_fetch_add_explicit(&counts[row * NSTATUS + status_index(status)], 1,
                              memory_order_relaxed);
    int b = 0;
    while (b < NBUCKETS - 1 && duration_us > bounds_us[b])
        b++;
    atomic_fetch_add_explicit(&buckets[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&sum_us, (uint64_t)duration_us, memory_order_relaxed);
    atomic_fetch_add_explicit(&total, 1, memory_order_relaxed);
}

void metrics_render(buf *out, uint64_t db_errors, int64_t in_flight)
{
    buf_puts(out, "# HELP parcours_http_requests_total HTTP requests by route and status.\n"
                  "# TYPE parcours_http_requests_total counter\n");
    for (int r = 0; r <= nroutes; r++) {
        for (int s = 0; s < NSTATUS; s++) {
            uint64_t v = atomic_load(&counts[r * NSTATUS + s]);
            if (!v)
                continue;
            char status[8];
            if (s < NSTATUS - 1)
                snprintf(status, sizeof status, "%d", statuses[s]);
            else
                snprintf(status, sizeof status, "other");
            buf_printf(out, "parcours_http_requests_total{route=\"%s\",status=\"%s\"} %llu\n",
                       r < nroutes ? names[r] : "unmatched", status, (unsigned long long)v);
        }
    }
    buf_puts(out, "# HELP parcours_http_request_duration_seconds Time from request to response.\n"
                  "# TYPE parcours_http_request_duration_seconds histogram\n");
    uint64_t cumulative = 0;
    for (int b = 0; b < NBUCKETS; b++) {
        cumulative += atomic_load(&buckets[b]);
        if (b < NBUCKETS - 1)
            buf_printf(out, "parcours_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
                       (double)bounds_us[b] / 1e6, (unsigned long long)cumulative);
        else
            buf_printf(out, "parcours_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
                       (unsigned long long)cumulative);
    }
    buf_printf(out, "parcours_http_request_duration_seconds_sum %.6f\n",
               (double)atomic_load(&sum_us) / 1e6);
    buf_printf(out, "parcours_http_request_duration_seconds_count %llu\n",
               (unsigned long long)atomic_load(&total));
    buf_printf(out,
               "# HELP parcours_db_errors_total Database errors since start.\n"
               "# TYPE parcours_db_errors_total counter\n"
               "parcours_db_errors_total %llu\n"
               "# HELP parcours_http_in_flight Requests being served.\n"
               "# TYPE parcours_http_in_flight gauge\n"
               "parcours_http_in_flight %lld\n",
               (unsigned long long)db_errors, (long long)in_flight);
}

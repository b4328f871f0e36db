/* metrics: request counters by route and status, and a latency histogram,
 * exposed at GET /metrics in the Prometheus text format. Lock-free (atomics). */
#ifndef PARCOURS_HTTP_METRICS_H
#define PARCOURS_HTTP_METRICS_H

#include <stdint.h>

#include "util/buf.h"

/* Sizes the tables for nroutes routes; names[i] labels route i. Call once
 * before serving. Route -1 (no route matched) is labelled "unmatched". */
void metrics_init(const char *const *route_names, int nroutes);
void metrics_record(int route, int status, int64_t duration_us);
/* Appends the exposition text; db_errors and in_flight are read by the caller. */
void metrics_render(buf *out, uint64_t db_errors, int64_t in_flight);
void metrics_free(void);

#endif

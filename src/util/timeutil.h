/* timeutil: wall-clock milliseconds since the epoch (int64, UTC) and ISO 8601. */
#ifndef PARCOURS_UTIL_TIMEUTIL_H
#define PARCOURS_UTIL_TIMEUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

int64_t time_now_ms(void);
/* Monotonic clock in microseconds, for durations. */
int64_t time_mono_us(void);
/* The CLOCK_REALTIME instant `us` microseconds from now, for
 * pthread_cond_timedwait. */
struct timespec time_deadline_us(int64_t us);
/* "2026-11-23T18:12:23.123Z" into out (at least 25 bytes). */
void time_format_iso(int64_t ms, char *out, size_t outsz);
/* Parses "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM[:SS[.mmm]]Z" (UTC, or +HH:MM offset).
 * Returns false on anything else, including impossible dates. */
bool time_parse_iso(const char *s, int64_t *ms);

#endif

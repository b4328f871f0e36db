#include "util/log.h"
#include "util/timeutil.h"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

static enum log_level min_level = LOG_INFO;

void log_set_level(enum log_level level)
{
    min_level = level;
}

void log_msg(enum log_level level, const char *msg, const char *fmt, ...)
{
    static const char *names[] = {"debug", "info", "warn", "error"};
    if (level < min_level)
        return;
    char line[2048];
    /* the date part changes once a second: format it once per second per thread */
    static _Thread_local int64_t cached_sec = -1;
    static _Thread_local char cached[40];
    char ts[40];
    int64_t now = time_now_ms();
    if (now / 1000 != cached_sec) {
        cached_sec = now / 1000;
        time_format_iso(cached_sec * 1000, cached, sizeof cached);
    }
    /* "YYYY-MM-DDTHH:MM:SS." + milliseconds + "Z" */
    snprintf(ts, sizeof ts, "%.20s%03dZ", cached, (int)(now % 1000));
    int n = snprintf(line, sizeof line, "ts=%s level=%s msg=\"%s\" ", ts, names[level], msg);
    if (n < 0)
        return;
    if ((size_t)n < sizeof line) {
        va_list ap;
        va_start(ap, fmt);
        int m = vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
        va_end(ap);
        if (m > 0)
            n += m;
    }
    if ((size_t)n >= sizeof line - 1)
        n = (int)sizeof line - 2;
    line[n++] = '\n';
    ssize_t w = write(STDERR_FILENO, line, (size_t)n);
    (void)w;
}

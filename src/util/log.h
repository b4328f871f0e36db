/* log: one line per event on stderr, key=value (logfmt), so that access logs
 * and errors can be grepped and parsed by the usual tools. */
#ifndef PARCOURS_UTIL_LOG_H
#define PARCOURS_UTIL_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Messages below this level are dropped (default LOG_INFO). */
void log_set_level(enum log_level level);
/* Writes "ts=... level=... msg=..." followed by the formatted fields. The format
 * produces the rest of the line (e.g. "route=%s status=%d"). Thread-safe: one
 * write(2) per line. */
void log_msg(enum log_level level, const char *msg, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define log_info(msg, ...) log_msg(LOG_INFO, msg, __VA_ARGS__)
#define log_warn(msg, ...) log_msg(LOG_WARN, msg, __VA_ARGS__)
#define log_error(msg, ...) log_msg(LOG_ERROR, msg, __VA_ARGS__)

#endif

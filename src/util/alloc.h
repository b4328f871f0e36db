/* alloc: allocation wrappers that abort on out-of-memory.
 *
 * A health record half-written because malloc failed deep in a handler is worse
 * than a crash that the supervisor restarts: callers never check for NULL. */
#ifndef PARCOURS_UTIL_ALLOC_H
#define PARCOURS_UTIL_ALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif

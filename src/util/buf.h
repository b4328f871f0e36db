/* buf: a growable byte buffer with a hard maximum size.
 *
 * Every buffer that grows with outside input has a bound (curl's habit). When an
 * append would pass the maximum, the buffer keeps what it had, sets `overflow`
 * and ignores further appends: callers check once at the end. The content is
 * always NUL-terminated (the NUL is not counted in len). */
#ifndef PARCOURS_UTIL_BUF_H
#define PARCOURS_UTIL_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

typedef struct buf {
    char *data;
    size_t len;
    size_t cap;
    size_t max; /* 0 = unbounded (only for data we produce ourselves) */
    bool overflow;
} buf;

void buf_init(buf *b, size_t max);
void buf_free(buf *b);
void buf_reset(buf *b);
/* Each returns false once the buffer has overflowed. */
bool buf_append_slow(buf *b, const void *data, size_t n);
/* Inline while it fits: a page of notes makes ~40 appends per note. */
static inline bool buf_append(buf *b, const void *data, size_t n)
{
    if (!b->overflow && n < b->cap - b->len && (!b->max || n <= b->max - b->len)) {
        if (n)
            memcpy(b->data + b->len, data, n);
        b->len += n;
        b->data[b->len] = '\0';
        return true;
    }
    return buf_append_slow(b, data, n);
}
bool buf_puts(buf *b, const char *s);
/* One byte: inline while it fits (the JSON writer's commas and quotes). */
static inline bool buf_putc(buf *b, char c)
{
    if (!b->overflow && b->len + 2 <= b->cap && (!b->max || b->len < b->max)) {
        b->data[b->len++] = c;
        b->data[b->len] = '\0';
        return true;
    }
    return buf_append(b, &c, 1);
}
bool buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hands the data over to the caller (free() it); the buffer is left empty. */
char *buf_steal(buf *b, size_t *len);

#endif

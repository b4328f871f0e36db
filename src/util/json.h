/* json: a streaming JSON writer into a buf, and small helpers over cJSON for reading.
 *
 * Responses are written straight into the request's buffer (no DOM for large
 * lists). The writer tracks commas itself, so callers just emit keys and values
 * in order. Strings are escaped as RFC 8259 asks; invalid UTF-8 in our own
 * values is replaced by U+FFFD rather than producing invalid JSON. */
#ifndef PARCOURS_UTIL_JSON_H
#define PARCOURS_UTIL_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "util/buf.h"

#define JW_MAX_DEPTH 32

typedef struct jw {
    buf *out;
    int depth;
    bool first[JW_MAX_DEPTH]; /* no element written yet at this depth */
    bool after_key;
} jw;

void jw_init(jw *w, buf *out);
void jw_obj_begin(jw *w);
void jw_obj_end(jw *w);
void jw_arr_begin(jw *w);
void jw_arr_end(jw *w);
/* key: a member name written in the program (ASCII, nothing to escape): copied
 * as it is. Names that come from data go through jw_key_text. Inline so that
 * the length of a literal name is known when compiling (pages of notes write
 * ~20 names per note). */
void jw_keyn_slow(jw *w, const char *key, size_t n);
static inline void jw_keyn(jw *w, const char *key, size_t n)
{
    buf *b = w->out;
    /* the separator, the quoted name and the colon written in place */
    if (!b->overflow && n + 4 < b->cap - b->len && (!b->max || n + 4 <= b->max - b->len)) {
        char *p = b->data + b->len;
        if (w->after_key)
            w->after_key = false; /* a key after a key: the caller's mistake, kept as is */
        else if (!w->first[w->depth])
            *p++ = ',';
        w->first[w->depth] = false;
        *p++ = '"';
        memcpy(p, key, n);
        p += n;
        *p++ = '"';
        *p++ = ':';
        *p = '\0';
        b->len = (size_t)(p - b->data);
        w->after_key = true;
        return;
    }
    jw_keyn_slow(w, key, n);
}
static inline void jw_key(jw *w, const char *key)
{
    jw_keyn(w, key, strlen(key));
}
void jw_key_text(jw *w, const char *key);
void jw_str(jw *w, const char *s); /* NULL writes null */
void jw_strn(jw *w, const char *s, size_t n);
/* A string value with nothing to escape (digits, ISO dates): put between
 * quotes as it is. */
void jw_str_plain(jw *w, const char *s, size_t n);
void jw_int(jw *w, int64_t v);
void jw_bool(jw *w, bool v);
void jw_null(jw *w);
/* Writes already-serialised JSON as a value (caller guarantees validity). */
void jw_raw(jw *w, const char *json);

/* key + value shorthands */
static inline void jw_kstr(jw *w, const char *key, const char *s)
{
    jw_key(w, key);
    jw_str(w, s);
}
static inline void jw_kint(jw *w, const char *key, int64_t v)
{
    jw_key(w, key);
    jw_int(w, v);
}
static inline void jw_kbool(jw *w, const char *key, bool v)
{
    jw_key(w, key);
    jw_bool(w, v);
}

/* Appends s to out as a JSON string literal (with quotes). */
void json_escape(buf *out, const char *s, size_t n);
/* Decimal digits of v into out (at least 21 bytes, NUL-terminated); returns
 * the length. */
size_t json_format_int(int64_t v, char *out);

/* True when s[0..n) is valid UTF-8 without overlongs or surrogates. */
bool utf8_valid(const char *s, size_t n);

#endif

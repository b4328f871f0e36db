#include "util/json.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t len;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
        return 0;
    if (cp >= 0xD800 && cp <= 0xDFFF)
        return 0;
    return len;
}

bool utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        size_t l = utf8_seq(p + i, n - i);
        if (!l)
            return false;
        i += l;
    }
    return true;
}

/* The bytes among the 8 at p that need attention (control character, quote,
 * backslash, byte >= 0x80), as a mask with bit 7 of each such byte set; 0 when
 * all 8 are plain ("has less than / has zero byte" word tricks: exact for the
 * lowest flagged byte, which is all the caller uses). Most note text is plain
 * ASCII with an accented letter now and then. */
static inline uint64_t special8(const unsigned char *p)
{
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    uint64_t v;
    memcpy(&v, p, 8);
    uint64_t control = (v - ones * 0x20) & ~v;
    uint64_t q = v ^ (ones * '"'), quote = (q - ones) & ~q;
    uint64_t b = v ^ (ones * '\\'), backslash = (b - ones) & ~b;
    return (control | quote | backslash | v) & highs;
}

/* What a byte needs in a JSON string: 0 = copied as is, 1 = escaped, 2 = the
 * start of a UTF-8 sequence to validate. */
static inline int escape_class(unsigned char c)
{
    return c >= 0x80 ? 2 : (c < 0x20 || c == '"' || c == '\\') ? 1 : 0;
}

void json_escape(buf *out, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    buf_putc(out, '"');
    size_t run = 0; /* start of the current run of bytes copied as they are */
    size_t i = 0;
    while (i < n) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        if (i + 8 <= n) {
            uint64_t m = special8(p + i);
            if (!m) {
                i += 8;
                continue;
            }
            i += (size_t)__builtin_ctzll(m) / 8; /* the first byte that needs attention */
        }
#endif
        unsigned char c = p[i];
        if (!escape_class(c)) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF && i + 1 < n && (p[i + 1] & 0xC0) == 0x80) {
            i += 2; /* a valid two-byte letter (é, à, ç...): part of the run */
            continue;
        }
        const char *esc;
        char tmp[8];
        size_t l = 1;
        if (escape_class(c) == 2) {
            l = utf8_seq(p + i, n - i);
            if (l) {
                i += l; /* valid: part of the run */
                continue;
            }
            esc = "\xEF\xBF\xBD"; /* U+FFFD */
            l = 1;
        } else if (c == '"') {
            esc = "\\\"";
        } else if (c == '\\') {
            esc = "\\\\";
        } else if (c == '\n') {
            esc = "\\n";
        } else if (c == '\r') {
            esc = "\\r";
        } else if (c == '\t') {
            esc = "\\t";
        } else {
            memcpy(tmp, "\\u00", 4);
            tmp[4] = hex[c >> 4];
            tmp[5] = hex[c & 15];
            tmp[6] = '\0';
            esc = tmp;
        }
        buf_append(out, s + run, i - run);
        buf_puts(out, esc);
        i += l;
        run = i;
    }
    buf_append(out, s + run, n - run);
    buf_putc(out, '"');
}

/* Decimal digits of v into out (at least 21 bytes); returns the length. Two
 * digits per division: ids and counts are most of what a page of notes
 * formats. */
size_t json_format_int(int64_t v, char *out)
{
    static const char pairs[] = "00010203040506070809101112131415161718192021222324"
                                "25262728293031323334353637383940414243444546474849"
                                "50515253545556575859606162636465666768697071727374"
                                "75767778798081828384858687888990919293949596979899";
    char tmp[24], *p = tmp + sizeof tmp;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    while (u >= 100) {
        p -= 2;
        memcpy(p, pairs + 2 * (u % 100), 2);
        u /= 100;
    }
    if (u >= 10) {
        p -= 2;
        memcpy(p, pairs + 2 * u, 2);
    } else {
        *--p = (char)('0' + u);
    }
    size_t len = 0, n = (size_t)(tmp + sizeof tmp - p);
    if (v < 0)
        out[len++] = '-';
    memcpy(out + len, p, n);
    len += n;
    out[len] = '\0';
    return len;
}

void jw_init(jw *w, buf *out)
{
    w->out = out;
    w->depth = 0;
    w->first[0] = true;
    w->after_key = false;
}

static void jw_sep(jw *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (!w->first[w->depth])
        buf_putc(w->out, ',');
    w->first[w->depth] = false;
}

static void jw_open(jw *w, char c)
{
    jw_sep(w);
    buf_putc(w->out, c);
    if (w->depth < JW_MAX_DEPTH - 1)
        w->depth++;
    w->first[w->depth] = true;
}

static void jw_close(jw *w, char c)
{
    buf_putc(w->out, c);
    if (w->depth > 0)
        w->depth--;
}

void jw_obj_begin(jw *w)
{
    jw_open(w, '{');
}

void jw_obj_end(jw *w)
{
    jw_close(w, '}');
}

void jw_arr_begin(jw *w)
{
    jw_open(w, '[');
}

void jw_arr_end(jw *w)
{
    jw_close(w, ']');
}

void jw_keyn_slow(jw *w, const char *key, size_t n)
{
    /* the separator, the quoted name and the colon in one append: all or
     * nothing at the buffer's maximum */
    char tmp[64];
    size_t at = 0;
    if (w->after_key)
        w->after_key = false;
    else if (!w->first[w->depth])
        tmp[at++] = ',';
    w->first[w->depth] = false;
    if (n + 4 > sizeof tmp) {
        buf_append(w->out, tmp, at);
        buf_putc(w->out, '"');
        buf_append(w->out, key, n);
        buf_append(w->out, "\":", 2);
    } else {
        tmp[at++] = '"';
        memcpy(tmp + at, key, n);
        at += n;
        tmp[at++] = '"';
        tmp[at++] = ':';
        buf_append(w->out, tmp, at);
    }
    w->after_key = true;
}

void jw_key_text(jw *w, const char *key)
{
    jw_sep(w);
    json_escape(w->out, key, strlen(key));
    buf_putc(w->out, ':');
    w->after_key = true;
}

void jw_strn(jw *w, const char *s, size_t n)
{
    jw_sep(w);
    json_escape(w->out, s, n);
}

void jw_str_plain(jw *w, const char *s, size_t n)
{
    char tmp[64];
    jw_sep(w);
    if (n + 2 > sizeof tmp) {
        buf_putc(w->out, '"');
        buf_append(w->out, s, n);
        buf_putc(w->out, '"');
        return;
    }
    tmp[0] = '"';
    memcpy(tmp + 1, s, n);
    tmp[n + 1] = '"';
    buf_append(w->out, tmp, n + 2);
}

void jw_str(jw *w, const char *s)
{
    if (!s) {
        jw_null(w);
        return;
    }
    jw_strn(w, s, strlen(s));
}

void jw_int(jw *w, int64_t v)
{
    char num[24];
    jw_sep(w);
    buf_append(w->out, num, json_format_int(v, num));
}

void jw_bool(jw *w, bool v)
{
    jw_sep(w);
    buf_puts(w->out, v ? "true" : "false");
}

void jw_null(jw *w)
{
    jw_sep(w);
    buf_puts(w->out, "null");
}

void jw_raw(jw *w, const char *json)
{
    jw_sep(w);
    buf_puts(w->out, json);
}

/* hl7_message: ER7 parser and accessors (the writer and the ACK builder are
 * in hl7_writer.c).
 *
 * Parsing runs in two passes. The first splits the input into segment lines
 * and checks the structure (MSH, delimiters, segment ids, limits) without
 * allocating per value, so that a hostile message is refused cheaply. The
 * second builds the tree and decodes every value once (escapes, then charset
 * to UTF-8), so accessors are pure lookups that return stable pointers. */
#include "hl7/hl7_message.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

typedef unsigned char uchar;

/* One node of a field's tree. Levels: 0 field, 1 repetition, 2 component,
 * 3 subcomponent (a leaf holding the decoded text). Text that contains no
 * separator of its level is its own single child, so it is stored one level
 * lower (depth > level) without allocating: most values are plain, and a
 * 16-byte node keeps the worst case under 30 arena bytes per input byte. */
typedef struct node {
    uint32_t n;    /* children at level `depth` (0 = empty); 1 for a leaf */
    uint8_t depth; /* the level this node really describes */
    union {
        const char *value; /* depth 3 */
        struct node *kids; /* depth < 3 */
    } u;
} node;

struct hl7_segment {
    char id[4];
    int nfield;
    node *fields; /* fields[i] is field i + 1 */
};

struct hl7_message {
    hl7_header hdr;
    int nseg;
    hl7_segment *segs;
};

/* One segment line of the input, terminators excluded. */
typedef struct line {
    const uchar *p;
    size_t n;
} line;

typedef struct parser {
    arena *a;
    const uchar *base; /* start of the caller's data, for error offsets */
    hl7_encoding enc;
    uchar seps[3]; /* the separators that split levels 0, 1 and 2 */
    hl7_charset declared;
    bool guessed;
    buf scratch; /* unescaped bytes of the value being decoded */
    /* pass one: the line being checked, and where a problem lies */
    size_t nfields;
    bool msh_ok;     /* MSH delimiters read: a partial message can be built */
    const uchar *id; /* segment id to report, NULL when invalid */
    int field;       /* field to report, 0 = none */
    size_t where;    /* offset to report */
} parser;

static const char *const status_messages[] = {
    [HL7_OK] = "no error",
    [HL7_ERR_EMPTY] = "empty message",
    [HL7_ERR_TOO_LARGE] = "message exceeds the maximum size",
    [HL7_ERR_NUL_BYTE] = "NUL byte in message",
    [HL7_ERR_NO_MSH] = "message does not start with an MSH segment",
    [HL7_ERR_MSH_TOO_SHORT] = "MSH segment too short (MSH-1 to MSH-12 are required)",
    [HL7_ERR_BAD_ENCODING] = "invalid encoding characters in MSH-1/MSH-2",
    [HL7_ERR_BAD_SEGMENT_ID] = "segment id is not 3 uppercase letters or digits",
    [HL7_ERR_TOO_MANY_SEGMENTS] = "too many segments",
    [HL7_ERR_TOO_MANY_FIELDS] = "too many fields in segment",
    [HL7_ERR_UNSUPPORTED_CHARSET] = "unsupported character set in MSH-18",
    [HL7_ERR_DUPLICATE_MSH] = "second MSH segment (batches are not supported)",
};

const char *hl7_status_message(hl7_status code)
{
    if ((unsigned)code < sizeof status_messages / sizeof status_messages[0])
        return status_messages[code];
    return "unknown error";
}

/* --- Character sets ------------------------------------------------------- */

/* Length of the well-formed UTF-8 sequence at s (1 to 4), or 0 when ill-formed
 * (overlong forms, surrogates and code points past U+10FFFF included). */
static size_t utf8_seq_len(const uchar *s, size_t n)
{
    uchar c = s[0];
    size_t len = c < 0x80 ? 1 : c < 0xC2 ? 0 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF5 ? 4 : 0;
    if (len <= 1)
        return len;
    if (n < len)
        return 0;
    uint32_t cp = c & (0x7Fu >> len);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

/* 0x80-0x9F are C1 controls in ISO 8859-1, never text in HL7; senders that say
 * 8859/1 mean windows-1252 there (as browsers assume), so map them like it. */
static const uint16_t cp1252_c1[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

static uint32_t byte_to_cp(hl7_charset cs, uchar c)
{
    static const uchar l9_bytes[8] = {0xA4, 0xA6, 0xA8, 0xB4, 0xB8, 0xBC, 0xBD, 0xBE};
    static const uint16_t l9_cps[8] = {0x20AC, 0x0160, 0x0161, 0x017D,
                                       0x017E, 0x0152, 0x0153, 0x0178};
    if (c >= 0x80 && c <= 0x9F && cs == HL7_CHARSET_LATIN1)
        return cp1252_c1[c - 0x80];
    const uchar *hit = cs == HL7_CHARSET_LATIN9 ? memchr(l9_bytes, c, sizeof l9_bytes) : NULL;
    return hit ? l9_cps[hit - l9_bytes] : c;
}

/* Writes cp (< 0x10000) as UTF-8 to out unless out is NULL; returns its length. */
static size_t put_cp(char *out, uint32_t cp)
{
    static const uchar lead[4] = {0, 0, 0xC0, 0xE0};
    size_t n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : 3;
    if (out) {
        for (size_t i = n - 1; i > 0; i--, cp >>= 6)
            out[i] = (char)(0x80 | (cp & 0x3F));
        out[0] = (char)(lead[n] | cp);
    }
    return n;
}

/* Converts n bytes in charset cs to UTF-8 into out (NULL = only measure).
 * Ill-formed UTF-8 and NUL (only reachable through \X00\) become U+FFFD;
 * *bad counts the ill-formed UTF-8 bytes, *high the multibyte sequences. */
static size_t to_utf8(hl7_charset cs, const uchar *in, size_t n, char *out, size_t *bad,
                      size_t *high)
{
    size_t o = 0;
    *bad = *high = 0;
    for (size_t i = 0, k; i < n; i += k) {
        k = 1;
        uint32_t cp = 0xFFFD;
        if (in[i] != 0 && cs != HL7_CHARSET_UTF8) {
            cp = byte_to_cp(cs, in[i]);
        } else if (in[i] != 0 && (k = utf8_seq_len(in + i, n - i)) > 0) {
            *high += k > 1;
            if (out)
                memcpy(out + o, in + i, k);
            o += k;
            continue;
        }
        *bad += k == 0 && in[i] != 0;
        k = k ? k : 1;
        o += put_cp(out ? out + o : NULL, cp);
    }
    return o;
}

/* --- Value decoding --------------------------------------------------------- */

static int hex_digit(uchar c)
{
    static const char digits[] = "0123456789ABCDEF0123456789abcdef";
    const char *hit = c ? memchr(digits, c, sizeof digits - 1) : NULL;
    return hit ? (int)((hit - digits) % 16) : -1;
}

/* Appends the meaning of the escape sequence seq (between the two escape
 * characters) to out; false when the sequence is not one we decode. */
static bool unescape_one(const hl7_encoding *enc, const uchar *seq, size_t n, buf *out)
{
    static const char letters[] = "FSTREP";
    const char meaning[] = {enc->field,      enc->component, enc->subcomponent,
                            enc->repetition, enc->escape,    enc->truncation};
    if (n == 1) {
        if (seq[0] == 'H' || seq[0] == 'N')
            return true; /* highlighting on/off: presentation only */
        const char *hit = memchr(letters, seq[0], sizeof letters - 1);
        if (!hit || !meaning[hit - letters])
            return false;
        buf_putc(out, meaning[hit - letters]);
        return true;
    }
    if (n == 3 && memcmp(seq, ".br", 3) == 0)
        return buf_putc(out, '\n');
    if (seq[0] != 'X' || n < 3 || (n - 1) % 2 != 0)
        return false;
    for (size_t i = 1; i < n; i++)
        if (hex_digit(seq[i]) < 0)
            return false;
    for (size_t i = 1; i < n; i += 2)
        buf_putc(out, (char)(hex_digit(seq[i]) * 16 + hex_digit(seq[i + 1])));
    return true;
}

/* Decodes one subcomponent's raw bytes into a UTF-8 string in the arena. */
static const char *decode_value(parser *ps, const uchar *s, size_t n)
{
    uchar esc = (uchar)ps->enc.escape;
    const uchar *bytes = s;
    size_t len = n;
    if (n && memchr(s, esc, n)) {
        buf_reset(&ps->scratch);
        for (size_t i = 0; i < n;) {
            const uchar *close = s[i] == esc ? memchr(s + i + 1, esc, n - i - 1) : NULL;
            if (!close) { /* plain text up to the next escape character */
                const uchar *next = memchr(s + i + 1, esc, n - i - 1);
                size_t run = next ? (size_t)(next - (s + i)) : n - i;
                buf_append(&ps->scratch, s + i, run);
                i += run;
                continue;
            }
            size_t seq_len = (size_t)(close - (s + i + 1));
            /* unknown sequences are kept verbatim, both escape characters included */
            if (seq_len == 0 || !unescape_one(&ps->enc, s + i + 1, seq_len, &ps->scratch))
                buf_append(&ps->scratch, s + i, seq_len + 2);
            i += seq_len + 2;
        }
        bytes = (const uchar *)ps->scratch.data;
        len = ps->scratch.len;
    }
    if (len == 0)
        return "";
    /* Each value is read as UTF-8 when it is valid UTF-8, else in the 8-bit
     * fallback: this survives mislabelled messages and mixed sources. */
    size_t bad, high;
    hl7_charset cs = HL7_CHARSET_UTF8;
    size_t outlen = to_utf8(cs, bytes, len, NULL, &bad, &high);
    if (bad) {
        cs = ps->declared == HL7_CHARSET_LATIN9 ? HL7_CHARSET_LATIN9 : HL7_CHARSET_LATIN1;
        ps->guessed = ps->guessed || ps->declared == HL7_CHARSET_UTF8;
        outlen = to_utf8(cs, bytes, len, NULL, &bad, &high);
    } else if (high && ps->declared != HL7_CHARSET_UTF8) {
        ps->guessed = true;
    }
    char *d = arena_alloc(ps->a, outlen + 1);
    to_utf8(cs, bytes, len, d, &bad, &high);
    d[outlen] = '\0';
    return d;
}

/* --- Tree building ---------------------------------------------------------- */

static size_t count_byte(const uchar *s, size_t n, uchar c)
{
    size_t k = 0;
    for (const uchar *end = s + n; s < end && (s = memchr(s, c, (size_t)(end - s))); s++)
        k++;
    return k;
}

/* Length of the piece of s that ends at the next c (or at the end). */
static size_t piece_len(const uchar *s, size_t n, uchar c)
{
    const uchar *e = memchr(s, c, n);
    return e ? (size_t)(e - s) : n;
}

static void build_node(parser *ps, const uchar *s, size_t n, int depth, node *nd)
{
    while (depth < 3 && n > 0 && !memchr(s, ps->seps[depth], n))
        depth++;
    nd->depth = (uint8_t)depth;
    if (depth == 3) {
        nd->n = 1;
        nd->u.value = decode_value(ps, s, n);
        return;
    }
    nd->n = 0;
    nd->u.kids = NULL;
    if (n == 0)
        return;
    uchar sep = ps->seps[depth];
    nd->n = (uint32_t)count_byte(s, n, sep) + 1;
    nd->u.kids = arena_alloc(ps->a, nd->n * sizeof(node));
    for (uint32_t i = 0; i < nd->n; i++) {
        size_t k = piece_len(s, n, sep);
        build_node(ps, s, k, depth + 1, &nd->u.kids[i]);
        s += k + (k < n);
        n -= k + (k < n);
    }
}

/* Builds a segment from a line that pass one has validated. */
static void build_segment(parser *ps, const line *ln, hl7_segment *seg)
{
    uchar fs = (uchar)ps->enc.field;
    const uchar *s = ln->p + 3; /* at the separator that opens field 1 (or 2 for MSH) */
    size_t n = ln->n - 3;
    bool msh = memcmp(ln->p, "MSH", 3) == 0;
    int first = msh ? 2 : 0; /* index of the first field split from the text */
    memcpy(seg->id, ln->p, 3);
    seg->id[3] = '\0';
    seg->nfield = (int)count_byte(s, n, fs) + msh; /* MSH-1 is the separator itself */
    seg->fields = arena_alloc(ps->a, (size_t)(seg->nfield ? seg->nfield : 1) * sizeof(node));
    if (msh) { /* MSH-1 and MSH-2 are literal leaves, neither split nor unescaped */
        char sep[2] = {ps->enc.field, '\0'};
        char enc[6] = {ps->enc.component,    ps->enc.repetition, ps->enc.escape,
                       ps->enc.subcomponent, ps->enc.truncation, '\0'};
        seg->fields[0] = (node){.n = 1, .depth = 3, .u.value = arena_strdup(ps->a, sep)};
        seg->fields[1] = (node){.n = 1, .depth = 3, .u.value = arena_strdup(ps->a, enc)};
        s += 1 + strlen(enc);
        n -= 1 + strlen(enc);
    }
    for (int i = first; i < seg->nfield; i++) {
        size_t k = piece_len(s + 1, n - 1, fs);
        build_node(ps, s + 1, k, 0, &seg->fields[i]);
        s += k + 1;
        n -= k + 1;
    }
}

/* --- Pass one: structure ------------------------------------------------- */

static bool is_delimiter_char(uchar c)
{
    bool alnum = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    return c > 0x20 && c < 0x7F && !alnum;
}

/* [A-Z][A-Z0-9][A-Z0-9]: HL7 ids, Z segments included, are upper case. */
static bool is_segment_id(const line *ln)
{
    const uchar *p = ln->p;
    if (ln->n < 3)
        return false;
    for (int i = 0; i < 3; i++)
        if (!(p[i] >= 'A' && p[i] <= 'Z') && !(i > 0 && p[i] >= '0' && p[i] <= '9'))
            return false;
    return true;
}

/* Reads MSH-1/MSH-2 into ps->enc, or returns the error with ps->field set. */
static hl7_status read_encoding(parser *ps, const line *ln)
{
    ps->field = 1;
    if (ln->n < 4)
        return HL7_ERR_MSH_TOO_SHORT;
    uchar fs = ln->p[3];
    const uchar *e = ln->p + 4;
    if (!is_delimiter_char(fs))
        return HL7_ERR_BAD_ENCODING;
    ps->field = 2;
    size_t k = piece_len(e, ln->n - 4, fs);
    if (k < 4 && 4 + k == ln->n)
        return HL7_ERR_MSH_TOO_SHORT;
    if (k < 4 || k > 5)
        return HL7_ERR_BAD_ENCODING;
    for (size_t i = 0; i < k; i++)
        if (!is_delimiter_char(e[i]) || e[i] == fs || memchr(e, e[i], i))
            return HL7_ERR_BAD_ENCODING;
    ps->enc = (hl7_encoding){(char)fs,   (char)e[0], (char)e[1],
                             (char)e[2], (char)e[3], k == 5 ? (char)e[4] : '\0'};
    return HL7_OK;
}

/* Checks one non-blank line; index is its position. On success ps->nfields
 * holds its field count; on error ps->id/field/where locate the problem. */
static hl7_status check_line(parser *ps, const line *ln, int index)
{
    const uchar *nul = memchr(ln->p, 0, ln->n);
    bool msh = ln->n >= 3 && memcmp(ln->p, "MSH", 3) == 0;
    uchar fs = (uchar)ps->enc.field;
    ps->id = is_segment_id(ln) ? ln->p : NULL;
    ps->field = 0;
    ps->where = (size_t)(ln->p - ps->base);
    if (index > HL7_MAX_SEGMENTS)
        return HL7_ERR_TOO_MANY_SEGMENTS;
    if (nul) { /* locate the field: count separators before the NUL */
        if (index == 1)
            fs = ln->n > 3 ? ln->p[3] : 0;
        size_t seps = nul - ln->p > 3 ? count_byte(ln->p + 3, (size_t)(nul - ln->p - 3), fs) : 0;
        ps->field = (int)seps + (index == 1 && seps > 0);
        ps->id = nul - ln->p >= 3 ? ps->id : NULL;
        ps->where = (size_t)(nul - ps->base);
        return HL7_ERR_NUL_BYTE;
    }
    if (index == 1) {
        if (!msh)
            return HL7_ERR_NO_MSH;
        hl7_status rc = read_encoding(ps, ln);
        if (rc != HL7_OK)
            return rc;
        ps->nfields = count_byte(ln->p + 3, ln->n - 3, (uchar)ps->enc.field) + 1;
    } else {
        if (!ps->id || (ln->n > 3 && ln->p[3] != fs)) {
            ps->id = NULL;
            return HL7_ERR_BAD_SEGMENT_ID;
        }
        if (msh)
            return HL7_ERR_DUPLICATE_MSH;
        ps->nfields = count_byte(ln->p + 3, ln->n - 3, fs);
    }
    if (ps->nfields > HL7_MAX_FIELDS) {
        ps->field = HL7_MAX_FIELDS + 1;
        return HL7_ERR_TOO_MANY_FIELDS;
    }
    if (index == 1) {
        ps->msh_ok = true;
        ps->field = (int)ps->nfields + 1;
        if (ps->nfields < 12) /* MSH-12, the version, is the last required field */
            return HL7_ERR_MSH_TOO_SHORT;
        ps->field = 0;
    }
    return HL7_OK;
}

/* Reads the declared charset from the raw MSH-18 (first repetition, component
 * and subcomponent, spaces trimmed); false when the label is not one we read. */
static bool read_charset(parser *ps, const line *msh)
{
    static const struct {
        const char *name;
        hl7_charset cs;
    } labels[] = {
        {"UNICODE UTF-8", HL7_CHARSET_UTF8}, {"UTF-8", HL7_CHARSET_UTF8},
        {"UTF8", HL7_CHARSET_UTF8},          {"ASCII", HL7_CHARSET_UTF8},
        {"US-ASCII", HL7_CHARSET_UTF8},      {"8859/1", HL7_CHARSET_LATIN1},
        {"ISO-8859-1", HL7_CHARSET_LATIN1},  {"ISO8859-1", HL7_CHARSET_LATIN1},
        {"LATIN1", HL7_CHARSET_LATIN1},      {"8859/15", HL7_CHARSET_LATIN9},
        {"ISO-8859-15", HL7_CHARSET_LATIN9},
    };
    const uchar *s = msh->p + 3, *end = msh->p + msh->n;
    ps->declared = HL7_CHARSET_UTF8;
    for (int i = 2; i < 18; i++) /* from the separator before MSH-2 to the one before MSH-18 */
        if (!(s = memchr(s + 1, (uchar)ps->enc.field, (size_t)(end - s - 1))))
            return true;
    s++;
    size_t n = piece_len(s, (size_t)(end - s), (uchar)ps->enc.field);
    n = piece_len(s, n, (uchar)ps->enc.repetition);
    n = piece_len(s, n, (uchar)ps->enc.component);
    n = piece_len(s, n, (uchar)ps->enc.subcomponent); /* as in hdr.charset, MSH-18.1.1 */
    for (; n && s[0] == ' '; n--)
        s++;
    while (n && s[n - 1] == ' ')
        n--;
    for (size_t i = 0; n && i < sizeof labels / sizeof labels[0]; i++) {
        if (strlen(labels[i].name) == n && strncasecmp((const char *)s, labels[i].name, n) == 0) {
            ps->declared = labels[i].cs;
            return true;
        }
    }
    return n == 0;
}

static void set_error(hl7_error *err, hl7_status code, const line *lines, int index,
                      const parser *ps)
{
    *err = (hl7_error){.code = code,
                       .segment_index = index,
                       .field = ps->field,
                       .offset = ps->where,
                       .message = hl7_status_message(code)};
    if (ps->id) {
        memcpy(err->segment_id, ps->id, 3);
        err->segment_occurrence = 1;
        for (int i = 0; i < index - 1; i++)
            err->segment_occurrence += memcmp(lines[i].p, ps->id, 3) == 0;
    }
}

/* Pass two: builds the message from n validated lines (n >= 1, MSH first). */
static hl7_message *build_message(parser *ps, const line *lines, int n)
{
    hl7_message *m = arena_calloc(ps->a, 1, sizeof(*m));
    ps->seps[0] = (uchar)ps->enc.repetition;
    ps->seps[1] = (uchar)ps->enc.component;
    ps->seps[2] = (uchar)ps->enc.subcomponent;
    m->nseg = n;
    m->segs = arena_alloc(ps->a, (size_t)n * sizeof(*m->segs));
    buf_init(&ps->scratch, 0);
    for (int i = 0; i < n; i++)
        build_segment(ps, &lines[i], &m->segs[i]);
    buf_free(&ps->scratch);
    const hl7_segment *msh = &m->segs[0];
    m->hdr = (hl7_header){
        .sending_app = hl7_segment_get(msh, 3, 1, 1, 1),
        .sending_facility = hl7_segment_get(msh, 4, 1, 1, 1),
        .receiving_app = hl7_segment_get(msh, 5, 1, 1, 1),
        .receiving_facility = hl7_segment_get(msh, 6, 1, 1, 1),
        .timestamp = hl7_segment_get(msh, 7, 1, 1, 1),
        .message_type = hl7_segment_get(msh, 9, 1, 1, 1),
        .trigger = hl7_segment_get(msh, 9, 1, 2, 1),
        .structure = hl7_segment_get(msh, 9, 1, 3, 1),
        .control_id = hl7_segment_get(msh, 10, 1, 1, 1),
        .processing_id = hl7_segment_get(msh, 11, 1, 1, 1),
        .version = hl7_segment_get(msh, 12, 1, 1, 1),
        .charset = hl7_segment_get(msh, 18, 1, 1, 1),
        .encoding = ps->enc,
        .declared_charset = ps->declared,
        .charset_guessed = ps->guessed,
    };
    return m;
}

static bool is_blank(const line *ln)
{
    for (size_t i = 0; i < ln->n; i++)
        if (ln->p[i] != ' ' && ln->p[i] != '\t')
            return false;
    return true;
}

hl7_status hl7_parse(arena *a, const void *data, size_t len, size_t max_size, hl7_message **out,
                     hl7_error *err)
{
    parser ps = {.a = a, .base = data};
    hl7_status rc = HL7_OK;
    line *lines = NULL;
    int nlines = 0; /* lines validated so far: the partial message on error */
    int index = 0;  /* position of the segment in error */

    *out = NULL;
    if (max_size == 0)
        max_size = HL7_DEFAULT_MAX_SIZE;
    if (max_size > HL7_MAX_SIZE_CEILING)
        max_size = HL7_MAX_SIZE_CEILING;
    if (len > max_size) {
        ps.where = max_size;
        rc = HL7_ERR_TOO_LARGE;
        goto out;
    }
    if (len == 0) {
        rc = HL7_ERR_EMPTY;
        goto out;
    }
    const uchar *p = data, *end = p + len;
    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3; /* a byte order mark left by a text editor */
    size_t cap =
        count_byte(p, (size_t)(end - p), '\r') + count_byte(p, (size_t)(end - p), '\n') + 1;
    lines = arena_alloc(a, (cap < HL7_MAX_SEGMENTS ? cap : HL7_MAX_SEGMENTS) * sizeof(*lines));

    while (p < end) {
        const uchar *e = p;
        while (e < end && *e != '\r' && *e != '\n')
            e++;
        line ln = {p, (size_t)(e - p)};
        p = e + (e < end);
        if (is_blank(&ln))
            continue;
        index = nlines + 1;
        rc = check_line(&ps, &ln, index);
        if (rc == HL7_OK || (rc == HL7_ERR_MSH_TOO_SHORT && ps.msh_ok))
            lines[nlines++] = ln;
        if (rc != HL7_OK)
            goto out;
    }
    index = 0;
    ps = (parser){.a = a, .base = data, .enc = ps.enc, .msh_ok = ps.msh_ok};
    if (nlines == 0) {
        rc = HL7_ERR_EMPTY;
    } else if (!read_charset(&ps, &lines[0])) {
        rc = HL7_ERR_UNSUPPORTED_CHARSET;
        index = 1;
        ps.id = lines[0].p;
        ps.field = 18;
        ps.where = (size_t)(lines[0].p - ps.base);
    }

out:
    if (err)
        set_error(err, rc, lines, index, &ps);
    if (ps.msh_ok && nlines > 0) {
        read_charset(&ps, &lines[0]); /* an unknown label leaves UTF-8 */
        *out = build_message(&ps, lines, nlines);
    }
    return rc;
}

/* --- Accessors -------------------------------------------------------------- */

const hl7_header *hl7_msh(const hl7_message *m)
{
    return &m->hdr;
}

int hl7_segment_count(const hl7_message *m)
{
    return m->nseg;
}

const hl7_segment *hl7_segment_at(const hl7_message *m, int index)
{
    return index >= 1 && index <= m->nseg ? &m->segs[index - 1] : NULL;
}

const hl7_segment *hl7_find_segment(const hl7_message *m, const char *seg_id, int occurrence)
{
    for (int i = 0; i < m->nseg && occurrence > 0; i++)
        if (strcmp(m->segs[i].id, seg_id) == 0 && --occurrence == 0)
            return &m->segs[i];
    return NULL;
}

int hl7_count_segments(const hl7_message *m, const char *seg_id)
{
    int k = 0;
    for (int i = 0; i < m->nseg; i++)
        k += strcmp(m->segs[i].id, seg_id) == 0;
    return k;
}

const char *hl7_segment_id(const hl7_segment *s)
{
    return s->id;
}

int hl7_field_count(const hl7_segment *s)
{
    return s->nfield;
}

/* The child idx (1-based) of nd, a node met at `level`; NULL when absent. */
static const node *child(const node *nd, int level, int idx)
{
    if (!nd || idx < 1)
        return NULL;
    if (nd->depth > level) /* collapsed: the node is its own single child */
        return idx == 1 ? nd : NULL;
    return (uint32_t)idx <= nd->n ? &nd->u.kids[idx - 1] : NULL;
}

static int count_at(const node *nd, int level)
{
    return !nd ? 0 : nd->depth > level ? 1 : (int)nd->n;
}

static const node *field_node(const hl7_segment *s, int field)
{
    return s && field >= 1 && field <= s->nfield ? &s->fields[field - 1] : NULL;
}

int hl7_rep_count(const hl7_segment *s, int field)
{
    return count_at(field_node(s, field), 0);
}

int hl7_comp_count(const hl7_segment *s, int field, int rep)
{
    return count_at(child(field_node(s, field), 0, rep), 1);
}

int hl7_sub_count(const hl7_segment *s, int field, int rep, int comp)
{
    return count_at(child(child(field_node(s, field), 0, rep), 1, comp), 2);
}

const char *hl7_segment_get(const hl7_segment *s, int field, int rep, int comp, int sub)
{
    const node *nd = child(child(child(field_node(s, field), 0, rep), 1, comp), 2, sub);
    return nd ? nd->u.value : "";
}

const char *hl7_get(const hl7_message *m, const char *seg_id, int occurrence, int field, int rep,
                    int comp, int sub)
{
    return hl7_segment_get(hl7_find_segment(m, seg_id, occurrence), field, rep, comp, sub);
}

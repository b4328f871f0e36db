#include "core/name_match.h"

#include <stdint.h>
#include <string.h>

/* ---- result codes ---------------------------------------------------------- */

static const char *const result_codes[] = {
    [NM_OK] = "name.ok",
    [NM_ERR_MISSING] = "name.missing",
    [NM_ERR_TOO_LONG] = "name.too_long",
    [NM_ERR_UTF8] = "name.utf8",
    [NM_ERR_CONTROL] = "name.control",
    [NM_ERR_CHAR] = "name.char",
    [NM_ERR_SPACE] = "name.buffer",
};

const char *nm_result_code(nm_result r)
{
    if ((unsigned)r >= sizeof result_codes / sizeof result_codes[0])
        return "name.unknown";
    return result_codes[r];
}

/* ---- UTF-8 decoding -------------------------------------------------------- */

/* Decodes one code point at p (p < end). Returns its length in bytes, or 0 for
 * an invalid sequence: truncated, overlong, surrogate or above U+10FFFF. Strict
 * because a lenient decoder lets two byte strings that look alike on screen
 * normalize differently (or the same), which is what identity fraud relies on. */
static size_t utf8_decode(const unsigned char *p, const unsigned char *end, uint32_t *cp)
{
    unsigned char c = p[0];
    size_t avail = (size_t)(end - p);

    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        if (avail < 2 || (p[1] & 0xC0) != 0x80)
            return 0;
        *cp = ((uint32_t)(c & 0x1F) << 6) | (p[1] & 0x3F);
        return 2;
    }
    if (c >= 0xE0 && c <= 0xEF) {
        if (avail < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80)
            return 0;
        if ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] > 0x9F))
            return 0; /* overlong, or a UTF-16 surrogate */
        *cp = ((uint32_t)(c & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (avail < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
            return 0;
        if ((c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] > 0x8F))
            return 0;
        *cp = ((uint32_t)(c & 0x07) << 18) | ((uint32_t)(p[1] & 0x3F) << 12) |
              ((uint32_t)(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
        return 4;
    }
    return 0;
}

/* ---- character classes ----------------------------------------------------- */

typedef enum cclass {
    C_LETTER,  /* maps to 1 or 2 ASCII letters */
    C_SEP,     /* word separator */
    C_SKIP,    /* combining mark: belongs to the previous letter */
    C_CONTROL, /* control or invisible format character */
    C_OTHER,   /* anything else: refused */
} cclass;

/* U+00C0..U+00DF; the lower-case block U+00E0..U+00FE mirrors it 0x20 higher.
 * "" marks × and ÷, which are not letters. */
static const char latin1_upper[32][3] = {
    "A", "A", "A", "A", "A", "A", "AE", "C", "E", "E", "E", "E", "I", "I", "I",  "I",
    "D", "N", "O", "O", "O", "O", "O",  "",  "O", "U", "U", "U", "U", "Y", "TH", "SS",
};

/* Latin Extended-A, U+0100..U+017F, as contiguous ranges sharing a base letter. */
static const struct {
    uint16_t last;
    char ascii[3];
} latin_ext_a[] = {
    {0x105, "A"}, {0x10D, "C"},  {0x111, "D"}, {0x11B, "E"}, {0x123, "G"}, {0x127, "H"},
    {0x131, "I"}, {0x133, "IJ"}, {0x135, "J"}, {0x138, "K"}, {0x142, "L"}, {0x14B, "N"},
    {0x151, "O"}, {0x153, "OE"}, {0x159, "R"}, {0x161, "S"}, {0x167, "T"}, {0x173, "U"},
    {0x175, "W"}, {0x178, "Y"},  {0x17E, "Z"}, {0x17F, "S"},
};

static cclass classify(uint32_t cp, const char **ascii)
{
    static const char upper_ascii[26][2] = {"A", "B", "C", "D", "E", "F", "G", "H", "I",
                                            "J", "K", "L", "M", "N", "O", "P", "Q", "R",
                                            "S", "T", "U", "V", "W", "X", "Y", "Z"};
    if (cp < 0x80) {
        if (cp >= 'A' && cp <= 'Z') {
            *ascii = upper_ascii[cp - 'A'];
            return C_LETTER;
        }
        if (cp >= 'a' && cp <= 'z') {
            *ascii = upper_ascii[cp - 'a'];
            return C_LETTER;
        }
        if (cp == ' ' || cp == '-' || cp == '\'' || cp == '.' || cp == '`')
            return C_SEP;
        if (cp < 0x20 || cp == 0x7F)
            return C_CONTROL;
        return C_OTHER;
    }
    if (cp < 0xA0)
        return C_CONTROL; /* C1 controls */
    if (cp == 0xA0 || cp == 0xB4)
        return C_SEP; /* no-break space, acute accent typed as an apostrophe */
    if (cp == 0xAD)
        return C_CONTROL; /* soft hyphen: invisible */
    if (cp >= 0xC0 && cp <= 0xFF) {
        const char *s;
        if (cp == 0xFF)
            s = "Y";
        else
            s = latin1_upper[(cp - 0xC0) & 0x1F];
        if (!s[0])
            return C_OTHER;
        *ascii = s;
        return C_LETTER;
    }
    if (cp >= 0x100 && cp <= 0x17F) {
        for (size_t i = 0;; i++) {
            if (cp <= latin_ext_a[i].last) {
                *ascii = latin_ext_a[i].ascii;
                return C_LETTER;
            }
        }
    }
    if (cp == 0x2BC)
        return C_SEP; /* modifier letter apostrophe */
    if (cp >= 0x300 && cp <= 0x36F)
        return C_SKIP;
    if (cp == 0x2010 || cp == 0x2011 || cp == 0x2013 || cp == 0x2018 || cp == 0x2019)
        return C_SEP;
    if ((cp >= 0x200B && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202E) ||
        (cp >= 0x2060 && cp <= 0x206F) || cp == 0xFEFF)
        return C_CONTROL;
    return C_OTHER;
}

/* ---- normalization --------------------------------------------------------- */

static nm_result fail_out(char *out, size_t outsz, nm_result r)
{
    if (out && outsz > 0)
        out[0] = '\0';
    return r;
}

/* Shared by both forms. *outlen receives the length written (without NUL). */
static nm_result normalize(const char *utf8, char *out, size_t outsz, bool words, size_t *outlen)
{
    if (!out || outsz == 0)
        return NM_ERR_SPACE;
    if (!utf8)
        return fail_out(out, outsz, NM_ERR_MISSING);

    size_t n = strnlen(utf8, NM_NAME_MAX + 1);
    if (n > NM_NAME_MAX)
        return fail_out(out, outsz, NM_ERR_TOO_LONG);

    const unsigned char *p = (const unsigned char *)utf8;
    const unsigned char *end = p + n;
    size_t o = 0;
    bool pending_sep = false;

    while (p < end) {
        uint32_t cp;
        const char *ascii = NULL;
        size_t len = utf8_decode(p, end, &cp);
        if (len == 0)
            return fail_out(out, outsz, NM_ERR_UTF8);
        p += len;

        switch (classify(cp, &ascii)) {
        case C_LETTER: {
            size_t k = ascii[1] ? 2 : 1;
            size_t sep = (words && pending_sep && o > 0) ? 1 : 0;
            if (o + sep + k >= outsz)
                return fail_out(out, outsz, NM_ERR_SPACE);
            if (sep)
                out[o++] = ' ';
            out[o++] = ascii[0];
            if (k == 2)
                out[o++] = ascii[1];
            pending_sep = false;
            break;
        }
        case C_SEP:
            pending_sep = true;
            break;
        case C_SKIP:
            break;
        case C_CONTROL:
            return fail_out(out, outsz, NM_ERR_CONTROL);
        case C_OTHER:
            return fail_out(out, outsz, NM_ERR_CHAR);
        }
    }
    out[o] = '\0';
    if (outlen)
        *outlen = o;
    return NM_OK;
}

nm_result nm_normalize(const char *utf8, char *out, size_t outsz)
{
    return normalize(utf8, out, outsz, false, NULL);
}

nm_result nm_normalize_words(const char *utf8, char *out, size_t outsz)
{
    return normalize(utf8, out, outsz, true, NULL);
}

/* ---- phonetic key ---------------------------------------------------------- */

typedef struct keybuf {
    char *out;
    size_t size;
    size_t len;
    bool overflow;
} keybuf;

/* Appends one code, collapsing runs of the same code (rule e). */
static void key_put(keybuf *k, char c)
{
    if (k->len > 0 && k->out[k->len - 1] == c)
        return;
    if (k->len + 1 >= k->size) {
        k->overflow = true;
        return;
    }
    k->out[k->len++] = c;
}

static bool is_vowel(char c)
{
    return c == 'A' || c == 'E' || c == 'I' || c == 'O' || c == 'U' || c == 'Y';
}

static bool is_front(char c)
{
    return c == 'E' || c == 'I' || c == 'Y';
}

/* One word's letters, with its pronounced length after silent endings. */
typedef struct word {
    const char *w;
    size_t len;    /* letters at or beyond len are silent and invisible */
    bool silent_e; /* w[len - 1] is a silent E: seen as context, never coded */
} word;

static char at(const word *wd, size_t i)
{
    return i < wd->len ? wd->w[i] : '\0';
}

/* A vowel followed by N/M at j is nasal when that N/M is followed by the end of
 * the word or by a consonant other than N/M (rule c). */
static bool nasal_at(const word *wd, size_t j)
{
    char c = at(wd, j);
    if (c != 'N' && c != 'M')
        return false;
    char next = at(wd, j + 1);
    return next == '\0' || (!is_vowel(next) && next != 'N' && next != 'M');
}

static bool ends_with(const char *w, size_t len, const char *suffix)
{
    size_t n = strlen(suffix);
    return len >= n && memcmp(w + len - n, suffix, n) == 0;
}

/* Rule a: silent endings. */
static void trim_silent_ending(word *wd)
{
    const char *w = wd->w;
    size_t len = wd->len;
    bool cut = true;

    if (len > 2 && (w[len - 1] == 'S' || w[len - 1] == 'X'))
        len--;
    if (len > 4 && ends_with(w, len, "AULT"))
        len -= 2;
    else if (len > 2 && (w[len - 1] == 'T' || w[len - 1] == 'D'))
        len--;
    else if (len > 2 && ((w[len - 1] == 'P' && w[len - 2] == 'M') ||
                         ((w[len - 1] == 'C' || w[len - 1] == 'G') && w[len - 2] == 'N')))
        len--;
    else
        cut = false;

    /* After a dropped consonant the E before it is pronounced (MOULINET), and an
     * R before it too (HUBERT): the remaining rules only apply to the real end. */
    if (!cut) {
        if (len > 3 && ends_with(w, len, "IER"))
            len -= 2;
        else if (len > 2 && ends_with(w, len, "ER"))
            len -= 1;
        else if (len > 2 && w[len - 1] == 'E')
            wd->silent_e = true;
    }
    wd->len = len;
}

/* Codes a vowel group starting at i; returns the letters consumed (rules b, c). */
static size_t code_vowel(const word *wd, size_t i, keybuf *k)
{
    char c = wd->w[i], c1 = at(wd, i + 1), c2 = at(wd, i + 2);
    bool c1_iy = c1 == 'I' || c1 == 'Y';

    switch (c) {
    case 'A':
        if (c1 == 'U') {
            key_put(k, 'O');
            return 2;
        }
        if (c1_iy && nasal_at(wd, i + 2)) {
            key_put(k, '2');
            return 3;
        }
        if (c1_iy || c1 == 'E') {
            key_put(k, 'E');
            return 2;
        }
        if (nasal_at(wd, i + 1)) {
            key_put(k, '1');
            return 2;
        }
        key_put(k, 'A');
        return 1;
    case 'E':
        if (c1 == 'A' && c2 == 'U') {
            key_put(k, 'O');
            return 3;
        }
        if (c1 == 'U') {
            key_put(k, 'E');
            return 2;
        }
        if (c1_iy && nasal_at(wd, i + 2)) {
            key_put(k, '2');
            return 3;
        }
        if (c1_iy) {
            key_put(k, 'E');
            return 2;
        }
        if (nasal_at(wd, i + 1)) {
            bool after_i = i > 0 && (wd->w[i - 1] == 'I' || wd->w[i - 1] == 'Y');
            key_put(k, after_i ? '2' : '1');
            return 2;
        }
        key_put(k, 'E');
        return 1;
    case 'O':
        if (c1 == 'U') {
            key_put(k, 'U');
            return 2;
        }
        if (c1_iy && nasal_at(wd, i + 2)) {
            key_put(k, 'W');
            key_put(k, '2');
            return 3;
        }
        if (c1_iy) {
            key_put(k, 'W');
            key_put(k, 'A');
            return 2;
        }
        if (c1 == 'E' && c2 == 'U') {
            key_put(k, 'E');
            return 3;
        }
        if (nasal_at(wd, i + 1)) {
            key_put(k, '3');
            return 2;
        }
        key_put(k, 'O');
        return 1;
    case 'U':
        key_put(k, nasal_at(wd, i + 1) ? '2' : 'Y');
        return nasal_at(wd, i + 1) ? 2 : 1;
    default: /* I, Y */
        key_put(k, nasal_at(wd, i + 1) ? '2' : 'I');
        return nasal_at(wd, i + 1) ? 2 : 1;
    }
}

/* Codes a consonant group starting at i; returns the letters consumed (rule d). */
static size_t code_consonant(const word *wd, size_t i, keybuf *k)
{
    char c = wd->w[i], c1 = at(wd, i + 1), c2 = at(wd, i + 2);

    switch (c) {
    case 'B':
    case 'V':
    case 'W':
        key_put(k, 'V');
        return 1;
    case 'C':
        if (c1 == 'H') {
            key_put(k, (c2 == 'R' || c2 == 'L') ? 'K' : 'X');
            return 2;
        }
        if (c1 == 'C' && is_front(c2)) {
            key_put(k, 'K');
            key_put(k, 'S');
            return 2;
        }
        if (c1 == 'K' || c1 == 'C') {
            key_put(k, 'K');
            return 2;
        }
        key_put(k, is_front(c1) ? 'S' : 'K');
        return 1;
    case 'G':
        if (c1 == 'U' && is_front(c2)) {
            key_put(k, 'G');
            return 2;
        }
        if (c1 == 'E' && (c2 == 'A' || c2 == 'O' || c2 == 'U')) {
            key_put(k, 'J');
            return 2;
        }
        if (c1 == 'N') {
            key_put(k, 'N');
            key_put(k, 'I');
            return 2;
        }
        if (c1 == 'H') {
            key_put(k, 'G');
            return 2;
        }
        key_put(k, is_front(c1) ? 'J' : 'G');
        return 1;
    case 'H':
        return 1;
    case 'P':
        if (c1 == 'H') {
            key_put(k, 'F');
            return 2;
        }
        key_put(k, 'P');
        return 1;
    case 'Q':
        key_put(k, 'K');
        return c1 == 'U' ? 2 : 1;
    case 'S':
        if (c1 == 'C' && c2 == 'H') {
            key_put(k, 'X');
            return 3;
        }
        if (c1 == 'H') {
            key_put(k, 'X');
            return 2;
        }
        key_put(k, 'S');
        return (c1 == 'C' && is_front(c2)) ? 2 : 1;
    case 'T':
        key_put(k, 'T');
        return c1 == 'H' ? 2 : 1;
    case 'X':
        key_put(k, 'K');
        key_put(k, 'S');
        return 1;
    case 'Z':
        key_put(k, 'S');
        return 1;
    default: /* D F J K L M N R: coded as themselves */
        key_put(k, c);
        return 1;
    }
}

static void phonetic_word(const char *w, size_t n, keybuf *k)
{
    word wd = {.w = w, .len = n, .silent_e = false};
    trim_silent_ending(&wd);

    size_t i = 0;
    while (i < wd.len) {
        if (wd.silent_e && i == wd.len - 1)
            break;
        if (is_vowel(wd.w[i]))
            i += code_vowel(&wd, i, k);
        else
            i += code_consonant(&wd, i, k);
    }
}

nm_result nm_phonetic(const char *utf8, char *out, size_t outsz)
{
    char words[NM_NORM_SIZE];
    size_t n = 0;

    if (!out || outsz == 0)
        return NM_ERR_SPACE;
    nm_result r = normalize(utf8, words, sizeof words, true, &n);
    if (r != NM_OK)
        return fail_out(out, outsz, r);

    keybuf k = {.out = out, .size = outsz, .len = 0, .overflow = false};
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || words[i] == ' ') {
            if (i > start)
                phonetic_word(words + start, i - start, &k);
            start = i + 1;
        }
    }
    if (k.overflow)
        return fail_out(out, outsz, NM_ERR_SPACE);
    out[k.len] = '\0';
    return NM_OK;
}

/* ---- similarity ------------------------------------------------------------ */

/* Optimal string alignment distance turned into a similarity. Three rolling rows
 * on the stack: lengths are bounded by NM_NAME_MAX, so 16 bits hold any cost. */
static double osa_similarity(const char *a, size_t la, const char *b, size_t lb)
{
    uint16_t rows[3][NM_NAME_MAX + 1];
    uint16_t *prev2 = rows[0], *prev = rows[1], *cur = rows[2];

    if (la == 0 || lb == 0)
        return 0.0;
    if (la == lb && memcmp(a, b, la) == 0)
        return 1.0;

    for (size_t j = 0; j <= lb; j++)
        prev[j] = (uint16_t)j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = (uint16_t)i;
        for (size_t j = 1; j <= lb; j++) {
            unsigned best = prev[j - 1] + (a[i - 1] != b[j - 1]);
            if (prev[j] + 1u < best)
                best = prev[j] + 1u;
            if (cur[j - 1] + 1u < best)
                best = cur[j - 1] + 1u;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                prev2[j - 2] + 1u < best)
                best = prev2[j - 2] + 1u;
            cur[j] = (uint16_t)best;
        }
        uint16_t *t = prev2;
        prev2 = prev;
        prev = cur;
        cur = t;
    }
    size_t longest = la > lb ? la : lb;
    return 1.0 - (double)prev[lb] / (double)longest;
}

double nm_similarity_normalized(const char *a, const char *b)
{
    if (!a || !b)
        return 0.0;
    size_t la = strnlen(a, NM_NAME_MAX + 1), lb = strnlen(b, NM_NAME_MAX + 1);
    if (la > NM_NAME_MAX || lb > NM_NAME_MAX)
        return 0.0;
    return osa_similarity(a, la, b, lb);
}

double nm_similarity(const char *a, const char *b)
{
    char na[NM_NORM_SIZE], nb[NM_NORM_SIZE];
    size_t la = 0, lb = 0;

    if (normalize(a, na, sizeof na, false, &la) != NM_OK ||
        normalize(b, nb, sizeof nb, false, &lb) != NM_OK)
        return 0.0;
    return osa_similarity(na, la, nb, lb);
}

bool nm_prefix_match(const char *name, const char *prefix)
{
    char nn[NM_NORM_SIZE], np[NM_NORM_SIZE];
    size_t ln = 0, lp = 0;

    if (normalize(name, nn, sizeof nn, false, &ln) != NM_OK ||
        normalize(prefix, np, sizeof np, false, &lp) != NM_OK)
        return false;
    return lp <= ln && memcmp(nn, np, lp) == 0;
}

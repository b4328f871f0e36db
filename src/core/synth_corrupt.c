/* synth_corrupt: turns a copy of a generated identity into the kind of
 * duplicate identitovigilance meets (typos on an AZERTY keyboard, given names
 * swapped or missing, accents dropped, used name as birth name, day and month
 * swapped), for the ground truth of the duplicate benchmark. */
#include "core/identity_match.h"
#include "core/name_match.h"
#include "core/synth_internal.h"
#include "util/alloc.h"

#include <string.h>

/* ==== UTF-8 letters ====================================================== */

/* Generated names hold ASCII and U+00C0..U+017F only: one or two bytes each. */
#define MAX_CPS 128

static int decode(const char *s, uint32_t *cp)
{
    int n = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p && n < MAX_CPS) {
        if (*p < 0x80) {
            cp[n++] = *p++;
        } else if ((*p & 0xE0) == 0xC0 && (p[1] & 0xC0) == 0x80) {
            cp[n++] = ((uint32_t)(p[0] & 0x1F) << 6) | (p[1] & 0x3F);
            p += 2;
        } else {
            return -1;
        }
    }
    return *p ? -1 : n;
}

static char *encode(arena *ar, const uint32_t *cp, int n)
{
    char *out = arena_alloc(ar, (size_t)n * 2 + 1), *o = out;
    for (int i = 0; i < n; i++) {
        if (cp[i] < 0x80) {
            *o++ = (char)cp[i];
        } else {
            *o++ = (char)(0xC0 | (cp[i] >> 6));
            *o++ = (char)(0x80 | (cp[i] & 0x3F));
        }
    }
    *o = '\0';
    return out;
}

/* U+00C0..U+00FF without accents; '*' marks the two-letter ones and × ÷. */
static const char LATIN1_BASE[] = "AAAAAA*CEEEEIIIIDNOOOOO*OUUUUY**"
                                  "aaaaaa*ceeeeiiiidnooooo*ouuuuy*y";

static bool is_letter(uint32_t c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (c >= 0xC0 && c <= 0x17F && c != 0xD7 && c != 0xF7);
}

static bool is_upper(uint32_t c)
{
    if (c < 0x80)
        return c >= 'A' && c <= 'Z';
    if (c < 0x100)
        return c < 0xE0;
    return (c & 1) == 0; /* Latin Extended-A pairs used here: Œ/œ */
}

/* The ASCII letters a letter is written with once its accents are dropped. */
static const char *unaccented(uint32_t c, char tmp[2])
{
    if (c < 0x80) {
        tmp[0] = (char)c;
        tmp[1] = '\0';
        return tmp;
    }
    switch (c) {
    case 0xC6:
        return "AE";
    case 0xE6:
        return "ae";
    case 0xDE:
        return "TH";
    case 0xFE:
        return "th";
    case 0xDF:
        return "ss";
    case 0x152:
        return "OE";
    case 0x153:
        return "oe";
    default:
        break;
    }
    if (c >= 0xC0 && c <= 0xFF && LATIN1_BASE[c - 0xC0] != '*') {
        tmp[0] = LATIN1_BASE[c - 0xC0];
        tmp[1] = '\0';
        return tmp;
    }
    tmp[0] = c >= 0x100 && is_upper(c) ? 'E' : 'e'; /* not produced by the lists */
    tmp[1] = '\0';
    return tmp;
}

/* Lower-case ASCII base letter of a letter (é -> e, Œ -> o). */
static char base_letter(uint32_t c)
{
    char tmp[2];
    char b = unaccented(c, tmp)[0];
    return (char)(b >= 'A' && b <= 'Z' ? b - 'A' + 'a' : b);
}

static bool has_accent(const char *s)
{
    for (; s && *s; s++)
        if ((unsigned char)*s >= 0x80)
            return true;
    return false;
}

static const char *strip_accents(arena *ar, const char *s)
{
    if (!s)
        return NULL;
    uint32_t cp[MAX_CPS];
    int n = decode(s, cp);
    if (n < 0)
        return s;
    char *out = arena_alloc(ar, (size_t)n * 2 + 1), *o = out;
    for (int i = 0; i < n; i++) {
        char tmp[2];
        const char *u = unaccented(cp[i], tmp);
        size_t len = strlen(u);
        memcpy(o, u, len);
        o += len;
    }
    *o = '\0';
    return out;
}

/* Keys next to a letter on a French (AZERTY) keyboard: the usual typos. */
static int azerty_neighbours(char c, char out[6])
{
    static const char *const rows[] = {"azertyuiop", "qsdfghjklm", "wxcvbn"};
    int n = 0;
    for (int r = 0; r < 3; r++) {
        const char *pos = strchr(rows[r], c);
        if (!pos)
            continue;
        int col = (int)(pos - rows[r]);
        int len = (int)strlen(rows[r]);
        if (col > 0)
            out[n++] = rows[r][col - 1];
        if (col + 1 < len)
            out[n++] = rows[r][col + 1];
        if (r > 0 && col < (int)strlen(rows[r - 1]))
            out[n++] = rows[r - 1][col];
        if (r < 2 && col < (int)strlen(rows[r + 1]))
            out[n++] = rows[r + 1][col];
    }
    return n;
}

/* ==== typos ============================================================== */

/* Position p is a letter that does not start a word. */
static bool inner_letter(const uint32_t *cp, int p)
{
    return is_letter(cp[p]) && p > 0 && is_letter(cp[p - 1]);
}

static int count_letters(const uint32_t *cp, int n)
{
    int k = 0;
    for (int i = 0; i < n; i++)
        k += is_letter(cp[i]);
    return k;
}

static bool typo_applicable(synth_corruption kind, const char *name)
{
    uint32_t cp[MAX_CPS];
    int n = name ? decode(name, cp) : -1;
    if (n < 2 || n > MAX_CPS - 2)
        return false;
    switch (kind) {
    case SYNTH_TYPO_SUBSTITUTION:
    case SYNTH_TYPO_INSERTION:
        for (int p = 0; p < n; p++)
            if (inner_letter(cp, p))
                return true;
        return false;
    case SYNTH_TYPO_DELETION:
        if (count_letters(cp, n) < 3)
            return false;
        for (int p = 0; p < n; p++)
            if (inner_letter(cp, p))
                return true;
        return false;
    case SYNTH_TYPO_TRANSPOSITION:
        for (int p = 1; p + 1 < n; p++)
            if (inner_letter(cp, p) && is_letter(cp[p + 1]) &&
                base_letter(cp[p]) != base_letter(cp[p + 1]))
                return true;
        return false;
    default:
        return false;
    }
}

/* Picks uniformly among the positions where ok(cp, p) holds. */
static int pick_position(rng *r, const uint32_t *cp, int n, int kind)
{
    int cand[MAX_CPS], k = 0;
    for (int p = 0; p < n; p++) {
        bool ok = inner_letter(cp, p);
        if (kind == SYNTH_TYPO_TRANSPOSITION)
            ok = ok && p + 1 < n && is_letter(cp[p + 1]) &&
                 base_letter(cp[p]) != base_letter(cp[p + 1]);
        if (ok)
            cand[k++] = p;
    }
    return k ? cand[rng_below(r, (uint64_t)k)] : -1;
}

/* One keyboard typo of the given kind in name (typo_applicable() holds). */
static const char *typo(rng *r, arena *ar, synth_corruption kind, const char *name)
{
    uint32_t cp[MAX_CPS];
    int n = decode(name, cp);
    int p = pick_position(r, cp, n, kind);
    char nb[6];
    switch (kind) {
    case SYNTH_TYPO_SUBSTITUTION: {
        int k = azerty_neighbours(base_letter(cp[p]), nb);
        char c = k ? nb[rng_below(r, (uint64_t)k)] : (base_letter(cp[p]) == 'e' ? 'a' : 'e');
        cp[p] = is_upper(cp[p]) ? (uint32_t)(c - 'a' + 'A') : (uint32_t)c;
        break;
    }
    case SYNTH_TYPO_INSERTION: {
        /* a doubled letter or a neighbouring key, after position p */
        char prev = base_letter(cp[p]);
        int k = azerty_neighbours(prev, nb);
        char c = rng_chance(r, 0.5) || !k ? prev : nb[rng_below(r, (uint64_t)k)];
        memmove(cp + p + 2, cp + p + 1, sizeof *cp * (size_t)(n - p - 1));
        cp[p + 1] = (uint32_t)c;
        n++;
        break;
    }
    case SYNTH_TYPO_DELETION:
        memmove(cp + p, cp + p + 1, sizeof *cp * (size_t)(n - p - 1));
        n--;
        break;
    case SYNTH_TYPO_TRANSPOSITION: {
        uint32_t t = cp[p];
        cp[p] = cp[p + 1];
        cp[p + 1] = t;
        break;
    }
    default:
        break;
    }
    return encode(ar, cp, n);
}

static int count_words(const char *list)
{
    int n = 0;
    for (const char *p = list; p && *p;) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        n++;
        p += strcspn(p, " ");
    }
    return n;
}

/* Word i (0-based) of a space-separated list, in the arena. */
const char *synth_word_at(arena *ar, const char *list, int i)
{
    const char *p = list;
    for (int k = 0;; k++) {
        while (*p == ' ')
            p++;
        size_t n = strcspn(p, " ");
        if (k == i)
            return arena_strndup(ar, p, n);
        p += n;
    }
}

/* The list with its first word replaced. */
static const char *replace_first_word(arena *ar, const char *list, const char *first)
{
    const char *rest = list + strcspn(list, " ");
    return arena_printf(ar, "%s%s", first, rest);
}

bool synth_corruption_applies(synth_corruption kind, const patient_input *o, arena *ar)
{
    switch (kind) {
    case SYNTH_TYPO_SUBSTITUTION:
    case SYNTH_TYPO_INSERTION:
    case SYNTH_TYPO_DELETION:
    case SYNTH_TYPO_TRANSPOSITION:
        return typo_applicable(kind, o->birth_family_name) ||
               typo_applicable(kind, synth_word_at(ar, o->birth_given_names, 0));
    case SYNTH_GIVEN_SWAPPED:
    case SYNTH_GIVEN_MISSING:
        return count_words(o->birth_given_names) >= 2;
    case SYNTH_ACCENTS_DROPPED:
        return has_accent(o->birth_family_name) || has_accent(o->used_family_name) ||
               has_accent(o->birth_given_names) || has_accent(o->used_given_name);
    case SYNTH_USED_NAME: {
        if (!o->used_family_name)
            return false;
        char a[NM_NORM_SIZE], b[NM_NORM_SIZE];
        return nm_normalize(o->used_family_name, a, sizeof a) == NM_OK &&
               nm_normalize(o->birth_family_name, b, sizeof b) == NM_OK && strcmp(a, b) != 0;
    }
    case SYNTH_DAY_MONTH_SWAPPED: {
        char swapped[11];
        return idmatch_swap_day_month(o->birth_date, swapped);
    }
    default:
        return false;
    }
}

void synth_corrupt(synth_corruption kind, rng *r, arena *ar, patient_input *d)
{
    switch (kind) {
    case SYNTH_TYPO_SUBSTITUTION:
    case SYNTH_TYPO_INSERTION:
    case SYNTH_TYPO_DELETION:
    case SYNTH_TYPO_TRANSPOSITION: {
        /* the family name two times out of three, else the first given name */
        const char *first = synth_word_at(ar, d->birth_given_names, 0);
        bool family = typo_applicable(kind, d->birth_family_name);
        bool given = typo_applicable(kind, first);
        if (family && (!given || rng_chance(r, 0.65)))
            d->birth_family_name = typo(r, ar, kind, d->birth_family_name);
        else
            d->birth_given_names =
                replace_first_word(ar, d->birth_given_names, typo(r, ar, kind, first));
        break;
    }
    case SYNTH_GIVEN_SWAPPED: {
        const char *a = synth_word_at(ar, d->birth_given_names, 0);
        const char *b = synth_word_at(ar, d->birth_given_names, 1);
        const char *rest = d->birth_given_names;
        for (int i = 0; i < 2; i++) {
            while (*rest == ' ')
                rest++;
            rest += strcspn(rest, " ");
        }
        d->birth_given_names = arena_printf(ar, "%s %s%s", b, a, rest);
        break;
    }
    case SYNTH_GIVEN_MISSING:
        /* only the first given name, or only the one used day to day */
        d->birth_given_names = synth_word_at(ar, d->birth_given_names, rng_chance(r, 0.5) ? 0 : 1);
        if (d->used_given_name && strcmp(d->used_given_name, d->birth_given_names) == 0)
            d->used_given_name = NULL;
        break;
    case SYNTH_ACCENTS_DROPPED:
        d->birth_family_name = strip_accents(ar, d->birth_family_name);
        d->used_family_name = strip_accents(ar, d->used_family_name);
        d->birth_given_names = strip_accents(ar, d->birth_given_names);
        d->used_given_name = strip_accents(ar, d->used_given_name);
        break;
    case SYNTH_USED_NAME:
        d->birth_family_name = d->used_family_name;
        d->used_family_name = NULL;
        break;
    case SYNTH_DAY_MONTH_SWAPPED: {
        char swapped[11];
        idmatch_swap_day_month(d->birth_date, swapped);
        d->birth_date = arena_strdup(ar, swapped);
        break;
    }
    default:
        break;
    }
}

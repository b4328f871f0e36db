#include "core/directory_format.h"
#include "core/name_match.h"

#include <string.h>
#include <strings.h>

/* ---- identifiers and formats ------------------------------------------------ */

bool directory_is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

bool directory_digits_only(const char *s, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        if (!directory_is_digit(s[i]))
            return false;
    return true;
}

bool directory_rpps_valid(const char *s)
{
    return s && strlen(s) == 11 && directory_digits_only(s, 0, 11);
}

/* Nine characters, the first two a department: digits, or 2A/2B. */
static bool department_coded_9(const char *s)
{
    if (!s || strlen(s) != 9)
        return false;
    bool corsica = s[0] == '2' && (s[1] == 'A' || s[1] == 'B');
    return (corsica || directory_digits_only(s, 0, 2)) && directory_digits_only(s, 2, 9);
}

bool directory_adeli_valid(const char *s)
{
    return department_coded_9(s);
}

bool directory_finess_valid(const char *s)
{
    return department_coded_9(s);
}

bool directory_luhn_valid(const char *digits)
{
    size_t n = digits ? strlen(digits) : 0;
    if (n == 0 || !directory_digits_only(digits, 0, n))
        return false;
    int sum = 0;
    for (size_t i = 0; i < n; i++) {
        int d = digits[n - 1 - i] - '0';
        if (i % 2 == 1) {
            d *= 2;
            if (d > 9)
                d -= 9;
        }
        sum += d;
    }
    return sum % 10 == 0;
}

bool directory_siret_valid(const char *s)
{
    if (!s || strlen(s) != 14 || !directory_digits_only(s, 0, 14))
        return false;
    if (directory_luhn_valid(s))
        return true;
    if (strncmp(s, "356000000", 9) != 0)
        return false;
    int sum = 0; /* La Poste: too many establishments for the Luhn key */
    for (size_t i = 0; i < 14; i++)
        sum += s[i] - '0';
    return sum % 5 == 0;
}

bool directory_profession_code_valid(const char *s)
{
    return s && strlen(s) == 2 && directory_digits_only(s, 0, 2);
}

const char *directory_phone_normalize(arena *a, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 40)
        return NULL;
    char *out = arena_alloc(a, n + 1);
    size_t o = 0, digits = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (directory_is_digit(ch)) {
            out[o++] = ch;
            digits++;
        } else if (ch == '+' && o == 0) {
            out[o++] = ch;
        } else if (!(ch == ' ' || ch == '.' || ch == '-' || ch == '(' || ch == ')')) {
            return NULL;
        }
    }
    out[o] = '\0';
    return digits >= 4 && digits <= 15 ? out : NULL;
}

static bool domain_valid(const char *d)
{
    size_t label = 0, labels = 0;
    char prev = '.';
    for (const char *p = d;; p++) {
        char ch = *p;
        if (ch == '.' || ch == '\0') {
            if (label == 0 || label > 63 || prev == '-')
                return false;
            labels++;
            label = 0;
            if (ch == '\0')
                return labels >= 2;
        } else if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || directory_is_digit(ch) ||
                   (ch == '-' && label > 0)) {
            label++;
        } else {
            return false;
        }
        prev = ch;
    }
}

bool directory_email_valid(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 3 || n > DIRECTORY_MAX_EMAIL)
        return false;
    const char *at = strchr(s, '@');
    if (!at || strchr(at + 1, '@'))
        return false;
    size_t local = (size_t)(at - s);
    if (local == 0 || local > 64 || s[0] == '.' || s[local - 1] == '.')
        return false;
    for (size_t i = 0; i < local; i++) {
        char ch = s[i];
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || directory_is_digit(ch) ||
                  (ch != '\0' && strchr("!#$%&'*+-/=?^_`{|}~.", ch) != NULL);
        if (!ok || (ch == '.' && s[i + 1] == '.'))
            return false;
    }
    return domain_valid(at + 1);
}

bool directory_mssante_valid(const char *s)
{
    if (!directory_email_valid(s))
        return false;
    const char *domain = strchr(s, '@') + 1;
    size_t n = strlen(domain);
    static const char suffix[] = "mssante.fr";
    size_t k = sizeof suffix - 1;
    if (n < k || strncasecmp(domain + n - k, suffix, k) != 0)
        return false;
    return n == k || domain[n - k - 1] == '.';
}

const char *directory_nonempty(const char *s)
{
    return s && *s ? s : NULL;
}

/* ---- keys -------------------------------------------------------------------- */

static size_t utf8_seq_len(unsigned char lead)
{
    if (lead < 0x80)
        return 1;
    if ((lead & 0xE0) == 0xC0)
        return 2;
    if ((lead & 0xF0) == 0xE0)
        return 3;
    if ((lead & 0xF8) == 0xF0)
        return 4;
    return 0;
}

const char *directory_key(arena *a, const char *text)
{
    char *out = arena_alloc(a, NM_NORM_SIZE);
    nm_result r = nm_normalize(text, out, NM_NORM_SIZE);
    if (r == NM_OK)
        return out;
    if (r != NM_ERR_CHAR)
        return NULL;
    /* Some character is not a letter: normalise one code point at a time and
     * leave those out. Invalid UTF-8 and control characters are still refused,
     * whatever comes first in the text. */
    size_t o = 0;
    for (const char *p = text; *p;) {
        size_t len = utf8_seq_len((unsigned char)*p);
        if (len == 0)
            return NULL;
        char one[5] = {0}, key[8];
        for (size_t i = 0; i < len; i++) {
            if (!p[i])
                return NULL; /* truncated sequence */
            one[i] = p[i];
        }
        p += len;
        r = nm_normalize(one, key, sizeof key);
        if (r == NM_ERR_CHAR)
            continue;
        if (r != NM_OK)
            return NULL;
        size_t k = strlen(key);
        if (o + k >= NM_NORM_SIZE)
            return NULL;
        memcpy(out + o, key, k);
        o += k;
    }
    out[o] = '\0';
    return out;
}

const char *directory_name_key(arena *a, const char *family, const char *given)
{
    const char *f = directory_key(a, family);
    if (!f || !*f)
        return NULL;
    const char *g = given && *given ? directory_key(a, given) : "";
    if (!g)
        return NULL;
    return arena_printf(a, "%s %s", f, g);
}

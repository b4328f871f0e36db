#include "core/ins.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* 0-based index of the department's two characters in the NIR. */
#define DEPT_AT 5

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_upper_alnum(char c)
{
    return is_digit(c) || (c >= 'A' && c <= 'Z');
}

static bool is_corsica(const char *dept)
{
    return dept[0] == '2' && (dept[1] == 'A' || dept[1] == 'B');
}

static const char *const result_codes[] = {
    [INS_OK] = "ins.ok",
    [INS_ERR_MISSING] = "ins.missing",
    [INS_ERR_LENGTH] = "ins.length",
    [INS_ERR_CHAR] = "ins.char",
    [INS_ERR_DEPARTMENT] = "ins.department",
    [INS_ERR_SEX_DIGIT] = "ins.sex_digit",
    [INS_ERR_MONTH] = "ins.month",
    [INS_ERR_KEY] = "ins.key",
    [INS_ERR_SEX_MISMATCH] = "ins.sex_mismatch",
};

const char *ins_result_code(ins_result r)
{
    if ((unsigned)r >= sizeof result_codes / sizeof result_codes[0])
        return "ins.unknown";
    return result_codes[r];
}

/* Fills err (when given) and returns r, so that every failure is one line. The
 * message is formatted by the caller into err->message beforehand. */
static ins_result fail(ins_error *err, ins_result r, size_t position)
{
    if (err) {
        err->result = r;
        err->code = ins_result_code(r);
        err->position = position;
    }
    return r;
}

/* Reports a character that may be any byte: printable ASCII is quoted, the rest
 * shown as hex so that the message stays clean ASCII. */
static ins_result fail_char(ins_error *err, const char *value, size_t i)
{
    if (err) {
        unsigned char c = (unsigned char)value[i];
        if (c >= 0x20 && c < 0x7f)
            snprintf(err->message, sizeof err->message,
                     "INS character %zu is '%c', expected a digit", i + 1, (char)c);
        else
            snprintf(err->message, sizeof err->message,
                     "INS character %zu is byte 0x%02X, expected a digit", i + 1, c);
    }
    return fail(err, INS_ERR_CHAR, i + 1);
}

/* Structural check of the 13 NIR characters (length already known to be >= 13):
 * digits, except 2A/2B at the department. */
static ins_result check_nir_chars(const char *v, ins_error *err)
{
    for (size_t i = 0; i < INS_NIR_LEN; i++) {
        if (i == DEPT_AT) {
            if (is_digit(v[i]) && is_digit(v[i + 1])) {
                i++;
                continue;
            }
            if (is_corsica(v + i)) {
                i++;
                continue;
            }
            if (is_upper_alnum(v[i]) && is_upper_alnum(v[i + 1])) {
                if (err)
                    snprintf(err->message, sizeof err->message,
                             "INS department is \"%c%c\", expected digits, 2A or 2B", v[i],
                             v[i + 1]);
                return fail(err, INS_ERR_DEPARTMENT, i + 1);
            }
            if (!is_digit(v[i]))
                return fail_char(err, v, i);
            return fail_char(err, v, i + 1);
        }
        if (!is_digit(v[i]))
            return fail_char(err, v, i);
    }
    return INS_OK;
}

/* Key of 13 structurally valid characters. 13 digits fit in 64 bits, but the
 * running remainder keeps it obviously overflow-free. */
static int key_of(const char *v)
{
    uint32_t rem = 0;
    for (size_t i = 0; i < INS_NIR_LEN; i++) {
        uint32_t d;
        if (i == DEPT_AT + 1 && v[i] == 'A')
            d = 9; /* "2A" reads as 19: the '2' was read as 1 below */
        else if (i == DEPT_AT + 1 && v[i] == 'B')
            d = 8;
        else if (i == DEPT_AT && is_corsica(v + i))
            d = 1;
        else
            d = (uint32_t)(v[i] - '0');
        rem = (rem * 10 + d) % 97;
    }
    return (int)(97 - rem);
}

static int two_digits(const char *p)
{
    return (p[0] - '0') * 10 + (p[1] - '0');
}

static bool month_documented(int m)
{
    return (m >= 1 && m <= 12) || (m >= 20 && m <= 42) || (m >= 50 && m <= 99);
}

static const char *sex_word(char sex)
{
    return sex == 'M' ? "male" : "female";
}

ins_result ins_check(const char *value, char expected_sex, ins_error *err)
{
    if (err) {
        err->message[0] = '\0';
        fail(err, INS_OK, 0);
    }
    if (!value || !value[0]) {
        if (err)
            snprintf(err->message, sizeof err->message, "INS is missing");
        return fail(err, INS_ERR_MISSING, 0);
    }

    /* Bounded: the value may be a large untrusted field. */
    size_t len = strnlen(value, INS_LEN + 1);
    if (len != INS_LEN) {
        if (err) {
            if (len > INS_LEN)
                snprintf(err->message, sizeof err->message, "INS must be 15 characters, got more");
            else
                snprintf(err->message, sizeof err->message, "INS must be 15 characters, got %zu",
                         len);
        }
        return fail(err, INS_ERR_LENGTH, 0);
    }

    ins_result r = check_nir_chars(value, err);
    if (r != INS_OK)
        return r;
    for (size_t i = INS_NIR_LEN; i < INS_LEN; i++)
        if (!is_digit(value[i]))
            return fail_char(err, value, i);

    char sex = ins_sex_of(value);
    if (!sex) {
        if (err)
            snprintf(err->message, sizeof err->message,
                     "INS sex digit is %c, expected 1, 2, 3, 4, 7 or 8", value[0]);
        return fail(err, INS_ERR_SEX_DIGIT, 1);
    }

    if (!ins_is_temporary(value)) {
        int month = two_digits(value + 3);
        if (!month_documented(month)) {
            if (err)
                snprintf(err->message, sizeof err->message,
                         "INS birth month is %02d, in no documented range", month);
            return fail(err, INS_ERR_MONTH, 4);
        }
    }

    int key = two_digits(value + INS_NIR_LEN);
    int expected = key_of(value);
    if (key != expected) {
        if (err)
            snprintf(err->message, sizeof err->message, "INS key is %02d, expected %02d", key,
                     expected);
        return fail(err, INS_ERR_KEY, INS_NIR_LEN + 1);
    }

    if ((expected_sex == 'M' || expected_sex == 'F') && sex != expected_sex) {
        if (err)
            snprintf(err->message, sizeof err->message, "INS sex digit %c means %s, expected %s",
                     value[0], sex_word(sex), sex_word(expected_sex));
        return fail(err, INS_ERR_SEX_MISMATCH, 1);
    }
    return INS_OK;
}

int ins_compute_key(const char *nir13)
{
    if (!nir13 || strnlen(nir13, INS_NIR_LEN + 1) != INS_NIR_LEN)
        return -1;
    if (check_nir_chars(nir13, NULL) != INS_OK)
        return -1;
    return key_of(nir13);
}

ins_result ins_build(const char *nir13, char *out, size_t outsz, ins_error *err)
{
    char tmp[INS_BUF_SIZE];

    if (out && outsz > 0)
        out[0] = '\0';
    if (!out || outsz < INS_BUF_SIZE) {
        /* A programming error, reported as a length problem rather than
         * written past the caller's buffer. */
        if (err)
            snprintf(err->message, sizeof err->message, "INS output buffer too small");
        return fail(err, INS_ERR_LENGTH, 0);
    }
    if (!nir13 || !nir13[0])
        return ins_check(NULL, 0, err);

    size_t len = strnlen(nir13, INS_NIR_LEN + 1);
    if (len != INS_NIR_LEN) {
        if (err)
            snprintf(err->message, sizeof err->message, "NIR must be 13 characters, got %s",
                     len > INS_NIR_LEN ? "more" : "fewer");
        return fail(err, INS_ERR_LENGTH, 0);
    }
    ins_result r = check_nir_chars(nir13, err);
    if (r != INS_OK)
        return r;

    int key = key_of(nir13);
    memcpy(tmp, nir13, INS_NIR_LEN);
    tmp[INS_NIR_LEN] = (char)('0' + key / 10);
    tmp[INS_NIR_LEN + 1] = (char)('0' + key % 10);
    tmp[INS_LEN] = '\0';

    r = ins_check(tmp, 0, err);
    if (r == INS_OK)
        memcpy(out, tmp, INS_BUF_SIZE);
    return r;
}

char ins_sex_of(const char *value)
{
    if (!value)
        return 0;
    switch (value[0]) {
    case '1':
    case '3':
    case '7':
        return 'M';
    case '2':
    case '4':
    case '8':
        return 'F';
    default:
        return 0;
    }
}

bool ins_is_temporary(const char *value)
{
    return value && (value[0] == '3' || value[0] == '4' || value[0] == '7' || value[0] == '8');
}

/* ---- identifier systems ---------------------------------------------------- */

static const struct {
    const char *oid;
    const char *uri;
    const char *label;
} systems[] = {
    [INS_SYSTEM_NIR] = {"1.2.250.1.213.1.4.8", "urn:oid:1.2.250.1.213.1.4.8", "INS-NIR"},
    [INS_SYSTEM_NIA] = {"1.2.250.1.213.1.4.9", "urn:oid:1.2.250.1.213.1.4.9", "INS-NIA"},
    [INS_SYSTEM_TEST] = {"1.2.250.1.213.1.4.10", "urn:oid:1.2.250.1.213.1.4.10", "INS-NIR-TEST"},
    [INS_SYSTEM_DEMO] = {"1.2.250.1.213.1.4.11", "urn:oid:1.2.250.1.213.1.4.11", "INS-NIR-DEMO"},
};

#define SYSTEM_COUNT (sizeof systems / sizeof systems[0])

ins_system ins_oid_kind(const char *oid)
{
    if (!oid)
        return INS_SYSTEM_UNKNOWN;
    if (strncmp(oid, "urn:oid:", 8) == 0)
        oid += 8;
    for (size_t s = INS_SYSTEM_NIR; s < SYSTEM_COUNT; s++)
        if (strcmp(oid, systems[s].oid) == 0)
            return (ins_system)s;
    return INS_SYSTEM_UNKNOWN;
}

static bool system_known(ins_system s)
{
    return (unsigned)s >= INS_SYSTEM_NIR && (unsigned)s < SYSTEM_COUNT;
}

const char *ins_system_oid(ins_system s)
{
    return system_known(s) ? systems[s].oid : NULL;
}

const char *ins_system_uri(ins_system s)
{
    return system_known(s) ? systems[s].uri : NULL;
}

const char *ins_system_label(ins_system s)
{
    return system_known(s) ? systems[s].label : "unknown";
}

/* ---- identity status ------------------------------------------------------- */

/* Evidence as two bits; the enum order is chosen so that the bits are the value
 * itself (PROV=00, RECUP=01, VALI=10, QUAL=11). */
#define EV_INSI 1u
#define EV_DOCUMENT 2u

static const char *const status_codes[] = {
    [INS_STATUS_PROV] = "PROV",
    [INS_STATUS_RECUP] = "RECUP",
    [INS_STATUS_VALI] = "VALI",
    [INS_STATUS_QUAL] = "QUAL",
};

#define STATUS_COUNT (sizeof status_codes / sizeof status_codes[0])

static bool status_known(ins_status s)
{
    return (unsigned)s < STATUS_COUNT;
}

const char *ins_status_code(ins_status s)
{
    return status_known(s) ? status_codes[s] : NULL;
}

bool ins_status_parse(const char *code, ins_status *out)
{
    if (!code)
        return false;
    for (size_t s = 0; s < STATUS_COUNT; s++) {
        if (strcmp(code, status_codes[s]) == 0) {
            if (out)
                *out = (ins_status)s;
            return true;
        }
    }
    return false;
}

ins_status ins_status_from_evidence(bool insi, bool document)
{
    return (ins_status)((insi ? EV_INSI : 0u) | (document ? EV_DOCUMENT : 0u));
}

bool ins_status_has_insi(ins_status s)
{
    return status_known(s) && ((unsigned)s & EV_INSI);
}

bool ins_status_has_document(ins_status s)
{
    return status_known(s) && ((unsigned)s & EV_DOCUMENT);
}

bool ins_status_transition_allowed(ins_status from, ins_status to)
{
    if (!status_known(from) || !status_known(to))
        return false;
    /* `to` keeps every piece of evidence of `from`. */
    return ((unsigned)from & ~(unsigned)to) == 0;
}

bool ins_status_downgrade_allowed(ins_status from, ins_status to)
{
    if (!status_known(from) || !status_known(to) || from == to)
        return false;
    /* `to` is a strict subset of `from`. */
    return ((unsigned)to & ~(unsigned)from) == 0;
}

bool ins_status_may_share_ins(ins_status s)
{
    return s == INS_STATUS_QUAL;
}

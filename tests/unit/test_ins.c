/* Unit tests for core/ins: INS key and structure, identifier systems, identity
 * statuses. Keys of the Corsica cases were computed by hand with 2A → 19 and
 * 2B → 18 (and cross-checked with an independent big-integer computation). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/ins.h"

/* The ANS example patient (female). */
#define ANS_EXAMPLE "279035121518989"

/* Asserts the full error: result, stable code, position and exact message. */
static void expect_error(const char *value, char sex, ins_result want, const char *code,
                         size_t position, const char *message)
{
    ins_error err;
    memset(&err, 0x5a, sizeof err);
    ins_result r = ins_check(value, sex, &err);
    assert_int_equal(r, want);
    assert_int_equal(err.result, want);
    assert_string_equal(err.code, code);
    assert_int_equal(err.position, position);
    assert_string_equal(err.message, message);
    /* err is optional: the same answer without it. */
    assert_int_equal(ins_check(value, sex, NULL), want);
}

static void test_ans_example_is_valid(void **state)
{
    (void)state;
    ins_error err;
    memset(&err, 0x5a, sizeof err);
    assert_int_equal(ins_check(ANS_EXAMPLE, 'F', &err), INS_OK);
    assert_int_equal(err.result, INS_OK);
    assert_string_equal(err.code, "ins.ok");
    assert_int_equal(err.position, 0);
    assert_string_equal(err.message, "");
    assert_int_equal(ins_check(ANS_EXAMPLE, 0, NULL), INS_OK);
    assert_int_equal(ins_compute_key("2790351215189"), 89);
    assert_int_equal(ins_sex_of(ANS_EXAMPLE), 'F');
    assert_false(ins_is_temporary(ANS_EXAMPLE));
}

static void test_sex_mismatch(void **state)
{
    (void)state;
    expect_error(ANS_EXAMPLE, 'M', INS_ERR_SEX_MISMATCH, "ins.sex_mismatch", 1,
                 "INS sex digit 2 means female, expected male");
    expect_error("185072A00412388", 'F', INS_ERR_SEX_MISMATCH, "ins.sex_mismatch", 1,
                 "INS sex digit 1 means male, expected female");
    /* Any other expectation means "unknown": no sex check. */
    assert_int_equal(ins_check(ANS_EXAMPLE, 'X', NULL), INS_OK);
    assert_int_equal(ins_check(ANS_EXAMPLE, 'f', NULL), INS_OK);
}

static void test_wrong_key(void **state)
{
    (void)state;
    expect_error("279035121518925", 0, INS_ERR_KEY, "ins.key", 14, "INS key is 25, expected 89");
    expect_error("279035121518900", 'F', INS_ERR_KEY, "ins.key", 14, "INS key is 00, expected 89");
    /* One digit changed in the body: the key no longer matches. */
    expect_error("279035121518889", 0, INS_ERR_KEY, "ins.key", 14, "INS key is 89, expected 90");
    /* The key is checked before the sex: a typo is reported as a typo. */
    assert_int_equal(ins_check("279035121518925", 'M', NULL), INS_ERR_KEY);
}

static void test_missing_and_length(void **state)
{
    (void)state;
    expect_error(NULL, 0, INS_ERR_MISSING, "ins.missing", 0, "INS is missing");
    expect_error("", 'F', INS_ERR_MISSING, "ins.missing", 0, "INS is missing");
    expect_error("27903512151898", 0, INS_ERR_LENGTH, "ins.length", 0,
                 "INS must be 15 characters, got 14");
    expect_error("2790351215189890", 0, INS_ERR_LENGTH, "ins.length", 0,
                 "INS must be 15 characters, got more");
    expect_error("2790351215189", 0, INS_ERR_LENGTH, "ins.length", 0,
                 "INS must be 15 characters, got 13");
    /* Spaces as typed on a card are not repaired. */
    expect_error("2 79 03 51 215 189 89", 0, INS_ERR_LENGTH, "ins.length", 0,
                 "INS must be 15 characters, got more");

    char big[4096];
    memset(big, '1', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(ins_check(big, 0, NULL), INS_ERR_LENGTH);
}

static void test_invalid_characters(void **state)
{
    (void)state;
    expect_error("27903512151898X", 0, INS_ERR_CHAR, "ins.char", 15,
                 "INS character 15 is 'X', expected a digit");
    expect_error("2790351215 8989", 0, INS_ERR_CHAR, "ins.char", 11,
                 "INS character 11 is ' ', expected a digit");
    expect_error("A79035121518989", 0, INS_ERR_CHAR, "ins.char", 1,
                 "INS character 1 is 'A', expected a digit");
    /* A non-ASCII byte is shown in hex, never copied raw into the message. */
    expect_error("2790\xc3\xa9"
                 "121518989",
                 0, INS_ERR_CHAR, "ins.char", 5, "INS character 5 is byte 0xC3, expected a digit");
    expect_error("2790351215189\t9", 0, INS_ERR_CHAR, "ins.char", 14,
                 "INS character 14 is byte 0x09, expected a digit");
    /* Lower-case Corsica codes are not canonical. */
    expect_error("185072a00412388", 0, INS_ERR_CHAR, "ins.char", 7,
                 "INS character 7 is 'a', expected a digit");
    expect_error("18507-A00412388", 0, INS_ERR_CHAR, "ins.char", 6,
                 "INS character 6 is '-', expected a digit");
    /* Letters are allowed at positions 6-7 only. */
    expect_error("1850720A0412388", 0, INS_ERR_CHAR, "ins.char", 8,
                 "INS character 8 is 'A', expected a digit");
}

static void test_corsica(void **state)
{
    (void)state;
    /* 2A reads as 19, 2B as 18. */
    assert_int_equal(ins_compute_key("185072A004123"), 88);
    assert_int_equal(ins_compute_key("1850719004123"), 88);
    assert_int_equal(ins_compute_key("292122B033007"), 18);
    assert_int_equal(ins_check("185072A00412388", 'M', NULL), INS_OK);
    assert_int_equal(ins_check("292122B03300718", 'F', NULL), INS_OK);
    /* Department 20 (Corsica before 1976) is plain digits with its own key. */
    assert_int_equal(ins_compute_key("1850720004123"), 61);
    assert_int_equal(ins_check("185072000412361", 0, NULL), INS_OK);
    /* The key of "20" does not validate "2A". */
    expect_error("185072A00412361", 0, INS_ERR_KEY, "ins.key", 14, "INS key is 61, expected 88");
    expect_error("292122A03300718", 0, INS_ERR_KEY, "ins.key", 14, "INS key is 18, expected 88");
    /* Other letters at the department. */
    expect_error("185072C00412388", 0, INS_ERR_DEPARTMENT, "ins.department", 6,
                 "INS department is \"2C\", expected digits, 2A or 2B");
    expect_error("185073A00412388", 0, INS_ERR_DEPARTMENT, "ins.department", 6,
                 "INS department is \"3A\", expected digits, 2A or 2B");
    expect_error("18507AB00412388", 0, INS_ERR_DEPARTMENT, "ins.department", 6,
                 "INS department is \"AB\", expected digits, 2A or 2B");
}

static void test_sex_digit(void **state)
{
    (void)state;
    char nir[14], ins[INS_BUF_SIZE];
    const char *bad = "0569";
    for (const char *d = bad; *d; d++) {
        /* Build a value whose key is right so that only the sex digit is wrong. */
        snprintf(nir, sizeof nir, "%c790351215189", *d);
        int key = ins_compute_key(nir);
        assert_in_range(key, 1, 97);
        snprintf(ins, sizeof ins, "%s%02d", nir, key);
        char msg[INS_MESSAGE_MAX];
        snprintf(msg, sizeof msg, "INS sex digit is %c, expected 1, 2, 3, 4, 7 or 8", *d);
        expect_error(ins, 0, INS_ERR_SEX_DIGIT, "ins.sex_digit", 1, msg);
        assert_int_equal(ins_sex_of(ins), 0);
    }
}

static void test_temporary_numbers(void **state)
{
    (void)state;
    static const struct {
        char digit;
        char sex;
    } cases[] = {{'1', 'M'}, {'2', 'F'}, {'3', 'M'}, {'4', 'F'}, {'7', 'M'}, {'8', 'F'}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char nir[14], ins[INS_BUF_SIZE];
        snprintf(nir, sizeof nir, "%c850399123456", cases[i].digit);
        assert_int_equal(ins_build(nir, ins, sizeof ins, NULL), INS_OK);
        assert_int_equal(ins_sex_of(ins), cases[i].sex);
        assert_int_equal(ins_check(ins, cases[i].sex, NULL), INS_OK);
        assert_int_equal(ins_check(ins, cases[i].sex == 'M' ? 'F' : 'M', NULL),
                         INS_ERR_SEX_MISMATCH);
        bool temp = cases[i].digit != '1' && cases[i].digit != '2';
        assert_int_equal(ins_is_temporary(ins), temp);
    }
    assert_int_equal(ins_compute_key("7850399123456"), 63);
    assert_int_equal(ins_check("785039912345663", 'M', NULL), INS_OK);
    /* No month check on temporary numbers: their construction is not published. */
    char ins[INS_BUF_SIZE];
    assert_int_equal(ins_build("8991399123456", ins, sizeof ins, NULL), INS_OK);
    assert_int_equal(ins_build("7990099123456", ins, sizeof ins, NULL), INS_OK);
    assert_false(ins_is_temporary(NULL));
    assert_int_equal(ins_sex_of(NULL), 0);
    assert_int_equal(ins_sex_of(""), 0);
}

static void test_months(void **state)
{
    (void)state;
    static const int valid[] = {1, 6, 12, 20, 30, 42, 50, 62, 99};
    static const int invalid[] = {0, 13, 15, 19, 43, 49};
    char nir[14], ins[INS_BUF_SIZE];

    for (size_t i = 0; i < sizeof valid / sizeof valid[0]; i++) {
        snprintf(nir, sizeof nir, "185%02d75112042", valid[i]);
        assert_int_equal(ins_build(nir, ins, sizeof ins, NULL), INS_OK);
        assert_int_equal(ins_check(ins, 'M', NULL), INS_OK);
    }
    for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
        snprintf(nir, sizeof nir, "285%02d75112042", invalid[i]);
        int key = ins_compute_key(nir);
        snprintf(ins, sizeof ins, "%s%02d", nir, key);
        char msg[INS_MESSAGE_MAX];
        snprintf(msg, sizeof msg, "INS birth month is %02d, in no documented range", invalid[i]);
        expect_error(ins, 'F', INS_ERR_MONTH, "ins.month", 4, msg);
        /* ins_build refuses to produce it, and leaves the output empty. */
        memset(ins, 'Z', sizeof ins);
        assert_int_equal(ins_build(nir, ins, sizeof ins, NULL), INS_ERR_MONTH);
        assert_string_equal(ins, "");
    }
}

static void test_compute_key_rejects(void **state)
{
    (void)state;
    assert_int_equal(ins_compute_key(NULL), -1);
    assert_int_equal(ins_compute_key(""), -1);
    assert_int_equal(ins_compute_key("279035121518"), -1);
    assert_int_equal(ins_compute_key("27903512151898"), -1);
    assert_int_equal(ins_compute_key("27903512151X9"), -1);
    assert_int_equal(ins_compute_key("185072C004123"), -1);
    assert_int_equal(ins_compute_key("185072a004123"), -1);
    /* Extremes of the key range: 97 when the number is a multiple of 97. */
    assert_int_equal(ins_compute_key("0000000000000"), 97);
    assert_int_equal(ins_compute_key("0000000000097"), 97);
    assert_int_equal(ins_compute_key("0000000000096"), 1);
    assert_int_equal(ins_compute_key("9999999999999"), 97 - (int)(9999999999999ULL % 97));
}

static void test_build(void **state)
{
    (void)state;
    char out[INS_BUF_SIZE];
    ins_error err;

    assert_int_equal(ins_build("2790351215189", out, sizeof out, &err), INS_OK);
    assert_string_equal(out, ANS_EXAMPLE);
    assert_int_equal(ins_build("185072A004123", out, sizeof out, NULL), INS_OK);
    assert_string_equal(out, "185072A00412388");
    /* Key below 10 keeps its leading zero. */
    assert_int_equal(ins_build("1850399123456", out, sizeof out, NULL), INS_OK);
    assert_int_equal(strlen(out), 15);
    assert_int_equal(ins_check(out, 'M', NULL), INS_OK);

    memset(out, 'Z', sizeof out);
    assert_int_equal(ins_build("279035121518", out, sizeof out, &err), INS_ERR_LENGTH);
    assert_string_equal(out, "");
    assert_string_equal(err.code, "ins.length");
    assert_string_equal(err.message, "NIR must be 13 characters, got fewer");
    assert_int_equal(ins_build("27903512151890", out, sizeof out, &err), INS_ERR_LENGTH);
    assert_string_equal(err.message, "NIR must be 13 characters, got more");
    assert_int_equal(ins_build("279035121518X", out, sizeof out, &err), INS_ERR_CHAR);
    assert_int_equal(err.position, 13);
    assert_int_equal(ins_build("579035121518X", out, sizeof out, NULL), INS_ERR_CHAR);
    assert_int_equal(ins_build("5790351215189", out, sizeof out, &err), INS_ERR_SEX_DIGIT);
    assert_int_equal(ins_build(NULL, out, sizeof out, &err), INS_ERR_MISSING);
    assert_int_equal(ins_build("", out, sizeof out, NULL), INS_ERR_MISSING);

    /* A short buffer is never written past. */
    char small[15] = "untouched";
    assert_int_equal(ins_build("2790351215189", small, sizeof small, &err), INS_ERR_LENGTH);
    assert_string_equal(small, "");
    assert_string_equal(err.message, "INS output buffer too small");
    assert_int_equal(ins_build("2790351215189", NULL, 16, NULL), INS_ERR_LENGTH);
}

/* Deterministic pseudo-random NIRs: every built INS validates, and every single
 * substitution or adjacent transposition of its 15 digits is refused (97 is prime
 * and larger than any digit difference, so the key catches both). */
static uint32_t lcg(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return *s >> 8;
}

static void test_key_detects_single_errors(void **state)
{
    (void)state;
    uint32_t seed = 12345;
    for (int n = 0; n < 200; n++) {
        char nir[14], ins[INS_BUF_SIZE], mutated[INS_BUF_SIZE];
        snprintf(nir, sizeof nir, "%u%02u%02u%02u%03u%03u", 1 + lcg(&seed) % 2, lcg(&seed) % 100,
                 1 + lcg(&seed) % 12, 1 + lcg(&seed) % 95, lcg(&seed) % 1000, 1 + lcg(&seed) % 999);
        assert_int_equal(ins_build(nir, ins, sizeof ins, NULL), INS_OK);
        for (size_t i = 0; i < INS_LEN; i++) {
            for (char d = '0'; d <= '9'; d++) {
                if (d == ins[i])
                    continue;
                memcpy(mutated, ins, sizeof mutated);
                mutated[i] = d;
                assert_int_not_equal(ins_check(mutated, 0, NULL), INS_OK);
            }
            if (i + 1 < INS_LEN && ins[i] != ins[i + 1]) {
                memcpy(mutated, ins, sizeof mutated);
                mutated[i] = ins[i + 1];
                mutated[i + 1] = ins[i];
                assert_int_not_equal(ins_check(mutated, 0, NULL), INS_OK);
            }
        }
    }
}

static void test_result_codes(void **state)
{
    (void)state;
    static const char *const codes[] = {"ins.ok",    "ins.missing",    "ins.length",
                                        "ins.char",  "ins.department", "ins.sex_digit",
                                        "ins.month", "ins.key",        "ins.sex_mismatch"};
    for (int r = INS_OK; r <= INS_ERR_SEX_MISMATCH; r++)
        assert_string_equal(ins_result_code((ins_result)r), codes[r]);
    assert_string_equal(ins_result_code((ins_result)(INS_ERR_SEX_MISMATCH + 1)), "ins.unknown");
    assert_string_equal(ins_result_code((ins_result)-1), "ins.unknown");
}

static void test_oids(void **state)
{
    (void)state;
    static const struct {
        const char *oid;
        ins_system kind;
        const char *label;
    } cases[] = {
        {"1.2.250.1.213.1.4.8", INS_SYSTEM_NIR, "INS-NIR"},
        {"1.2.250.1.213.1.4.9", INS_SYSTEM_NIA, "INS-NIA"},
        {"1.2.250.1.213.1.4.10", INS_SYSTEM_TEST, "INS-NIR-TEST"},
        {"1.2.250.1.213.1.4.11", INS_SYSTEM_DEMO, "INS-NIR-DEMO"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char uri[64];
        snprintf(uri, sizeof uri, "urn:oid:%s", cases[i].oid);
        assert_int_equal(ins_oid_kind(cases[i].oid), cases[i].kind);
        assert_int_equal(ins_oid_kind(uri), cases[i].kind);
        assert_string_equal(ins_system_oid(cases[i].kind), cases[i].oid);
        assert_string_equal(ins_system_uri(cases[i].kind), uri);
        assert_string_equal(ins_system_label(cases[i].kind), cases[i].label);
    }
    static const char *const unknown[] = {
        "1.2.250.1.213.1.4.1", /* a prefix of .10 and .11 */
        "1.2.250.1.213.1.4.80",
        "1.2.250.1.213.1.4.8.",
        " 1.2.250.1.213.1.4.8",
        "1.2.250.1.213.1.4.12",
        "urn:oid:",
        "URN:OID:1.2.250.1.213.1.4.8",
        "urn:oid:urn:oid:1.2.250.1.213.1.4.8",
        "",
        "1.2.250.1.213.1.4",
    };
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++)
        assert_int_equal(ins_oid_kind(unknown[i]), INS_SYSTEM_UNKNOWN);
    assert_int_equal(ins_oid_kind(NULL), INS_SYSTEM_UNKNOWN);
    assert_null(ins_system_oid(INS_SYSTEM_UNKNOWN));
    assert_null(ins_system_uri(INS_SYSTEM_UNKNOWN));
    assert_string_equal(ins_system_label(INS_SYSTEM_UNKNOWN), "unknown");
    assert_null(ins_system_oid((ins_system)99));
    assert_null(ins_system_uri((ins_system)-1));
    assert_string_equal(ins_system_label((ins_system)99), "unknown");
}

static void test_status_codes(void **state)
{
    (void)state;
    static const char *const codes[] = {"PROV", "RECUP", "VALI", "QUAL"};
    for (int s = INS_STATUS_PROV; s <= INS_STATUS_QUAL; s++) {
        ins_status parsed = (ins_status)-1;
        assert_string_equal(ins_status_code((ins_status)s), codes[s]);
        assert_true(ins_status_parse(codes[s], &parsed));
        assert_int_equal(parsed, s);
    }
    ins_status untouched = INS_STATUS_VALI;
    assert_false(ins_status_parse("prov", &untouched));
    assert_false(ins_status_parse("QUAL ", &untouched));
    assert_false(ins_status_parse("QUA", &untouched));
    assert_false(ins_status_parse("", &untouched));
    assert_false(ins_status_parse(NULL, &untouched));
    assert_false(ins_status_parse("DOUB", &untouched)); /* an HL7 0445 attribute */
    assert_int_equal(untouched, INS_STATUS_VALI);
    assert_null(ins_status_code((ins_status)4));
    assert_null(ins_status_code((ins_status)-1));
}

static void test_status_evidence(void **state)
{
    (void)state;
    assert_int_equal(ins_status_from_evidence(false, false), INS_STATUS_PROV);
    assert_int_equal(ins_status_from_evidence(true, false), INS_STATUS_RECUP);
    assert_int_equal(ins_status_from_evidence(false, true), INS_STATUS_VALI);
    assert_int_equal(ins_status_from_evidence(true, true), INS_STATUS_QUAL);
    for (int i = 0; i < 2; i++) {
        for (int d = 0; d < 2; d++) {
            ins_status s = ins_status_from_evidence(i, d);
            assert_int_equal(ins_status_has_insi(s), i);
            assert_int_equal(ins_status_has_document(s), d);
        }
    }
    assert_false(ins_status_has_insi((ins_status)7));
    assert_false(ins_status_has_document((ins_status)7));

    assert_true(ins_status_may_share_ins(INS_STATUS_QUAL));
    assert_false(ins_status_may_share_ins(INS_STATUS_PROV));
    assert_false(ins_status_may_share_ins(INS_STATUS_RECUP));
    assert_false(ins_status_may_share_ins(INS_STATUS_VALI));
    assert_false(ins_status_may_share_ins((ins_status)7));
}

static void test_status_transitions(void **state)
{
    (void)state;
    /* Rows: from PROV, RECUP, VALI, QUAL; columns: to, same order. */
    static const bool forward[4][4] = {
        {true, true, true, true},    /* PROV: anything adds evidence */
        {false, true, false, true},  /* RECUP → QUAL */
        {false, false, true, true},  /* VALI → QUAL */
        {false, false, false, true}, /* QUAL stays */
    };
    static const bool downgrade[4][4] = {
        {false, false, false, false}, /* nothing to remove from PROV */
        {true, false, false, false},  /* RECUP → PROV */
        {true, false, false, false},  /* VALI → PROV */
        {true, true, true, false},    /* QUAL → anything lower */
    };
    for (int f = 0; f < 4; f++) {
        for (int t = 0; t < 4; t++) {
            assert_int_equal(ins_status_transition_allowed((ins_status)f, (ins_status)t),
                             forward[f][t]);
            assert_int_equal(ins_status_downgrade_allowed((ins_status)f, (ins_status)t),
                             downgrade[f][t]);
            /* A change is either a transition or a downgrade, except RECUP↔VALI,
             * which is neither. */
            bool sideways = (f == INS_STATUS_RECUP && t == INS_STATUS_VALI) ||
                            (f == INS_STATUS_VALI && t == INS_STATUS_RECUP);
            if (f != t)
                assert_int_equal(forward[f][t] || downgrade[f][t], !sideways);
        }
        assert_false(ins_status_transition_allowed((ins_status)f, (ins_status)4));
        assert_false(ins_status_transition_allowed((ins_status)4, (ins_status)f));
        assert_false(ins_status_downgrade_allowed((ins_status)f, (ins_status)-1));
        assert_false(ins_status_downgrade_allowed((ins_status)-1, (ins_status)f));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ans_example_is_valid),
        cmocka_unit_test(test_sex_mismatch),
        cmocka_unit_test(test_wrong_key),
        cmocka_unit_test(test_missing_and_length),
        cmocka_unit_test(test_invalid_characters),
        cmocka_unit_test(test_corsica),
        cmocka_unit_test(test_sex_digit),
        cmocka_unit_test(test_temporary_numbers),
        cmocka_unit_test(test_months),
        cmocka_unit_test(test_compute_key_rejects),
        cmocka_unit_test(test_build),
        cmocka_unit_test(test_key_detects_single_errors),
        cmocka_unit_test(test_result_codes),
        cmocka_unit_test(test_oids),
        cmocka_unit_test(test_status_codes),
        cmocka_unit_test(test_status_evidence),
        cmocka_unit_test(test_status_transitions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

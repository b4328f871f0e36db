/* Unit tests for hl7_message: the ANS PAM FR examples, terminators, escapes,
 * character sets, every parse error, the writer and ACK round trips.
 * Run from the repository root (the examples are read from ../shared). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hl7/hl7_message.h"

#define EXAMPLES "../shared/examples/hl7/"
/* A minimal valid MSH (12 fields); tests append MSH-13.. and segments. */
#define MSH "MSH|^~\\&|SND|SFAC|RCV|RFAC|20240101120000||ADT^A31^ADT_A05|MSG1|P|2.5"
#define MSH_CHARSET(cs) MSH "||||||" cs

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    buf b;
    buf_init(&b, 0);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_append(&b, chunk, n);
    fclose(f);
    return buf_steal(&b, len);
}

/* Parses a NUL-terminated string, asserting the expected status. */
static hl7_message *parse_expect(arena *a, const char *s, hl7_status want, hl7_error *err)
{
    hl7_message *m = NULL;
    hl7_error e;
    hl7_status rc = hl7_parse(a, s, strlen(s), 0, &m, err ? err : &e);
    assert_int_equal(rc, want);
    if (want == HL7_OK)
        assert_non_null(m);
    return m;
}

/* Replaces every LF of s by the terminator term (CR, CRLF...). */
static char *with_terminator(const char *s, size_t len, const char *term, size_t *out_len)
{
    buf b;
    buf_init(&b, 0);
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\n')
            buf_puts(&b, term);
        else
            buf_putc(&b, s[i]);
    }
    return buf_steal(&b, out_len);
}

/* Assertions shared by the three examples: same patient, same MSH shape. */
static void check_common_pam(const hl7_message *m, const char *trigger, const char *control)
{
    const hl7_header *h = hl7_msh(m);
    assert_string_equal(h->sending_app, "GAM");
    assert_string_equal(h->sending_facility, "CHU-X");
    assert_string_equal(h->receiving_app, "DPI");
    assert_string_equal(h->receiving_facility, "CHU-X");
    assert_string_equal(h->timestamp, "20240306111154");
    assert_string_equal(h->message_type, "ADT");
    assert_string_equal(h->trigger, trigger);
    assert_string_equal(h->control_id, control);
    assert_string_equal(h->processing_id, "D");
    assert_string_equal(h->version, "2.5");
    assert_string_equal(h->charset, "UNICODE UTF-8");
    assert_int_equal(h->declared_charset, HL7_CHARSET_UTF8);
    assert_false(h->charset_guessed);
    assert_int_equal(h->encoding.field, '|');
    assert_int_equal(h->encoding.escape, '\\');
    assert_int_equal(h->encoding.truncation, '\0');
    assert_string_equal(hl7_get(m, "MSH", 1, 1, 1, 1, 1), "|");
    assert_string_equal(hl7_get(m, "MSH", 1, 2, 1, 1, 1), "^~\\&");
    assert_string_equal(hl7_get(m, "MSH", 1, 12, 1, 3, 1), "2.11");
    assert_string_equal(hl7_get(m, "MSH", 1, 21, 1, 2, 1), "IHE_FRANCE-2.11-PAM");
    assert_int_equal(hl7_field_count(hl7_segment_at(m, 1)), 21);

    const hl7_segment *pid = hl7_find_segment(m, "PID", 1);
    assert_non_null(pid);
    assert_int_equal(hl7_field_count(pid), 39);
    /* PID-3: the local IPP then the INS with its OID (test NIR) */
    assert_int_equal(hl7_rep_count(pid, 3), 2);
    assert_string_equal(hl7_segment_get(pid, 3, 1, 1, 1), "000003");
    assert_string_equal(hl7_segment_get(pid, 3, 1, 4, 1), "CHU-X");
    assert_string_equal(hl7_segment_get(pid, 3, 1, 4, 2), "000897406");
    assert_string_equal(hl7_segment_get(pid, 3, 1, 5, 1), "PI");
    assert_string_equal(hl7_segment_get(pid, 3, 2, 1, 1), "279035121518989");
    assert_string_equal(hl7_segment_get(pid, 3, 2, 4, 1), "ASIP-SANTE-INS-NIR");
    assert_string_equal(hl7_segment_get(pid, 3, 2, 4, 2), "1.2.250.1.213.1.4.10");
    assert_string_equal(hl7_segment_get(pid, 3, 2, 4, 3), "ISO");
    assert_string_equal(hl7_segment_get(pid, 3, 2, 5, 1), "INS");
    assert_string_equal(hl7_segment_get(pid, 3, 2, 7, 1), "20101207");
    assert_int_equal(hl7_comp_count(pid, 3, 2), 7);
    assert_int_equal(hl7_sub_count(pid, 3, 2, 4), 3);
    assert_int_equal(hl7_sub_count(pid, 3, 2, 1), 1);
    /* PID-5 names, PID-7 birth date, PID-8 sex, PID-32 identity status */
    assert_int_equal(hl7_comp_count(pid, 5, 1), 7);
    assert_string_equal(hl7_segment_get(pid, 5, 1, 1, 1), "PAT-TROIS");
    assert_string_equal(hl7_segment_get(pid, 5, 1, 2, 1), "DOMINIQUE");
    assert_string_equal(hl7_segment_get(pid, 5, 1, 3, 1), "DOMINIQUE");
    assert_string_equal(hl7_segment_get(pid, 5, 1, 7, 1), "L");
    assert_string_equal(hl7_segment_get(pid, 7, 1, 1, 1), "19790328");
    assert_string_equal(hl7_segment_get(pid, 8, 1, 1, 1), "F");
    assert_string_equal(hl7_segment_get(pid, 32, 1, 1, 1), "VALI");
    assert_string_equal(hl7_segment_get(pid, 33, 1, 1, 1), "20240306111153");
    /* PID-11: the second repetition is the birthplace (BDL) */
    assert_int_equal(hl7_rep_count(pid, 11), 2);
    assert_string_equal(hl7_segment_get(pid, 11, 1, 3, 1), "PARIS");
    assert_string_equal(hl7_segment_get(pid, 11, 2, 7, 1), "BDL");
    assert_string_equal(hl7_segment_get(pid, 11, 2, 9, 1), "63220");
    assert_int_equal(hl7_rep_count(pid, 2), 0);
    assert_int_equal(hl7_comp_count(pid, 2, 1), 0);
    assert_string_equal(hl7_get(m, "PV1", 1, 19, 1, 5, 1), "VN");
}

static void test_example_consentement_a01(void **state)
{
    (void)state;
    size_t len;
    char *data = read_file(EXAMPLES "ans-consentement-A01.er7", &len);
    arena a;
    arena_init(&a, 0);
    hl7_message *m = NULL;
    hl7_error err;
    assert_int_equal(hl7_parse(&a, data, len, 0, &m, &err), HL7_OK);
    assert_int_equal(err.code, HL7_OK);
    check_common_pam(m, "A01", "3975");
    assert_string_equal(hl7_msh(m)->structure, "ADT_A01");

    static const char *const ids[] = {"MSH", "EVN", "PID", "PD1", "ROL", "PV1",
                                      "PV2", "ZBE", "ZFA", "ZFM", "ZFD"};
    assert_int_equal(hl7_segment_count(m), 11); /* the trailing blank lines are skipped */
    for (int i = 1; i <= hl7_segment_count(m); i++)
        assert_string_equal(hl7_segment_id(hl7_segment_at(m, i)), ids[i - 1]);
    /* ZBE: movement id, date, action, historic flag, units, nature */
    assert_string_equal(hl7_get(m, "ZBE", 1, 1, 1, 1, 1), "312");
    assert_string_equal(hl7_get(m, "ZBE", 1, 1, 1, 3, 1), "000897406");
    assert_string_equal(hl7_get(m, "ZBE", 1, 2, 1, 1, 1), "20240306110000");
    assert_string_equal(hl7_get(m, "ZBE", 1, 3, 1, 1, 1), "");
    assert_string_equal(hl7_get(m, "ZBE", 1, 4, 1, 1, 1), "INSERT");
    assert_string_equal(hl7_get(m, "ZBE", 1, 5, 1, 1, 1), "N");
    assert_string_equal(hl7_get(m, "ZBE", 1, 7, 1, 1, 1), "Chir V");
    assert_string_equal(hl7_get(m, "ZBE", 1, 7, 1, 6, 2), "000897406");
    assert_string_equal(hl7_get(m, "ZBE", 1, 7, 1, 10, 1), "6268");
    assert_string_equal(hl7_get(m, "ZBE", 1, 9, 1, 1, 1), "HMS");
    /* UTF-8 text is passed through unchanged */
    assert_string_equal(hl7_get(m, "PV1", 1, 7, 1, 2, 1), "R\303\251ault");
    assert_string_equal(hl7_get(m, "ROL", 1, 4, 1, 9, 2), "1.2.250.1.71.4.2.1");
    assert_string_equal(hl7_get(m, "ZFD", 1, 5, 1, 1, 1), "INSI");
    assert_string_equal(hl7_get(m, "ZFA", 1, 1, 1, 1, 1), "ACTIF");
    assert_int_equal(hl7_field_count(hl7_find_segment(m, "ZFM", 1)), 4);
    assert_false(hl7_msh(m)->charset_guessed);
    arena_free(&a);
    free(data);
}

static void test_example_admission_a01(void **state)
{
    (void)state;
    size_t len;
    char *data = read_file(EXAMPLES "ans-sgl-admission-A01.er7", &len);
    arena a;
    arena_init(&a, 0);
    hl7_message *m = NULL;
    assert_int_equal(hl7_parse(&a, data, len, 0, &m, NULL), HL7_OK);
    check_common_pam(m, "A01", "3975");
    assert_int_equal(hl7_segment_count(m), 6);
    assert_string_equal(hl7_get(m, "ZBE", 1, 1, 1, 1, 1), "001");
    assert_string_equal(hl7_get(m, "ZBE", 1, 4, 1, 1, 1), "INSERT");
    assert_string_equal(hl7_get(m, "ZBE", 1, 8, 1, 10, 1), "6268");
    assert_string_equal(hl7_get(m, "PV1", 1, 51, 1, 1, 1), "V");
    assert_int_equal(hl7_count_segments(m, "ZBE"), 1);
    assert_int_equal(hl7_count_segments(m, "PD1"), 0);
    assert_null(hl7_find_segment(m, "PD1", 1));
    arena_free(&a);
    free(data);
}

static void test_example_sortie_a03(void **state)
{
    (void)state;
    size_t len;
    char *data = read_file(EXAMPLES "ans-sgl-sortie-A03.er7", &len);
    arena a;
    arena_init(&a, 0);
    hl7_message *m = NULL;
    assert_int_equal(hl7_parse(&a, data, len, 0, &m, NULL), HL7_OK);
    check_common_pam(m, "A03", "3995");
    assert_string_equal(hl7_msh(m)->structure, "ADT_A03");
    assert_int_equal(hl7_segment_count(m), 5); /* no terminator after the last one */
    /* this example carries an end date in ZBE-3, which shifts the action to ZBE-5 */
    assert_int_equal(hl7_field_count(hl7_find_segment(m, "ZBE", 1)), 10);
    assert_string_equal(hl7_get(m, "ZBE", 1, 1, 1, 1, 1), "002");
    assert_string_equal(hl7_get(m, "ZBE", 1, 3, 1, 1, 1), "20260309102840");
    assert_string_equal(hl7_get(m, "ZBE", 1, 4, 1, 1, 1), "");
    assert_string_equal(hl7_get(m, "ZBE", 1, 5, 1, 1, 1), "INSERT");
    assert_string_equal(hl7_get(m, "ZBE", 1, 8, 1, 1, 1), "Urgences");
    assert_string_equal(hl7_get(m, "ZBE", 1, 8, 1, 10, 1), "8782");
    assert_string_equal(hl7_get(m, "ZBE", 1, 10, 1, 1, 1), "HMS");
    arena_free(&a);
    free(data);
}

/* The same message with CR, CRLF, LF and extra blank lines parses the same. */
static void test_terminators(void **state)
{
    (void)state;
    static const char *const files[] = {"ans-consentement-A01.er7", "ans-sgl-admission-A01.er7",
                                        "ans-sgl-sortie-A03.er7"};
    static const char *const terms[] = {"\r", "\r\n", "\n", "\n\n", "\r\r\n", "\n\r\n"};
    for (size_t f = 0; f < 3; f++) {
        char path[128];
        snprintf(path, sizeof path, EXAMPLES "%s", files[f]);
        size_t len;
        char *data = read_file(path, &len);
        for (size_t t = 0; t < sizeof terms / sizeof terms[0]; t++) {
            size_t n;
            char *v = with_terminator(data, len, terms[t], &n);
            arena a;
            arena_init(&a, 0);
            hl7_message *m = NULL;
            assert_int_equal(hl7_parse(&a, v, n, 0, &m, NULL), HL7_OK);
            assert_int_equal(hl7_segment_count(m), f == 0 ? 11 : f == 1 ? 6 : 5);
            assert_string_equal(hl7_get(m, "PID", 1, 3, 2, 4, 2), "1.2.250.1.213.1.4.10");
            assert_string_equal(hl7_get(m, "ZBE", 1, 2, 1, 1, 1), "20240306110000");
            /* the last field of each segment keeps no terminator byte */
            assert_string_equal(hl7_get(m, "PV1", 1, 51, 1, 1, 1), "V");
            assert_string_equal(hl7_msh(m)->charset, "UNICODE UTF-8");
            arena_free(&a);
            free(v);
        }
        free(data);
    }
    /* a byte order mark and leading newlines are tolerated */
    arena a;
    arena_init(&a, 0);
    hl7_message *m = parse_expect(&a, "\xEF\xBB\xBF\r\n" MSH "\rPID|1\r\n\r\n", HL7_OK, NULL);
    assert_int_equal(hl7_segment_count(m), 2);
    assert_string_equal(hl7_msh(m)->sending_app, "SND");
    arena_free(&a);
}

static void test_escapes(void **state)
{
    (void)state;
    arena a;
    arena_init(&a, 0);
    hl7_message *m =
        parse_expect(&a,
                     MSH "\rNTE|a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f|x\\.br\\y|\\X41\\\\Xc3a9\\"
                         "|\\Zfoo\\ \\X4\\ \\XZZ\\ C:\\temp|\\H\\bold\\N\\|\\X00\\|\\\\|"
                         "\\P\\|a\\S\\b^c|end\\",
                     HL7_OK, NULL);
    const hl7_segment *s = hl7_find_segment(m, "NTE", 1);
    assert_string_equal(hl7_segment_get(s, 1, 1, 1, 1), "a|b^c&d~e\\f");
    /* escaped delimiters do not split */
    assert_int_equal(hl7_comp_count(s, 1, 1), 1);
    assert_int_equal(hl7_sub_count(s, 1, 1, 1), 1);
    assert_string_equal(hl7_segment_get(s, 2, 1, 1, 1), "x\ny");
    assert_string_equal(hl7_segment_get(s, 3, 1, 1, 1), "A\xC3\xA9");
    /* unknown or malformed sequences are kept as they are */
    assert_string_equal(hl7_segment_get(s, 4, 1, 1, 1), "\\Zfoo\\ \\X4\\ \\XZZ\\ C:\\temp");
    assert_string_equal(hl7_segment_get(s, 5, 1, 1, 1), "bold");
    assert_string_equal(hl7_segment_get(s, 6, 1, 1, 1), "\xEF\xBF\xBD"); /* U+FFFD */
    assert_string_equal(hl7_segment_get(s, 7, 1, 1, 1), "\\\\");
    assert_string_equal(hl7_segment_get(s, 8, 1, 1, 1), "\\P\\"); /* no truncation char */
    assert_string_equal(hl7_segment_get(s, 9, 1, 1, 1), "a^b");
    assert_string_equal(hl7_segment_get(s, 9, 1, 2, 1), "c");
    assert_string_equal(hl7_segment_get(s, 10, 1, 1, 1), "end\\");

    /* the fifth encoding character (2.7 truncation) and custom delimiters */
    m = parse_expect(&a,
                     "MSH!@*$%#!A!B!C!D!20240101!!ADT@A01!1!P!2.7\r"
                     "PID!1!!x@y%z*w!a$P$b$F$$S$c",
                     HL7_OK, NULL);
    const hl7_encoding *e = &hl7_msh(m)->encoding;
    assert_int_equal(e->field, '!');
    assert_int_equal(e->component, '@');
    assert_int_equal(e->repetition, '*');
    assert_int_equal(e->escape, '$');
    assert_int_equal(e->subcomponent, '%');
    assert_int_equal(e->truncation, '#');
    assert_string_equal(hl7_get(m, "MSH", 1, 2, 1, 1, 1), "@*$%#");
    assert_string_equal(hl7_msh(m)->trigger, "A01");
    assert_string_equal(hl7_get(m, "PID", 1, 3, 1, 2, 2), "z");
    assert_string_equal(hl7_get(m, "PID", 1, 3, 2, 1, 1), "w");
    assert_string_equal(hl7_get(m, "PID", 1, 4, 1, 1, 1), "a#b!@c");
    arena_free(&a);
}

static void test_counts_and_absent_values(void **state)
{
    (void)state;
    arena a;
    arena_init(&a, 0);
    hl7_message *m =
        parse_expect(&a, MSH "\rZZZ|a~|^|&|\"\"|x&y^z||\rZZ1\rZZZ|second", HL7_OK, NULL);
    const hl7_segment *s = hl7_find_segment(m, "ZZZ", 1);
    assert_int_equal(hl7_field_count(s), 7);
    assert_int_equal(hl7_rep_count(s, 1), 2);
    assert_string_equal(hl7_segment_get(s, 1, 1, 1, 1), "a");
    assert_int_equal(hl7_comp_count(s, 1, 2), 0);
    assert_int_equal(hl7_comp_count(s, 2, 1), 2);
    assert_int_equal(hl7_sub_count(s, 2, 1, 1), 0);
    assert_int_equal(hl7_sub_count(s, 3, 1, 1), 2);
    assert_string_equal(hl7_segment_get(s, 4, 1, 1, 1), "\"\""); /* HL7 null, verbatim */
    assert_int_equal(hl7_sub_count(s, 5, 1, 1), 2);
    assert_string_equal(hl7_segment_get(s, 5, 1, 1, 2), "y");
    assert_string_equal(hl7_segment_get(s, 5, 1, 2, 1), "z");
    assert_int_equal(hl7_rep_count(s, 6), 0);
    /* out of range anywhere: "" and 0, never NULL or a crash */
    static const int bad[][4] = {{0, 1, 1, 1},  {8, 1, 1, 1}, {1, 0, 1, 1},      {1, 3, 1, 1},
                                 {1, 1, 0, 1},  {1, 1, 2, 1}, {1, 1, 1, 0},      {1, 1, 1, 2},
                                 {-1, 1, 1, 1}, {5, 1, 1, 3}, {1000000, 1, 1, 1}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_string_equal(hl7_segment_get(s, bad[i][0], bad[i][1], bad[i][2], bad[i][3]), "");
    assert_int_equal(hl7_rep_count(s, 0), 0);
    assert_int_equal(hl7_rep_count(s, 99), 0);
    assert_int_equal(hl7_comp_count(s, 1, 3), 0);
    assert_int_equal(hl7_sub_count(s, 1, 1, 9), 0);
    assert_int_equal(hl7_field_count(hl7_find_segment(m, "ZZ1", 1)), 0);
    assert_string_equal(hl7_get(m, "ZZZ", 2, 1, 1, 1, 1), "second");
    assert_string_equal(hl7_get(m, "ZZZ", 3, 1, 1, 1, 1), "");
    assert_string_equal(hl7_get(m, "OBX", 1, 1, 1, 1, 1), "");
    assert_null(hl7_find_segment(m, "ZZZ", 0));
    assert_null(hl7_segment_at(m, 0));
    assert_null(hl7_segment_at(m, 5));
    assert_non_null(hl7_segment_at(m, 4));
    assert_int_equal(hl7_count_segments(m, "ZZZ"), 2);
    assert_int_equal(hl7_segment_count(m), 4);
    arena_free(&a);
}

static void test_charsets(void **state)
{
    (void)state;
    arena a;
    arena_init(&a, 0);
    /* 8859/1: é (0xE9) and è (0xE8) become C3 A9 and C3 A8, once */
    hl7_message *m = parse_expect(&a,
                                  MSH_CHARSET("8859/1") "\rPID|1||||H\xE9l\xE8"
                                                        "ne^\\XE9\\",
                                  HL7_OK, NULL);
    assert_int_equal(hl7_msh(m)->declared_charset, HL7_CHARSET_LATIN1);
    assert_string_equal(hl7_get(m, "PID", 1, 5, 1, 1, 1), "H\xC3\xA9l\xC3\xA8ne");
    assert_string_equal(hl7_get(m, "PID", 1, 5, 1, 2, 1), "\xC3\xA9");
    assert_false(hl7_msh(m)->charset_guessed);
    /* labelled 8859/1 but already UTF-8: not converted twice (no "Ã©") */
    m = parse_expect(&a,
                     MSH_CHARSET("8859/1") "\rPID|1||||R\xC3\xA9"
                                           "ault",
                     HL7_OK, NULL);
    assert_string_equal(hl7_get(m, "PID", 1, 5, 1, 1, 1), "R\303\251ault");
    assert_true(hl7_msh(m)->charset_guessed);
    /* no label: UTF-8, with latin-1 as the fallback for invalid bytes */
    m = parse_expect(&a, MSH "\rPID|1||||Fran\xE7ois^Ren\xC3\xA9", HL7_OK, NULL);
    assert_int_equal(hl7_msh(m)->declared_charset, HL7_CHARSET_UTF8);
    assert_string_equal(hl7_get(m, "PID", 1, 5, 1, 1, 1), "Fran\xC3\xA7ois");
    assert_string_equal(hl7_get(m, "PID", 1, 5, 1, 2, 1), "Ren\xC3\xA9");
    assert_true(hl7_msh(m)->charset_guessed);
    m = parse_expect(&a, MSH_CHARSET("UNICODE UTF-8") "\rPID|1||||\xC0\xAF", HL7_OK, NULL);
    assert_string_equal(hl7_get(m, "PID", 1, 5, 1, 1, 1), "\xC3\x80\xC2\xAF"); /* overlong */
    assert_true(hl7_msh(m)->charset_guessed);
    m = parse_expect(&a, MSH_CHARSET("unicode utf-8 ") "\rPID|1||||\xED\xA0\x80", HL7_OK, NULL);
    assert_string_equal(hl7_get(m, "PID", 1, 5, 1, 1, 1), "\xC3\xAD\xC2\xA0\xE2\x82\xAC");
    /* ASCII-only values never count as guessed */
    m = parse_expect(&a, MSH_CHARSET("ASCII") "\rPID|1||||DUPONT", HL7_OK, NULL);
    assert_false(hl7_msh(m)->charset_guessed);
    /* 8859/15: euro sign and oe ligature; windows-1252 extras under 8859/1 */
    m = parse_expect(&a,
                     MSH_CHARSET("8859/15") "\rNTE|\xA4|c\xBD"
                                            "ur",
                     HL7_OK, NULL);
    assert_int_equal(hl7_msh(m)->declared_charset, HL7_CHARSET_LATIN9);
    assert_string_equal(hl7_get(m, "NTE", 1, 1, 1, 1, 1), "\xE2\x82\xAC");
    assert_string_equal(hl7_get(m, "NTE", 1, 2, 1, 1, 1), "c\xC5\x93ur");
    m = parse_expect(&a,
                     MSH_CHARSET("8859/1~UNICODE UTF-8") "\rNTE|s\x9C"
                                                         "ur|\xA4",
                     HL7_OK, NULL);
    assert_string_equal(hl7_get(m, "NTE", 1, 1, 1, 1, 1), "s\xC5\x93ur");
    assert_string_equal(hl7_get(m, "NTE", 1, 2, 1, 1, 1), "\xC2\xA4");
    arena_free(&a);
}

/* Checks one error: status, location and the segments of the partial message
 * (nseg = -1: none expected). */
static void expect_error(const char *s, size_t len, size_t max, hl7_status code, int index,
                         const char *seg_id, int field, int nseg)
{
    arena a;
    arena_init(&a, 0);
    hl7_message *m = (hl7_message *)&a; /* must be overwritten */
    hl7_error err;
    assert_int_equal(hl7_parse(&a, s, len, max, &m, &err), code);
    assert_int_equal(err.code, code);
    assert_int_equal(err.segment_index, index);
    assert_string_equal(err.segment_id, seg_id);
    assert_int_equal(err.field, field);
    assert_string_equal(err.message, hl7_status_message(code));
    if (nseg >= 0) {
        assert_non_null(m);
        assert_string_equal(hl7_msh(m)->control_id, "MSG1");
        assert_int_equal(hl7_segment_count(m), nseg);
    } else {
        assert_null(m);
    }
    arena_free(&a);
}

#define EXPECT_ERROR(s, code, index, id, field, nseg)                                              \
    expect_error(s, sizeof(s) - 1, 0, code, index, id, field, nseg)

static void test_errors(void **state)
{
    (void)state;
    EXPECT_ERROR("", HL7_ERR_EMPTY, 0, "", 0, -1);
    EXPECT_ERROR("\r\n  \r\n\t\n", HL7_ERR_EMPTY, 0, "", 0, -1);
    expect_error(MSH, strlen(MSH), 20, HL7_ERR_TOO_LARGE, 0, "", 0, -1);
    EXPECT_ERROR(MSH "\rPID|1|a\0b", HL7_ERR_NUL_BYTE, 2, "PID", 2, 1);
    EXPECT_ERROR("MSH|^~\\&|S\0ND", HL7_ERR_NUL_BYTE, 1, "MSH", 3, -1);
    EXPECT_ERROR("PID|1\r" MSH, HL7_ERR_NO_MSH, 1, "PID", 0, -1);
    EXPECT_ERROR("hello world", HL7_ERR_NO_MSH, 1, "", 0, -1);
    EXPECT_ERROR("MSH", HL7_ERR_MSH_TOO_SHORT, 1, "MSH", 1, -1);
    EXPECT_ERROR("MSH|^~\r", HL7_ERR_MSH_TOO_SHORT, 1, "MSH", 2, -1);
    EXPECT_ERROR("MSH|^~\\&|SND|SFAC|RCV|RFAC|2024||ADT^A01|MSG1\rPID|1", HL7_ERR_MSH_TOO_SHORT, 1,
                 "MSH", 11, 1);
    EXPECT_ERROR("MSH|^~\\&|SND|SFAC|RCV|RFAC|2024||ADT^A01|MSG1|P", HL7_ERR_MSH_TOO_SHORT, 1,
                 "MSH", 12, 1);
    EXPECT_ERROR("MSH|^~|x", HL7_ERR_BAD_ENCODING, 1, "MSH", 2, -1);
    EXPECT_ERROR("MSHA^~\\&", HL7_ERR_BAD_ENCODING, 1, "MSH", 1, -1);
    EXPECT_ERROR("MSH ^~\\&", HL7_ERR_BAD_ENCODING, 1, "MSH", 1, -1);
    EXPECT_ERROR("MSH|^^\\&|x", HL7_ERR_BAD_ENCODING, 1, "MSH", 2, -1);
    EXPECT_ERROR("MSH|^~\\a|x", HL7_ERR_BAD_ENCODING, 1, "MSH", 2, -1);
    EXPECT_ERROR("MSH|^~\\&#!|x", HL7_ERR_BAD_ENCODING, 1, "MSH", 2, -1);
    EXPECT_ERROR(MSH "\rPID|1\rpv1|1", HL7_ERR_BAD_SEGMENT_ID, 3, "", 0, 2);
    EXPECT_ERROR(MSH "\rPI|1", HL7_ERR_BAD_SEGMENT_ID, 2, "", 0, 1);
    EXPECT_ERROR(MSH "\rPIDX|1", HL7_ERR_BAD_SEGMENT_ID, 2, "", 0, 1);
    EXPECT_ERROR(MSH "\r1ID|1", HL7_ERR_BAD_SEGMENT_ID, 2, "", 0, 1);
    EXPECT_ERROR(MSH "\rPID^1", HL7_ERR_BAD_SEGMENT_ID, 2, "", 0, 1);
    EXPECT_ERROR(MSH_CHARSET("UNICODE UTF-16") "\rPID|1", HL7_ERR_UNSUPPORTED_CHARSET, 1, "MSH", 18,
                 2);
    EXPECT_ERROR(MSH "\rPID|1\r" MSH, HL7_ERR_DUPLICATE_MSH, 3, "MSH", 0, 2);

    /* a charset error still yields the whole message, read as UTF-8 */
    arena a;
    arena_init(&a, 0);
    hl7_message *m = NULL;
    const char *cs = MSH_CHARSET("EBCDIC") "\rPID|1";
    assert_int_equal(hl7_parse(&a, cs, strlen(cs), 0, &m, NULL), HL7_ERR_UNSUPPORTED_CHARSET);
    assert_non_null(m);
    assert_int_equal(hl7_segment_count(m), 2);
    assert_string_equal(hl7_msh(m)->charset, "EBCDIC");

    /* the label is MSH-18.1.1 as decoded: with '/' as the subcomponent
     * separator, an unescaped 8859/1 reads "8859" (a fuzzer find) */
    const char *slash = "MSH|^~\\/|SND|SFAC|RCV|RFAC|2024||ADT^A31|MSG1|P|2.5||||||8859/1";
    assert_int_equal(hl7_parse(&a, slash, strlen(slash), 0, &m, NULL), HL7_ERR_UNSUPPORTED_CHARSET);
    assert_string_equal(hl7_msh(m)->charset, "8859");
    slash = "MSH|^~\\/|SND|SFAC|RCV|RFAC|2024||ADT^A31|MSG1|P|2.5||||||8859\\T\\1";
    assert_int_equal(hl7_parse(&a, slash, strlen(slash), 0, &m, NULL), HL7_ERR_UNSUPPORTED_CHARSET);
    assert_string_equal(hl7_msh(m)->charset, "8859/1");
    arena_free(&a);

    /* the size limit is inclusive; 0 means the default */
    arena_init(&a, 0);
    assert_int_equal(hl7_parse(&a, MSH, strlen(MSH), strlen(MSH), &m, NULL), HL7_OK);
    arena_free(&a);

    for (int c = HL7_OK; c <= HL7_ERR_DUPLICATE_MSH; c++) {
        assert_true(strlen(hl7_status_message((hl7_status)c)) > 5);
        for (int d = HL7_OK; d < c; d++)
            assert_string_not_equal(hl7_status_message((hl7_status)c),
                                    hl7_status_message((hl7_status)d));
    }
    assert_string_equal(hl7_status_message((hl7_status)99), "unknown error");
}

/* MSH + n copies of seg, each ended by CR. */
static char *repeat_segments(const char *seg, int n, size_t *len)
{
    buf b;
    buf_init(&b, 0);
    buf_puts(&b, MSH "\r");
    for (int i = 0; i < n; i++)
        buf_printf(&b, "%s\r", seg);
    return buf_steal(&b, len);
}

static void test_limits(void **state)
{
    (void)state;
    size_t len;
    char *s = repeat_segments("NTE|1", HL7_MAX_SEGMENTS - 1, &len);
    expect_error(s, len, 0, HL7_OK, 0, "", 0, HL7_MAX_SEGMENTS);
    free(s);
    s = repeat_segments("NTE|1", HL7_MAX_SEGMENTS, &len);
    expect_error(s, len, 0, HL7_ERR_TOO_MANY_SEGMENTS, HL7_MAX_SEGMENTS + 1, "NTE", 0,
                 HL7_MAX_SEGMENTS);
    free(s);

    char fields[HL7_MAX_FIELDS + 8];
    memset(fields, '|', sizeof fields);
    memcpy(fields, "NTE", 3);
    fields[3 + HL7_MAX_FIELDS] = '\0';
    s = repeat_segments(fields, 2, &len);
    arena a;
    arena_init(&a, 0);
    hl7_message *m = NULL;
    assert_int_equal(hl7_parse(&a, s, len, 0, &m, NULL), HL7_OK);
    assert_int_equal(hl7_field_count(hl7_find_segment(m, "NTE", 2)), HL7_MAX_FIELDS);
    arena_free(&a);
    free(s);
    fields[3 + HL7_MAX_FIELDS] = '|';
    fields[4 + HL7_MAX_FIELDS] = '\0';
    buf b;
    buf_init(&b, 0);
    buf_printf(&b, MSH "\rNTE|1\r%s", fields);
    hl7_error err;
    arena_init(&a, 0);
    assert_int_equal(hl7_parse(&a, b.data, b.len, 0, &m, &err), HL7_ERR_TOO_MANY_FIELDS);
    assert_int_equal(err.segment_index, 3);
    assert_int_equal(err.segment_occurrence, 2);
    assert_string_equal(err.segment_id, "NTE");
    assert_int_equal(err.field, HL7_MAX_FIELDS + 1);
    assert_int_equal(err.offset, strlen(MSH "\rNTE|1\r"));
    assert_int_equal(hl7_segment_count(m), 2);
    arena_free(&a);
    buf_free(&b);
}

static void test_writer_round_trip(void **state)
{
    (void)state;
    buf out;
    buf_init(&out, 0);
    hl7_escape(&out, "a|b^c&d~e\\f\ng\rh");
    assert_string_equal(out.data, "a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f\\.br\\g\\X0D\\h");
    buf_reset(&out);

    static const char *const tricky[] = {"plain", "x|y",   "^~\\&",         "line1\nline2",
                                         "cr\r",  "\\F\\", "R\303\251ault", "\xE2\x82\xAC 10"};
    hl7_writer w;
    hl7_w_init(&w, &out);
    hl7_w_segment(&w, "MSH");
    for (int i = 3; i <= 12; i++)
        hl7_w_field(&w, i == 10 ? "CTRL^1" : i == 12 ? "2.5" : NULL);
    hl7_w_segment(&w, "NTE");
    for (size_t i = 0; i < sizeof tricky / sizeof tricky[0]; i++) {
        hl7_w_field(&w, tricky[i]);
        hl7_w_comp(&w, tricky[i]);
        hl7_w_sub(&w, tricky[i]);
        hl7_w_rep(&w, tricky[i]);
    }
    assert_true(hl7_w_end(&w));
    assert_int_equal(out.data[out.len - 1], '\r');

    arena a;
    arena_init(&a, 0);
    hl7_message *m = NULL;
    assert_int_equal(hl7_parse(&a, out.data, out.len, 0, &m, NULL), HL7_OK);
    assert_string_equal(hl7_msh(m)->control_id, "CTRL^1");
    const hl7_segment *s = hl7_find_segment(m, "NTE", 1);
    for (int i = 0; i < (int)(sizeof tricky / sizeof tricky[0]); i++) {
        assert_int_equal(hl7_rep_count(s, i + 1), 2);
        assert_string_equal(hl7_segment_get(s, i + 1, 1, 1, 1), tricky[i]);
        assert_string_equal(hl7_segment_get(s, i + 1, 1, 2, 1), tricky[i]);
        assert_string_equal(hl7_segment_get(s, i + 1, 1, 2, 2), tricky[i]);
        assert_string_equal(hl7_segment_get(s, i + 1, 2, 1, 1), tricky[i]);
    }
    assert_false(hl7_msh(m)->charset_guessed);

    /* copying a whole field keeps its repetitions, components and subcomponents */
    size_t len;
    char *data = read_file(EXAMPLES "ans-consentement-A01.er7", &len);
    hl7_message *ex = NULL;
    assert_int_equal(hl7_parse(&a, data, len, 0, &ex, NULL), HL7_OK);
    buf_reset(&out);
    hl7_w_init(&w, &out);
    hl7_w_segment(&w, "PID");
    hl7_w_copy_field(&w, hl7_find_segment(ex, "PID", 1), 3);
    assert_true(hl7_w_end(&w));
    assert_string_equal(out.data, "PID|000003^^^CHU-X&000897406&N^PI~279035121518989^^^ASIP-SANTE-"
                                  "INS-NIR&1.2.250.1.213.1.4.10&ISO^INS^^20101207\r");
    free(data);

    /* overflow is reported once, at the end */
    buf small;
    buf_init(&small, 8);
    hl7_w_init(&w, &small);
    hl7_w_segment(&w, "NTE");
    hl7_w_field(&w, "far too long for eight bytes");
    assert_false(hl7_w_end(&w));
    buf_free(&small);
    buf_free(&out);
    arena_free(&a);
}

static void test_ack_accept(void **state)
{
    (void)state;
    size_t len;
    char *data = read_file(EXAMPLES "ans-sgl-admission-A01.er7", &len);
    arena a;
    arena_init(&a, 0);
    hl7_message *rx = NULL;
    assert_int_equal(hl7_parse(&a, data, len, 0, &rx, NULL), HL7_OK);
    buf out;
    buf_init(&out, 0);
    hl7_ack ack = {.our_app = "PARCOURS",
                   .our_facility = "DAC-X",
                   .timestamp = "20240306120000",
                   .control_id = "ACK-1",
                   .code = HL7_ACK_AA,
                   .received = rx};
    assert_true(hl7_build_ack(&out, &ack));
    assert_string_equal(out.data, "MSH|^~\\&|PARCOURS|DAC-X|GAM|CHU-X|20240306120000||ACK^A01^ACK|"
                                  "ACK-1|P|2.5\rMSA|AA|3975\r");

    hl7_message *m = NULL;
    assert_int_equal(hl7_parse(&a, out.data, out.len, 0, &m, NULL), HL7_OK);
    assert_string_equal(hl7_msh(m)->message_type, "ACK");
    assert_string_equal(hl7_msh(m)->trigger, "A01");
    assert_string_equal(hl7_msh(m)->structure, "ACK");
    assert_string_equal(hl7_msh(m)->receiving_app, "GAM");
    assert_string_equal(hl7_get(m, "MSA", 1, 1, 1, 1, 1), "AA");
    assert_string_equal(hl7_get(m, "MSA", 1, 2, 1, 1, 1), "3975");
    assert_int_equal(hl7_count_segments(m, "ERR"), 0);

    /* explicit values win over the received message, and are escaped */
    buf_reset(&out);
    ack = (hl7_ack){.our_app = "P|C",
                    .their_app = "X^Y",
                    .their_facility = "F",
                    .trigger = "",
                    .control_id = "2",
                    .processing_id = "T",
                    .code = (hl7_ack_code)42,
                    .ref_control_id = "R&1",
                    .received = rx};
    assert_true(hl7_build_ack(&out, &ack));
    assert_string_equal(out.data, "MSH|^~\\&|P\\F\\C||X\\S\\Y|F|||ACK|2|T|2.5\rMSA|AR|R\\T\\1\r");
    assert_int_equal(hl7_parse(&a, out.data, out.len, 0, &m, NULL), HL7_OK);
    assert_string_equal(hl7_msh(m)->sending_app, "P|C");
    assert_string_equal(hl7_get(m, "MSA", 1, 2, 1, 1, 1), "R&1");

    buf small;
    buf_init(&small, 32);
    assert_false(hl7_build_ack(&small, &ack));
    buf_free(&small);
    buf_free(&out);
    arena_free(&a);
    free(data);
}

static void test_ack_error(void **state)
{
    (void)state;
    arena a;
    arena_init(&a, 0);
    buf out;
    buf_init(&out, 0);
    hl7_ack_error e = {.segment_id = "PID",
                       .segment_seq = 1,
                       .field = 3,
                       .code = HL7_E_REQUIRED_FIELD_MISSING,
                       .user_message = "PID-3 must carry the INS^OID"};
    hl7_ack ack = {.our_app = "PARCOURS",
                   .our_facility = "DAC",
                   .their_app = "GAM",
                   .their_facility = "CHU-X",
                   .timestamp = "20240306120000",
                   .trigger = "A31",
                   .control_id = "9",
                   .code = HL7_ACK_AE,
                   .ref_control_id = "3975",
                   .error = &e};
    assert_true(hl7_build_ack(&out, &ack));
    assert_string_equal(out.data, "MSH|^~\\&|PARCOURS|DAC|GAM|CHU-X|20240306120000||ACK^A31^ACK|9|"
                                  "P|2.5\rMSA|AE|3975\rERR||PID^1^3|101^Required field missing^"
                                  "HL70357|E||||PID-3 must carry the INS\\S\\OID\r");
    hl7_message *m = NULL;
    assert_int_equal(hl7_parse(&a, out.data, out.len, 0, &m, NULL), HL7_OK);
    assert_string_equal(hl7_get(m, "MSA", 1, 1, 1, 1, 1), "AE");
    assert_string_equal(hl7_get(m, "ERR", 1, 2, 1, 1, 1), "PID");
    assert_string_equal(hl7_get(m, "ERR", 1, 2, 1, 2, 1), "1");
    assert_string_equal(hl7_get(m, "ERR", 1, 2, 1, 3, 1), "3");
    assert_string_equal(hl7_get(m, "ERR", 1, 3, 1, 1, 1), "101");
    assert_string_equal(hl7_get(m, "ERR", 1, 3, 1, 3, 1), "HL70357");
    assert_string_equal(hl7_get(m, "ERR", 1, 4, 1, 1, 1), "E");
    assert_string_equal(hl7_get(m, "ERR", 1, 8, 1, 1, 1), "PID-3 must carry the INS^OID");

    /* without location nor user message; unsupported event; warning */
    buf_reset(&out);
    e = (hl7_ack_error){.code = HL7_E_UNSUPPORTED_EVENT_CODE, .severity = 'W'};
    assert_true(hl7_build_ack(&out, &ack));
    assert_non_null(strstr(out.data, "\rERR|||201^Unsupported event code^HL70357|W\r"));
    buf_reset(&out);
    e = (hl7_ack_error){.segment_id = "ZBE", .code = 999};
    assert_true(hl7_build_ack(&out, &ack));
    assert_non_null(strstr(out.data, "\rERR||ZBE^1|999|E\r"));

    /* from a parse error: AR echoing what could be read of the MSH */
    const char *bad = MSH "\rPID|1\rPID|2|x|\0";
    hl7_error perr;
    hl7_message *rx = NULL;
    assert_int_equal(hl7_parse(&a, bad, strlen(MSH) + 16, 0, &rx, &perr), HL7_ERR_NUL_BYTE);
    hl7_ack_error_from_parse(&e, &perr);
    assert_int_equal(e.code, HL7_E_DATA_TYPE);
    assert_string_equal(e.segment_id, "PID");
    assert_int_equal(e.segment_seq, 2);
    assert_int_equal(e.field, 3);
    buf_reset(&out);
    ack = (hl7_ack){.our_app = "PARCOURS",
                    .timestamp = "20240101000000",
                    .control_id = "10",
                    .code = HL7_ACK_AR,
                    .received = rx,
                    .error = &e};
    assert_true(hl7_build_ack(&out, &ack));
    assert_string_equal(out.data, "MSH|^~\\&|PARCOURS||SND|SFAC|20240101000000||ACK^A31^ACK|10|P|"
                                  "2.5\rMSA|AR|MSG1\rERR||PID^2^3|102^Data type error^HL70357|E|"
                                  "|||NUL byte in message\r");

    static const struct {
        hl7_status st;
        int code;
    } map[] = {
        {HL7_ERR_EMPTY, 100},           {HL7_ERR_TOO_LARGE, 207},
        {HL7_ERR_NUL_BYTE, 102},        {HL7_ERR_NO_MSH, 100},
        {HL7_ERR_MSH_TOO_SHORT, 101},   {HL7_ERR_BAD_ENCODING, 102},
        {HL7_ERR_BAD_SEGMENT_ID, 100},  {HL7_ERR_TOO_MANY_SEGMENTS, 207},
        {HL7_ERR_TOO_MANY_FIELDS, 207}, {HL7_ERR_UNSUPPORTED_CHARSET, 103},
        {HL7_ERR_DUPLICATE_MSH, 100},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        perr = (hl7_error){.code = map[i].st, .message = "x"};
        hl7_ack_error_from_parse(&e, &perr);
        assert_int_equal(e.code, map[i].code);
        assert_int_equal(e.severity, 'E');
    }
    buf_free(&out);
    arena_free(&a);
}

static void test_timestamp(void **state)
{
    (void)state;
    char ts[15];
    setenv("TZ", "UTC", 1);
    tzset();
    hl7_timestamp(ts, 0);
    assert_string_equal(ts, "19700101000000");
    hl7_timestamp(ts, 1709723514); /* 2024-03-06 11:11:54 UTC */
    assert_string_equal(ts, "20240306111154");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_example_consentement_a01),
        cmocka_unit_test(test_example_admission_a01),
        cmocka_unit_test(test_example_sortie_a03),
        cmocka_unit_test(test_terminators),
        cmocka_unit_test(test_escapes),
        cmocka_unit_test(test_counts_and_absent_values),
        cmocka_unit_test(test_charsets),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_writer_round_trip),
        cmocka_unit_test(test_ack_accept),
        cmocka_unit_test(test_ack_error),
        cmocka_unit_test(test_timestamp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

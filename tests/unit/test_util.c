/* Unit tests of util/: arena, buf, json writer, UTF-8 check, ISO 8601 times. */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util/arena.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/timeutil.h"

static void arena_allocations_are_aligned_and_independent(void **state)
{
    (void)state;
    arena a;
    arena_init(&a, 64);
    char *s = arena_strdup(&a, "hello");
    void *big = arena_alloc(&a, 10000); /* larger than a block */
    char *t = arena_printf(&a, "%s-%d", "n", 42);
    assert_string_equal(s, "hello");
    assert_string_equal(t, "n-42");
    assert_int_equal((uintptr_t)big % _Alignof(max_align_t), 0);
    memset(big, 0xAB, 10000);
    assert_string_equal(s, "hello"); /* not overwritten */
    char *u = arena_strndup(&a, "abcdef", 3);
    assert_string_equal(u, "abc");
    int *z = arena_calloc(&a, 100, sizeof(int));
    for (int i = 0; i < 100; i++)
        assert_int_equal(z[i], 0);
    arena_reset(&a);
    assert_string_equal(arena_strdup(&a, "again"), "again");
    arena_free(&a);
}

static void buf_enforces_its_maximum(void **state)
{
    (void)state;
    buf b;
    buf_init(&b, 10);
    assert_true(buf_puts(&b, "12345"));
    assert_true(buf_printf(&b, "%d", 6789));
    assert_int_equal(b.len, 9);
    assert_false(buf_puts(&b, "ab")); /* 11 > 10 */
    assert_true(b.overflow);
    assert_string_equal(b.data, "123456789"); /* kept what it had */
    assert_false(buf_putc(&b, 'x'));
    buf_reset(&b);
    assert_false(b.overflow);
    assert_true(buf_puts(&b, "0123456789"));
    buf_free(&b);

    buf u;
    buf_init(&u, 0);
    for (int i = 0; i < 1000; i++)
        assert_true(buf_printf(&u, "%04d", i));
    assert_int_equal(u.len, 4000);
    size_t n;
    char *d = buf_steal(&u, &n);
    assert_int_equal(n, 4000);
    assert_memory_equal(d + 3996, "0999", 4);
    free(d);
}

static void json_writer_escapes_and_separates(void **state)
{
    (void)state;
    buf b;
    buf_init(&b, 0);
    jw w;
    jw_init(&w, &b);
    jw_obj_begin(&w);
    jw_kstr(&w, "name", "Ève \"la\" <b>\\\n\t\x01");
    jw_kint(&w, "n", -9007199254740993LL);
    jw_kbool(&w, "ok", true);
    jw_kstr(&w, "none", NULL);
    jw_key(&w, "list");
    jw_arr_begin(&w);
    jw_int(&w, 1);
    jw_obj_begin(&w);
    jw_obj_end(&w);
    jw_arr_begin(&w);
    jw_arr_end(&w);
    jw_str(&w, "");
    jw_arr_end(&w);
    /* a long name (written in place here: the buffer has room for it) */
    jw_kint(&w, "a_member_name_of_more_than_sixty_four_bytes_written_in_two_parts", 2);
    jw_obj_end(&w);
    assert_string_equal(b.data,
                        "{\"name\":\"Ève \\\"la\\\" <b>\\\\\\n\\t\\u0001\",\"n\":-9007199254740993,"
                        "\"ok\":true,\"none\":null,\"list\":[1,{},[],\"\"],"
                        "\"a_member_name_of_more_than_sixty_four_bytes_written_in_two_parts\":2}");
    buf_free(&b);
}

static void json_writer_replaces_invalid_utf8(void **state)
{
    (void)state;
    buf b;
    buf_init(&b, 0);
    json_escape(&b, "a\xC3\x28z\xFF", 5);
    assert_string_equal(b.data, "\"a\xEF\xBF\xBD(z\xEF\xBF\xBD\"");
    buf_free(&b);
}

/* Two-byte letters take a short path of their own: it must accept exactly
 * what the general UTF-8 check accepts (no overlong C0/C1 forms, no lone lead
 * byte at the end, no lead byte followed by a plain one). */
static void json_escape_two_byte_letters(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"\xC3\xA9", "\"\xC3\xA9\""},               /* é alone */
        {"abcdefg\xC3\xA9", "\"abcdefg\xC3\xA9\""}, /* é as the last two bytes */
        {"glyc\xC3\xA9mie l\xC3\xA9g\xC3\xA8re \xC3\xA0 \xC3\xA7"
         "a",
         NULL},                                       /* unchanged */
        {"\xC2\x80\xDF\xBF", NULL},                   /* the range's two ends */
        {"ab\xC3", "\"ab\xEF\xBF\xBD\""},             /* a lead byte at the end */
        {"\xC0\x80", "\"\xEF\xBF\xBD\xEF\xBF\xBD\""}, /* overlong NUL */
        {"\xC1\xBF", "\"\xEF\xBF\xBD\xEF\xBF\xBD\""}, /* overlong '\x7f' */
        {"\xC3\xC3\xA9", "\"\xEF\xBF\xBD\xC3\xA9\""}, /* lead, then a letter */
        {"\xC3\"", "\"\xEF\xBF\xBD\\\"\""},           /* lead, then a quote */
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        buf b;
        buf_init(&b, 0);
        json_escape(&b, cases[k].in, strlen(cases[k].in));
        if (cases[k].out) {
            assert_string_equal(b.data, cases[k].out);
        } else {
            assert_int_equal(b.len, strlen(cases[k].in) + 2);
            assert_memory_equal(b.data + 1, cases[k].in, strlen(cases[k].in));
        }
        assert_true(utf8_valid(b.data, b.len));
        buf_free(&b);
    }
}

/* Plain values (digits, dates) go between quotes as they are; names and
 * values written in place stop at the buffer's maximum like any append. */
static void json_writer_plain_values_and_the_maximum(void **state)
{
    (void)state;
    buf b;
    buf_init(&b, 0);
    jw w;
    jw_init(&w, &b);
    jw_arr_begin(&w);
    jw_str_plain(&w, "2026-11-24T12:00:00.000Z", 24);
    jw_str_plain(&w, "", 0);
    char long_digits[101];
    memset(long_digits, '7', 100);
    long_digits[100] = '\0';
    jw_str_plain(&w, long_digits, 100);
    jw_arr_end(&w);
    assert_int_equal(b.len, strlen("[\"2026-11-24T12:00:00.000Z\",\"\",\"\"]") + 100);
    assert_memory_equal(b.data, "[\"2026-11-24T12:00:00.000Z\",\"\",\"", 32);
    assert_memory_equal(b.data + 132, "\"]", 3);
    buf_free(&b);

    /* a member name that would pass the maximum: nothing of it is written */
    buf_init(&b, 12);
    jw_init(&w, &b);
    jw_obj_begin(&w);
    jw_kint(&w, "ab", 1); /* {"ab":1 = 7 bytes */
    assert_false(b.overflow);
    jw_key(&w, "cd"); /* ,"cd": would make 13 */
    assert_true(b.overflow);
    assert_string_equal(b.data, "{\"ab\":1");
    buf_free(&b);

    /* exactly at the maximum: written */
    buf_init(&b, 13);
    jw_init(&w, &b);
    jw_obj_begin(&w);
    jw_kint(&w, "ab", 1);
    jw_key(&w, "cd");
    assert_false(b.overflow);
    assert_string_equal(b.data, "{\"ab\":1,\"cd\":");
    buf_free(&b);

    /* the in-place path asks for a byte more than a first name needs (no
     * comma): the general path must still write it when it just fits */
    buf_init(&b, 6);
    jw_init(&w, &b);
    jw_obj_begin(&w);
    jw_key(&w, "ab"); /* {"ab": = 6 bytes */
    assert_false(b.overflow);
    assert_string_equal(b.data, "{\"ab\":");
    buf_free(&b);

    /* a plain value past the maximum: the buffer stops there, overflowed (as
     * with any value, its separator may be in; callers check once, at the end) */
    buf_init(&b, 10);
    jw_init(&w, &b);
    jw_arr_begin(&w);
    jw_str_plain(&w, "12345", 5); /* ["12345" = 8 bytes */
    assert_false(b.overflow);
    jw_str_plain(&w, "678", 3); /* ,"678" would make 14 */
    assert_true(b.overflow);
    assert_true(b.len <= 10);
    assert_memory_equal(b.data, "[\"12345\"", 8);
    assert_int_equal(b.data[b.len], '\0');
    buf_free(&b);
}

/* Member names longer than the writer's small buffer take the general path in
 * parts, when the buffer must grow for them or stands at its maximum. */
static void json_writer_long_names_at_the_end_of_the_buffer(void **state)
{
    (void)state;
    static const char name[] = "a_member_name_of_more_than_sixty_four_bytes_written_in_two_parts";
    buf b;
    buf_init(&b, 0);
    jw w;
    jw_init(&w, &b);
    jw_obj_begin(&w);
    char fill[241];
    memset(fill, 'x', 240);
    fill[240] = '\0';
    jw_kstr(&w, "f", fill); /* {"f":"xxx…" = 247 bytes of a 256-byte buffer */
    assert_int_equal(b.cap, 256);
    jw_kint(&w, name, 2); /* does not fit in place: grows the buffer */
    jw_obj_end(&w);
    assert_int_equal(b.len, 247 + 1 + strlen(name) + 4 + 1);
    assert_memory_equal(b.data + 247, ",\"a_member_name_of_more", 23);
    assert_memory_equal(b.data + b.len - 13, "two_parts\":2}", 13);
    buf_free(&b);

    /* at a maximum it cannot pass: the buffer stops there, overflowed */
    buf_init(&b, 40);
    jw_init(&w, &b);
    jw_obj_begin(&w);
    jw_key(&w, name);
    assert_true(b.overflow);
    assert_true(b.len <= 40);
    assert_int_equal(b.data[b.len], '\0');
    buf_free(&b);
}

/* The escaper tests 8 bytes at a time: every special byte, at every offset of
 * a long plain run, must still be found (against a byte-by-byte reference). */
static void json_escape_finds_special_bytes_at_any_offset(void **state)
{
    (void)state;
    const unsigned char specials[] = {0x00, 0x01, 0x1f, '"', '\\', 0x7f,
                                      0x80, 0xC3, 0xFF, ' ', '~'};
    char text[40], expect[64];
    for (size_t k = 0; k < sizeof specials; k++)
        for (size_t at = 0; at < sizeof text; at++) {
            memset(text, 'a', sizeof text);
            text[at] = (char)specials[k];
            const char *esc;
            char tmp[8];
            switch (specials[k]) {
            case 0x00:
                esc = "\\u0000";
                break;
            case 0x01:
                esc = "\\u0001";
                break;
            case 0x1f:
                esc = "\\u001f";
                break;
            case '"':
                esc = "\\\"";
                break;
            case '\\':
                esc = "\\\\";
                break;
            case 0x80:
            case 0xC3:
            case 0xFF:
                esc = "\xEF\xBF\xBD";
                break; /* lone: invalid */
            default:
                tmp[0] = (char)specials[k];
                tmp[1] = 0;
                esc = tmp;
                break;
            }
            snprintf(expect, sizeof expect, "\"%.*s%s%.*s\"", (int)at, text, esc,
                     (int)(sizeof text - at - 1), text + at + 1);
            buf b;
            buf_init(&b, 0);
            json_escape(&b, text, sizeof text);
            assert_string_equal(b.data, expect);
            buf_free(&b);
        }
}

/* Several special bytes in one 8-byte word, valid UTF-8 straddling words. */
static void json_escape_mixed_words(void **state)
{
    (void)state;
    const char pattern[] = "\xC3\xA9\"\x01\xE2\x80\x93\\"; /* é " ^A – \ */
    const char escaped[] = "\xC3\xA9\\\"\\u0001\xE2\x80\x93\\\\";
    char text[48], expect[96];
    size_t plen = sizeof pattern - 1;
    for (size_t at = 0; at + plen <= sizeof text; at++) {
        memset(text, 'a', sizeof text);
        memcpy(text + at, pattern, plen);
        snprintf(expect, sizeof expect, "\"%.*s%s%.*s\"", (int)at, text, escaped,
                 (int)(sizeof text - at - plen), text + at + plen);
        buf b;
        buf_init(&b, 0);
        json_escape(&b, text, sizeof text);
        assert_string_equal(b.data, expect);
        buf_free(&b);
    }
}

static void utf8_validation(void **state)
{
    (void)state;
    assert_true(utf8_valid("", 0));
    assert_true(utf8_valid("Léa Ørsted – 漢字 😀", strlen("Léa Ørsted – 漢字 😀")));
    assert_false(utf8_valid("\xC3\x28", 2));         /* bad continuation */
    assert_false(utf8_valid("\xC0\xAF", 2));         /* overlong */
    assert_false(utf8_valid("\xED\xA0\x80", 3));     /* surrogate */
    assert_false(utf8_valid("\xF4\x90\x80\x80", 4)); /* > U+10FFFF */
    assert_false(utf8_valid("\xE2\x82", 2));         /* truncated */
}

/* The hand-written formatter agrees with gmtime_r on every day of its span,
 * at its edges and outside it. */
static void iso_time_formatting_matches_the_c_library(void **state)
{
    (void)state;
    char mine[40], libc[96];
    for (int64_t day = -400; day < 47482 + 400; day++) {
        int64_t ms = day * 86400000LL + (day * 7919 % 86400) * 1000 + day % 1000;
        if (ms < 0)
            ms = day * 86400000LL; /* whole days before 1970 */
        time_format_iso(ms, mine, sizeof mine);
        time_t secs = (time_t)(ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000));
        struct tm tm;
        gmtime_r(&secs, &tm);
        snprintf(libc, sizeof libc, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                 (int)(ms - (int64_t)secs * 1000));
        assert_string_equal(mine, libc);
    }
    time_format_iso(4102444799999LL, mine, sizeof mine);
    assert_string_equal(mine, "2099-12-31T23:59:59.999Z");
    time_format_iso(4102444800000LL, mine, sizeof mine);
    assert_string_equal(mine, "2100-01-01T00:00:00.000Z");
    time_format_iso(951782400000LL, mine, sizeof mine);
    assert_string_equal(mine, "2000-02-29T00:00:00.000Z");
    char num[24];
    assert_int_equal(json_format_int(INT64_MIN, num), 20);
    assert_string_equal(num, "-9223372036854775808");
    json_format_int(0, num);
    assert_string_equal(num, "0");
    /* every length and both signs, against printf */
    int64_t v = 1;
    for (int k = 0; k < 19; k++, v = k < 19 ? v * 10 : v) {
        const int64_t around[] = {v - 1, v, v + 1, -v, -(v - 1), v * 7 + 3};
        for (size_t j = 0; j < sizeof around / sizeof *around; j++) {
            char expect[24];
            snprintf(expect, sizeof expect, "%" PRId64, around[j]);
            assert_int_equal(json_format_int(around[j], num), strlen(expect));
            assert_string_equal(num, expect);
        }
    }
    assert_int_equal(json_format_int(INT64_MAX, num), 19);
    assert_string_equal(num, "9223372036854775807");
}

static void iso_times_round_trip_and_reject_impossible_dates(void **state)
{
    (void)state;
    int64_t ms;
    char out[40];
    assert_true(time_parse_iso("2024-03-06T11:00:00Z", &ms));
    assert_int_equal(ms, 1709722800000LL);
    time_format_iso(ms, out, sizeof out);
    assert_string_equal(out, "2024-03-06T11:00:00.000Z");
    assert_true(time_parse_iso("2024-03-06T12:00:00.250+01:00", &ms));
    assert_int_equal(ms, 1709722800250LL);
    assert_true(time_parse_iso("1970-01-01", &ms));
    assert_int_equal(ms, 0);
    assert_true(time_parse_iso("2024-02-29", &ms));
    assert_false(time_parse_iso("2023-02-29", &ms));
    assert_false(time_parse_iso("2024-02-30", &ms));
    assert_false(time_parse_iso("2024-13-01", &ms));
    assert_false(time_parse_iso("2024-03-06T25:00Z", &ms));
    assert_false(time_parse_iso("2024-03-06T11:00", &ms)); /* no zone */
    assert_false(time_parse_iso("yesterday", &ms));
    assert_false(time_parse_iso("2024-03-06x", &ms));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(arena_allocations_are_aligned_and_independent),
        cmocka_unit_test(buf_enforces_its_maximum),
        cmocka_unit_test(json_writer_escapes_and_separates),
        cmocka_unit_test(json_writer_replaces_invalid_utf8),
        cmocka_unit_test(json_escape_finds_special_bytes_at_any_offset),
        cmocka_unit_test(json_escape_mixed_words),
        cmocka_unit_test(json_escape_two_byte_letters),
        cmocka_unit_test(json_writer_plain_values_and_the_maximum),
        cmocka_unit_test(json_writer_long_names_at_the_end_of_the_buffer),
        cmocka_unit_test(utf8_validation),
        cmocka_unit_test(iso_times_round_trip_and_reject_impossible_dates),
        cmocka_unit_test(iso_time_formatting_matches_the_c_library),
    };
    return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}

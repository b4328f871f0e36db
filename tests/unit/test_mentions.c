/* Unit tests of the pure rules of messaging and notifications: @mentions,
 * message text checks, quiet hours. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/conversations.h"
#include "core/notify.h"

typedef char login_buf[CONVERSATION_LOGIN_MAX + 1];

static int mentions(const char *text, login_buf *out, int max)
{
    return conversations_mentions(text, out, max);
}

static void mentions_are_found_lowercased_and_deduplicated(void **state)
{
    (void)state;
    login_buf l[CONVERSATION_MAX_MENTIONS];
    int n = mentions("@dr.martin voir avec @INF.BERNARD, puis @dr.martin.", l, 10);
    assert_int_equal(n, 2);
    assert_string_equal(l[0], "dr.martin");
    assert_string_equal(l[1], "inf.bernard");
    n = mentions("(@coord.dac) et\n@a_b-c?", l, 10);
    assert_int_equal(n, 2);
    assert_string_equal(l[0], "coord.dac");
    assert_string_equal(l[1], "a_b-c");
}

static void an_at_inside_a_word_is_not_a_mention(void **state)
{
    (void)state;
    login_buf l[CONVERSATION_MAX_MENTIONS];
    assert_int_equal(mentions("écrire à anne@example.org", l, 10), 0);
    assert_int_equal(mentions("@ seul, @ab (trop court), @@", l, 10), 0);
    /* a login may itself contain an @ */
    assert_int_equal(mentions("merci @anne@chu.fr !", l, 10), 1);
    assert_string_equal(l[0], "anne@chu.fr");
}

static void mentions_are_bounded(void **state)
{
    (void)state;
    login_buf l[3];
    assert_int_equal(mentions("@aaa @bbb @ccc @ddd @eee", l, 3), 3);
    char long_login[200];
    long_login[0] = '@';
    memset(long_login + 1, 'x', 100);
    long_login[101] = '\0';
    assert_int_equal(mentions(long_login, l, 3), 0); /* longer than any login */
    assert_int_equal(mentions("", l, 3), 0);
    assert_int_equal(mentions(NULL, l, 3), 0);
}

static const char *text_code(const char *text)
{
    core_error err = {0};
    return conversations_check_text(text, &err) == CORE_OK ? "ok" : err.code;
}

static void message_texts_are_checked(void **state)
{
    (void)state;
    assert_string_equal(text_code("Bonjour\nà demain 🙂"), "ok");
    assert_string_equal(text_code(""), "message.empty");
    assert_string_equal(text_code(NULL), "message.empty");
    assert_string_equal(text_code(" \n \n"), "message.empty");
    assert_string_equal(text_code("a\tb"), "message.control_char");
    assert_string_equal(text_code("a\rb"), "message.control_char");
    assert_string_equal(text_code("a\x7f"), "message.control_char");
    assert_string_equal(text_code("a\xc2\x85"), "message.control_char"); /* NEL, C1 */
    assert_string_equal(text_code("a\xc2\xa0" "b"), "ok");                   /* NBSP */
    assert_string_equal(text_code("\xff\xfe"), "message.invalid_utf8");
    assert_string_equal(text_code("\xed\xa0\x80"), "message.invalid_utf8"); /* surrogate */
    char big[CONVERSATION_TEXT_MAX + 2];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_string_equal(text_code(big), "message.too_long");
    big[CONVERSATION_TEXT_MAX] = '\0';
    assert_string_equal(text_code(big), "ok");
}

static void quiet_hours_wrap_past_midnight(void **state)
{
    (void)state;
    int start, end;
    assert_true(notify_parse_hhmm("22:00", &start));
    assert_true(notify_parse_hhmm("07:00", &end));
    assert_int_equal(start, 1320);
    assert_true(notify_quiet_at(start, end, 23 * 60));
    assert_true(notify_quiet_at(start, end, 0));
    assert_true(notify_quiet_at(start, end, 6 * 60 + 59));
    assert_false(notify_quiet_at(start, end, 7 * 60));
    assert_false(notify_quiet_at(start, end, 12 * 60));
    assert_true(notify_quiet_at(12 * 60, 14 * 60, 13 * 60));
    assert_false(notify_quiet_at(12 * 60, 14 * 60, 14 * 60));
    assert_false(notify_quiet_at(-1, -1, 0));
    assert_false(notify_quiet_at(600, 600, 600));
    for (const char *const *bad = (const char *const[]){"24:00", "7:00", "07:60", "0700", "07:0a",
                                                         "", "07:00 ", NULL};
         *bad; bad++)
        assert_false(notify_parse_hhmm(*bad, &start));
    assert_true(notify_parse_hhmm("23:59", &start));
    assert_int_equal(start, 1439);
}

static void notification_kinds_are_known(void **state)
{
    (void)state;
    assert_true(notify_kind_known("mention"));
    assert_true(notify_kind_known("break_glass"));
    assert_false(notify_kind_known("Mention"));
    assert_false(notify_kind_known(""));
    assert_false(notify_kind_known(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mentions_are_found_lowercased_and_deduplicated),
        cmocka_unit_test(an_at_inside_a_word_is_not_a_mention),
        cmocka_unit_test(mentions_are_bounded),
        cmocka_unit_test(message_texts_are_checked),
        cmocka_unit_test(quiet_hours_wrap_past_midnight),
        cmocka_unit_test(notification_kinds_are_known),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

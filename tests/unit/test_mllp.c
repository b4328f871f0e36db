/* Unit tests for the MLLP decoder and encoder: coalesced and split frames
 * (every split point), noise, restarts, oversized frames, and a randomised
 * comparison of chunked against whole-buffer decoding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hl7/mllp.h"

#define SB "\x0B"
#define EB "\x1C\x0D"

/* Events seen while decoding, as text: "F:<payload>" or "BIG", one per line. */
typedef struct trace {
    buf text;
    int frames;
    int big;
} trace;

/* Feeds data to d in chunks of the given sizes (cycled; 0 = all at once). */
static void feed(mllp_decoder *d, const char *data, size_t len, const size_t *sizes, size_t nsizes,
                 trace *t)
{
    size_t off = 0, k = 0;
    while (off < len) {
        size_t chunk = nsizes ? sizes[k++ % nsizes] : len;
        if (chunk > len - off)
            chunk = len - off;
        size_t used_total = 0;
        while (used_total < chunk) {
            size_t used;
            mllp_frame f = {0};
            mllp_event ev = mllp_decode(d, data + off + used_total, chunk - used_total, &used, &f);
            assert_true(used > 0);
            used_total += used;
            if (ev == MLLP_FRAME) {
                assert_int_equal(f.data[f.len], '\0');
                buf_puts(&t->text, "F:");
                buf_append(&t->text, f.data, f.len);
                buf_putc(&t->text, '\n');
                t->frames++;
            } else if (ev == MLLP_FRAME_TOO_LARGE) {
                buf_puts(&t->text, "BIG\n");
                t->big++;
            } else {
                assert_int_equal(used_total, chunk); /* NEED_MORE only when all is used */
            }
        }
        off += chunk;
    }
}

/* Decodes data with the given chunking and returns the trace text (owned). */
static char *decode_all(const char *data, size_t len, size_t max, const size_t *sizes,
                        size_t nsizes, mllp_decoder *out_d)
{
    mllp_decoder d;
    trace t = {0};
    buf_init(&t.text, 0);
    buf_puts(&t.text, "");
    mllp_decoder_init(&d, max);
    feed(&d, data, len, sizes, nsizes, &t);
    if (out_d)
        *out_d = d;
    else
        mllp_decoder_free(&d);
    return buf_steal(&t.text, NULL);
}

static void test_one_frame(void **state)
{
    (void)state;
    static const char in[] = SB "MSH|^~\\&|A\rPID|1\r" EB;
    mllp_decoder d;
    char *t = decode_all(in, sizeof in - 1, 0, NULL, 0, &d);
    assert_string_equal(t, "F:MSH|^~\\&|A\rPID|1\r\n");
    assert_int_equal(d.frames, 1);
    assert_int_equal(d.garbage_bytes, 0);
    assert_int_equal(d.max_frame, MLLP_DEFAULT_MAX_FRAME);
    assert_true(mllp_decoder_idle(&d));
    mllp_decoder_free(&d);
    free(t);

    /* nothing to read: no event, nothing consumed */
    size_t used = 99;
    mllp_frame f;
    mllp_decoder_init(&d, 0);
    assert_int_equal(mllp_decode(&d, "", 0, &used, &f), MLLP_NEED_MORE);
    assert_int_equal(used, 0);
    mllp_decoder_free(&d);
}

static void test_coalesced_frames(void **state)
{
    (void)state;
    static const char in[] = SB "one" EB SB "two" EB SB EB SB "thr";
    mllp_decoder d;
    char *t = decode_all(in, sizeof in - 1, 0, NULL, 0, &d);
    assert_string_equal(t, "F:one\nF:two\nF:\n");
    assert_int_equal(d.frames, 3);
    assert_false(mllp_decoder_idle(&d)); /* "thr" is waiting for its end */
    /* the rest of the third frame arrives later */
    size_t used;
    mllp_frame f;
    assert_int_equal(mllp_decode(&d, "ee" EB, 4, &used, &f), MLLP_FRAME);
    assert_int_equal(used, 4);
    assert_int_equal(f.len, 5);
    assert_memory_equal(f.data, "three", 5);
    mllp_decoder_free(&d);
    free(t);

    /* the caller stops at each frame: consumed points just past it */
    mllp_decoder_init(&d, 0);
    assert_int_equal(mllp_decode(&d, in, sizeof in - 1, &used, &f), MLLP_FRAME);
    assert_int_equal(used, 6);
    assert_memory_equal(f.data, "one", 3);
    mllp_decoder_free(&d);
}

/* Every way to cut a two-frame stream in two, then byte by byte. */
static void test_split_everywhere(void **state)
{
    (void)state;
    static const char in[] = SB "MSH|^~\\&|X\rEVN|A01\r" EB SB "MSH|2" EB;
    const size_t len = sizeof in - 1;
    const char *want = "F:MSH|^~\\&|X\rEVN|A01\r\nF:MSH|2\n";
    for (size_t cut = 1; cut < len; cut++) {
        size_t sizes[2] = {cut, len};
        char *t = decode_all(in, len, 0, sizes, 2, NULL);
        assert_string_equal(t, want);
        free(t);
    }
    size_t one = 1;
    mllp_decoder d;
    char *t = decode_all(in, len, 0, &one, 1, &d);
    assert_string_equal(t, want);
    assert_int_equal(d.garbage_bytes, 0);
    free(t);
    mllp_decoder_free(&d);

    /* split exactly between 0x1C and 0x0D: no frame until the 0x0D */
    size_t used;
    mllp_frame f;
    mllp_decoder_init(&d, 0);
    assert_int_equal(mllp_decode(&d, SB "abc\x1C", 5, &used, &f), MLLP_NEED_MORE);
    assert_int_equal(used, 5);
    assert_false(mllp_decoder_idle(&d));
    assert_int_equal(mllp_decode(&d, "\x0D", 1, &used, &f), MLLP_FRAME);
    assert_int_equal(used, 1);
    assert_string_equal(f.data, "abc");
    assert_true(mllp_decoder_idle(&d));
    mllp_decoder_free(&d);
}

static void test_garbage_and_restarts(void **state)
{
    (void)state;
    /* noise before the first start block and between frames is skipped */
    static const char in[] = "GET / HTTP/1.0\r\n" SB "a" EB "\r\n" SB "b" EB;
    mllp_decoder d;
    char *t = decode_all(in, sizeof in - 1, 0, NULL, 0, &d);
    assert_string_equal(t, "F:a\nF:b\n");
    assert_int_equal(d.garbage_bytes, 18);
    mllp_decoder_free(&d);
    free(t);

    /* a start block inside a frame drops the partial frame */
    static const char restart[] = SB "partial" SB "whole" EB;
    t = decode_all(restart, sizeof restart - 1, 0, NULL, 0, &d);
    assert_string_equal(t, "F:whole\n");
    assert_int_equal(d.garbage_bytes, 7);
    mllp_decoder_free(&d);
    free(t);

    /* a 0x1C without 0x0D still ends the frame; what follows is read normally */
    static const char lone[] = SB "x\x1C" SB "y\x1C"
                                  "z" SB "w" EB;
    t = decode_all(lone, sizeof lone - 1, 0, NULL, 0, &d);
    assert_string_equal(t, "F:x\nF:y\nF:w\n");
    assert_int_equal(d.garbage_bytes, 1);
    mllp_decoder_free(&d);
    free(t);
    size_t one = 1; /* the byte after a lone 0x1C opens the next call: still consumed */
    t = decode_all(lone, sizeof lone - 1, 0, &one, 1, &d);
    assert_string_equal(t, "F:x\nF:y\nF:w\n");
    assert_int_equal(d.garbage_bytes, 1);
    mllp_decoder_free(&d);
    free(t);

    /* a stray end block outside a frame is only noise */
    static const char stray[] = EB SB "ok" EB;
    t = decode_all(stray, sizeof stray - 1, 0, NULL, 0, &d);
    assert_string_equal(t, "F:ok\n");
    assert_int_equal(d.garbage_bytes, 2);
    mllp_decoder_free(&d);
    free(t);

    /* reset forgets a partial frame */
    size_t used;
    mllp_frame f;
    mllp_decoder_init(&d, 0);
    mllp_decode(&d, SB "half", 5, &used, &f);
    mllp_decoder_reset(&d);
    assert_true(mllp_decoder_idle(&d));
    assert_int_equal(mllp_decode(&d, "rest" EB SB "n" EB, 10, &used, &f), MLLP_FRAME);
    assert_string_equal(f.data, "n");
    mllp_decoder_free(&d);
}

static void test_oversized(void **state)
{
    (void)state;
    /* max 8: exactly 8 passes, 9 is reported once and skipped to its end */
    static const char in[] = SB "12345678" EB SB "123456789abcdef" EB SB "after" EB;
    const size_t len = sizeof in - 1;
    const char *want = "F:12345678\nBIG\nF:after\n";
    mllp_decoder d;
    char *t = decode_all(in, len, 8, NULL, 0, &d);
    assert_string_equal(t, want);
    assert_int_equal(d.oversized, 1);
    assert_int_equal(d.frames, 2);
    assert_int_equal(d.garbage_bytes, 15);
    mllp_decoder_free(&d);
    free(t);
    for (size_t step = 1; step <= 7; step++) { /* the same, whatever the chunking */
        size_t sizes[] = {step, step + 3};
        t = decode_all(in, len, 8, sizes, 2, &d);
        assert_string_equal(t, want);
        assert_int_equal(d.oversized, 1);
        mllp_decoder_free(&d);
        free(t);
    }

    /* the event comes at the first byte past the bound */
    size_t used;
    mllp_frame f;
    mllp_decoder_init(&d, 4);
    assert_int_equal(mllp_decode(&d, SB "abcdefgh", 9, &used, &f), MLLP_FRAME_TOO_LARGE);
    assert_int_equal(used, 6);
    assert_int_equal(mllp_decode(&d, "gh", 2, &used, &f), MLLP_NEED_MORE);
    assert_false(mllp_decoder_idle(&d));
    /* an oversized frame cut short by a new start block */
    static const char cut[] = "ijk" SB "ok" EB;
    assert_int_equal(mllp_decode(&d, cut, sizeof cut - 1, &used, &f), MLLP_FRAME);
    assert_int_equal(used, sizeof cut - 1);
    assert_string_equal(f.data, "ok");
    /* a lone 0x1C ends a discarded frame too */
    static const char lone[] = SB "toolongtoo\x1C" SB "ok2" EB;
    assert_int_equal(mllp_decode(&d, lone, sizeof lone - 1, &used, &f), MLLP_FRAME_TOO_LARGE);
    size_t off = used;
    assert_int_equal(mllp_decode(&d, lone + off, sizeof lone - 1 - off, &used, &f), MLLP_FRAME);
    assert_string_equal(f.data, "ok2");
    assert_int_equal(d.oversized, 2);
    mllp_decoder_free(&d);
}

static void test_wrap_round_trip(void **state)
{
    (void)state;
    buf out;
    buf_init(&out, 0);
    assert_true(mllp_wrap(&out, "MSH|x\r", 6));
    assert_int_equal(out.len, 9);
    assert_memory_equal(out.data, SB "MSH|x\r" EB, 9);

    /* a real example, wrapped twice, decoded through odd chunk sizes */
    FILE *fp = fopen("../shared/examples/hl7/ans-consentement-A01.er7", "rb");
    assert_non_null(fp);
    char msg[4096];
    size_t n = fread(msg, 1, sizeof msg, fp);
    fclose(fp);
    assert_true(n > 1000);
    buf_reset(&out);
    mllp_wrap(&out, msg, n);
    assert_true(mllp_wrap(&out, msg, n));
    size_t sizes[] = {1, 7, 500, 2, 1300};
    mllp_decoder d;
    trace t = {0};
    buf_init(&t.text, 0);
    mllp_decoder_init(&d, 2000);
    feed(&d, out.data, out.len, sizes, 5, &t);
    assert_int_equal(t.frames, 2);
    assert_int_equal(t.text.len, 2 * (n + 3));
    assert_memory_equal(t.text.data + 2, msg, n);
    mllp_decoder_free(&d);
    buf_free(&t.text);

    buf small;
    buf_init(&small, 4);
    assert_false(mllp_wrap(&small, "12345", 5));
    buf_free(&small);
    buf_free(&out);
}

static uint32_t next_random(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

/* Random streams of frames, noise, restarts and oversized frames: decoding in
 * random chunks must give exactly what decoding in one go gives, and what the
 * generator meant. */
static void test_random_streams(void **state)
{
    (void)state;
    uint32_t seed = 12345;
    for (int round = 0; round < 300; round++) {
        buf in, want;
        buf_init(&in, 0);
        buf_init(&want, 0);
        int nframes = (int)(next_random(&seed) % 6);
        for (int i = 0; i < nframes; i++) {
            if (next_random(&seed) % 4 == 0)
                buf_puts(&in, "noise\r\n"); /* between frames: skipped */
            if (next_random(&seed) % 5 == 0)
                buf_puts(&in, SB "aborted"); /* restarted by the next start block */
            size_t plen = next_random(&seed) % 40;
            char payload[40];
            for (size_t k = 0; k < plen; k++)
                payload[k] = (char)(' ' + next_random(&seed) % 90);
            buf_putc(&in, 0x0B);
            buf_append(&in, payload, plen);
            buf_append(&in, EB, 2);
            if (plen > 30) {
                buf_puts(&want, "BIG\n");
            } else {
                buf_puts(&want, "F:");
                buf_append(&want, payload, plen);
                buf_putc(&want, '\n');
            }
        }
        char *whole = decode_all(in.data ? in.data : "", in.len, 30, NULL, 0, NULL);
        assert_string_equal(whole, want.data ? want.data : "");
        size_t sizes[4];
        for (int k = 0; k < 4; k++)
            sizes[k] = 1 + next_random(&seed) % 17;
        char *chunked = decode_all(in.data ? in.data : "", in.len, 30, sizes, 4, NULL);
        assert_string_equal(chunked, whole);
        free(whole);
        free(chunked);
        buf_free(&in);
        buf_free(&want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_frame),        cmocka_unit_test(test_coalesced_frames),
        cmocka_unit_test(test_split_everywhere), cmocka_unit_test(test_garbage_and_restarts),
        cmocka_unit_test(test_oversized),        cmocka_unit_test(test_wrap_round_trip),
        cmocka_unit_test(test_random_streams),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

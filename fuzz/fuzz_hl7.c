/* libFuzzer target for the HL7 parser, writer and MLLP decoder.
 *
 * Beyond "no crash, no sanitizer report", it checks properties that catch
 * silent bugs:
 *  - every value handed out is valid UTF-8 and counts agree with lookups;
 *  - a parsed message written back with the writer parses to the same values
 *    (escaping and unescaping are inverses);
 *  - an ACK built from the message parses and echoes MSH-10 and MSH-3;
 *  - the MLLP decoder gives the same events whether the bytes come at once
 *    or in pseudo-random chunks, and mllp_wrap() frames round-trip.
 * See fuzz/README.md to build and run it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hl7/hl7_message.h"
#include "hl7/mllp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);               \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

static bool valid_utf8(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned c = *p, n = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : 3;
        if (c >= 0x80 && (c < 0xC2 || c > 0xF4))
            return false;
        for (unsigned i = 1; i <= n; i++)
            if ((p[i] & 0xC0) != 0x80)
                return false;
        p += n + 1;
    }
    return true;
}

/* Checks every value of m and, when copy is given, that copy holds the same. */
static void check_values(const hl7_message *m, const hl7_message *copy)
{
    for (int i = 1; i <= hl7_segment_count(m); i++) {
        const hl7_segment *s = hl7_segment_at(m, i);
        const hl7_segment *t = copy ? hl7_segment_at(copy, i) : NULL;
        CHECK(strlen(hl7_segment_id(s)) == 3);
        CHECK(!copy || strcmp(hl7_segment_id(s), hl7_segment_id(t)) == 0);
        CHECK(!copy || hl7_field_count(s) == hl7_field_count(t));
        CHECK(hl7_field_count(s) <= HL7_MAX_FIELDS);
        CHECK(hl7_rep_count(s, hl7_field_count(s) + 1) == 0);
        for (int f = 1; f <= hl7_field_count(s); f++) {
            for (int r = 1; r <= hl7_rep_count(s, f); r++) {
                for (int c = 1; c <= hl7_comp_count(s, f, r); c++) {
                    for (int k = 1; k <= hl7_sub_count(s, f, r, c); k++) {
                        const char *v = hl7_segment_get(s, f, r, c, k);
                        CHECK(v && valid_utf8(v));
                        if (copy && !(i == 1 && f <= 2)) /* MSH-1/2 follow the writer */
                            CHECK(strcmp(v, hl7_segment_get(t, f, r, c, k)) == 0);
                    }
                    CHECK(*hl7_segment_get(s, f, r, c, hl7_sub_count(s, f, r, c) + 1) == '\0');
                }
            }
        }
    }
}

/* Writes m back with the writer (standard delimiters) and re-parses it. */
static void check_rewrite(arena *a, const hl7_message *m)
{
    buf out;
    buf_init(&out, 0);
    hl7_writer w;
    hl7_w_init(&w, &out);
    for (int i = 1; i <= hl7_segment_count(m); i++) {
        const hl7_segment *s = hl7_segment_at(m, i);
        hl7_w_segment(&w, hl7_segment_id(s));
        for (int f = i == 1 ? 3 : 1; f <= hl7_field_count(s); f++)
            hl7_w_copy_field(&w, s, f);
    }
    CHECK(hl7_w_end(&w));
    hl7_message *copy = NULL;
    hl7_error err;
    hl7_status rc = hl7_parse(a, out.data, out.len, HL7_MAX_SIZE_CEILING, &copy, &err);
    CHECK(rc == HL7_OK);
    CHECK(hl7_segment_count(copy) == hl7_segment_count(m));
    check_values(m, copy);
    buf_free(&out);
}

static void check_ack(arena *a, const hl7_message *m, const hl7_error *perr)
{
    hl7_ack_error e;
    hl7_ack_error_from_parse(&e, perr);
    hl7_ack ack = {.our_app = "PARCOURS",
                   .timestamp = "20240101000000",
                   .control_id = "1",
                   .code = perr->code == HL7_OK ? HL7_ACK_AA : HL7_ACK_AR,
                   .received = m,
                   .error = perr->code == HL7_OK ? NULL : &e};
    buf out;
    buf_init(&out, 0);
    CHECK(hl7_build_ack(&out, &ack));
    hl7_message *r = NULL;
    CHECK(hl7_parse(a, out.data, out.len, HL7_MAX_SIZE_CEILING, &r, NULL) == HL7_OK);
    CHECK(strcmp(hl7_get(r, "MSA", 1, 2, 1, 1, 1), hl7_msh(m)->control_id) == 0);
    CHECK(strcmp(hl7_msh(r)->receiving_app, hl7_msh(m)->sending_app) == 0);
    CHECK(strcmp(hl7_msh(r)->trigger, hl7_msh(m)->trigger) == 0);
    CHECK(hl7_count_segments(r, "ERR") == (perr->code != HL7_OK));
    buf_free(&out);
}

/* Decodes data with chunk sizes from a generator seeded by seed (0 = whole),
 * appending a trace of the events to t. */
static void mllp_trace(const uint8_t *data, size_t size, uint32_t seed, buf *t)
{
    mllp_decoder d;
    mllp_decoder_init(&d, 64);
    size_t off = 0;
    while (off < size) {
        size_t chunk = size - off;
        if (seed) {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            chunk = 1 + seed % 97;
            chunk = chunk < size - off ? chunk : size - off;
        }
        size_t end = off + chunk;
        while (off < end) {
            size_t used;
            mllp_frame f;
            mllp_event ev = mllp_decode(&d, data + off, end - off, &used, &f);
            CHECK(used > 0 && used <= end - off);
            off += used;
            if (ev == MLLP_FRAME) {
                CHECK(f.len <= 64 && f.data[f.len] == '\0');
                buf_printf(t, "F%zu:", f.len);
                buf_append(t, f.data, f.len);
            } else if (ev == MLLP_FRAME_TOO_LARGE) {
                buf_puts(t, "BIG;");
            } else {
                CHECK(off == end);
            }
        }
    }
    buf_printf(t, "|%d", mllp_decoder_idle(&d));
    mllp_decoder_free(&d);
}

static void check_mllp(const uint8_t *data, size_t size)
{
    buf whole, chunked;
    buf_init(&whole, 0);
    buf_init(&chunked, 0);
    uint32_t seed = 2166136261u;
    for (size_t i = 0; i < size; i++)
        seed = (seed ^ data[i]) * 16777619u;
    mllp_trace(data, size, 0, &whole);
    mllp_trace(data, size, seed | 1, &chunked);
    CHECK(whole.len == chunked.len && memcmp(whole.data, chunked.data, whole.len) == 0);

    /* a payload without framing bytes comes back whole from mllp_wrap() */
    if (size <= 64 && !memchr(data, 0x0B, size) && !memchr(data, 0x1C, size)) {
        buf framed;
        buf_init(&framed, 0);
        CHECK(mllp_wrap(&framed, data, size));
        mllp_decoder d;
        mllp_decoder_init(&d, 64);
        size_t used;
        mllp_frame f;
        CHECK(mllp_decode(&d, framed.data, framed.len, &used, &f) == MLLP_FRAME);
        CHECK(used == framed.len && f.len == size && memcmp(f.data, data, size) == 0);
        mllp_decoder_free(&d);
        buf_free(&framed);
    }
    buf_free(&whole);
    buf_free(&chunked);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena a;
    arena_init(&a, 0);
    hl7_message *m = NULL;
    hl7_error err;
    hl7_status rc = hl7_parse(&a, data, size, 1u << 20, &m, &err);
    CHECK(err.code == rc && err.message && *err.message);
    CHECK(rc != HL7_OK || m != NULL);
    CHECK(err.offset <= size || rc == HL7_ERR_TOO_LARGE);
    if (m) {
        CHECK(hl7_segment_count(m) >= 1 && hl7_segment_count(m) <= HL7_MAX_SEGMENTS);
        CHECK(strcmp(hl7_segment_id(hl7_segment_at(m, 1)), "MSH") == 0);
        check_values(m, NULL);
        if (rc == HL7_OK)
            check_rewrite(&a, m);
        check_ack(&a, m, &err);
    }
    arena_free(&a);
    check_mllp(data, size);
    return 0;
}

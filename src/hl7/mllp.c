/* mllp: incremental MLLP frame decoder and encoder.
 *
 * The decoder is a small state machine over bytes. The payload is copied into
 * a buffer bounded by max_frame in runs (up to the next 0x1C or 0x0B), so a
 * large frame costs a few appends per chunk rather than one per byte. */
#include "hl7/mllp.h"

#include <string.h>

enum {
    SEEK_START, /* outside any frame: skipping until 0x0B */
    IN_FRAME,   /* collecting payload until 0x1C */
    SAW_END,    /* got 0x1C, expecting 0x0D */
    DISCARD,    /* oversized frame: skipping until 0x1C (or a new 0x0B) */
    DISCARD_END /* got 0x1C of an oversized frame, expecting 0x0D */
};

void mllp_decoder_init(mllp_decoder *d, size_t max_frame)
{
    memset(d, 0, sizeof(*d));
    d->max_frame = max_frame ? max_frame : MLLP_DEFAULT_MAX_FRAME;
    buf_init(&d->frame, 0); /* bounded by hand: overflow must not stick */
    d->state = SEEK_START;
}

void mllp_decoder_reset(mllp_decoder *d)
{
    buf_reset(&d->frame);
    d->delivered = false;
    d->state = SEEK_START;
}

void mllp_decoder_free(mllp_decoder *d)
{
    buf_free(&d->frame);
    d->state = SEEK_START;
}

bool mllp_decoder_idle(const mllp_decoder *d)
{
    return d->state == SEEK_START;
}

/* Length of the run at p that contains neither 0x1C nor 0x0B. */
static size_t payload_run(const unsigned char *p, const unsigned char *end)
{
    const unsigned char *q = p;
    while (q < end && *q != MLLP_END_BLOCK && *q != MLLP_START_BLOCK)
        q++;
    return (size_t)(q - p);
}

/* A start block seen inside a frame: the sender gave up on that frame and
 * restarted, so its partial payload is dropped (and counted). */
static void restart_frame(mllp_decoder *d)
{
    d->garbage_bytes += d->frame.len;
    buf_reset(&d->frame);
    d->state = IN_FRAME;
}

mllp_event mllp_decode(mllp_decoder *d, const void *data, size_t len, size_t *consumed,
                       mllp_frame *frame)
{
    const unsigned char *p = data, *end;
    mllp_event ev = MLLP_NEED_MORE;

    *consumed = 0;
    if (d->delivered) { /* the frame returned last time is no longer promised */
        buf_reset(&d->frame);
        d->delivered = false;
    }
    if (len == 0)
        return ev;
    end = p + len;
    while (p < end && ev == MLLP_NEED_MORE) {
        size_t run;
        switch (d->state) {
        case SEEK_START: {
            const unsigned char *sb = memchr(p, MLLP_START_BLOCK, (size_t)(end - p));
            d->garbage_bytes += (size_t)((sb ? sb : end) - p);
            p = sb ? sb + 1 : end;
            if (sb)
                d->state = IN_FRAME;
            break;
        }
        case IN_FRAME:
            run = payload_run(p, end);
            if (run > d->max_frame - d->frame.len) {
                /* reported once, at the first byte past the bound */
                p += d->max_frame - d->frame.len + 1;
                d->garbage_bytes += d->max_frame + 1;
                buf_reset(&d->frame);
                d->oversized++;
                d->state = DISCARD;
                ev = MLLP_FRAME_TOO_LARGE;
                break;
            }
            buf_append(&d->frame, p, run);
            p += run;
            if (p == end)
                break;
            if (*p++ == MLLP_START_BLOCK)
                restart_frame(d);
            else
                d->state = SAW_END;
            break;
        case DISCARD:
            run = payload_run(p, end);
            d->garbage_bytes += run;
            p += run;
            if (p == end)
                break;
            if (*p++ == MLLP_START_BLOCK)
                restart_frame(d);
            else
                d->state = DISCARD_END;
            break;
        case SAW_END:
        case DISCARD_END: {
            /* a 0x1C without its 0x0D ends the frame as well; the byte after
             * it is then taken as outside any frame (so a 0x0B starts one) */
            unsigned char c = *p++;
            if (d->state == SAW_END) {
                frame->data = d->frame.data ? d->frame.data : "";
                frame->len = d->frame.len;
                d->frames++;
                d->delivered = true;
                ev = MLLP_FRAME;
            }
            d->state = c == MLLP_START_BLOCK ? IN_FRAME : SEEK_START;
            d->garbage_bytes += c != MLLP_CARRIAGE_RETURN && c != MLLP_START_BLOCK;
            break;
        }
        }
    }
    *consumed = (size_t)(p - (const unsigned char *)data);
    return ev;
}

bool mllp_wrap(buf *out, const void *msg, size_t len)
{
    buf_putc(out, MLLP_START_BLOCK);
    buf_append(out, msg, len);
    buf_putc(out, MLLP_END_BLOCK);
    return buf_putc(out, MLLP_CARRIAGE_RETURN);
}

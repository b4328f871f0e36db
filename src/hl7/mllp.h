/* mllp: Minimal Lower Layer Protocol framing (HL7 v2 over TCP).
 *
 * A frame is 0x0B, the message, then 0x1C 0x0D. The decoder is incremental and
 * pull-based: the caller hands it whatever recv() returned and calls
 * mllp_decode() in a loop until the chunk is consumed, handling one event per
 * call. It needs no callbacks, so the caller decides when to stop (e.g. to
 * acknowledge a message before reading the next one) and keeps the rest of
 * the chunk itself.
 *
 *     size_t off = 0;
 *     while (off < n) {
 *         size_t used;
 *         mllp_frame f;
 *         mllp_event ev = mllp_decode(&d, data + off, n - off, &used, &f);
 *         off += used;
 *         if (ev == MLLP_FRAME) handle(f.data, f.len);
 *         else if (ev == MLLP_FRAME_TOO_LARGE) reject_and_log();
 *     }
 *
 * Robustness rules: bytes outside frames (noise, keep-alive newlines, the
 * tail of an aborted frame) are skipped and counted; a 0x0B inside a frame
 * means the sender restarted, so the partial frame is dropped and a new one
 * begins; a 0x1C not followed by 0x0D still ends the frame (the byte after it
 * is then read as outside any frame). A frame longer than max_frame is
 * reported once, then skipped up to its end; decoding resumes with the next
 * frame. One decoder per connection; not thread-safe. */
#ifndef PARCOURS_HL7_MLLP_H
#define PARCOURS_HL7_MLLP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

#define MLLP_START_BLOCK 0x0B
#define MLLP_END_BLOCK 0x1C
#define MLLP_CARRIAGE_RETURN 0x0D
#define MLLP_DEFAULT_MAX_FRAME (1u << 20) /* used when max_frame is 0 */

typedef enum mllp_event {
    MLLP_NEED_MORE = 0,   /* the chunk is consumed without completing a frame */
    MLLP_FRAME,           /* a complete frame is in *frame */
    MLLP_FRAME_TOO_LARGE, /* a frame passed max_frame: it will be discarded */
} mllp_event;

/* A decoded frame, without the framing bytes. data is NUL-terminated (the NUL
 * is not counted in len) and owned by the decoder: valid until the next call
 * to mllp_decode(), mllp_decoder_reset() or mllp_decoder_free(). */
typedef struct mllp_frame {
    const char *data;
    size_t len;
} mllp_frame;

typedef struct mllp_decoder {
    buf frame;        /* the frame being assembled */
    size_t max_frame; /* bound on a frame's payload */
    int state;        /* internal */
    bool delivered;   /* internal: frame holds the frame returned last time */
    /* counters, read-only for the caller (logs, metrics) */
    uint64_t frames;        /* frames delivered */
    uint64_t oversized;     /* frames reported too large */
    uint64_t garbage_bytes; /* bytes skipped outside frames or dropped with aborted frames */
} mllp_decoder;

/* Prepares d; max_frame bounds the payload (0 = MLLP_DEFAULT_MAX_FRAME). */
void mllp_decoder_init(mllp_decoder *d, size_t max_frame);
/* Forgets any partial frame (e.g. after a reconnect); counters are kept. */
void mllp_decoder_reset(mllp_decoder *d);
/* Releases the frame buffer. d may be initialised again afterwards. */
void mllp_decoder_free(mllp_decoder *d);

/* Consumes bytes from data[0..len) until one event happens or the bytes run
 * out; *consumed says how many were used (always > 0 when len > 0), the
 * caller passes the rest in the next call. frame is filled for MLLP_FRAME
 * only. data is not referenced after the call. */
mllp_event mllp_decode(mllp_decoder *d, const void *data, size_t len, size_t *consumed,
                       mllp_frame *frame);

/* True when no frame is in progress: a connection closed now lost nothing. */
bool mllp_decoder_idle(const mllp_decoder *d);

/* Appends 0x0B, msg[0..len), 0x1C 0x0D to out; false if out overflowed. */
bool mllp_wrap(buf *out, const void *msg, size_t len);

#endif

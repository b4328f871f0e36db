/* hl7_message: parse, query and build HL7 v2 messages (ER7 "pipe" encoding).
 *
 * A parsed message is a read-only tree allocated in a caller-provided arena:
 * message -> segments -> fields -> repetitions -> components -> subcomponents.
 * Every index is 1-based, as in HL7 documents ("PID-3(2).4.2" is field 3,
 * repetition 2, component 4, subcomponent 2), and so is the position of a
 * segment in the message. For MSH, field 1 is the field separator itself and
 * field 2 the encoding characters, both returned verbatim.
 *
 * Every string handed out is NUL-terminated UTF-8, already unescaped and
 * converted from the message's character set; it lives as long as the arena.
 * An absent or empty value is "" (never NULL), so callers test `*v`. The HL7
 * explicit null `""` (two double quotes, "delete this value") is returned as
 * those two characters: its meaning belongs to the caller.
 *
 * Nothing here keeps global state; distinct messages may be used from distinct
 * threads. */
#ifndef PARCOURS_HL7_HL7_MESSAGE_H
#define PARCOURS_HL7_HL7_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "util/arena.h"
#include "util/buf.h"

/* Bounds on untrusted input (STYLE.md: bounds on everything that grows). */
#define HL7_MAX_SEGMENTS 10000
#define HL7_MAX_FIELDS 1000              /* highest field number in one segment */
#define HL7_DEFAULT_MAX_SIZE (1u << 20)  /* used when the caller passes 0 */
#define HL7_MAX_SIZE_CEILING (64u << 20) /* larger limits are clamped to this */

/* Parse outcome. The numeric values are stable (logged, stored in the journal
 * of received messages): append new codes, never renumber. */
typedef enum hl7_status {
    HL7_OK = 0,
    HL7_ERR_EMPTY = 1,                /* no bytes, or only blank lines */
    HL7_ERR_TOO_LARGE = 2,            /* longer than the caller's limit */
    HL7_ERR_NUL_BYTE = 3,             /* a 0x00 byte: not text */
    HL7_ERR_NO_MSH = 4,               /* first segment is not MSH */
    HL7_ERR_MSH_TOO_SHORT = 5,        /* MSH cut before MSH-2, or fewer than 12 fields */
    HL7_ERR_BAD_ENCODING = 6,         /* unusable MSH-1/MSH-2 delimiters */
    HL7_ERR_BAD_SEGMENT_ID = 7,       /* not 3 characters [A-Z][A-Z0-9][A-Z0-9] */
    HL7_ERR_TOO_MANY_SEGMENTS = 8,    /* more than HL7_MAX_SEGMENTS */
    HL7_ERR_TOO_MANY_FIELDS = 9,      /* a segment with more than HL7_MAX_FIELDS */
    HL7_ERR_UNSUPPORTED_CHARSET = 10, /* MSH-18 names a character set we cannot read */
    HL7_ERR_DUPLICATE_MSH = 11,       /* a second MSH: batches are not supported */
} hl7_status;

/* Where and why a parse failed, precise enough to fill an ERR segment. */
typedef struct hl7_error {
    hl7_status code;
    int segment_index;      /* position of the segment in the message (1 = MSH), 0 if none */
    int segment_occurrence; /* occurrence among segments with the same id, 0 if none */
    char segment_id[4];     /* "" when unknown or invalid */
    int field;              /* field number, 0 when not about one field */
    size_t offset;          /* byte offset in the input where the problem was seen */
    const char *message;    /* short English text, static storage */
} hl7_error;

/* Character set declared in MSH-18 (UTF-8 when empty or ASCII). */
typedef enum hl7_charset {
    HL7_CHARSET_UTF8 = 0,
    HL7_CHARSET_LATIN1, /* ISO 8859-1 */
    HL7_CHARSET_LATIN9, /* ISO 8859-15 (latin-1 plus the euro sign and oe ligature) */
} hl7_charset;

/* The delimiters read from MSH-1 and MSH-2. */
typedef struct hl7_encoding {
    char field;        /* | */
    char component;    /* ^ */
    char repetition;   /* ~ */
    char escape;       /* \ */
    char subcomponent; /* & */
    char truncation;   /* # (HL7 2.7+), '\0' when MSH-2 has only four characters */
} hl7_encoding;

/* Decoded MSH values that every consumer needs; first components unless said. */
typedef struct hl7_header {
    const char *sending_app;        /* MSH-3.1 */
    const char *sending_facility;   /* MSH-4.1 */
    const char *receiving_app;      /* MSH-5.1 */
    const char *receiving_facility; /* MSH-6.1 */
    const char *timestamp;          /* MSH-7.1 */
    const char *message_type;       /* MSH-9.1, e.g. "ADT" */
    const char *trigger;            /* MSH-9.2, e.g. "A01" */
    const char *structure;          /* MSH-9.3, e.g. "ADT_A01" */
    const char *control_id;         /* MSH-10 */
    const char *processing_id;      /* MSH-11.1 */
    const char *version;            /* MSH-12.1 */
    const char *charset;            /* MSH-18, first repetition, as declared */
    hl7_encoding encoding;          /* from MSH-1 and MSH-2 */
    hl7_charset declared_charset;   /* from MSH-18 */
    /* true when some value was not in the declared charset (see hl7_parse):
     * worth a warning in the interface log */
    bool charset_guessed;
} hl7_header;

typedef struct hl7_message hl7_message;
typedef struct hl7_segment hl7_segment;

/* Parses one message of len bytes. Segment terminators may be CR, LF or CRLF;
 * blank (or space-only) lines and a leading UTF-8 byte order mark are skipped.
 * max_size bounds len (0 = HL7_DEFAULT_MAX_SIZE). data needs no terminating
 * NUL and is not referenced after the call: everything is copied into `a`.
 *
 * Character set: MSH-18 may be empty, "UNICODE UTF-8", "ASCII", "8859/1" or
 * "8859/15" (a few common spellings such as "ISO-8859-1" are accepted too).
 * Each value is taken as UTF-8 when its bytes are valid UTF-8, whatever the
 * label, and otherwise converted from ISO 8859-15 when so declared, else from
 * ISO 8859-1 (bytes 0x80-0x9F read as windows-1252, as senders mean them).
 * So a message labelled UTF-8 that carries latin-1 bytes still reads right,
 * and UTF-8 text in a message labelled 8859/1 is not converted a second time
 * ("é" never becomes "Ã©"); MSH's charset_guessed reports either case.
 *
 * Returns HL7_OK and sets *out. On error returns the code, fills *err (err
 * may be NULL) and sets *out to NULL, or, when the error comes after a usable
 * MSH (too few MSH fields, a bad later segment, limits, charset, a second
 * MSH), to a partial message holding the segments before the error (all of
 * them for a charset error), so that the caller can still address an AE/AR
 * acknowledgement. A partial message is only for that: do not process it.
 *
 * Arena use is linear in len: 1 to 3 bytes per input byte for real messages,
 * at most about 27 for adversarial runs of delimiters ("~^&~^&..."). */
hl7_status hl7_parse(arena *a, const void *data, size_t len, size_t max_size, hl7_message **out,
                     hl7_error *err);

/* Short English description of a status code; static storage. */
const char *hl7_status_message(hl7_status code);

/* MSH values, delimiters and character set of the message. */
const hl7_header *hl7_msh(const hl7_message *m);

/* Segments, in message order: index runs from 1 to hl7_segment_count(). */
int hl7_segment_count(const hl7_message *m);
const hl7_segment *hl7_segment_at(const hl7_message *m, int index);
/* The occurrence-th (1-based) segment whose id is seg_id, or NULL. */
const hl7_segment *hl7_find_segment(const hl7_message *m, const char *seg_id, int occurrence);
int hl7_count_segments(const hl7_message *m, const char *seg_id);

/* Segment queries. Out-of-range indices give 0 / "" rather than errors. */
const char *hl7_segment_id(const hl7_segment *s);
/* Highest field number present, trailing empty fields included ("ZFM|8|||" has 4). */
int hl7_field_count(const hl7_segment *s);
/* Number of repetitions of a field: 0 when the field is empty or absent. */
int hl7_rep_count(const hl7_segment *s, int field);
/* Number of components of one repetition: 0 when empty or absent. */
int hl7_comp_count(const hl7_segment *s, int field, int rep);
/* Number of subcomponents of one component: 0 when empty or absent. */
int hl7_sub_count(const hl7_segment *s, int field, int rep, int comp);
/* One decoded value; "" when absent. */
const char *hl7_segment_get(const hl7_segment *s, int field, int rep, int comp, int sub);

/* Shortcut: hl7_segment_get() on the occurrence-th segment named seg_id, e.g.
 * hl7_get(m, "PID", 1, 3, 2, 4, 2) is the OID of the assigning authority of
 * the second PID-3 identifier. "" when anything along the path is absent. */
const char *hl7_get(const hl7_message *m, const char *seg_id, int occurrence, int field, int rep,
                    int comp, int sub);

/* --- Building messages --------------------------------------------------- */

/* A writer appends ER7 text to a buf, escaping delimiters in every value
 * (| ^ & ~ \ become \F\ \S\ \T\ \R\ \E\, LF becomes \.br\, CR becomes \X0D\).
 * Segments end with CR. It uses the standard delimiters |^~\&. The writer
 * does not own the buf; overflow is checked once, by hl7_w_end(). */
typedef struct hl7_writer {
    buf *out;
    bool in_segment;
} hl7_writer;

void hl7_w_init(hl7_writer *w, buf *out);
/* Starts a segment (ending the previous one). For "MSH" it writes MSH-1 and
 * MSH-2, so the next hl7_w_field() is MSH-3. */
void hl7_w_segment(hl7_writer *w, const char *seg_id);
/* Appends sep then value escaped (NULL = empty): the primitive under the
 * four helpers below. */
void hl7_w_put(hl7_writer *w, char sep, const char *value);
/* Appends a new field holding value (NULL = empty). */
static inline void hl7_w_field(hl7_writer *w, const char *value)
{
    hl7_w_put(w, '|', value);
}
/* Continue the current field with a new repetition, component or subcomponent. */
static inline void hl7_w_rep(hl7_writer *w, const char *value)
{
    hl7_w_put(w, '~', value);
}
static inline void hl7_w_comp(hl7_writer *w, const char *value)
{
    hl7_w_put(w, '^', value);
}
static inline void hl7_w_sub(hl7_writer *w, const char *value)
{
    hl7_w_put(w, '&', value);
}
/* Appends a new field copied from a parsed segment, every repetition, component
 * and subcomponent re-escaped (used to echo MSH-3/MSH-4 in an ACK). */
void hl7_w_copy_field(hl7_writer *w, const hl7_segment *s, int field);
/* Ends the last segment; false if the buf overflowed at any point. */
bool hl7_w_end(hl7_writer *w);

/* Appends value escaped for the standard delimiters; false once out overflowed. */
bool hl7_escape(buf *out, const char *value);

/* Formats t as local time YYYYMMDDHHMMSS into dst (15 bytes with the NUL). */
void hl7_timestamp(char dst[15], time_t t);

typedef enum hl7_ack_code {
    HL7_ACK_AA = 0, /* accepted (only once durably stored) */
    HL7_ACK_AE,     /* application error: the sender should fix and resend */
    HL7_ACK_AR,     /* rejected: unreadable, unsupported, or we are unavailable */
} hl7_ack_code;

/* HL7 table 0357 (message error condition codes) used in ERR-3. */
enum {
    HL7_E_SEGMENT_SEQUENCE = 100,
    HL7_E_REQUIRED_FIELD_MISSING = 101,
    HL7_E_DATA_TYPE = 102,
    HL7_E_TABLE_VALUE_NOT_FOUND = 103,
    HL7_E_UNSUPPORTED_MESSAGE_TYPE = 200,
    HL7_E_UNSUPPORTED_EVENT_CODE = 201,
    HL7_E_UNSUPPORTED_PROCESSING_ID = 202,
    HL7_E_UNSUPPORTED_VERSION_ID = 203,
    HL7_E_UNKNOWN_KEY_IDENTIFIER = 204,
    HL7_E_DUPLICATE_KEY_IDENTIFIER = 205,
    HL7_E_APPLICATION_RECORD_LOCKED = 206,
    HL7_E_APPLICATION_INTERNAL = 207,
};

/* Content of an ERR segment (HL7 2.5). */
typedef struct hl7_ack_error {
    const char *segment_id;   /* ERR-2.1, NULL/"" = no location */
    int segment_seq;          /* ERR-2.2, occurrence of that segment id (0 = 1) */
    int field;                /* ERR-2.3 (0 = omitted) */
    int code;                 /* ERR-3.1, table 0357 */
    char severity;            /* ERR-4: 'E', 'W' or 'I'; '\0' means 'E' */
    const char *user_message; /* ERR-8, NULL = none */
} hl7_ack_error;

/* An acknowledgement. NULL strings are written as empty fields. When received
 * is set, each of their_app, their_facility, trigger and ref_control_id left
 * NULL is taken from it (whole MSH-3 / MSH-4, MSH-9.2, MSH-10). */
typedef struct hl7_ack {
    const char *our_app;        /* MSH-3 */
    const char *our_facility;   /* MSH-4 */
    const char *their_app;      /* MSH-5 */
    const char *their_facility; /* MSH-6 */
    const char *timestamp;      /* MSH-7, YYYYMMDDHHMMSS */
    const char *trigger;        /* MSH-9.2 echoed: ACK^A01^ACK ("ACK" alone if empty) */
    const char *control_id;     /* MSH-10 of the ACK itself (new) */
    const char *processing_id;  /* MSH-11, NULL = "P" */
    hl7_ack_code code;          /* MSA-1 */
    const char *ref_control_id; /* MSA-2 = the received MSH-10 */
    const hl7_message *received;
    const hl7_ack_error *error; /* NULL = no ERR segment */
} hl7_ack;

/* Appends the ACK (MSH, MSA, optional ERR; version 2.5) to out. Returns false
 * if out overflowed. */
bool hl7_build_ack(buf *out, const hl7_ack *ack);

/* Fills e to report a parse error in an ERR segment: table 0357 code chosen
 * from the status, location from err, user_message = err->message.
 * e->segment_id points into *err, which must outlive e. */
void hl7_ack_error_from_parse(hl7_ack_error *e, const hl7_error *err);

#endif

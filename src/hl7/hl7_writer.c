/* hl7_writer: ER7 output (escaping, segments, timestamps) and the ACK builder;
 * the parser is hl7_message.c. Both share hl7/hl7_message.h. */
#include "hl7/hl7_message.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* --- Writer ----------------------------------------------------------------- */

bool hl7_escape(buf *out, const char *value)
{
    static const char specials[] = "|^&~\\\n\r";
    static const char *const seqs[] = {"\\F\\", "\\S\\",   "\\T\\",  "\\R\\",
                                       "\\E\\", "\\.br\\", "\\X0D\\"};
    const char *run = value;
    for (const char *p = value; *p; p++) {
        const char *hit = strchr(specials, *p);
        if (!hit)
            continue;
        buf_append(out, run, (size_t)(p - run));
        buf_puts(out, seqs[hit - specials]);
        run = p + 1;
    }
    return buf_puts(out, run);
}

void hl7_w_init(hl7_writer *w, buf *out)
{
    w->out = out;
    w->in_segment = false;
}

void hl7_w_segment(hl7_writer *w, const char *seg_id)
{
    if (w->in_segment)
        buf_putc(w->out, '\r');
    buf_puts(w->out, seg_id);
    if (strcmp(seg_id, "MSH") == 0)
        buf_puts(w->out, "|^~\\&");
    w->in_segment = true;
}

void hl7_w_put(hl7_writer *w, char sep, const char *value)
{
    buf_putc(w->out, sep);
    if (value)
        hl7_escape(w->out, value);
}

void hl7_w_copy_field(hl7_writer *w, const hl7_segment *s, int field)
{
    buf_putc(w->out, '|');
    for (int r = 1; r <= hl7_rep_count(s, field); r++) {
        if (r > 1)
            buf_putc(w->out, '~');
        for (int c = 1; c <= hl7_comp_count(s, field, r); c++) {
            if (c > 1)
                buf_putc(w->out, '^');
            for (int k = 1; k <= hl7_sub_count(s, field, r, c); k++) {
                if (k > 1)
                    buf_putc(w->out, '&');
                hl7_escape(w->out, hl7_segment_get(s, field, r, c, k));
            }
        }
    }
}

bool hl7_w_end(hl7_writer *w)
{
    if (w->in_segment)
        buf_putc(w->out, '\r');
    w->in_segment = false;
    return !w->out->overflow;
}

void hl7_timestamp(char dst[15], time_t t)
{
    struct tm tm;
    dst[0] = '\0';
    if (localtime_r(&t, &tm) && strftime(dst, 15, "%Y%m%d%H%M%S", &tm) != 14)
        dst[0] = '\0';
}

/* --- Acknowledgements --------------------------------------------------- */

static const char *table_0357_text(int code)
{
    static const char *const text[] = {
        [0] = "Message accepted",
        [HL7_E_SEGMENT_SEQUENCE] = "Segment sequence error",
        [HL7_E_REQUIRED_FIELD_MISSING] = "Required field missing",
        [HL7_E_DATA_TYPE] = "Data type error",
        [HL7_E_TABLE_VALUE_NOT_FOUND] = "Table value not found",
        [HL7_E_UNSUPPORTED_MESSAGE_TYPE] = "Unsupported message type",
        [HL7_E_UNSUPPORTED_EVENT_CODE] = "Unsupported event code",
        [HL7_E_UNSUPPORTED_PROCESSING_ID] = "Unsupported processing id",
        [HL7_E_UNSUPPORTED_VERSION_ID] = "Unsupported version id",
        [HL7_E_UNKNOWN_KEY_IDENTIFIER] = "Unknown key identifier",
        [HL7_E_DUPLICATE_KEY_IDENTIFIER] = "Duplicate key identifier",
        [HL7_E_APPLICATION_RECORD_LOCKED] = "Application record locked",
        [HL7_E_APPLICATION_INTERNAL] = "Application internal error",
    };
    return code >= 0 && code < (int)(sizeof text / sizeof text[0]) ? text[code] : NULL;
}

static void write_err(hl7_writer *w, const hl7_ack_error *e)
{
    const char *text = table_0357_text(e->code);
    char severity[2] = {e->severity ? e->severity : 'E', '\0'};
    hl7_w_segment(w, "ERR");
    hl7_w_field(w, NULL); /* ERR-1, withdrawn in 2.5 */
    hl7_w_field(w, e->segment_id);
    if (e->segment_id && *e->segment_id) { /* ERL: segment sequence is required */
        buf_printf(w->out, "^%d", e->segment_seq > 0 ? e->segment_seq : 1);
        if (e->field > 0)
            buf_printf(w->out, "^%d", e->field);
    }
    buf_printf(w->out, "|%d", e->code);
    if (text)
        buf_printf(w->out, "^%s^HL70357", text);
    hl7_w_field(w, severity);
    if (e->user_message) {
        buf_puts(w->out, "|||"); /* ERR-5 to ERR-7 */
        hl7_w_field(w, e->user_message);
    }
}

bool hl7_build_ack(buf *out, const hl7_ack *ack)
{
    static const char *const codes[] = {"AA", "AE", "AR"};
    const hl7_message *rx = ack->received;
    const hl7_segment *rx_msh = rx ? hl7_segment_at(rx, 1) : NULL;
    const char *trigger = ack->trigger ? ack->trigger : rx ? hl7_msh(rx)->trigger : "";
    hl7_writer w;

    hl7_w_init(&w, out);
    hl7_w_segment(&w, "MSH");
    hl7_w_field(&w, ack->our_app);
    hl7_w_field(&w, ack->our_facility);
    if (ack->their_app || !rx_msh)
        hl7_w_field(&w, ack->their_app);
    else
        hl7_w_copy_field(&w, rx_msh, 3);
    if (ack->their_facility || !rx_msh)
        hl7_w_field(&w, ack->their_facility);
    else
        hl7_w_copy_field(&w, rx_msh, 4);
    hl7_w_field(&w, ack->timestamp);
    hl7_w_field(&w, NULL); /* MSH-8 security */
    hl7_w_field(&w, "ACK");
    if (*trigger) {
        hl7_w_comp(&w, trigger);
        hl7_w_comp(&w, "ACK");
    }
    hl7_w_field(&w, ack->control_id);
    hl7_w_field(&w, ack->processing_id ? ack->processing_id : "P");
    hl7_w_field(&w, "2.5");

    hl7_w_segment(&w, "MSA");
    hl7_w_field(&w, codes[(unsigned)ack->code < 3 ? ack->code : HL7_ACK_AR]);
    hl7_w_field(&w, ack->ref_control_id ? ack->ref_control_id : rx ? hl7_msh(rx)->control_id : NULL);
    if (ack->error)
        write_err(&w, ack->error);
    return hl7_w_end(&w);
}

void hl7_ack_error_from_parse(hl7_ack_error *e, const hl7_error *err)
{
    /* table 0357 has no code for our limits: 207 with an explicit message */
    static const short codes[] = {
        [HL7_ERR_MSH_TOO_SHORT] = HL7_E_REQUIRED_FIELD_MISSING,
        [HL7_ERR_NUL_BYTE] = HL7_E_DATA_TYPE,
        [HL7_ERR_BAD_ENCODING] = HL7_E_DATA_TYPE,
        [HL7_ERR_UNSUPPORTED_CHARSET] = HL7_E_TABLE_VALUE_NOT_FOUND,
        [HL7_ERR_TOO_LARGE] = HL7_E_APPLICATION_INTERNAL,
        [HL7_ERR_TOO_MANY_SEGMENTS] = HL7_E_APPLICATION_INTERNAL,
        [HL7_ERR_TOO_MANY_FIELDS] = HL7_E_APPLICATION_INTERNAL,
    };
    unsigned c = (unsigned)err->code;
    *e = (hl7_ack_error){
        .code = c < sizeof codes / sizeof codes[0] && codes[c] ? codes[c] : HL7_E_SEGMENT_SEQUENCE,
        .segment_id = err->segment_id,
        .segment_seq = err->segment_occurrence,
        .field = err->field,
        .severity = 'E',
        .user_message = err->message,
    };
}

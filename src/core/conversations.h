/* conversations: messaging among the people who care for a patient, and
 * between professionals.
 *
 * - A patient's conversation (kind "patient") is created on first use. Who
 *   may read or write it is decided by authz_patient on the patient (circle
 *   membership, territory coordination, break-the-glass; never an admin, never
 *   against an opposition); each read ("conversation.read") and each message
 *   ("message.create") is audited, like every access to patient data. Its
 *   participants (notified of new messages) are the circle's current members
 *   with an account, less those the patient opposed.
 * - A direct conversation (kind "direct") has explicit members, professionals
 *   or coordinators; only they read and write it (a refusal is audited).
 *
 * A message is 1..5000 bytes of UTF-8 text without control characters other
 * than the newline, not only blanks. `@login` in a message notifies that
 * person ("mention") when they are a participant; the other participants get
 * a "message" notification (their preferences apply). */
#ifndef PARCOURS_CORE_CONVERSATIONS_H
#define PARCOURS_CORE_CONVERSATIONS_H

#include "core/ctx.h"
#include "store/conversation_store.h"

#define CONVERSATION_TEXT_MAX 5000
#define CONVERSATION_TITLE_MAX 200
#define CONVERSATION_MAX_MEMBERS 20 /* creator included */
#define CONVERSATION_MAX_MENTIONS 10
#define CONVERSATION_LOGIN_MAX 64
#define CONVERSATION_PAGE_MAX 200

/* One page of a conversation as its reader sees it. */
typedef struct conversation_page {
    conversation_row conv; /* a patient's: the surviving record's conversation */
    message_row *items;    /* newest first */
    int n;
    int64_t next_before;   /* cursor of the next (older) page, 0 at the end */
    int64_t last_read_id;  /* the reader's marker */
    int64_t unread;        /* others' messages after it */
    conversation_member_row *members; /* direct conversations only */
    int nmembers;
} conversation_page;

/* An entry of "my conversations". */
typedef struct conversation_item {
    conversation_summary s;
    conversation_member_row *members; /* direct conversations only */
    int nmembers;
} conversation_item;

/* The patient's conversation: messages with id < before (0 = newest), at most
 * limit (0..200; 0 = the conversation and read state only). */
core_rc conversations_patient_page(ctx *c, int64_t patient_id, int64_t before, int limit,
                                   conversation_page *out, core_error *err);
/* Posts text in the patient's conversation (creating it on first use). */
core_rc conversations_patient_post(ctx *c, int64_t patient_id, const char *text,
                                   conversation_row *conv, message_row *out, core_error *err);

/* The same by conversation id, patient or direct. */
core_rc conversations_page(ctx *c, int64_t conversation_id, int64_t before, int limit,
                           conversation_page *out, core_error *err);
core_rc conversations_post(ctx *c, int64_t conversation_id, const char *text,
                           conversation_row *conv, message_row *out, core_error *err);

/* Creates a direct conversation between the caller and members[0..n) (user
 * ids; the caller is added, repeats are ignored; 2..20 people in all, active
 * professional or coordinator accounts). title may be NULL. */
core_rc conversations_create_direct(ctx *c, const int64_t *members, int n, const char *title,
                                    conversation_page *out, core_error *err);

/* Moves the caller's read marker forward to last_read_id, which must be a
 * message of the conversation (an older one leaves the marker where it is);
 * *marker is the marker after the call, *unread what remains unread. */
core_rc conversations_mark_read(ctx *c, int64_t conversation_id, int64_t last_read_id,
                                int64_t *marker, int64_t *unread, core_error *err);

/* The caller's conversations with their unread counts, most recently active
 * first, at most limit (1..200). */
core_rc conversations_mine(ctx *c, int limit, conversation_item **out, int *n, core_error *err);

/* Pure helpers, exported for the tests. */

/* CORE_OK, or CORE_INVALID with the code (message.empty, message.too_long,
 * message.invalid_utf8, message.control_char) and field "text". */
core_rc conversations_check_text(const char *text, core_error *err);
/* The distinct logins mentioned as `@login` (lower-cased; an '@' inside a
 * word, as in an e-mail address, is not a mention), at most max. */
int conversations_mentions(const char *text, char logins[][CONVERSATION_LOGIN_MAX + 1], int max);

#endif

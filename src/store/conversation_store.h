/* conversation_store: conversations (one per patient, or direct between
 * professionals), their members, messages and read markers.
 *
 * A patient's thread may span several conversation rows once records were
 * merged (each record had its own): functions taking `family_of` read the
 * messages of every patient conversation of that record and of the records
 * merged into it; family_of = 0 reads conversation_id alone. */
#ifndef PARCOURS_STORE_CONVERSATION_STORE_H
#define PARCOURS_STORE_CONVERSATION_STORE_H

#include "store/db.h"

typedef struct conversation_row {
    int64_t id;
    const char *kind;   /* patient | direct */
    int64_t patient_id; /* 0 for a direct conversation */
    const char *title;  /* NULL when none */
    int64_t created_by;
    int64_t created_at;
} conversation_row;

typedef struct conversation_summary {
    conversation_row conv;
    int64_t last_message_id; /* 0 = no message yet */
    int64_t last_message_at;
    int64_t last_read_id;
    int64_t unread; /* others' messages after last_read_id */
} conversation_summary;

typedef struct conversation_member_row {
    int64_t user_id;
    const char *login;
    const char *display_name;
} conversation_member_row;

typedef struct message_row {
    int64_t id;
    int64_t conversation_id;
    int64_t author_id;
    const char *author_name;
    const char *text;
    int64_t created_at;
} message_row;

/* DB_NOTFOUND when there is no such conversation. */
db_rc conversation_store_get(db_conn *c, arena *a, int64_t id, conversation_row *out);
/* The patient record's conversation, created when missing (safe against a
 * concurrent creation: the partial unique index decides). */
db_rc conversation_store_patient(db_conn *c, arena *a, int64_t patient_id, int64_t created_by,
                                 int64_t now, conversation_row *out);
/* How many patient conversations the record and those merged into it have. */
db_rc conversation_store_family_count(db_conn *c, arena *a, int64_t patient_id, int *n);
/* A direct conversation with members[0..n) (distinct ids); out->id is set.
 * Inside the caller's transaction. */
db_rc conversation_store_create_direct(db_conn *c, arena *a, const char *title,
                                       int64_t created_by, int64_t now, const int64_t *members,
                                       int n, conversation_row *out);
db_rc conversation_store_is_member(db_conn *c, arena *a, int64_t conversation_id,
                                   int64_t user_id, bool *member);
/* Members of a direct conversation by display name. */
db_rc conversation_store_members(db_conn *c, arena *a, int64_t conversation_id,
                                 conversation_member_row **out, int *n);

/* Inserts m (id set on success). */
db_rc conversation_store_add_message(db_conn *c, arena *a, message_row *m);
/* Newest first, id < before (0 = newest), at most limit. */
db_rc conversation_store_messages(db_conn *c, arena *a, int64_t conversation_id,
                                  int64_t family_of, int64_t before, int limit,
                                  message_row **out, int *n);
/* Whether message_id belongs to the conversation (or the family's thread). */
db_rc conversation_store_has_message(db_conn *c, arena *a, int64_t conversation_id,
                                     int64_t family_of, int64_t message_id, bool *yes);
/* The user's read marker (0 when none) and the others' messages after it. */
db_rc conversation_store_read_state(db_conn *c, arena *a, int64_t conversation_id,
                                    int64_t family_of, int64_t user_id, int64_t *last_read_id,
                                    int64_t *unread);
/* Moves the user's read marker forward to last_read_id (never backwards). */
db_rc conversation_store_mark_read(db_conn *c, arena *a, int64_t conversation_id,
                                   int64_t user_id, int64_t last_read_id);

/* The user's conversations, most recently active first, at most limit: the
 * direct ones they are a member of, and those of the (surviving) patient
 * records whose circle they currently belong to, unless the patient opposed
 * sharing with them. */
db_rc conversation_store_list_for_user(db_conn *c, arena *a, int64_t user_id, int64_t now,
                                       int limit, conversation_summary **out, int *n);

#endif

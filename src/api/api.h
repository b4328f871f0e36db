/* api: the REST/JSON handlers. Each translates a request to core calls and the
 * result back to JSON; none of them talks SQL or libmicrohttpd. */
#ifndef PARCOURS_API_API_H
#define PARCOURS_API_API_H

#include "http/router.h"

extern const route api_routes[];
extern const int api_route_count;

/* Handlers, one group per file. */
void api_healthz(req *r);
void api_session_create(req *r);
void api_session_delete(req *r);
void api_me(req *r);
void api_me_password(req *r);
void api_users_list(req *r);
void api_users_create(req *r);
void api_users_get(req *r);
void api_users_update(req *r);
void api_audit_list(req *r);
void api_patients_search(req *r);
void api_patients_create(req *r);
void api_patients_get(req *r);
void api_patients_update(req *r);
void api_patients_status(req *r);
void api_patients_status_history(req *r);
void api_patients_add_identifier(req *r);
void api_patients_duplicates(req *r);
void api_patients_merge(req *r);
void api_patients_unmerge(req *r);
void api_identity_duplicates(req *r);
void api_identity_dismiss(req *r);

/* care circle, access, territories, invitations (api_circle.c) */
void api_circle_list(req *r);
void api_circle_add(req *r);
void api_circle_end(req *r);
void api_break_glass(req *r);
void api_oppositions_list(req *r);
void api_oppositions_add(req *r);
void api_oppositions_lift(req *r);
void api_my_patients(req *r);
void api_invitation_accept(req *r);
void api_territories_list(req *r);
void api_territories_create(req *r);
void api_territories_assign(req *r);

/* journal (api_journal.c) */
void api_notes_create(req *r);
void api_notes_list(req *r);
void api_notes_get(req *r);
void api_notes_correct(req *r);
void api_notes_delete(req *r);
void api_notes_revisions(req *r);
void api_notes_mark_read(req *r);
void api_notes_reads(req *r);
void api_notes_attach(req *r);
void api_notes_attachment(req *r);
void api_directory_professionals_list(req *r);
void api_directory_professionals_create(req *r);
void api_directory_professionals_get(req *r);
void api_directory_professionals_update(req *r);
void api_directory_organisations_list(req *r);
void api_directory_organisations_create(req *r);
void api_directory_organisations_get(req *r);
void api_users_set_professional(req *r);

/* conversations and notifications (api_conversations.c, api_notifications.c) */
void api_patient_conversation_get(req *r);
void api_patient_conversation_post(req *r);
void api_conversations_list(req *r);
void api_conversations_create(req *r);
void api_conversations_get(req *r);
void api_conversations_messages(req *r);
void api_conversations_post(req *r);
void api_conversations_read(req *r);
void api_notifications_list(req *r);
void api_notifications_read(req *r);
void api_notifications_read_all(req *r);
void api_notifications_stream(req *r);
void api_notification_prefs_get(req *r);
void api_notification_prefs_put(req *r);
/* cJSON ends a string at an escaped NUL ("\u0000"), silently dropping the
 * rest: refuses (422 field.control_char, false) a body that has one. */
bool api_refuse_nul(req *r, const char *field);

/* HL7 v2 interface for administrators (api_hl7.c) */
void api_hl7_messages(req *r);
void api_hl7_outbox(req *r);

#endif

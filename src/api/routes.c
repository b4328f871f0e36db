/* The route table: one line per endpoint, its handler and who may call it. */
#include "api/api.h"

/* max_body is left out on most lines on purpose: 0 means the default limit */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

const route api_routes[] = {
    {"GET", "/healthz", api_healthz, ROUTE_PUBLIC},
    {"POST", "/api/session", api_session_create, ROUTE_PUBLIC},
    {"DELETE", "/api/session", api_session_delete, ROUTE_USER},
    {"GET", "/api/me", api_me, ROUTE_USER},
    {"PUT", "/api/me/password", api_me_password, ROUTE_USER},
    {"GET", "/api/admin/users", api_users_list, ROUTE_ADMIN},
    {"POST", "/api/admin/users", api_users_create, ROUTE_ADMIN},
    {"GET", "/api/admin/users/:id", api_users_get, ROUTE_ADMIN},
    {"PATCH", "/api/admin/users/:id", api_users_update, ROUTE_ADMIN},
    {"GET", "/api/audit", api_audit_list, ROUTE_ADMIN},

    /* patient identities (identitovigilance) */
    {"GET", "/api/patients", api_patients_search, ROUTE_USER},
    {"POST", "/api/patients", api_patients_create, ROUTE_USER, 0, ROUTE_GROUP_COMMIT},
    {"GET", "/api/patients/:id", api_patients_get, ROUTE_USER},
    {"PATCH", "/api/patients/:id", api_patients_update, ROUTE_USER},
    {"POST", "/api/patients/:id/identity-status", api_patients_status, ROUTE_USER},
    {"GET", "/api/patients/:id/identity-status", api_patients_status_history, ROUTE_USER},
    {"POST", "/api/patients/:id/identifiers", api_patients_add_identifier, ROUTE_USER},
    {"GET", "/api/patients/:id/duplicates", api_patients_duplicates, ROUTE_USER},
    {"POST", "/api/patients/:id/merge", api_patients_merge, ROUTE_USER},
    {"POST", "/api/patients/:id/unmerge", api_patients_unmerge, ROUTE_ADMIN},
    {"GET", "/api/identity/duplicates", api_identity_duplicates, ROUTE_USER},
    {"POST", "/api/identity/duplicates/dismiss", api_identity_dismiss, ROUTE_USER},

    /* care circle and access */
    {"GET", "/api/me/patients", api_my_patients, ROUTE_USER},
    {"GET", "/api/patients/:id/circle", api_circle_list, ROUTE_USER},
    {"POST", "/api/patients/:id/circle", api_circle_add, ROUTE_USER},
    {"POST", "/api/patients/:id/circle/:member_id/end", api_circle_end, ROUTE_USER},
    {"POST", "/api/patients/:id/break-glass", api_break_glass, ROUTE_USER},
    {"GET", "/api/patients/:id/oppositions", api_oppositions_list, ROUTE_USER},
    {"POST", "/api/patients/:id/oppositions", api_oppositions_add, ROUTE_USER},
    {"DELETE", "/api/patients/:id/oppositions/:opposition_id", api_oppositions_lift, ROUTE_USER},
    {"POST", "/api/invitations/accept", api_invitation_accept, ROUTE_PUBLIC},
    {"GET", "/api/admin/territories", api_territories_list, ROUTE_ADMIN},
    {"POST", "/api/admin/territories", api_territories_create, ROUTE_ADMIN},
    {"POST", "/api/admin/territories/:id/coordinators", api_territories_assign, ROUTE_ADMIN},

    /* journal (cahier de liaison) */
    {"GET", "/api/patients/:id/notes", api_notes_list, ROUTE_USER},
    {"POST", "/api/patients/:id/notes", api_notes_create, ROUTE_USER, 0, ROUTE_GROUP_COMMIT},
    {"GET", "/api/patients/:id/notes/:note_id", api_notes_get, ROUTE_USER},
    {"PATCH", "/api/patients/:id/notes/:note_id", api_notes_correct, ROUTE_USER, 0, ROUTE_GROUP_COMMIT},
    {"DELETE", "/api/patients/:id/notes/:note_id", api_notes_delete, ROUTE_USER, 0, ROUTE_GROUP_COMMIT},
    {"GET", "/api/patients/:id/notes/:note_id/revisions", api_notes_revisions, ROUTE_USER},
    {"POST", "/api/patients/:id/notes/:note_id/read", api_notes_mark_read, ROUTE_USER, 0, ROUTE_GROUP_COMMIT},
    {"GET", "/api/patients/:id/notes/:note_id/reads", api_notes_reads, ROUTE_USER},
    {"POST", "/api/patients/:id/notes/:note_id/attachments", api_notes_attach, ROUTE_USER,
     ROUTE_BODY_ATTACHMENT},
    {"GET", "/api/patients/:id/notes/:note_id/attachments/:attachment_id", api_notes_attachment,
     ROUTE_USER},

    /* directory of professionals and organisations */
    {"GET", "/api/directory/professionals", api_directory_professionals_list, ROUTE_USER},
    {"POST", "/api/directory/professionals", api_directory_professionals_create, ROUTE_ADMIN},
    {"GET", "/api/directory/professionals/:id", api_directory_professionals_get, ROUTE_USER},
    {"PATCH", "/api/directory/professionals/:id", api_directory_professionals_update, ROUTE_ADMIN},
    {"GET", "/api/directory/organisations", api_directory_organisations_list, ROUTE_USER},
    {"POST", "/api/directory/organisations", api_directory_organisations_create, ROUTE_ADMIN},
    {"GET", "/api/directory/organisations/:id", api_directory_organisations_get, ROUTE_USER},
    {"PUT", "/api/admin/users/:id/professional", api_users_set_professional, ROUTE_ADMIN},

    /* conversations and notifications */
    {"GET", "/api/patients/:id/conversation/messages", api_patient_conversation_get, ROUTE_USER},
    {"POST", "/api/patients/:id/conversation/messages", api_patient_conversation_post, ROUTE_USER, 0, ROUTE_GROUP_COMMIT},
    {"GET", "/api/conversations", api_conversations_list, ROUTE_USER},
    {"POST", "/api/conversations", api_conversations_create, ROUTE_USER},
    {"GET", "/api/conversations/:id", api_conversations_get, ROUTE_USER},
    {"GET", "/api/conversations/:id/messages", api_conversations_messages, ROUTE_USER},
    {"POST", "/api/conversations/:id/messages", api_conversations_post, ROUTE_USER, 0, ROUTE_GROUP_COMMIT},
    {"POST", "/api/conversations/:id/read", api_conversations_read, ROUTE_USER, 0, ROUTE_GROUP_COMMIT},
    {"GET", "/api/notifications", api_notifications_list, ROUTE_USER},
    {"GET", "/api/notifications/stream", api_notifications_stream, ROUTE_USER},
    {"POST", "/api/notifications/read-all", api_notifications_read_all, ROUTE_USER, 0, ROUTE_GROUP_COMMIT},
    {"POST", "/api/notifications/:id/read", api_notifications_read, ROUTE_USER, 0, ROUTE_GROUP_COMMIT},
    {"GET", "/api/me/notification-preferences", api_notification_prefs_get, ROUTE_USER},
    {"PUT", "/api/me/notification-preferences", api_notification_prefs_put, ROUTE_USER},

    /* HL7 v2 interface, for administrators (api_hl7.c) */
    {"GET", "/api/admin/hl7/messages", api_hl7_messages, ROUTE_ADMIN},
    {"GET", "/api/admin/hl7/outbox", api_hl7_outbox, ROUTE_ADMIN},
};

const int api_route_count = (int)(sizeof api_routes / sizeof api_routes[0]);

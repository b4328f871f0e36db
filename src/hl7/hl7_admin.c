#include "hl7/hl7_admin.h"
#include "core/audit.h"

#include <string.h>

static bool one_of(const char *s, const char *const *set)
{
    for (; *set; set++)
        if (strcmp(s, *set) == 0)
            return true;
    return false;
}

static core_rc check(ctx *c, const char *action, const char *status, const char *const *set,
                     const char *message, core_error *err)
{
    if (!c->who || strcmp(c->who->role, "admin") != 0) {
        audit_record(c, &(audit_event){.action = action, .outcome = AUDIT_DENIED});
        return core_fail(err, CORE_FORBIDDEN, "role.admin_required", NULL,
                         "Cette action est réservée aux administrateurs.");
    }
    if (status && !one_of(status, set))
        return core_fail(err, CORE_INVALID, "query.status", "status", message);
    return CORE_OK;
}

core_rc hl7_admin_messages(ctx *c, const char *status, int64_t before, int limit,
                           hl7_message_row **out, int *n, core_error *err)
{
    static const char *const set[] = {"processed", "error", "rejected", NULL};
    core_rc rc = check(c, "hl7.messages.read", status, set,
                       "Statut attendu : processed, error ou rejected.", err);
    if (rc != CORE_OK)
        return rc;
    if (hl7_store_list_messages(ctx_db(c), c->arena, status, before, limit, out, n) != DB_OK)
        return core_fail(err, CORE_ERROR, "store.error", NULL, "Erreur interne.");
    audit_record(c, &(audit_event){.action = "hl7.messages.read", .detail = status});
    return CORE_OK;
}

core_rc hl7_admin_outbox(ctx *c, const char *status, int64_t before, int limit,
                         hl7_outbox_row **out, int *n, core_error *err)
{
    static const char *const set[] = {"pending", "sent", "error", NULL};
    core_rc rc =
        check(c, "hl7.outbox.read", status, set, "Statut attendu : pending, sent ou error.", err);
    if (rc != CORE_OK)
        return rc;
    if (hl7_store_outbox_list(ctx_db(c), c->arena, status, before, limit, out, n) != DB_OK)
        return core_fail(err, CORE_ERROR, "store.error", NULL, "Erreur interne.");
    audit_record(c, &(audit_event){.action = "hl7.outbox.read", .detail = status});
    return CORE_OK;
}

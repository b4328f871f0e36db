#include "core/conversations.h"
#include "core/audit.h"
#include "core/circle.h"
#include "core/notify.h"
#include "core/text.h"
#include "store/account_store.h"
#include "util/json.h"

#include <string.h>

#define EXCERPT_MAX 140

static core_rc store_error(core_error *err)
{
    return core_fail(err, CORE_ERROR, "store.error", NULL, "Erreur interne.");
}

static const char *id_text(ctx *c, int64_t id)
{
    return arena_printf(c->arena, "%lld", (long long)id);
}

static const char *my_name(const ctx *c)
{
    return c->who->display_name ? c->who->display_name : c->who->login;
}

/* ---- pure helpers ------------------------------------------------------- */

core_rc conversations_check_text(const char *text, core_error *err)
{
    size_t n = text ? strlen(text) : 0;
    if (n == 0)
        return core_fail(err, CORE_INVALID, "message.empty", "text", "Le message est vide.");
    if (n > CONVERSATION_TEXT_MAX)
        return core_fail(err, CORE_INVALID, "message.too_long", "text",
                         "Le message dépasse 5000 octets.");
    if (!utf8_valid(text, n))
        return core_fail(err, CORE_INVALID, "message.invalid_utf8", "text",
                         "Le message n'est pas de l'UTF-8 valide.");
    bool visible = false;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)text[i];
        /* C0 controls but the newline, DEL, and C1 controls (U+0080..U+009F) */
        bool control = (ch < 0x20 && ch != '\n') || ch == 0x7f ||
                       (ch == 0xc2 && i + 1 < n && (unsigned char)text[i + 1] < 0xa0);
        if (control)
            return core_fail(err, CORE_INVALID, "message.control_char", "text",
                             "Le message contient un caractère de contrôle (seul le retour à la "
                             "ligne est admis).");
        if (ch != ' ' && ch != '\n')
            visible = true;
    }
    if (!visible)
        return core_fail(err, CORE_INVALID, "message.empty", "text",
                         "Le message ne contient que des blancs.");
    return CORE_OK;
}

static bool login_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '.' || ch == '_' || ch == '-' || ch == '@';
}

int conversations_mentions(const char *text, char logins[][CONVERSATION_LOGIN_MAX + 1], int max)
{
    int n = 0;
    for (size_t i = 0; text && text[i] && n < max; i++) {
        if (text[i] != '@' || (i > 0 && login_char(text[i - 1])))
            continue;
        size_t j = i + 1;
        while (text[j] && login_char(text[j]))
            j++;
        size_t len = j - (i + 1);
        /* sentence punctuation after a mention is not part of the login */
        while (len > 0 && strchr(".-_@", text[i + len]))
            len--;
        if (len >= 3 && len <= CONVERSATION_LOGIN_MAX) {
            char login[CONVERSATION_LOGIN_MAX + 1];
            for (size_t k = 0; k < len; k++) {
                char ch = text[i + 1 + k];
                login[k] = (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
            }
            login[len] = '\0';
            bool repeat = false;
            for (int k = 0; k < n && !repeat; k++)
                repeat = strcmp(logins[k], login) == 0;
            if (!repeat)
                memcpy(logins[n++], login, len + 1);
        }
        i = j - 1;
    }
    return n;
}

/* The first EXCERPT_MAX bytes on one line, cut on a character boundary. */
static const char *excerpt(ctx *c, const char *text)
{
    size_t n = strlen(text), cut = n;
    if (n > EXCERPT_MAX) {
        cut = EXCERPT_MAX;
        while (cut > 0 && ((unsigned char)text[cut] & 0xc0) == 0x80)
            cut--;
    }
    char *s = arena_strndup(c->arena, text, cut);
    for (char *p = s; *p; p++)
        if (*p == '\n')
            *p = ' ';
    return cut < n ? arena_printf(c->arena, "%s…", s) : s;
}

/* ---- access --------------------------------------------------------------- */

/* A conversation opened for the caller: what to read and who takes part. */
typedef struct thread {
    conversation_row conv;
    int64_t patient_id; /* surviving record, 0 for a direct conversation */
    int64_t family_of;  /* patient_id when merged records bring several rows */
    authz_basis basis;
} thread;

static core_rc open_patient(ctx *c, int64_t patient_id, const char *action, thread *t,
                            core_error *err)
{
    memset(t, 0, sizeof *t);
    if (!c->who)
        return core_fail(err, CORE_UNAUTHENTICATED, "session.required", NULL,
                         "Veuillez vous connecter.");
    core_rc rc = authz_patient(c, patient_id, action, &t->patient_id, &t->basis, err);
    if (rc != CORE_OK)
        return rc;
    db_conn *conn = ctx_db(c);
    int rows = 0;
    if (conversation_store_patient(conn, c->arena, t->patient_id, c->who->user_id, c->now_ms,
                                   &t->conv) != DB_OK ||
        conversation_store_family_count(conn, c->arena, t->patient_id, &rows) != DB_OK)
        return store_error(err);
    t->family_of = rows > 1 ? t->patient_id : 0;
    return CORE_OK;
}

static core_rc open_by_id(ctx *c, int64_t id, const char *action, thread *t, core_error *err)
{
    memset(t, 0, sizeof *t);
    if (!c->who)
        return core_fail(err, CORE_UNAUTHENTICATED, "session.required", NULL,
                         "Veuillez vous connecter.");
    conversation_row row;
    db_conn *conn = ctx_db(c);
    db_rc drc = conversation_store_get(conn, c->arena, id, &row);
    if (drc == DB_NOTFOUND)
        return core_fail(err, CORE_NOTFOUND, "conversation.not_found", NULL,
                         "Conversation introuvable.");
    if (drc != DB_OK)
        return store_error(err);
    if (strcmp(row.kind, "patient") == 0)
        return open_patient(c, row.patient_id, action, t, err);
    bool member = false;
    if (conversation_store_is_member(conn, c->arena, id, c->who->user_id, &member) != DB_OK)
        return store_error(err);
    if (!member) {
        audit_record(c, &(audit_event){.action = action, .outcome = AUDIT_DENIED,
                                        .object_type = "conversation",
                                        .object_id = id_text(c, id),
                                        .detail = "not a member of the direct conversation"});
        return core_fail(err, CORE_FORBIDDEN, "conversation.not_member", NULL,
                         "Vous ne participez pas à cette conversation.");
    }
    t->conv = row;
    return CORE_OK;
}

/* ---- reading -------------------------------------------------------------- */

static core_rc read_page(ctx *c, const thread *t, int64_t before, int limit,
                         conversation_page *out, core_error *err)
{
    memset(out, 0, sizeof *out);
    out->conv = t->conv;
    if (limit < 0 || limit > CONVERSATION_PAGE_MAX)
        limit = 50;
    db_conn *conn = ctx_db(c);
    if ((limit > 0 && conversation_store_messages(conn, c->arena, t->conv.id, t->family_of,
                                                  before, limit, &out->items, &out->n) != DB_OK) ||
        conversation_store_read_state(conn, c->arena, t->conv.id, t->family_of, c->who->user_id,
                                      &out->last_read_id, &out->unread) != DB_OK)
        return store_error(err);
    if (!t->patient_id && conversation_store_members(conn, c->arena, t->conv.id, &out->members,
                                                     &out->nmembers) != DB_OK)
        return store_error(err);
    out->next_before = limit > 0 && out->n == limit ? out->items[out->n - 1].id : 0;
    if (t->patient_id)
        audit_record(c, &(audit_event){.action = "conversation.read",
                                        .object_type = "conversation",
                                        .object_id = id_text(c, t->conv.id),
                                        .patient_id = id_text(c, t->patient_id),
                                        .detail = t->basis == AUTHZ_BREAK_GLASS ? "break-the-glass"
                                                                                : NULL});
    return CORE_OK;
}

core_rc conversations_patient_page(ctx *c, int64_t patient_id, int64_t before, int limit,
                                   conversation_page *out, core_error *err)
{
    thread t;
    core_rc rc = open_patient(c, patient_id, "conversation.read", &t, err);
    return rc != CORE_OK ? rc : read_page(c, &t, before, limit, out, err);
}

core_rc conversations_page(ctx *c, int64_t conversation_id, int64_t before, int limit,
                           conversation_page *out, core_error *err)
{
    thread t;
    core_rc rc = open_by_id(c, conversation_id, "conversation.read", &t, err);
    return rc != CORE_OK ? rc : read_page(c, &t, before, limit, out, err);
}

/* ---- writing -------------------------------------------------------------- */

/* Who takes part (and may read): the circle's current members with an
 * account, less the opposed ones; or the direct conversation's members. */
static db_rc participants(ctx *c, const thread *t, int64_t **users, int *n)
{
    db_conn *conn = ctx_db(c);
    if (!t->patient_id) {
        conversation_member_row *m;
        db_rc rc = conversation_store_members(conn, c->arena, t->conv.id, &m, n);
        if (rc != DB_OK)
            return rc;
        *users = arena_calloc(c->arena, (size_t)*n + 1, sizeof(int64_t));
        for (int i = 0; i < *n; i++)
            (*users)[i] = m[i].user_id;
        return DB_OK;
    }
    int64_t *all;
    int nall = 0;
    if (circle_member_users(c, t->patient_id, &all, &nall) != CORE_OK)
        return DB_ERROR;
    *users = arena_calloc(c->arena, (size_t)nall + 1, sizeof(int64_t));
    *n = 0;
    for (int i = 0; i < nall; i++) {
        bool opposed = false;
        db_rc rc = opposition_store_active(conn, c->arena, t->patient_id, all[i], &opposed);
        if (rc != DB_OK)
            return rc;
        if (!opposed)
            (*users)[(*n)++] = all[i];
    }
    return DB_OK;
}

/* Splits participants into the mentioned ones and the others. */
static db_rc split_mentions(ctx *c, const char *text, const int64_t *users, int n,
                            int64_t *mentioned, int *nmentioned, int64_t *others, int *nothers)
{
    char logins[CONVERSATION_MAX_MENTIONS][CONVERSATION_LOGIN_MAX + 1];
    int nl = conversations_mentions(text, logins, CONVERSATION_MAX_MENTIONS);
    *nmentioned = *nothers = 0;
    for (int i = 0; i < nl; i++) {
        account acc;
        db_rc rc = account_store_by_login(ctx_db(c), c->arena, logins[i], &acc);
        if (rc == DB_NOTFOUND)
            continue;
        if (rc != DB_OK)
            return rc;
        for (int k = 0; k < n; k++)
            if (users[k] == acc.id)
                mentioned[(*nmentioned)++] = acc.id;
    }
    for (int k = 0; k < n; k++) {
        bool is_mentioned = false;
        for (int i = 0; i < *nmentioned && !is_mentioned; i++)
            is_mentioned = mentioned[i] == users[k];
        if (!is_mentioned)
            others[(*nothers)++] = users[k];
    }
    return DB_OK;
}

static core_rc post(ctx *c, const thread *t, const char *text, message_row *out,
                    core_error *err)
{
    int64_t *users = NULL;
    int n = 0, nmentioned = 0, nothers = 0;
    if (participants(c, t, &users, &n) != DB_OK)
        return store_error(err);
    int64_t mentioned[CONVERSATION_MAX_MENTIONS];
    int64_t *others = arena_calloc(c->arena, (size_t)n + 1, sizeof(int64_t));
    if (split_mentions(c, text, users, n, mentioned, &nmentioned, others, &nothers) != DB_OK)
        return store_error(err);
    message_row m = {.conversation_id = t->conv.id,
                     .author_id = c->who->user_id,
                     .author_name = my_name(c),
                     .text = text,
                     .created_at = c->now_ms};
    const char *body = arena_printf(c->arena, "%s : %s", m.author_name, excerpt(c, text));
    notification_input mention = {
        .kind = NOTIFY_MENTION,
        .patient_id = t->patient_id,
        .object_id = id_text(c, t->conv.id),
        .title = t->patient_id ? "Vous avez été mentionné dans l'échange sur un patient"
                               : arena_printf(c->arena, "%s vous a mentionné", m.author_name),
        .body = body};
    notification_input message = mention;
    message.kind = NOTIFY_MESSAGE;
    message.title = t->patient_id ? "Nouveau message dans l'échange sur un patient"
                                  : arena_printf(c->arena, "Nouveau message de %s", m.author_name);
    db_conn *conn = ctx_db(c);
    db_rc drc = db_begin_write(conn);
    if (drc == DB_OK)
        drc = conversation_store_add_message(conn, c->arena, &m);
    if (drc == DB_OK) /* one's own message is read */
        drc = conversation_store_mark_read(conn, c->arena, t->conv.id, m.author_id, m.id);
    if (drc == DB_OK && (notify_users(c, mentioned, nmentioned, &mention) != CORE_OK ||
                         notify_users(c, others, nothers, &message) != CORE_OK))
        drc = DB_ERROR;
    if (drc != DB_OK ||
        audit_record(c, &(audit_event){.action = "message.create",
                                        .object_type = "message",
                                        .object_id = id_text(c, m.id),
                                        .patient_id = t->patient_id ? id_text(c, t->patient_id)
                                                                    : NULL,
                                        .detail = t->basis == AUTHZ_BREAK_GLASS ? "break-the-glass"
                                                                                : NULL}) !=
            CORE_OK ||
        db_commit(conn) != DB_OK) {
        db_rollback(conn);
        return store_error(err);
    }
    *out = m;
    return CORE_OK;
}

core_rc conversations_patient_post(ctx *c, int64_t patient_id, const char *text,
                                   conversation_row *conv, message_row *out, core_error *err)
{
    core_rc rc = conversations_check_text(text, err);
    thread t;
    if (rc == CORE_OK)
        rc = open_patient(c, patient_id, "message.create", &t, err);
    if (rc == CORE_OK)
        rc = post(c, &t, text, out, err);
    if (rc == CORE_OK)
        *conv = t.conv;
    return rc;
}

core_rc conversations_post(ctx *c, int64_t conversation_id, const char *text,
                           conversation_row *conv, message_row *out, core_error *err)
{
    core_rc rc = conversations_check_text(text, err);
    thread t;
    if (rc == CORE_OK)
        rc = open_by_id(c, conversation_id, "message.create", &t, err);
    if (rc == CORE_OK)
        rc = post(c, &t, text, out, err);
    if (rc == CORE_OK)
        *conv = t.conv;
    return rc;
}

core_rc conversations_create_direct(ctx *c, const int64_t *members, int n, const char *title,
                                    conversation_page *out, core_error *err)
{
    if (!c->who)
        return core_fail(err, CORE_UNAUTHENTICATED, "session.required", NULL,
                         "Veuillez vous connecter.");
    if (strcmp(c->who->role, "admin") == 0)
        return core_fail(err, CORE_FORBIDDEN, "conversation.role", NULL,
                         "Les conversations sont réservées aux professionnels.");
    if (title && !text_is_clean(title, 1, CONVERSATION_TITLE_MAX))
        return core_fail(err, CORE_INVALID, "conversation.title", "title",
                         "Le titre fait de 1 à 200 caractères, sans caractère de contrôle.");
    int64_t ids[CONVERSATION_MAX_MEMBERS];
    int nids = 0;
    ids[nids++] = c->who->user_id;
    db_conn *conn = ctx_db(c);
    for (int i = 0; i < n; i++) {
        bool repeat = false;
        for (int k = 0; k < nids && !repeat; k++)
            repeat = ids[k] == members[i];
        if (repeat)
            continue;
        if (nids == CONVERSATION_MAX_MEMBERS)
            return core_fail(err, CORE_INVALID, "conversation.too_many_members", "members",
                             "Une conversation réunit 20 personnes au plus.");
        account acc;
        db_rc drc = account_store_by_id(conn, c->arena, members[i], &acc);
        if (drc != DB_OK && drc != DB_NOTFOUND)
            return store_error(err);
        if (drc == DB_NOTFOUND || acc.disabled || strcmp(acc.role, "admin") == 0)
            return core_fail(err, CORE_INVALID, "conversation.member", "members",
                             arena_printf(c->arena,
                                          "Le compte %lld n'existe pas ou ne peut pas participer "
                                          "à une conversation.",
                                          (long long)members[i]));
        ids[nids++] = members[i];
    }
    if (nids < 2)
        return core_fail(err, CORE_INVALID, "conversation.members_required", "members",
                         "Indiquez au moins un autre participant.");
    conversation_row conv;
    db_rc drc = db_begin_write(conn);
    if (drc == DB_OK)
        drc = conversation_store_create_direct(conn, c->arena, title, c->who->user_id, c->now_ms,
                                               ids, nids, &conv);
    if (drc != DB_OK ||
        audit_record(c, &(audit_event){.action = "conversation.create",
                                        .object_type = "conversation",
                                        .object_id = id_text(c, conv.id),
                                        .detail = arena_printf(c->arena, "direct, %d members",
                                                               nids)}) != CORE_OK ||
        db_commit(conn) != DB_OK) {
        db_rollback(conn);
        return store_error(err);
    }
    thread t = {.conv = conv};
    return read_page(c, &t, 0, 0, out, err);
}

core_rc conversations_mark_read(ctx *c, int64_t conversation_id, int64_t last_read_id,
                                int64_t *marker, int64_t *unread, core_error *err)
{
    thread t;
    core_rc rc = open_by_id(c, conversation_id, "conversation.read", &t, err);
    if (rc != CORE_OK)
        return rc;
    db_conn *conn = ctx_db(c);
    bool known = false;
    if (conversation_store_has_message(conn, c->arena, t.conv.id, t.family_of, last_read_id,
                                       &known) != DB_OK)
        return store_error(err);
    if (!known)
        return core_fail(err, CORE_INVALID, "conversation.last_read_id", "last_read_id",
                         "Ce message n'appartient pas à cette conversation.");
    if (conversation_store_mark_read(conn, c->arena, t.conv.id, c->who->user_id, last_read_id) !=
            DB_OK ||
        conversation_store_read_state(conn, c->arena, t.conv.id, t.family_of, c->who->user_id,
                                      marker, unread) != DB_OK)
        return store_error(err);
    return CORE_OK;
}

core_rc conversations_mine(ctx *c, int limit, conversation_item **out, int *n, core_error *err)
{
    *n = 0;
    if (!c->who)
        return core_fail(err, CORE_UNAUTHENTICATED, "session.required", NULL,
                         "Veuillez vous connecter.");
    if (limit < 1 || limit > CONVERSATION_PAGE_MAX)
        limit = 50;
    db_conn *conn = ctx_db(c);
    conversation_summary *s;
    int ns = 0;
    if (conversation_store_list_for_user(conn, c->arena, c->who->user_id, c->now_ms, limit, &s,
                                         &ns) != DB_OK)
        return store_error(err);
    *out = arena_calloc(c->arena, (size_t)ns + 1, sizeof(conversation_item));
    for (int i = 0; i < ns; i++) {
        (*out)[i].s = s[i];
        if (strcmp(s[i].conv.kind, "direct") == 0 &&
            conversation_store_members(conn, c->arena, s[i].conv.id, &(*out)[i].members,
                                       &(*out)[i].nmembers) != DB_OK)
            return store_error(err);
    }
    *n = ns;
    return CORE_OK;
}

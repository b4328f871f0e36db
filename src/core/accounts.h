/* accounts: administration of user accounts. Only administrators (or the
 * command line, where ctx->who is NULL) create, list and disable accounts;
 * every user may change their own password. */
#ifndef PARCOURS_CORE_ACCOUNTS_H
#define PARCOURS_CORE_ACCOUNTS_H

#include "core/ctx.h"
#include "store/account_store.h"

#define ACCOUNTS_MIN_PASSWORD 10
#define ACCOUNTS_MAX_PASSWORD 256

typedef struct account_input {
    const char *login;        /* 3..64 of [a-z0-9._@-] */
    const char *display_name; /* 1..200 bytes of UTF-8 text, no control characters */
    const char *role;         /* admin | professional | coordinator */
    const char *password;     /* 10..256 bytes */
    int64_t professional_id;  /* 0 = none */
} account_input;

bool accounts_role_valid(const char *role);
bool accounts_is_admin(const principal *who);

/* Creates an account. CORE_CONFLICT when the login is taken. Audited. */
core_rc accounts_create(ctx *c, const account_input *in, account *out, core_error *err);
/* A page of accounts (no password hashes): id > after_id, at most limit. */
core_rc accounts_list(ctx *c, int64_t after_id, int limit, const char *q, account **out, int *n,
                      core_error *err);
core_rc accounts_get(ctx *c, int64_t id, account *out, core_error *err);
/* Disabling also ends the account's sessions. An administrator cannot
 * disable their own account (so that one always remains). */
core_rc accounts_set_disabled(ctx *c, int64_t id, bool disabled, core_error *err);
/* The principal changes their own password, proving the current one. */
core_rc accounts_change_password(ctx *c, const char *current, const char *next,
                                 core_error *err);

/* Validation shared by the CLI: NULL when valid, else a French message. */
const char *accounts_check_login(const char *login);
const char *accounts_check_password(const char *password);

#endif

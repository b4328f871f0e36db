/* auth: passwords (argon2id), login sessions (random tokens stored as keyed
 * hashes), idle and absolute expiry, failed-login throttling, CSRF tokens. */
#ifndef PARCOURS_CORE_AUTH_H
#define PARCOURS_CORE_AUTH_H

#include "core/ctx.h"
#include "store/account_store.h"

#define AUTH_TOKEN_CHARS 43 /* 32 random bytes, base64url without padding */

/* argon2id hash of password in the libsodium string format, into the arena. */
const char *auth_hash_password(arena *a, const char *password);
bool auth_check_password(const char *hash, const char *password);

typedef struct auth_session {
    const char *token;      /* give to the client; never stored */
    const char *csrf_token;
    int64_t expires_at;     /* absolute end */
    account user;
} auth_session;

/* Checks the password and opens a session. Throttled per login and per client
 * address (CORE_THROTTLED with err->retry_after_s). Every outcome is audited. */
core_rc auth_login(ctx *c, const char *login, const char *password, auth_session *out,
                   core_error *err);

/* Resolves a token to its principal (allocated in c->arena). CORE_UNAUTHENTICATED
 * when unknown, expired (idle or absolute) or the account is disabled. */
core_rc auth_authenticate(ctx *c, const char *token, bool via_cookie, principal **out,
                          core_error *err);

/* Ends the principal's session. */
core_rc auth_logout(ctx *c);

/* Constant-time check of a CSRF token against the principal's. */
bool auth_csrf_ok(const principal *who, const char *token);

#endif

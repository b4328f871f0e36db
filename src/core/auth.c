#include "core/auth.h"
#include "core/audit.h"
#include "store/session_store.h"

#include <pthread.h>
#include <sodium.h>
#include <string.h>

/* interactive limits: ~0.1 s and 64 MiB per hash on these machines */
const char *auth_hash_password(arena *a, const char *password)
{
    char *out = arena_alloc(a, crypto_pwhash_STRBYTES);
    if (crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return NULL;
    return out;
}

bool auth_check_password(const char *hash, const char *password)
{
    char stored[crypto_pwhash_STRBYTES] = {0};
    size_t n = strlen(hash);
    if (n >= sizeof stored)
        return false;
    memcpy(stored, hash, n);
    return crypto_pwhash_str_verify(stored, password, strlen(password)) == 0;
}

/* A real hash of a random password, made once: checking an unknown login
 * against it costs what checking a real account costs. */
static char dummy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void make_dummy_hash(void)
{
    char pw[33];
    unsigned char raw[16];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(pw, sizeof pw, raw, sizeof raw);
    if (crypto_pwhash_str(dummy_hash, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        dummy_hash[0] = '\0';
}

static char *random_token(arena *a)
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    char *t = arena_alloc(a, AUTH_TOKEN_CHARS + 1);
    sodium_bin2base64(t, AUTH_TOKEN_CHARS + 1, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return t;
}

static char *token_hash(ctx *c, const char *token)
{
    unsigned char digest[32];
    crypto_generichash(digest, sizeof digest, (const unsigned char *)token, strlen(token),
                       c->app->secret, APP_SECRET_BYTES);
    char *hex = arena_alloc(c->arena, 65);
    sodium_bin2hex(hex, 65, digest, sizeof digest);
    return hex;
}

/* Returns the seconds until the scope may try again, 0 when it may now. */
static int64_t throttled_for(ctx *c, const char *scope, int max_failures)
{
    int failures;
    int64_t start;
    int64_t window = c->app->cfg.login_window_ms;
    if (login_failure_count(ctx_db(c), c->arena, scope, c->now_ms - window, &failures, &start) !=
        DB_OK)
        return 0;
    if (max_failures <= 0 || failures < max_failures)
        return 0;
    int64_t wait_ms = start + window - c->now_ms;
    return wait_ms > 0 ? (wait_ms + 999) / 1000 : 1;
}

static void record_failure(ctx *c, const char *login, const char *scope_login,
                           const char *scope_addr, const char *detail)
{
    db_conn *conn = ctx_db(c);
    int64_t cutoff = c->now_ms - c->app->cfg.login_window_ms;
    if (db_begin_write(conn) == DB_OK) {
        login_failure_add(conn, c->arena, scope_login, c->now_ms, cutoff);
        login_failure_add(conn, c->arena, scope_addr, c->now_ms, cutoff);
        audit_record(c, &(audit_event){.action = "session.login",
                                        .outcome = AUDIT_FAILURE,
                                        .login = login,
                                        .detail = detail});
        db_commit(conn);
    }
}

core_rc auth_login(ctx *c, const char *login, const char *password, auth_session *out,
                   core_error *err)
{
    const char *scope_login = arena_printf(c->arena, "login:%s", login);
    const char *scope_addr = arena_printf(c->arena, "addr:%s", c->client_addr);
    int64_t wait = throttled_for(c, scope_login, c->app->cfg.login_max_failures);
    int64_t wait_addr = throttled_for(c, scope_addr, c->app->cfg.login_max_failures_addr);
    if (wait_addr > wait)
        wait = wait_addr;
    if (wait > 0) {
        audit_record(c, &(audit_event){.action = "session.login",
                                        .outcome = AUDIT_DENIED,
                                        .login = login,
                                        .detail = "throttled"});
        if (err)
            err->retry_after_s = wait;
        return core_fail(err, CORE_THROTTLED, "login.throttled", NULL,
                         "Trop de tentatives de connexion. Réessayez plus tard.");
    }
    account acc;
    db_rc rc = account_store_by_login(ctx_db(c), c->arena, login, &acc);
    if (rc != DB_OK && rc != DB_NOTFOUND)
        return core_fail(err, CORE_ERROR, "store.error", NULL, "Erreur interne.");
    /* the hash takes ~0.1 s: give the connection back meanwhile */
    ctx_done(c);
    bool ok;
    if (rc == DB_NOTFOUND) {
        /* same work as a real check, so timing does not reveal which logins exist */
        pthread_once(&dummy_once, make_dummy_hash);
        auth_check_password(dummy_hash, password);
        ok = false;
    } else {
        ok = auth_check_password(acc.password_hash, password) && !acc.disabled;
    }
    if (!ok) {
        record_failure(c, login, scope_login, scope_addr,
                       rc == DB_NOTFOUND  ? "unknown login"
                       : acc.disabled     ? "account disabled"
                                          : "wrong password");
        return core_fail(err, CORE_UNAUTHENTICATED, "login.invalid", NULL,
                         "Identifiant ou mot de passe incorrect.");
    }
    const char *token = random_token(c->arena);
    unsigned char csrf_raw[16];
    randombytes_buf(csrf_raw, sizeof csrf_raw);
    char *csrf = arena_alloc(c->arena, 33);
    sodium_bin2hex(csrf, 33, csrf_raw, sizeof csrf_raw);
    session_row s = {
        .token_hash = token_hash(c, token),
        .user_id = acc.id,
        .csrf_token = csrf,
        .created_at = c->now_ms,
        .last_seen_at = c->now_ms,
        .expires_at = c->now_ms + c->app->cfg.session_max_ms,
        .client_addr = c->client_addr,
    };
    db_conn *conn = ctx_db(c);
    principal who = {.user_id = acc.id, .login = acc.login, .role = acc.role};
    c->who = &who;
    if (db_begin_write(conn) != DB_OK || session_store_insert(conn, c->arena, &s) != DB_OK ||
        login_failure_clear(conn, c->arena, scope_login) != DB_OK ||
        audit_record(c, &(audit_event){.action = "session.login", .object_type = "user",
                                        .object_id = arena_printf(c->arena, "%lld",
                                                                  (long long)acc.id)}) !=
            CORE_OK ||
        db_commit(conn) != DB_OK) {
        db_rollback(conn);
        c->who = NULL;
        return core_fail(err, CORE_ERROR, "store.error", NULL, "Erreur interne.");
    }
    c->who = NULL;
    acc.password_hash = NULL;
    out->token = token;
    out->csrf_token = csrf;
    out->expires_at = s.expires_at;
    out->user = acc;
    return CORE_OK;
}

core_rc auth_authenticate(ctx *c, const char *token, bool via_cookie, principal **out,
                          core_error *err)
{
    if (!token || strlen(token) != AUTH_TOKEN_CHARS)
        return core_fail(err, CORE_UNAUTHENTICATED, "session.invalid", NULL,
                         "Session invalide. Veuillez vous reconnecter.");
    session_row s;
    const char *hash = token_hash(c, token);
    db_rc rc = session_store_find(ctx_db(c), c->arena, hash, &s);
    if (rc == DB_NOTFOUND)
        return core_fail(err, CORE_UNAUTHENTICATED, "session.invalid", NULL,
                         "Session invalide. Veuillez vous reconnecter.");
    if (rc != DB_OK)
        return core_fail(err, CORE_ERROR, "store.error", NULL, "Erreur interne.");
    int64_t idle = c->app->cfg.session_idle_ms;
    if (s.expires_at <= c->now_ms || s.last_seen_at + idle <= c->now_ms || s.user.disabled) {
        session_store_delete(ctx_db(c), c->arena, hash);
        return core_fail(err, CORE_UNAUTHENTICATED, "session.expired", NULL,
                         "Votre session a expiré. Veuillez vous reconnecter.");
    }
    /* a write per request would cap reads at the commit rate: refresh the idle
     * clock at most every minute (or every quarter of the idle limit) */
    int64_t granularity = idle / 4 < 60000 ? idle / 4 : 60000;
    if (c->now_ms - s.last_seen_at >= granularity)
        session_store_touch(ctx_db(c), c->arena, hash, c->now_ms);
    principal *p = arena_calloc(c->arena, 1, sizeof *p);
    p->user_id = s.user.id;
    p->login = s.user.login;
    p->display_name = s.user.display_name;
    p->role = s.user.role;
    p->professional_id = s.user.professional_id;
    p->via_cookie = via_cookie;
    p->csrf_token = s.csrf_token;
    p->token_hash = hash;
    *out = p;
    return CORE_OK;
}

core_rc auth_logout(ctx *c)
{
    if (!c->who)
        return CORE_UNAUTHENTICATED;
    db_conn *conn = ctx_db(c);
    if (db_begin_write(conn) != DB_OK ||
        session_store_delete(conn, c->arena, c->who->token_hash) != DB_OK ||
        audit_record(c, &(audit_event){.action = "session.logout"}) != CORE_OK ||
        db_commit(conn) != DB_OK) {
        db_rollback(conn);
        return CORE_ERROR;
    }
    return CORE_OK;
}

bool auth_csrf_ok(const principal *who, const char *token)
{
    if (!who->csrf_token || !token)
        return false;
    size_t n = strlen(who->csrf_token);
    return strlen(token) == n && sodium_memcmp(who->csrf_token, token, n) == 0;
}

/* account_store: persistence of user accounts (table app_user). */
#ifndef PARCOURS_STORE_ACCOUNT_STORE_H
#define PARCOURS_STORE_ACCOUNT_STORE_H

#include "store/db.h"

typedef struct account {
    int64_t id;
    const char *login;
    const char *display_name;
    const char *role; /* admin | professional | coordinator */
    const char *password_hash;
    int64_t professional_id; /* 0 = not linked to the directory */
    bool disabled;
    int64_t created_at;
    int64_t updated_at;
} account;

/* Inserts acc (id is ignored and set on success). DB_CONSTRAINT: login taken. */
db_rc account_store_insert(db_conn *c, arena *a, account *acc);
/* DB_NOTFOUND when there is no such account. Strings live in arena a. */
db_rc account_store_by_login(db_conn *c, arena *a, const char *login, account *out);
db_rc account_store_by_id(db_conn *c, arena *a, int64_t id, account *out);
/* Accounts ordered by id after `after_id`, at most `limit`; q filters on a
 * login or display-name substring (NULL = all). *out is an arena array. */
db_rc account_store_list(db_conn *c, arena *a, int64_t after_id, int limit, const char *q,
                         account **out, int *n);
db_rc account_store_set_disabled(db_conn *c, arena *a, int64_t id, bool disabled, int64_t now);
db_rc account_store_set_password(db_conn *c, arena *a, int64_t id, const char *hash, int64_t now);
db_rc account_store_set_display_name(db_conn *c, arena *a, int64_t id, const char *name,
                                     int64_t now);
/* Number of accounts (used to tell a fresh database from a populated one). */
db_rc account_store_count(db_conn *c, arena *a, int64_t *n);
/* Links the account to a directory professional (0 unlinks). DB_NOTFOUND: no
 * such account. */
db_rc account_store_set_professional(db_conn *c, arena *a, int64_t id, int64_t professional_id,
                                     int64_t now);
/* The first account linked to professional_id; DB_NOTFOUND when none. */
db_rc account_store_by_professional(db_conn *c, arena *a, int64_t professional_id, account *out);

#endif

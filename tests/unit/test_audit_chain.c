/* Unit tests of core/audit against a real SQLite database: the chain hash
 * covers every field, appends are dense, verification finds tampering. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/audit.h"
#include "store/migrate.h"

static const unsigned char key[APP_SECRET_BYTES] = {1, 2, 3};

static void hash_covers_every_field_and_the_key(void **state)
{
    (void)state;
    audit_row row = {.seq = 7,
                     .at = 1700000000000,
                     .user_id = 3,
                     .user_login = "dr.martin",
                     .action = "patient.read",
                     .object_type = "patient",
                     .object_id = "12",
                     .patient_id = "12",
                     .outcome = "success",
                     .client_addr = "127.0.0.1",
                     .request_id = "abc",
                     .detail = NULL,
                     .prev_hash = "00000000000000000000000000000000"
                                  "00000000000000000000000000000000"};
    char h1[65], h2[65];
    audit_hash(key, &row, h1);
    audit_hash(key, &row, h2);
    assert_string_equal(h1, h2);
    assert_int_equal(strlen(h1), 64);
    audit_row changed = row;
    changed.detail = ""; /* NULL and "" differ */
    audit_hash(key, &changed, h2);
    assert_string_not_equal(h1, h2);
    changed = row;
    changed.seq = 8;
    audit_hash(key, &changed, h2);
    assert_string_not_equal(h1, h2);
    /* moving bytes between fields changes the hash (length prefixes) */
    changed = row;
    changed.object_type = "patient1";
    changed.object_id = "2";
    audit_hash(key, &changed, h2);
    assert_string_not_equal(h1, h2);
    unsigned char other[APP_SECRET_BYTES] = {9};
    audit_hash(other, &row, h2);
    assert_string_not_equal(h1, h2);
}

/* The encoding the chain's hashes have always had (events already in trails are
 * verified with it): each field "<length>:<bytes>|", NULL as "-|", integers in
 * decimal, in this order, BLAKE2b-256 keyed with the secret. */
static void hash_follows_the_documented_encoding(void **state)
{
    (void)state;
    audit_row row = {.seq = 9007199254740993LL,
                     .at = -1,
                     .user_id = 0,
                     .user_login = "inf.bernard",
                     .action = "note.read",
                     .object_type = NULL,
                     .object_id = "",
                     .patient_id = "42",
                     .outcome = "success",
                     .client_addr = "::1",
                     .request_id = "r|1",
                     .detail = "é",
                     .prev_hash = "ab"};
    const char *fields[] = {"parcours-audit-v1",
                            "9007199254740993",
                            "-1",
                            "0",
                            row.user_login,
                            row.action,
                            NULL,
                            row.object_id,
                            row.patient_id,
                            row.outcome,
                            row.client_addr,
                            row.request_id,
                            row.detail,
                            row.prev_hash};
    char msg[512];
    size_t len = 0;
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        len += (size_t)(fields[i] ? snprintf(msg + len, sizeof msg - len, "%zu:%s|",
                                             strlen(fields[i]), fields[i])
                                  : snprintf(msg + len, sizeof msg - len, "-|"));
    unsigned char digest[32];
    crypto_generichash(digest, sizeof digest, (const unsigned char *)msg, len, key, sizeof key);
    char expected[65], got[65];
    sodium_bin2hex(expected, sizeof expected, digest, sizeof digest);
    audit_hash(key, &row, got);
    assert_string_equal(got, expected);
}

static void records_then_verifies_and_detects_an_edit(void **state)
{
    (void)state;
    char path[] = "/tmp/parcours-unit-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    char url[64], err[256];
    snprintf(url, sizeof url, "sqlite:%s", path);
    app a = {0};
    memcpy(a.secret, key, sizeof key);
    a.db = db_open(url, 1, err, sizeof err);
    assert_non_null(a.db);
    assert_true(migrate_apply(a.db, err, sizeof err) >= 1);
    arena ar;
    arena_init(&ar, 0);
    principal who = {.user_id = 5, .login = "inf.bernard", .role = "professional"};
    ctx c = {.app = &a,
             .arena = &ar,
             .now_ms = 1700000000000,
             .client_addr = "10.0.0.1",
             .request_id = "r1",
             .who = &who};
    for (int i = 0; i < 25; i++)
        assert_int_equal(
            audit_record(&c, &(audit_event){.action = "patient.read", .patient_id = "12"}),
            CORE_OK);
    audit_report rep;
    assert_int_equal(audit_verify(&c, &rep), CORE_OK);
    assert_int_equal(rep.checked, 25);
    /* an edit, made past the append-only trigger */
    db_conn *conn = ctx_db(&c);
    assert_int_equal(db_exec_script(conn,
                                    "DROP TRIGGER audit_event_no_update;"
                                    "UPDATE audit_event SET patient_id = '13' WHERE seq = 17"),
                     DB_OK);
    assert_int_equal(audit_verify(&c, &rep), CORE_CONFLICT);
    assert_int_equal(rep.broken_seq, 17);
    assert_int_equal(rep.checked, 16);
    /* a different secret cannot verify anything */
    db_exec_script(conn, "UPDATE audit_event SET patient_id = '12' WHERE seq = 17");
    assert_int_equal(audit_verify(&c, &rep), CORE_OK);
    a.secret[0] ^= 1;
    assert_int_equal(audit_verify(&c, &rep), CORE_CONFLICT);
    assert_int_equal(rep.broken_seq, 1);
    ctx_done(&c);
    arena_free(&ar);
    db_close(a.db);
    unlink(path);
    char side[80];
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hash_covers_every_field_and_the_key),
        cmocka_unit_test(hash_follows_the_documented_encoding),
        cmocka_unit_test(records_then_verifies_and_detects_an_edit),
    };
    return cmocka_run_group_tests_name("audit", tests, NULL, NULL);
}

/* Unit tests of store/migrate against real SQLite files: a database created
 * by an older binary (migrations up to 6) is upgraded in place — the journal
 * rebuilt by patient (0007) keeps every note, reply, revision, attachment and
 * read receipt, and new notes are numbered after the old ones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/journal_store.h"
#include "store/migrate.h"
#include "store/migrations.h"

static char path[64], url[80];

static int setup(void **state)
{
    (void)state;
    snprintf(path, sizeof path, "/tmp/parcours-test-migrate-%d.db", (int)getpid());
    snprintf(url, sizeof url, "sqlite:%s", path);
    unlink(path);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char side[80];
    unlink(path);
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
    return 0;
}

static int64_t count(db_conn *c, arena *a, const char *sql)
{
    db_rows rows;
    assert_int_equal(db_exec(c, a, sql, DB_NOPARAMS, &rows), DB_OK);
    return db_int(&rows, 0, 0);
}

/* Applies the SQLite migrations numbered up to `last` as an older binary did. */
static void apply_up_to(db_conn *c, arena *a, int last)
{
    assert_int_equal(db_exec_script(c, "CREATE TABLE schema_migration (version INTEGER PRIMARY KEY,"
                                       " name TEXT NOT NULL, applied_at BIGINT NOT NULL)"),
                     DB_OK);
    for (const migration *m = migrations; m->backend; m++) {
        if (strcmp(m->backend, "sqlite") != 0 || m->version > last)
            continue;
        assert_int_equal(db_exec_script(c, m->sql), DB_OK);
        assert_int_equal(db_exec(c, a, "INSERT INTO schema_migration VALUES (?, ?, 0)",
                                 DB_PARAMS(DB_INT(m->version), DB_TEXT(m->name)), NULL),
                         DB_OK);
    }
}

static void upgrade_keeps_the_journal_and_its_links(void **state)
{
    (void)state;
    char err[256];
    db *d = db_open(url, 1, err, sizeof err);
    assert_non_null(d);
    db_conn *c = db_acquire(d);
    arena a;
    arena_init(&a, 0);
    apply_up_to(c, &a, 6);
    assert_int_equal(
        db_exec_script(
            c, "INSERT INTO app_user (id, login, display_name, role, password_hash, created_at, "
               "updated_at)"
               " VALUES (7, 'dr.x', 'Dr X', 'professional', 'x', 0, 0);"
               "INSERT INTO patient (id, birth_family_name, birth_given_names, first_given_name,"
               " sex, birth_date, identity_status, norm_birth_name, norm_first_given,"
               " norm_given_names, phon_birth_name, phon_first_given, created_at, updated_at)"
               " VALUES (1, 'A', 'B', 'B', 'F', '1950-01-01', 'PROV', 'A', 'B', 'B', 'A', 'B', 0,"
               " 0), (2, 'C', 'D', 'D', 'M', '1960-01-01', 'PROV', 'C', 'D', 'D', 'K', 'D', 0, 0);"
               /* interleaved patients, as notes arrive */
               "INSERT INTO note (id, patient_id, author_id, author_name, type, text, created_at,"
               " updated_at) VALUES (1, 1, 7, 'Dr X', 'GEN', 'un', 1, 1),"
               " (2, 2, 7, 'Dr X', 'OBS', 'deux', 2, 2), (3, 1, 7, 'Dr X', 'GEN', 'trois', 3, 3);"
               "INSERT INTO note (id, patient_id, author_id, author_name, type, text, reply_to,"
               " created_at, updated_at) VALUES (4, 1, 7, 'Dr X', 'GEN', 'réponse', 1, 4, 4);"
               "INSERT INTO note_revision VALUES (3, 1, 'trois (avant)', 7, 3);"
               "INSERT INTO note_attachment (note_id, filename, content_type, size, sha256,"
               " data_base64, created_at) VALUES (2, 'a.pdf', 'application/pdf', 3, 'h', 'AAAA',"
               " 2);"
               "INSERT INTO note_read VALUES (1, 7, 5), (2, 7, 6);"),
        DB_OK);
    db_release(d, c);
    db_close(d);

    d = db_open(url, 1, err, sizeof err);
    assert_non_null(d);
    assert_true(migrate_apply(d, err, sizeof err) >= 1);
    assert_int_equal(migrate_pending(d, err, sizeof err), 0);
    c = db_acquire(d);
    assert_int_equal(count(c, &a, "SELECT count(*) FROM note"), 4);
    assert_int_equal(count(c, &a, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
    assert_int_equal(count(c, &a, "SELECT foreign_keys FROM pragma_foreign_keys"), 1);
    assert_int_equal(count(c, &a, "SELECT reply_to FROM note WHERE id = 4"), 1);
    assert_int_equal(count(c, &a,
                           "SELECT count(*) FROM note_revision r JOIN note n"
                           " ON n.id = r.note_id WHERE n.text = 'trois'"),
                     1);
    assert_int_equal(count(c, &a,
                           "SELECT n.patient_id FROM note_attachment t JOIN note n"
                           " ON n.id = t.note_id"),
                     2);
    assert_int_equal(
        count(c, &a, "SELECT count(*) FROM note_read r JOIN note n ON n.id = r.note_id"), 2);
    /* the foreign keys still hold on the rebuilt table */
    assert_int_not_equal(db_exec_script(c, "INSERT INTO note_read VALUES (99, 7, 1)"), DB_OK);

    /* a new note is numbered after the old ones; the list reads newest first */
    note n = {.patient_id = 2,
              .author_id = 7,
              .author_name = "Dr X",
              .type = "GEN",
              .text = "cinq",
              .visibility = "all",
              .created_at = 7};
    assert_int_equal(db_begin_write(c), DB_OK);
    assert_int_equal(journal_store_insert(c, &a, &n), DB_OK);
    assert_int_equal(db_commit(c), DB_OK);
    assert_int_equal(n.id, 5);
    int64_t family[] = {1, 2};
    note_filter f = {.limit = 3, .professionals = true};
    note *list;
    int nlist = 0;
    assert_int_equal(journal_store_list(c, &a, family, 2, &f, &list, &nlist), DB_OK);
    assert_int_equal(nlist, 3);
    assert_int_equal(list[0].id, 5);
    assert_int_equal(list[1].id, 4);
    assert_int_equal(list[2].id, 3);
    assert_int_equal(list[0].patient_id, 2);
    f.before = 3;
    assert_int_equal(journal_store_list(c, &a, family, 2, &f, &list, &nlist), DB_OK);
    assert_int_equal(nlist, 2);
    assert_int_equal(list[0].id, 2);
    assert_int_equal(list[0].nattachments, 1);
    assert_int_equal(list[1].id, 1);
    assert_int_equal(list[1].nreads, 1);
    db_release(d, c);
    db_close(d);
    arena_free(&a);
}

static void a_migration_that_breaks_a_foreign_key_is_refused(void **state)
{
    (void)state;
    char err[256];
    db *d = db_open(url, 1, err, sizeof err);
    assert_non_null(d);
    assert_true(migrate_apply(d, err, sizeof err) >= 1);
    db_conn *c = db_acquire(d);
    arena a;
    arena_init(&a, 0);
    /* what a faulty rebuild would leave: a read receipt for a missing note */
    assert_int_equal(db_exec_script(c, "PRAGMA foreign_keys=OFF;"
                                       "INSERT INTO app_user (id, login, display_name, role,"
                                       " password_hash, created_at, updated_at)"
                                       " VALUES (7, 'dr.x', 'Dr X', 'professional', 'x', 0, 0);"
                                       "INSERT INTO note_read VALUES (42, 7, 1);"
                                       "PRAGMA foreign_keys=ON;"
                                       "DELETE FROM schema_migration WHERE version = 7"),
                     DB_OK);
    db_release(d, c);
    assert_int_equal(migrate_apply(d, err, sizeof err), -1);
    assert_non_null(strstr(err, "foreign key"));
    c = db_acquire(d);
    /* rolled back, and foreign keys are on again */
    assert_int_equal(count(c, &a, "SELECT count(*) FROM schema_migration WHERE version = 7"), 0);
    assert_int_equal(count(c, &a, "SELECT foreign_keys FROM pragma_foreign_keys"), 1);
    db_release(d, c);
    db_close(d);
    arena_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(upgrade_keeps_the_journal_and_its_links, setup, teardown),
        cmocka_unit_test_setup_teardown(a_migration_that_breaks_a_foreign_key_is_refused, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

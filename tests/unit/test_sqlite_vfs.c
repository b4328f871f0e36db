/* Unit tests of store/sqlite_vfs through the real SQLite driver: a reader
 * connection sees, through the shared mapping, exactly what a writer committed
 * while the file grows (past the size first mapped) and shrinks (VACUUM), and
 * PARCOURS_SQLITE_MMAP=0 turns the mapping off; the file's cached pages are
 * mapped in the background when it is first opened. Also: the reads of a
 * connection share one snapshot until it goes back to the pool or writes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/db.h"
#include "store/sqlite_vfs.h"

static char path[64], url[80];

static void remove_files(void)
{
    char side[80];
    unlink(path);
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
}

static int setup(void **state)
{
    (void)state;
    snprintf(path, sizeof path, "/tmp/parcours-test-vfs-%d.db", (int)getpid());
    snprintf(url, sizeof url, "sqlite:%s", path);
    remove_files();
    unsetenv("PARCOURS_SQLITE_MMAP");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    remove_files();
    unsetenv("PARCOURS_SQLITE_MMAP");
    return 0;
}

static int64_t one_int(db_conn *c, arena *a, const char *sql)
{
    db_rows rows;
    assert_int_equal(db_exec(c, a, sql, DB_NOPARAMS, &rows), DB_OK);
    assert_int_equal(rows.n, 1);
    return db_int(&rows, 0, 0);
}

/* Reads on a connection taken from the pool and given back, as a request
 * does: its reads share one snapshot until it goes back. */
static int64_t read_int(db *d, arena *a, const char *sql)
{
    db_conn *r = db_acquire(d);
    int64_t v = one_int(r, a, sql);
    db_release(d, r);
    return v;
}

/* Inserts rows [from, to) of ~1 KB each, committed, then moves them into the
 * database file (a checkpoint) so that readers take them from the file. */
static void insert_rows(db_conn *w, arena *a, int64_t from, int64_t to)
{
    assert_int_equal(db_begin_write(w), DB_OK);
    for (int64_t i = from; i < to; i++)
        assert_int_equal(
            db_exec(w, a, "INSERT INTO t (id, body) VALUES (?, printf('%.*c', 1000, 'x') || ?)",
                    DB_PARAMS(DB_INT(i), DB_INT(i)), NULL),
            DB_OK);
    assert_int_equal(db_commit(w), DB_OK);
    assert_int_equal(db_exec_script(w, "PRAGMA wal_checkpoint(TRUNCATE)"), DB_OK);
}

/* The same without the checkpoint (which would wait for an open snapshot). */
static void commit_rows(db_conn *w, arena *a, int64_t from, int64_t to)
{
    assert_int_equal(db_begin_write(w), DB_OK);
    for (int64_t i = from; i < to; i++)
        assert_int_equal(
            db_exec(w, a, "INSERT INTO t (id, body) VALUES (?, 'row')", DB_PARAMS(DB_INT(i)), NULL),
            DB_OK);
    assert_int_equal(db_commit(w), DB_OK);
}

/* A pool of two on a fresh file with table t; *w is the writer's connection. */
static db *open_with_table(db_conn **w)
{
    char err[256];
    db *d = db_open(url, 2, err, sizeof err);
    assert_non_null(d);
    *w = db_acquire(d);
    assert_int_equal(
        db_exec_script(*w, "CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)"), DB_OK);
    return d;
}

static void test_reader_follows_growth_and_shrink(void **state)
{
    (void)state;
    arena a;
    arena_init(&a, 64 * 1024);
    db_conn *w;
    db *d = open_with_table(&w);
    insert_rows(w, &a, 0, 100);
    assert_int_equal(read_int(d, &a, "SELECT count(*) FROM t"), 100);
    int64_t small = sqlite_vfs_mapped_bytes(path);
    assert_true(small > 100 * 1000);

    /* the file grows far past what the reader's mapping knew */
    insert_rows(w, &a, 100, 20000);
    assert_int_equal(read_int(d, &a, "SELECT count(*) FROM t"), 20000);
    assert_int_equal(read_int(d, &a, "SELECT sum(length(body)) FROM t WHERE id >= 19990"),
                     10 * 1005);
    assert_int_equal(read_int(d, &a, "SELECT count(*) FROM t WHERE body LIKE '%19999'"), 1);
    int64_t big = sqlite_vfs_mapped_bytes(path);
    assert_true(big > 20 * 1000 * 1000);

    /* and shrinks: the reader must not read past the new end */
    assert_int_equal(db_exec(w, &a, "DELETE FROM t WHERE id >= 50", DB_NOPARAMS, NULL), DB_OK);
    assert_int_equal(db_exec_script(w, "VACUUM; PRAGMA wal_checkpoint(TRUNCATE)"), DB_OK);
    assert_int_equal(read_int(d, &a, "SELECT count(*) FROM t"), 50);
    assert_int_equal(read_int(d, &a, "SELECT max(id) FROM t"), 49);
    assert_true(sqlite_vfs_mapped_bytes(path) < big / 10);

    /* and grows again */
    insert_rows(w, &a, 50, 3000);
    assert_int_equal(read_int(d, &a, "SELECT count(*) FROM t WHERE body LIKE '%2999'"), 1);

    db_release(d, w);
    db_close(d);
    /* the last connection closed: the mapping is gone */
    assert_int_equal(sqlite_vfs_mapped_bytes(path), -1);
    arena_free(&a);
}

static void test_reads_share_a_snapshot_until_release_or_write(void **state)
{
    (void)state;
    arena a;
    arena_init(&a, 64 * 1024);
    db_conn *w;
    db *d = open_with_table(&w);
    commit_rows(w, &a, 0, 10);
    db_conn *r = db_acquire(d);
    assert_int_equal(one_int(r, &a, "SELECT count(*) FROM t"), 10);
    commit_rows(w, &a, 10, 20);
    /* same request, no write in between: the snapshot it started with */
    assert_int_equal(one_int(r, &a, "SELECT count(*) FROM t"), 10);
    /* its own write ends the snapshot first (no stale upgrade), then it sees all */
    assert_int_equal(
        db_exec(r, &a, "INSERT INTO t (id, body) VALUES (100, 'r')", DB_NOPARAMS, NULL), DB_OK);
    assert_int_equal(one_int(r, &a, "SELECT count(*) FROM t"), 21);
    commit_rows(w, &a, 20, 30);
    /* an explicit write transaction also starts from the latest state */
    assert_int_equal(db_begin_write(r), DB_OK);
    assert_int_equal(one_int(r, &a, "SELECT count(*) FROM t"), 31);
    assert_int_equal(db_commit(r), DB_OK);
    db_release(d, r);
    commit_rows(w, &a, 30, 40);
    /* back in the pool and taken again: fresh */
    assert_int_equal(read_int(d, &a, "SELECT count(*) FROM t"), 41);
    db_release(d, w);
    db_close(d);
    arena_free(&a);
}

/* WAL frames are gathered until the commit frame: another connection must see
 * each commit as soon as it returns, small or larger than the gathering buffer. */
static void test_every_commit_is_visible_at_once(void **state)
{
    (void)state;
    arena a;
    arena_init(&a, 64 * 1024);
    db_conn *w;
    db *d = open_with_table(&w);
    for (int64_t i = 1; i <= 300; i++) {
        assert_int_equal(db_exec(w, &a, "INSERT INTO t (id, body) VALUES (?, printf('row %d', ?))",
                                 DB_PARAMS(DB_INT(i), DB_INT(i)), NULL),
                         DB_OK);
        assert_int_equal(read_int(d, &a, "SELECT count(*) FROM t"), i);
        assert_int_equal(read_int(d, &a,
                                  "SELECT count(*) FROM t WHERE id = (SELECT max(id) FROM t) AND "
                                  "body = 'row ' || id"),
                         1);
        arena_reset(&a);
    }
    /* one transaction of ~3 MB: several buffers' worth of frames */
    assert_int_equal(db_begin_write(w), DB_OK);
    for (int64_t i = 1000; i < 4000; i++)
        assert_int_equal(db_exec(w, &a,
                                 "INSERT INTO t (id, body) VALUES (?, printf('%.*c', 1000, 'y'))",
                                 DB_PARAMS(DB_INT(i)), NULL),
                         DB_OK);
    assert_int_equal(db_commit(w), DB_OK);
    assert_int_equal(read_int(d, &a, "SELECT count(*) FROM t"), 3300);
    assert_int_equal(read_int(d, &a, "SELECT sum(length(body)) FROM t WHERE id >= 1000"),
                     3000 * 1000);
    /* a rolled back transaction leaves nothing visible, the next commit is */
    assert_int_equal(db_begin_write(w), DB_OK);
    assert_int_equal(db_exec(w, &a, "DELETE FROM t", DB_NOPARAMS, NULL), DB_OK);
    db_rollback(w);
    assert_int_equal(
        db_exec(w, &a, "INSERT INTO t (id, body) VALUES (5000, 'last')", DB_NOPARAMS, NULL), DB_OK);
    assert_int_equal(read_int(d, &a, "SELECT count(*) FROM t"), 3301);
    db_release(d, w);
    db_close(d);
    /* and the file is sound for a new process's view */
    char err[256];
    d = db_open(url, 1, err, sizeof err);
    assert_non_null(d);
    db_conn *c = db_acquire(d);
    db_rows rows;
    assert_int_equal(db_exec(c, &a, "PRAGMA integrity_check", DB_NOPARAMS, &rows), DB_OK);
    assert_string_equal(db_text(&rows, 0, 0), "ok");
    db_release(d, c);
    db_close(d);
    arena_free(&a);
}

/* Integer cells: db_int reads the value, db_text writes the digits on first use
 * (then both agree), NULL stays NULL, text that looks like a number stays text. */
static void test_integer_cells_read_as_values_and_digits(void **state)
{
    (void)state;
    char err[256];
    db *d = db_open(url, 1, err, sizeof err);
    assert_non_null(d);
    arena a;
    arena_init(&a, 0);
    db_conn *c = db_acquire(d);
    db_rows rows;
    assert_int_equal(db_exec(c, &a,
                             "SELECT -9223372036854775807 - 1, 0, NULL, '0042', 9223372036854775807"
                             " UNION ALL SELECT 7, -1, 3, 'x', 12",
                             DB_NOPARAMS, &rows),
                     DB_OK);
    assert_int_equal(rows.n, 2);
    assert_true(db_int(&rows, 0, 0) == INT64_MIN);
    assert_string_equal(db_text(&rows, 0, 0), "-9223372036854775808");
    assert_true(db_int(&rows, 0, 0) == INT64_MIN);
    assert_string_equal(db_text(&rows, 0, 1), "0");
    assert_null(db_text(&rows, 0, 2));
    assert_int_equal(db_int(&rows, 0, 2), 0);
    assert_string_equal(db_text(&rows, 0, 3), "0042");
    assert_int_equal(db_int(&rows, 0, 3), 42);
    assert_int_equal(db_int(&rows, 0, 4), INT64_MAX);
    assert_string_equal(db_text(&rows, 0, 4), "9223372036854775807");
    assert_int_equal(db_int(&rows, 1, 1), -1);
    assert_string_equal(db_text(&rows, 1, 1), "-1");
    assert_string_equal(db_text(&rows, 1, 4), "12");
    assert_null(db_text(&rows, 2, 0)); /* outside the rows */
    db_release(d, c);
    db_close(d);
    arena_free(&a);
}

static void test_mapping_can_be_turned_off(void **state)
{
    (void)state;
    setenv("PARCOURS_SQLITE_MMAP", "0", 1);
    char err[256];
    db *d = db_open(url, 1, err, sizeof err);
    assert_non_null(d);
    arena a;
    arena_init(&a, 64 * 1024);
    db_conn *c = db_acquire(d);
    assert_int_equal(
        db_exec_script(c, "CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)"), DB_OK);
    insert_rows(c, &a, 0, 10);
    assert_int_equal(one_int(c, &a, "SELECT count(*) FROM t"), 10);
    assert_int_equal(sqlite_vfs_mapped_bytes(path), -1);
    db_release(d, c);
    db_close(d);
    arena_free(&a);
}

/* Resident kB of this process's mapping of path (/proc/self/smaps), -1 if none. */
static long mapped_rss_kb(void)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    assert_non_null(f);
    char line[512];
    long rss = -1;
    bool ours = false;
    while (fgets(line, sizeof line, f)) {
        size_t n = strlen(line), p = strlen(path);
        if (strchr(line, '-') && strchr(line, ' ') && strchr(line, '-') < strchr(line, ' '))
            ours = n > p + 1 && line[n - 1] == '\n' && strncmp(line + n - p - 1, path, p) == 0;
        if (ours && strncmp(line, "Rss:", 4) == 0)
            rss = strtol(line + 4, NULL, 10);
    }
    fclose(f);
    return rss;
}

static void test_cached_pages_are_mapped_without_a_read(void **state)
{
    (void)state;
    arena a;
    arena_init(&a, 64 * 1024);
    db_conn *w;
    db *d = open_with_table(&w);
    insert_rows(w, &a, 0, 4000); /* ~4 MB, in the kernel's cache once written */
    db_release(d, w);
    db_close(d);
    for (int i = 0; i < 200 && sqlite_vfs_mapped_bytes(path) != -1; i++)
        usleep(10 * 1000); /* the first mapping's prefault is done */
    assert_int_equal(sqlite_vfs_mapped_bytes(path), -1);

    char err[256];
    d = db_open(url, 1, err, sizeof err); /* no query reads the table */
    assert_non_null(d);
    long rss = -1;
    for (int i = 0; i < 200 && (rss = mapped_rss_kb()) < 3000; i++)
        usleep(10 * 1000);
    assert_true(rss >= 3000);
    db_conn *c = db_acquire(d);
    assert_int_equal(one_int(c, &a, "SELECT count(*) FROM t"), 4000);
    db_release(d, c);
    db_close(d);
    arena_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_reader_follows_growth_and_shrink, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reads_share_a_snapshot_until_release_or_write, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_every_commit_is_visible_at_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mapping_can_be_turned_off, setup, teardown),
        cmocka_unit_test_setup_teardown(test_integer_cells_read_as_values_and_digits, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_cached_pages_are_mapped_without_a_read, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

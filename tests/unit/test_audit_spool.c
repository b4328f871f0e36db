/* Unit tests of store/audit_spool: records read back as written (NULL and ""
 * apart), a damaged or cut record ends the readable part, the file keeps its
 * generation across opens and gets a new one when emptied, one process at a
 * time holds it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/audit_spool.h"

static const audit_row ROWS[] = {
    {.at = 1700000000123,
     .user_id = 42,
     .user_login = "dr.martin",
     .action = "note.read",
     .object_type = "patient",
     .object_id = "12",
     .patient_id = "12",
     .outcome = "success",
     .client_addr = "127.0.0.1",
     .request_id = "c2f8fca50000902b",
     .detail = NULL},
    {.at = -5,
     .user_id = 0,
     .user_login = NULL,
     .action = "access.denied",
     .object_type = "",
     .object_id = "GET /api/x\n\"é\"",
     .patient_id = NULL,
     .outcome = "denied",
     .client_addr = "::1",
     .request_id = "",
     .detail = "a|b:c"},
};
#define NROWS ((int)(sizeof ROWS / sizeof *ROWS))

static void assert_same_text(const char *a, const char *b)
{
    if (!a || !b)
        assert_ptr_equal(a, b);
    else
        assert_string_equal(a, b);
}

static void assert_same_row(const audit_row *a, const audit_row *b)
{
    assert_int_equal(a->at, b->at);
    assert_int_equal(a->user_id, b->user_id);
    assert_same_text(a->user_login, b->user_login);
    assert_same_text(a->action, b->action);
    assert_same_text(a->object_type, b->object_type);
    assert_same_text(a->object_id, b->object_id);
    assert_same_text(a->patient_id, b->patient_id);
    assert_same_text(a->outcome, b->outcome);
    assert_same_text(a->client_addr, b->client_addr);
    assert_same_text(a->request_id, b->request_id);
    assert_same_text(a->detail, b->detail);
}

static void records_read_back_as_written(void **state)
{
    (void)state;
    buf b;
    buf_init(&b, 0);
    audit_spool_encode(&b, ROWS, NROWS);
    arena a;
    arena_init(&a, 4096);
    size_t off = 0;
    for (int i = 0; i < NROWS; i++) {
        audit_row got;
        size_t n = audit_spool_decode(&a, b.data + off, b.len - off, &got);
        assert_true(n > 0);
        assert_same_row(&got, &ROWS[i]);
        off += n;
    }
    assert_int_equal(off, b.len);
    arena_free(&a);
    buf_free(&b);
}

static void a_cut_or_damaged_record_is_not_read(void **state)
{
    (void)state;
    buf b;
    buf_init(&b, 0);
    audit_spool_encode(&b, ROWS, 1);
    arena a;
    arena_init(&a, 4096);
    audit_row got;
    for (size_t cut = 0; cut < b.len; cut++)
        assert_int_equal(audit_spool_decode(&a, b.data, cut, &got), 0);
    for (size_t i = 0; i < b.len; i++) { /* any flipped byte: length, checksum or body */
        b.data[i] ^= 0x20;
        assert_int_equal(audit_spool_decode(&a, b.data, b.len, &got), 0);
        b.data[i] ^= 0x20;
    }
    assert_int_equal(audit_spool_decode(&a, b.data, b.len, &got), b.len);
    arena_free(&a);
    buf_free(&b);
}

static char path[64];

static int setup(void **state)
{
    (void)state;
    strcpy(path, "/tmp/parcours-spool-XXXXXX");
    int fd = mkstemp(path);
    close(fd);
    unlink(path); /* the spool creates it */
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(path);
    return 0;
}

static void the_file_keeps_what_was_written_and_its_generation(void **state)
{
    (void)state;
    char err[256];
    bool busy;
    audit_spool s;
    assert_true(audit_spool_open(&s, path, &busy, err, sizeof err));
    assert_int_equal(s.size, AUDIT_SPOOL_HEADER);
    char gen[sizeof s.generation];
    strcpy(gen, s.generation);
    buf b, back;
    buf_init(&b, 0);
    buf_init(&back, 0);
    audit_spool_encode(&b, ROWS, NROWS);
    assert_int_equal(audit_spool_write(&s, b.data, b.len), 1);
    s.sync = true; /* then written and fdatasync'ed */
    assert_int_equal(audit_spool_write(&s, b.data, b.len), 1);
    assert_int_equal(s.size, AUDIT_SPOOL_HEADER + 2 * (int64_t)b.len);

    /* another process cannot take it while it is held */
    pid_t pid = fork();
    if (pid == 0) {
        audit_spool other;
        bool other_busy;
        char e[256];
        _exit(!audit_spool_open(&other, path, &other_busy, e, sizeof e) && other_busy ? 0 : 1);
    }
    int status;
    waitpid(pid, &status, 0);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    audit_spool_close(&s);

    assert_true(audit_spool_open(&s, path, &busy, err, sizeof err));
    assert_string_equal(s.generation, gen);
    assert_int_equal(s.size, AUDIT_SPOOL_HEADER + 2 * (int64_t)b.len);
    assert_true(audit_spool_read(&s, AUDIT_SPOOL_HEADER + (int64_t)b.len, &back));
    assert_int_equal(back.len, b.len);
    assert_memory_equal(back.data, b.data, b.len);

    assert_true(audit_spool_reset(&s));
    assert_int_equal(s.size, AUDIT_SPOOL_HEADER);
    assert_string_not_equal(s.generation, gen);
    strcpy(gen, s.generation);
    audit_spool_close(&s);
    assert_true(audit_spool_open(&s, path, &busy, err, sizeof err));
    assert_string_equal(s.generation, gen);
    assert_int_equal(s.size, AUDIT_SPOOL_HEADER);
    audit_spool_close(&s);
    buf_free(&b);
    buf_free(&back);
}

static void a_damaged_header_gives_an_empty_spool(void **state)
{
    (void)state;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(write(fd, "not a spool at all, longer than a header", 40) == 40);
    close(fd);
    char err[256];
    bool busy;
    audit_spool s;
    assert_true(audit_spool_open(&s, path, &busy, err, sizeof err));
    assert_int_equal(s.size, AUDIT_SPOOL_HEADER);
    audit_spool_close(&s);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(records_read_back_as_written),
        cmocka_unit_test(a_cut_or_damaged_record_is_not_read),
        cmocka_unit_test_setup_teardown(the_file_keeps_what_was_written_and_its_generation, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_damaged_header_gives_an_empty_spool, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

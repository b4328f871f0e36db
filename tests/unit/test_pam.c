/* Unit tests for hl7/pam: HL7 dates, then PAM FR events applied through the
 * core on a throw-away SQLite database (no sockets): PID reading (names,
 * given-name lists, sex, birthplace, status), matching by IPP, INS checks
 * reported at PID-3, unknown events, the tolerant ZBE of the ANS A03 example,
 * the journal entry of a movement and the rupture check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/circle.h"
#include "hl7/pam_internal.h"
#include "store/migrate.h"
#include "util/timeutil.h"

/* ---- dates ---------------------------------------------------------------- */

static void test_ts(void **state)
{
    (void)state;
    int64_t ms;
    assert_true(pam_ts_ms("20240306110000+0100", &ms));
    assert_int_equal(ms, 1709719200000); /* 2024-03-06T10:00:00Z */
    assert_true(pam_ts_ms("20240306", &ms));
    assert_true(pam_ts_ms("202403061100", &ms));
    assert_true(pam_ts_ms("20240306110000.1234-0500", &ms));
    assert_false(pam_ts_ms("2024", &ms));
    assert_false(pam_ts_ms("20241306", &ms));
    assert_false(pam_ts_ms("2024030A", &ms));
    assert_false(pam_ts_ms("", &ms));
    arena a;
    arena_init(&a, 0);
    assert_string_equal(pam_ts_display(&a, "20240306110000"), "06/03/2024 11:00");
    assert_string_equal(pam_ts_display(&a, "20240306"), "06/03/2024");
    assert_null(pam_ts_display(&a, "junk"));
    arena_free(&a);
}

/* ---- events on a database --------------------------------------------------- */

typedef struct fixture {
    app app;
    char path[64];
    arena ar;
    pam_config cfg;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    snprintf(f->path, sizeof f->path, "/tmp/parcours-test-pam-%d.db", (int)getpid());
    unlink(f->path);
    char url[80], err[256];
    snprintf(url, sizeof url, "sqlite:%s", f->path);
    app_config_defaults(&f->app.cfg);
    f->app.db = db_open(url, 2, err, sizeof err);
    assert_non_null(f->app.db);
    assert_true(migrate_apply(f->app.db, err, sizeof err) > 0);
    arena_init(&f->ar, 0);
    f->cfg = (pam_config){.author_id = 0, .author_name = "Flux HL7", .rupture_ms = 7 * 86400000LL};
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    arena_free(&f->ar);
    db_close(f->app.db);
    unlink(f->path);
    char wal[80];
    snprintf(wal, sizeof wal, "%s-wal", f->path);
    unlink(wal);
    snprintf(wal, sizeof wal, "%s-shm", f->path);
    unlink(wal);
    free(f);
    return 0;
}

/* Parses text (segments separated by \r) and applies it as the platform. */
static pam_result apply(fixture *f, const char *text)
{
    hl7_message *m = NULL;
    hl7_error perr;
    assert_int_equal(hl7_parse(&f->ar, text, strlen(text), 0, &m, &perr), HL7_OK);
    ctx c = {.app = &f->app,
             .arena = &f->ar,
             .now_ms = time_now_ms(),
             .client_addr = "test",
             .request_id = "test"};
    pam_result r;
    pam_apply(&c, &f->cfg, m, &r);
    ctx_done(&c);
    return r;
}

static const char *one(fixture *f, const char *sql)
{
    db_conn *c = db_acquire(f->app.db);
    db_rows rows;
    assert_int_equal(db_exec(c, &f->ar, sql, DB_NOPARAMS, &rows), DB_OK);
    db_release(f->app.db, c);
    return rows.n ? db_text(&rows, 0, 0) : NULL;
}

#define MSH(trigger, id)                                                                           \
    "MSH|^~\\&|GAM|CHU-U|PARCOURS|PARCOURS|20260101120000||ADT^" trigger "|" id "|P|2.5\r"

static void test_identity(void **state)
{
    fixture *f = *state;
    pam_result r = apply(
        f, MSH("A28", "1") "PID|1||IPP1^^^CHU-U&1.2.3&ISO^PI~279035121518989^^^ASIP-SANTE-INS-"
                           "NIR&1.2.250.1.213.1.4.10&ISO^INS||MARTIN^ANNE^MARIE,CLAIRE^^^^L~"
                           "DURAND^ANNIE^^^^^D||19790328|F|||1 rue X^^PARIS^^75007^FRA^H~"
                           "^^^^^^BDL^^63220|||||||||||||||||||||VALI");
    assert_int_equal(r.code, HL7_ACK_AA);
    assert_false(r.has_error);
    assert_true(r.patient_id > 0);
    assert_string_equal(one(f, "SELECT birth_given_names || '|' || used_family_name || '|' || "
                               "used_given_name || '|' || birthplace_code || '|' || "
                               "identity_status FROM patient"),
                        "ANNE MARIE CLAIRE|DURAND|ANNIE|63220|VALI");
    /* the same IPP: found, not created again; sex U is read as I */
    r = apply(f, MSH("A31", "2") "PID|1||IPP1^^^CHU-U^PI||MARTIN^ANNE^ANNE MARIE CLAIRE^^^^L||"
                                 "19790328|F");
    assert_int_equal(r.code, HL7_ACK_AA);
    assert_string_equal(one(f, "SELECT count(*) FROM patient"), "1");
    r = apply(f, MSH("A28", "3") "PID|1||IPP2^^^CHU-U^PI||DOE^ALEX^^^^^L||19800101|U");
    assert_int_equal(r.code, HL7_ACK_AA);
    assert_string_equal(one(f, "SELECT sex FROM patient WHERE birth_family_name = 'DOE'"), "I");
}

static void test_refusals(void **state)
{
    fixture *f = *state;
    pam_result r = apply(f, MSH("A99", "9") "PID|1||X^^^CHU-U^PI");
    assert_int_equal(r.code, HL7_ACK_AR);
    assert_string_equal(r.error.segment_id, "MSH");
    assert_int_equal(r.error.field, 9);
    assert_int_equal(r.error.code, HL7_E_UNSUPPORTED_EVENT_CODE);
    r = apply(f, MSH("A28", "10") "PID|1||B1^^^CHU-U^PI~279035121518900^^^ASIP-SANTE-INS-NIR&"
                                  "1.2.250.1.213.1.4.10&ISO^INS||KEY^BAD^^^^^L||19790328|F");
    assert_int_equal(r.code, HL7_ACK_AE);
    assert_string_equal(r.error.segment_id, "PID");
    assert_int_equal(r.error.field, 3);
    r = apply(f, MSH("A28", "11") "PID|1||B2^^^CHU-U^PI||NAME^GIVEN^^^^^L||20990101|F");
    assert_int_equal(r.code, HL7_ACK_AE);
    assert_int_equal(r.error.field, 7);
    r = apply(f, MSH("A28", "12") "EVN||20260101");
    assert_int_equal(r.code, HL7_ACK_AE);
    assert_string_equal(r.error.segment_id, "PID");
    r = apply(f, MSH("A47", "13") "PID|1||NEW^^^CHU-U^PI||A^B^^^^^L||19500101|M\r"
                                  "MRG|UNKNOWN^^^CHU-U^PI");
    assert_int_equal(r.code, HL7_ACK_AE);
    assert_string_equal(r.error.segment_id, "MRG");
}

/* The ANS A03 example puts an end date in ZBE-3 and the action in ZBE-5. */
static void test_movement_shifted_zbe(void **state)
{
    fixture *f = *state;
    pam_result r = apply(f, MSH("A01", "20") "PID|1||MV^^^CHU-U^PI||LEROY^PAUL^^^^L||19400101|M\r"
                                             "PV1|1|E|^^^CHU-U^O\r"
                                             "ZBE|M1^CHU-U|20240306110000||INSERT|N||"
                                             "Urgences^^^^^^UF^^^1|Urgences^^^^^^UF^^^1|HMS");
    assert_int_equal(r.code, HL7_ACK_AA);
    r = apply(f, MSH("A03", "21") "PID|1||MV^^^CHU-U^PI||LEROY^PAUL^^^^L||19400101|M\r"
                                  "PV1|1|I|^^^CHU-U^O\r"
                                  "ZBE|M2^CHU-U|20240307110000|20260309102840||INSERT|N||"
                                  "Cardiologie^^^^^^UF^^^8782||HMS");
    assert_int_equal(r.code, HL7_ACK_AA);
    assert_string_equal(one(f, "SELECT event || '|' || unit || '|' || rupture FROM hl7_movement "
                               "WHERE movement_id = 'M2'"),
                        "A03|Cardiologie|pending");
    /* no circle: no note */
    assert_string_equal(one(f, "SELECT count(*) FROM note"), "0");
    /* a cancellation by ZBE-1 clears the pending check */
    r = apply(f, MSH("A13", "22") "PID|1||MV^^^CHU-U^PI||LEROY^PAUL^^^^L||19400101|M\r"
                                  "PV1|1|I\rZBE|M2^CHU-U|20240307120000||CANCEL|N");
    assert_int_equal(r.code, HL7_ACK_AA);
    assert_null(one(f, "SELECT rupture FROM hl7_movement WHERE movement_id = 'M2'"));
}

/* A movement of a patient with a care circle: a note signed by the system
 * account; a discharge without the PCP's note: an urgent "rupture" alert. */
static void test_journal_and_rupture(void **state)
{
    fixture *f = *state;
    db_conn *c = db_acquire(f->app.db);
    db_rows rows;
    assert_int_equal(
        db_exec(c, &f->ar, "SELECT id FROM app_user WHERE login = 'hl7'", DB_NOPARAMS, &rows),
        DB_OK);
    f->cfg.author_id = db_int(&rows, 0, 0);
    assert_int_equal(db_exec(c, &f->ar,
                             "INSERT INTO app_user (login, display_name, role, password_hash, "
                             "created_at, updated_at) VALUES ('dr.x', 'Dr X', 'professional', "
                             "'!', 0, 0), ('coord.x', 'Coord X', 'coordinator', '!', 0, 0)",
                             DB_NOPARAMS, NULL),
                     DB_OK);
    db_release(f->app.db, c);
    pam_result r = apply(f, MSH("A28", "30") "PID|1||RC^^^CHU-U^PI||RUPT^JEAN^^^^L||19300101|M");
    assert_int_equal(r.code, HL7_ACK_AA);
    int64_t pid = r.patient_id;
    ctx cx = {.app = &f->app,
              .arena = &f->ar,
              .now_ms = time_now_ms(),
              .client_addr = "test",
              .request_id = "test"};
    const char *roles[] = {"PCP", "REFERENT"};
    const char *logins[] = {"dr.x", "coord.x"};
    for (int i = 0; i < 2; i++) {
        char sql[160];
        snprintf(sql, sizeof sql, "SELECT id FROM app_user WHERE login = '%s'", logins[i]);
        int64_t uid = strtoll(one(f, sql), NULL, 10);
        member_input mi = {.kind = "professional", .role = roles[i], .user_id = uid};
        circle_member m;
        const char *tok;
        core_error err = {0};
        assert_int_equal(circle_add_member(&cx, pid, &mi, &m, &tok, &err), CORE_OK);
    }
    ctx_done(&cx);
    r = apply(f, MSH("A03", "31") "PID|1||RC^^^CHU-U^PI||RUPT^JEAN^^^^L||19300101|M\r"
                                  "PV1|1|I\rZBE|D1^CHU-U|20200101100000||INSERT|N||Médecine");
    assert_int_equal(r.code, HL7_ACK_AA);
    assert_string_equal(one(f, "SELECT text || '|' || author_name || '|' || source FROM note"),
                        "Sortie d'hospitalisation, Médecine, CHU-U, 01/01/2020 10:00|"
                        "Flux HL7|hl7");
    ctx rc = {.app = &f->app,
              .arena = &f->ar,
              .now_ms = time_now_ms(),
              .client_addr = "test",
              .request_id = "test"};
    assert_int_equal(pam_check_ruptures(&rc, &f->cfg, 10), 1);
    assert_int_equal(pam_check_ruptures(&rc, &f->cfg, 10), 0); /* checked once */
    ctx_done(&rc);
    assert_string_equal(one(f, "SELECT a.login || '|' || n.urgent || '|' || n.title FROM "
                               "notification n JOIN app_user a ON a.id = n.user_id "
                               "WHERE n.kind = 'rupture'"),
                        "coord.x|1|Rupture de parcours");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ts),
        cmocka_unit_test_setup_teardown(test_identity, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_movement_shifted_zbe, setup, teardown),
        cmocka_unit_test_setup_teardown(test_journal_and_rupture, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

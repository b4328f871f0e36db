/* gen_journal: fills an initialised parcours database with a synthetic
 * coordination workload for bench/journal.sh — N patients, a circle of M
 * members each (the bench user first), and K notes of ~300 bytes spread over
 * the patients, in large transactions. Bench-only: writes SQL directly.
 *
 *   gen_journal DB_URL PATIENTS MEMBERS NOTES BENCH_LOGIN OTHER_LOGINS... */
#include "store/db.h"
#include "store/journal_store.h"
#include "util/arena.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const words[] = {
    "pansement", "refait", "tension", "stable",   "patiente",     "souriante",
    "douleur",   "légère", "repas",   "pris",     "traitement",   "observé",
    "visite",    "demain", "matin",   "glycémie", "correcte",     "aidant",
    "présent",   "chute",  "aucune",  "escarre",  "surveillance", "poursuivie"};

static unsigned long long rng = 88172645463325252ULL;
static unsigned next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng >> 11);
}

static void fail(db_conn *c, const char *what)
{
    fprintf(stderr, "gen_journal: %s: %s\n", what, db_errmsg(c));
    exit(1);
}

int main(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr, "usage: gen_journal DB_URL PATIENTS MEMBERS NOTES BENCH_USER [USERS...]\n");
        return 2;
    }
    const char *url = argv[1];
    long patients = atol(argv[2]), members = atol(argv[3]), notes = atol(argv[4]);
    int nusers = argc - 6;
    char err[256];
    db *d = db_open(url, 1, err, sizeof err);
    if (!d) {
        fprintf(stderr, "gen_journal: %s\n", err);
        return 1;
    }
    db_conn *c = db_acquire(d);
    if (db_kind(d) == DB_SQLITE)
        /* notes land on random patients' pages: a large cache saves re-reading them */
        db_exec_script(c, "PRAGMA synchronous=OFF; PRAGMA cache_size=-1048576");
    arena a;
    arena_init(&a, 1 << 16);
    /* logins to ids: the first is the bench user, member of every circle */
    int64_t *ids = calloc((size_t)nusers + 1, sizeof *ids);
    for (int i = 0; i <= nusers; i++) {
        db_rows rows;
        if (db_exec(c, &a, "SELECT id FROM app_user WHERE login = ?",
                    DB_PARAMS(DB_TEXT(argv[5 + i])), &rows) != DB_OK ||
            rows.n != 1) {
            fprintf(stderr, "gen_journal: unknown login %s\n", argv[5 + i]);
            return 1;
        }
        ids[i] = db_int(&rows, 0, 0);
    }
    int64_t bench_user = ids[0];
    int64_t now = time_now_ms();
    int64_t t0 = time_mono_us();
    const long batch = 5000;
    for (long i = 0; i < patients; i++) {
        if (i % batch == 0 && db_begin_write(c) != DB_OK)
            fail(c, "begin");
        arena_reset(&a);
        char name[32], norm[32];
        snprintf(name, sizeof name, "Bench%ld", i);
        snprintf(norm, sizeof norm, "BENCH%ld", i);
        for (char *p = norm; *p; p++)
            if (*p >= '0' && *p <= '9')
                *p = (char)('A' + (*p - '0'));
        db_rows rows;
        if (db_exec(
                c, &a,
                "INSERT INTO patient (birth_family_name, birth_given_names, first_given_name,"
                " sex, birth_date, identity_status, norm_birth_name, norm_first_given,"
                " norm_given_names, phon_birth_name, phon_first_given, created_at, updated_at)"
                " VALUES (?, 'Camille', 'Camille', 'F', '1950-01-01', 'PROV', ?, 'CAMILLE',"
                " 'CAMILLE', ?, 'KAMIL', ?, ?) RETURNING id",
                DB_PARAMS(DB_TEXT(name), DB_TEXT(norm), DB_TEXT(norm), DB_INT(now), DB_INT(now)),
                &rows) != DB_OK)
            fail(c, "patient");
        int64_t pid = db_int(&rows, 0, 0);
        for (long m = 0; m < members; m++) {
            int64_t user = m == 0 ? bench_user : (nusers ? ids[1 + (m - 1) % nusers] : 0);
            if (!user)
                continue;
            if (db_exec(c, &a,
                        "INSERT INTO circle_member (patient_id, kind, role, user_id, display_name,"
                        " start_at, created_at) VALUES (?, 'professional', 'MEMBER', ?, 'Membre', "
                        "?, ?)",
                        DB_PARAMS(DB_INT(pid), DB_INT(user), DB_INT(now - 1000), DB_INT(now)),
                        NULL) != DB_OK)
                fail(c, "member");
        }
        if (i % batch == batch - 1 || i == patients - 1)
            if (db_commit(c) != DB_OK)
                fail(c, "commit");
    }
    int64_t t1 = time_mono_us();
    printf("patients: %ld with %ld members each in %.1f s\n", patients, members,
           (double)(t1 - t0) / 1e6);
    char text[400];
    for (long i = 0; i < notes; i++) {
        if (i % 20000 == 0 && db_begin_write(c) != DB_OK)
            fail(c, "begin");
        if (i % 1000 == 0)
            arena_reset(&a);
        size_t len = 0;
        while (len < 280) {
            const char *w = words[next_rand() % (sizeof words / sizeof words[0])];
            size_t wl = strlen(w);
            memcpy(text + len, w, wl);
            len += wl;
            text[len++] = ' ';
        }
        text[len] = '\0';
        int64_t pid = 1 + (int64_t)(next_rand() % (unsigned)patients);
        /* the store's insert: SQLite places notes by patient (migration 0011) */
        note n = {.patient_id = pid,
                  .author_id = bench_user,
                  .author_name = "Auteur",
                  .type = "GEN",
                  .text = text,
                  .visibility = "all",
                  .created_at = now + i};
        db_rc rc = journal_store_insert(c, &a, &n);
        if (rc != DB_OK)
            fail(c, "note");
        if (i % 20000 == 19999 || i == notes - 1)
            if (db_commit(c) != DB_OK)
                fail(c, "commit");
    }
    int64_t t2 = time_mono_us();
    printf("notes: %ld in %.1f s (%.0f notes/s)\n", notes, (double)(t2 - t1) / 1e6,
           notes / ((double)(t2 - t1) / 1e6 + 1e-9));
    arena_free(&a);
    free(ids);
    db_release(d, c);
    db_close(d);
    return 0;
}

/* Unit tests of core/identity_match: duplicate scores and their reasons. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/identity_match.h"
#include "core/synth.h"

static arena ar;

static patient person(const char *birth, const char *used, const char *given, const char *sex,
                      const char *date)
{
    patient p = {.birth_family_name = birth,
                 .used_family_name = used,
                 .birth_given_names = given,
                 .sex = sex,
                 .birth_date = date};
    char first[64];
    size_t n = strcspn(given, " ");
    memcpy(first, given, n);
    first[n] = '\0';
    p.first_given_name = arena_strdup(&ar, first);
    assert_true(idmatch_fill_keys(&ar, &p));
    return p;
}

static int score(const patient *a, const patient *b, idmatch *m)
{
    idmatch_score(a, b, m);
    return m->score;
}

static const idmatch_trait *trait(const idmatch *m, const char *name)
{
    for (int i = 0; i < m->ntraits; i++)
        if (strcmp(m->traits[i].trait, name) == 0)
            return &m->traits[i];
    return NULL;
}

static void typing_errors_stay_strong_duplicates(void **state)
{
    (void)state;
    idmatch m;
    patient a = person("DUBOIS", NULL, "Marie Louise", "F", "1951-03-27");
    patient typo = person("DUBOSI", NULL, "Marie", "F", "1951-03-27");
    assert_true(score(&a, &typo, &m) >= IDMATCH_STRONG);
    assert_int_equal(trait(&m, "birth_name")->verdict, IDM_CLOSE);
    patient s2 = person("Dubois", NULL, "Marie", "F", "1951-03-12");
    patient s3 = person("Dubois", NULL, "Marie", "F", "1951-12-03");
    assert_true(score(&s2, &s3, &m) >= IDMATCH_STRONG);
    assert_string_equal(trait(&m, "birth_date")->how, "day and month swapped");
    patient accents = person("Lefèvre", NULL, "Hélène", "F", "1960-01-05");
    patient plain = person("LEFEVRE", NULL, "HELENE", "F", "1960-01-05");
    assert_int_equal(score(&accents, &plain, &m), 98); /* all equal; birthplace unknown */
    assert_int_equal(trait(&m, "birth_name")->verdict, IDM_EQUAL);
    assert_int_equal(trait(&m, "given_name")->verdict, IDM_EQUAL);
    patient given2 = person("Martin", NULL, "Louise Marie", "F", "1951-03-27");
    patient given1 = person("Martin", NULL, "Marie", "F", "1951-03-27");
    assert_true(score(&given1, &given2, &m) >= IDMATCH_STRONG);
    assert_string_equal(trait(&m, "given_name")->how, "another of the given names");
}

static void used_name_against_birth_name(void **state)
{
    (void)state;
    idmatch m;
    patient married = person("Durand", "Moreau", "Claire", "F", "1970-06-06");
    patient as_used = person("Moreau", NULL, "Claire", "F", "1970-06-06");
    assert_true(score(&married, &as_used, &m) >= IDMATCH_STRONG);
    assert_string_equal(trait(&m, "birth_name")->how, "used name = birth name");
}

static void different_people_score_low(void **state)
{
    (void)state;
    idmatch m;
    patient a = person("Rousseau", NULL, "Pierre", "M", "1980-07-14");
    patient b = person("Garnier", NULL, "Sophie", "F", "1980-07-14");
    assert_true(score(&a, &b, &m) < IDMATCH_POTENTIAL);
    patient twin1 = person("Bernard", NULL, "Lucas", "M", "2001-02-03");
    patient twin2 = person("Bernard", NULL, "Emma", "F", "2001-02-03");
    assert_true(score(&twin1, &twin2, &m) < IDMATCH_POTENTIAL);
    patient older = person("Bernard", NULL, "Lucas", "M", "1931-09-20");
    assert_true(score(&twin1, &older, &m) < IDMATCH_POTENTIAL);
}

static void ins_decides_when_both_have_one(void **state)
{
    (void)state;
    idmatch m;
    patient a = person("Dupont", NULL, "Marie", "F", "1951-03-27");
    patient b = a;
    a.ins_value = "279035121518989";
    b.ins_value = "279035121518989";
    assert_int_equal(score(&a, &b, &m), 100);
    b.ins_value = "279035121518990";
    assert_int_equal(score(&a, &b, &m), 0);
    assert_int_equal(trait(&m, "ins")->verdict, IDM_DIFFERENT);
    assert_string_equal(idmatch_reasons(&ar, &m), "ins:different");
}

static void swap_day_month(void **state)
{
    (void)state;
    char out[11];
    assert_true(idmatch_swap_day_month("1980-03-12", out));
    assert_string_equal(out, "1980-12-03");
    assert_false(idmatch_swap_day_month("1980-03-13", out)); /* 13 is no month */
    assert_false(idmatch_swap_day_month("1980-03-03", out));
    assert_false(idmatch_swap_day_month("1980-03", out));
}

/* What the birth-date index holds of b: idmatch_bound may read nothing else. */
static patient index_keys(const patient *b)
{
    return (patient){.id = b->id,
                     .birth_date = b->birth_date,
                     .norm_birth_name = b->norm_birth_name,
                     .norm_used_name = b->norm_used_name,
                     .phon_birth_name = b->phon_birth_name,
                     .phon_used_name = b->phon_used_name};
}

static void check_bound(const patient *a, const patient *b)
{
    idmatch m;
    idmatch_score(a, b, &m);
    patient k = index_keys(b);
    int bound = idmatch_bound(a, &k);
    int by_date = idmatch_bound_date(a, b->birth_date);
    if (m.score < 100 && by_date < m.score)
        fail_msg("date bound %d < score %d: %s vs %s", by_date, m.score, a->birth_date,
                 b->birth_date);
    if (m.score < 100 && bound < m.score)
        fail_msg("bound %d < score %d: %s/%s %s vs %s/%s %s", bound, m.score, a->norm_birth_name,
                 a->norm_first_given, a->birth_date, b->norm_birth_name, b->norm_first_given,
                 b->birth_date);
}

/* The duplicate check skips candidates whose bound is below the threshold
 * without reading their record: the bound must never be below the score,
 * whatever the candidate's given names, sex and birthplace. Checked on a
 * synthetic set: every corrupted duplicate against its original, both ways,
 * with other given names / sex / birthplace, and neighbours. */
static void bound_never_below_score(void **state)
{
    (void)state;
    synth_plan plan;
    assert_true(synth_plan_init(&plan, 7, 6000, 0.3));
    int checked = 0, pruned_same_date = 0, same_date = 0;
    patient prev[8] = {0};
    for (int64_t i = 0; i < plan.total; i++) {
        synth_record r, o;
        patient a, b;
        synth_make(&plan, i, &ar, &r);
        assert_true(synth_to_patient(&r, &ar, 0, &a));
        a.id = i + 1;
        if (r.original >= 0) {
            synth_make(&plan, r.original, &ar, &o);
            assert_true(synth_to_patient(&o, &ar, 0, &b));
            b.id = r.original + 1;
            check_bound(&a, &b);
            check_bound(&b, &a);
            patient other = b;
            other.ins_value = NULL;
            other.norm_first_given = "ZZZ";
            other.norm_given_names = "ZZZ";
            other.phon_first_given = "Z";
            other.sex = strcmp(b.sex, "F") == 0 ? "M" : "F";
            other.birthplace_code = "99999";
            check_bound(&a, &other);
            checked += 3;
        }
        for (int k = 0; k < 8; k++) {
            if (!prev[k].birth_date)
                continue;
            check_bound(&a, &prev[k]);
            patient same = prev[k];
            same.birth_date = a.birth_date; /* born the same day: the block's case */
            check_bound(&a, &same);
            patient key = index_keys(&same);
            same_date++;
            pruned_same_date += idmatch_bound(&a, &key) < IDMATCH_POTENTIAL;
            checked += 2;
        }
        prev[i % 8] = a;
    }
    assert_true(checked > 90000);
    /* and it does prune: strangers born the same day are mostly skipped */
    assert_true(pruned_same_date > same_date * 9 / 10);
    /* the date alone prunes too: another day of the same year */
    patient a = person("MARTIN", NULL, "Louis", "M", "1950-03-04");
    assert_true(idmatch_bound_date(&a, "1950-07-21") < IDMATCH_POTENTIAL);
    assert_true(idmatch_bound_date(&a, "1950-04-03") >= IDMATCH_STRONG);    /* day/month swapped */
    assert_true(idmatch_bound_date(&a, "1950-03-05") >= IDMATCH_POTENTIAL); /* one part differs */
}

static int setup(void **state)
{
    (void)state;
    arena_init(&ar, 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    arena_free(&ar);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(typing_errors_stay_strong_duplicates),
        cmocka_unit_test(used_name_against_birth_name),
        cmocka_unit_test(different_people_score_low),
        cmocka_unit_test(ins_decides_when_both_have_one),
        cmocka_unit_test(swap_day_month),
        cmocka_unit_test(bound_never_below_score),
    };
    return cmocka_run_group_tests_name("identity_match", tests, setup, teardown);
}

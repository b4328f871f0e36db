/* Unit tests of core/identity_match: duplicate scores and their reasons. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/identity_match.h"

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
    };
    return cmocka_run_group_tests_name("identity_match", tests, setup, teardown);
}

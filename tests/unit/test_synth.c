/* Unit tests for core/synth: determinism, valid INS, API validation, and that
 * each corruption kind changes exactly what its name says. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/identity_match.h"
#include "core/ins.h"
#include "core/name_match.h"
#include "core/synth.h"

#define SET_SIZE 3000

static void json_of(const synth_plan *p, int64_t i, buf *out)
{
    arena ar;
    arena_init(&ar, 0);
    synth_record r;
    synth_make(p, i, &ar, &r);
    buf_reset(out);
    synth_write_json(&r, out);
    buf_printf(out, "|%lld|%d", (long long)r.original, r.corruption);
    arena_free(&ar);
}

static void test_same_seed_same_set(void **state)
{
    (void)state;
    synth_plan p1, p2, other;
    assert_true(synth_plan_init(&p1, 7, SET_SIZE, 0.1));
    assert_true(synth_plan_init(&p2, 7, SET_SIZE, 0.1));
    assert_true(synth_plan_init(&other, 8, SET_SIZE, 0.1));
    assert_int_equal(p1.duplicates, 300);
    assert_int_equal(p1.originals, 2700);
    buf a, b;
    buf_init(&a, 0);
    buf_init(&b, 0);
    int differ = 0;
    /* in any order: record i depends on (plan, i) only */
    for (int64_t i = SET_SIZE - 1; i >= 0; i -= 7) {
        json_of(&p1, i, &a);
        json_of(&p2, i, &b);
        assert_string_equal(a.data, b.data);
        json_of(&other, i, &b);
        differ += strcmp(a.data, b.data) != 0;
    }
    assert_true(differ > 400); /* another seed, another set */
    buf_free(&a);
    buf_free(&b);
}

static void test_plan_bounds(void **state)
{
    (void)state;
    synth_plan p;
    assert_false(synth_plan_init(&p, 1, 0, 0.05));
    assert_false(synth_plan_init(&p, 1, 10, 0.6));
    assert_false(synth_plan_init(&p, 1, 10, -0.1));
    assert_true(synth_plan_init(&p, 1, 1, 0.5));
    assert_int_equal(p.originals, 1);
    assert_int_equal(p.duplicates, 0);
    assert_true(synth_plan_init(&p, 1, 10, 0.5));
    assert_int_equal(p.duplicates, 5);
}

/* Every record passes the API's validation, gets search keys, and a valid
 * INS that agrees with its traits; the status follows the evidence. */
static void test_records_are_valid(void **state)
{
    (void)state;
    synth_plan p;
    assert_true(synth_plan_init(&p, 11, SET_SIZE, 0.05));
    synth_ins_set *set = synth_ins_set_new(SET_SIZE);
    arena ar;
    arena_init(&ar, 0);
    int with_ins = 0, married = 0, compound_given = 0, accented = 0, abroad = 0, several = 0;
    buf js;
    buf_init(&js, 0);
    for (int64_t i = 0; i < SET_SIZE; i++) {
        synth_record r;
        synth_make(&p, i, &ar, &r);
        synth_ins_claim(set, &r, &ar);
        core_error err = {0};
        if (patients_validate(&r.in, true, &err) != CORE_OK)
            fail_msg("record %lld refused: %s %s", (long long)i, err.code, err.field);
        patient pt;
        assert_true(synth_to_patient(&r, &ar, 1700000000000, &pt));
        assert_non_null(pt.norm_birth_name);
        assert_non_null(pt.phon_first_given);
        assert_true(
            strchr(pt.birth_given_names, ' ') == NULL ||
            strncmp(pt.first_given_name, pt.birth_given_names, strlen(pt.first_given_name)) == 0);
        ins_status st;
        assert_true(ins_status_parse(r.identity_status, &st));
        assert_int_equal(st, ins_status_from_evidence(r.in.insi, r.in.document_type != NULL));
        if (r.in.ins_value) {
            with_ins++;
            assert_int_equal(ins_check(r.in.ins_value, r.in.sex[0], NULL), INS_OK);
            assert_string_equal(r.in.ins_oid, "1.2.250.1.213.1.4.11");
            assert_int_equal(ins_oid_kind(r.in.ins_oid), INS_SYSTEM_DEMO);
            /* NIR: sex, YY, MM, birthplace */
            assert_int_equal(r.in.ins_value[0], r.in.sex[0] == 'F' ? '2' : '1');
            assert_memory_equal(r.in.ins_value + 1, r.in.birth_date + 2, 2);
            assert_memory_equal(r.in.ins_value + 3, r.in.birth_date + 5, 2);
            assert_memory_equal(r.in.ins_value + 5, r.in.birthplace_code, 5);
            assert_true(r.in.insi);
        }
        married += r.in.used_family_name != NULL && r.in.sex[0] == 'F';
        compound_given += strchr(r.in.birth_given_names, '-') != NULL;
        accented += strstr(r.in.birth_family_name, "\xc3") != NULL ||
                    strstr(r.in.birth_given_names, "\xc3") != NULL;
        abroad += r.in.birthplace_code && strncmp(r.in.birthplace_code, "99", 2) == 0;
        several += strchr(r.in.birth_given_names, ' ') != NULL;
        /* the JSON body is what POST /api/patients takes */
        buf_reset(&js);
        synth_write_json(&r, &js);
        cJSON *doc = cJSON_Parse(js.data);
        assert_non_null(doc);
        assert_true(cJSON_IsArray(cJSON_GetObjectItem(doc, "birth_given_names")));
        cJSON_Delete(doc);
        if (i % 256 == 255)
            arena_reset(&ar);
    }
    /* the shape of the set: about 60% with an INS, married women, compound
     * and accented names, births abroad, several given names */
    assert_in_range(with_ins, SET_SIZE * 50 / 100, SET_SIZE * 62 / 100);
    assert_true(married > SET_SIZE / 10);
    assert_true(compound_given > SET_SIZE / 50);
    assert_true(accented > SET_SIZE / 10);
    assert_true(abroad > SET_SIZE / 20);
    assert_true(several > SET_SIZE / 3);
    buf_free(&js);
    arena_free(&ar);
    synth_ins_set_free(set);
}

/* A taken NIR moves to another order number, still valid, still unique. */
static void test_ins_claim_makes_unique(void **state)
{
    (void)state;
    synth_plan p;
    assert_true(synth_plan_init(&p, 3, 100, 0));
    arena ar;
    arena_init(&ar, 0);
    synth_record a, b;
    int64_t i = 0;
    do
        synth_make(&p, i++, &ar, &a);
    while (!a.in.ins_value);
    b = a;
    synth_ins_set *set = synth_ins_set_new(0);
    synth_ins_claim(set, &a, &ar);
    const char *first = a.in.ins_value;
    synth_ins_claim(set, &b, &ar);
    assert_non_null(b.in.ins_value);
    assert_string_not_equal(first, b.in.ins_value);
    assert_memory_equal(first, b.in.ins_value, 10); /* same sex, birth month, place */
    assert_int_equal(ins_check(b.in.ins_value, b.in.sex[0], NULL), INS_OK);
    synth_ins_set_free(set);
    arena_free(&ar);
}

/* ---- corruption kinds ------------------------------------------------------ */

static const char *norm(arena *ar, const char *s)
{
    char out[NM_NORM_SIZE];
    assert_int_equal(nm_normalize(s, out, sizeof out), NM_OK);
    return arena_strdup(ar, out);
}

static bool same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static int words(const char *list, char out[8][128])
{
    int n = 0;
    for (const char *p = list; *p && n < 8;) {
        size_t k = strcspn(p, " ");
        snprintf(out[n++], 128, "%.*s", (int)k, p);
        p += k;
        while (*p == ' ')
            p++;
    }
    return n;
}

/* Code points of a UTF-8 name (ASCII and 2-byte letters). */
static int cps(const char *s, uint32_t *out)
{
    int n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        if (*p < 0x80) {
            out[n++] = *p++;
        } else {
            out[n++] = ((uint32_t)(p[0] & 0x1f) << 6) | (p[1] & 0x3f);
            p += 2;
        }
    }
    return n;
}

/* The typo kind that turns a into b, or SYNTH_NONE. */
static synth_corruption typo_between(const char *a, const char *b)
{
    uint32_t x[200], y[200];
    int n = cps(a, x), m = cps(b, y);
    int i = 0;
    while (i < n && i < m && x[i] == y[i])
        i++;
    if (n == m) {
        int diff = 0;
        for (int k = 0; k < n; k++)
            diff += x[k] != y[k];
        if (diff == 1)
            return SYNTH_TYPO_SUBSTITUTION;
        if (diff == 2 && i + 1 < n && x[i] == y[i + 1] && x[i + 1] == y[i] &&
            memcmp(x + i + 2, y + i + 2, sizeof *x * (size_t)(n - i - 2)) == 0)
            return SYNTH_TYPO_TRANSPOSITION;
        return SYNTH_NONE;
    }
    if (m == n + 1 && memcmp(x + i, y + i + 1, sizeof *x * (size_t)(n - i)) == 0)
        return SYNTH_TYPO_INSERTION;
    if (n == m + 1 && memcmp(x + i + 1, y + i, sizeof *x * (size_t)(m - i)) == 0)
        return SYNTH_TYPO_DELETION;
    return SYNTH_NONE;
}

static void check_duplicate(arena *ar, const synth_record *d, const synth_record *o)
{
    const patient_input *a = &o->in, *b = &d->in;
    char wa[8][128], wb[8][128];
    int na = words(a->birth_given_names, wa), nb = words(b->birth_given_names, wb);
    /* never the INS, never qualified; sex never changes */
    assert_null(b->ins_value);
    assert_false(b->insi);
    assert_string_equal(d->identity_status, "PROV");
    assert_string_equal(a->sex, b->sex);
    if (b->birthplace_code)
        assert_string_equal(a->birthplace_code, b->birthplace_code);
    bool date_same = same(a->birth_date, b->birth_date);
    bool family_same = same(a->birth_family_name, b->birth_family_name);
    bool given_same = same(a->birth_given_names, b->birth_given_names);
    switch (d->corruption) {
    case SYNTH_TYPO_SUBSTITUTION:
    case SYNTH_TYPO_INSERTION:
    case SYNTH_TYPO_DELETION:
    case SYNTH_TYPO_TRANSPOSITION:
        assert_true(date_same);
        assert_true(same(a->used_family_name, b->used_family_name));
        assert_int_equal(na, nb);
        if (!family_same) {
            assert_true(given_same);
            assert_int_equal(typo_between(a->birth_family_name, b->birth_family_name),
                             d->corruption);
        } else {
            /* the first given name, the others untouched */
            assert_int_equal(typo_between(wa[0], wb[0]), d->corruption);
            for (int k = 1; k < na; k++)
                assert_string_equal(wa[k], wb[k]);
        }
        /* a typo is visible once normalized too */
        assert_true(strcmp(norm(ar, a->birth_family_name), norm(ar, b->birth_family_name)) ||
                    strcmp(norm(ar, wa[0]), norm(ar, wb[0])));
        break;
    case SYNTH_GIVEN_SWAPPED:
        assert_true(date_same && family_same);
        assert_true(na >= 2);
        assert_int_equal(na, nb);
        assert_string_equal(wa[0], wb[1]);
        assert_string_equal(wa[1], wb[0]);
        for (int k = 2; k < na; k++)
            assert_string_equal(wa[k], wb[k]);
        break;
    case SYNTH_GIVEN_MISSING:
        assert_true(date_same && family_same);
        assert_true(na >= 2);
        assert_int_equal(nb, 1);
        assert_true(strcmp(wb[0], wa[0]) == 0 || strcmp(wb[0], wa[1]) == 0);
        break;
    case SYNTH_ACCENTS_DROPPED: {
        assert_true(date_same);
        const char *before[] = {a->birth_family_name, a->used_family_name, a->birth_given_names,
                                a->used_given_name};
        const char *after[] = {b->birth_family_name, b->used_family_name, b->birth_given_names,
                               b->used_given_name};
        bool had_accent = false;
        for (int k = 0; k < 4; k++) {
            assert_true((before[k] == NULL) == (after[k] == NULL));
            if (!after[k])
                continue;
            for (const char *c = after[k]; *c; c++)
                assert_true((unsigned char)*c < 0x80);
            for (const char *c = before[k]; *c; c++)
                had_accent = had_accent || (unsigned char)*c >= 0x80;
            assert_string_equal(norm(ar, before[k]), norm(ar, after[k]));
        }
        assert_true(had_accent);
        break;
    }
    case SYNTH_USED_NAME:
        assert_true(date_same && given_same);
        assert_non_null(a->used_family_name);
        assert_string_equal(b->birth_family_name, a->used_family_name);
        assert_null(b->used_family_name);
        assert_string_not_equal(norm(ar, a->birth_family_name), norm(ar, a->used_family_name));
        break;
    case SYNTH_DAY_MONTH_SWAPPED: {
        assert_true(family_same && given_same);
        char swapped[11];
        assert_true(idmatch_swap_day_month(a->birth_date, swapped));
        assert_string_equal(b->birth_date, swapped);
        break;
    }
    default:
        fail_msg("unexpected kind %d", d->corruption);
    }
}

static void test_corruptions_do_what_they_say(void **state)
{
    (void)state;
    synth_plan p;
    assert_true(synth_plan_init(&p, 5, 20000, 0.1));
    arena ar;
    arena_init(&ar, 0);
    int per_kind[SYNTH_CORRUPTION_COUNT] = {0};
    unsigned char *used = calloc((size_t)p.originals, 1);
    int detectable = 0;
    for (int64_t i = p.originals; i < p.total; i++) {
        synth_record d, o;
        synth_make(&p, i, &ar, &d);
        assert_true(d.original >= 0 && d.original < p.originals);
        assert_false(used[d.original]); /* one duplicate per original */
        used[d.original] = 1;
        synth_make(&p, d.original, &ar, &o);
        assert_int_equal(o.corruption, SYNTH_NONE);
        check_duplicate(&ar, &d, &o);
        per_kind[d.corruption]++;
        core_error err = {0};
        assert_int_equal(patients_validate(&d.in, true, &err), CORE_OK);
        /* and the scorer sees it as a potential duplicate */
        patient pd, po;
        assert_true(synth_to_patient(&d, &ar, 0, &pd));
        assert_true(synth_to_patient(&o, &ar, 0, &po));
        idmatch m;
        idmatch_score(&pd, &po, &m);
        detectable += m.score >= IDMATCH_POTENTIAL;
        if ((i & 127) == 0)
            arena_reset(&ar);
    }
    for (int k = 1; k < SYNTH_CORRUPTION_COUNT; k++)
        if (per_kind[k] < 80)
            fail_msg("kind %s: only %d of 2000", synth_corruption_code((synth_corruption)k),
                     per_kind[k]);
    assert_true(detectable >= 2000 * 99 / 100);
    free(used);
    arena_free(&ar);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_seed_same_set),
        cmocka_unit_test(test_plan_bounds),
        cmocka_unit_test(test_records_are_valid),
        cmocka_unit_test(test_ins_claim_makes_unique),
        cmocka_unit_test(test_corruptions_do_what_they_say),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

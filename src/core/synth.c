/* synth: synthetic French patient identities (see synth.h). */
#include "core/synth.h"
#include "core/synth_internal.h"
#include "core/audit.h"
#include "core/identity_match.h"
#include "core/ins.h"
#include "core/name_match.h"
#include "store/patient_bulk.h"
#include "util/alloc.h"
#include "util/json.h"
#include "util/timeutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ==== random streams (the generator itself: core/synth_internal.h) ====== */

enum { STREAM_PERSON = 1, STREAM_DUPLICATE = 2, STREAM_INS = 3 };

static rng rng_for(uint64_t seed, uint64_t stream, uint64_t index)
{
    return (rng){mix64(seed ^ mix64(stream * 0xD1B54A32D192ED03ull ^ mix64(index + 1)))};
}

/* ==== one person (its traits drawn from core/synth_data.c) =============== */

static bool leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in(int y, int m)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : d[m - 1];
}

/* Landline prefix digit of a department (01 Île-de-France ... 05 south-west). */
static int region_digit(const char *dep)
{
    static const char *const r1 = "75 77 78 91 92 93 94 95";
    static const char *const r2 = "14 18 22 27 28 29 35 36 37 41 44 45 49 50 53 56 61 72 76 85";
    static const char *const r3 = "02 08 10 21 25 39 51 52 54 55 57 58 59 60 62 67 68 70 71 80 88 "
                                  "89 90";
    static const char *const r4 = "01 03 04 05 06 07 11 13 15 26 30 34 38 42 43 48 63 66 69 73 74 "
                                  "83 84 2A 2B";
    char d[3] = {dep[0], dep[1], '\0'};
    if (strstr(r1, d))
        return 1;
    if (strstr(r2, d))
        return 2;
    if (strstr(r3, d))
        return 3;
    if (strstr(r4, d))
        return 4;
    return 5;
}

static const char *phone_number(rng *r, arena *ar, bool mobile, const char *dep)
{
    int prefix = mobile ? (rng_chance(r, 0.7) ? 6 : 7) : region_digit(dep);
    return arena_printf(ar, "0%d %02d %02d %02d %02d", prefix, (int)rng_below(r, 100),
                        (int)rng_below(r, 100), (int)rng_below(r, 100), (int)rng_below(r, 100));
}

/* Lower-case ASCII of a name for an e-mail address ("" if none). */
static const char *email_part(arena *ar, const char *name)
{
    char norm[NM_NORM_SIZE];
    if (nm_normalize(name, norm, sizeof norm) != NM_OK)
        return "";
    for (char *p = norm; *p; p++)
        *p = (char)(*p - 'A' + 'a');
    return arena_strdup(ar, norm);
}

static void make_person(uint64_t seed, int64_t index, arena *ar, synth_record *out)
{
    rng r = rng_for(seed, STREAM_PERSON, (uint64_t)index);
    patient_input *in = &out->in;
    memset(out, 0, sizeof *out);
    out->index = index;
    out->original = -1;

    char sex = rng_chance(&r, 0.515) ? 'F' : 'M';
    in->sex = sex == 'F' ? "F" : "M";

    int y0, y1;
    synth_birth_decade(&r, &y0, &y1);
    int year = y0 + (int)rng_below(&r, (uint64_t)(y1 - y0 + 1));
    int month = 1 + (int)rng_below(&r, 12);
    int day = 1 + (int)rng_below(&r, (uint64_t)days_in(year, month));
    in->birth_date = arena_printf(ar, "%04d-%02d-%02d", year, month, day);

    in->birth_family_name = synth_family_name(&r, ar);
    int age = 2026 - year;
    if (sex == 'F' && age >= 22 && rng_chance(&r, age >= 40 ? 0.6 : 0.4)) {
        const char *spouse = synth_family_name(&r, ar);
        if (strcmp(spouse, in->birth_family_name) != 0)
            in->used_family_name = rng_chance(&r, 0.1)
                                       ? arena_printf(ar, "%s-%s", spouse, in->birth_family_name)
                                       : spouse;
    } else if (sex == 'M' && age >= 22 && rng_chance(&r, 0.01)) {
        in->used_family_name = synth_family_name(&r, ar);
    }

    /* one to four given names, distinct */
    double u = rng_unit(&r);
    int ngiven = u < 0.40 ? 1 : u < 0.75 ? 2 : u < 0.95 ? 3 : 4;
    const char *given[4];
    int k = 0;
    for (int tries = 0; k < ngiven && tries < 12; tries++) {
        const char *g = synth_given_name(&r, sex, year);
        bool dup = false;
        for (int j = 0; j < k; j++)
            dup = dup || strcmp(given[j], g) == 0;
        if (!dup)
            given[k++] = g;
    }
    size_t len = 0;
    for (int j = 0; j < k; j++)
        len += strlen(given[j]) + 1;
    char *joined = arena_alloc(ar, len + 1), *w = joined;
    for (int j = 0; j < k; j++) {
        if (j)
            *w++ = ' '; /* the stored list is space-separated */
        size_t n = strlen(given[j]);
        memcpy(w, given[j], n);
        w += n;
    }
    *w = '\0';
    in->birth_given_names = joined;
    if (k >= 2 && rng_chance(&r, 0.08))
        in->used_given_name = given[1]; /* known by the second given name */

    /* birthplace: a commune of the list, another commune, or abroad */
    const commune *home = synth_commune(&r);
    const commune *born_in = NULL;
    if (rng_chance(&r, 0.11)) {
        const commune *c = synth_country(&r);
        in->birthplace_code = c->cog;
        in->birth_country = c->name;
    } else if (rng_chance(&r, 0.65)) {
        born_in = synth_commune(&r);
        in->birthplace_code = synth_birth_cog(&r, ar, born_in);
        in->birth_country = "France";
    } else {
        const char *dep = synth_department(&r);
        in->birthplace_code = arena_printf(ar, "%s%03d", dep, 1 + (int)rng_below(&r, 600));
        in->birth_country = "France";
    }
    if (born_in && rng_chance(&r, 0.55))
        home = born_in; /* still living where they were born */
    synth_residence(&r, ar, home, in);

    if (rng_chance(&r, 0.92)) {
        bool mobile = rng_chance(&r, 0.7);
        in->phone = phone_number(&r, ar, mobile, home->cog);
        if (rng_chance(&r, 0.15))
            in->phone2 = phone_number(&r, ar, !mobile, home->cog);
    }
    if (age >= 15 && age <= 85 && rng_chance(&r, 0.4)) {
        static const char *const domains[] = {"example.org", "example.com", "example.net"};
        const char *g = email_part(ar, given[0]);
        const char *f =
            email_part(ar, in->used_family_name ? in->used_family_name : in->birth_family_name);
        in->email =
            arena_printf(ar, "%s.%s%s@%s", g, f,
                         rng_chance(&r, 0.3) ? arena_printf(ar, "%d", (int)rng_below(&r, 100)) : "",
                         domains[rng_below(&r, COUNT(domains))]);
    }

    /* INS for ~60%: NIR = sex, YY, MM, birthplace (5), order number (3) */
    if (rng_chance(&r, 0.6)) {
        char nir[32], ins[INS_BUF_SIZE];
        snprintf(nir, sizeof nir, "%c%02d%02d%.5s%03d", sex == 'F' ? '2' : '1', year % 100, month,
                 in->birthplace_code, 1 + (int)rng_below(&r, 999));
        nir[INS_NIR_LEN] = '\0';
        if (ins_build(nir, ins, sizeof ins, NULL) == INS_OK) {
            in->ins_value = arena_strdup(ar, ins);
            in->ins_oid = SYNTH_INS_OID;
            in->insi = true;
        }
    }
    if (rng_chance(&r, in->ins_value ? 0.75 : 0.25))
        in->document_type = "CNI";
    out->identity_status =
        ins_status_code(ins_status_from_evidence(in->insi, in->document_type != NULL));
}

/* ==== duplicates ========================================================= */

static const struct {
    synth_corruption kind;
    int weight;
} KIND_WEIGHTS[] = {
    {SYNTH_TYPO_SUBSTITUTION, 16},  {SYNTH_TYPO_INSERTION, 10}, {SYNTH_TYPO_DELETION, 12},
    {SYNTH_TYPO_TRANSPOSITION, 10}, {SYNTH_GIVEN_SWAPPED, 8},   {SYNTH_GIVEN_MISSING, 10},
    {SYNTH_ACCENTS_DROPPED, 12},    {SYNTH_USED_NAME, 10},      {SYNTH_DAY_MONTH_SWAPPED, 12},
};

const char *synth_corruption_code(synth_corruption k)
{
    static const char *const codes[] = {
        [SYNTH_NONE] = "none",
        [SYNTH_TYPO_SUBSTITUTION] = "typo_substitution",
        [SYNTH_TYPO_INSERTION] = "typo_insertion",
        [SYNTH_TYPO_DELETION] = "typo_deletion",
        [SYNTH_TYPO_TRANSPOSITION] = "typo_transposition",
        [SYNTH_GIVEN_SWAPPED] = "given_names_swapped",
        [SYNTH_GIVEN_MISSING] = "given_name_missing",
        [SYNTH_ACCENTS_DROPPED] = "accents_dropped",
        [SYNTH_USED_NAME] = "used_name_as_birth_name",
        [SYNTH_DAY_MONTH_SWAPPED] = "day_month_swapped",
    };
    return (unsigned)k < SYNTH_CORRUPTION_COUNT ? codes[k] : "unknown";
}

bool synth_plan_init(synth_plan *p, uint64_t seed, int64_t total, double dup_fraction)
{
    memset(p, 0, sizeof *p);
    if (total < 1 || total > SYNTH_MAX_PATIENTS || !(dup_fraction >= 0 && dup_fraction <= 0.5))
        return false;
    p->seed = seed;
    p->total = total;
    p->duplicates = (int64_t)llround((double)total * dup_fraction);
    p->originals = total - p->duplicates;
    if (p->duplicates > p->originals) {
        p->duplicates = p->originals;
        p->originals = total - p->duplicates;
    }
    return true;
}

void synth_make(const synth_plan *p, int64_t index, arena *ar, synth_record *out)
{
    synth_data_init();
    if (index < p->originals) {
        make_person(p->seed, index, ar, out);
        return;
    }
    /* duplicate k comes from an original of its own bucket of originals
     * [k*M/D, (k+1)*M/D): no original is duplicated twice */
    int64_t k = index - p->originals, M = p->originals, D = p->duplicates;
    int64_t lo = (int64_t)((__int128)k * M / D), hi = (int64_t)((__int128)(k + 1) * M / D);
    int64_t stride = hi > lo ? hi - lo : 1;
    rng r = rng_for(p->seed, STREAM_DUPLICATE, (uint64_t)k);
    int total_w = 0;
    for (int i = 0; i < COUNT(KIND_WEIGHTS); i++)
        total_w += KIND_WEIGHTS[i].weight;
    int w = (int)rng_below(&r, (uint64_t)total_w), ki = 0;
    while (w >= KIND_WEIGHTS[ki].weight)
        w -= KIND_WEIGHTS[ki++].weight;
    synth_corruption kind = KIND_WEIGHTS[ki].kind;
    int64_t start = (int64_t)rng_below(&r, (uint64_t)stride);
    /* the first original of the bucket this kind applies to (a day/month swap
     * needs a day <= 12, a used name needs a married woman...) */
    int64_t tries = stride < 64 ? stride : 64, o = -1;
    for (int64_t j = 0; j < tries; j++) {
        int64_t cand = lo + (start + j) % stride;
        make_person(p->seed, cand, ar, out);
        if (synth_corruption_applies(kind, &out->in, ar)) {
            o = cand;
            break;
        }
    }
    if (o < 0) {
        kind = SYNTH_TYPO_SUBSTITUTION;
        o = lo + start;
        make_person(p->seed, o, ar, out);
    }
    patient_input *d = &out->in;
    synth_corrupt(kind, &r, ar, d);
    /* another registration: unqualified, often without the birthplace, maybe
     * since moved or with another phone */
    d->ins_value = NULL;
    d->ins_oid = NULL;
    d->insi = false;
    d->document_type = NULL;
    if (rng_chance(&r, 0.25)) {
        d->birthplace_code = NULL;
        d->birth_country = NULL;
    }
    if (rng_chance(&r, 0.3))
        synth_residence(&r, ar, synth_commune(&r), d);
    if (rng_chance(&r, 0.4))
        d->phone = phone_number(&r, ar, true, "75");
    d->phone2 = NULL;
    if (rng_chance(&r, 0.5))
        d->email = NULL;
    out->index = index;
    out->original = o;
    out->corruption = kind;
    out->identity_status = "PROV";
}

/* ==== stored form and JSON =============================================== */

bool synth_to_patient(const synth_record *r, arena *ar, int64_t now_ms, patient *out)
{
    const patient_input *in = &r->in;
    memset(out, 0, sizeof *out);
    out->birth_family_name = in->birth_family_name;
    out->used_family_name = in->used_family_name;
    out->birth_given_names = in->birth_given_names;
    out->first_given_name = synth_word_at(ar, in->birth_given_names, 0);
    out->used_given_name = in->used_given_name;
    out->sex = in->sex;
    out->birth_date = in->birth_date;
    out->birthplace_code = in->birthplace_code;
    out->birth_country = in->birth_country;
    out->address_line = in->address_line;
    out->postcode = in->postcode;
    out->city = in->city;
    out->country = in->country;
    out->phone = in->phone;
    out->phone2 = in->phone2;
    out->email = in->email;
    out->ins_value = in->ins_value;
    out->ins_oid = in->ins_value ? in->ins_oid : NULL;
    out->identity_status = r->identity_status;
    out->version = 1;
    out->created_at = out->updated_at = now_ms;
    return idmatch_fill_keys(ar, out);
}

void synth_write_json(const synth_record *r, buf *out)
{
    const patient_input *in = &r->in;
    jw w;
    jw_init(&w, out);
    jw_obj_begin(&w);
    jw_kstr(&w, "birth_family_name", in->birth_family_name);
    if (in->used_family_name)
        jw_kstr(&w, "used_family_name", in->used_family_name);
    jw_key(&w, "birth_given_names");
    jw_arr_begin(&w);
    for (const char *p = in->birth_given_names; *p;) {
        size_t n = strcspn(p, " ");
        jw_strn(&w, p, n);
        p += n;
        while (*p == ' ')
            p++;
    }
    jw_arr_end(&w);
    if (in->used_given_name)
        jw_kstr(&w, "used_given_name", in->used_given_name);
    jw_kstr(&w, "sex", in->sex);
    jw_kstr(&w, "birth_date", in->birth_date);
    if (in->birthplace_code)
        jw_kstr(&w, "birthplace_code", in->birthplace_code);
    if (in->birth_country)
        jw_kstr(&w, "birth_country", in->birth_country);
    if (in->address_line || in->city) {
        jw_key(&w, "address");
        jw_obj_begin(&w);
        if (in->address_line)
            jw_kstr(&w, "line", in->address_line);
        if (in->postcode)
            jw_kstr(&w, "postcode", in->postcode);
        if (in->city)
            jw_kstr(&w, "city", in->city);
        if (in->country)
            jw_kstr(&w, "country", in->country);
        jw_obj_end(&w);
    }
    if (in->phone)
        jw_kstr(&w, "phone", in->phone);
    if (in->phone2)
        jw_kstr(&w, "phone2", in->phone2);
    if (in->email)
        jw_kstr(&w, "email", in->email);
    if (in->ins_value) {
        jw_key(&w, "ins");
        jw_obj_begin(&w);
        jw_kstr(&w, "value", in->ins_value);
        jw_kstr(&w, "oid", in->ins_oid);
        jw_obj_end(&w);
    }
    if (in->insi || in->document_type) {
        jw_key(&w, "evidence");
        jw_obj_begin(&w);
        jw_kbool(&w, "insi", in->insi);
        if (in->document_type)
            jw_kstr(&w, "document_type", in->document_type);
        jw_obj_end(&w);
    }
    jw_obj_end(&w);
}

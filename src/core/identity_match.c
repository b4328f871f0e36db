#include "core/identity_match.h"
#include "core/name_match.h"

#include <stdio.h>
#include <string.h>

static bool present(const char *s)
{
    return s && *s;
}

bool idmatch_swap_day_month(const char *date, char out[11])
{
    if (!date || strlen(date) != 10)
        return false;
    int m = (date[5] - '0') * 10 + (date[6] - '0');
    int d = (date[8] - '0') * 10 + (date[9] - '0');
    if (m == d || d > 12 || d < 1 || m < 1)
        return false;
    snprintf(out, 11, "%.4s-%.2s-%.2s", date, date + 8, date + 5);
    return true;
}

static const char *norm_or_null(arena *ar, const char *s, bool words)
{
    if (!present(s))
        return NULL;
    char buf[NM_NORM_SIZE];
    nm_result r = words ? nm_normalize_words(s, buf, sizeof buf) : nm_normalize(s, buf, sizeof buf);
    return r == NM_OK ? arena_strdup(ar, buf) : NULL;
}

static const char *phon_or_null(arena *ar, const char *s)
{
    if (!present(s))
        return NULL;
    char buf[NM_PHONETIC_SIZE];
    return nm_phonetic(s, buf, sizeof buf) == NM_OK ? arena_strdup(ar, buf) : NULL;
}

bool idmatch_fill_keys(arena *ar, patient *p)
{
    p->norm_birth_name = norm_or_null(ar, p->birth_family_name, false);
    p->norm_used_name = norm_or_null(ar, p->used_family_name, false);
    p->norm_first_given = norm_or_null(ar, p->first_given_name, false);
    p->norm_given_names = norm_or_null(ar, p->birth_given_names, true);
    p->norm_used_given = norm_or_null(ar, p->used_given_name, false);
    p->phon_birth_name = phon_or_null(ar, p->birth_family_name);
    p->phon_used_name = phon_or_null(ar, p->used_family_name);
    p->phon_first_given = phon_or_null(ar, p->first_given_name);
    return p->norm_birth_name && p->norm_first_given && p->norm_given_names &&
           p->phon_birth_name && p->phon_first_given;
}

/* Similarity of two normalized names; an equal phonetic key counts as close. */
static double name_sim(const char *na, const char *pa, const char *nb, const char *pb)
{
    if (!na || !nb)
        return -1;
    double s = nm_similarity_normalized(na, nb);
    if (s < 0.9 && pa && pb && strcmp(pa, pb) == 0)
        s = 0.9;
    /* one typo is one typo, however short the name (ROY/ROU scores 0.67) */
    size_t la = strlen(na), lb = strlen(nb), longest = la > lb ? la : lb;
    if (s < 0.75 && (1 - s) * (double)longest < 1.0001)
        s = 0.75;
    return s;
}

/* True when word (compact form, A-Z) is one of the given names of list (words
 * form). A compound given name is several words of the list ("MARIECLAIRE" in
 * "ANNE MARIE CLAIRE"), so consecutive words are glued back. */
static bool has_word(const char *list, const char *word)
{
    if (!list || !word || !*word)
        return false;
    for (const char *w = list; *w;) {
        const char *p = w, *q = word;
        while (*q) {
            if (*p == ' ')
                p++;
            if (*p != *q)
                break;
            p++;
            q++;
        }
        if (!*q && (*p == '\0' || *p == ' '))
            return true;
        w += strcspn(w, " ");
        while (*w == ' ')
            w++;
    }
    return false;
}

/* Best similarity of word (compact form) with one given name of list (words
 * form, compound names glued back): "another of the given names, misspelt". */
static double best_given_sim(const char *list, const char *word)
{
    double best = 0;
    if (!list || !word || !*word)
        return 0;
    size_t wl = strlen(word);
    for (const char *w = list; *w;) {
        char glued[NM_NORM_SIZE];
        size_t g = 0;
        for (const char *p = w; *p;) {
            size_t n = strcspn(p, " ");
            if (g + n >= sizeof glued)
                break;
            memcpy(glued + g, p, n);
            g += n;
            glued[g] = '\0';
            double s = nm_similarity_normalized(glued, word);
            if (s > best)
                best = s;
            if (g >= wl + 2)
                break;
            p += n;
            while (*p == ' ')
                p++;
        }
        w += strcspn(w, " ");
        while (*w == ' ')
            w++;
    }
    return best;
}

static void add(idmatch *m, const char *trait, idmatch_verdict v, const char *how)
{
    if (m->ntraits < IDMATCH_TRAITS)
        m->traits[m->ntraits++] = (idmatch_trait){trait, v, how};
}

/* 1 equal, 0.85 swapped day/month, 0.6 one of year/month/day differs, else 0. */
static double date_sim(const char *a, const char *b, const char **how)
{
    *how = NULL;
    if (!present(a) || !present(b))
        return -1;
    if (strcmp(a, b) == 0)
        return 1;
    size_t la = strlen(a), lb = strlen(b);
    if (la != lb) {
        /* a partial date agrees with a fuller one that starts the same */
        size_t n = la < lb ? la : lb;
        if (strncmp(a, b, n) == 0) {
            *how = "partial date";
            return 0.8;
        }
        return 0;
    }
    char swapped[11];
    if (idmatch_swap_day_month(a, swapped) && strcmp(swapped, b) == 0) {
        *how = "day and month swapped";
        return 0.85;
    }
    if (la == 10) {
        int same = (memcmp(a, b, 4) == 0) + (memcmp(a + 5, b + 5, 2) == 0) +
                   (memcmp(a + 8, b + 8, 2) == 0);
        if (same == 2) {
            *how = "one part differs";
            return 0.6;
        }
    }
    return 0;
}

/* Family names: birth and used names, both ways; *how says which pair agreed
 * when it is not the birth names. */
static double family_name_sim(const patient *a, const patient *b, const char **how)
{
    double name = name_sim(a->norm_birth_name, a->phon_birth_name, b->norm_birth_name,
                           b->phon_birth_name);
    double cross[3] = {
        name_sim(a->norm_used_name, a->phon_used_name, b->norm_birth_name, b->phon_birth_name),
        name_sim(a->norm_birth_name, a->phon_birth_name, b->norm_used_name, b->phon_used_name),
        name_sim(a->norm_used_name, a->phon_used_name, b->norm_used_name, b->phon_used_name),
    };
    static const char *cross_how[3] = {"used name = birth name", "birth name = used name",
                                       "used names agree"};
    *how = NULL;
    for (int i = 0; i < 3; i++) {
        if (cross[i] > name + 0.001) {
            name = cross[i] * 0.97; /* a little less sure than the birth names */
            *how = cross_how[i];
        }
    }
    return name;
}

/* The score from the traits' similarities. Weights: date and family name
 * carry most; a clear difference on either is hard to explain by a typo, so
 * it caps the score below review level; so does a clear difference of given
 * names (twins, siblings: same date, same family name). Each part only ever
 * raises the score as its similarity grows (idmatch_bound relies on it). */
static int combine(double date, double name, double given, bool sex_equal, double place)
{
    double d = date < 0 ? 0.5 : date;
    double s = 0.34 * d + 0.34 * (name < 0 ? 0 : name) + 0.22 * (given < 0 ? 0 : given) +
               0.06 * (sex_equal ? 1 : 0) + 0.04 * place;
    if (date == 0 || name < 0.75)
        s *= 0.8;
    if (given < 0.75)
        s *= 0.85;
    if (!sex_equal)
        s *= 0.9;
    int score = (int)(s * 100 + 0.5);
    return score > 99 ? 99 : score; /* 100 is kept for the same INS */
}

int idmatch_bound(const patient *a, const patient *b)
{
    const char *how;
    return combine(date_sim(a->birth_date, b->birth_date, &how), family_name_sim(a, b, &how), 1,
                   true, 1);
}

int idmatch_bound_date(const patient *a, const char *birth_date)
{
    const char *how;
    return combine(date_sim(a->birth_date, birth_date, &how), 1, 1, true, 1);
}

void idmatch_score(const patient *a, const patient *b, idmatch *m)
{
    memset(m, 0, sizeof *m);
    if (present(a->ins_value) && present(b->ins_value)) {
        if (strcmp(a->ins_value, b->ins_value) == 0) {
            add(m, "ins", IDM_EQUAL, NULL);
            m->score = 100;
            return;
        }
        /* two valid, distinct national identifiers: two persons */
        add(m, "ins", IDM_DIFFERENT, NULL);
        m->score = 0;
        return;
    }

    const char *how = NULL;
    double date = date_sim(a->birth_date, b->birth_date, &how);
    add(m, "birth_date", date < 0 ? IDM_ABSENT : date == 1 ? IDM_EQUAL : date > 0 ? IDM_CLOSE : IDM_DIFFERENT, how);

    const char *name_how;
    double name = family_name_sim(a, b, &name_how);
    if (name >= 0.999)
        add(m, "birth_name", IDM_EQUAL, name_how);
    else if (name >= 0.75)
        add(m, "birth_name", IDM_CLOSE, name_how ? name_how : "spelling");
    else
        add(m, "birth_name", IDM_DIFFERENT, NULL);

    /* given names: the first ones, or one found in the other's list */
    double given = name_sim(a->norm_first_given, a->phon_first_given, b->norm_first_given,
                            b->phon_first_given);
    const char *given_how = NULL;
    if (given < 0.95 && (has_word(b->norm_given_names, a->norm_first_given) ||
                         has_word(a->norm_given_names, b->norm_first_given))) {
        given = 0.93;
        given_how = "another of the given names";
    }
    if (given < 0.85) {
        double x = best_given_sim(b->norm_given_names, a->norm_first_given);
        double y = best_given_sim(a->norm_given_names, b->norm_first_given);
        if ((x > y ? x : y) >= 0.8) {
            given = 0.85;
            given_how = "another of the given names, spelling";
        }
    }
    if (given < 0.95 && a->norm_used_given && b->norm_first_given &&
        strcmp(a->norm_used_given, b->norm_first_given) == 0) {
        given = 0.9;
        given_how = "used given name";
    }
    if (given >= 0.999)
        add(m, "given_name", IDM_EQUAL, NULL);
    else if (given >= 0.75)
        add(m, "given_name", IDM_CLOSE, given_how ? given_how : "spelling");
    else
        add(m, "given_name", IDM_DIFFERENT, NULL);

    bool sex_equal = present(a->sex) && present(b->sex) && strcmp(a->sex, b->sex) == 0;
    add(m, "sex", sex_equal ? IDM_EQUAL : IDM_DIFFERENT, NULL);

    double place = 0.5; /* unknown: neutral */
    if (present(a->birthplace_code) && present(b->birthplace_code)) {
        place = strcmp(a->birthplace_code, b->birthplace_code) == 0 ? 1 : 0;
        add(m, "birthplace", place ? IDM_EQUAL : IDM_DIFFERENT, NULL);
    }

    m->score = combine(date, name, given, sex_equal, place);
}

const char *idmatch_reasons(arena *ar, const idmatch *m)
{
    static const char *names[] = {"absent", "equal", "close", "different"};
    char out[512];
    size_t used = 0;
    out[0] = '\0';
    for (int i = 0; i < m->ntraits && used < sizeof out; i++) {
        const idmatch_trait *t = &m->traits[i];
        int n = snprintf(out + used, sizeof out - used, "%s%s:%s%s%s%s", i ? "," : "", t->trait,
                         names[t->verdict], t->how ? "(" : "", t->how ? t->how : "",
                         t->how ? ")" : "");
        if (n < 0)
            break;
        used += (size_t)n;
    }
    return arena_strdup(ar, out);
}

/* dupeval: quality of the duplicate detection on a synthetic set loaded by
 * `parcours synth --truth FILE`, against that ground truth.
 *
 *   build/bench/dupeval --db URL --truth FILE [--sample K] [--seed S]
 *                       [--threshold T] [--show N]
 *
 * Method (what docs/benchmarks.md reports):
 *   - queries: every duplicate of the truth file, plus a uniform random sample
 *     of K records that are not duplicates (default K = the number of
 *     duplicates), without replacement;
 *   - each query runs review_find_duplicates() — the blocking queries and the
 *     scorer used on creation and by GET /api/patients/:id/duplicates — at the
 *     threshold (default IDMATCH_POTENTIAL) and flags pairs {query, candidate};
 *   - recall = truth pairs flagged when their duplicate is the query / truth pairs;
 *   - precision (sample) = flagged pairs that are truth pairs / all distinct
 *     flagged pairs, over the whole query set;
 *   - precision (whole set, estimated): the false pairs among non-duplicates are
 *     extrapolated from the sample (a false pair between two non-duplicates is
 *     found from either end, so F ≈ found / K × non-duplicates / 2); the false
 *     pairs that involve a duplicate are counted exactly (every duplicate is a
 *     query), as are the true pairs.
 * Links build/release/libparcours.a; reads only (no audit, no flags written). */
#include "core/ctx.h"
#include "core/identity_match.h"
#include "core/identity_review.h"
#include "core/synth.h"
#include "store/db.h"
#include "store/patient_store.h"
#include "util/alloc.h"
#include "util/timeutil.h"

#include <errno.h>
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct truth {
    int64_t *orig_of; /* by duplicate id: its original, 0 if not a duplicate */
    int64_t *dup_of;  /* by original id: its duplicate, 0 if none */
    int *kind_of;     /* by duplicate id */
    int64_t *dups;    /* duplicate ids in file order */
    int64_t ndups;
    int64_t max_id;
} truth;

static int kind_index(const char *code)
{
    for (int k = 0; k < SYNTH_CORRUPTION_COUNT; k++)
        if (strcmp(code, synth_corruption_code((synth_corruption)k)) == 0)
            return k;
    return -1;
}

static bool load_truth(const char *path, int64_t max_id, truth *t)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "dupeval: %s: %s\n", path, strerror(errno));
        return false;
    }
    memset(t, 0, sizeof *t);
    t->max_id = max_id;
    t->orig_of = xcalloc((size_t)max_id + 1, sizeof *t->orig_of);
    t->dup_of = xcalloc((size_t)max_id + 1, sizeof *t->dup_of);
    t->kind_of = xcalloc((size_t)max_id + 1, sizeof *t->kind_of);
    t->dups = xcalloc((size_t)max_id + 1, sizeof *t->dups);
    char line[256];
    bool ok = true;
    while (fgets(line, sizeof line, f)) {
        long long o, d;
        char kind[64];
        if (sscanf(line, "%lld,%lld,%63[a-z_]", &o, &d, kind) != 3)
            continue; /* header */
        int k = kind_index(kind);
        if (o < 1 || d < 1 || o > max_id || d > max_id || k < 0) {
            fprintf(stderr, "dupeval: bad truth line: %s", line);
            ok = false;
            break;
        }
        t->orig_of[d] = o;
        t->dup_of[o] = d;
        t->kind_of[d] = k;
        t->dups[t->ndups++] = d;
    }
    fclose(f);
    return ok && t->ndups > 0;
}

/* A set of unordered pairs (open addressing). */
typedef struct pairset {
    uint64_t *keys; /* (lo << 32 | hi) + 1; 0 = empty */
    size_t cap, n;
} pairset;

static uint64_t mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* true when the pair is new */
static bool pair_add(pairset *s, int64_t a, int64_t b)
{
    if ((s->n + 1) * 2 > s->cap) {
        pairset bigger = {xcalloc(s->cap ? s->cap * 2 : 1024, sizeof(uint64_t)),
                          s->cap ? s->cap * 2 : 1024, 0};
        for (size_t i = 0; i < s->cap; i++) {
            if (!s->keys[i])
                continue;
            size_t h = (size_t)mix(s->keys[i]) & (bigger.cap - 1);
            while (bigger.keys[h])
                h = (h + 1) & (bigger.cap - 1);
            bigger.keys[h] = s->keys[i];
            bigger.n++;
        }
        free(s->keys);
        *s = bigger;
    }
    int64_t lo = a < b ? a : b, hi = a < b ? b : a;
    uint64_t key = ((uint64_t)lo << 32 | (uint64_t)hi) + 1;
    size_t h = (size_t)mix(key) & (s->cap - 1);
    while (s->keys[h]) {
        if (s->keys[h] == key)
            return false;
        h = (h + 1) & (s->cap - 1);
    }
    s->keys[h] = key;
    s->n++;
    return true;
}

typedef struct counts {
    int64_t tp, fp;           /* distinct pairs */
    int64_t fp_dup_side;      /* false pairs with a duplicate at one end */
    int64_t fp_sample_nondup; /* false pairs found from sampled non-duplicates, other end a
                                 non-duplicate */
    int64_t found[SYNTH_CORRUPTION_COUNT], total[SYNTH_CORRUPTION_COUNT];
    int64_t found_strong;     /* truth pairs scoring >= IDMATCH_STRONG */
    int64_t missed_unblocked; /* truth pairs not even fetched by the blocking queries */
    int64_t queries;
    double seconds;
} counts;

static const char *fmt_patient(arena *a, const patient *p)
{
    return arena_printf(a, "%lld %s%s%s [%s] %s %s %s", (long long)p->id, p->birth_family_name,
                        p->used_family_name ? "/" : "",
                        p->used_family_name ? p->used_family_name : "", p->birth_given_names,
                        p->sex, p->birth_date, p->birthplace_code ? p->birthplace_code : "-");
}

int main(int argc, char **argv)
{
    const char *url = NULL, *truth_path = NULL;
    long long sample = -1, show = 5, max_dups = -1;
    unsigned long long seed = 42;
    int threshold = IDMATCH_POTENTIAL;
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},        {"truth", required_argument, NULL, 't'},
        {"sample", required_argument, NULL, 'k'},    {"seed", required_argument, NULL, 's'},
        {"threshold", required_argument, NULL, 'T'}, {"show", required_argument, NULL, 'S'},
        {"dups", required_argument, NULL, 'D'},      {NULL, 0, NULL, 0},
    };
    int ch;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case 'd':
            url = optarg;
            break;
        case 't':
            truth_path = optarg;
            break;
        case 'k':
            sample = strtoll(optarg, NULL, 10);
            break;
        case 's':
            seed = strtoull(optarg, NULL, 10);
            break;
        case 'T':
            threshold = (int)strtol(optarg, NULL, 10);
            break;
        case 'S':
            show = strtoll(optarg, NULL, 10);
            break;
        case 'D':
            max_dups = strtoll(optarg, NULL, 10);
            break;
        default:
            fprintf(stderr, "usage: dupeval --db URL --truth FILE [--sample K] [--seed S]"
                            " [--threshold T] [--show N]\n");
            return 2;
        }
    }
    if (!url || !truth_path) {
        fprintf(stderr, "usage: dupeval --db URL --truth FILE [--sample K] [--seed S]"
                        " [--threshold T] [--show N]\n");
        return 2;
    }
    if (sodium_init() < 0)
        return 1;
    char err[512];
    app a;
    memset(&a, 0, sizeof a);
    app_config_defaults(&a.cfg);
    a.db = db_open(url, 1, err, sizeof err);
    if (!a.db) {
        fprintf(stderr, "dupeval: %s\n", err);
        return 1;
    }
    arena ar;
    arena_init(&ar, 1 << 20);
    ctx c = {.app = &a,
             .arena = &ar,
             .now_ms = time_now_ms(),
             .client_addr = "dupeval",
             .request_id = "dupeval"};
    db_conn *conn = ctx_db(&c);
    db_rows rows;
    if (db_exec(conn, &ar, "SELECT COALESCE(max(id), 0), count(*) FROM patient", DB_NOPARAMS,
                &rows) != DB_OK) {
        fprintf(stderr, "dupeval: cannot read the patient table\n");
        return 1;
    }
    int64_t max_id = db_int(&rows, 0, 0), npatients = db_int(&rows, 0, 1);
    truth t;
    if (!load_truth(truth_path, max_id, &t))
        return 1;
    int64_t all_dups = t.ndups;
    if (max_dups >= 0 && max_dups < t.ndups)
        t.ndups = max_dups; /* a quicker run: the first duplicates only */
    if (sample < 0)
        sample = t.ndups;
    /* with --dups, the duplicates left out stay out of the sample too */
    int64_t nondup = npatients - all_dups;
    if (sample > nondup)
        sample = nondup;

    /* queries: all duplicates, then the sample (Floyd's algorithm would do;
     * rejection is fine at these densities) */
    int64_t nq = t.ndups + sample;
    int64_t *queries = xcalloc((size_t)nq, sizeof *queries);
    memcpy(queries, t.dups, sizeof *queries * (size_t)t.ndups);
    unsigned char *picked = xcalloc((size_t)max_id + 1, 1);
    uint64_t rs = seed * 0x9E3779B97F4A7C15ull + 1;
    for (int64_t k = 0; k < sample;) {
        rs += 0x9E3779B97F4A7C15ull;
        int64_t id = 1 + (int64_t)(mix(rs) % (uint64_t)max_id);
        if (picked[id] || t.orig_of[id])
            continue;
        picked[id] = 1;
        queries[t.ndups + k++] = id;
    }

    counts n;
    memset(&n, 0, sizeof n);
    pairset seen = {0};
    long long shown_fp = 0, shown_fn = 0;
    int64_t t0 = time_mono_us();
    for (int64_t qi = 0; qi < nq; qi++) {
        int64_t id = queries[qi];
        bool is_dup = t.orig_of[id] != 0;
        arena_reset(&ar);
        patient p;
        if (patient_store_get(conn, &ar, id, &p) != DB_OK)
            continue; /* a hole in the ids (another load, a merge...) */
        duplicate_hit *hits;
        int nh = 0;
        if (review_find_duplicates(&c, &p, p.id, threshold, &hits, &nh) != CORE_OK) {
            fprintf(stderr, "dupeval: store error on %lld\n", (long long)id);
            return 1;
        }
        n.queries++;
        bool found_orig = false;
        for (int h = 0; h < nh; h++) {
            int64_t cand = hits[h].candidate.id;
            bool true_pair = t.orig_of[id] == cand || t.dup_of[id] == cand;
            if (true_pair && is_dup) {
                found_orig = true;
                if (hits[h].match.score >= IDMATCH_STRONG)
                    n.found_strong++;
            }
            if (!pair_add(&seen, id, cand))
                continue;
            if (true_pair) {
                n.tp++;
                continue;
            }
            n.fp++;
            if (is_dup || t.orig_of[cand])
                n.fp_dup_side++;
            else
                n.fp_sample_nondup++;
            if (shown_fp < show) {
                shown_fp++;
                printf("  false pair (score %d): %s | %s | %s\n", hits[h].match.score,
                       fmt_patient(&ar, &p), fmt_patient(&ar, &hits[h].candidate),
                       idmatch_reasons(&ar, &hits[h].match));
            }
        }
        if (is_dup) {
            int k = t.kind_of[id];
            n.total[k]++;
            if (found_orig) {
                n.found[k]++;
            } else {
                patient o;
                if (patient_store_get(conn, &ar, t.orig_of[id], &o) == DB_OK) {
                    idmatch m;
                    idmatch_score(&p, &o, &m);
                    if (m.score >= threshold)
                        n.missed_unblocked++;
                    if (shown_fn < show) {
                        shown_fn++;
                        printf("  missed %s (score %d%s): %s | %s | %s\n",
                               synth_corruption_code((synth_corruption)k), m.score,
                               m.score >= threshold ? ", not fetched by the blocking" : "",
                               fmt_patient(&ar, &p), fmt_patient(&ar, &o),
                               idmatch_reasons(&ar, &m));
                    }
                }
            }
        }
    }
    n.seconds = (double)(time_mono_us() - t0) / 1e6;

    int64_t found = 0;
    printf("\nduplicate detection at threshold %d: %lld patients, %lld truth pairs, %lld sampled"
           " non-duplicates, %lld queries in %.1f s (%.2f ms each)\n",
           threshold, (long long)npatients, (long long)t.ndups, sample, (long long)n.queries,
           n.seconds, n.queries ? n.seconds * 1000 / (double)n.queries : 0);
    printf("| corruption | pairs | found | recall |\n|---|---:|---:|---:|\n");
    for (int k = 1; k < SYNTH_CORRUPTION_COUNT; k++) {
        found += n.found[k];
        if (n.total[k])
            printf("| %s | %lld | %lld | %.4f |\n", synth_corruption_code((synth_corruption)k),
                   (long long)n.total[k], (long long)n.found[k],
                   (double)n.found[k] / (double)n.total[k]);
    }
    double recall = (double)found / (double)t.ndups;
    double precision = n.tp + n.fp ? (double)n.tp / (double)(n.tp + n.fp) : 1;
    double f_est = sample ? (double)n.fp_sample_nondup / (double)sample * (double)nondup / 2 : 0;
    /* with --dups, the duplicates' side is scaled up to all of them */
    double scale = (double)all_dups / (double)t.ndups;
    double precision_set =
        (double)found * scale / ((double)found * scale + (double)n.fp_dup_side * scale + f_est);
    printf("| all | %lld | %lld | %.4f |\n", (long long)t.ndups, (long long)found, recall);
    printf("\nflagged pairs: %lld true, %lld false (%lld with a duplicate at one end, %lld between"
           " sampled non-duplicates and others)\n",
           (long long)n.tp, (long long)n.fp, (long long)n.fp_dup_side,
           (long long)n.fp_sample_nondup);
    printf("recall %.4f (%.4f at the confirmation threshold %d); missed although scoring >= %d"
           " (blocking): %lld\n",
           recall, (double)n.found_strong / (double)t.ndups, IDMATCH_STRONG, threshold,
           (long long)n.missed_unblocked);
    printf("precision over the query set %.4f; estimated over the whole set %.4f"
           " (%.0f false pairs among non-duplicates extrapolated)\n",
           precision, precision_set, f_est);
    printf("dupeval: threshold=%d recall=%.4f precision=%.4f precision_set=%.4f tp=%lld fp=%lld"
           " queries=%lld ms_per_query=%.3f\n",
           threshold, recall, precision, precision_set, (long long)n.tp, (long long)n.fp,
           (long long)n.queries, n.queries ? n.seconds * 1000 / (double)n.queries : 0);
    ctx_done(&c);
    db_close(a.db);
    arena_free(&ar);
    return 0;
}

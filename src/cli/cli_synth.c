/* parcours synth: synthetic patient identities, loaded in bulk (or written as
 * API request bodies), with the ground truth of their duplicates. */
#include "cli/cli.h"
#include "core/synth.h"
#include "store/migrate.h"
#include "util/timeutil.h"

#include <errno.h>
#include <stdio.h>
#include <sys/resource.h>
#include <stdlib.h>
#include <string.h>

static const char *SYNTH_USAGE =
    "usage: parcours synth --patients N [--duplicates FRACTION] [--seed S] [--truth FILE]\n"
    "                      [--keep-indexes] [--db URL] [--secret-file FILE]\n"
    "       parcours synth --patients N --jsonl FILE [--duplicates FRACTION] [--seed S]\n"
    "                      [--truth FILE]\n"
    "\n"
    "Generates N synthetic French patient identities (names with accents and compound\n"
    "forms, married names, INSEE birthplaces, addresses, phones, a valid demonstration\n"
    "INS for about 60%), of which FRACTION (default 0.05, at most 0.5) are corrupted\n"
    "duplicates of other ones: typos, swapped or missing given names, accents dropped,\n"
    "used name as birth name, day and month swapped. The same seed gives the same set.\n"
    "\n"
    "Loads them in one transaction (nothing is loaded on error) with one audit event,\n"
    "and prints the load rate. Secondary indexes are dropped during the load and built\n"
    "again at the end (--keep-indexes to maintain them row by row instead).\n"
    "\n"
    "  --truth FILE   CSV of the duplicates: original_id,duplicate_id,kind\n"
    "  --jsonl FILE   write POST /api/patients bodies, one per line, instead of loading\n"
    "                 (the truth file then names records by line number)\n"
    "  --seed S       unsigned integer (default 1)\n";

static ctx synth_ctx(app *a, arena *ar)
{
    return (ctx){.app = a,
                 .arena = ar,
                 .now_ms = time_now_ms(),
                 .client_addr = "cli",
                 .request_id = "cli-synth"};
}

static bool parse_options(const cli_opts *o, double *fraction, uint64_t *seed)
{
    *fraction = SYNTH_DEFAULT_DUPLICATES;
    *seed = 1;
    char *end;
    if (o->duplicates) {
        errno = 0;
        *fraction = strtod(o->duplicates, &end);
        if (errno || *end || end == o->duplicates || !(*fraction >= 0 && *fraction <= 0.5)) {
            fprintf(stderr, "parcours: --duplicates is a fraction between 0 and 0.5\n");
            return false;
        }
    }
    if (o->seed) {
        errno = 0;
        *seed = strtoull(o->seed, &end, 10);
        if (errno || *end || end == o->seed || o->seed[0] == '-') {
            fprintf(stderr, "parcours: --seed is an unsigned integer\n");
            return false;
        }
    }
    return true;
}

static void print_report(const synth_report *r)
{
    printf("parcours: %lld synthetic patients loaded (ids %lld-%lld, %lld duplicates) in %.2f s: "
           "%.0f patients/s\n",
           (long long)r->loaded, (long long)r->first_id, (long long)r->last_id,
           (long long)r->duplicates, r->seconds, r->seconds > 0 ? r->loaded / r->seconds : 0);
    printf("  inserts %.2f s (generation %.2f s in its own thread), indexes %.2f s, "
           "history + audit + commit %.2f s\n",
           r->insert_seconds, r->generate_seconds, r->index_seconds, r->commit_seconds);
    if (r->kept_indexes)
        printf("  secondary indexes maintained row by row (%lld patients were already there)\n",
               (long long)r->existing);
    /* CPU time of this process (both threads; PostgreSQL's own work excluded):
     * steadier than the wall clock on a shared machine */
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) == 0) {
        double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
                     (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
        printf("  CPU %.2f s (user + system, this process)\n", cpu);
    }
    if (r->duplicates) {
        printf("  duplicates:");
        for (int k = 1; k < SYNTH_CORRUPTION_COUNT; k++)
            printf(" %s=%lld", synth_corruption_code((synth_corruption)k),
                   (long long)r->by_kind[k]);
        printf("\n");
    }
    fflush(stdout);
}

/* --jsonl: request bodies, no database. */
static int write_jsonl(const synth_plan *plan, const char *path, FILE *truth)
{
    FILE *out = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");
    if (!out) {
        fprintf(stderr, "parcours: cannot write %s: %s\n", path, strerror(errno));
        return 1;
    }
    if (truth)
        fputs("original_line,duplicate_line,kind\n", truth);
    synth_ins_set *ins = synth_ins_set_new(plan->total);
    arena ar;
    arena_init(&ar, 64 * 1024);
    buf b;
    buf_init(&b, 0);
    int status = 0;
    for (int64_t i = 0; i < plan->total && status == 0; i++) {
        synth_record r;
        synth_make(plan, i, &ar, &r);
        synth_ins_claim(ins, &r, &ar);
        core_error e = {0};
        if (patients_validate(&r.in, true, &e) != CORE_OK) {
            fprintf(stderr, "parcours: synthetic record %lld is invalid: %s\n", (long long)i,
                    e.code ? e.code : "?");
            status = 1;
            break;
        }
        buf_reset(&b);
        synth_write_json(&r, &b);
        fwrite(b.data, 1, b.len, out);
        fputc('\n', out);
        if (truth && r.corruption != SYNTH_NONE)
            fprintf(truth, "%lld,%lld,%s\n", (long long)r.original + 1, (long long)i + 1,
                    synth_corruption_code(r.corruption));
        if (i % 4096 == 4095)
            arena_reset(&ar);
    }
    buf_free(&b);
    arena_free(&ar);
    synth_ins_set_free(ins);
    if (out != stdout && fclose(out) != 0)
        status = 1;
    return status;
}

static int load(app *a, const synth_load_opts *lo, bool quiet_if_not_empty)
{
    char err[512];
    int pending = migrate_pending(a->db, err, sizeof err);
    if (pending != 0) {
        fprintf(stderr, "parcours: %s\n",
                pending < 0 ? err : "the schema is not up to date: run 'parcours init'");
        return 1;
    }
    arena ar;
    arena_init(&ar, 0);
    ctx c = synth_ctx(a, &ar);
    synth_report rep;
    core_error e = {0};
    core_rc rc = synth_load(&c, lo, &rep, &e);
    ctx_done(&c);
    arena_free(&ar);
    if (rc == CORE_OK) {
        print_report(&rep);
        return 0;
    }
    if (quiet_if_not_empty && e.code && strcmp(e.code, "synth.not_empty") == 0) {
        printf("Patients : la base en contient déjà, aucun patient synthétique ajouté.\n");
        return 0;
    }
    fprintf(stderr, "parcours: %s\n", e.message ? e.message : "synthetic load failed");
    return 1;
}

int cli_synth(int argc, char **argv)
{
    cli_opts o;
    if (!cli_parse(argc, argv, SYNTH_USAGE, &o))
        return o.help ? 0 : 2;
    double fraction;
    uint64_t seed;
    if (o.positional != 0 || o.patients < 1) {
        fputs(SYNTH_USAGE, stderr);
        return 2;
    }
    if (!parse_options(&o, &fraction, &seed))
        return 2;
    synth_load_opts lo = {.keep_indexes = o.keep_indexes};
    if (!synth_plan_init(&lo.plan, seed, o.patients, fraction)) {
        fputs(SYNTH_USAGE, stderr);
        return 2;
    }
    FILE *truth = NULL;
    if (o.truth && !(truth = fopen(o.truth, "w"))) {
        fprintf(stderr, "parcours: cannot write %s: %s\n", o.truth, strerror(errno));
        return 1;
    }
    int status;
    if (o.jsonl) {
        status = write_jsonl(&lo.plan, o.jsonl, truth);
    } else {
        app a;
        if (!cli_open(&a, &o, 1, false)) {
            if (truth)
                fclose(truth);
            return 1;
        }
        lo.truth = truth;
        status = load(&a, &lo, false);
        cli_close(&a);
    }
    if (truth && fclose(truth) != 0) {
        fprintf(stderr, "parcours: cannot write %s\n", o.truth);
        status = 1;
    }
    return status;
}

int cli_demo_patients(app *a, long patients)
{
    synth_load_opts lo = {.only_if_empty = true};
    if (!synth_plan_init(&lo.plan, 1, patients, SYNTH_DEFAULT_DUPLICATES))
        return 2;
    return load(a, &lo, true);
}

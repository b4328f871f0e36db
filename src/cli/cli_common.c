#include "cli/cli.h"
#include "util/log.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static bool parse_int(const char *s, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || !*s || *end || v < min || v > max)
        return false;
    *out = v;
    return true;
}

bool cli_parse(int argc, char **argv, const char *usage, cli_opts *o)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},
        {"http", required_argument, NULL, 'H'},
        {"secret-file", required_argument, NULL, 's'},
        {"threads", required_argument, NULL, 't'},
        {"web-root", required_argument, NULL, 'w'},
        {"role", required_argument, NULL, 'r'},
        {"name", required_argument, NULL, 'n'},
        {"password-stdin", no_argument, NULL, 'p'},
        {"session-idle", required_argument, NULL, 'i'},
        {"session-max", required_argument, NULL, 'm'},
        {"max-body", required_argument, NULL, 'b'},
        {"patients", required_argument, NULL, 'P'},
        {"duplicates", required_argument, NULL, 'D'},
        {"seed", required_argument, NULL, 'S'},
        {"truth", required_argument, NULL, 'T'},
        {"jsonl", required_argument, NULL, 'J'},
        {"keep-indexes", no_argument, NULL, 'K'},
        {"mllp", required_argument, NULL, 'L'},
        {"s2ri", required_argument, NULL, 'R'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof *o);
    app_config_defaults(&o->cfg);
    optind = 1;
    opterr = 0;
    int ch;
    long v;
    while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'd':
            o->cfg.db_url = optarg;
            break;
        case 'H':
            o->cfg.http_addr = optarg;
            break;
        case 's':
            o->cfg.secret_file = optarg;
            break;
        case 'w':
            o->cfg.web_root = optarg;
            break;
        case 'r':
            o->role = optarg;
            break;
        case 'n':
            o->name = optarg;
            break;
        case 'p':
            o->password_stdin = true;
            break;
        case 't':
            if (!parse_int(optarg, 1, 256, &v))
                goto bad_value;
            o->cfg.threads = (int)v;
            break;
        case 'i':
            if (!parse_int(optarg, 1, 30L * 86400, &v))
                goto bad_value;
            o->cfg.session_idle_ms = v * 1000;
            break;
        case 'm':
            if (!parse_int(optarg, 1, 30L * 86400, &v))
                goto bad_value;
            o->cfg.session_max_ms = v * 1000;
            break;
        case 'L': /* HL7 v2 listener (hl7/mllp_server.c) */
            o->cfg.mllp_addr = optarg;
            break;
        case 'R': /* regional identity server for the outbound feed (hl7/hl7_outbound.c) */
            o->cfg.s2ri_addr = optarg;
            break;
        case 'b':
            if (!parse_int(optarg, 1024, 1L << 30, &v))
                goto bad_value;
            o->cfg.max_body = (size_t)v;
            break;
        case 'P':
            if (!parse_int(optarg, 1, 100000000L, &v))
                goto bad_value;
            o->patients = v;
            break;
        case 'D':
            o->duplicates = optarg;
            break;
        case 'S':
            o->seed = optarg;
            break;
        case 'T':
            o->truth = optarg;
            break;
        case 'J':
            o->jsonl = optarg;
            break;
        case 'K':
            o->keep_indexes = true;
            break;
        case 'h':
            o->help = true;
            fputs(usage, stdout);
            return false;
        default:
            fprintf(stderr, "parcours: unknown or incomplete option '%s'\n\n%s",
                    argv[optind - 1], usage);
            return false;
        }
    }
    for (int i = optind; i < argc; i++) {
        if (o->positional == 4) {
            fprintf(stderr, "parcours: too many arguments\n\n%s", usage);
            return false;
        }
        o->args[o->positional++] = argv[i];
    }
    return true;
bad_value:
    fprintf(stderr, "parcours: invalid value '%s' for %s\n", optarg, argv[optind - 1]);
    return false;
}

/* For sqlite:var/x.db, makes var/ so that a first run just works. */
static void make_parent_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path)
        return;
    char dir[512];
    size_t n = (size_t)(slash - path);
    if (n >= sizeof dir)
        return;
    memcpy(dir, path, n);
    dir[n] = '\0';
    mkdir(dir, 0750);
}

bool cli_open(app *a, const cli_opts *o, int pool, bool create_secret)
{
    char err[512];
    memset(a, 0, sizeof *a);
    a->cfg = o->cfg;
    if (strncmp(a->cfg.db_url, "sqlite:", 7) == 0)
        make_parent_dir(a->cfg.db_url + 7);
    if (create_secret)
        make_parent_dir(a->cfg.secret_file);
    if (!app_load_secret(a, create_secret, err, sizeof err)) {
        fprintf(stderr, "parcours: %s\n", err);
        return false;
    }
    a->db = db_open(a->cfg.db_url, pool, err, sizeof err);
    if (!a->db) {
        fprintf(stderr, "parcours: %s\n", err);
        return false;
    }
    return true;
}

void cli_close(app *a)
{
    db_close(a->db);
    a->db = NULL;
}

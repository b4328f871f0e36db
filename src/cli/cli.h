/* cli: the `parcours` commands. Each takes argc/argv after the command name and
 * returns the process exit status (0 ok, 1 failure, 2 usage error). */
#ifndef PARCOURS_CLI_CLI_H
#define PARCOURS_CLI_CLI_H

#include "core/app.h"

int cli_init(int argc, char **argv);
int cli_serve(int argc, char **argv);
int cli_user(int argc, char **argv);
int cli_demo(int argc, char **argv);
int cli_audit(int argc, char **argv);
int cli_import(int argc, char **argv);
int cli_synth(int argc, char **argv);

/* Shared options: --db, --secret-file (and --http, --threads, --web-root for
 * serve). Unknown options print the usage and return false. */
typedef struct cli_opts {
    app_config cfg;
    const char *role;
    const char *name;
    bool password_stdin;
    bool help;
    int positional;
    char *args[4];
    /* synth (and demo --patients): checked by the command */
    long patients;
    const char *duplicates, *seed, *truth, *jsonl;
    bool keep_indexes;
} cli_opts;

bool cli_parse(int argc, char **argv, const char *usage, cli_opts *o);
/* Opens the database and loads (or creates) the secret; prints errors. */
bool cli_open(app *a, const cli_opts *o, int pool, bool create_secret);
void cli_close(app *a);
/* demo --patients N: loads N synthetic patients unless some exist (cli_synth.c). */
int cli_demo_patients(app *a, long patients);

#endif

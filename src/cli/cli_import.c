/* parcours import annuaire FILE: streams the national directory extraction
 * into the database (the rules are in core/directory_import.h). */
#include "cli/cli.h"
#include "core/directory_import.h"
#include "store/migrate.h"
#include "util/alloc.h"
#include "util/timeutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *IMPORT_USAGE =
    "usage: parcours import annuaire FILE [--db URL] [--secret-file FILE]\n"
    "\n"
    "Imports the directory of professionals from the national extraction\n"
    "PS_LibreAcces_Personne_activite (Annuaire Santé: UTF-8, fields separated by '|',\n"
    "a header line, one line per professional and place of practice). FILE '-' reads\n"
    "standard input.\n"
    "\n"
    "Idempotent: importing a file again updates what exists and duplicates nothing.\n"
    "The file is read line by line and committed every 1000 lines, so memory stays\n"
    "constant whatever its size. Each rejected line is reported on standard error as\n"
    "FILE:LINE: rejected (code): reason, and the import goes on; the counts are\n"
    "printed at the end.\n"
    "\n"
    "Exit status: 0 every line imported, 3 done but some lines rejected, 1 the file\n"
    "or the database failed (batches committed before stay), 2 usage.\n";

/* A line reader with fixed buffers: a line longer than the line buffer is
 * reported as truncated and the rest of it skipped, so that one endless line
 * cannot make the process grow. */
typedef struct line_reader {
    FILE *f;
    char chunk[65536];
    size_t pos, len;
    bool eof;
    char line[DIRECTORY_IMPORT_MAX_LINE + 1];
} line_reader;

/* The next line without its '\n' (NUL bytes are kept; *len counts them).
 * False at the end of the input or on a read error (check ferror). */
static bool next_line(line_reader *r, size_t *len, bool *truncated)
{
    size_t n = 0;
    bool any = false;
    *truncated = false;
    for (;;) {
        if (r->pos == r->len) {
            if (r->eof)
                break;
            r->len = fread(r->chunk, 1, sizeof r->chunk, r->f);
            r->pos = 0;
            if (r->len == 0) {
                r->eof = true;
                break;
            }
        }
        any = true;
        const char *start = r->chunk + r->pos;
        const char *nl = memchr(start, '\n', r->len - r->pos);
        size_t take = nl ? (size_t)(nl - start) : r->len - r->pos;
        size_t room = DIRECTORY_IMPORT_MAX_LINE - n;
        if (take > room) {
            *truncated = true;
            take = room;
        }
        memcpy(r->line + n, start, take);
        n += take;
        if (nl) {
            r->pos = (size_t)(nl - r->chunk) + 1;
            break;
        }
        r->pos = r->len;
    }
    r->line[n] = '\0';
    *len = n;
    return any;
}

static int import_annuaire(const cli_opts *o, const char *path)
{
    bool from_stdin = strcmp(path, "-") == 0;
    FILE *f = from_stdin ? stdin : fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "parcours: cannot open '%s': %s\n", path, strerror(errno));
        return 1;
    }
    app a;
    if (!cli_open(&a, o, 1, false)) {
        if (!from_stdin)
            fclose(f);
        return 1;
    }
    int status = 1;
    char err_text[512];
    arena ar;
    arena_init(&ar, 0);
    line_reader *r = xcalloc(1, sizeof *r);
    r->f = f;
    ctx c = {.app = &a,
             .arena = &ar,
             .now_ms = time_now_ms(),
             .client_addr = "cli",
             .request_id = "cli"};
    int pending = migrate_pending(a.db, err_text, sizeof err_text);
    if (pending != 0) {
        fprintf(stderr, "parcours: %s\n",
                pending < 0 ? err_text : "the schema is not up to date: run 'parcours init'");
        goto out;
    }
    size_t len;
    bool truncated;
    if (!next_line(r, &len, &truncated)) {
        fprintf(stderr, "parcours: %s: %s\n", path,
                ferror(f) ? strerror(errno) : "empty file, no header line");
        goto out;
    }
    core_error err = {0};
    dir_import *im = truncated ? NULL : directory_import_begin(&c, path, r->line, len, &err);
    if (!im) {
        fprintf(stderr, "parcours: %s:1: %s\n", path,
                truncated ? "the header line is too long" : err.message);
        goto out;
    }
    int64_t started = time_now_ms();
    long lineno = 1;
    bool completed = true;
    while (next_line(r, &len, &truncated)) {
        lineno++;
        core_rc rc = directory_import_line(im, r->line, len, truncated, &err);
        if (rc == CORE_INVALID) {
            fprintf(stderr, "%s:%ld: rejected (%s): %s\n", path, lineno, err.code, err.message);
        } else if (rc != CORE_OK) {
            fprintf(stderr, "parcours: %s:%ld: %s\n", path, lineno, err.message);
            completed = false;
            break;
        }
    }
    if (ferror(f)) {
        fprintf(stderr, "parcours: %s: read error after line %ld: %s\n", path, lineno,
                strerror(errno));
        completed = false;
    }
    dir_import_counts n;
    if (directory_import_finish(im, completed, &n, &err) != CORE_OK) {
        fprintf(stderr, "parcours: %s\n", err.message);
        completed = false;
    }
    double secs = (double)(time_now_ms() - started) / 1000.0;
    printf("parcours: import of %s %s: read %lld, inserted %lld, updated %lld, rejected %lld "
           "(new professionals %lld, new organisations %lld) in %.1f s\n",
           path, completed ? "done" : "stopped", (long long)n.read, (long long)n.inserted,
           (long long)n.updated, (long long)n.rejected, (long long)n.professionals_new,
           (long long)n.organisations_new, secs);
    status = !completed ? 1 : n.rejected ? 3 : 0;
out:
    ctx_done(&c);
    free(r);
    arena_free(&ar);
    cli_close(&a);
    if (!from_stdin)
        fclose(f);
    return status;
}

int cli_import(int argc, char **argv)
{
    cli_opts o;
    if (!cli_parse(argc, argv, IMPORT_USAGE, &o))
        return o.help ? 0 : 2;
    if (o.positional != 2 || strcmp(o.args[0], "annuaire") != 0) {
        fputs(IMPORT_USAGE, stderr);
        return 2;
    }
    return import_annuaire(&o, o.args[1]);
}

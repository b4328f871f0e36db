/* parcours init | user add | demo | audit verify */
#include "cli/cli.h"
#include "core/accounts.h"
#include "core/audit.h"
#include "store/migrate.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <string.h>
#include <sodium.h>

static ctx cli_ctx(app *a, arena *ar)
{
    return (ctx){.app = a, .arena = ar, .now_ms = time_now_ms(), .client_addr = "cli",
                 .request_id = "cli"};
}

static const char *INIT_USAGE =
    "usage: parcours init [--db URL] [--secret-file FILE]\n"
    "\n"
    "Creates the database schema, or migrates it to this version, and creates the\n"
    "server secret that keys the audit chain when it does not exist yet.\n"
    "\n"
    "  --db URL            sqlite:PATH or postgres://... (PARCOURS_DB, default sqlite:var/parcours.db)\n"
    "  --secret-file FILE  (PARCOURS_SECRET_FILE, default var/parcours.secret)\n";

int cli_init(int argc, char **argv)
{
    cli_opts o;
    if (!cli_parse(argc, argv, INIT_USAGE, &o))
        return o.help ? 0 : 2;
    app a;
    if (!cli_open(&a, &o, 1, true))
        return 1;
    char err[512];
    int n = migrate_apply(a.db, err, sizeof err);
    if (n < 0) {
        fprintf(stderr, "parcours: %s\n", err);
        cli_close(&a);
        return 1;
    }
    printf("parcours: database %s is up to date (%d migration%s applied)\n",
           db_url_redacted(a.db), n, n == 1 ? "" : "s");
    cli_close(&a);
    return 0;
}

static const char *USER_USAGE =
    "usage: parcours user add LOGIN --role admin|professional|coordinator [--name NAME]\n"
    "                         --password-stdin [--db URL] [--secret-file FILE]\n"
    "\n"
    "Creates an account. The password is read from the first line of standard input\n"
    "(at least 10 characters), so that it never shows in the process list.\n";

static bool read_password(char *out, size_t outsz)
{
    if (!fgets(out, (int)outsz, stdin))
        return false;
    out[strcspn(out, "\r\n")] = '\0';
    return true;
}

int cli_user(int argc, char **argv)
{
    cli_opts o;
    if (!cli_parse(argc, argv, USER_USAGE, &o))
        return o.help ? 0 : 2;
    if (o.positional != 2 || strcmp(o.args[0], "add") != 0 || !o.role || !o.password_stdin) {
        fputs(USER_USAGE, stderr);
        return 2;
    }
    char password[1024];
    if (!read_password(password, sizeof password)) {
        fprintf(stderr, "parcours: no password on standard input\n");
        return 1;
    }
    app a;
    if (!cli_open(&a, &o, 1, false))
        return 1;
    arena ar;
    arena_init(&ar, 0);
    ctx c = cli_ctx(&a, &ar);
    account_input in = {.login = o.args[1],
                        .display_name = o.name ? o.name : o.args[1],
                        .role = o.role,
                        .password = password};
    account acc;
    core_error err = {0};
    core_rc rc = accounts_create(&c, &in, &acc, &err);
    sodium_memzero(password, sizeof password);
    if (rc == CORE_OK)
        printf("parcours: account '%s' created (id %lld, role %s)\n", acc.login,
               (long long)acc.id, acc.role);
    else
        fprintf(stderr, "parcours: %s\n", err.message ? err.message : "cannot create the account");
    ctx_done(&c);
    arena_free(&ar);
    cli_close(&a);
    return rc == CORE_OK ? 0 : 1;
}

static const char *DEMO_USAGE =
    "usage: parcours demo [--patients N] [--db URL] [--secret-file FILE]\n"
    "\n"
    "Adds demonstration accounts to an initialised database (idempotent) and prints\n"
    "their logins. Never use them on a real installation.\n"
    "\n"
    "  --patients N  also load N synthetic patients (5% duplicates, seed 1; see\n"
    "                'parcours synth') unless the database already has patients\n";

/* Demonstration accounts: login, display name, role, password. */
static const struct {
    const char *login, *name, *role, *password;
} demo_accounts[] = {
    {"admin", "Administrateur", "admin", "parcours-admin"},
    {"dr.martin", "Dr Claire Martin (médecin généraliste)", "professional", "parcours-demo"},
    {"inf.bernard", "Julien Bernard (infirmier libéral)", "professional", "parcours-demo"},
    {"coord.dac", "Sophie Lefèvre (coordinatrice DAC)", "coordinator", "parcours-demo"},
};

int cli_demo(int argc, char **argv)
{
    cli_opts o;
    if (!cli_parse(argc, argv, DEMO_USAGE, &o))
        return o.help ? 0 : 2;
    app a;
    if (!cli_open(&a, &o, 1, false))
        return 1;
    char err[512];
    int pending = migrate_pending(a.db, err, sizeof err);
    if (pending != 0) {
        fprintf(stderr, "parcours: %s\n",
                pending < 0 ? err : "the schema is not up to date: run 'parcours init'");
        cli_close(&a);
        return 1;
    }
    arena ar;
    arena_init(&ar, 0);
    int status = 0;
    printf("Comptes de démonstration :\n");
    for (size_t i = 0; i < sizeof demo_accounts / sizeof demo_accounts[0]; i++) {
        ctx c = cli_ctx(&a, &ar);
        account acc;
        core_error e = {0};
        account_input in = {.login = demo_accounts[i].login,
                            .display_name = demo_accounts[i].name,
                            .role = demo_accounts[i].role,
                            .password = demo_accounts[i].password};
        core_rc rc = accounts_create(&c, &in, &acc, &e);
        ctx_done(&c);
        if (rc != CORE_OK && rc != CORE_CONFLICT) {
            fprintf(stderr, "parcours: %s\n", e.message ? e.message : "demo failed");
            status = 1;
            break;
        }
        printf("  %-12s mot de passe %-15s (%s)\n", demo_accounts[i].login,
               demo_accounts[i].password, demo_accounts[i].name);
    }
    arena_free(&ar);
    if (status == 0 && o.patients > 0)
        status = cli_demo_patients(&a, o.patients);
    cli_close(&a);
    return status;
}

static const char *AUDIT_USAGE =
    "usage: parcours audit verify [--db URL] [--secret-file FILE]\n"
    "\n"
    "Recomputes the hash chain of the whole audit trail with the server secret.\n"
    "Exits 0 when intact; 1 naming the first event that was edited, deleted or\n"
    "reordered.\n";

int cli_audit(int argc, char **argv)
{
    cli_opts o;
    if (!cli_parse(argc, argv, AUDIT_USAGE, &o))
        return o.help ? 0 : 2;
    if (o.positional != 1 || strcmp(o.args[0], "verify") != 0) {
        fputs(AUDIT_USAGE, stderr);
        return 2;
    }
    app a;
    if (!cli_open(&a, &o, 1, false))
        return 1;
    arena ar;
    arena_init(&ar, 0);
    ctx c = cli_ctx(&a, &ar);
    audit_report rep;
    core_rc rc = audit_verify(&c, &rep);
    int status = 0;
    if (rc == CORE_OK) {
        printf("parcours: audit trail intact (%lld events)\n", (long long)rep.checked);
    } else if (rc == CORE_CONFLICT) {
        printf("parcours: audit trail BROKEN at event %lld: %s (%lld events verified before)\n",
               (long long)rep.broken_seq, rep.reason, (long long)rep.checked);
        status = 1;
    } else {
        fprintf(stderr, "parcours: cannot read the audit trail\n");
        status = 1;
    }
    ctx_done(&c);
    arena_free(&ar);
    cli_close(&a);
    return status;
}

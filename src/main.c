/* parcours: the command line. Every command lives in src/cli/. */
#include "cli/cli.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

static const char *USAGE =
    "usage: parcours COMMAND [options]\n"
    "\n"
    "parcours — coordination des parcours de santé (care-coordination platform)\n"
    "\n"
    "commands:\n"
    "  init          create or migrate the database schema\n"
    "  serve         run the HTTP server\n"
    "  user add      create an account\n"
    "  demo          add demonstration data\n"
    "  audit verify  check the audit trail's hash chain\n"
    "  import        import annuaire FILE: the national directory of professionals\n"
    "  synth         load synthetic patient identities (with duplicates and their truth)\n"
    "  version       print the version\n"
    "\n"
    "'parcours COMMAND --help' describes each command.\n";

int main(int argc, char **argv)
{
    if (sodium_init() < 0) {
        fprintf(stderr, "parcours: libsodium failed to initialise\n");
        return 1;
    }
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        fputs(USAGE, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *cmd = argv[1];
    argc--;
    argv++;
    if (strcmp(cmd, "init") == 0)
        return cli_init(argc, argv);
    if (strcmp(cmd, "serve") == 0)
        return cli_serve(argc, argv);
    if (strcmp(cmd, "user") == 0)
        return cli_user(argc, argv);
    if (strcmp(cmd, "demo") == 0)
        return cli_demo(argc, argv);
    if (strcmp(cmd, "audit") == 0)
        return cli_audit(argc, argv);
    if (strcmp(cmd, "import") == 0)
        return cli_import(argc, argv);
    if (strcmp(cmd, "synth") == 0)
        return cli_synth(argc, argv);
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        puts("parcours 0.1.0");
        return 0;
    }
    fprintf(stderr, "parcours: unknown command '%s'\n\n%s", cmd, USAGE);
    return 2;
}

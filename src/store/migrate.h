/* migrate: applies the embedded migrations (parcours init) and checks that a
 * database is up to date before serving (parcours serve). */
#ifndef PARCOURS_STORE_MIGRATE_H
#define PARCOURS_STORE_MIGRATE_H

#include <stddef.h>

#include "store/db.h"

/* Applies every pending migration, each in its own transaction. Returns the
 * number applied (>= 0), or -1 with a message in err. */
int migrate_apply(db *d, char *err, size_t errsz);

/* Number of migrations not yet applied (0 = up to date), or -1 with err set
 * (e.g. the database was never initialised). */
int migrate_pending(db *d, char *err, size_t errsz);

#endif

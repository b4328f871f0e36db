/* territory: the areas (postcodes or INSEE commune codes) a DAC or CPTS
 * covers, and their coordinators, who may then open the records of patients
 * living there. Administrators manage them. */
#ifndef PARCOURS_CORE_TERRITORY_H
#define PARCOURS_CORE_TERRITORY_H

#include "core/ctx.h"
#include "store/circle_store.h"

#define TERRITORY_MAX_CODES 500

core_rc territory_create(ctx *c, const char *name, const char *const *codes, int ncodes,
                         int64_t *id, core_error *err);
/* Attaches a coordinator account to a territory. */
core_rc territory_assign(ctx *c, int64_t territory_id, int64_t user_id, core_error *err);
core_rc territory_list(ctx *c, territory **out, int *n, core_error *err);

#endif

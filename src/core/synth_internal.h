/* synth_internal: what the generation (synth.c) and the corruption of
 * duplicates (synth_corrupt.c) share. Internal to core/synth*.c. */
#ifndef PARCOURS_CORE_SYNTH_INTERNAL_H
#define PARCOURS_CORE_SYNTH_INTERNAL_H

#include "core/synth.h"

#include <stdbool.h>
#include <stdint.h>

/* splitmix64: tiny, fast, good enough for test data, and seekable: every
 * record gets a stream of its own from (seed, stream, index). */
typedef struct rng {
    uint64_t s;
} rng;

static inline uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static inline uint64_t rng_next(rng *r)
{
    r->s += 0x9E3779B97F4A7C15ull;
    return mix64(r->s);
}
/* Uniform in [0, n). */
static inline uint64_t rng_below(rng *r, uint64_t n)
{
    return (uint64_t)(((unsigned __int128)rng_next(r) * n) >> 64);
}

static inline double rng_unit(rng *r)
{
    return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

static inline bool rng_chance(rng *r, double p)
{
    return rng_unit(r) < p;
}

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ---- the embedded data and its picks (core/synth_data.c) ---------------- */

/* Communes: INSEE (COG) code, postcode, name, population in thousands (the
 * weight for births and residences); countries of birth the same way. */
typedef struct commune {
    const char *cog, *postcode, *name;
    int weight;
} commune;

/* Builds the cumulative tables once (thread-safe); before any pick. */
void synth_data_init(void);
/* A family name: from the list by rank, or made of common parts; sometimes
 * compound ("Martin-Durand"). Strings in the arena or static. */
const char *synth_family_name(rng *r, arena *ar);
/* A given name as fashionable in year for sex 'F' or 'M'. */
const char *synth_given_name(rng *r, char sex, int year);
/* The birth years of a decade drawn from the age pyramid. */
void synth_birth_decade(rng *r, int *first_year, int *last_year);
/* A commune of the list, by population. */
const commune *synth_commune(rng *r);
/* A country of birth abroad (cog: the INSEE country code), by weight. */
const commune *synth_country(rng *r);
/* A department code ("35", "2A"...). */
const char *synth_department(rng *r);
/* An address in commune cm (a residence). */
void synth_residence(rng *r, arena *ar, const commune *cm, patient_input *in);
/* COG code of a birth in commune cm: arrondissements for Paris, Marseille, Lyon. */
const char *synth_birth_cog(rng *r, arena *ar, const commune *cm);

/* Word i (0-based) of a space-separated list, in the arena ("" past the end). */
const char *synth_word_at(arena *ar, const char *list, int i);
/* Whether kind can change this identity (a typo needs a long enough name...). */
bool synth_corruption_applies(synth_corruption kind, const patient_input *o, arena *ar);
/* Applies kind to d (strings in the arena). */
void synth_corrupt(synth_corruption kind, rng *r, arena *ar, patient_input *d);

#endif

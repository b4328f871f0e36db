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

/* Word i (0-based) of a space-separated list, in the arena ("" past the end). */
const char *synth_word_at(arena *ar, const char *list, int i);
/* Whether kind can change this identity (a typo needs a long enough name...). */
bool synth_corruption_applies(synth_corruption kind, const patient_input *o, arena *ar);
/* Applies kind to d (strings in the arena). */
void synth_corrupt(synth_corruption kind, rng *r, arena *ar, patient_input *d);

#endif

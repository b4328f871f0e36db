/* arena: a region allocator for one request or one message.
 *
 * Everything allocated from an arena lives until arena_free() (or arena_reset()),
 * which releases it all in one call. Allocation never fails (aborts on OOM).
 * An arena is used by one thread at a time. */
#ifndef PARCOURS_UTIL_ARENA_H
#define PARCOURS_UTIL_ARENA_H

#include <stddef.h>

typedef struct arena_block arena_block;

typedef struct arena {
    arena_block *head;   /* current block, newest first */
    size_t block_size;   /* default size of new blocks */
    size_t total;        /* bytes obtained from malloc, for limits and metrics */
} arena;

/* Initialises an arena whose blocks are block_size bytes (0 = 8 KiB). */
void arena_init(arena *a, size_t block_size);
/* Releases every block. The arena may be reused after arena_init(). */
void arena_free(arena *a);
/* Releases all but the first block and forgets every allocation. */
void arena_reset(arena *a);

/* n bytes aligned for any type; never NULL. */
void *arena_alloc(arena *a, size_t n);
/* Zeroed allocation. */
void *arena_calloc(arena *a, size_t count, size_t n);
/* NUL-terminated copies. arena_strndup copies at most n bytes. */
char *arena_strdup(arena *a, const char *s);
char *arena_strndup(arena *a, const char *s, size_t n);
/* printf into the arena. */
char *arena_printf(arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif

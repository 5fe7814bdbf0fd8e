/* arena.h — a bump arena that protobuf-c decodes a request into, released in one step.
 *
 * protobuf-c allocates every message, repeated array and string of a decoded Request
 * separately (a one-line declaration is about 17 mallocs and as many frees). Each request
 * slot embeds an arena with an inline buffer instead: allocations bump a pointer, and the
 * whole request is released by resetting the arena. An allocation that does not fit the
 * inline buffer falls back to malloc and is freed at the reset, so a large frame (a batch of
 * a thousand declarations) costs what it did before and the inline part stays bounded.
 *
 * Loop thread only; not thread-safe. Never frees individual allocations (free is a no-op
 * for inline memory), so it suits data whose lifetime is the request's.
 */
#ifndef BZLD_ARENA_H
#define BZLD_ARENA_H

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>
#include <stdint.h>

/* Inline bytes per request slot: a decoded one-line declaration takes about 600, a 10-line
 * one about 2,000; bigger requests spill to malloc. */
#define BZLD_ARENA_INLINE_BYTES 2048u

typedef struct bzld_arena_spill bzld_arena_spill;

typedef struct bzld_arena {
    ProtobufCAllocator allocator; /* hand &arena->allocator to protobuf-c */
    size_t used;                  /* bytes of inline taken */
    bzld_arena_spill *spills;     /* malloc'd allocations, freed at reset */
    uint64_t spill_count;         /* since init, for statistics */
    _Alignas(16) uint8_t inline_buf[BZLD_ARENA_INLINE_BYTES];
} bzld_arena;

/* Prepares a (caller's memory). */
void bzld_arena_init(bzld_arena *a);
/* Frees every spilled allocation and makes the inline buffer empty again. */
void bzld_arena_reset(bzld_arena *a);

#endif

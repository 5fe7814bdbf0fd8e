/* arena.c — the per-request bump arena behind protobuf-c's allocator (arena.h). */
#include "arena.h"

#include <stdlib.h>

#include "bzl/base.h"

/* Every allocation is aligned for any scalar protobuf-c stores. */
#define ARENA_ALIGN 16u

struct bzld_arena_spill {
    bzld_arena_spill *next;
    _Alignas(16) uint8_t data[];
};

static_assert(BZLD_ARENA_INLINE_BYTES % ARENA_ALIGN == 0, "inline buffer keeps alignment");

static void *
arena_alloc(void *ctx, size_t bytes)
{
    bzld_arena *a = ctx;
    size_t rounded = (bytes + ARENA_ALIGN - 1u) & ~(size_t)(ARENA_ALIGN - 1u);
    if (rounded >= bytes && rounded <= BZLD_ARENA_INLINE_BYTES - a->used) {
        void *p = a->inline_buf + a->used;
        a->used += rounded;
        return p;
    }
    /* protobuf-c bounds bytes by the frame it decodes, which the frame cap bounds. */
    if (bytes > SIZE_MAX - sizeof(bzld_arena_spill)) {
        return NULL;
    }
    bzld_arena_spill *s = malloc(sizeof *s + bytes);
    if (s == NULL) {
        return NULL; /* protobuf-c fails the unpack: the request gets MALFORMED */
    }
    s->next = a->spills;
    a->spills = s;
    a->spill_count++;
    return s->data;
}

static void
arena_free(void *ctx, void *p)
{
    /* Released all at once by bzld_arena_reset. */
    (void)ctx;
    (void)p;
}

void
bzld_arena_init(bzld_arena *a)
{
    a->allocator.alloc = arena_alloc;
    a->allocator.free = arena_free;
    a->allocator.allocator_data = a;
    a->used = 0;
    a->spills = NULL;
    a->spill_count = 0;
}

void
bzld_arena_reset(bzld_arena *a)
{
    BZL_ASSERT(a->allocator.allocator_data == a);
    while (a->spills != NULL) {
        bzld_arena_spill *next = a->spills->next;
        free(a->spills);
        a->spills = next;
    }
    a->used = 0;
}

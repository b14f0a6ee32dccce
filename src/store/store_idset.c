/* store_idset.c - a set of 64-bit ids (which instances the store has written).
 *
 * Open addressing with linear probing; a slot holds id + 1 so that 0 means empty (an id
 * of UINT64_MAX is folded onto 0's slot value and cannot be stored; instance indices never
 * reach it). Grows to keep the load under one half. Memory is proportional to the ids
 * added, never to the range they come from. */
#include "store_internal.h"

#include <stdlib.h>

static size_t slot_of(const gd_id_set *s, uint64_t key)
{
    uint64_t h = key * 0x9E3779B97F4A7C15ULL;   /* Fibonacci hashing */
    size_t i = (size_t)(h >> 32) & (s->cap - 1);
    while (s->slot[i] && s->slot[i] != key)
        i = (i + 1) & (s->cap - 1);
    return i;
}

static int grow(gd_id_set *s)
{
    size_t cap = s->cap ? 2 * s->cap : 64;
    uint64_t *old = s->slot;
    size_t old_cap = s->cap;
    s->slot = calloc(cap, sizeof *s->slot);
    if (!s->slot) {
        s->slot = old;
        return -1;
    }
    s->cap = cap;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i])
            s->slot[slot_of(s, old[i])] = old[i];
    free(old);
    return 0;
}

int gd_id_set_has(const gd_id_set *s, uint64_t id)
{
    return s->cap && s->slot[slot_of(s, id + 1)] != 0;
}

int gd_id_set_add(gd_id_set *s, uint64_t id)
{
    if (gd_id_set_has(s, id))
        return 0;
    if (2 * (s->count + 1) > s->cap && grow(s) < 0)
        return -1;
    s->slot[slot_of(s, id + 1)] = id + 1;
    s->count++;
    return 1;
}

void gd_id_set_free(gd_id_set *s)
{
    free(s->slot);
    s->slot = NULL;
    s->cap = s->count = 0;
}

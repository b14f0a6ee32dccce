/* problem_block.c - an instance's one block of memory, shared by reference count (see
 * gdsweep/problem.h, gd_problem_block).
 *
 * The block starts with its header (the count and the size), padded to GD_BLOCK_ALIGN;
 * the instance's arrays follow. Large blocks are aligned to a huge page and asked for
 * transparent huge pages. The count is atomic: a batch handed to another thread drops
 * its reference there while the instance's thread drops its own. */
#include "problem_impl.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#include "gdsweep/huge_pages.h"

struct gd_problem_block {
    atomic_size_t refs;
    size_t bytes; /* of the arrays after the header */
};

size_t gd_block_round_up(size_t v)
{
    return (v + GD_BLOCK_ALIGN - 1) / GD_BLOCK_ALIGN * GD_BLOCK_ALIGN;
}

/* Bytes of the header, a multiple of GD_BLOCK_ALIGN so that the arrays stay aligned. */
#define HEADER_BYTES gd_block_round_up(sizeof(gd_problem_block))

/* An aligned allocation of total bytes (NULL when memory runs out). Blocks from a huge
 * page on are aligned to it and asked for transparent huge pages: a minibatch's rows lie
 * anywhere in a design matrix, and on 4 KiB pages nearly every row read misses the TLB
 * (bench_sgd.sh: logreg on 264 MB, 1.5x the iterations per second). */
static void *alloc_aligned(size_t total)
{
    if (total < GD_HUGE_PAGE_BYTES)
        return aligned_alloc(GD_BLOCK_ALIGN, gd_block_round_up(total));
    return gd_huge_alloc(total);
}

gd_problem_block *gd_problem_block_new(size_t bytes)
{
    if (bytes > SIZE_MAX - 2 * GD_HUGE_PAGE_BYTES - HEADER_BYTES)
        return NULL;
    gd_problem_block *b = alloc_aligned(HEADER_BYTES + bytes);
    if (!b)
        return NULL;
    atomic_init(&b->refs, 1);
    b->bytes = bytes;
    return b;
}

void *gd_problem_block_base(gd_problem_block *b)
{
    return (char *)b + HEADER_BYTES;
}

/* The same, read-only. */
static const void *block_base(const gd_problem_block *b)
{
    return (const char *)b + HEADER_BYTES;
}

gd_problem_block *gd_problem_block_hold(gd_problem_block *b)
{
    if (b)
        atomic_fetch_add_explicit(&b->refs, 1, memory_order_relaxed);
    return b;
}

gd_problem_block *gd_problem_hold(const gd_problem *p)
{
    return gd_problem_block_hold(p->block);
}

void gd_problem_block_drop(gd_problem_block *b)
{
    if (b && atomic_fetch_sub_explicit(&b->refs, 1, memory_order_acq_rel) == 1)
        free(b);
}

int gd_problem_block_has(const gd_problem_block *b, const double *data, size_t count,
                         size_t *offset)
{
    uintptr_t base = (uintptr_t)block_base(b), at = (uintptr_t)data;
    if (at < base || (at - base) % sizeof(double) != 0 || at - base > b->bytes ||
        count > (b->bytes - (at - base)) / sizeof(double))
        return 0;
    *offset = (at - base) / sizeof(double);
    return 1;
}

size_t gd_problem_block_bytes(const gd_problem_block *b)
{
    return b->bytes;
}

const double *gd_problem_block_values(const gd_problem_block *b, size_t offset)
{
    const double *first = block_base(b);
    return first + offset;
}

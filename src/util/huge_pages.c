/* huge_pages.c - transparent huge pages for large buffers (see gdsweep/huge_pages.h).
 *
 * The hint must come before the first touch: once a 4 KiB page of a 2 MiB range is
 * mapped the kernel maps the rest of the range in 4 KiB pages too. realloc's growth of a
 * large block (mremap, or a copy into a fresh block) touches most of the new block
 * before a hint could be given, and the fresh tail is rarely a whole aligned 2 MiB, so a
 * buffer grown by realloc and advised afterwards never got a huge page (AnonHugePages
 * 0 kB while the tiny grid ran; its first two batches took 0.3 s of page faults). A
 * grow to GD_HUGE_GROW_BYTES or more therefore takes a fresh block of whole 2 MiB pages,
 * aligned, advised while untouched, and copies into it the bytes its owner says it keeps
 * (none for a buffer refilled after the grow). */
#define _GNU_SOURCE /* madvise, malloc_usable_size */
#include "gdsweep/huge_pages.h"

#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

void gd_huge_pages_advise(void *p, size_t bytes)
{
#ifdef MADV_HUGEPAGE
    uintptr_t start = (uintptr_t)p, end = start + bytes;
    uintptr_t lo = (start + GD_HUGE_PAGE_BYTES - 1) & ~(uintptr_t)(GD_HUGE_PAGE_BYTES - 1);
    uintptr_t hi = end & ~(uintptr_t)(GD_HUGE_PAGE_BYTES - 1);
    if (p && bytes >= GD_HUGE_PAGE_BYTES && lo < hi)
        (void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
#else
    (void)p;
    (void)bytes;
#endif
}

/* The whole 2 MiB pages that hold bytes. */
static size_t whole_huge_pages(size_t bytes)
{
    return (bytes + GD_HUGE_PAGE_BYTES - 1) & ~(GD_HUGE_PAGE_BYTES - 1);
}

void *gd_huge_alloc(size_t bytes)
{
    size_t room = whole_huge_pages(bytes);
    void *q = NULL;
    if (room < bytes || posix_memalign(&q, GD_HUGE_PAGE_BYTES, room) != 0)
        return NULL;
    gd_huge_pages_advise(q, room);
    return q;
}

void *gd_huge_realloc(void *p, size_t kept, size_t bytes)
{
    if (bytes < GD_HUGE_GROW_BYTES)
        return realloc(p, bytes);
    if (p && malloc_usable_size(p) >= bytes)
        return p; /* a block of whole huge pages often holds the next grow already */
    void *q = gd_huge_alloc(bytes);
    if (!q)
        return NULL; /* p stays valid, as with realloc */
    if (p && kept)
        memcpy(q, p, kept < bytes ? kept : bytes);
    free(p);
    return q;
}

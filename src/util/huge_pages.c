/* huge_pages.c - transparent huge pages for large buffers (see gdsweep/huge_pages.h). */
#define _DEFAULT_SOURCE /* madvise */
#include "gdsweep/huge_pages.h"

#include <stdint.h>
#include <stdlib.h>
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

void *gd_huge_realloc(void *p, size_t bytes)
{
    void *q = realloc(p, bytes);
    gd_huge_pages_advise(q, bytes);
    return q;
}

/* huge_pages.h - transparent huge pages for large buffers that grow and stay.
 *
 * A process's first touch of a 4 KiB page is a page fault; on the dev VM each costs
 * 10-13 us (bench/first_touch.c: 64-82 ms for 24 MiB, against 1-2 ms to fill the same
 * memory again), so a result batch, a row buffer or a message buffer paid more to be
 * touched than to be filled. Where the kernel's transparent huge pages are "madvise", a
 * buffer asked for them faults once per 2 MiB (24 MiB: about 2 ms). */
#ifndef GDSWEEP_HUGE_PAGES_H
#define GDSWEEP_HUGE_PAGES_H

#include <stddef.h>

/* Buffers from this size on are worth the hint (one huge page). */
#define GD_HUGE_PAGE_BYTES ((size_t)2 << 20)

/* Asks for huge pages on the whole 2 MiB pages inside [p, p + bytes) (nothing for a
 * smaller buffer; a hint: the kernel may decline). */
void gd_huge_pages_advise(void *p, size_t bytes);

/* A block of whole 2 MiB pages holding bytes, aligned to 2 MiB and asked for huge pages
 * before anything touches it (free() it); NULL when memory runs out. */
void *gd_huge_alloc(size_t bytes);

/* From this size on a growing buffer takes huge pages: below it, 4 KiB pages (at most
 * 256 faults each); above it, at most 8x the bytes asked for while it is small. */
#define GD_HUGE_GROW_BYTES ((size_t)256 << 10)

/* Grows p (NULL, or a block from malloc, realloc or this function) to hold bytes, the
 * first `kept` bytes of its contents kept (0 for a buffer refilled after the grow; at
 * most its old size). Below GD_HUGE_GROW_BYTES this is realloc. From there on, a block
 * that already holds bytes is returned as it is; otherwise the grow takes a fresh block
 * of whole 2 MiB pages, aligned, asked for huge pages before anything touches it (the
 * hint given after realloc came too late: the kernel maps a 2 MiB range in 4 KiB pages
 * once any of it was touched), copies the kept bytes and frees p. NULL on failure, p
 * still valid. */
void *gd_huge_realloc(void *p, size_t kept, size_t bytes);

#endif

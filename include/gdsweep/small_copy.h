/* small_copy.h - copies a few doubles without a call to memcpy (a tiny run copies 1 or 2 per step).
 *
 * The run loop copies x into the numeric gradient's scratch vector and into the recorded
 * path at every iteration; for a 1- or 2-dimensional problem the library call cost more
 * than the copy. Up to four values are moved by assignments, longer vectors by memcpy. */
#ifndef GDSWEEP_SMALL_COPY_H
#define GDSWEEP_SMALL_COPY_H

#include <stddef.h>
#include <string.h>

static inline void gd_copy_values(double *to, const double *from, size_t n)
{
    switch (n) {
    case 4: to[3] = from[3]; /* fall through */
    case 3: to[2] = from[2]; /* fall through */
    case 2: to[1] = from[1]; /* fall through */
    case 1: to[0] = from[0]; /* fall through */
    case 0: return;
    default: memcpy(to, from, n * sizeof *to);
    }
}

#endif

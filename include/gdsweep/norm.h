/* norm.h - the Euclidean norm the run loop records and tests, the same bits on any thread count.
 *
 * gd_sum_squares adds v[i]^2 in four interleaved lanes (lane i % 4), then
 * (lane0 + lane1) + (lane2 + lane3): the result depends on n and v only. gd_blocked_norm
 * splits vectors of GD_PARALLEL_MIN values or more into GD_BLOCK-sized blocks over OpenMP
 * threads and adds the blocks' sums in block order (norm.c); below that it is one
 * gd_sum_squares, inline: a tiny run takes it at every iteration. The lanes are scalars,
 * not an array: with an array the tail of a short vector went through stack stores and
 * reloads that cost more than the arithmetic. */
#ifndef GDSWEEP_NORM_H
#define GDSWEEP_NORM_H

#include <math.h>
#include <stddef.h>

#include "gdsweep/run.h"

static inline double gd_sum_squares(const double *v, size_t n)
{
    double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        s0 += v[i] * v[i];
        s1 += v[i + 1] * v[i + 1];
        s2 += v[i + 2] * v[i + 2];
        s3 += v[i + 3] * v[i + 3];
    }
    size_t left = n - i;
    if (left > 0)
        s0 += v[i] * v[i];
    if (left > 1)
        s1 += v[i + 1] * v[i + 1];
    if (left > 2)
        s2 += v[i + 2] * v[i + 2];
    return (s0 + s1) + (s2 + s3);
}

/* The norm of a vector of GD_PARALLEL_MIN values or more, in blocks (norm.c). */
double gd_blocked_norm_parallel(const double *g, size_t n, double *partial);

/* sqrt of the sum of squares of g[0, n); partial holds one value per GD_BLOCK block
 * (gd_workspace.partial; unused below GD_PARALLEL_MIN). */
static inline double gd_blocked_norm(const double *g, size_t n, double *partial)
{
    if (n < GD_PARALLEL_MIN)
        return sqrt(gd_sum_squares(g, n));
    return gd_blocked_norm_parallel(g, n, partial);
}

#endif

/* norm.c - the gradient norm summed in fixed lanes and blocks (see gdsweep/norm.h).
 *
 * The four lanes are scalars, not an array: with an array the tail of a short vector (a
 * tiny run's n = 1 or 2) went through stack stores and reloads that cost more than the
 * arithmetic. Same additions in the same order, so the same bits. */
#include "gdsweep/norm.h"

#include "gdsweep/run.h"

#include <math.h>

double gd_sum_squares(const double *v, size_t n)
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

double gd_blocked_norm(const double *g, size_t n, double *partial)
{
    if (n < GD_PARALLEL_MIN)
        return sqrt(gd_sum_squares(g, n));
    size_t nb = gd_block_count(n);
#pragma omp parallel for schedule(static)
    for (size_t b = 0; b < nb; b++)
        partial[b] = gd_sum_squares(g + b * GD_BLOCK, gd_block_len(n, b));
    double s = 0.0;
    for (size_t b = 0; b < nb; b++)
        s += partial[b];
    return sqrt(s);
}

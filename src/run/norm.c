/* norm.c - the gradient norm of a long vector, summed in fixed blocks (see gdsweep/norm.h).
 *
 * Each block's lanes are summed by one thread; the blocks' sums are added in block order
 * afterwards, so the result does not depend on the thread count. */
#include "gdsweep/norm.h"

double gd_blocked_norm_parallel(const double *g, size_t n, double *partial)
{
    size_t nb = gd_block_count(n);
#pragma omp parallel for schedule(static)
    for (size_t b = 0; b < nb; b++)
        partial[b] = gd_sum_squares(g + b * GD_BLOCK, gd_block_len(n, b));
    double s = 0.0;
    for (size_t b = 0; b < nb; b++)
        s += partial[b];
    return sqrt(s);
}

/* norm.h - the Euclidean norm the run loop records and tests, the same bits on any thread count.
 *
 * gd_sum_squares adds v[i]^2 in four interleaved lanes (lane i % 4), then
 * (lane0 + lane1) + (lane2 + lane3): the result depends on n and v only. gd_blocked_norm
 * splits vectors of GD_PARALLEL_MIN values or more into GD_BLOCK-sized blocks over OpenMP
 * threads and adds the blocks' sums in block order; below that it is one gd_sum_squares. */
#ifndef GDSWEEP_NORM_H
#define GDSWEEP_NORM_H

#include <stddef.h>

double gd_sum_squares(const double *v, size_t n);

/* sqrt of the sum of squares of g[0, n); partial holds one value per GD_BLOCK block
 * (gd_workspace.partial). */
double gd_blocked_norm(const double *g, size_t n, double *partial);

#endif

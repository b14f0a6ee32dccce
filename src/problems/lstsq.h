/* lstsq.h - linear least squares by Householder QR (curvefit's and leastsq's setup). */
#ifndef GDSWEEP_LSTSQ_H
#define GDSWEEP_LSTSQ_H

#include <stddef.h>

#include "gdsweep/error.h"

/* Row i of a system: its n coefficients into row, its target into *y. */
typedef void (*gd_lstsq_row_fn)(const void *ctx, size_t i, double *row, double *y);

/* coef[0..n) minimising sum over the m rows of (row_i . coef - y_i)^2, rows folded in
 * CHUNK at a time in row order (memory O(n^2 + n CHUNK), the same result for any thread
 * count). Fails (usage error "rank deficient (hint)") when the rows do not determine coef:
 * a zero pivot of R, or one at most tol times the norm of its column (a column within tol,
 * relative, of the span of those before it; tol = 0: exact zeros only); runtime error when
 * out of memory. Allocates its scratch: call it from setup. */
int gd_lstsq_solve(gd_lstsq_row_fn row_of, const void *ctx, size_t m, size_t n,
                   double *coef, double tol, const char *hint, gd_error *err);

/* Coefficients coef[0..degree] (highest power first) minimising sum (p(x_i) - y_i)^2 over
 * m points, from Householder QR of the Vandermonde matrix streamed in fixed row chunks
 * (memory O(degree^2), result independent of thread count). Needs m >= degree + 1.
 * Fails (usage error) when the matrix is rank deficient, runtime error when out of memory.
 * Allocates its scratch: call it from setup, never from an iteration loop. */
int gd_polyfit_lstsq(const double *x, const double *y, size_t m, size_t degree,
                     double *coef, gd_error *err);

#endif

/* lstsq.h - least-squares polynomial fit by Householder QR (used by curvefit's setup). */
#ifndef GDSWEEP_LSTSQ_H
#define GDSWEEP_LSTSQ_H

#include <stddef.h>

#include "gdsweep/error.h"

/* Coefficients coef[0..degree] (highest power first) minimising sum (p(x_i) - y_i)^2 over
 * m points, from Householder QR of the Vandermonde matrix streamed in fixed row chunks
 * (memory O(degree^2), result independent of thread count). Needs m >= degree + 1.
 * Fails (usage error) when the matrix is rank deficient, runtime error when out of memory.
 * Allocates its scratch: call it from setup, never from an iteration loop. */
int gd_polyfit_lstsq(const double *x, const double *y, size_t m, size_t degree,
                     double *coef, gd_error *err);

#endif

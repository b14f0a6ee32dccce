/* newton.h - damped Newton minimisation with a hand-written Cholesky (logreg, softmax setup).
 *
 * Package-private to src/problems/. Every operation runs in a fixed order on one thread
 * (the callbacks may use fixed-block reductions), so the result is bit-identical for any
 * thread count and rank. Allocates its scratch: call it from setup, never from a loop. */
#ifndef GDSWEEP_NEWTON_H
#define GDSWEEP_NEWTON_H

#include <stddef.h>

#include "gdsweep/error.h"

/* The loss at w, its gradient into g and its Hessian into h (n x n row-major, the upper
 * triangle and diagonal at least: only those are read). Returns the loss. */
typedef double (*gd_newton_fgh)(const void *ctx, const double *w, double *g, double *h);
/* The loss at w. */
typedef double (*gd_newton_f)(const void *ctx, const double *w);

/* Minimises from w (n values, overwritten by the minimiser): Newton steps H d = g by
 * Cholesky (a diagonal shift when H is not numerically positive definite), backtracking
 * until the Armijo condition holds, until the Newton decrement g.d is below 1e-24 |f|
 * (f then within ~1e-24 |f| of its minimum; the loss must be positive: far below the 1e-12 asked), or after 3 full
 * steps once g.d is below 1e-14 |f| (newton.c). Fails (usage error "hint") after
 * GD_NEWTON_MAX_ITER steps or when a step cannot lower f earlier: the minimum is at
 * infinity (separable data without l2) or f is not convex there. */
#define GD_NEWTON_MAX_ITER 100
int gd_newton_minimize(gd_newton_fgh fgh, gd_newton_f f, const void *ctx, size_t n,
                       double *w, const char *hint, gd_error *err);

/* Cholesky factor of the n x n matrix a (row-major, upper triangle read) into its lower
 * triangle, in place. Returns -1 when a pivot is not positive and finite. */
int gd_cholesky(double *a, size_t n);

/* Solves L L^T x = b with the factor from gd_cholesky; b is overwritten by x. */
void gd_cholesky_solve(const double *l, size_t n, double *b);

#endif

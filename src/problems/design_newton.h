/* design_newton.h - the optimum of a convex loss on a design by Newton (logreg, softmax). */
#ifndef GDSWEEP_DESIGN_NEWTON_H
#define GDSWEEP_DESIGN_NEWTON_H

#include "design.h"

/* Adds to out the sums of rows [lo, hi) at w (n = d k weights): the loss, its gradient
 * (n values), then the upper triangle of its Hessian row by row (n (n + 1) / 2 values),
 * all without the 1/N and the penalty. */
typedef void (*gd_design_hessian_fn)(const gd_design *d, size_t k, const double *w,
                                     size_t lo, size_t hi, double *out);

/* Adds to the Hessian h (n x n, upper triangle) what makes it definite along directions
 * the loss is flat in (softmax's shift of a row of W); NULL: none. */
typedef void (*gd_design_flat_fn)(const gd_design *d, size_t k, double *h);

/* Minimises the instance p's loss (its type's loss; 1/N and l2 added here) by Newton from
 * w = 0 into w (n = d k values). Blocks of max(GD_DESIGN_BLOCK, rows / 64) rows keep the
 * Hessian scratch small; sums in block order. Usage error "data = PATH: ..." when it
 * does not converge (hint says why it may not). */
int gd_design_newton(const gd_problem *p, const char *path, size_t k, gd_design_hessian_fn fn,
                     gd_design_flat_fn flat, double *w, const char *hint, gd_error *err);

#endif

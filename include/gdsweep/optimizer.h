/* optimizer.h - the optimizer type table and its registry.
 *
 * One file per algorithm in src/optimizers/, each exporting one const gd_optimizer_type.
 * An optimizer is element-wise: the driver may call `step` on any block of coordinates
 * (OpenMP splits large problems into fixed blocks), so results never depend on the
 * thread count. The driver owns all memory: x, g and the state vectors (state_vectors
 * of them, each `stride` doubles apart, zeroed before the first step). */
#ifndef GDSWEEP_OPTIMIZER_H
#define GDSWEEP_OPTIMIZER_H

#include <stddef.h>

#include "gdsweep/param.h"

typedef struct gd_optimizer_type {
    const char *name;
    const char *doc;
    /* Hyperparameters in this order; by convention params[0] is "lr", the base
     * learning rate that the schedule scales. */
    const gd_param_spec *params;
    size_t state_vectors;

    /* Optional (NULL: gradient taken at x). Writes into x_eval[0..n) the point at which
     * the next gradient is taken; NAG uses x + momentum * v. */
    void (*lookahead)(const double *hp, size_t n, size_t stride, const double *x,
                      const double *state, double *x_eval);

    /* One update of coordinates [0, n): hp = hyperparameters in spec order, lr = the
     * scheduled learning rate for this step, t = 1-based step number, g = gradient
     * (taken at the lookahead point when there is one). State vector k of this block
     * starts at state + k * stride. */
    void (*step)(const double *hp, double lr, long t, size_t n, size_t stride,
                 double *x, const double *g, double *state);
} gd_optimizer_type;

/* NULL-terminated, in the order --list shows them. */
extern const gd_optimizer_type *const gd_optimizers[];

/* The type named `name`, or NULL. */
const gd_optimizer_type *gd_optimizer_find(const char *name);

extern const gd_optimizer_type gd_optimizer_gd, gd_optimizer_momentum, gd_optimizer_nag,
    gd_optimizer_adagrad, gd_optimizer_rmsprop, gd_optimizer_adam, gd_optimizer_adamw,
    gd_optimizer_amsgrad, gd_optimizer_nadam;

#endif

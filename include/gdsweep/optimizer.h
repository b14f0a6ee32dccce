/* optimizer.h - the optimizer type table and its registry.
 *
 * One file per algorithm in src/optimizers/, each exporting one const gd_optimizer_type.
 * An optimizer is element-wise: the driver may call `step` on any block of coordinates
 * (OpenMP splits large problems into fixed blocks), so results never depend on the
 * thread count. The driver owns all memory: x, g and the state vectors (state_vectors
 * of them, each `stride` doubles apart, zeroed before the first step, and the step's
 * constants). Per-step constants (Adam's bias corrections 1 - beta1^t) are computed once
 * per iteration by prepare_step, not once per block: a fused kernel (denoise) steps x in
 * tiles of a hundred coordinates, thousands of calls per iteration. */
#ifndef GDSWEEP_OPTIMIZER_H
#define GDSWEEP_OPTIMIZER_H

#include <stddef.h>

#include "gdsweep/param.h"

/* Values of one step that do not depend on the coordinate, written by prepare_step and read
 * by step_prepared; their meaning is the optimizer's. t is the step they hold (0 when none:
 * zero the struct before a run's first step). An optimizer may carry a value from step t - 1
 * to t (NAdam's running product of momenta) when t follows the step held, and must then
 * compute the same bits as from a zeroed struct. */
#define GD_STEP_CONSTS 8
typedef struct gd_step_consts {
    long t;
    double v[GD_STEP_CONSTS];
} gd_step_consts;

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

    /* Optional, both or neither (NULL: `step` alone). prepare_step writes the constants of
     * step t into k (hp as above); step_prepared is `step` with those constants, the same
     * floating-point operations in the same order, so the two give the same bits. */
    void (*prepare_step)(const double *hp, long t, gd_step_consts *k);
    void (*step_prepared)(const double *hp, const gd_step_consts *k, double lr, size_t n,
                          size_t stride, double *x, const double *g, double *state);
} gd_optimizer_type;

/* Defines `step`, a static function, as prepare then step_prepared on a local struct: the
 * self-contained step of an optimizer with per-step constants (tests, single calls). */
#define GD_STEP_FROM_PREPARED(step, prepare, prepared)                                     \
    static void step(const double *hp, double lr, long t, size_t n, size_t stride,          \
                     double *x, const double *g, double *state)                            \
    {                                                                                       \
        gd_step_consts k = {0};                                                             \
        prepare(hp, t, &k);                                                                 \
        prepared(hp, &k, lr, n, stride, x, g, state);                                       \
    }

/* Prepares k for step t: the type's prepare_step, or only k->t = t when it has none. */
static inline void gd_optimizer_prepare(const gd_optimizer_type *o, const double *hp, long t,
                                        gd_step_consts *k)
{
    if (o->prepare_step)
        o->prepare_step(hp, t, k);
    k->t = t;
}

/* NULL-terminated, in the order --list shows them. */
extern const gd_optimizer_type *const gd_optimizers[];

/* The type named `name`, or NULL. */
const gd_optimizer_type *gd_optimizer_find(const char *name);

extern const gd_optimizer_type gd_optimizer_gd, gd_optimizer_momentum, gd_optimizer_nag,
    gd_optimizer_adagrad, gd_optimizer_rmsprop, gd_optimizer_adam, gd_optimizer_adamw,
    gd_optimizer_amsgrad, gd_optimizer_nadam;

#endif

/* step_call.h - one optimizer step, bound to its hyperparameters, rate and state, that a
 * problem's fused kernel applies to ranges of coordinates (gd_problem_type.step_loss_grad).
 *
 * Optimizers are element-wise (optimizer.h), so applying the step range by range, in any
 * order, gives exactly the coordinates one whole-vector step gives. */
#ifndef GDSWEEP_STEP_CALL_H
#define GDSWEEP_STEP_CALL_H

#include <stddef.h>

#include "gdsweep/optimizer.h"

typedef struct gd_step_call {
    const gd_optimizer_type *opt;
    const double *hp;       /* hyperparameters, spec order */
    double lr;              /* the scheduled rate of this step */
    long t;                 /* 1-based step number */
    size_t stride;          /* distance between the state vectors */
    double *state;          /* state vector 0 (of the whole x) */
    const gd_step_consts *consts; /* prepared for step t (gd_optimizer_prepare); NULL:
                                   * each call computes its own (opt->step) */
} gd_step_call;

/* Steps coordinates [off, off + len) of x with the gradient g (of the whole x). */
static inline void gd_step_apply(const gd_step_call *s, double *x, const double *g,
                                 size_t off, size_t len)
{
    if (s->consts && s->opt->step_prepared)
        s->opt->step_prepared(s->hp, s->consts, s->lr, len, s->stride, x + off, g + off,
                              s->state + off);
    else
        s->opt->step(s->hp, s->lr, s->t, len, s->stride, x + off, g + off, s->state + off);
}

#endif

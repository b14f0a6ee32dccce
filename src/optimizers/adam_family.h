/* adam_family.h - what adam.c, adamw.c, amsgrad.c and nadam.c share (private to this folder).
 *
 * Their hyperparameters start with ADAM_PARAMS (lr, beta1, beta2, eps), so hp[1..3] mean
 * the same in each, and their state vectors start with m (0) and v (1). */
#ifndef GDSWEEP_ADAM_FAMILY_H
#define GDSWEEP_ADAM_FAMILY_H

#include <math.h>

#include "gdsweep/optimizer.h"

#define ADAM_PARAMS                                                                          \
    {"lr", GD_REAL, 0.01, 0, INFINITY, true, false, NULL, "learning rate (step size)"},      \
    {"beta1", GD_REAL, 0.9, 0, 1, false, true, NULL, "decay of the first-moment average"},   \
    {"beta2", GD_REAL, 0.999, 0, 1, false, true, NULL, "decay of the second-moment average"}, \
    {"eps", GD_REAL, 1e-8, 0, INFINITY, true, false, NULL, "guard added to the root"}

typedef struct adam_coef {
    double b1, b2, eps;
    double bc1, bc2; /* bias corrections 1 - b1^t and 1 - b2^t */
} adam_coef;

/* The coefficients of step t (1-based): none per element, and two pow() only when (beta1,
 * beta2, t) changed since this thread's last call: a fused kernel (denoise) steps x in
 * tiles of a hundred coordinates, thousands of calls per step, where the pow() calls cost
 * more than the step itself. The values are pow()'s own, so the bits do not change. */
static inline adam_coef adam_coef_at(const double *hp, long t)
{
    static _Thread_local double last_b1 = NAN, last_b2 = NAN, last_bc1, last_bc2;
    static _Thread_local long last_t = -1;
    const double b1 = hp[1], b2 = hp[2];
    if (b1 != last_b1 || b2 != last_b2 || t != last_t) {
        last_b1 = b1, last_b2 = b2, last_t = t;
        last_bc1 = 1 - pow(b1, (double)t);
        last_bc2 = 1 - pow(b2, (double)t);
    }
    return (adam_coef){b1, b2, hp[3], last_bc1, last_bc2};
}

/* Bias-corrected moments of one coordinate: mhat = m/(1-b1^t), vhat = v/(1-b2^t). */
typedef struct adam_hat {
    double m, v;
} adam_hat;

/* The moment update of one coordinate, in the article's operation order:
 * m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*(g*g); returns mhat and vhat. */
static inline adam_hat adam_moments(const adam_coef *c, double g, double *m, double *v)
{
    *m = c->b1 * *m + (1 - c->b1) * g;
    *v = c->b2 * *v + (1 - c->b2) * (g * g);
    return (adam_hat){*m / c->bc1, *v / c->bc2};
}

#endif

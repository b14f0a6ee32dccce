/* adam_family.h - what adam.c, adamw.c, amsgrad.c and nadam.c share (private to this folder).
 *
 * Their hyperparameters start with ADAM_PARAMS (lr, beta1, beta2, eps), so hp[1..3] mean
 * the same in each, their state vectors start with m (0) and v (1), and their per-step
 * constants (optimizer.h, prepare_step) start with the bias corrections (adam_prepare). */
#ifndef GDSWEEP_ADAM_FAMILY_H
#define GDSWEEP_ADAM_FAMILY_H

#include <math.h>
#include <string.h>

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

/* Where the family keeps its per-step constants in a gd_step_consts. */
enum { ADAM_BC1, ADAM_BC2, ADAM_CONSTS };

/* Slots of gd_bias_power (bias_power.c): one per base. */
enum { ADAM_POWER_B1, ADAM_POWER_B2, ADAM_POWER_SLOTS };

/* 1 - pow(b, t), kept per thread and slot (the same bits as calling pow()). */
double gd_bias_power(int slot, double b, long t);

/* The values gd_bias_power keeps: per thread and slot, 1 - pow(base, t) for t = 1 ..
 * filled (bias_power.c fills them). */
enum { GD_BIAS_POWER_CAP = 1024 };
typedef struct gd_power_table {
    double base;
    long filled;
    double v[GD_BIAS_POWER_CAP];
} gd_power_table;
extern _Thread_local gd_power_table gd_bias_tables[ADAM_POWER_SLOTS];

/* gd_bias_power, its kept value read inline when there is one (every step of a run after
 * the sweep's first with that beta): no call per step and base. */
static inline double gd_bias_power_kept(int slot, double b, long t)
{
    const gd_power_table *p = &gd_bias_tables[slot];
    if (t >= 1 && t <= p->filled && memcmp(&p->base, &b, sizeof b) == 0)
        return p->v[t - 1];
    return gd_bias_power(slot, b, t);
}

/* The prepare_step of the family: the bias corrections of step t (1-based), pow()'s own
 * values (kept across steps and runs by gd_bias_power, bit for bit the same). */
static inline void adam_prepare(const double *hp, long t, gd_step_consts *k)
{
    k->v[ADAM_BC1] = gd_bias_power_kept(ADAM_POWER_B1, hp[1], t);
    k->v[ADAM_BC2] = gd_bias_power_kept(ADAM_POWER_B2, hp[2], t);
}

/* The coefficients of a step prepared by adam_prepare: none per element. */
static inline adam_coef adam_coef_of(const double *hp, const gd_step_consts *k)
{
    return (adam_coef){hp[1], hp[2], hp[3], k->v[ADAM_BC1], k->v[ADAM_BC2]};
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

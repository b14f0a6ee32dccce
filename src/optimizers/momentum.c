/* momentum.c - heavy-ball momentum: v = mu*v - lr*g; x = x + v (the article's form).
 * State vector 0 is the velocity v. */
#include "gdsweep/optimizer.h"

#include <math.h>

static const gd_param_spec momentum_params[] = {
    {"lr", GD_REAL, 0.1, 0, INFINITY, true, false, NULL, "learning rate (step size)"},
    {"momentum", GD_REAL, 0.9, 0, 1, false, true, NULL, "velocity decay mu per step"},
    {0},
};

__attribute__((target_clones("avx2", "default")))
static void momentum_step(const double *hp, double lr, long t, size_t n, size_t stride,
                          double *x, const double *g, double *state)
{
    const double mu = hp[1];
    double *v = state;
    for (size_t i = 0; i < n; i++) {
        v[i] = mu * v[i] - lr * g[i];
        x[i] = x[i] + v[i];
    }
}

const gd_optimizer_type gd_optimizer_momentum = {
    .name = "momentum",
    .doc = "heavy-ball momentum (Polyak 1964; Sutskever et al. 2013, eqs. 1-2): v = mu*v - lr*g, x += v",
    .params = momentum_params,
    .state_vectors = 1,
    .lookahead = NULL,
    .step = momentum_step,
};

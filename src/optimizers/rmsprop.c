/* rmsprop.c - RMSProp (Tieleman & Hinton 2012), the article's form:
 * avg = decay*avg + (1 - decay)*(g*g); x = x - (lr / (sqrt(avg) + eps)) * g.
 * State vector 0 is avg. */
#include "gdsweep/optimizer.h"

#include <math.h>

static const gd_param_spec rmsprop_params[] = {
    {"lr", GD_REAL, 0.01, 0, INFINITY, true, false, NULL, "learning rate (step size)"},
    {"decay", GD_REAL, 0.9, 0, 1, false, true, NULL, "decay of the squared-gradient average"},
    {"eps", GD_REAL, 1e-8, 0, INFINITY, true, false, NULL, "guard added to sqrt(avg)"},
    {0},
};

__attribute__((target_clones("avx2", "default")))
static void rmsprop_step(const double *hp, double lr, long t, size_t n, size_t stride,
                         double *x, const double *g, double *state)
{
    const double decay = hp[1], eps = hp[2];
    double *avg = state;
    for (size_t i = 0; i < n; i++) {
        avg[i] = decay * avg[i] + (1 - decay) * (g[i] * g[i]);
        x[i] = x[i] - (lr / (sqrt(avg[i]) + eps)) * g[i];
    }
}

const gd_optimizer_type gd_optimizer_rmsprop = {
    .name = "rmsprop",
    .doc = "RMSProp (Tieleman & Hinton 2012, lecture 6e): x -= lr g/(sqrt(avg g^2) + eps)",
    .params = rmsprop_params,
    .state_vectors = 1,
    .lookahead = NULL,
    .step = rmsprop_step,
};

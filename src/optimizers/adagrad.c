/* adagrad.c - AdaGrad (Duchi et al. 2011), the article's form:
 * acc += g*g; x = x - (lr / (sqrt(acc) + eps)) * g. State vector 0 is acc. */
#include "gdsweep/optimizer.h"

#include <math.h>

static const gd_param_spec adagrad_params[] = {
    {"lr", GD_REAL, 0.5, 0, INFINITY, true, false, NULL, "learning rate (step size)"},
    {"eps", GD_REAL, 1e-8, 0, INFINITY, true, false, NULL, "guard added to sqrt(acc)"},
    {0},
};

__attribute__((target_clones("avx2", "default")))
static void adagrad_step(const double *hp, double lr, long t, size_t n, size_t stride,
                         double *x, const double *g, double *state)
{
    const double eps = hp[1];
    double *acc = state;
    for (size_t i = 0; i < n; i++) {
        acc[i] = acc[i] + g[i] * g[i];
        x[i] = x[i] - (lr / (sqrt(acc[i]) + eps)) * g[i];
    }
}

const gd_optimizer_type gd_optimizer_adagrad = {
    .name = "adagrad",
    .doc = "AdaGrad (Duchi, Hazan & Singer 2011, diagonal form): x -= lr g/(sqrt(sum g^2) + eps)",
    .params = adagrad_params,
    .state_vectors = 1,
    .lookahead = NULL,
    .step = adagrad_step,
};

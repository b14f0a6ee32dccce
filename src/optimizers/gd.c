/* gd.c - plain gradient descent: x = x - lr * g (the article's basic loop). */
#include "gdsweep/optimizer.h"

#include <math.h>

static const gd_param_spec gd_params[] = {
    {"lr", GD_REAL, 0.1, 0, INFINITY, true, false, NULL, "learning rate (step size)"},
    {0},
};

__attribute__((target_clones("avx2", "default")))
static void gd_step(const double *hp, double lr, long t, size_t n, size_t stride, double *x,
                    const double *g, double *state)
{
    for (size_t i = 0; i < n; i++)
        x[i] = x[i] - lr * g[i];
}

const gd_optimizer_type gd_optimizer_gd = {
    .name = "gd",
    .doc = "gradient descent with a fixed step (Cauchy 1847): x -= lr * g",
    .params = gd_params,
    .state_vectors = 0,
    .lookahead = NULL,
    .step = gd_step,
};

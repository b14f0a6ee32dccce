/* amsgrad.c - AMSGrad (Reddi et al. 2018): Adam whose denominator uses the running
 * maximum of v: vmax = max(vmax, v); x = x - lr*mhat/(sqrt(vmax/(1-b2^t)) + eps).
 * State vectors: 0 = m, 1 = v, 2 = vmax. */
#include "adam_family.h"

static const gd_param_spec amsgrad_params[] = {ADAM_PARAMS, {0}};

__attribute__((target_clones("avx2", "default")))
static void amsgrad_step(const double *hp, double lr, long t, size_t n, size_t stride,
                         double *x, const double *g, double *state)
{
    const adam_coef c = adam_coef_at(hp, t);
    double *m = state, *v = state + stride, *vmax = state + 2 * stride;
    for (size_t i = 0; i < n; i++) {
        const adam_hat hat = adam_moments(&c, g[i], &m[i], &v[i]);
        vmax[i] = v[i] > vmax[i] ? v[i] : vmax[i];
        x[i] = x[i] - lr * hat.m / (sqrt(vmax[i] / c.bc2) + c.eps);
    }
}

const gd_optimizer_type gd_optimizer_amsgrad = {
    .name = "amsgrad",
    .doc = "AMSGrad: Adam with the running maximum of v in the denominator",
    .params = amsgrad_params,
    .state_vectors = 3,
    .lookahead = NULL,
    .step = amsgrad_step,
};

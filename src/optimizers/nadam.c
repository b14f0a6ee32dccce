/* nadam.c - NAdam (Dozat 2016), the common form: Adam's m, v, mhat, vhat, then
 * x = x - lr/(sqrt(vhat) + eps) * (b1*mhat + (1-b1)*g/(1-b1^t)).
 * State vectors: 0 = m, 1 = v. */
#include "adam_family.h"

static const gd_param_spec nadam_params[] = {ADAM_PARAMS, {0}};

__attribute__((target_clones("avx2", "default")))
static void nadam_step(const double *hp, double lr, long t, size_t n, size_t stride, double *x,
                       const double *g, double *state)
{
    const adam_coef c = adam_coef_at(hp, t);
    double *m = state, *v = state + stride;
    for (size_t i = 0; i < n; i++) {
        const adam_hat hat = adam_moments(&c, g[i], &m[i], &v[i]);
        const double nesterov = c.b1 * hat.m + (1 - c.b1) * g[i] / c.bc1;
        x[i] = x[i] - lr / (sqrt(hat.v) + c.eps) * nesterov;
    }
}

const gd_optimizer_type gd_optimizer_nadam = {
    .name = "nadam",
    .doc = "NAdam: Adam with Nesterov momentum on the first moment",
    .params = nadam_params,
    .state_vectors = 2,
    .lookahead = NULL,
    .step = nadam_step,
};

/* adam.c - Adam (Kingma & Ba 2015) with bias correction, the article's form, t 1-based:
 * m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*(g*g); mhat = m/(1-b1^t); vhat = v/(1-b2^t);
 * x = x - lr*mhat/(sqrt(vhat) + eps). State vectors: 0 = m, 1 = v. */
#include "adam_family.h"

static const gd_param_spec adam_params[] = {ADAM_PARAMS, {0}};

__attribute__((target_clones("avx2", "default")))
static void adam_step_prepared(const double *hp, const gd_step_consts *k, double lr, size_t n,
                               size_t stride, double *x, const double *g, double *state)
{
    const adam_coef c = adam_coef_of(hp, k);
    double *m = state, *v = state + stride;
    for (size_t i = 0; i < n; i++) {
        const adam_hat hat = adam_moments(&c, g[i], &m[i], &v[i]);
        x[i] = x[i] - lr * hat.m / (sqrt(hat.v) + c.eps);
    }
}

GD_STEP_FROM_PREPARED(adam_step, adam_prepare, adam_step_prepared)

const gd_optimizer_type gd_optimizer_adam = {
    .name = "adam",
    .doc = "Adam (Kingma & Ba 2015, Algorithm 1): bias-corrected moving averages of g and g^2",
    .params = adam_params,
    .state_vectors = 2,
    .lookahead = NULL,
    .step = adam_step,
    .prepare_step = adam_prepare,
    .step_prepared = adam_step_prepared,
};

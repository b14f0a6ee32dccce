/* amsgrad.c - AMSGrad, Reddi, Kale & Kumar (2018) "On the Convergence of Adam and Beyond":
 * Adam whose denominator uses the running maximum of v. Two published forms:
 *   bias_correction = true (default; torch.optim.Adam(amsgrad=True), Keras):
 *     vmax = max(vmax, v); x = x - lr * (m/(1-b1^t)) / (sqrt(vmax/(1-b2^t)) + eps)
 *   bias_correction = false (the paper's Algorithm 2 with a constant beta1, eps as a guard):
 *     vmax = max(vmax, v); x = x - lr * m / (sqrt(vmax) + eps)
 * with m = b1 m + (1-b1) g, v = b2 v + (1-b2) g^2 in both. The paper's step size
 * alpha/sqrt(t) is a schedule's business (schedule = inverse_time, or any other).
 * State vectors: 0 = m, 1 = v, 2 = vmax. */
#include "adam_family.h"

static const char *const flag_choices[] = {"false", "true", NULL};

static const gd_param_spec amsgrad_params[] = {
    ADAM_PARAMS,
    {"bias_correction", GD_CHOICE, 1, 0, 0, false, false, flag_choices,
     "true: m/(1-b1^t), vmax/(1-b2^t) (torch, Keras); false: Reddi et al.'s Algorithm 2"},
    {0},
};

__attribute__((target_clones("avx2", "default")))
static void amsgrad_step_prepared(const double *hp, const gd_step_consts *k, double lr,
                                  size_t n, size_t stride, double *x, const double *g,
                                  double *state)
{
    adam_coef c = adam_coef_of(hp, k);
    if (hp[4] == 0)
        c.bc1 = c.bc2 = 1;
    double *m = state, *v = state + stride, *vmax = state + 2 * stride;
    for (size_t i = 0; i < n; i++) {
        const adam_hat hat = adam_moments(&c, g[i], &m[i], &v[i]);
        vmax[i] = v[i] > vmax[i] ? v[i] : vmax[i];
        x[i] = x[i] - lr * hat.m / (sqrt(vmax[i] / c.bc2) + c.eps);
    }
}

GD_STEP_FROM_PREPARED(amsgrad_step, adam_prepare, amsgrad_step_prepared)

const gd_optimizer_type gd_optimizer_amsgrad = {
    .name = "amsgrad",
    .doc = "AMSGrad (Reddi, Kale & Kumar 2018): Adam with the running maximum of v in the "
           "denominator",
    .params = amsgrad_params,
    .state_vectors = 3,
    .lookahead = NULL,
    .step = amsgrad_step,
    .prepare_step = adam_prepare,
    .step_prepared = amsgrad_step_prepared,
};

/* adamw.c - AdamW (Loshchilov & Hutter 2019), decoupled weight decay:
 * x = x - lr*weight_decay*x, then the Adam update with the same lr.
 * The first four hyperparameters are Adam's, in Adam's order, so Adam's prepared step is
 * called as it is; state vectors as Adam's (0 = m, 1 = v). */
#include "adam_family.h"

static const gd_param_spec adamw_params[] = {
    ADAM_PARAMS,
    {"weight_decay", GD_REAL, 0.01, 0, INFINITY, false, false, NULL,
     "decoupled decay: x -= lr * weight_decay * x"},
    {0},
};

__attribute__((target_clones("avx2", "default")))
static void adamw_step_prepared(const double *hp, const gd_step_consts *k, double lr, size_t n,
                                size_t stride, double *x, const double *g, double *state)
{
    const double weight_decay = hp[4];
    for (size_t i = 0; i < n; i++)
        x[i] = x[i] - lr * weight_decay * x[i];
    gd_optimizer_adam.step_prepared(hp, k, lr, n, stride, x, g, state);
}

GD_STEP_FROM_PREPARED(adamw_step, adam_prepare, adamw_step_prepared)

const gd_optimizer_type gd_optimizer_adamw = {
    .name = "adamw",
    .doc = "AdamW (Loshchilov & Hutter 2019, Algorithm 2; torch.optim.AdamW: the paper's lambda = lr * weight_decay)",
    .params = adamw_params,
    .state_vectors = 2,
    .lookahead = NULL,
    .step = adamw_step,
    .prepare_step = adam_prepare,
    .step_prepared = adamw_step_prepared,
};

/* nadam.c - NAdam, Dozat (2016) "Incorporating Nesterov Momentum into Adam", Algorithm 2,
 * with the momentum schedule of the paper's experiments (as Keras and torch.optim.NAdam):
 *   mu_t = beta1 (1 - 0.5 * 0.96^(t psi)),  psi = momentum_decay (0: mu_t = beta1 for all t)
 *   m = beta1 m + (1 - beta1) g;  v = beta2 v + (1 - beta2) g^2
 *   x = x - lr [(1 - mu_t) g / (1 - prod_{i<=t} mu_i) + mu_{t+1} m / (1 - prod_{i<=t+1} mu_i)]
 *            / (sqrt(v / (1 - beta2^t)) + eps)
 * momentum_decay = 0 is Algorithm 2 with a constant beta1 (mu_t = beta1, so the products are
 * beta1^t and beta1^(t+1)). torch 1.13's NAdam multiplies mu_{t+1} into its product twice
 * (fixed upstream in pytorch PR #92699); this follows the paper.
 * State vectors: 0 = m, 1 = v. */
#include "adam_family.h"

static const gd_param_spec nadam_params[] = {
    ADAM_PARAMS,
    {"momentum_decay", GD_REAL, 0.004, 0, INFINITY, false, true, NULL,
     "psi of the momentum schedule mu_t = beta1 (1 - 0.5 0.96^(t psi)); 0: mu_t = beta1"},
    {0},
};

/* The per-step coefficients of g and m in the update. */
typedef struct nadam_coef {
    double of_g, of_m;
} nadam_coef;

static double momentum_at(double beta1, double psi, long t)
{
    return psi == 0 ? beta1 : beta1 * (1 - 0.5 * pow(0.96, (double)t * psi));
}

/* The coefficients of step t. prod_{i<=t} mu_i is multiplied in order i = 1..t; this
 * thread's last product is extended when t follows it (a run steps t = 1, 2, ...), else
 * recomputed from i = 1: the same multiplications in the same order either way, so the
 * bits do not depend on what the thread ran before. A fused kernel (denoise) calls the step
 * thousands of times per t, so the last coefficients are kept too (as adam_coef_at does). */
static nadam_coef nadam_coef_at(const double *hp, long t)
{
    static _Thread_local double last_b1 = NAN, last_psi = NAN, prod = 1;
    static _Thread_local long prod_t = 0;
    static _Thread_local nadam_coef last;
    const double b1 = hp[1], psi = hp[4];
    if (b1 == last_b1 && psi == last_psi && t == prod_t)
        return last;
    if (b1 != last_b1 || psi != last_psi || t < prod_t)
        last_b1 = b1, last_psi = psi, prod_t = 0, prod = 1;
    for (; prod_t < t; prod_t++)
        prod *= momentum_at(b1, psi, prod_t + 1);
    const double mu = momentum_at(b1, psi, t), mu_next = momentum_at(b1, psi, t + 1);
    last = (nadam_coef){(1 - mu) / (1 - prod), mu_next / (1 - prod * mu_next)};
    return last;
}

__attribute__((target_clones("avx2", "default")))
static void nadam_step(const double *hp, double lr, long t, size_t n, size_t stride, double *x,
                       const double *g, double *state)
{
    const adam_coef c = adam_coef_at(hp, t);
    const nadam_coef k = nadam_coef_at(hp, t);
    double *m = state, *v = state + stride;
    for (size_t i = 0; i < n; i++) {
        const adam_hat hat = adam_moments(&c, g[i], &m[i], &v[i]);
        x[i] = x[i] - lr * (k.of_g * g[i] + k.of_m * m[i]) / (sqrt(hat.v) + c.eps);
    }
}

const gd_optimizer_type gd_optimizer_nadam = {
    .name = "nadam",
    .doc = "NAdam (Dozat 2016, Algorithm 2; momentum schedule of Keras/torch): Adam with "
           "Nesterov momentum",
    .params = nadam_params,
    .state_vectors = 2,
    .lookahead = NULL,
    .step = nadam_step,
};

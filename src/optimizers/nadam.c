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

/* NAdam's per-step constants after Adam's (ADAM_BC1, ADAM_BC2): the coefficients of g and
 * m in the update, prod_{i<=t} mu_i, mu_{t+1}, and the (beta1, psi) they were made with. */
enum { NADAM_OF_G = ADAM_CONSTS, NADAM_OF_M, NADAM_PROD, NADAM_MU_NEXT, NADAM_B1, NADAM_PSI };
_Static_assert(NADAM_PSI < GD_STEP_CONSTS, "NAdam's constants fit gd_step_consts");

static double momentum_at(double beta1, double psi, long t)
{
    return psi == 0 ? beta1 : beta1 * (1 - 0.5 * pow(0.96, (double)t * psi));
}

/* The prepare_step: Adam's constants, then NAdam's of step t. prod_{i<=t} mu_i is
 * multiplied in order i = 1..t: extended from the product k holds when its step k->t is
 * not after t and its (beta1, psi) are these (a run prepares t = 1, 2, ...), else made
 * from i = 1: the same multiplications in the same order either way. mu_t is the previous
 * step's mu_{t+1} when k holds step t - 1 (the same formula: the same bits), so a run
 * computes one power per step. */
static void nadam_prepare(const double *hp, long t, gd_step_consts *k)
{
    const double b1 = hp[1], psi = hp[4];
    const int same = k->t >= 1 && k->t <= t && k->v[NADAM_B1] == b1 && k->v[NADAM_PSI] == psi;
    long held = same ? k->t : 0;
    double prod = same ? k->v[NADAM_PROD] : 1, mu;
    if (same && held == t - 1) { /* the next step of a run: mu_t is known */
        mu = k->v[NADAM_MU_NEXT];
        prod *= mu;
    } else {
        for (; held < t; held++)
            prod *= momentum_at(b1, psi, held + 1);
        mu = momentum_at(b1, psi, t);
    }
    adam_prepare(hp, t, k);
    const double mu_next = momentum_at(b1, psi, t + 1);
    k->v[NADAM_OF_G] = (1 - mu) / (1 - prod);
    k->v[NADAM_OF_M] = mu_next / (1 - prod * mu_next);
    k->v[NADAM_PROD] = prod;
    k->v[NADAM_MU_NEXT] = mu_next;
    k->v[NADAM_B1] = b1;
    k->v[NADAM_PSI] = psi;
}

__attribute__((target_clones("avx2", "default")))
static void nadam_step_prepared(const double *hp, const gd_step_consts *k, double lr, size_t n,
                                size_t stride, double *x, const double *g, double *state)
{
    const adam_coef c = adam_coef_of(hp, k);
    const double of_g = k->v[NADAM_OF_G], of_m = k->v[NADAM_OF_M];
    double *m = state, *v = state + stride;
    for (size_t i = 0; i < n; i++) {
        const adam_hat hat = adam_moments(&c, g[i], &m[i], &v[i]);
        x[i] = x[i] - lr * (of_g * g[i] + of_m * m[i]) / (sqrt(hat.v) + c.eps);
    }
}

GD_STEP_FROM_PREPARED(nadam_step, nadam_prepare, nadam_step_prepared)

const gd_optimizer_type gd_optimizer_nadam = {
    .name = "nadam",
    .doc = "NAdam (Dozat 2016, Algorithm 2; momentum schedule of Keras/torch): Adam with "
           "Nesterov momentum",
    .params = nadam_params,
    .state_vectors = 2,
    .lookahead = NULL,
    .step = nadam_step,
    .prepare_step = nadam_prepare,
    .step_prepared = nadam_step_prepared,
};

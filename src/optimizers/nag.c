/* nag.c - Nesterov accelerated gradient, the article's form: the gradient is taken at the
 * look-ahead point x + mu*v, then the momentum update v = mu*v - lr*g; x = x + v.
 * State vector 0 is the velocity v; the step itself is momentum's (same spec order). */
#include "gdsweep/optimizer.h"

#include <math.h>

static const gd_param_spec nag_params[] = {
    {"lr", GD_REAL, 0.1, 0, INFINITY, true, false, NULL, "learning rate (step size)"},
    {"momentum", GD_REAL, 0.9, 0, 1, false, true, NULL, "velocity decay mu per step"},
    {0},
};

static void nag_lookahead(const double *hp, size_t n, size_t stride, const double *x,
                          const double *state, double *x_eval)
{
    const double mu = hp[1];
    const double *v = state;
    for (size_t i = 0; i < n; i++)
        x_eval[i] = x[i] + mu * v[i];
}

static void nag_step(const double *hp, double lr, long t, size_t n, size_t stride, double *x,
                     const double *g, double *state)
{
    gd_optimizer_momentum.step(hp, lr, t, n, stride, x, g, state);
}

const gd_optimizer_type gd_optimizer_nag = {
    .name = "nag",
    .doc = "Nesterov momentum (Sutskever et al. 2013, eqs. 3-4): v = mu*v - lr*g(x + mu*v), x += v",
    .params = nag_params,
    .state_vectors = 1,
    .lookahead = nag_lookahead,
    .step = nag_step,
};

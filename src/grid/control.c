/* control.c - the run-control keys (iterations, gradient, stop tests) as a spec table.
 *
 * The grid sweeps these like any other key; their order here is the order of the fields
 * of gd_run_control, and gd_control_from_values relies on it. */
#include "gdsweep/grid.h"

#include <math.h>

static const char *const gradient_choices[] = {"analytic", "numeric", NULL};
static const char *const bool_choices[] = {"false", "true", NULL};
static const char *const sampling_choices[] = {"shuffle", "replacement", NULL};

/* 2^53: every whole number up to it is exact as a double and fits a long. */
#define ITERATIONS_MAX 9007199254740992.0

const gd_param_spec gd_control_params[] = {
    {"iterations", GD_INT, 100, 1, ITERATIONS_MAX, false, false, NULL,
     "iteration budget of a run"},
    {"gradient", GD_CHOICE, 0, 0, 0, false, false, gradient_choices,
     "analytic, or numeric central differences (dimension <= 64)"},
    {"epsilon", GD_REAL, 1e-7, 0, INFINITY, true, true, NULL,
     "central-difference step of the numeric gradient"},
    {"grad_tol", GD_REAL, 0, 0, INFINITY, false, true, NULL,
     "converged when |g| <= grad_tol (0: off)"},
    {"loss_tol", GD_REAL, -INFINITY, -INFINITY, INFINITY, false, false, NULL,
     "converged when the gap to the optimum (or the loss) <= loss_tol (default: off)"},
    {"divergence", GD_REAL, 1e6, 0, INFINITY, true, true, NULL,
     "diverged when loss > f0 + divergence * (|f0| + 1)"},
    {"save_final", GD_CHOICE, 1, 0, 0, false, false, bool_choices,
     "store the final parameters of each run"},
    {"batch_size", GD_INT, 0, 0, ITERATIONS_MAX, false, false, NULL,
     "samples per minibatch of a problem on data (0, or at least its samples: full batch)"},
    {"sampling", GD_CHOICE, 0, 0, 0, false, false, sampling_choices,
     "minibatches: shuffle (a permutation per epoch) or replacement (uniform draws)"},
    {"grad_noise", GD_REAL, 0, 0, INFINITY, false, true, NULL,
     "standard deviation of Gaussian noise added to each gradient component (0: none)"},
    {"lower", GD_REAL, -INFINITY, -INFINITY, INFINITY, false, true, NULL,
     "lower bound of every coordinate: each step is projected on [lower, upper]"},
    {"upper", GD_REAL, INFINITY, -INFINITY, INFINITY, true, false, NULL,
     "upper bound of every coordinate (default none)"},
    {0},
};

void gd_control_from_values(gd_run_control *c, const double *v)
{
    c->iterations = (long)v[GD_CONTROL_ITERATIONS];
    c->numeric_gradient = (int)v[GD_CONTROL_GRADIENT];
    c->epsilon = v[GD_CONTROL_EPSILON];
    c->grad_tol = v[GD_CONTROL_GRAD_TOL];
    c->loss_tol = v[GD_CONTROL_LOSS_TOL];
    c->divergence = v[GD_CONTROL_DIVERGENCE];
    c->save_final = (int)v[GD_CONTROL_SAVE_FINAL];
    c->batch_size = (long)v[GD_CONTROL_BATCH_SIZE];
    c->sampling = (int)v[GD_CONTROL_SAMPLING];
    c->grad_noise = v[GD_CONTROL_GRAD_NOISE];
    c->lower = v[GD_CONTROL_LOWER];
    c->upper = v[GD_CONTROL_UPPER];
}

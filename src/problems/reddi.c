/* reddi.c - the online counterexample of Reddi, Kale & Kumar (ICLR 2018), "On the
 * Convergence of Adam and Beyond": a loss that changes with the step.
 *
 * f_t(x) = c x when t mod period = 1, else -d x (t = 1, 2, ...), x one number, on the
 * domain [-1, 1] (the run's box: lower = -1, upper = 1). Section 3 of the paper has
 * c = C > 2, d = 1, period = 3; its synthetic experiment (section 5) has c = 1010, d = 10,
 * period = 101 (the defaults here), beta1 = 0.9, beta2 = 0.99 and the step size
 * alpha / sqrt(t) (schedule = inverse_sqrt); experiments/reddi.ini. The average of f_t
 * over a period, F(x) = s x with s = (c - (period - 1) d) / period > 0 (check), is what a
 * run is judged by (loss, loss_grad: the full objective at record points), minimised on
 * [-1, 1] at x = -1: f_opt = -s, the gap s (x + 1). The optimizer steps on f_t
 * (online_loss_grad, problem.h). Nothing is drawn. */
#include "problem_impl.h"

#include <math.h>

enum { RD_C, RD_D, RD_PERIOD, RD_X0 };

typedef struct reddi {
    double c, d, slope;
    uint64_t period;
} reddi;

static const gd_param_spec reddi_params[] = {
    [RD_C] = {.key = "c", .kind = GD_REAL, .def = 1010, GD_SPEC_POSITIVE,
              .doc = "f_t(x) = c x when t mod period = 1 (the paper's C)"},
    [RD_D] = {.key = "d", .kind = GD_REAL, .def = 10, GD_SPEC_POSITIVE,
              .doc = "f_t(x) = -d x at the other steps"},
    [RD_PERIOD] = {.key = "period", .kind = GD_INT, .def = 101, .lo = 2, .hi = 1e9,
                   .doc = "steps per cycle (3 in the paper's section 3)"},
    [RD_X0] = {.key = "x0", .kind = GD_REAL, .def = 0, GD_SPEC_ANY_REAL, .doc = "start x"},
    {.key = NULL},
};

static double slope_of(const double *pp)
{
    return (pp[RD_C] - (pp[RD_PERIOD] - 1) * pp[RD_D]) / pp[RD_PERIOD];
}

/* The average loss must increase with x (the optimum -1 of the paper). */
static int reddi_check(const double *pp, gd_error *err)
{
    if (pp[RD_C] > (pp[RD_PERIOD] - 1) * pp[RD_D])
        return 0;
    return gd_fail(err, "c = %g is not above (period - 1) d = %g: the average loss "
                        "must grow with x; give a larger c", pp[RD_C],
                   (pp[RD_PERIOD] - 1) * pp[RD_D]);
}

static int reddi_draws(const double *pp)
{
    return 0;
}

static size_t reddi_dimension(const gd_problem_files *files, const double *pp)
{
    return 1;
}

static double reddi_cost(const gd_problem_files *files, const double *pp)
{
    return 20;
}

static int reddi_setup(gd_problem *p, const gd_problem_files *files, const double *pp,
                       gd_rng_key key, gd_error *err)
{
    double *x_opt;
    const gd_array_req reqs[] = {{&x_opt, 1}};
    reddi *r = gd_problem_alloc(p, &gd_problem_reddi, 1, sizeof *r, reqs, 1, err);
    if (!r)
        return -1;
    r->c = pp[RD_C];
    r->d = pp[RD_D];
    r->period = (uint64_t)pp[RD_PERIOD];
    r->slope = slope_of(pp);
    p->x0[0] = pp[RD_X0];
    p->has_optimum = 1;
    p->f_opt = -r->slope;
    x_opt[0] = -1;
    gd_problem_add_input(p, "x_opt", 1, 0, x_opt);
    return 0;
}

static double reddi_loss(const gd_problem *p, const double *x)
{
    const reddi *r = p->data;
    return r->slope * x[0];
}

static double reddi_loss_grad(const gd_problem *p, const double *x, double *g)
{
    const reddi *r = p->data;
    g[0] = r->slope;
    return r->slope * x[0];
}

static double reddi_online_loss_grad(const gd_problem *p, const double *x, uint64_t t,
                                     double *g)
{
    const reddi *r = p->data;
    g[0] = t % r->period == 1 ? r->c : -r->d;
    return g[0] * x[0];
}

const gd_problem_type gd_problem_reddi = {
    .name = "reddi",
    .doc = "online f_t(x) = c x (t mod period = 1), else -d x (Reddi, Kale & Kumar 2018); "
           "judged by the average over a period, optimum x = -1 on [-1, 1] (n = 1)",
    .params = reddi_params,
    .metric_name = NULL,
    .stores_inputs = 0,
    .model_params = (1u << RD_C) | (1u << RD_D) | (1u << RD_PERIOD) | (1u << RD_X0),
    .check = reddi_check,
    .draws = reddi_draws,
    .repeat_hint = "reddi draws nothing (grad_noise draws per repeat)",
    .dimension = reddi_dimension,
    .cost = reddi_cost,
    .setup = reddi_setup,
    .destroy = gd_problem_release,
    .loss = reddi_loss,
    .loss_grad = reddi_loss_grad,
    .metric = NULL,
    .online_loss_grad = reddi_online_loss_grad,
};

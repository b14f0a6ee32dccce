/* rosenbrock.c - Rosenbrock's banana valley f(x, y) = (a - x)^2 + b (y - x^2)^2.
 *
 * A classic hard case for plain gradient descent: a curved, narrow valley. Minimum
 * f_opt = 0 at (a, a^2). */
#include "problem_impl.h"

enum { R_A, R_B, R_X0, R_Y0, R_SPREAD };

typedef struct rosenbrock {
    double a, b;
} rosenbrock;

static const gd_param_spec rosenbrock_params[] = {
    [R_A] = {.key = "a", .kind = GD_REAL, .def = 1, GD_SPEC_ANY_REAL,
             .doc = "x of the minimum (a, a^2)"},
    [R_B] = {.key = "b", .kind = GD_REAL, .def = 100, GD_SPEC_POSITIVE,
             .doc = "steepness of the valley walls"},
    [R_X0] = {.key = "x0", .kind = GD_REAL, .def = -1.2, GD_SPEC_ANY_REAL, .doc = "start x"},
    [R_Y0] = {.key = "y0", .kind = GD_REAL, .def = 1, GD_SPEC_ANY_REAL, .doc = "start y"},
    [R_SPREAD] = {.key = "start_spread", .kind = GD_REAL, .def = 0, GD_SPEC_NONNEG,
                  .doc = GD_START_SPREAD_DOC},
    {.key = NULL},
};

static int rosenbrock_draws(const double *pp)
{
    return pp[R_SPREAD] > 0;
}

static size_t rosenbrock_dimension(const gd_problem_files *files, const double *pp)
{
    return 2;
}

/* Nanoseconds per iteration (loss, gradient and a typical optimizer step), measured on
 * the development machine with gd and adam; the scheduler only needs the ratios. */
static double rosenbrock_cost(const gd_problem_files *files, const double *pp)
{
    return 55;
}

static int rosenbrock_setup(gd_problem *p, const gd_problem_files *files, const double *pp,
                            gd_rng_key key, gd_error *err)
{
    double *x_opt;
    const gd_array_req reqs[] = {{&x_opt, 2}};
    rosenbrock *r = gd_problem_alloc(p, &gd_problem_rosenbrock, 2, sizeof *r, reqs, 1, err);
    if (!r)
        return -1;
    r->a = pp[R_A];
    r->b = pp[R_B];
    x_opt[0] = r->a;
    x_opt[1] = r->a * r->a;
    p->x0[0] = pp[R_X0];
    p->x0[1] = pp[R_Y0];
    gd_problem_spread_start(p->x0, 2, pp[R_SPREAD], key);
    p->has_optimum = 1;
    p->f_opt = 0;
    gd_problem_add_input(p, "x_opt", 2, 0, x_opt);
    return 0;
}

static double rosenbrock_loss(const gd_problem *p, const double *x)
{
    const rosenbrock *r = p->data;
    double u = r->a - x[0], v = x[1] - x[0] * x[0];
    return u * u + r->b * v * v;
}

static double rosenbrock_loss_grad(const gd_problem *p, const double *x, double *g)
{
    const rosenbrock *r = p->data;
    double u = r->a - x[0], v = x[1] - x[0] * x[0];
    g[0] = -2 * u - 4 * r->b * x[0] * v;
    g[1] = 2 * r->b * v;
    return u * u + r->b * v * v;
}

const gd_problem_type gd_problem_rosenbrock = {
    .name = "rosenbrock",
    .doc = "f(x, y) = (a - x)^2 + b (y - x^2)^2, minimum 0 at (a, a^2) (n = 2)",
    .params = rosenbrock_params,
    .metric_name = NULL,
    .stores_inputs = 0,
    .check = NULL,
    .draws = rosenbrock_draws,
    .repeat_hint = "start_spread > 0 draws a start point per repeat",
    .dimension = rosenbrock_dimension,
    .cost = rosenbrock_cost,
    .setup = rosenbrock_setup,
    .destroy = gd_problem_release,
    .loss = rosenbrock_loss,
    .loss_grad = rosenbrock_loss_grad,
    .metric = NULL,
};

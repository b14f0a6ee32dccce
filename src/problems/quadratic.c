/* quadratic.c - the article's cost function f(x) = a x^2 + b x + c in one variable.
 *
 * Evaluated exactly as `a*x*x + b*x + c`, so with a = 1 every value is bit-equal to the
 * article's Python `x**2 + 5*x + 10`. Minimum f_opt = c - b^2 / (4a) at x = -b / (2a). */
#include "problem_impl.h"

enum { Q_A, Q_B, Q_C, Q_X0, Q_SPREAD };

typedef struct quadratic {
    double a, b, c;
} quadratic;

static const gd_param_spec quadratic_params[] = {
    [Q_A] = {.key = "a", .kind = GD_REAL, .def = 1, GD_SPEC_POSITIVE,
             .doc = "curvature: coefficient of x^2"},
    [Q_B] = {.key = "b", .kind = GD_REAL, .def = 5, GD_SPEC_ANY_REAL, .doc = "coefficient of x"},
    [Q_C] = {.key = "c", .kind = GD_REAL, .def = 10, GD_SPEC_ANY_REAL, .doc = "constant term"},
    [Q_X0] = {.key = "x0", .kind = GD_REAL, .def = 5, GD_SPEC_ANY_REAL, .doc = "start point"},
    [Q_SPREAD] = {.key = "start_spread", .kind = GD_REAL, .def = 0, GD_SPEC_NONNEG,
                  .doc = GD_START_SPREAD_DOC},
    {.key = NULL},
};

static int quadratic_draws(const double *pp)
{
    return pp[Q_SPREAD] > 0;
}

static size_t quadratic_dimension(const gd_problem_files *files, const double *pp)
{
    return 1;
}

/* Nanoseconds per iteration (loss, gradient and a typical optimizer step), measured on
 * the development machine with gd and adam; the scheduler only needs the ratios. */
static double quadratic_cost(const gd_problem_files *files, const double *pp)
{
    return 50;
}

static int quadratic_setup(gd_problem *p, const gd_problem_files *files, const double *pp,
                           gd_rng_key key, gd_error *err)
{
    double *x_opt;
    const gd_array_req reqs[] = {{&x_opt, 1}};
    quadratic *q = gd_problem_alloc(p, &gd_problem_quadratic, 1, sizeof *q, reqs, 1, err);
    if (!q)
        return -1;
    q->a = pp[Q_A];
    q->b = pp[Q_B];
    q->c = pp[Q_C];
    x_opt[0] = -q->b / (2 * q->a);
    p->x0[0] = pp[Q_X0];
    gd_problem_spread_start(p->x0, 1, pp[Q_SPREAD], key);
    p->has_optimum = 1;
    p->f_opt = q->c - q->b * q->b / (4 * q->a);
    gd_problem_add_input(p, "x_opt", 1, 0, x_opt);
    return 0;
}

static double quadratic_loss(const gd_problem *p, const double *x)
{
    const quadratic *q = p->data;
    return q->a * x[0] * x[0] + q->b * x[0] + q->c;
}

static double quadratic_loss_grad(const gd_problem *p, const double *x, double *g)
{
    const quadratic *q = p->data;
    g[0] = 2 * q->a * x[0] + q->b;
    return quadratic_loss(p, x);
}

/* quadratic_loss at m points, the same expression (the same bits). */
static void quadratic_loss_points(const gd_problem *p, size_t m, const double *x, double *f)
{
    const quadratic *q = p->data;
    const double a = q->a, b = q->b, c = q->c;
    for (size_t j = 0; j < m; j++)
        f[j] = a * x[j] * x[j] + b * x[j] + c;
}

/* quadratic_loss_grad at m points. */
static void quadratic_loss_grad_points(const gd_problem *p, size_t m, const double *x,
                                       double *g, double *f)
{
    const quadratic *q = p->data;
    const double a = q->a, b = q->b;
    for (size_t j = 0; j < m; j++)
        g[j] = 2 * a * x[j] + b;
    quadratic_loss_points(p, m, x, f);
}

const gd_problem_type gd_problem_quadratic = {
    .name = "quadratic",
    .doc = "f(x) = a x^2 + b x + c, the article's cost function (n = 1)",
    .params = quadratic_params,
    .metric_name = NULL,
    .stores_inputs = 0,
    .check = NULL,
    .draws = quadratic_draws,
    .repeat_hint = "start_spread > 0 draws a start point per repeat",
    .dimension = quadratic_dimension,
    .cost = quadratic_cost,
    .setup = quadratic_setup,
    .destroy = gd_problem_release,
    .loss = quadratic_loss,
    .loss_grad = quadratic_loss_grad,
    .metric = NULL,
    .loss_points = quadratic_loss_points,
    .loss_grad_points = quadratic_loss_grad_points,
    .start_params = 1u << Q_X0 | 1u << Q_SPREAD,
};

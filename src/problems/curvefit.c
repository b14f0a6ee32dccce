/* curvefit.c - the article's polynomial curve fit: mean squared error of a polynomial.
 *
 * Data: x = numpy.linspace(x_min, x_max, points), y = c0 + c1 x + c2 x^2 + c3 x^3 +
 * noise * N(0,1) (stream 0 of the instance key). Parameters theta are highest power first
 * like the article: p(x) = theta[0] x^degree + ... + theta[degree]. Start theta ~ N(0,1)
 * (stream 1), the article's np.random.randn. Loss = mean((p(x_i) - y_i)^2), gradient
 * g_k = mean(2 (p(x_i) - y_i) x_i^(degree-k)). The least-squares optimum comes from
 * Householder QR (lstsq.c) and f_opt is the loss there, through the same loss function.
 *
 * Parallelism: points are cut into fixed blocks of BLOCK points (independent of the thread
 * count). Each block writes its partial sums into its own slot of c->parts, so threads
 * never share a write; the slots are then summed serially in block order. The result is
 * bit-identical for any OMP_NUM_THREADS. Because of that scratch buffer one instance must
 * not be evaluated by two threads at once. */
#include "lstsq.h"
#include "problem_impl.h"

#include <float.h>
#include <math.h>
#include <string.h>

#define BLOCK 4096
#define PARALLEL_MIN 16384 /* fewer points than this: no thread team */
#define MAX_DEGREE 12

enum { CF_DEGREE, CF_POINTS, CF_NOISE, CF_X_MIN, CF_X_MAX, CF_C0, CF_C1, CF_C2, CF_C3 };

typedef struct curvefit {
    size_t points, degree, n_blocks;
    double *x, *y, *y_test; /* y_test: held-out targets of the metric */
    double *parts; /* n_blocks slots of degree + 2 partial sums: loss, then gradient */
} curvefit;

static const gd_param_spec curvefit_params[] = {
    [CF_DEGREE] = {.key = "degree", .kind = GD_INT, .def = 2, .lo = 0, .hi = MAX_DEGREE,
                   .doc = "degree of the fitted polynomial (n = degree + 1)"},
    [CF_POINTS] = {.key = "points", .kind = GD_INT, .def = 100, .lo = 1, .hi = 1e9,
                   .doc = "number of data points"},
    [CF_NOISE] = {.key = "noise", .kind = GD_REAL, .def = 10, GD_SPEC_NONNEG,
                  .doc = "standard deviation of the Gaussian noise on y"},
    [CF_X_MIN] = {.key = "x_min", .kind = GD_REAL, .def = 0, GD_SPEC_ANY_REAL,
                  .doc = "first sample x"},
    [CF_X_MAX] = {.key = "x_max", .kind = GD_REAL, .def = 10, GD_SPEC_ANY_REAL,
                  .doc = "last sample x"},
    [CF_C0] = {.key = "c0", .kind = GD_REAL, .def = 3, GD_SPEC_ANY_REAL,
               .doc = "true polynomial: constant term"},
    [CF_C1] = {.key = "c1", .kind = GD_REAL, .def = -5, GD_SPEC_ANY_REAL,
               .doc = "true polynomial: coefficient of x"},
    [CF_C2] = {.key = "c2", .kind = GD_REAL, .def = 2, GD_SPEC_ANY_REAL,
               .doc = "true polynomial: coefficient of x^2"},
    [CF_C3] = {.key = "c3", .kind = GD_REAL, .def = 0, GD_SPEC_ANY_REAL,
               .doc = "true polynomial: coefficient of x^3"},
    {.key = NULL},
};

/* Natural log of the largest magnitude the fit meets: x^degree, and the data y (the true
 * polynomial at most 4 times its largest term, plus 10 noise standard deviations). */
static double log_largest(const double *pp)
{
    double lx = log(fmax(fabs(pp[CF_X_MIN]), fabs(pp[CF_X_MAX])));
    double ly = log(10 * pp[CF_NOISE]);
    for (int k = 0; k <= 3; k++)
        ly = fmax(ly, log(4 * fabs(pp[CF_C0 + k])) + k * lx);
    return fmax(pp[CF_DEGREE] * lx, ly);
}

static int curvefit_check(const double *pp, gd_error *err)
{
    /* The fit sums `points` squares of those magnitudes: keep them 16 times below
     * DBL_MAX, else the setup fails for certain (every run, every resume). Accepts an
     * interval of each key (problem.h): the bound grows with |x|, |c|, noise, degree. */
    if (!(log(pp[CF_POINTS]) + 2 * log_largest(pp) < log(DBL_MAX / 16)))
        return gd_fail(err, "x_min = %.17g, x_max = %.17g: the data or x^degree (degree = "
                       "%.0f) overflow a double in the least-squares fit; use a smaller "
                       "x range, coefficients or noise", pp[CF_X_MIN], pp[CF_X_MAX],
                       pp[CF_DEGREE]);
    if (!(pp[CF_X_MIN] < pp[CF_X_MAX]))
        return gd_fail(err, "x_min = %.17g must be less than x_max = %.17g", pp[CF_X_MIN],
                       pp[CF_X_MAX]);
    if (pp[CF_POINTS] < pp[CF_DEGREE] + 1)
        return gd_fail(err, "points = %.0f must be at least degree + 1 = %.0f", pp[CF_POINTS],
                       pp[CF_DEGREE] + 1);
    return 0;
}

static size_t curvefit_dimension(const gd_problem_files *files, const double *pp)
{
    return (size_t)pp[CF_DEGREE] + 1;
}

/* Nanoseconds per iteration (loss, gradient and a typical optimizer step), measured on
 * the development machine with gd and adam; the scheduler only needs the ratios. */
static double curvefit_cost(const gd_problem_files *files, const double *pp)
{
    return 0.6 * pp[CF_POINTS] * (pp[CF_DEGREE] + 1) + 50;
}

/* Partial sums of points [lo, hi) into out[0] (sum r^2) and, when grad, out[1 + k]
 * (sum 2 r x^(deg-k)), with r = p(x_i) - y_i. Inlined with a constant deg (see
 * block_sums), the loops over k unroll and the sums stay in registers; every sum still
 * adds its terms in point order, so the result is the same as the generic loop's. */
static inline __attribute__((always_inline)) void
sums_of(const double *x, const double *y, size_t lo, size_t hi, const double *theta,
        size_t deg, int grad, double *out)
{
    double acc[MAX_DEGREE + 1] = {0}, sq = 0;
    for (size_t i = lo; i < hi; i++) {
        double xi = x[i], r = theta[0];
        for (size_t k = 1; k <= deg; k++)
            r = r * xi + theta[k];
        r -= y[i];
        sq += r * r;
        if (!grad)
            continue;
        double w = 2 * r;
        for (size_t k = deg + 1; k-- > 0;) {
            acc[k] += w;
            w *= xi;
        }
    }
    out[0] = sq;
    for (size_t k = 0; grad && k <= deg; k++)
        out[1 + k] = acc[k];
}

/* The sums of block b, with the degree as a constant for the common degrees. */
static void block_sums(const curvefit *c, const double *y, const double *theta, size_t b,
                       int grad, double *out)
{
    size_t lo = b * BLOCK, hi = lo + BLOCK < c->points ? lo + BLOCK : c->points;
    switch (c->degree) {
    case 1: sums_of(c->x, y, lo, hi, theta, 1, grad, out); break;
    case 2: sums_of(c->x, y, lo, hi, theta, 2, grad, out); break;
    case 3: sums_of(c->x, y, lo, hi, theta, 3, grad, out); break;
    default: sums_of(c->x, y, lo, hi, theta, c->degree, grad, out); break;
    }
}

/* Mean squared error of theta against targets y (c->y: the loss; c->y_test: the metric),
 * and its gradient into g unless g is NULL. */
static double evaluate(const gd_problem *p, const double *y, const double *theta, double *g)
{
    const curvefit *c = p->data;
    size_t stride = c->degree + 2;
    int grad = g != NULL;
#pragma omp parallel for schedule(static) if (c->points >= PARALLEL_MIN)
    for (size_t b = 0; b < c->n_blocks; b++)
        block_sums(c, y, theta, b, grad, c->parts + b * stride);
    double m = (double)c->points;
    for (size_t k = 0; grad && k <= c->degree; k++)
        g[k] = gd_ordered_sum(c->parts + 1 + k, c->n_blocks, stride) / m;
    return gd_ordered_sum(c->parts, c->n_blocks, stride) / m;
}

static double curvefit_loss(const gd_problem *p, const double *theta)
{
    const curvefit *c = p->data;
    return evaluate(p, c->y, theta, NULL);
}

static double curvefit_loss_grad(const gd_problem *p, const double *theta, double *g)
{
    const curvefit *c = p->data;
    return evaluate(p, c->y, theta, g);
}

/* The metric test_mse: the mean squared error on held-out targets, the true polynomial
 * at the same x plus fresh noise (stream 2): what a fitted degree predicts of new data. */
static double curvefit_test_mse(const gd_problem *p, const double *theta)
{
    const curvefit *c = p->data;
    return evaluate(p, c->y_test, theta, NULL);
}

static void make_data(curvefit *c, const double *pp, gd_rng_key key)
{
    double x_min = pp[CF_X_MIN], x_max = pp[CF_X_MAX], noise = pp[CF_NOISE];
    double c0 = pp[CF_C0], c1 = pp[CF_C1], c2 = pp[CF_C2], c3 = pp[CF_C3];
#pragma omp parallel for schedule(static) if (c->points >= PARALLEL_MIN)
    for (size_t i = 0; i < c->points; i++) {
        double x = gd_linspace_at(x_min, x_max, c->points, i);
        double truth = c0 + c1 * x + c2 * x * x + c3 * x * x * x;
        c->x[i] = x;
        c->y[i] = truth + noise * gd_rng_normal(key, 0, i);
        c->y_test[i] = truth + noise * gd_rng_normal(key, 2, i);
    }
}

static int curvefit_setup(gd_problem *p, const gd_problem_files *files, const double *pp,
                          gd_rng_key key, gd_error *err)
{
    memset(p, 0, sizeof *p); /* a failed setup leaves *p zeroed */
    if (curvefit_check(pp, err) < 0)
        return -1;
    size_t points = (size_t)pp[CF_POINTS], n = (size_t)pp[CF_DEGREE] + 1;
    size_t n_blocks = (points + BLOCK - 1) / BLOCK;
    double *x, *y, *y_test, *parts, *true_coef, *x_opt;
    const gd_array_req reqs[] = {{&x, points},
                                 {&y, points},
                                 {&y_test, points},
                                 {&parts, n_blocks * (n + 1)},
                                 {&true_coef, 4},
                                 {&x_opt, n}};
    curvefit *c = gd_problem_alloc(p, &gd_problem_curvefit, n, sizeof *c, reqs, 6, err);
    if (!c)
        return -1;
    *c = (curvefit){points, n - 1, n_blocks, x, y, y_test, parts};
    make_data(c, pp, key);
    for (size_t k = 0; k < n; k++)
        p->x0[k] = gd_rng_normal(key, 1, k);
    for (size_t k = 0; k < 4; k++)
        true_coef[k] = pp[CF_C3 - k];
    if (gd_polyfit_lstsq(x, y, points, n - 1, x_opt, err) < 0) {
        gd_problem_destroy(p);
        return -1;
    }
    p->has_optimum = 1;
    p->f_opt = curvefit_loss(p, x_opt);
    gd_problem_add_input(p, "x", points, 0, x);
    gd_problem_add_input(p, "y", points, 0, y);
    gd_problem_add_input(p, "y_test", points, 0, y_test);
    gd_problem_add_input(p, "true_coef", 4, 0, true_coef);
    gd_problem_add_input(p, "x_opt", n, 0, x_opt);
    gd_problem_add_input(p, "x0", n, 0, p->x0);
    return 0;
}

const gd_problem_type gd_problem_curvefit = {
    .name = "curvefit",
    .doc = "mean squared error of a polynomial fitted to noisy samples of c0 + c1 x + "
           "c2 x^2 + c3 x^3 (the article's curve fit; n = degree + 1)",
    .params = curvefit_params,
    .metric_name = "test_mse",
    .metric_mode = "min",
    .stores_inputs = 1,
    .model_params = 1u << CF_DEGREE,
    .check = curvefit_check,
    .draws = NULL, /* the start point is random */
    .repeat_hint = NULL,
    .dimension = curvefit_dimension,
    .cost = curvefit_cost,
    .setup = curvefit_setup,
    .destroy = gd_problem_release,
    .loss = curvefit_loss,
    .loss_grad = curvefit_loss_grad,
    .metric = curvefit_test_mse,
};

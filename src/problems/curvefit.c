/* curvefit.c - the article's polynomial curve fit: mean squared error of a polynomial.
 *
 * Data: x = numpy.linspace(x_min, x_max, points), y = c0 + c1 x + c2 x^2 + c3 x^3 +
 * noise * N(0,1) (stream 0 of the instance key); or, with the file `data` (a CSV table,
 * table_file.h), the rows of its columns x and y (or of the columns the name keys x and y
 * give), or of an HDF5 file (h5_table.h), its 1-D datasets /x and /y (or the dataset paths
 * the name keys x and y give), and then the keys that only shape the generated data (points, noise, x_min,
 * x_max, c0..c3) are ignored. Parameters theta are
 * highest power first like the article: p(x) = theta[0] x^degree + ... + theta[degree].
 * Start theta ~ N(0,1) (stream 1), the article's np.random.randn, with a file too.
 * Loss = mean((p(x_i) - y_i)^2), gradient g_k = mean(2 (p(x_i) - y_i) x_i^(degree-k)).
 * The least-squares optimum comes from Householder QR (lstsq.c) and f_opt is the loss
 * there, through the same loss function.
 * The metric test_mse needs held-out targets, which generated data have (y_test) and a
 * file has not: with a file it is NaN (no held-out data), never the training error.
 *
 * Parallelism: points are cut into fixed blocks of BLOCK points (independent of the thread
 * count). Each block writes its partial sums into its own slot of c->parts, so threads
 * never share a write; the slots are then summed serially in block order. The result is
 * bit-identical for any OMP_NUM_THREADS. Because of that scratch buffer one instance must
 * not be evaluated by two threads at once. */
#include "h5_input.h"
#include "h5_table.h"
#include "lstsq.h"
#include "problem_impl.h"
#include "table_file.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK 4096
#define PARALLEL_MIN 16384 /* fewer points than this: no thread team */
#define MAX_DEGREE 12

enum {
    CF_DEGREE, CF_POINTS, CF_NOISE, CF_X_MIN, CF_X_MAX, CF_C0, CF_C1, CF_C2, CF_C3,
    CF_DATA, CF_X_COLUMN, CF_Y_COLUMN /* last: the keys before them keep their indices */
};

typedef struct curvefit {
    size_t points, degree, n_blocks;
    double *x, *y, *y_test; /* y_test: held-out targets of the metric (NULL: a file's) */
    double *parts; /* n_blocks slots of degree + 2 partial sums: loss, then gradient */
} curvefit;

static const gd_param_spec curvefit_params[] = {
    [CF_DEGREE] = {.key = "degree", .kind = GD_INT, .def = 2, .lo = 0, .hi = MAX_DEGREE,
                   .doc = "degree of the fitted polynomial (n = degree + 1)"},
    [CF_POINTS] = {.key = "points", .kind = GD_INT, .def = 100, .lo = 1, .hi = 1e9,
                   .doc = "number of data points (not with data)"},
    [CF_NOISE] = {.key = "noise", .kind = GD_REAL, .def = 10, GD_SPEC_NONNEG,
                  .doc = "standard deviation of the Gaussian noise on y (not with data)"},
    [CF_X_MIN] = {.key = "x_min", .kind = GD_REAL, .def = 0, GD_SPEC_ANY_REAL,
                  .doc = "first sample x (not with data)"},
    [CF_X_MAX] = {.key = "x_max", .kind = GD_REAL, .def = 10, GD_SPEC_ANY_REAL,
                  .doc = "last sample x (not with data)"},
    [CF_C0] = {.key = "c0", .kind = GD_REAL, .def = 3, GD_SPEC_ANY_REAL,
               .doc = "true polynomial: constant term (not with data)"},
    [CF_C1] = {.key = "c1", .kind = GD_REAL, .def = -5, GD_SPEC_ANY_REAL,
               .doc = "true polynomial: coefficient of x (not with data)"},
    [CF_C2] = {.key = "c2", .kind = GD_REAL, .def = 2, GD_SPEC_ANY_REAL,
               .doc = "true polynomial: coefficient of x^2 (not with data)"},
    [CF_C3] = {.key = "c3", .kind = GD_REAL, .def = 0, GD_SPEC_ANY_REAL,
               .doc = "true polynomial: coefficient of x^3 (not with data)"},
    [CF_DATA] = {.key = "data", .kind = GD_PATH, .def = GD_PATH_NONE,
                 .doc = "CSV file of the samples, columns x and y (header row; .gz too), "
                        "or HDF5 file, 1-D datasets /x and /y; test_mse is then NaN"},
    [CF_X_COLUMN] = {.key = "x", .kind = GD_NAME, .def = GD_PATH_NONE,
                     .doc = "the column of data that holds x (default: the one named x); "
                             "HDF5: the dataset's path (default: /x)"},
    [CF_Y_COLUMN] = {.key = "y", .kind = GD_NAME, .def = GD_PATH_NONE,
                     .doc = "the column of data that holds y (default: the one named y); "
                             "HDF5: the dataset's path (default: /y)"},
    {.key = NULL},
};

static int has_data(const double *pp)
{
    return pp[CF_DATA] != GD_PATH_NONE;
}

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

/* 1 when the fit's sums of `points` squares of magnitudes up to exp(log_largest) stay 16
 * times below DBL_MAX (else the setup fails for certain: every run, every resume). */
static int fit_stays_finite(double points, double log_largest_magnitude)
{
    return log(points) + 2 * log_largest_magnitude < log(DBL_MAX / 16);
}

/* The generated data's checks; none with a file (its keys are ignored; check_files). */
static int curvefit_check(const double *pp, gd_error *err)
{
    if (has_data(pp))
        return 0;
    /* Accepts an interval of each key (problem.h): the bound grows with |x|, |c|, noise,
     * degree. */
    if (!fit_stays_finite(pp[CF_POINTS], log_largest(pp)))
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

/* The column the name key `key` of the set names (by default the one called key), or -1
 * with err naming the file, the column and the columns it has. */
static ptrdiff_t sample_column(const gd_problem_files *files, const gd_problem_file *data,
                               const gd_table *t, const char *key, gd_error *err)
{
    const char *given = gd_problem_files_name(files, key), *name = given ? given : key;
    ptrdiff_t c = gd_table_column(t, name);
    if (c >= 0)
        return c;
    char have[256];
    gd_table_column_list(t, have, sizeof have);
    if (given)
        return gd_fail(err, "%s = %s: data = %s has no column named '%s' (its columns: %s); "
                       "name one of them", key, given, data->path, given, have);
    return gd_fail(err, "data = %s has no column named %s (its columns: %s); name the "
                   "column of the samples' %s with %s = COLUMN", data->path, key, have, key, key);
}

/* The samples of an HDF5 file: 1-D datasets /x and /y, or those the name keys x, y give. */
static int read_h5_samples(const gd_problem_files *files, const gd_problem_file *data,
                           gd_table *t, size_t *xc, size_t *yc, gd_error *err)
{
    const char *x = gd_problem_files_name(files, "x"), *y = gd_problem_files_name(files, "y");
    const char *paths[2] = {x ? x : "/x", y ? y : "/y"};
    if (data->dataset)
        return gd_fail(err, "data = %s:%s: curvefit reads two datasets; give data = %s and "
                       "name them with x = /PATH and y = /PATH", data->path, data->dataset,
                       data->path);
    *xc = 0;
    *yc = 1;
    return gd_h5_table_read(data, paths, 2, t, err);
}

/* A file's samples: its table (a CSV's parsed once per process and shared; an HDF5 file's
 * two datasets read for this call, owned) and the columns of x and y. */
typedef struct samples {
    const gd_table *t;
    gd_table owned; /* zeroed unless t points to it */
    size_t xc, yc;
} samples;

/* Reads the samples of the set's data file into *sm; -1 with err (and *sm freeable). */
static int read_samples(const gd_problem_files *files, samples *sm, gd_error *err)
{
    const gd_problem_file *data = gd_problem_files_find(files, "data");
    memset(sm, 0, sizeof *sm);
    if (data->dataset || gd_h5_input_is(data)) {
        sm->t = &sm->owned;
        return read_h5_samples(files, data, &sm->owned, &sm->xc, &sm->yc, err);
    }
    if (!(sm->t = gd_table_of(data, err)))
        return -1;
    ptrdiff_t x = sample_column(files, data, sm->t, "x", err);
    ptrdiff_t y = x < 0 ? -1 : sample_column(files, data, sm->t, "y", err);
    if (x < 0 || y < 0)
        return -1;
    sm->xc = (size_t)x;
    sm->yc = (size_t)y;
    return 0;
}

static void samples_free(samples *sm)
{
    gd_table_free(&sm->owned);
}

/* The number of samples: the file's rows, else points (0 when the file does not read). */
static double sample_count(const gd_problem_files *files, const double *pp)
{
    const gd_problem_file *data = gd_problem_files_find(files, "data");
    samples sm;
    gd_error unused;
    if (!data)
        return pp[CF_POINTS];
    double rows = read_samples(files, &sm, &unused) < 0 ? 0 : (double)sm.t->rows;
    samples_free(&sm);
    return rows;
}

static size_t curvefit_dimension(const gd_problem_files *files, const double *pp)
{
    return (size_t)pp[CF_DEGREE] + 1;
}

/* Nanoseconds per iteration (loss, gradient and a typical optimizer step), measured on
 * the development machine with gd and adam; the scheduler only needs the ratios. With a
 * file this reads its table (once per call: the plan asks once per combination). */
static double curvefit_cost(const gd_problem_files *files, const double *pp)
{
    return 0.6 * sample_count(files, pp) * (pp[CF_DEGREE] + 1) + 50;
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
 * at the same x plus fresh noise (stream 2): what a fitted degree predicts of new data.
 * NaN with a file: it holds no held-out data. */
static double curvefit_test_mse(const gd_problem *p, const double *theta)
{
    const curvefit *c = p->data;
    return c->y_test ? evaluate(p, c->y_test, theta, NULL) : NAN;
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

/* The table's columns xc and yc into x and y (t->rows values each). */
static void copy_samples(const gd_table *t, size_t xc, size_t yc, double *x, double *y)
{
    for (size_t i = 0; i < t->rows; i++) {
        x[i] = t->values[i * t->cols + xc];
        y[i] = t->values[i * t->cols + yc];
    }
}

/* The instance's arrays and data: generated from pp and key, or the samples of t (not
 * NULL: a file, with no held-out targets and no true polynomial). */
static int make_instance(gd_problem *p, const double *pp, gd_rng_key key, const gd_table *t,
                         size_t xc, size_t yc, gd_error *err)
{
    size_t points = t ? t->rows : (size_t)pp[CF_POINTS], n = (size_t)pp[CF_DEGREE] + 1;
    size_t n_blocks = (points + BLOCK - 1) / BLOCK, generated = t ? 0 : 1;
    double *x, *y, *y_test, *parts, *true_coef, *x_opt;
    const gd_array_req reqs[] = {{&x, points},
                                 {&y, points},
                                 {&y_test, generated * points},
                                 {&parts, n_blocks * (n + 1)},
                                 {&true_coef, generated * 4},
                                 {&x_opt, n}};
    curvefit *c = gd_problem_alloc(p, &gd_problem_curvefit, n, sizeof *c, reqs, 6, err);
    if (!c)
        return -1;
    *c = (curvefit){points, n - 1, n_blocks, x, y, generated ? y_test : NULL, parts};
    if (t)
        copy_samples(t, xc, yc, x, y);
    else
        make_data(c, pp, key);
    for (size_t k = 0; k < n; k++)
        p->x0[k] = gd_rng_normal(key, 1, k);
    for (size_t k = 0; k < 4 * generated; k++)
        true_coef[k] = pp[CF_C3 - k];
    if (gd_polyfit_lstsq(x, y, points, n - 1, x_opt, err) < 0) {
        gd_problem_destroy(p);
        return -1;
    }
    p->has_optimum = 1;
    p->f_opt = curvefit_loss(p, x_opt);
    (t ? gd_problem_add_file_input : gd_problem_add_input)(p, "x", points, 0, x);
    (t ? gd_problem_add_file_input : gd_problem_add_input)(p, "y", points, 0, y);
    if (generated) {
        gd_problem_add_input(p, "y_test", points, 0, y_test);
        gd_problem_add_input(p, "true_coef", 4, 0, true_coef);
    }
    gd_problem_add_input(p, "x_opt", n, 0, x_opt);
    gd_problem_add_input(p, "x0", n, 0, p->x0);
    return 0;
}

static int curvefit_setup(gd_problem *p, const gd_problem_files *files, const double *pp,
                          gd_rng_key key, gd_error *err)
{
    const gd_problem_file *data = gd_problem_files_find(files, "data");
    memset(p, 0, sizeof *p); /* a failed setup leaves *p zeroed */
    if (curvefit_check(pp, err) < 0)
        return -1;
    if (!data)
        return make_instance(p, pp, key, NULL, 0, 0, err);
    samples sm;
    int rc = read_samples(files, &sm, err) < 0
                 ? -1
                 : make_instance(p, pp, key, sm.t, sm.xc, sm.yc, err);
    samples_free(&sm);
    return rc;
}

/* Natural log of the largest magnitude of the file's fit: x^degree and y. */
static double log_largest_of(const gd_table *t, size_t xc, size_t yc, double degree)
{
    double ax = 0, ay = 0;
    for (size_t i = 0; i < t->rows; i++) {
        ax = fmax(ax, fabs(t->values[i * t->cols + xc]));
        ay = fmax(ay, fabs(t->values[i * t->cols + yc]));
    }
    return fmax(degree * log(fmax(ax, DBL_MIN)), log(fmax(ay, DBL_MIN))); /* 0: tiny */
}

/* The least-squares fit of the file's samples at this degree succeeds. */
static int check_fit(const gd_table *t, size_t xc, size_t yc, size_t degree, const char *path,
                     gd_error *err)
{
    double *xy = malloc(2 * t->rows * sizeof *xy), coef[MAX_DEGREE + 1];
    if (!xy)
        return gd_fail_runtime(err, "data = %s: out of memory for %zu rows", path, t->rows);
    copy_samples(t, xc, yc, xy, xy + t->rows);
    int rc = gd_polyfit_lstsq(xy, xy + t->rows, t->rows, degree, coef, err);
    free(xy);
    if (rc < 0)
        gd_error_prefix(err, "data = %s (degree = %zu)", path, degree);
    return rc;
}

/* The samples' checks at the degree of pp (see curvefit_check_files). */
static int check_samples(const samples *sm, const gd_problem_file *data, const double *pp,
                         gd_error *err)
{
    const gd_table *t = sm->t;
    double degree = pp[CF_DEGREE];
    if ((double)t->rows < degree + 1)
        return gd_fail(err, "data = %s has %zu rows; degree = %.0f needs at least %.0f; give "
                       "more rows or a smaller degree", data->path, t->rows, degree,
                       degree + 1);
    if (!fit_stays_finite((double)t->rows, log_largest_of(t, sm->xc, sm->yc, degree)))
        return gd_fail(err, "data = %s: its y or x^degree (degree = %.0f) overflow a double "
                       "in the least-squares fit; scale the data or use a smaller degree",
                       data->path, degree);
    return check_fit(t, sm->xc, sm->yc, (size_t)degree, data->path, err);
}

/* The file has columns x and y, at least degree + 1 rows, magnitudes whose squares the fit
 * can sum, and x values that determine a polynomial of the degree (its setup cannot fail).
 * Called at the smallest and the largest degree (check_files_params): fewer rows or
 * distinct x, and larger x^degree, fail only at a larger degree. */
static int curvefit_check_files(const gd_problem_files *files, const double *pp,
                                gd_error *err)
{
    const gd_problem_file *data = gd_problem_files_find(files, "data");
    samples sm;
    if (!data)
        return 0;
    int rc = read_samples(files, &sm, err) < 0 ? -1 : check_samples(&sm, data, pp, err);
    samples_free(&sm);
    return rc;
}

const gd_problem_type gd_problem_curvefit = {
    .name = "curvefit",
    .doc = "mean squared error of a polynomial fitted to noisy samples of c0 + c1 x + "
           "c2 x^2 + c3 x^3 (the article's curve fit), or to the x and y columns of a CSV "
           "file or datasets of an HDF5 file (n = degree + 1)",
    .params = curvefit_params,
    .metric_name = "test_mse",
    .metric_mode = "min",
    .stores_inputs = 1,
    .model_params = 1u << CF_DEGREE,
    .check = curvefit_check,
    .check_files = curvefit_check_files,
    .check_files_params = 1u << CF_DEGREE,
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

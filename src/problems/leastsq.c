/* leastsq.c - linear least squares on a data file: (1/N) |X w - y|^2 + l2 |w|^2.
 *
 * X, y: the training rows of the design (design.h; N of them, d columns). Gradient
 * (2/N) X^T (X w - y) + 2 l2 w (the intercept's weight not penalised). The optimum is the
 * least-squares solution of [X; sqrt(N l2) P] w = [y; 0] (P: one row per penalised weight)
 * by Householder QR (lstsq.h), so no normal equations square X's condition number; f_opt
 * is the loss there, through the same loss function. Metric test_mse: the mean squared
 * error on the test rows (NaN without test rows).
 *
 * Parallelism: rows in fixed blocks of GD_DESIGN_BLOCK, each block's sums in its own slot
 * of parts, the slots summed in block order (gd_design_reduce): bit-identical for any
 * thread count. One instance must not be evaluated by two threads at once (parts). */
#include "design.h"
#include "lstsq.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A column within this (relative) of the span of the others makes the fit degenerate: its
 * weight would be round-off amplified by 1 / RANK_TOL at least. */
#define RANK_TOL 1e-12

/* Block sums: out[0] = sum r^2, out[1 + j] = sum 2 r x_j, r = x_i . w - y_i. */
static void block_sums(const void *ctx, size_t lo, size_t hi, double *out)
{
    const gd_design_call *c = ctx;
    const gd_design *d = &c->model->d;
    for (size_t q = lo; q < hi; q++) {
        size_t i = gd_design_row(c->rows, q);
        gd_design_prefetch(d, c->rows, q, hi);
        const double *xi = d->x + i * d->d;
        double r = gd_design_dot(xi, c->w, d->d) - d->y[i];
        out[0] += r * r;
        for (size_t j = 0; c->grad && j < d->d; j++)
            out[1 + j] += 2 * r * xi[j];
    }
}

/* Mean squared error on the test rows (in row order); NaN without any. */
static double leastsq_test_mse(const gd_problem *p, const double *w)
{
    const gd_design *d = p->data;
    double sq = 0;
    for (size_t i = 0; i < d->test_rows; i++) {
        double r = gd_design_dot(d->x_test + i * d->d, w, d->d) - d->y_test[i];
        sq += r * r;
    }
    return d->test_rows ? sq / (double)d->test_rows : NAN;
}

/* Row i of the QR system: a training row, then the ridge rows sqrt(N l2) e_j. */
static void system_row(const void *ctx, size_t i, double *row, double *y)
{
    const gd_design *d = ctx;
    if (i < d->rows) {
        memcpy(row, d->x + i * d->d, d->d * sizeof *row);
        *y = d->y[i];
        return;
    }
    memset(row, 0, d->d * sizeof *row);
    row[i - d->rows] = sqrt((double)d->rows * d->l2);
    *y = 0;
}

static int solve(const gd_design *d, double *w, gd_error *err)
{
    size_t ridge = d->l2 > 0 ? d->features : 0;
    return gd_lstsq_solve(system_row, d, d->rows + ridge, d->d, w, RANK_TOL,
                          "the training rows do not determine the weights: a column constant, "
                          "repeated or a combination of others, or too few rows; give l2 > 0",
                          err);
}

/* The instance on src: the design, then the optimum by QR. */
static int make_instance(gd_problem *p, const gd_design_source *src, const double *pp,
                         gd_rng_key key, gd_error *err)
{
    double *w_opt;
    gd_design_model *ls = gd_design_model_new(p, &gd_problem_leastsq, src, pp, key, 1,
                                              block_sums, 1, &w_opt, err);
    if (!ls)
        return -1;
    if (solve(&ls->d, w_opt, err) < 0) {
        gd_error_prefix(err, "data = %s", src->path);
        gd_problem_destroy(p);
        return -1;
    }
    gd_design_add_inputs(p, &ls->d);
    gd_design_model_optimum(p, w_opt);
    gd_problem_add_input(p, "x0", p->n, 0, p->x0);
    return 0;
}

static int leastsq_setup(gd_problem *p, const gd_problem_files *files, const double *pp,
                         gd_rng_key key, gd_error *err)
{
    return gd_design_setup(p, files, pp, key, make_instance, err);
}

/* Enough training rows, and at l2 = 0 weights that all rows determine (the fit on every
 * row; a drawn training subset can still be degenerate, which its setup reports). */
static int leastsq_check_files(const gd_problem_files *files, const double *pp,
                               gd_error *err)
{
    return gd_design_check_files(files, pp, NULL, NULL, make_instance, err);
}

/* ~ floating-point work of one loss and gradient (the scheduler needs ratios only). */
static double leastsq_cost(const gd_problem_files *files, const double *pp)
{
    size_t rows, d;
    double max_target;
    gd_design_size_of(files, pp, &rows, &d, &max_target);
    return 4.0 * (double)rows * (double)d + 50;
}

const gd_problem_type gd_problem_leastsq = {
    .name = "leastsq",
    .doc = "linear least squares (1/N) |X w - y|^2 + l2 |w|^2 on the rows of a CSV file "
           "(n = features + intercept); the optimum by QR",
    .params = gd_design_params,
    .metric_name = "test_mse",
    .metric_mode = "min",
    .stores_inputs = 1,
    .model_params = GD_DESIGN_MODEL_PARAMS,
    .check = gd_design_check,
    .check_files = leastsq_check_files,
    .check_files_params = GD_DESIGN_FILE_PARAMS,
    .draws = gd_design_draws,
    .repeat_hint = GD_DESIGN_REPEAT_HINT,
    .dimension = gd_design_dimension,
    .cost = leastsq_cost,
    .setup = leastsq_setup,
    .destroy = gd_problem_release,
    .loss = gd_design_loss,
    .loss_grad = gd_design_loss_grad,
    .samples = gd_design_samples,
    .batch_loss_grad = gd_design_batch_loss_grad,
    .metric = leastsq_test_mse,
};

/* logreg.c - binary logistic regression on a data file: mean log-loss + l2 |w|^2.
 *
 * Labels y in {0, 1} (the target column), z_i = x_i . w over the training rows of the
 * design (design.h). Loss (1/N) sum [softplus(z_i) - y_i z_i] + l2 |w|^2 with
 * softplus(z) = max(z, 0) + log1p(exp(-|z|)) (no overflow for any z); gradient
 * (1/N) X^T (sigmoid(z) - y) + 2 l2 w, sigmoid evaluated on the side where exp does not
 * overflow. The optimum: Newton's method at setup (newton.h) from w = 0, the Hessian
 * (1/N) X^T diag(s(1 - s)) X + 2 l2 P summed in fixed blocks, to a Newton decrement below
 * 1e-24 (f_opt far inside the 1e-12 asked). With l2 = 0 and separable training rows the
 * loss has no minimum: Newton fails to converge and the setup (or check_files, on all rows)
 * refuses the file with a usage error asking for l2 > 0. Metric test_accuracy: the share
 * of test rows with (z > 0) == (y == 1) (NaN without test rows).
 *
 * Parallelism: fixed blocks of rows, per-block slots summed in block order
 * (gd_design_reduce): bit-identical for any thread count. One instance must not be
 * evaluated by two threads at once (parts). */
#include "design.h"
#include "design_newton.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The row loss softplus(z) - y z and sigmoid(z) - y from one exp(-|z|): softplus(z) =
 * max(z, 0) + log1p(e), sigmoid(z) = 1 / (1 + e) for z >= 0, else e / (1 + e). */
static double row_loss(double z, double y, double *residual)
{
    double e = exp(-fabs(z));
    *residual = (z >= 0 ? 1 : e) / (1 + e) - y;
    return fmax(z, 0) + log1p(e) - y * z;
}


/* out[0] = sum of losses, out[1 + j] = sum (s - y) x_j. */
static void block_sums(const void *ctx, size_t lo, size_t hi, double *out)
{
    const gd_design_call *c = ctx;
    const gd_design *d = &c->model->d;
    for (size_t q = lo; q < hi; q++) {
        size_t i = gd_design_row(c->rows, q);
        gd_design_prefetch(d, c->rows, q, hi);
        const double *xi = d->x + i * d->d;
        double r;
        out[0] += row_loss(gd_design_dot(xi, c->w, d->d), d->y[i], &r);
        if (!c->grad)
            continue;
        for (size_t j = 0; j < d->d; j++)
            out[1 + j] += r * xi[j];
    }
}

/* Share of test rows classified right; NaN without any. */
static double logreg_test_accuracy(const gd_problem *p, const double *w)
{
    const gd_design *d = p->data;
    size_t right = 0;
    for (size_t i = 0; i < d->test_rows; i++)
        right += (gd_design_dot(d->x_test + i * d->d, w, d->d) > 0) == (d->y_test[i] == 1);
    return d->test_rows ? (double)right / (double)d->test_rows : NAN;
}

/* ---- the optimum by Newton ------------------------------------------------------------ */

/* out: loss, gradient, then the upper triangle of sum s(1 - s) x x^T row by row. */
static void hessian_sums(const gd_design *d, size_t k, const double *w, size_t lo, size_t hi,
                         double *out)
{
    for (size_t i = lo; i < hi; i++) {
        const double *xi = d->x + i * d->d;
        double r;
        out[0] += row_loss(gd_design_dot(xi, w, d->d), d->y[i], &r);
        double s = r + d->y[i], v = s * (1 - s);
        for (size_t j = 0; j < d->d; j++)
            out[1 + j] += r * xi[j];
        double *h = out + 1 + d->d;
        for (size_t j = 0; j < d->d; j++)
            for (size_t m = j; m < d->d; m++)
                *h++ += v * xi[j] * xi[m];
    }
}

#define NO_MINIMUM "the training rows may be separable (no minimum without l2); give l2 > 0"

static int make_instance(gd_problem *p, const gd_design_source *src, const double *pp,
                         gd_rng_key key, gd_error *err)
{
    double *w_opt;
    gd_design_model *lr = gd_design_model_new(p, &gd_problem_logreg, src, pp, key, 1,
                                              block_sums, 1, &w_opt, err);
    if (!lr)
        return -1;
    if (gd_design_newton(p, src->path, 1, hessian_sums, NULL, w_opt, NO_MINIMUM, err) < 0) {
        gd_problem_destroy(p);
        return -1;
    }
    gd_design_add_inputs(p, &lr->d);
    gd_design_model_optimum(p, w_opt);
    gd_problem_add_input(p, "x0", p->n, 0, p->x0);
    return 0;
}

static int logreg_setup(gd_problem *p, const gd_problem_files *files, const double *pp,
                        gd_rng_key key, gd_error *err)
{
    return gd_design_setup(p, files, pp, key, make_instance, err);
}

static int is_binary(double y)
{
    return y == 0 || y == 1;
}

/* Labels 0/1, a training row, and at l2 = 0 a minimum on all rows (not separable). */
static int logreg_check_files(const gd_problem_files *files, const double *pp, gd_error *err)
{
    return gd_design_check_files(files, pp, is_binary, "logreg needs labels 0 or 1",
                                 make_instance, err);
}

/* ~ floating-point work of one loss and gradient (exp and log1p count ~20). */
static double logreg_cost(const gd_problem_files *files, const double *pp)
{
    size_t rows, d;
    double max_target;
    gd_design_size_of(files, pp, &rows, &d, &max_target);
    return (double)rows * (4.0 * (double)d + 40) + 50;
}

const gd_problem_type gd_problem_logreg = {
    .name = "logreg",
    .doc = "binary logistic regression: mean log-loss + l2 |w|^2 on the rows of a CSV file "
           "with labels 0/1 (n = features + intercept); the optimum by Newton",
    .params = gd_design_params,
    .metric_name = "test_accuracy",
    .metric_mode = "max",
    .stores_inputs = 1,
    .model_params = GD_DESIGN_MODEL_PARAMS,
    .check = gd_design_check,
    .check_files = logreg_check_files,
    .check_files_params = GD_DESIGN_FILE_PARAMS,
    .draws = gd_design_draws,
    .repeat_hint = GD_DESIGN_REPEAT_HINT,
    .dimension = gd_design_dimension,
    .cost = logreg_cost,
    .setup = logreg_setup,
    .destroy = gd_problem_release,
    .loss = gd_design_loss,
    .loss_grad = gd_design_loss_grad,
    .samples = gd_design_samples,
    .batch_loss_grad = gd_design_batch_loss_grad,
    .metric = logreg_test_accuracy,
};

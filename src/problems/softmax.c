/* softmax.c - multinomial logistic regression on a data file: mean cross-entropy + l2 |W|^2.
 *
 * Labels y in 0..K-1 (whole numbers; K = the largest label in the file + 1, at most
 * MAX_CLASSES), weights W (d x K, row-major: W[j K + a]), z_i = x_i W over the training
 * rows of the design (design.h). Loss (1/N) sum [logsumexp(z_i) - z_i,y_i] + l2 |W|^2
 * (the intercept row not penalised), log-sum-exp shifted by max z; gradient
 * (1/N) X^T (softmax(z) - onehot(y)) + 2 l2 W. The optimum: Newton at setup (design_newton.h)
 * when n = d K <= NEWTON_MAX_N and N n^2 <= NEWTON_MAX_WORK (the Hessian costs N n^2 / 2
 * per step); else has_optimum = 0 and the gap is absent. The loss does not change when a
 * constant is added to an unpenalised row of W (the intercept's; every row's with l2 = 0),
 * so Newton adds (1/K) 1 1^T on those rows' blocks of the Hessian, a direction the gradient
 * never has: the step is the one of least norm along it. Metric test_accuracy: the share of
 * test rows whose largest z (the first on ties) is their label (NaN without test rows).
 *
 * Parallelism: fixed blocks of rows, per-block slots summed in block order
 * (gd_design_reduce): bit-identical for any thread count. Scratch per row on the stack
 * (K <= MAX_CLASSES); one instance must not be evaluated by two threads at once (parts). */
#include "design.h"
#include "design_newton.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CLASSES 1024
#define NEWTON_MAX_N 1024
#define NEWTON_MAX_WORK 2e9

/* Classes whose scores (or gradient row) a pass keeps in registers: a row's K classes go
 * in passes of at most MAX_WIDTH columns of W, each pass a loop of one constant width. */
#define MAX_WIDTH 16

/* z[0..width) = x W[:, 0..width) (w: the first of these columns, rows k apart), each z[a]
 * summed over j in order, as one column at a time would: only the registers differ. */
__attribute__((always_inline)) static inline void columns_scores(
    const double *x, const double *w, size_t d, size_t k, size_t width, double *z)
{
    double acc[MAX_WIDTH] = {0};
    for (size_t j = 0; j < d; j++)
        for (size_t a = 0; a < width; a++)
            acc[a] += x[j] * w[j * k + a];
    for (size_t a = 0; a < width; a++)
        z[a] = acc[a];
}

/* g[j k + a] += x_j p_a for the width columns from g's first (rows k apart). */
__attribute__((always_inline)) static inline void columns_gradient(
    const double *x, const double *p, size_t d, size_t k, size_t width, double *g)
{
    double pa[MAX_WIDTH];
    for (size_t a = 0; a < width; a++)
        pa[a] = p[a];
    for (size_t j = 0; j < d; j++)
        for (size_t a = 0; a < width; a++)
            g[j * k + a] += x[j] * pa[a];
}

/* One pass of each width: scores_W and gradient_W, and their tables by width. */
typedef void (*columns_fn)(const double *x, const double *v, size_t d, size_t k, double *out);
#define WIDTHS(X) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13) \
    X(14) X(15) X(16)
#define PASSES(W)                                                                          \
    static void scores_##W(const double *x, const double *w, size_t d, size_t k,          \
                           double *z)                                                      \
    {                                                                                      \
        columns_scores(x, w, d, k, W, z);                                                  \
    }                                                                                      \
    static void gradient_##W(const double *x, const double *p, size_t d, size_t k,        \
                             double *g)                                                    \
    {                                                                                      \
        columns_gradient(x, p, d, k, W, g);                                                \
    }
WIDTHS(PASSES)
#define SCORES_ENTRY(W) scores_##W,
#define GRADIENT_ENTRY(W) gradient_##W,
static const columns_fn scores_pass[MAX_WIDTH + 1] = {NULL, WIDTHS(SCORES_ENTRY)};
static const columns_fn gradient_pass[MAX_WIDTH + 1] = {NULL, WIDTHS(GRADIENT_ENTRY)};

/* Runs the passes of table `pass` over the k columns: out and v from column a on. */
static void by_passes(const columns_fn *pass, const double *x, const double *v, size_t d,
                      size_t k, double *out)
{
    for (size_t a = 0; a < k; a += MAX_WIDTH) {
        size_t width = k - a < MAX_WIDTH ? k - a : MAX_WIDTH;
        pass[width](x, v + a, d, k, out + a);
    }
}

/* z = x W (k values); returns log sum exp z, and p = softmax(z) when p is not NULL. */
static double scores(const gd_design *d, size_t k, const double *x, const double *w, double *z,
                     double *p)
{
    by_passes(scores_pass, x, w, d->d, k, z);
    double top = z[0], sum = 0;
    for (size_t a = 1; a < k; a++)
        top = fmax(top, z[a]);
    for (size_t a = 0; a < k; a++) {
        double e = exp(z[a] - top);
        sum += e;
        if (p)
            p[a] = e;
    }
    for (size_t a = 0; p && a < k; a++)
        p[a] /= sum;
    return top + log(sum);
}

/* g[j K + a] += x_j (p_a - [a = y]) (p: the row's softmax, k values, changed). */
static void add_gradient(const double *x, size_t d, size_t k, double *p, size_t y, double *g)
{
    p[y] -= 1;
    by_passes(gradient_pass, x, p, d, k, g);
}

/* out[0] = sum of losses, out[1 + j K + a] = sum x_j (p_a - [a = y]). */
static void block_sums(const void *ctx, size_t lo, size_t hi, double *out)
{
    const gd_design_call *c = ctx;
    const gd_design *d = &c->model->d;
    size_t k = c->model->classes;
    double z[MAX_CLASSES], p[MAX_CLASSES];
    for (size_t q = lo; q < hi; q++) {
        size_t i = gd_design_row(c->rows, q);
        gd_design_prefetch(d, c->rows, q, hi);
        const double *xi = d->x + i * d->d;
        size_t y = (size_t)d->y[i];
        out[0] += scores(d, k, xi, c->w, z, c->grad ? p : NULL) - z[y];
        if (c->grad)
            add_gradient(xi, d->d, k, p, y, out + 1);
    }
}

/* The first class of largest score of x. */
static size_t predicted(const gd_design *d, size_t k, const double *x, const double *w)
{
    double z[MAX_CLASSES];
    scores(d, k, x, w, z, NULL);
    size_t best = 0;
    for (size_t a = 1; a < k; a++)
        if (z[a] > z[best])
            best = a;
    return best;
}

static double softmax_test_accuracy(const gd_problem *p, const double *w)
{
    const gd_design_model *s = p->data;
    const gd_design *d = &s->d;
    size_t right = 0;
    for (size_t i = 0; i < d->test_rows; i++)
        right += (double)predicted(d, s->classes, d->x_test + i * d->d, w) == d->y_test[i];
    return d->test_rows ? (double)right / (double)d->test_rows : NAN;
}

/* ---- the optimum by Newton ------------------------------------------------------------ */

/* out: loss, gradient, then the upper triangle of sum (x x^T) kron (diag p - p p^T), row
 * u = j K + a by row, the entries v >= u: (l, b) for l = j, b >= a, then l > j, every b.
 * Row a of diag p - p p^T is made first (ca), so the inner loop is a multiply-add over b. */
static void hessian_sums(const gd_design *d, size_t k, const double *w, size_t lo, size_t hi,
                         double *out)
{
    double z[MAX_CLASSES], p[MAX_CLASSES], ca[MAX_CLASSES];
    size_t n = d->d * k;
    for (size_t i = lo; i < hi; i++) {
        const double *xi = d->x + i * d->d;
        size_t y = (size_t)d->y[i];
        out[0] += scores(d, k, xi, w, z, p) - z[y];
        for (size_t u = 0; u < n; u++)
            out[1 + u] += xi[u / k] * (p[u % k] - (u % k == y));
        double *h = out + 1 + n;
        for (size_t j = 0; j < d->d; j++)
            for (size_t a = 0; a < k; a++) {
                for (size_t b = 0; b < k; b++)
                    ca[b] = (a == b ? p[a] : 0) - p[a] * p[b];
                for (size_t b = a; b < k; b++)
                    *h++ += xi[j] * xi[j] * ca[b];
                for (size_t l = j + 1; l < d->d; l++) {
                    double xx = xi[j] * xi[l];
                    for (size_t b = 0; b < k; b++)
                        h[b] += xx * ca[b];
                    h += k;
                }
            }
    }
}

/* (1/K) 1 1^T on the block of each unpenalised row of W. */
static void flat_rows(const gd_design *d, size_t k, double *h)
{
    size_t n = d->d * k, first = d->l2 > 0 ? d->features : 0;
    for (size_t j = first; j < d->d; j++)
        for (size_t a = 0; a < k; a++)
            for (size_t b = a; b < k; b++)
                h[(j * k + a) * n + j * k + b] += 1.0 / (double)k;
}

#define NO_MINIMUM "the training rows may be separable, or miss a class (no minimum " \
                   "without l2); give l2 > 0"

static int newton_affordable(size_t rows, size_t n)
{
    return n <= NEWTON_MAX_N && (double)rows * (double)n * (double)n <= NEWTON_MAX_WORK;
}

/* K of the file's labels (checked by check_files: whole, 0..MAX_CLASSES-1). */
static size_t classes_of(const gd_design_source *src)
{
    const gd_table *t = src->table;
    double top = 0;
    for (size_t r = 0; r < t->rows; r++)
        top = fmax(top, t->values[r * t->cols + src->target]);
    return (size_t)top + 1;
}

static int make_instance(gd_problem *p, const gd_design_source *src, const double *pp,
                         gd_rng_key key, gd_error *err)
{
    gd_design shape;
    double *w_opt;
    size_t k = classes_of(src);
    gd_design_shape(src, pp, &shape);
    size_t n = shape.d * k;
    int exact = newton_affordable(shape.rows, n);
    gd_design_model *s = gd_design_model_new(p, &gd_problem_softmax, src, pp, key, k,
                                             block_sums, exact, &w_opt, err);
    if (!s)
        return -1;
    gd_design_add_inputs(p, &s->d);
    if (exact) {
        if (gd_design_newton(p, src->path, k, hessian_sums, flat_rows, w_opt, NO_MINIMUM,
                             err) < 0) {
            gd_problem_destroy(p);
            return -1;
        }
        gd_design_model_optimum(p, w_opt);
    }
    gd_problem_add_input(p, "x0", n, 0, p->x0);
    return 0;
}

static int softmax_setup(gd_problem *p, const gd_problem_files *files, const double *pp,
                         gd_rng_key key, gd_error *err)
{
    return gd_design_setup(p, files, pp, key, make_instance, err);
}

static int is_class(double y)
{
    return y >= 0 && y < MAX_CLASSES && y == floor(y);
}

/* Labels 0..K-1, a training row, and at l2 = 0 a minimum on all rows. */
static int softmax_check_files(const gd_problem_files *files, const double *pp, gd_error *err)
{
    return gd_design_check_files(files, pp, is_class,
                                 "softmax needs whole labels 0, 1, ..., K - 1 (K <= 1024)",
                                 make_instance, err);
}

static size_t softmax_dimension(const gd_problem_files *files, const double *pp)
{
    size_t rows, d;
    double max_target;
    gd_design_size_of(files, pp, &rows, &d, &max_target);
    return d * ((size_t)fmin(fmax(max_target, 0), MAX_CLASSES) + 1);
}

/* ~ floating-point work of one loss and gradient (exp ~20 per class). */
static double softmax_cost(const gd_problem_files *files, const double *pp)
{
    size_t rows, d;
    double max_target;
    gd_design_size_of(files, pp, &rows, &d, &max_target);
    double k = fmin(fmax(max_target, 0), MAX_CLASSES) + 1;
    return (double)rows * k * (4.0 * (double)d + 20) + 50;
}

const gd_problem_type gd_problem_softmax = {
    .name = "softmax",
    .doc = "multinomial logistic regression: mean cross-entropy + l2 |W|^2 on the rows of a "
           "CSV file with labels 0..K-1 (n = (features + intercept) K); the optimum by "
           "Newton when n <= 1024 and rows n^2 <= 2e9, else none",
    .params = gd_design_params,
    .metric_name = "test_accuracy",
    .metric_mode = "max",
    .stores_inputs = 1,
    .model_params = GD_DESIGN_MODEL_PARAMS,
    .check = gd_design_check,
    .check_files = softmax_check_files,
    .check_files_params = GD_DESIGN_FILE_PARAMS,
    .draws = gd_design_draws,
    .repeat_hint = GD_DESIGN_REPEAT_HINT,
    .dimension = softmax_dimension,
    .cost = softmax_cost,
    .setup = softmax_setup,
    .destroy = gd_problem_release,
    .loss = gd_design_loss,
    .loss_grad = gd_design_loss_grad,
    .samples = gd_design_samples,
    .batch_loss_grad = gd_design_batch_loss_grad,
    .metric = softmax_test_accuracy,
};

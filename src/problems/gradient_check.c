/* gradient_check.c - a problem's gradients, full and minibatch, against central differences
 * (plugins.h).
 *
 * Used before any run on every plugin, and by `--check-problems` on any problem. The
 * points are x0 and x0 moved by a Gaussian drawn from a fixed key, and the small batch's
 * rows are drawn from a fixed key too, so the checks are the same on every rank and every
 * run of gdsweep. The instance is only read (loss, loss_grad, batch_loss_grad); scratch is
 * allocated here and freed before returning. */
#include "gdsweep/plugins.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RTOL 1e-5
#define ROUNDING_SAFETY 100.0
#define CHECK_KEY_WORD 0x67726164u /* "grad": the fixed key of the random points */
#define BATCH_RTOL 1e-8             /* batch_loss_grad over every row against loss_grad */
#define SMALL_BATCH 5               /* rows of the batch whose gradient is checked */

typedef struct checker {
    const gd_problem *p;
    const char *what;
    const char *fn;     /* the function a failure asks to fix */
    const size_t *rows; /* the batch of batch_loss_grad checked; NULL: the full loss */
    size_t m;
    double *x, *g;
    double worst;
    gd_error *err;
} checker;

/* The loss checked at x, its gradient into g unless NULL. */
static double loss_of(const checker *c, const double *x, double *g)
{
    const gd_problem_type *t = c->p->type;
    if (c->rows)
        return t->batch_loss_grad(c->p, x, c->rows, c->m, g);
    return g ? t->loss_grad(c->p, x, g) : t->loss(c->p, x);
}

/* The point of index k: x0 (k = 0), or x0 moved by max(1, |x0_i|) / 2 * N(0, 1). */
static void point(const checker *c, size_t k, double *x)
{
    const gd_rng_key key = {{CHECK_KEY_WORD, (uint32_t)k}};
    for (size_t i = 0; i < c->p->n; i++) {
        double x0 = c->p->x0[i];
        x[i] = k == 0 ? x0 : x0 + 0.5 * fmax(1.0, fabs(x0)) * gd_rng_normal(key, 0, i);
    }
}

static const char *point_name(size_t k, char *buf, size_t size)
{
    if (k == 0)
        return "at the start point";
    snprintf(buf, size, "at random point %zu of %d", k, GD_GRADIENT_CHECK_POINTS);
    return buf;
}

/* Component i at point x (g: the gradient there); x[i] is restored. */
static int check_component(checker *c, size_t k, size_t i)
{
    double xi = c->x[i], h = cbrt(DBL_EPSILON) * fmax(1.0, fabs(xi));
    c->x[i] = xi + h;
    double up = loss_of(c, c->x, NULL);
    c->x[i] = xi - h;
    double down = loss_of(c, c->x, NULL);
    c->x[i] = xi;
    double d = (up - down) / (2 * h), g = c->g[i];
    double allowed = RTOL * fmax(1.0, fabs(g)) +
                     ROUNDING_SAFETY * DBL_EPSILON * (fabs(up) + fabs(down)) / h;
    double diff = fabs(g - d), ratio = diff / allowed;
    if (ratio > c->worst || isnan(ratio))
        c->worst = isnan(ratio) ? INFINITY : ratio;
    if (diff <= allowed)
        return 0;
    char buf[48];
    return gd_fail(c->err, "%s: gradient wrong %s, component %zu: gradient %.10g, central "
                   "difference %.10g (difference %.3g, allowed %.3g); fix %s",
                   c->what, point_name(k, buf, sizeof buf), i, g, d, diff, allowed, c->fn);
}

static int check_point(checker *c, size_t k)
{
    size_t n = c->p->n, step = n > GD_GRADIENT_CHECK_COMPONENTS
                                   ? (n + GD_GRADIENT_CHECK_COMPONENTS - 1) /
                                         GD_GRADIENT_CHECK_COMPONENTS
                                   : 1;
    char buf[48];
    point(c, k, c->x);
    double f = loss_of(c, c->x, c->g);
    if (!isfinite(f))
        return gd_fail(c->err, "%s: the loss %s is %g, not a finite number; fix %s (or the "
                       "start point)", c->what, point_name(k, buf, sizeof buf), f, c->fn);
    for (size_t i = 0; i < n; i += step)
        if (check_component(c, k, i) < 0)
            return -1;
    return 0;
}

static int check_start(const checker *c)
{
    double f = c->p->type->loss(c->p, c->p->x0);
    for (size_t i = 0; i < c->p->n; i++)
        if (!isfinite(c->p->x0[i]))
            return gd_fail(c->err, "%s: start point component %zu is %g; setup must write "
                           "a finite x0", c->what, i, c->p->x0[i]);
    if (!isfinite(f))
        return gd_fail(c->err, "%s: the loss at the start point is %g, not a finite number; "
                       "fix loss (or the start point)", c->what, f);
    return 0;
}

int gd_problem_check_gradient(const gd_problem *p, const char *what, double *worst,
                              gd_error *err)
{
    checker c = {p, what, "loss_grad", NULL, 0, malloc(p->n * sizeof(double)),
                 malloc(p->n * sizeof(double)), 0, err};
    int rc = c.x && c.g ? check_start(&c) : gd_fail_runtime(err, "%s: out of memory", what);
    for (size_t k = 0; rc == 0 && k <= GD_GRADIENT_CHECK_POINTS; k++)
        rc = check_point(&c, k);
    free(c.x);
    free(c.g);
    if (worst)
        *worst = c.worst;
    return rc;
}

/* ---- minibatches ---------------------------------------------------------------------- */

/* Loss and gradient of batch_loss_grad over every row against loss_grad's at point k
 * (x, g, gb, all: scratch); the loss without a gradient (g = NULL) too. */
static int check_all_rows(checker *c, size_t k, const size_t *all, size_t n_rows, double *gb)
{
    const gd_problem *p = c->p;
    char buf[48];
    point(c, k, c->x);
    double f = p->type->loss_grad(p, c->x, c->g), scale = 1;
    double fb = p->type->batch_loss_grad(p, c->x, all, n_rows, gb);
    double fb_alone = p->type->batch_loss_grad(p, c->x, all, n_rows, NULL);
    for (size_t i = 0; i < p->n; i++)
        scale = fmax(scale, fabs(c->g[i]));
    double allowed = BATCH_RTOL * fmax(1.0, fabs(f));
    if (!(fabs(fb - f) <= allowed) || !(fabs(fb_alone - f) <= allowed))
        return gd_fail(c->err, "%s: batch_loss_grad over all %zu rows returns loss %.10g "
                       "(%.10g with g = NULL), loss_grad %.10g %s; return (1/m) sum of the "
                       "rows' losses plus the penalty, the same with g = NULL; fix "
                       "batch_loss_grad", c->what, n_rows, fb, fb_alone, f,
                       point_name(k, buf, sizeof buf));
    for (size_t i = 0; i < p->n; i++)
        if (!(fabs(gb[i] - c->g[i]) <= BATCH_RTOL * scale))
            return gd_fail(c->err, "%s: batch_loss_grad over all %zu rows differs from "
                           "loss_grad %s, gradient component %zu: %.10g against %.10g "
                           "(allowed %.3g); fix batch_loss_grad", c->what, n_rows,
                           point_name(k, buf, sizeof buf), i, gb[i], c->g[i],
                           BATCH_RTOL * scale);
    return 0;
}

/* SMALL_BATCH rows drawn from a fixed key, the last a repeat of the first (rows may
 * repeat); fewer when there are fewer rows. */
static size_t small_batch(size_t n_rows, size_t *rows)
{
    const gd_rng_key key = {{CHECK_KEY_WORD, 0x62617463u /* "batc" */}};
    size_t m = n_rows < SMALL_BATCH ? n_rows : SMALL_BATCH;
    for (size_t q = 0; q + 1 < m; q++) {
        size_t r = (size_t)(gd_rng_uniform(key, 0, q) * (double)n_rows);
        rows[q] = r < n_rows ? r : n_rows - 1;
    }
    rows[m - 1] = rows[0];
    return m;
}

static int check_batches(checker *c, size_t n_rows, size_t *rows, double *gb)
{
    char what[GD_ERROR_MAX / 2];
    for (size_t i = 0; i < n_rows; i++)
        rows[i] = i;
    for (size_t k = 0; k <= GD_GRADIENT_CHECK_POINTS; k++)
        if (check_all_rows(c, k, rows, n_rows, gb) < 0)
            return -1;
    c->m = small_batch(n_rows, rows);
    c->rows = rows;
    c->fn = "batch_loss_grad";
    snprintf(what, sizeof what, "%s: batch_loss_grad on a batch of %zu rows (%zu, ...)",
             c->what, c->m, rows[0]);
    c->what = what;
    int rc = 0;
    for (size_t k = 0; rc == 0 && k <= GD_GRADIENT_CHECK_POINTS; k++)
        rc = check_point(c, k);
    return rc;
}

int gd_problem_check_batch(const gd_problem *p, const char *what, gd_error *err)
{
    size_t n_rows = p->type->samples(p), n = p->n;
    if (n_rows == 0)
        return gd_fail(err, "%s: samples() returns 0; a sum over data points has at least "
                       "one", what);
    checker c = {p, what, "loss_grad", NULL, 0, malloc(n * sizeof(double)),
                 malloc(n * sizeof(double)), 0, err};
    double *gb = malloc(n * sizeof *gb);
    size_t *rows = malloc(n_rows * sizeof *rows);
    int rc = c.x && c.g && gb && rows ? check_batches(&c, n_rows, rows, gb)
                                      : gd_fail_runtime(err, "%s: out of memory", what);
    free(c.x);
    free(c.g);
    free(gb);
    free(rows);
    return rc;
}

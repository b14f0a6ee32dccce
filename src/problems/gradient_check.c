/* gradient_check.c - a problem's gradient against central differences (plugins.h).
 *
 * Used before any run on every plugin, and by `--check-problems` on any problem. The
 * points are x0 and x0 moved by a Gaussian drawn from a fixed key, so the check is the same
 * on every rank and every run of gdsweep. The instance is only read (loss and loss_grad);
 * scratch is allocated here and freed before returning. */
#include "gdsweep/plugins.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RTOL 1e-5
#define ROUNDING_SAFETY 100.0
#define CHECK_KEY_WORD 0x67726164u /* "grad": the fixed key of the random points */

typedef struct checker {
    const gd_problem *p;
    const char *what;
    double *x, *g;
    double worst;
    gd_error *err;
} checker;

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
    double up = c->p->type->loss(c->p, c->x);
    c->x[i] = xi - h;
    double down = c->p->type->loss(c->p, c->x);
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
                   "difference %.10g (difference %.3g, allowed %.3g); fix loss_grad",
                   c->what, point_name(k, buf, sizeof buf), i, g, d, diff, allowed);
}

static int check_point(checker *c, size_t k)
{
    size_t n = c->p->n, step = n > GD_GRADIENT_CHECK_COMPONENTS
                                   ? (n + GD_GRADIENT_CHECK_COMPONENTS - 1) /
                                         GD_GRADIENT_CHECK_COMPONENTS
                                   : 1;
    char buf[48];
    point(c, k, c->x);
    double f = c->p->type->loss_grad(c->p, c->x, c->g);
    if (!isfinite(f))
        return gd_fail(c->err, "%s: the loss %s is %g, not a finite number; fix loss_grad "
                       "(or the start point)", c->what, point_name(k, buf, sizeof buf), f);
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
    checker c = {p, what, malloc(p->n * sizeof(double)), malloc(p->n * sizeof(double)), 0,
                 err};
    int rc = c.x && c.g ? check_start(&c) : gd_fail_runtime(err, "%s: out of memory", what);
    for (size_t k = 0; rc == 0 && k <= GD_GRADIENT_CHECK_POINTS; k++)
        rc = check_point(&c, k);
    free(c.x);
    free(c.g);
    if (worst)
        *worst = c.worst;
    return rc;
}

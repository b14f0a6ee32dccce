/* newton.c - damped Newton minimisation by Cholesky, in a fixed order of operations.
 *
 * Each step: H, g at w; d solves (H + mu I) d = g (mu = 0 first, then growing from
 * 1e-12 max diag while the factor fails); w - t d with t halved until
 * f(w - t d) <= f(w) - 1e-4 t g.d. Once g.d <= 1e-14 |f| the loss can no longer
 * tell a better point (its change is below its rounding), so the full steps are taken
 * without a line search (inside the region of quadratic convergence), at most
 * POLISH_STEPS of them; stops earlier when g.d <= 1e-24 |f|. */
#include "newton.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ARMIJO 1e-4
#define MAX_HALVINGS 60
#define DONE 1e-24   /* g.d relative to |f|: converged */
#define FLOOR 1e-14  /* g.d relative to |f|: below, f cannot show the progress */
#define POLISH_STEPS 3 /* full steps taken below FLOOR before stopping */

int gd_cholesky(double *a, size_t n)
{
    for (size_t j = 0; j < n; j++) {
        double s = a[j * n + j];
        for (size_t k = 0; k < j; k++)
            s -= a[j * n + k] * a[j * n + k];
        if (!(s > 0) || !isfinite(s))
            return -1;
        double ljj = sqrt(s);
        a[j * n + j] = ljj;
        for (size_t i = j + 1; i < n; i++) {
            double t = a[j * n + i]; /* upper triangle: H[j][i] = H[i][j] */
            for (size_t k = 0; k < j; k++)
                t -= a[i * n + k] * a[j * n + k];
            a[i * n + j] = t / ljj;
        }
    }
    return 0;
}

void gd_cholesky_solve(const double *l, size_t n, double *b)
{
    for (size_t i = 0; i < n; i++) {
        double s = b[i];
        for (size_t k = 0; k < i; k++)
            s -= l[i * n + k] * b[k];
        b[i] = s / l[i * n + i];
    }
    for (size_t i = n; i-- > 0;) {
        double s = b[i];
        for (size_t k = i + 1; k < n; k++)
            s -= l[k * n + i] * b[k];
        b[i] = s / l[i * n + i];
    }
}

typedef struct newton_work {
    size_t n;
    double *g, *h, *l, *d, *trial;
} newton_work;

/* d = (H + mu I)^{-1} g with the smallest mu in 0, 1e-12 m, 1e-10 m, ... (m the largest
 * diagonal entry) whose factor succeeds. Returns -1 when none does. */
static int newton_direction(newton_work *w)
{
    size_t n = w->n;
    double top = 0;
    for (size_t i = 0; i < n; i++)
        top = fmax(top, fabs(w->h[i * n + i]));
    for (double mu = 0; mu <= top * 1e4 + 1; mu = mu ? mu * 100 : 1e-12 * fmax(top, 1)) {
        memcpy(w->l, w->h, n * n * sizeof *w->l);
        for (size_t i = 0; i < n; i++)
            w->l[i * n + i] += mu;
        if (gd_cholesky(w->l, n) == 0) {
            memcpy(w->d, w->g, n * sizeof *w->d);
            gd_cholesky_solve(w->l, n, w->d);
            return 0;
        }
    }
    return -1;
}

static double dot(const double *a, const double *b, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += a[i] * b[i];
    return s;
}

/* One step from x (loss fx, decrement dec): 1 moved (*fnew the loss there), 0 no step
 * meets the Armijo condition. */
static int line_search(newton_work *w, gd_newton_f f, const void *ctx, double *x, double fx,
                       double dec, double *fnew)
{
    double t = 1;
    for (int k = 0; k < MAX_HALVINGS; k++, t /= 2) {
        for (size_t i = 0; i < w->n; i++)
            w->trial[i] = x[i] - t * w->d[i];
        *fnew = f(ctx, w->trial);
        if (*fnew <= fx - ARMIJO * t * dec) {
            memcpy(x, w->trial, w->n * sizeof *x);
            return 1;
        }
    }
    return 0;
}

static int iterate(newton_work *w, gd_newton_fgh fgh, gd_newton_f f, const void *ctx,
                   double *x, const char *hint, gd_error *err)
{
    int polish = 0;
    for (int it = 0; it < GD_NEWTON_MAX_ITER; it++) {
        double fx = fgh(ctx, x, w->g, w->h);
        if (!isfinite(fx) || newton_direction(w) < 0)
            break;
        /* relative to |f| itself: a loss that tends to 0 at infinity (separable data)
         * keeps g.d ~ f and never converges, instead of looking converged once f < 1e-14 */
        double dec = dot(w->g, w->d, w->n), scale = fabs(fx);
        if (dec <= DONE * scale)
            return 0;
        if (dec <= FLOOR * scale) { /* f within round-off: full steps, a few at most */
            for (size_t i = 0; i < w->n; i++)
                x[i] -= w->d[i];
            if (++polish == POLISH_STEPS)
                return 0;
            continue;
        }
        double fnew;
        if (!line_search(w, f, ctx, x, fx, dec, &fnew))
            return gd_fail(err, "Newton's method stalled: %s", hint);
    }
    return gd_fail(err, "Newton's method did not converge in %d steps: %s", GD_NEWTON_MAX_ITER,
                   hint);
}

int gd_newton_minimize(gd_newton_fgh fgh, gd_newton_f f, const void *ctx, size_t n,
                       double *w, const char *hint, gd_error *err)
{
    double *block = malloc((2 * n * n + 3 * n) * sizeof *block);
    if (!block)
        return gd_fail_runtime(err, "out of memory for Newton's method in %zu unknowns", n);
    newton_work work = {n, block, block + n, block + n + n * n, block + n + 2 * n * n,
                        block + 2 * n + 2 * n * n};
    int rc = iterate(&work, fgh, f, ctx, w, hint, err);
    free(block);
    return rc;
}
